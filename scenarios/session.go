package scenarios

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// The methods of *Session, in the session*.go files, are the one scripting API the scenarios
// use: open a URL in a browser (session_browser.go), play HubSpot's side of an install — mint a
// code, finalize, sign in, fault the token endpoint (session_install.go) — and record steps and
// hops (this file). What only one group of checks needs is a function in that group's
// *_scripts.go file, built on these.

// Session runs one scenario against one target: its own portal, codes and browsers.
type Session struct {
	ctx    context.Context
	h      *Harness
	disp   *dispatcher
	opts   Options
	target Target
	sc     Scenario
	sink   func(Event)
	portal emulator.Portal
	obs    *Observation

	mu      sync.Mutex
	current *Step
	seq     int
	engines []Engine // the browsers the scenario made, closed when it ends
	late    []*Step  // the steps whose observe window is still open (crash-prone scenarios: observeLate)
}

func newSession(ctx context.Context, h *Harness, d *dispatcher, opts Options, t Target, sc Scenario, sink func(Event)) *Session {
	return &Session{
		ctx: ctx, h: h, disp: d, opts: opts, target: t, sc: sc, sink: sink,
		obs: &Observation{Target: t, Scenario: sc.ID, Options: opts, Secrets: []string{t.App.ClientSecret}},
	}
}

// run runs the scenario's script in a portal of its own, within the install's deadline.
func (s *Session) run() error {
	s.obs.Started = time.Now()
	defer func() { s.obs.Duration = time.Since(s.obs.Started) }()
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.InstallBudget+2*s.opts.HopTimeout+s.opts.SlowExchange)
	defer cancel()
	s.ctx = ctx
	p, err := s.h.Emulator.CreatePortal(emulator.Portal{Hublet: hubletOf(s.sc.ID)})
	if err != nil {
		return fmt.Errorf("create a portal for the install: %w", err)
	}
	s.portal = p
	defer s.closeEngines()
	return s.sc.Run(s)
}

// scenarioHublets is each catalogue scenario's portal hublet: HubSpot's hublets in turn, in the
// catalogue's order, so the returnUrls of a run come on every app host an endpoint must accept
// (app.hubspot.com and app-<hublet>.hubspot.com), each scenario always on the same one.
var scenarioHublets = sync.OnceValue(func() map[ScenarioID]string {
	m := map[ScenarioID]string{}
	for i, sc := range Scenarios() {
		m[sc.ID] = hubspot.Hublets[i%len(hubspot.Hublets)]
	}
	return m
})

// hubletOf is the hublet of scenario id's portal: its turn in the catalogue, or na1 (the
// default, app.hubspot.com) for a scenario not in it.
func hubletOf(id ScenarioID) string {
	if h, ok := scenarioHublets()[id]; ok {
		return h
	}
	return hubspot.DefaultHublet
}

// closeEngines hands back what the scenario's browsers hold (a real browser's tabs) at once,
// rather than when they are garbage.
func (s *Session) closeEngines() {
	s.mu.Lock()
	engines := s.engines
	s.engines = nil
	s.mu.Unlock()
	for _, e := range engines {
		closeEngine(e)
	}
}

// closeEngine hands back what a browser holds, when it holds anything (a real browser's tab).
func closeEngine(e Engine) {
	if c, ok := e.(io.Closer); ok {
		_ = c.Close() // the browser is done with: nothing is left to report about it
	}
}

// Done hands back a browser the scenario has finished with: a real browser's tab goes back to
// the pool for the next browser at once, rather than when the scenario ends.
func (s *Session) Done(b Engine) {
	s.mu.Lock()
	s.engines = slices.DeleteFunc(s.engines, func(e Engine) bool { return e == b })
	s.mu.Unlock()
	closeEngine(b)
}

// Options returns the run's options.
func (s *Session) Options() Options { return s.opts }

// Target returns the target under test.
func (s *Session) Target() Target { return s.target }

// Observation returns what the session saw so far.
func (s *Session) Observation() *Observation { return s.obs }

// Context is the scenario's context: it ends at the install deadline or when the run is cancelled.
func (s *Session) Context() context.Context { return s.ctx }

// Portal is the portal the scenario installs into.
func (s *Session) Portal() emulator.Portal { return s.portal }

// Emulator is HubSpot's side of the scenario.
func (s *Session) Emulator() *emulator.Emulator { return s.h.Emulator }

// HTTPClient is a plain client for requests that are not the browser's (webhook deliveries,
// TLS probes): no redirects followed, the hop timeout as its deadline.
func (s *Session) HTTPClient() *http.Client {
	return &http.Client{
		Timeout:       s.opts.HopTimeout,
		Transport:     tlsTransport(s.opts.TLSRootCAs), // --ca-file (nil: the default transport)
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Step begins step name: opening rawURL in context bc, or, for a step that is not a browser
// navigation (a webhook delivery, a TLS probe), no URL in browser.TopLevel. Every hop recorded
// until done is called belongs to it.
func (s *Session) Step(name StepName, bc browser.Context, rawURL string) (st *Step, done func()) {
	st = &Step{Name: name, Context: bc, URL: rawURL, Started: time.Now()}
	s.mu.Lock()
	s.current = st
	s.obs.Steps = append(s.obs.Steps, st)
	s.mu.Unlock()
	return st, func() {
		st.Duration = time.Since(st.Started)
		s.mu.Lock()
		if s.current == st {
			s.current = nil
		}
		s.mu.Unlock()
	}
}

// recordHop records a hop in the current step and the observation, and streams it. Every
// browser of the session calls it (browser.Options.OnHop); so do requests that are not the
// browser's (webhook deliveries).
func (s *Session) recordHop(h browser.Hop) {
	s.mu.Lock()
	s.seq++
	h.Seq = s.seq
	rec := HopRecord{Scenario: string(s.sc.ID), Hop: h}
	if s.current != nil {
		rec.Step = string(s.current.Name)
		s.current.Hops = append(s.current.Hops, rec)
	}
	s.obs.Hops = append(s.obs.Hops, rec)
	s.mu.Unlock()
	if s.sink != nil {
		s.sink(HopDone{Target: s.target.label(), Hop: rec})
	}
}
