package scenarios

import (
	"context"
	"sync"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
)

// isTokenRequest reports whether e redeems a code or refreshes a token on one of HubSpot's
// token endpoints (hubspot.IsTokenPath).
func isTokenRequest(e emulator.Event) bool {
	return e.Method == "POST" && hubspot.IsTokenPath(e.Path)
}

// dispatcher reads the emulator's events once and hands each to the scenario that owns it:
// token requests by the code they present. Requests that name no known code (no code at all,
// or one nobody minted) are orphans; only solo scenarios, which run alone, claim them.
type dispatcher struct {
	mu      sync.Mutex
	byCode  map[string]*watch
	orphans []emulator.Event
	sink    func(Event)
	owners  map[string][2]string // code -> target, scenario (for Traffic events)
	lastSeq func() uint64        // the emulator's newest event (emulator.LastSeq)
	seen    uint64               // the Seq of the newest event delivered
	moved   chan struct{}        // closed and replaced whenever seen moves
	api     apiLog               // the API side's requests, for the set-up checks (setup.go)
}

// watch collects the token requests for one code.
type watch struct {
	events []emulator.Event
}

// newDispatcher is made right after subscribing: events published before the subscription
// never arrive, so they count as seen.
func newDispatcher(sink func(Event), lastSeq func() uint64) *dispatcher {
	d := &dispatcher{
		byCode:  map[string]*watch{},
		sink:    sink,
		owners:  map[string][2]string{},
		lastSeq: lastSeq,
		moved:   make(chan struct{}),
	}
	if lastSeq != nil {
		d.seen = lastSeq()
	}
	return d
}

// run consumes events until the channel closes or ctx ends.
func (d *dispatcher) run(ctx context.Context, events <-chan emulator.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-events:
			if !ok {
				return
			}
			d.deliver(e)
		}
	}
}

func (d *dispatcher) deliver(e emulator.Event) {
	d.api.add(e)
	d.mu.Lock()
	if e.Seq > d.seen {
		d.seen = e.Seq
		close(d.moved)
		d.moved = make(chan struct{})
	}
	owner := [2]string{}
	if isTokenRequest(e) {
		if w, ok := d.byCode[e.Code]; ok && e.Code != "" {
			w.events = append(w.events, e)
			owner = d.owners[e.Code]
		} else if e.GrantType != "refresh_token" && e.GrantType != "client_credentials" {
			d.orphans = append(d.orphans, e)
		}
	}
	d.mu.Unlock()
	if d.sink != nil {
		d.sink(Traffic{Event: e, Target: owner[0], Scenario: owner[1]})
	}
}

// expect registers a code minted for a scenario, before the browser carries it anywhere.
func (d *dispatcher) expect(code, target, scenario string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.byCode[code]; !ok {
		d.byCode[code] = &watch{}
	}
	d.owners[code] = [2]string{target, scenario}
}

// exchanges returns the token requests for code seen by the end of the observe window that
// starts now: docs/checks.md's "no token request for that code reaches the emulator before the
// endpoint's last response, nor within a short observe window after it". It waits on events,
// never sleeps in a loop.
func (d *dispatcher) exchanges(ctx context.Context, code string, window time.Duration) []emulator.Event {
	waitWindow(ctx, window)
	return d.exchangesSoFar(ctx, code)
}

// exchangesSoFar returns the token requests for code the emulator has answered so far, without
// waiting for a window: the caller has waited it (Session.observeLate).
func (d *dispatcher) exchangesSoFar(ctx context.Context, code string) []emulator.Event {
	d.catchUp(ctx)
	d.mu.Lock()
	defer d.mu.Unlock()
	if w, ok := d.byCode[code]; ok {
		return append([]emulator.Event(nil), w.events...)
	}
	return nil
}

// orphanMark is a position in the orphan list.
func (d *dispatcher) orphanMark() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.orphans)
}

// orphansSince waits the observe window and returns the orphans that arrived after mark.
func (d *dispatcher) orphansSince(ctx context.Context, mark int, window time.Duration) []emulator.Event {
	waitWindow(ctx, window)
	d.catchUp(ctx)
	d.mu.Lock()
	defer d.mu.Unlock()
	if mark > len(d.orphans) {
		return nil
	}
	return append([]emulator.Event(nil), d.orphans[mark:]...)
}

// catchUp waits until the dispatcher has received every event the emulator published so far.
// The emulator publishes a request's event before its client can read the answer, so after
// catchUp no token request answered before the call can be missing, however loaded the machine.
func (d *dispatcher) catchUp(ctx context.Context) {
	if d.lastSeq == nil {
		return
	}
	want := d.lastSeq()
	for {
		d.mu.Lock()
		seen, moved := d.seen, d.moved
		d.mu.Unlock()
		if seen >= want {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-moved:
		}
	}
}

// waitWindow waits for the observe window or ctx, whichever ends first. This is the one place
// hsemu waits for time itself: the window is how long a late token request may take to arrive.
func waitWindow(ctx context.Context, window time.Duration) {
	if window <= 0 {
		return
	}
	t := time.NewTimer(window)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
