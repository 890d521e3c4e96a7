package scenarios

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
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
	// Concurrency is how many scenarios run at once, and how many of Repeat's installs are in
	// flight at once. Default 8.
	Concurrency int
	// Repeat, above 1, adds the concurrent-installs scenario: that many normal installs at once,
	// each in its own portal (concurrent_scripts.go). Default 1: the scenario does not run.
	Repeat int
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
	if o.Repeat < 1 {
		o.Repeat = 1
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
		return nil, fmt.Errorf("start the emulator: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		_ = em.Close() // it never served; the listen error is the one to report
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
			_ = c.Close() // it sent no request: nothing is lost, and no one to tell
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
		_ = c.Close() // it sent no request: nothing is lost, and no one to tell
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

// Run runs every selected scenario against every target and returns the report. Before a
// scenario first uses a target URL, one preflight connection checks that something answers
// there in the URL's scheme; when nothing does, the scenario's checks are one set-up error
// instead of a run. Scenarios run concurrently, each with its own portal, codes and browser;
// solo scenarios (those that must attribute token requests that carry no code) run afterwards,
// one at a time; the crash-prone ones (the robust probes) run last, one at a time in catalogue
// order. When a request goes unanswered, a health probe of the install URL's origin decides
// whether the endpoint is down: the crash-prone scenario that brought it down fails naming the
// request, and the scenarios after it do not run (their checks are "endpoint down" errors).
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
	if opts.Repeat > 1 && opts.Profile != ProfileListing {
		// The dev catalogue leaves the concurrent installs' checks out; --repeat adds them.
		catalogue = append(catalogue, slices.Concat(seamlessConcurrentChecks(), partnerConcurrentChecks())...)
	}
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

	// One preflight per target URL: an endpoint nothing answers at is one set-up error, not a
	// failure of every check.
	pre := &preflights{done: map[string]*Outcome{}}
	health := newHealth()

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
	record := func(j job, out func(Check) Outcome, dur time.Duration, hops []HopRecord) {
		for _, c := range j.checks {
			res := Result{Target: j.target.label(), Check: c, Outcome: out(c), Duration: dur, Transcript: hops}
			sink(CheckDone{Result: res})
			mu.Lock()
			results = append(results, res)
			mu.Unlock()
		}
	}
	// runJob runs a job's scenario and judges its checks; it returns the observation.
	runJob := func(j job) *Observation {
		s := newSession(ctx, r.Harness, disp, opts, j.target, j.scenario, sink)
		sink(ScenarioStarted{At: time.Now(), Target: j.target.label(), Scenario: string(j.scenario.ID), Checks: ids(j.checks)})
		begin := time.Now()
		err := s.run()
		dur := time.Since(begin)
		s.obs.API = disp.api.seen(r.Harness.URL(), begin)
		decide := func(c Check) Outcome { return judge(c, s.obs, err) }
		if !j.scenario.CrashProne {
			health.suspect(s.obs)
		}
		if j.scenario.CrashProne {
			if crash := crashed(ctx, s.obs, opts); crash != nil {
				health.markDown(j.target, crash)
				decide = func(c Check) Outcome { return crash.verdict(judge(c, s.obs, err)) }
			}
		}
		record(j, decide, dur, s.obs.Hops)
		sink(ScenarioDone{Target: j.target.label(), Scenario: string(j.scenario.ID), Duration: dur, Err: err})
		return s.obs
	}
	// skipJob decides a job's checks without running its scenario: the set-up is wrong, or the
	// endpoint is down.
	skipJob := func(j job, out Outcome) {
		sink(ScenarioStarted{At: time.Now(), Target: j.target.label(), Scenario: string(j.scenario.ID), Checks: ids(j.checks)})
		record(j, func(Check) Outcome { return out }, 0, nil)
		sink(ScenarioDone{Target: j.target.label(), Scenario: string(j.scenario.ID)})
	}
	// blocked is the outcome of a job that must not run, if it must not.
	blocked := func(j job) (Outcome, bool) {
		if p, ok := pre.check(ctx, j.target, j.scenario.Group, opts); ok {
			return p, true
		}
		if d := health.down(j.target); d != nil {
			return d.downOutcome(), true
		}
		return Outcome{}, false
	}

	// Normal scenarios run concurrently; solo ones then run alone; the crash-prone probes run
	// last, one at a time in catalogue order, so a crash affects only what follows it.
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for _, j := range jobs {
		if j.scenario.Solo || j.scenario.CrashProne {
			continue
		}
		if out, ok := blocked(j); ok {
			skipJob(j, out)
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
	for _, phase := range []func(Scenario) bool{
		func(sc Scenario) bool { return sc.Solo && !sc.CrashProne },
		func(sc Scenario) bool { return sc.CrashProne },
	} {
		health.recheck(ctx, opts)
		for _, j := range jobs {
			if !phase(j.scenario) {
				continue
			}
			if out, ok := blocked(j); ok {
				skipJob(j, out)
				continue
			}
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
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("interrupted: %w", err)
	}
	return rep, nil
}

// judge turns a scenario's observation into a check's outcome. A scenario that broke decides
// its checks as errors: a check that did not run never passes. A pass stands only on evidence:
// when a request of the scenario got no complete answer from the endpoint (a reset, an EOF,
// bytes that are not HTTP, a TLS failure, a timeout), the judge's pass becomes a failure naming
// that request.
func judge(c Check, o *Observation, runErr error) Outcome {
	if runErr != nil {
		var skipErr *skipError
		if errors.As(runErr, &skipErr) {
			return withCause(skip(skipErr.why), o)
		}
		return errored(runErr.Error())
	}
	if out, ok := setupProblem(c, o); ok {
		return out
	}
	if c.Judge == nil {
		return errored("check " + c.ID + " has no judge")
	}
	out := c.Judge(o)
	if out.Status == Pending || out.Status == Running {
		return errored("check " + c.ID + " was not decided")
	}
	if h, ok := unreachable(o); ok && !decidedBefore(out, h.Seq) {
		return Outcome{
			Status: Error, Cause: CauseDown,
			Got: "the endpoint stopped accepting connections during the scenario, so nothing could be judged: " + h.Err.Error(),
			Fix: "Keep the endpoint running for the whole run (see the check that failed before this one for what brought it down), then run again.",
		}
	}
	why, seq := passWithoutEvidence(o)
	switch {
	case why == "":
	case out.Status == Pass:
		f := fail("a complete HTTP answer to every request the check is judged on", why+" (a check passes only on what the endpoint answered)")
		if seq > 0 {
			f.Hops = []int{seq}
		}
		return f
	}
	return withCause(out, o)
}

// withCause adds to a verdict the judge reached without an answer what the endpoint did to the
// request that went unanswered: the first cause, not only its consequence ("no token request
// reached HubSpot", "the step never ran").
func withCause(out Outcome, o *Observation) Outcome {
	if out.Status == Pass || out.Cause != CauseEndpoint {
		return out
	}
	if why, _ := passWithoutEvidence(o); why != "" && !strings.Contains(out.Got, why) {
		out.Got += " [" + why + "]"
	}
	return out
}

// unreachable returns the first hop whose request to the target's own URLs found nothing
// accepting connections (refused, or a host name that does not resolve). The preflight rules
// that out at the start, so mid-run it means the endpoint went down. A redirect to some other
// host that cannot be reached is the endpoint sending the browser there: the judges decide it
// as a failure.
func unreachable(o *Observation) (HopRecord, bool) {
	origins := targetOrigins(o.Target)
	for _, st := range o.Steps {
		h, ok := brokenHop(st)
		if !ok || !origins[originKey(h.URL)] {
			continue
		}
		var dns *net.DNSError
		if errors.Is(h.Err, syscall.ECONNREFUSED) || errors.As(h.Err, &dns) {
			return h, true
		}
	}
	return HopRecord{}, false
}

// decidedBefore reports whether out is a failure the evidence decided before hop seq: every hop
// it cites came earlier. Such a verdict stands whatever happened to the endpoint afterwards.
func decidedBefore(out Outcome, seq int) bool {
	if out.Status != Fail || out.Cause != CauseEndpoint || len(out.Hops) == 0 {
		return false
	}
	for _, h := range out.Hops {
		if h >= seq {
			return false
		}
	}
	return true
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
