package chromium

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// This file holds the response stage of a navigation: recording a hop's response, and the
// errors a navigation ends with.

// response handles a hop's response at the response stage: it fills the hop and lets Chromium
// go on with it. The hop is recorded once Chromium reports the exchange's timing (or what
// became of the response), see heldHop.
func (n *nav) response(ev *fetch.EventRequestPaused) {
	hop, ok := n.pending[ev.RequestID]
	if !ok {
		n.pass(ev)
		return
	}
	delete(n.pending, ev.RequestID)
	hop.Duration = time.Since(n.started[ev.RequestID])
	if h, ok := n.extra[ev.NetworkID]; ok {
		hop.RequestHeader = headerOf(h)
	}
	redactCookies(hop)
	if ev.ResponseErrorReason != "" {
		call(n, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		hop.Err = fmt.Errorf("hop %d: %s %s: %s%s", n.t.seq+1, hop.Method, hop.URL.Redacted(), ev.ResponseErrorReason, errorAdvice(ev.ResponseErrorReason, hop.URL))
		n.script(hop, ev.NetworkID)
		n.record(*hop)
		n.fail(hop.Err, nil)
		return
	}
	header := http.Header{}
	for _, h := range ev.ResponseHeaders {
		header.Add(h.Name, h.Value)
	}
	// The Fetch domain leaves Set-Cookie out of the headers it pauses with; the raw headers
	// (Network.responseReceivedExtraInfo) have them.
	if raw, ok := n.extraRes[ev.NetworkID]; ok {
		if sc := headerOf(raw).Values("Set-Cookie"); len(sc) > 0 {
			header["Set-Cookie"] = sc
		}
	}
	status := int(ev.ResponseStatusCode)
	var body []byte
	if !isRedirect(status) {
		if res, err := cdp.Call(n.ctx, n.t.target, fetch.GetResponseBody, fetch.GetResponseBodyParams{RequestID: ev.RequestID}); err == nil {
			body = res.Body
		}
	}
	n.fill(hop, status, header, body)
	n.flush()
	n.held = &heldHop{hop: *hop, id: ev.NetworkID}
	n.statuses[ev.RequestID] = status
	n.document, n.blocked, n.refused = ev.NetworkID, "", ""
	call(n, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
	n.released(*hop)
}

// heldHop is a hop Chromium fetched, between its response stage and what Chromium reports
// next: the exchange's timing (Network.responseReceived, or the redirect's
// Network.requestWillBeSent), then the frame's commit or Chromium's refusal to display it.
type heldHop struct {
	hop browser.Hop
	id  network.RequestID
}

// timed takes the hop's Duration from Chromium's timing of the exchange: from the first
// network phase (DNS, connect, else sending the request) to the end of the response headers,
// which leaves out the DevTools interception's round trips that the wall clock would count.
func (h *heldHop) timed(t *network.ResourceTiming) {
	if t == nil || t.ReceiveHeadersEnd <= 0 {
		return
	}
	start := t.SendStart // the phases before it report -1 when they did not happen
	for _, s := range []float64{t.ConnectStart, t.DNSStart} {
		if s >= 0 && s < start {
			start = s
		}
	}
	if start < 0 || start > t.ReceiveHeadersEnd {
		start = 0
	}
	h.hop.Duration = time.Duration((t.ReceiveHeadersEnd - start) * float64(time.Millisecond))
}

// flush records the held hop, if any.
func (n *nav) flush() {
	h := n.held
	if h == nil {
		return
	}
	n.held = nil
	n.script(&h.hop, h.id)
	n.record(h.hop)
}

// script says on hop what the page's script did to start it: a script navigation, or a form
// submitted from script, with where in the script when Chromium reports it.
func (n *nav) script(hop *browser.Hop, id network.RequestID) {
	in := n.initiators[id]
	byScript := in != nil && in.Type == network.InitiatorTypeScript
	var what string
	switch {
	case hop.How == HowScript:
		what = "script navigated to "
	case hop.How == browser.HowFormSubmit && byScript && len(n.hops) > 0:
		what = "script submitted a form to "
	case hop.How == browser.HowNavigate && byScript && len(n.hops) > 0:
		what = "script navigated to "
	default:
		return
	}
	hop.Script = what + hop.URL.Redacted()
	if byScript && in.Stack != nil {
		for _, f := range in.Stack.CallFrames {
			if f.URL != "" {
				hop.Script += fmt.Sprintf(" (at %s:%d)", f.URL, f.LineNumber+1)
				break
			}
		}
	}
}

// fill fills a hop with its response and makes it the navigation's last page.
func (n *nav) fill(hop *browser.Hop, status int, header http.Header, body []byte) {
	hop.Status, hop.ResponseHeader = status, header
	if int64(len(body)) > n.t.opts.BodyLimit {
		body, hop.Truncated = body[:n.t.opts.BodyLimit], true
	}
	hop.Body = body
	for _, line := range header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			hop.RejectedCookies = append(hop.RejectedCookies, browser.RejectedCookie{Raw: line, Reason: "malformed: " + err.Error()})
			continue
		}
		hop.SetCookies = append(hop.SetCookies, c)
	}
	n.last = &browser.Page{URL: hop.URL, Status: status, Header: header, Body: hop.Body, Truncated: hop.Truncated, Context: n.bc}
}

// responded fills a hop with its response and records it.
func (n *nav) responded(hop *browser.Hop, status int, header http.Header, body []byte) {
	n.fill(hop, status, header, body)
	*hop = n.record(*hop)
}

// loopError reports the cycle from the hop at index i back to hop's URL.
func (n *nav) loopError(i int, hop browser.Hop, why error) (cycle []string, err error) {
	size := len(n.hops) - i + 1
	cycle, shown := make([]string, 0, size), make([]string, 0, size)
	for _, h := range n.hops[i:] {
		cycle = append(cycle, h.URL.String())
		shown = append(shown, h.URL.Redacted())
	}
	cycle = append(cycle, hop.URL.String())
	shown = append(shown, hop.URL.Redacted())
	return cycle, fmt.Errorf("%w: the browser went %s … (%w); the endpoint must send the browser on, in the end back to HubSpot's returnUrl",
		browser.ErrLoop, strings.Join(shown, " → "), why)
}

// tooManyHops reports a navigation that hit MaxHops; a URL that came back with other cookies
// is still a loop.
func (n *nav) tooManyHops(hop browser.Hop) (cycle []string, err error) {
	for i, h := range n.hops {
		if h.Method == hop.Method && h.URL.String() == hop.URL.String() {
			return n.loopError(i, hop, fmt.Errorf("the cookies changed on every pass, so it ran into the limit of %d hops: %w", n.t.opts.MaxHops, browser.ErrTooManyHops))
		}
	}
	return nil, fmt.Errorf("%w: the navigation from %s did not end within %d hops (next: %s); each redirect, refresh or script navigation is a hop",
		browser.ErrTooManyHops, n.hops[0].URL.Redacted(), n.t.opts.MaxHops, hop.URL.Redacted())
}

// errorAdvice explains a network error Chromium reported.
func errorAdvice(r network.ErrorReason, u *url.URL) string {
	switch r {
	case network.ErrorReasonConnectionRefused:
		return fmt.Sprintf(" (connection refused; is the endpoint running at %s?)", u.Host)
	case network.ErrorReasonTimedOut:
		return " (timed out; the endpoint must answer each browser request promptly)"
	case network.ErrorReasonNameNotResolved:
		return fmt.Sprintf(" (the name %s does not resolve)", u.Hostname())
	default: // the reason speaks for itself
		return ""
	}
}

// unfollowed ends a navigation whose redirect Chromium did not follow: it cancels the request
// instead (a redirect to http in HubSpot's https frame is mixed content, a URL with credentials
// may not be framed, a javascript: URL is no place to redirect to). The navigation ends on the
// redirect, which records why; the user sees nothing more.
func (n *nav) unfollowed(ev *network.EventLoadingFailed) {
	var loc *url.URL
	if n.last != nil {
		loc, _ = n.last.URL.Parse(n.last.Header.Get("Location"))
	}
	n.refused = "Chromium did not follow the redirect (" + loadFailure(ev) + ")" + refusalAdvice(loc, n.bc)
	n.endRefused(ev.RequestID, n.refused)
}

// endRefused records on the hop of request id what Chromium refused to do with it, and lets the
// page settle: nothing more of that hop will load.
func (n *nav) endRefused(id network.RequestID, why string) {
	if h := n.held; h != nil && h.id == id {
		h.hop.Blocked = why
	} else if len(n.hops) > 0 && n.hops[len(n.hops)-1].Blocked == "" {
		n.hops[len(n.hops)-1].Blocked = why
	}
	n.flush()
	n.enter(settling)
}

// loadFailure is Chromium's reason for a failed load.
func loadFailure(ev *network.EventLoadingFailed) string {
	if ev.BlockedReason != "" {
		return ev.ErrorText + ", blocked reason " + string(ev.BlockedReason)
	}
	return ev.ErrorText
}

// refusalAdvice says why a browser would not follow a redirect to loc, when it can tell.
func refusalAdvice(loc *url.URL, bc browser.Context) string {
	switch {
	case loc == nil:
		return ""
	case loc.Scheme != "http" && loc.Scheme != "https":
		return ": a " + loc.Scheme + ": URL is not followed from a redirect"
	case loc.User != nil:
		return ": a URL with credentials (user@host) is not loaded in a frame"
	case bc.Framed && loc.Scheme == "http" && strings.HasPrefix(bc.Ancestor, "https:") && !browser.PotentiallyTrustworthy(loc):
		return ": an http page in HubSpot's https frame is blocked as mixed content"
	}
	return ""
}

// isBlocked reports whether a failed load is Chromium refusing a response it received, rather
// than a network error or a navigation that replaced it.
func isBlocked(ev *network.EventLoadingFailed) bool {
	return ev.BlockedReason != "" || ev.ErrorText == "net::ERR_BLOCKED_BY_RESPONSE" || ev.ErrorText == "net::ERR_BLOCKED_BY_CSP"
}

// isRedirect reports whether a browser follows status with its Location (Fetch §2.2.6).
func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}
