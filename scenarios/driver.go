package scenarios

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// Options tune a run. The zero value is filled with the documented defaults.
type Options struct {
	// HopBudget is how long one hop should take (the within-budget checks). Default 5 s.
	HopBudget time.Duration
	// InstallBudget is how long a whole install should take. Default 30 s.
	InstallBudget time.Duration
	// HopTimeout is the hard deadline of one hop: past it the hop is an error. Default 15 s.
	HopTimeout time.Duration
	// ObserveWindow is how long after the endpoint's last response a late token request may
	// still arrive. Default 250 ms.
	ObserveWindow time.Duration
	// SlowExchange is how long the token endpoint stalls in the "too slow" provocation.
	// Default 8 s; the endpoint must still answer the browser within HopTimeout.
	SlowExchange time.Duration
	// Concurrency is how many scenarios run at once. Default 8.
	Concurrency int
	// Only and Skip select checks by ID pattern (see Match).
	Only, Skip []string
	// Strict makes SHOULD failures fail the run.
	Strict bool
	// Profile adds the listing checks under ProfileListing.
	Profile Profile
	// StateSamples is how many sign-ins the state-strength check compares. Default 3.
	StateSamples int
	// ThirdPartyCookies is the browser's policy in HubSpot's frame (Chrome's by default).
	ThirdPartyCookies browser.CookiePolicy
	// Engine makes the user's browser; nil means the http engine (scenarios/browser).
	Engine EngineFactory
	// TLSRootCAs are the certificate authorities every client of the run (the browsers, the
	// webhook sender, the listing probes) trusts for the app's https URLs; nil means the
	// system's roots.
	TLSRootCAs *x509.CertPool
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.HopBudget, 5*time.Second)
	def(&o.InstallBudget, 30*time.Second)
	def(&o.HopTimeout, 15*time.Second)
	def(&o.ObserveWindow, 250*time.Millisecond)
	def(&o.SlowExchange, 8*time.Second)
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.StateSamples < 2 {
		o.StateSamples = 3
	}
	if o.Profile == "" {
		o.Profile = ProfileDev
	}
	return o
}

// Harness is a running emulator: HubSpot's web and API side on one loopback listener.
type Harness struct {
	Emulator *emulator.Emulator
	// Addr is host:port of the listener; the browser resolves HubSpot's hosts there and the
	// endpoint under test sends its token requests there.
	Addr string
	srv  *http.Server
	done chan error

	mu       sync.Mutex
	fresh    map[net.Conn]bool // connections that have not sent a request yet
	stopping bool
}

// URL is the emulator's base URL, the API base an app under test is configured with.
func (h *Harness) URL() string { return "http://" + h.Addr }

// StartHarness starts an emulator with cfg on addr ("127.0.0.1:0" for any free port).
func StartHarness(cfg emulator.Config, addr string) (*Harness, error) {
	em, err := emulator.New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		em.Close()
		return nil, fmt.Errorf("start the emulator on %s: %w (is another hsemu running? choose another with --addr)", addr, err)
	}
	h := &Harness{
		Emulator: em,
		Addr:     ln.Addr().String(),
		srv: &http.Server{
			Handler:           em,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       60 * time.Second,
		},
		done:  make(chan error, 1),
		fresh: map[net.Conn]bool{},
	}
	h.srv.ConnState = h.track
	go func() { h.done <- h.srv.Serve(ln) }()
	return h, nil
}

// track remembers connections that have not sent a request yet. http.Server.Shutdown waits up
// to 5 s for such connections, and HTTP clients leave them behind routinely (a connection
// dialled for a request that another, idle one then served).
func (h *Harness) track(c net.Conn, s http.ConnState) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch s {
	case http.StateNew:
		if h.stopping {
			c.Close()
			return
		}
		h.fresh[c] = true
	default:
		delete(h.fresh, c)
	}
}

// Close stops the listener and the emulator. Requests under way get 5 s to finish.
func (h *Harness) Close() error {
	h.mu.Lock()
	h.stopping = true
	for c := range h.fresh {
		c.Close()
	}
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := h.srv.Shutdown(ctx)
	if serr := <-h.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if cerr := h.Emulator.Close(); err == nil {
		err = cerr
	}
	return err
}

// Runner runs the catalogue against targets on a harness.
type Runner struct {
	Harness *Harness
	Options Options
	// Sink receives every event of the run, from many goroutines, in order per scenario. It
	// must not block for long. Nil drops them.
	Sink func(Event)
}

// Run runs every selected scenario against every target and returns the report. Scenarios run
// concurrently, each with its own portal, codes and browser; solo scenarios (those that must
// attribute token requests that carry no code) run afterwards, one at a time.
func (r *Runner) Run(ctx context.Context, targets []Target) (*RunReport, error) {
	if r.Harness == nil {
		return nil, errors.New("scenarios: Runner has no Harness")
	}
	opts := r.Options.withDefaults()
	var sinkMu sync.Mutex
	sink := func(e Event) {
		if r.Sink == nil {
			return
		}
		sinkMu.Lock()
		defer sinkMu.Unlock()
		r.Sink(e)
	}

	for i := range targets {
		if err := targets[i].ValidateFor(opts); err != nil {
			return nil, fmt.Errorf("target %s: %w", targets[i].label(), err)
		}
		app, err := r.Harness.Emulator.AddApp(registeredApp(targets[i]))
		if err != nil {
			return nil, fmt.Errorf("target %s: register the app with the emulator: %w", targets[i].label(), err)
		}
		targets[i].App = app
	}

	catalogue := Catalogue(opts.Profile)
	checks := Select(catalogue, opts.Only, opts.Skip)
	type job struct {
		target   Target
		scenario Scenario
		checks   []Check
	}
	var jobs []job
	for _, t := range targets {
		for _, sc := range Scenarios() {
			if !sc.Applies(t, opts) {
				continue
			}
			var cs []Check
			for _, c := range checks {
				if c.Scenario == sc.ID {
					cs = append(cs, c)
				}
			}
			if len(cs) > 0 {
				jobs = append(jobs, job{t, sc, cs})
			}
		}
	}

	started := time.Now()
	var names []string
	for _, t := range targets {
		names = append(names, t.label())
	}
	decided := map[string]bool{}
	total := 0
	for _, j := range jobs {
		total += len(j.checks)
		for _, c := range j.checks {
			decided[c.ID] = true
		}
	}
	var selected []Check
	for _, c := range checks {
		if decided[c.ID] {
			selected = append(selected, c)
		}
	}
	sink(RunStarted{At: started, Targets: names, Checks: selected, Results: total})

	events, cancel := r.Harness.Emulator.Subscribe()
	defer cancel()
	disp := newDispatcher(sink, r.Harness.Emulator.LastSeq)
	dctx, dcancel := context.WithCancel(ctx)
	defer dcancel()
	go disp.run(dctx, events)

	var (
		mu      sync.Mutex
		results []Result
	)
	runJob := func(j job) {
		s := newSession(ctx, r.Harness, disp, opts, j.target, j.scenario, sink)
		sink(ScenarioStarted{At: time.Now(), Target: j.target.label(), Scenario: string(j.scenario.ID), Checks: ids(j.checks)})
		begin := time.Now()
		err := s.run()
		dur := time.Since(begin)
		s.obs.API = disp.api.seen(r.Harness.URL(), begin)
		for _, c := range j.checks {
			out := judge(c, s.obs, err)
			res := Result{Target: j.target.label(), Check: c, Outcome: out, Duration: dur, Transcript: s.obs.Hops}
			sink(CheckDone{Result: res})
			mu.Lock()
			results = append(results, res)
			mu.Unlock()
		}
		sink(ScenarioDone{Target: j.target.label(), Scenario: string(j.scenario.ID), Duration: dur, Err: err})
	}

	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for _, j := range jobs {
		if j.scenario.Solo {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(j job) {
			defer wg.Done()
			defer func() { <-sem }()
			runJob(j)
		}(j)
	}
	wg.Wait()
	for _, j := range jobs {
		if j.scenario.Solo {
			runJob(j)
		}
	}

	order := map[string]int{}
	for i, c := range catalogue {
		order[c.ID] = i
	}
	sort.SliceStable(results, func(a, b int) bool {
		if results[a].Target != results[b].Target {
			return results[a].Target < results[b].Target
		}
		return order[results[a].Check.ID] < order[results[b].Check.ID]
	})
	rep := &RunReport{
		SchemaVersion: SchemaVersion,
		Started:       started,
		Finished:      time.Now(),
		Targets:       names,
		Strict:        opts.Strict,
		Profile:       opts.Profile,
		Results:       results,
	}
	sink(RunDone{Report: rep})
	return rep, ctx.Err()
}

// judge turns a scenario's observation into a check's outcome. A scenario that broke decides
// its checks as errors: a check that did not run never passes.
func judge(c Check, o *Observation, runErr error) Outcome {
	if runErr != nil {
		var skipErr *skipError
		if errors.As(runErr, &skipErr) {
			return skip(skipErr.why)
		}
		return errored(runErr.Error())
	}
	if out, ok := setupProblem(c, o); ok {
		return out
	}
	if c.Judge == nil {
		return errored("check " + c.ID + " has no judge")
	}
	if err := unreachable(o); err != nil {
		return errored("could not reach the endpoint, so nothing could be judged: " + err.Error() + " (is it running, and is the URL right?)")
	}
	out := c.Judge(o)
	if out.Status == Pending || out.Status == Running {
		return errored("check " + c.ID + " was not decided")
	}
	return out
}

// unreachable returns the first error of a step that never reached the endpoint at all: the
// connection was refused or the host name did not resolve. That is the harness's (or the
// setup's) problem, not a finding; a connection reset mid-answer is a finding and stays one.
func unreachable(o *Observation) error {
	for _, st := range o.Steps {
		var dns *net.DNSError
		if st.Err != nil && (errors.Is(st.Err, syscall.ECONNREFUSED) || errors.As(st.Err, &dns)) {
			return st.Err
		}
	}
	return nil
}

// skipError ends a scenario whose checks cannot apply; they are reported as skipped.
type skipError struct{ why string }

func (e *skipError) Error() string { return e.why }

func ids(cs []Check) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// registeredApp is the app as the emulator should know it: the target's, with the install URL
// among the redirect URLs (HubSpot binds the marketplace code to the listing's redirect URL).
func registeredApp(t Target) emulator.App {
	app := t.App
	has := false
	for _, u := range app.RedirectURLs {
		if u == t.InstallURL {
			has = true
		}
	}
	if !has && t.InstallURL != "" {
		app.RedirectURLs = append(append([]string(nil), app.RedirectURLs...), t.InstallURL)
	}
	if len(app.RequiredScopes) == 0 {
		app.RequiredScopes = []string{"oauth"}
	}
	if app.Distribution == "" {
		app.Distribution = "marketplace"
	}
	if app.AuthType == "" {
		app.AuthType = "oauth"
	}
	return app
}
