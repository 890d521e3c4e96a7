package scenarios

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"sort"
	"sync"
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

	if err := ValidateSelection(opts); err != nil {
		return nil, err
	}
	catalogue := CatalogueFor(opts)
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

	// The scenarios that mostly wait start first: the run ends when its longest scenario does.
	sort.SliceStable(jobs, func(a, b int) bool { return jobs[a].scenario.Waits && !jobs[b].scenario.Waits })

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
	// startJob runs a job's scenario as far as its last answer: the crash-prone probes are then
	// checked for a crash, before any scenario after them starts. The returned finish waits the
	// observe window the scenario left open (Session.observeLate) and judges its checks.
	startJob := func(j job) (finish func()) {
		s := newSession(ctx, r.Harness, disp, opts, j.target, j.scenario, sink)
		sink(ScenarioStarted{At: time.Now(), Target: j.target.label(), Scenario: string(j.scenario.ID), Checks: ids(j.checks)})
		begin := time.Now()
		err := s.run()
		var crash *crash
		if j.scenario.CrashProne {
			if crash = crashed(ctx, s.obs, opts); crash != nil {
				health.markDown(j.target, crash)
			}
		}
		return func() {
			s.observeLate(ctx)
			dur := time.Since(begin)
			s.obs.API = disp.api.seen(r.Harness.URL(), begin)
			decide := func(c Check) Outcome { return judge(c, s.obs, err) }
			if !j.scenario.CrashProne {
				health.suspect(s.obs)
			}
			if crash != nil {
				decide = func(c Check) Outcome { return crash.verdict(judge(c, s.obs, err)) }
			}
			record(j, decide, dur, s.obs.Hops)
			sink(ScenarioDone{Target: j.target.label(), Scenario: string(j.scenario.ID), Duration: dur, Err: err})
		}
	}
	runJob := func(j job) { startJob(j)() }
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
			if j.scenario.Solo {
				runJob(j) // its observe windows attribute token requests by time: nothing overlaps them
				continue
			}
			// A crash-prone probe's requests are sent one scenario at a time, so a crash is
			// pinned on one request; its observe window (token requests carry their code) runs on
			// while the next probe goes.
			finish := startJob(j)
			wg.Add(1)
			go func() {
				defer wg.Done()
				finish()
			}()
		}
		wg.Wait()
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
