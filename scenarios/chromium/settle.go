package chromium

import (
	"bytes"
	"regexp"
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
// it. The page is n.last, one Chromium showed.
func (n *nav) refreshPending() bool {
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

// timerPending reports whether the page the navigation loaded sets a timer in its own markup
// (setTimeout(…, 2000), the "back to HubSpot in 2 seconds" page), and if so sets the deadline
// to the longest such delay, up to the hop timeout: the page is then asked for one more turn
// of its event loop (quietTurn), in which a timer that fell due has run, its navigation
// followed. Chromium reports no pending timer; a delay written out is read from the page, as
// a refresh is. The page is n.last, one Chromium showed.
func (n *nav) timerPending() bool {
	d := timerDelay(n.last.Body)
	if d <= 0 || d > n.t.opts.HopTimeout {
		return false
	}
	n.timer.Reset(d)
	return true
}

// delayArg is a timer's delay written out in milliseconds: "2000", "2 * 1000", "1.5 * 1000".
var delayArg = regexp.MustCompile(`^(\d{1,7}(?:\.\d{1,3})?)(?:\s*\*\s*(\d{1,4}))?$`)

// timerDelay returns the longest delay of the setTimeout calls in a page's markup whose delay
// is written out, or 0. Each call's last argument is read, its parentheses matched.
func timerDelay(body []byte) time.Duration {
	const call = "setTimeout("
	var longest time.Duration
	for rest, n := body, 0; n < 20; n++ {
		i := bytes.Index(rest, []byte(call))
		if i < 0 {
			break
		}
		rest = rest[i+len(call):]
		depth, comma, end := 1, -1, -1
		for k := 0; k < len(rest) && k < 4096 && end < 0; k++ {
			switch rest[k] {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth--; depth == 0 {
					end = k
				}
			case ',':
				if depth == 1 {
					comma = k
				}
			}
		}
		if end < 0 || comma < 0 {
			continue
		}
		m := delayArg.FindSubmatch(bytes.TrimSpace(rest[comma+1 : end]))
		if m == nil {
			continue
		}
		ms, _ := strconv.ParseFloat(string(m[1]), 64)
		if len(m[2]) > 0 {
			k, _ := strconv.Atoi(string(m[2]))
			ms *= float64(k)
		}
		longest = max(longest, time.Duration(ms*float64(time.Millisecond)))
	}
	return longest
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
