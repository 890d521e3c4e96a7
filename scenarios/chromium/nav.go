package chromium

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"

	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// phase is where a navigation stands; each phase has its own deadline.
type phase int

const (
	starting   phase = iota // no hop yet: the first request must come within the hop timeout
	fetching                // a request is out: its response must come within the hop timeout
	redirected              // a redirect was released: its target must be requested within the hop timeout
	loading                 // a page was released: it loads, for at most the hop timeout
	settling                // the page loaded: it stays for Config.Settle, or navigates again
)

// nav is one Navigate or Submit: it follows the events of the tab until the page settles.
type nav struct {
	t      *tab
	ctx    context.Context
	cancel context.CancelFunc
	bc     browser.Context
	first  browser.How // the How of the first hop

	launcher, launcherHTML string // the engine's own page of the ancestor or opener

	main  cdp.FrameID // the tab's main frame
	frame cdp.FrameID // the frame followed; "" until the framed page's first request

	hops     []browser.Hop
	seen     map[string]int // request identity → index of its hop, for loops
	pending  map[fetch.RequestID]*browser.Hop
	started  map[fetch.RequestID]time.Time
	statuses map[fetch.RequestID]int
	extra    map[network.RequestID]network.Headers
	extraRes map[network.RequestID]network.Headers
	nextHow  browser.How       // from the last Page.frameRequestedNavigation of the frame
	launched bool              // the engine's own page was served: a framed page's request may come
	document network.RequestID // the network ID of the last hop Chromium went on to load
	blocked  string            // why Chromium refused to show the last hop's page, if it did

	phase  phase
	timer  *time.Timer
	last   *browser.Page // the last response
	result *browser.Page
	err    error
	done   bool
}

func (t *tab) newNav(ctx context.Context, bc browser.Context, first browser.How) *nav {
	nctx, cancel := context.WithCancel(ctx)
	n := &nav{
		t: t, ctx: nctx, cancel: cancel, bc: bc, first: first,
		main:     cdp.FrameID(t.target.TargetID),
		seen:     map[string]int{},
		pending:  map[fetch.RequestID]*browser.Hop{},
		started:  map[fetch.RequestID]time.Time{},
		statuses: map[fetch.RequestID]int{},
		extra:    map[network.RequestID]network.Headers{},
		extraRes: map[network.RequestID]network.Headers{},
		timer:    time.NewTimer(t.opts.HopTimeout),
	}
	if !bc.Framed {
		n.frame = n.main
	}
	// Whatever the last page still asks for is settled first: its subresources go on, a
	// navigation it starts this late is dropped.
	for _, ev := range t.take() {
		n.stale(ev)
	}
	return n
}

// run follows the tab's events until the navigation ends.
func (n *nav) run() (*browser.Page, error) {
	defer n.cancel()
	defer n.timer.Stop()
	for !n.done {
		select {
		case <-n.ctx.Done():
			n.fail(fmt.Errorf("the navigation was stopped: %w", context.Cause(n.ctx)), nil)
		case <-n.t.ctx.Done():
			// The tab is gone (the pool closed, Chromium exited): no event will come.
			n.fail(fmt.Errorf("chromium closed the engine's tab: %w", context.Cause(n.t.ctx)), nil)
		case <-n.t.signal:
			for _, ev := range n.t.take() {
				if n.done {
					n.stale(ev)
				} else {
					n.handle(ev)
				}
			}
		case <-n.timer.C:
			n.expired()
		}
	}
	if n.err != nil {
		if n.last != nil {
			n.last.Hops = n.hops
		}
		return n.last, n.err
	}
	return n.result, nil
}

// enter moves to phase p and sets its deadline.
func (n *nav) enter(p phase) {
	n.phase = p
	d := n.t.opts.HopTimeout
	if p == settling {
		d = n.t.pool.cfg.Settle
	}
	n.timer.Reset(d)
}

// expired handles the deadline of the current phase.
func (n *nav) expired() {
	switch n.phase {
	case starting:
		n.fail(fmt.Errorf("chromium did not start the navigation within %s (the hop timeout): %w", n.t.opts.HopTimeout, browser.ErrHopTimeout), nil)
	case fetching, redirected:
		where := "the next request"
		if len(n.hops) > 0 {
			where = "hop " + fmt.Sprint(n.hops[len(n.hops)-1].Seq+1)
		}
		for id, h := range n.pending {
			where = fmt.Sprintf("hop %d: %s %s", n.t.seq+1, h.Method, h.URL.Redacted())
			call(n, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonTimedOut})
		}
		n.fail(fmt.Errorf("%s: no complete response within %s (the hop timeout); the endpoint must answer each browser request promptly: %w", where, n.t.opts.HopTimeout, browser.ErrHopTimeout), nil)
	default: // loading or settling: the page stays
		n.finish()
	}
}

// handle processes one event of the tab.
func (n *nav) handle(ev any) {
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSentExtraInfo:
		n.extra[ev.RequestID] = ev.Headers
	case *network.EventResponseReceivedExtraInfo:
		n.extraRes[ev.RequestID] = ev.Headers
	case *page.EventFrameRequestedNavigation:
		if ev.FrameID == n.frame {
			n.nextHow = howFor(ev.Reason)
		}
	case *page.EventFrameStoppedLoading:
		if ev.FrameID == n.frame && n.phase == loading {
			n.enter(settling)
		}
	case *network.EventLoadingFailed:
		// A response Chromium refuses to show (X-Frame-Options, CSP frame-ancestors, CORP…)
		// fails its load with ERR_BLOCKED_BY_RESPONSE after the response stage; the frame then
		// shows an error page that never navigates. The navigation settles from here rather
		// than waiting for the error page's own load events.
		if ev.RequestID == n.document && ev.Type == network.ResourceTypeDocument && n.phase == loading && isBlocked(ev) {
			n.blocked = ev.ErrorText
			if ev.BlockedReason != "" {
				n.blocked += ", blocked reason " + string(ev.BlockedReason)
			}
			n.enter(settling)
		}
	case *fetch.EventRequestPaused:
		if ev.ResponseStatusCode != 0 || ev.ResponseErrorReason != "" {
			n.response(ev)
		} else {
			n.request(ev)
		}
	}
}

// stale settles an event that arrived outside any navigation.
func (n *nav) stale(ev any) {
	p, ok := ev.(*fetch.EventRequestPaused)
	if !ok {
		return
	}
	if p.ResourceType == network.ResourceTypeDocument && p.ResponseStatusCode == 0 && p.ResponseErrorReason == "" {
		call(n, fetch.FailRequest, fetch.FailRequestParams{RequestID: p.RequestID, ErrorReason: network.ErrorReasonAborted})
		return
	}
	n.pass(p)
}

// pass lets a request that is no hop go on: to the emulator for HubSpot's hosts, else out.
func (n *nav) pass(ev *fetch.EventRequestPaused) {
	u, err := requestURL(ev.Request)
	if err == nil && ev.ResponseStatusCode == 0 && ev.ResponseErrorReason == "" && n.t.opts.HubSpotAddr != "" && hubspot.IsHubSpotHost(u.Host) {
		resp, body, err := n.fetchHubSpot(ev, u, "")
		if err != nil {
			call(n, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonFailed})
			return
		}
		n.fulfill(ev.RequestID, resp.StatusCode, resp.Header, body)
		return
	}
	call(n, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
}

// request handles a request at the request stage: the engine's own page, a hop, or a request
// that is no hop.
func (n *nav) request(ev *fetch.EventRequestPaused) {
	if n.launcher != "" && ev.Request.URL == n.launcher {
		n.launched = true
		n.fulfill(ev.RequestID, http.StatusOK, http.Header{"Content-Type": {"text/html; charset=utf-8"}}, []byte(n.launcherHTML))
		return
	}
	if !n.isHop(ev) {
		n.pass(ev)
		return
	}
	n.frame = ev.FrameID
	u, err := requestURL(ev.Request)
	if err != nil {
		call(n, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
		n.fail(fmt.Errorf("hop %d: chromium asked for %q, which is not a valid URL: %w", n.t.seq+1, ev.Request.URL, err), nil)
		return
	}
	hop := browser.Hop{Context: n.bc, How: n.how(ev), Method: ev.Request.Method, URL: u, RequestHeader: headerOf(ev.Request.Headers)}
	hop.RequestBody = postData(ev.Request)
	n.nextHow = ""

	if n.t.opts.StopAt != nil && n.t.opts.StopAt(u) {
		call(n, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
		hop.Stopped = true
		n.record(hop)
		n.result = &browser.Page{URL: u, Stopped: true, Hops: n.hops, Context: n.bc}
		n.done = true
		return
	}
	if len(n.hops) >= n.t.opts.MaxHops {
		call(n, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
		n.fail(n.tooManyHops(hop))
		return
	}
	cookie := n.cookieHeader(u)
	key := hop.Method + " " + u.String() + "\x00" + cookie + "\x00" + string(hop.RequestBody)
	if i, ok := n.seen[key]; ok {
		call(n, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
		n.fail(n.loopError(i, hop, fmt.Errorf("hop %d would repeat hop %d with the same cookies", n.t.seq+1, n.hops[i].Seq)))
		return
	}
	n.seen[key] = len(n.hops)

	if n.t.opts.HubSpotAddr != "" && hubspot.IsHubSpotHost(u.Host) {
		n.hubSpotHop(ev, hop, cookie)
		return
	}
	n.pending[ev.RequestID] = &hop
	n.started[ev.RequestID] = time.Now()
	call(n, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
	n.enter(fetching)
}

// isHop reports whether a paused request is a navigation of the followed frame (or, framed,
// the frame's first one; or the top-level page, should the framed page replace it).
func (n *nav) isHop(ev *fetch.EventRequestPaused) bool {
	if ev.ResourceType != network.ResourceTypeDocument {
		return false
	}
	switch {
	case n.frame != "" && ev.FrameID == n.frame:
		return true
	case n.bc.Framed && n.frame == "" && n.launched && ev.FrameID != n.main:
		return true // the iframe of the engine's own page
	case n.bc.Framed && ev.FrameID == n.main && len(n.hops) > 0:
		return true // the framed page took over the top level
	}
	return false
}

// how says what made the browser ask for a hop.
func (n *nav) how(ev *fetch.EventRequestPaused) browser.How {
	switch {
	case ev.RedirectedRequestID != "":
		return browser.HowRedirect(n.statuses[ev.RedirectedRequestID])
	case len(n.hops) == 0:
		return n.first
	case n.phase == redirected && len(n.hops) > 0:
		return browser.HowRedirect(n.hops[len(n.hops)-1].Status)
	case n.nextHow != "":
		return n.nextHow
	}
	return browser.HowNavigate
}

// howFor maps Chromium's reason for a navigation to a hop's How.
func howFor(r page.ClientNavigationReason) browser.How {
	switch r {
	case page.ClientNavigationReasonMetaTagRefresh:
		return browser.HowMetaRefresh
	case page.ClientNavigationReasonHTTPHeaderRefresh:
		return browser.HowRefreshHeader
	case page.ClientNavigationReasonFormSubmissionGet, page.ClientNavigationReasonFormSubmissionPost:
		return browser.HowFormSubmit
	case page.ClientNavigationReasonScriptInitiated:
		return HowScript
	}
	return browser.HowNavigate
}

// hubSpotHop fetches a hop to one of HubSpot's hosts from the emulator and fulfills it.
func (n *nav) hubSpotHop(ev *fetch.EventRequestPaused, hop browser.Hop, cookie string) {
	start := time.Now()
	resp, body, err := n.fetchHubSpot(ev, hop.URL, cookie)
	hop.Duration = time.Since(start)
	if cookie != "" {
		hop.RequestHeader.Set("Cookie", cookie)
	}
	redactCookies(&hop)
	if err != nil {
		call(n, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonFailed})
		hop.Err = err
		n.record(hop)
		n.fail(err, nil)
		return
	}
	n.responded(&hop, resp.StatusCode, resp.Header, body)
	n.statuses[ev.RequestID] = resp.StatusCode
	n.document, n.blocked = "", ""
	n.fulfill(ev.RequestID, resp.StatusCode, resp.Header, body)
	n.released(hop)
}

// fetchHubSpot makes the request of ev to the emulator: plain http to HubSpotAddr with the
// original Host and X-Forwarded-Proto, under the hop timeout, its body capped.
func (n *nav) fetchHubSpot(ev *fetch.EventRequestPaused, u *url.URL, cookie string) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(n.ctx, n.t.opts.HopTimeout)
	defer cancel()
	wire := *u
	wire.Scheme, wire.Host, wire.User, wire.Fragment = "http", n.t.opts.HubSpotAddr, nil, ""
	req, err := http.NewRequestWithContext(ctx, ev.Request.Method, wire.String(), bytes.NewReader(postData(ev.Request)))
	if err != nil {
		return nil, nil, fmt.Errorf("hop %d: cannot build the request for %s: %w", n.t.seq+1, u.Redacted(), err)
	}
	req.Header = headerOf(ev.Request.Headers)
	req.Host = u.Host
	req.Header.Set("X-Forwarded-Proto", u.Scheme)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := n.t.rt.RoundTrip(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("%w: %w", browser.ErrHopTimeout, err)
		}
		return nil, nil, fmt.Errorf("hop %d: %s %s (HubSpot, served by the emulator at %s): %w", n.t.seq+1, ev.Request.Method, u.Redacted(), n.t.opts.HubSpotAddr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, n.t.opts.BodyLimit))
	if err != nil {
		return nil, nil, fmt.Errorf("hop %d: reading the body of %s: %w", n.t.seq+1, u.Redacted(), err)
	}
	return resp, body, nil
}

// response handles a hop's response at the response stage: it records the hop and lets
// Chromium go on with it.
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
	n.responded(hop, status, header, body)
	n.statuses[ev.RequestID] = status
	n.document, n.blocked = ev.NetworkID, ""
	call(n, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
	n.released(*hop)
}

// responded fills a hop with its response and records it.
func (n *nav) responded(hop *browser.Hop, status int, header http.Header, body []byte) {
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
	*hop = n.record(*hop)
	n.last = &browser.Page{URL: hop.URL, Status: status, Header: header, Body: hop.Body, Truncated: hop.Truncated, Context: n.bc}
}

// released moves on once a hop's response went to Chromium: a redirect leads to its target,
// a page loads.
func (n *nav) released(hop browser.Hop) {
	if isRedirect(hop.Status) && hop.ResponseHeader.Get("Location") != "" {
		n.enter(redirected)
		return
	}
	n.enter(loading)
}

// record numbers a hop over the engine's life, keeps it and streams it to OnHop.
func (n *nav) record(hop browser.Hop) browser.Hop {
	n.t.seq++
	hop.Seq = n.t.seq
	n.hops = append(n.hops, hop)
	if n.t.opts.OnHop != nil {
		n.t.opts.OnHop(hop)
	}
	return hop
}

// fail ends the navigation with a *browser.NavError.
func (n *nav) fail(err error, cycle []string) {
	n.err = &browser.NavError{Hops: n.hops, Cycle: cycle, Err: err}
	n.done = true
}

// finish ends a navigation on the page it settled on, reading the page from the frame.
func (n *nav) finish() {
	n.done = true
	if n.last == nil {
		n.fail(fmt.Errorf("chromium loaded no page"), nil)
		return
	}
	p := n.last
	p.Hops = n.hops
	n.readPage(p)
	n.t.frame, n.t.last = n.frame, p
	n.result = p
}

// call runs a command that returns nothing on the tab, under the hop timeout. Its error is
// dropped: a request that cannot be continued or failed any more is gone with its page.
func call[P any](n *nav, c cdp.Command[P, cdp.Empty], p P) {
	ctx, cancel := context.WithTimeout(n.ctx, n.t.opts.HopTimeout)
	defer cancel()
	_, _ = cdp.Call(ctx, n.t.target, c, p)
}

// fulfill answers a paused request with a response the engine made.
func (n *nav) fulfill(id fetch.RequestID, status int, header http.Header, body []byte) {
	var hs []*fetch.HeaderEntry
	for k, vs := range header {
		for _, v := range vs {
			hs = append(hs, &fetch.HeaderEntry{Name: k, Value: v})
		}
	}
	ctx, cancel := context.WithTimeout(n.ctx, n.t.opts.HopTimeout)
	defer cancel()
	_, _ = cdp.Call(ctx, n.t.target, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: id, ResponseCode: int64(status), ResponseHeaders: hs, Body: body})
}

// cookieHeader is the Cookie header Chromium holds for u (Network.getCookies), in the order
// Chromium gives them.
func (n *nav) cookieHeader(u *url.URL) string {
	ctx, cancel := context.WithTimeout(n.ctx, n.t.opts.HopTimeout)
	defer cancel()
	res, err := cdp.Call(ctx, n.t.target, network.GetCookies, network.GetCookiesParams{URLs: []string{u.String()}})
	if err != nil {
		return ""
	}
	var parts []string
	for _, c := range res.Cookies {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// loopError reports the cycle from the hop at index i back to hop's URL.
func (n *nav) loopError(i int, hop browser.Hop, why error) (error, []string) {
	var cycle, shown []string
	for _, h := range n.hops[i:] {
		cycle = append(cycle, h.URL.String())
		shown = append(shown, h.URL.Redacted())
	}
	cycle = append(cycle, hop.URL.String())
	shown = append(shown, hop.URL.Redacted())
	return fmt.Errorf("%w: the browser went %s … (%w); the endpoint must send the browser on, in the end back to HubSpot's returnUrl",
		browser.ErrLoop, strings.Join(shown, " → "), why), cycle
}

// tooManyHops reports a navigation that hit MaxHops; a URL that came back with other cookies
// is still a loop.
func (n *nav) tooManyHops(hop browser.Hop) (error, []string) {
	for i, h := range n.hops {
		if h.Method == hop.Method && h.URL.String() == hop.URL.String() {
			return n.loopError(i, hop, fmt.Errorf("the cookies changed on every pass, so it ran into the limit of %d hops: %w", n.t.opts.MaxHops, browser.ErrTooManyHops))
		}
	}
	return fmt.Errorf("%w: the navigation from %s did not end within %d hops (next: %s); each redirect, refresh or script navigation is a hop",
		browser.ErrTooManyHops, n.hops[0].URL.Redacted(), n.t.opts.MaxHops, hop.URL.Redacted()), nil
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

// requestURL is the full URL of a request, fragment included.
func requestURL(r *network.Request) (*url.URL, error) {
	return url.Parse(r.URL + r.URLFragment)
}

// headerOf turns DevTools headers into an http.Header (DevTools joins repeated headers with
// newlines).
func headerOf(h network.Headers) http.Header {
	out := http.Header{}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.HasPrefix(k, ":") { // HTTP/2 pseudo-headers
			continue
		}
		v, _ := h[k].(string)
		for _, line := range strings.Split(v, "\n") {
			out.Add(k, line)
		}
	}
	return out
}

// redactCookies keeps the names of the cookies sent and hides their values, as the http
// engine records them.
func redactCookies(hop *browser.Hop) {
	v := hop.RequestHeader.Get("Cookie")
	if v == "" {
		return
	}
	parts := strings.Split(v, "; ")
	hop.SentCookies = nil
	for i, p := range parts {
		name, _, _ := strings.Cut(p, "=")
		hop.SentCookies = append(hop.SentCookies, name)
		parts[i] = name + "=…"
	}
	hop.RequestHeader.Set("Cookie", strings.Join(parts, "; "))
}

// postData is a request's body as Chromium reports it.
func postData(r *network.Request) []byte {
	if !r.HasPostData {
		return nil
	}
	var b []byte
	for _, e := range r.PostDataEntries {
		b = append(b, e.Bytes...)
	}
	return b
}

// launcherPage is the engine's page at the ancestor's (or opener's) origin: an iframe of
// target, as HubSpot frames the install URL at step=finalize, or a script that sends the
// window to target, as a window HubSpot opened.
func launcherPage(target string, framed bool) string {
	if framed {
		return `<!doctype html><html><head><title>HubSpot</title></head><body style="margin:0">` +
			`<iframe loading="eager" src="` + html.EscapeString(target) + `" style="border:0;width:100%;height:100vh"></iframe></body></html>`
	}
	js, _ := json.Marshal(target) // escapes <, > and &
	return `<!doctype html><html><head><title>HubSpot</title></head><body><script>location.href = ` + string(js) + `;</script></body></html>`
}
