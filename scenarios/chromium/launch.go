package chromium

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
)

// This file holds the engine's own page at HubSpot's origin, the launcher, which frames the
// install URL as HubSpot's dialog does, or sends its window there as a window HubSpot opened.
// Loading a page costs Chromium as much as the hop it launches, and a framed navigation is
// often one request (the endpoint redirects to HubSpot's returnUrl, which is never sent): a
// tab whose top frame still shows a launcher of the same origin reuses it, with a new iframe or
// a script navigation in place of a new page (launchIn), and a tab given back to the pool on a
// launcher keeps it, emptied (unframe), for the next engine.

// launchPath is the path prefix of the launcher's URLs.
const launchPath = "/__hsemu/launch/"

// launcherPage is the launcher's document at the ancestor's (or opener's) origin: an iframe of
// target, as HubSpot frames the install URL at step=finalize, or a script that sends the
// window to target, as a window HubSpot opened; with no target, an empty page to stand on (see
// standOn). Its empty icon spares a favicon request.
func launcherPage(target string, framed bool) string {
	const head = `<!doctype html><html><head><title>HubSpot</title><link rel="icon" href="data:,"></head>`
	switch {
	case target == "":
		return head + `<body style="margin:0"></body></html>`
	case framed:
		return head + `<body style="margin:0"><iframe loading="eager" src="` + html.EscapeString(target) + `" style="border:0;width:100%;height:100vh"></iframe></body></html>`
	}
	js, _ := json.Marshal(target) // escapes <, > and &
	return head + `<body><script>location.href = ` + string(js) + `;</script></body></html>`
}

// launcherOrigin returns the origin of a launcher's URL, or "" for any other page.
func launcherOrigin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || !strings.HasPrefix(u.Path, launchPath) || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// launchScript runs in the launcher the tab shows: it replaces the page's content with a new
// iframe of the target (framed), or navigates the window there. It returns "" or why it could
// not: the top frame is no longer the launcher.
const launchScript = `(() => {
  const target = %s, framed = %t;
  if (!location.pathname.startsWith(%q)) return JSON.stringify("the tab shows " + location.href);
  if (!framed) { location.href = target; return JSON.stringify(""); }
  const f = document.createElement("iframe");
  f.loading = "eager";
  f.style.cssText = "border:0;width:100%%;height:100vh";
  f.src = target;
  document.body.replaceChildren(f);
  return JSON.stringify("");
})()`

// launchIn starts a navigation to target from the launcher of origin the tab shows, framed or
// by script, and reports whether it did; when it did not, the navigation loads a new launcher.
func (n *nav) launchIn(origin, target string, framed bool) bool {
	if n.t.stand != origin {
		return false
	}
	ctx, cancel := context.WithTimeout(n.ctx, n.t.opts.HopTimeout)
	defer cancel()
	js, _ := json.Marshal(target)
	world, err := n.t.world(ctx, n.main)
	if err != nil {
		return false
	}
	var problem string
	// No user gesture: the launcher's own page navigates as it loads, with none either.
	if err := n.t.evaluateIn(ctx, world, false, fmt.Sprintf(launchScript, js, framed, launchPath), &problem); err != nil || problem != "" {
		n.t.stand = ""
		return false
	}
	n.launched = true
	if !framed {
		n.t.stand = "" // the window leaves the launcher
		return true
	}
	// The new iframe is the launcher's only frame: its navigation is the one followed, and a
	// request of a frame that went with the old content is none of it.
	if res, err := cdp.Call(ctx, n.t.target, page.GetFrameTree, cdp.Empty{}); err == nil && res.FrameTree != nil && len(res.FrameTree.ChildFrames) == 1 {
		n.frame = res.FrameTree.ChildFrames[0].Frame.ID
	}
	return true
}

// unframe empties the launcher the tab shows for the next engine, its frames and whatever they
// were loading gone, and reports whether it did; else the tab must leave its page.
func (t *tab) unframe(ctx context.Context) bool {
	if t.stand == "" {
		return false
	}
	t.stand = ""
	if _, err := cdp.Call(ctx, t.target, page.StopLoading, cdp.Empty{}); err != nil {
		return false
	}
	world, err := t.world(ctx, cdp.FrameID(t.target.TargetID))
	if err != nil {
		return false
	}
	var origin string
	const empty = `(() => { if (!location.pathname.startsWith(%q)) return JSON.stringify(""); document.body.replaceChildren(); return JSON.stringify(location.origin); })()`
	if err := t.evaluateIn(ctx, world, false, fmt.Sprintf(empty, launchPath), &origin); err != nil || origin == "" {
		return false
	}
	res, err := cdp.Call(ctx, t.target, page.GetFrameTree, cdp.Empty{})
	if err != nil || res.FrameTree == nil || res.FrameTree.Frame == nil || len(res.FrameTree.ChildFrames) > 0 || launcherOrigin(res.FrameTree.Frame.URL) != origin {
		return false
	}
	t.stand = origin
	return true
}

// drop settles the events the tab queued outside any navigation: what the last page still
// asked for is refused, and nothing of it is kept.
func (t *tab) drop(ctx context.Context) {
	for _, ev := range t.take() {
		t.track(ev)
		if p, ok := ev.(*fetch.EventRequestPaused); ok {
			_, _ = cdp.Call(ctx, t.target, fetch.FailRequest, fetch.FailRequestParams{RequestID: p.RequestID, ErrorReason: network.ErrorReasonAborted})
		}
	}
}

// standOn leaves the tab's page for an empty launcher of origin, for the next engine, and
// reports whether it did. The launcher's request is answered here: no navigation is running.
func (t *tab) standOn(ctx context.Context, origin string) bool {
	u := origin + launchPath + nonce()
	t.stand = ""
	done := make(chan error, 1)
	go func() {
		_, err := cdp.Call(ctx, t.target, page.Navigate, page.NavigateParams{URL: u})
		done <- err
	}()
	for t.stand != origin {
		select {
		case <-ctx.Done():
			return false
		case err := <-done:
			if err != nil {
				return false
			}
			done = nil
		case <-t.signal:
			for _, ev := range t.take() {
				t.track(ev)
				p, ok := ev.(*fetch.EventRequestPaused)
				switch {
				case !ok:
				case p.Request.URL == u && p.ResponseStatusCode == 0:
					_, _ = cdp.Call(ctx, t.target, fetch.FulfillRequest, fetch.FulfillRequestParams{
						RequestID: p.RequestID, ResponseCode: http.StatusOK, Body: []byte(launcherPage("", true)),
						ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}},
					})
				default:
					_, _ = cdp.Call(ctx, t.target, fetch.FailRequest, fetch.FailRequestParams{RequestID: p.RequestID, ErrorReason: network.ErrorReasonAborted})
				}
			}
		}
	}
	return true
}
