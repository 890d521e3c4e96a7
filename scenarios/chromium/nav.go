package chromium

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// phase is where a navigation stands; each phase has its own deadline.
type phase int

const (
	starting   phase = iota // no hop yet: the first request must come within the hop timeout
	fetching                // a request is out: its response must come within the hop timeout
	redirected              // a redirect was released: its target must be requested within the hop timeout
	loading                 // a page was released: it loads, for at most the hop timeout
	settling                // the page loaded: it ends once quiet (see settle), or navigates again
	requested               // the loaded page asked for a navigation: its request must come within the hop timeout
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
	refused  string            // why Chromium did not follow the last hop's redirect, if it did not
	held     *heldHop          // a hop fetched by Chromium, recorded once its timing is known

	initiators map[network.RequestID]*network.Initiator // who asked for each document request
	refresh    bool                                     // the loaded page has a refresh (or a timer) still to fire

	phase    phase
	activity int // counts the events that move the page's deadline (see quietTurn)
	world    struct {
		id    cdpruntime.ExecutionContextID
		frame cdp.FrameID
		at    int // the activity when it was made
	} // the isolated world the engine's last script ran in (see evaluate)
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

		initiators: map[network.RequestID]*network.Initiator{},
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
	n.activity++
	if p == settling {
		// A page Chromium refused to show, or a redirect it did not follow, runs nothing.
		n.refresh = n.last != nil && n.blocked == "" && n.refused == "" && (n.refreshPending() || n.timerPending())
		n.settle()
		return
	}
	n.timer.Reset(n.t.opts.HopTimeout)
}

// settle sets the deadline of a loaded page, anew after each network event: a refresh still to
// fire is waited for (its delay and the hop timeout); a request still out, for at most the hop
// timeout; then the network must stay idle for Config.Quiet.
func (n *nav) settle() {
	if n.phase != settling {
		return
	}
	n.activity++
	switch {
	case n.refresh:
		// The deadline was set when the refresh was found; a network event does not move it.
	case len(n.t.inflight) > 0:
		n.timer.Reset(n.t.opts.HopTimeout)
	default:
		n.timer.Reset(n.t.pool.cfg.Quiet)
	}
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
	case settling:
		if n.quietTurn() {
			n.finish()
		}
	default: // loading or requested: the page stays
		n.finish()
	}
}

// turnScript resolves once the frame's event loop has run the tasks queued before it: the
// timers a page's script set with no delay, and their promises.
const turnScript = `new Promise(r => setTimeout(() => r(JSON.stringify("")), 0))`

// quietTurn reports whether a page whose network was quiet for Config.Quiet has settled: the
// frame's event loop is asked to run one more turn (turnScript), and what its page did until
// then is handled. A page on a busy machine has its turn late, and is waited for: the quiet
// period need not outlast the scheduling of a task. It returns false when the page went on
// (a request, a navigation), whose deadlines are then set.
func (n *nav) quietTurn() bool {
	before := n.activity
	ctx, cancel := context.WithTimeout(n.ctx, n.t.opts.HopTimeout)
	var ok string
	_ = n.evaluate(ctx, turnScript, &ok) // a frame that cannot run scripts has nothing to wait for
	cancel()
	for _, ev := range n.t.take() {
		if n.done {
			n.stale(ev)
		} else {
			n.handle(ev)
		}
	}
	return !n.done && n.phase == settling && n.activity == before
}

// handle processes one event of the tab.
func (n *nav) handle(ev any) {
	n.t.track(ev)
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSentExtraInfo:
		n.extra[ev.RequestID] = ev.Headers
	case *network.EventResponseReceivedExtraInfo:
		n.extraRes[ev.RequestID] = ev.Headers
	case *network.EventRequestWillBeSent:
		if ev.Type == network.ResourceTypeDocument && ev.Initiator != nil {
			n.initiators[ev.RequestID] = ev.Initiator
		}
		if h := n.held; h != nil && ev.RequestID == h.id && ev.RedirectResponse != nil {
			h.timed(ev.RedirectResponse.Timing)
			n.flush()
		}
		n.settle()
	case *network.EventResponseReceived:
		if h := n.held; h != nil && ev.RequestID == h.id && ev.Response != nil {
			h.timed(ev.Response.Timing)
		}
	case *network.EventLoadingFinished:
		n.settle()
	case *page.EventFrameNavigated:
		// The frame committed the hop's page: nothing more will be learnt about that hop.
		if ev.Frame != nil && ev.Frame.ID == n.frame && ev.Frame.UnreachableURL == "" {
			n.flush()
			if n.frame != n.main {
				n.partitioned(ev.Frame)
			}
		}
	case *page.EventFrameRequestedNavigation:
		if ev.FrameID == n.frame {
			n.nextHow = howFor(ev.Reason)
			if n.phase == loading || n.phase == settling {
				n.enter(requested)
			}
		}
	case *page.EventNavigatedWithinDocument:
		// The navigation asked for stayed in the document (a fragment, history.pushState): no
		// request comes, the page settles again.
		if ev.FrameID == n.frame && n.phase == requested {
			n.enter(settling)
		}
	case *page.EventFrameStoppedLoading:
		if ev.FrameID == n.frame && n.phase == loading {
			n.flush()
			n.enter(settling)
		}
	case *network.EventLoadingFailed:
		if ev.RequestID == n.document && ev.Type == network.ResourceTypeDocument && n.phase == redirected {
			n.unfollowed(ev)
			return
		}
		// A response Chromium refuses to show (X-Frame-Options, CSP frame-ancestors, CORP…)
		// fails its load with ERR_BLOCKED_BY_RESPONSE after the response stage; the frame then
		// shows an error page that never navigates. The navigation settles from here rather
		// than waiting for the error page's own load events.
		if ev.RequestID == n.document && ev.Type == network.ResourceTypeDocument && n.phase == loading && isBlocked(ev) {
			n.blocked = loadFailure(ev)
			n.endRefused(ev.RequestID, n.blocked)
			return
		}
		n.settle()
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
	n.t.track(ev)
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

// released moves on once a hop's response went to Chromium: a redirect leads to its target,
// a page loads.
func (n *nav) released(hop browser.Hop) {
	if isRedirect(hop.Status) && hop.ResponseHeader.Get("Location") != "" {
		n.enter(redirected)
		return
	}
	n.enter(loading)
}

// record numbers a hop over the engine's life, keeps it and streams it to OnHop. A hop held for
// its timing is recorded first.
func (n *nav) record(hop browser.Hop) browser.Hop {
	n.flush()
	// The requests of the page before are done with: only the new page's count for its settling.
	clear(n.t.inflight)
	n.t.visited(hop.URL)
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
	n.flush()
	n.err = &browser.NavError{Hops: n.hops, Cycle: cycle, Err: err}
	n.done = true
}

// finish ends a navigation on the page it settled on, reading the page from the frame.
func (n *nav) finish() {
	n.flush()
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
	n.screenshot()
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
