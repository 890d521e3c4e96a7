package chromium

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"

	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// This file holds the request stage of a navigation: which paused requests are hops, and
// hops to HubSpot's hosts, which the emulator answers.

// pass lets a request that is no hop go on: to the emulator for HubSpot's hosts, else out.
func (n *nav) pass(ev *fetch.EventRequestPaused) {
	u, err := requestURL(ev.Request)
	if err == nil && ev.ResponseStatusCode == 0 && ev.ResponseErrorReason == "" && n.t.opts.HubSpotAddr != "" && hubspot.IsHubSpotHost(u.Host) {
		resp, err := n.fetchHubSpot(ev, u, "")
		if err != nil {
			call(n, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonFailed})
			return
		}
		n.fulfill(ev.RequestID, resp.status, resp.header, resp.body)
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
		// The endpoint's first request comes once Chromium has loaded this page (in a new
		// renderer, on a loaded machine): it gets its own hop timeout.
		n.timer.Reset(n.t.opts.HopTimeout)
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
		n.script(&hop, ev.NetworkID)
		n.record(hop)
		n.result = &browser.Page{URL: u, Stopped: true, Hops: n.hops, Context: n.bc}
		n.done = true
		return
	}
	if len(n.hops) >= n.t.opts.MaxHops {
		call(n, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
		cycle, err := n.tooManyHops(hop)
		n.fail(err, cycle)
		return
	}
	cookie := n.cookieHeader(u)
	key := hop.Method + " " + u.String() + "\x00" + cookie + "\x00" + string(hop.RequestBody)
	if i, ok := n.seen[key]; ok {
		call(n, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonAborted})
		cycle, err := n.loopError(i, hop, fmt.Errorf("hop %d would repeat hop %d with the same cookies", n.t.seq+1, n.hops[i].Seq))
		n.fail(err, cycle)
		return
	}
	n.seen[key] = len(n.hops)

	if n.t.opts.HubSpotAddr != "" && hubspot.IsHubSpotHost(u.Host) {
		n.script(&hop, ev.NetworkID)
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
	default: // anchor clicks, reloads, a frame's first navigation and the rest
		return browser.HowNavigate
	}
}

// hubSpotHop fetches a hop to one of HubSpot's hosts from the emulator and fulfills it.
func (n *nav) hubSpotHop(ev *fetch.EventRequestPaused, hop browser.Hop, cookie string) {
	start := time.Now()
	resp, err := n.fetchHubSpot(ev, hop.URL, cookie)
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
	n.responded(&hop, resp.status, resp.header, resp.body)
	n.statuses[ev.RequestID] = resp.status
	n.document, n.blocked, n.refused = "", "", ""
	n.fulfill(ev.RequestID, resp.status, resp.header, resp.body)
	n.released(hop)
}

// fetchHubSpot makes the request of ev to the emulator: plain http to HubSpotAddr with the
// original Host and X-Forwarded-Proto, under the hop timeout, its body capped.
func (n *nav) fetchHubSpot(ev *fetch.EventRequestPaused, u *url.URL, cookie string) (*served, error) {
	ctx, cancel := context.WithTimeout(n.ctx, n.t.opts.HopTimeout)
	defer cancel()
	wire := *u
	wire.Scheme, wire.Host, wire.User, wire.Fragment = "http", n.t.opts.HubSpotAddr, nil, ""
	req, err := http.NewRequestWithContext(ctx, ev.Request.Method, wire.String(), bytes.NewReader(postData(ev.Request)))
	if err != nil {
		return nil, fmt.Errorf("hop %d: cannot build the request for %s: %w", n.t.seq+1, u.Redacted(), err)
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
		return nil, fmt.Errorf("hop %d: %s %s (HubSpot, served by the emulator at %s): %w", n.t.seq+1, ev.Request.Method, u.Redacted(), n.t.opts.HubSpotAddr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, n.t.opts.BodyLimit))
	if err != nil {
		return nil, fmt.Errorf("hop %d: reading the body of %s: %w", n.t.seq+1, u.Redacted(), err)
	}
	return &served{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// served is the emulator's answer to a request for one of HubSpot's hosts, its body read.
type served struct {
	status int
	header http.Header
	body   []byte
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
