package chromium

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"golang.org/x/net/html"
)

// This file holds what decides that a loaded page has settled: the tab's requests still out,
// and a refresh the page has yet to fire; and what the tab's top frame shows (see launchIn).

// track keeps the set of the tab's requests still out (Network domain events), which a loaded
// page must have none of before its navigation ends: a single-page app's fetch() to its
// backend, then its script navigation, is followed through.
func (t *tab) track(ev any) {
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		t.inflight[ev.RequestID] = true
	case *network.EventLoadingFinished:
		delete(t.inflight, ev.RequestID)
	case *network.EventLoadingFailed:
		delete(t.inflight, ev.RequestID)
	case *page.EventFrameNavigated:
		if ev.Frame != nil && ev.Frame.ParentID == "" {
			t.stand = launcherOrigin(ev.Frame.URL)
		}
	case *page.EventWindowOpen:
		t.popups = true
	}
}

// refreshPending reports whether the page the navigation loaded has a refresh still to fire (a
// Refresh header or a <meta http-equiv=refresh>, HTML Standard §4.2.5.3), and if so sets the
// deadline to its delay plus the hop timeout: the navigation follows a refresh however late,
// as the http engine does, up to a delay of the hop timeout. Chromium reports no scheduled
// refresh, and the page cannot be asked (a zero-delay refresh replaces the document while the
// question is out, which then goes unanswered): the response is read as the http engine reads
// it.
func (n *nav) refreshPending() bool {
	if n.last == nil || n.blocked != "" || n.refused != "" {
		return false
	}
	content := n.last.Header.Get("Refresh")
	if content == "" {
		content = metaRefresh(n.last.Body)
	}
	s := strings.TrimLeft(content, " \t\n\f\r")
	digits := 0
	for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits == 0 && (s == "" || s[0] != '.') {
		return false // not a valid refresh: the browser ignores it
	}
	delay, _ := strconv.Atoi(s[:digits])
	wait := time.Duration(delay) * time.Second
	if wait > n.t.opts.HopTimeout {
		return false // a refresh this late is no part of the navigation: the page stays
	}
	n.timer.Reset(wait + n.t.opts.HopTimeout)
	return true
}

// metaRefresh returns the content of the document's first <meta http-equiv=refresh>, or "".
func metaRefresh(body []byte) string {
	if !bytes.Contains(bytes.ToLower(body), []byte("refresh")) {
		return "" // spare the parse
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.TextToken, html.EndTagToken, html.CommentToken, html.DoctypeToken:
			continue // only <meta> start tags can refresh
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "meta" || !hasAttr {
				continue
			}
			var equiv, content string
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "http-equiv":
					equiv = string(v)
				case "content":
					content = string(v)
				}
				if !more {
					break
				}
			}
			if strings.EqualFold(strings.TrimSpace(equiv), "refresh") {
				return content
			}
		}
	}
}
