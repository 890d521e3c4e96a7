package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/chromium"
	"github.com/hsemu/hsemu/scenarios/chromium/chromiumtest"
)

// TestAgreement runs the reference and every broken variant that meets a browser (all but the
// webhook receiver's) under both engines, the http engine and Chromium, and holds that they
// agree wherever the http engine can decide (a pass or a failure; not a skip, nor an error of
// the engine):
//
//   - a check the http engine passed or failed has the same verdict under Chromium, unless the
//     variant declares the difference (reference.Bug.Browser, with its reason);
//   - under Chromium each variant fails exactly its BrowserFails and errs on nothing, so the
//     single-page apps, which the http engine cannot decide, pass everything there;
//   - under the http engine each variant fails exactly its Fails and errs exactly on its Errors,
//     each an error of the engine.
//
// To stay within CI's time, only the single-page apps run their flow's whole catalogue; every
// other variant runs the scenarios that hold its declared checks (agreementChecks). One Chromium
// serves the whole test. The variants run a bounded number at a time on goroutines of the test's
// own (t.Parallel would allow only GOMAXPROCS of them, and they mostly wait), then each is judged
// in its subtest.
func TestAgreement(t *testing.T) {
	t.Parallel() // Chromium's CPU beside the other tests' waits
	pool := agreementPool(t)
	started := time.Now()
	bugs := []reference.Bug{{}}
	for _, b := range reference.Bugs() {
		// The webhook receiver meets no browser: HubSpot's deliveries are server to server, so
		// both engines would run the same requests.
		if b.Flow != reference.FlowWebhooks {
			bugs = append(bugs, b)
		}
	}
	runs := make([]agreementRuns, len(bugs))
	atMost(agreementConcurrency, len(bugs), func(i int) { runs[i] = runBothEngines(pool, bugs[i]) })
	t.Logf("%d variant(s) under both engines in %s wall", len(bugs), time.Since(started).Round(time.Millisecond))
	for i, bug := range bugs {
		name := bug.Name
		if name == "" {
			name = "reference"
		}
		t.Run(name, func(t *testing.T) { judgeAgreement(t, bug, runs[i]) })
	}
}

// agreementConcurrency is how many variants run at once, each under both engines: they mostly
// wait (observe windows, stalled token endpoints, Chromium's page loads).
const agreementConcurrency = 8

// agreementRuns are one variant's verdicts under each engine, or why they could not be had.
type agreementRuns struct {
	viaHTTP, viaChromium map[resultKey]scenarios.Result
	took                 time.Duration
	err                  error
}

// runBothEngines runs bug ("" for the reference) under the http engine and Chromium at once.
func runBothEngines(pool *chromium.Pool, bug reference.Bug) agreementRuns {
	opts := inprocess.TestOptions()
	// Chromium shares the machine with the variants' servers: give the reference's token
	// exchange more room (it gives up at 3/8 of SlowExchange) than TestMatrix needs, so no
	// verdict turns on a starved exchange.
	opts.SlowExchange = 4 * time.Second
	opts.Only = agreementChecks(bug)
	if slices.ContainsFunc(bug.Fails, func(id string) bool { return strings.HasSuffix(id, "/concurrent") }) {
		opts.Repeat = 8 // as TestMatrix: a mix-up between installs bites only when they overlap
	}
	inBrowser := pool.Options(opts) // as chromium.Run runs a catalogue in Chromium
	began := time.Now()
	var (
		r          agreementRuns
		errH, errC error
		wg         sync.WaitGroup
	)
	wg.Go(func() { r.viaHTTP, errH = agreementRun(bug, opts) })
	wg.Go(func() { r.viaChromium, errC = agreementRun(bug, inBrowser) })
	wg.Wait()
	r.took, r.err = time.Since(began), errors.Join(errH, errC)
	return r
}

// judgeAgreement holds one variant's verdicts under both engines against each other and against
// what the variant declares.
func judgeAgreement(t *testing.T, bug reference.Bug, r agreementRuns) {
	if r.err != nil {
		t.Fatal(r.err)
	}
	viaHTTP, viaChromium := r.viaHTTP, r.viaChromium
	t.Logf("%d result(s) per engine in %s", len(viaHTTP), r.took.Round(time.Millisecond))

	// Under the http engine: exactly Fails, and exactly Errors, each the engine's.
	var failed, errs []string
	for _, res := range viaHTTP {
		switch res.Outcome.Status {
		case scenarios.Fail:
			failed = append(failed, res.Check.ID)
		case scenarios.Error:
			errs = append(errs, res.Check.ID)
			if res.Outcome.Cause != scenarios.CauseEngine {
				t.Errorf("http: %s (%s): error not of the engine (cause %q): %s", res.Check.ID, res.Target, res.Outcome.Cause, res.Outcome.Got)
			}
		}
	}
	sameSet(t, "http: failed", failed, bug.Fails)
	sameSet(t, "http: undecided", errs, bug.Errors)

	// Under Chromium: exactly BrowserFails, no error.
	failed = nil
	for _, res := range viaChromium {
		switch res.Outcome.Status {
		case scenarios.Fail:
			failed = append(failed, res.Check.ID)
		case scenarios.Error:
			t.Errorf("chromium: %s (%s): error (cause %q): %s", res.Check.ID, res.Target, res.Outcome.Cause, res.Outcome.Got)
		}
	}
	sameSet(t, "chromium: failed", failed, bug.BrowserFails())

	// Where the http engine decided, Chromium agrees, or the variant says why not.
	declared := map[string]bool{}
	if bug.Browser != nil {
		for _, id := range symmetricDifference(bug.Fails, bug.Browser.Fails) {
			declared[id] = true
		}
	}
	for key, h := range viaHTTP {
		if h.Outcome.Status != scenarios.Pass && h.Outcome.Status != scenarios.Fail {
			continue // skipped, or undecided by the engine: nothing to agree with
		}
		c, ok := viaChromium[key]
		switch {
		case !ok:
			t.Errorf("%s (%s): %s under http, not run under chromium", key.check, key.target, h.Outcome.Status)
		case c.Outcome.Status != h.Outcome.Status && !declared[key.check]:
			t.Errorf("%s (%s): the engines disagree: http %s (%s), chromium %s (%s)", key.check, key.target,
				h.Outcome.Status, h.Outcome.Got, c.Outcome.Status, c.Outcome.Got)
		}
	}
}

// resultKey names one verdict of a run.
type resultKey struct{ target, check string }

// agreementRun runs bug's targets with opts on a harness of its own and returns the verdicts.
func agreementRun(bug reference.Bug, opts scenarios.Options) (map[resultKey]scenarios.Result, error) {
	engine := chromium.EngineHTTP
	if opts.Engine != nil {
		engine = chromium.EngineChromium
	}
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer h.Close()
	all, stop, err := inprocess.StartReference(h, bug.Name, opts)
	if err != nil {
		return nil, err
	}
	defer stop()
	var targets []scenarios.Target
	for _, tg := range all {
		if bug.Flow == "" || string(tg.Flows[0]) == bug.Flow {
			targets = append(targets, tg)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := (&scenarios.Runner{Harness: h, Options: opts}).Run(ctx, targets)
	if err != nil {
		return nil, fmt.Errorf("%s engine: %w", engine, err)
	}
	out := make(map[resultKey]scenarios.Result, len(rep.Results))
	for _, res := range rep.Results {
		out[resultKey{res.Target, res.Check.ID}] = res
	}
	return out, nil
}

// agreementChecks selects what bug runs ("" the whole catalogue, on its flow's targets):
//
//   - the whole catalogue for a variant a real browser passes entirely (Browser with no Fails:
//     the single-page apps);
//   - the normal installs for the reference and the variants that declare nothing (their
//     verdicts everywhere else are TestMatrix's, and the reference's whole catalogue under
//     Chromium is scenarios/chromium's TestReferenceInstallFlows);
//   - else every check of the scenarios that hold the checks the variant declares.
func agreementChecks(bug reference.Bug) []string {
	if bug.Browser != nil && len(bug.Browser.Fails) == 0 {
		return nil
	}
	held := map[scenarios.ScenarioID]bool{}
	declared := slices.Concat(bug.Fails, bug.Errors, bug.BrowserFails())
	for _, id := range declared {
		if c, ok := scenarios.Lookup(id); ok {
			held[c.Scenario] = true
		}
	}
	if len(held) == 0 {
		for _, id := range normalInstalls {
			held[id] = true
		}
	}
	var only []string
	for _, c := range scenarios.Catalogue(scenarios.ProfileDev) {
		if held[c.Scenario] {
			only = append(only, c.ID)
		}
	}
	for _, id := range declared {
		// The concurrent installs' checks are outside the dev catalogue (--repeat adds them).
		if c, ok := scenarios.Lookup(id); ok && !slices.Contains(only, id) && held[c.Scenario] {
			only = append(only, id)
		}
	}
	return only
}

// normalInstalls are the scenarios of a normal install in each flow with a browser.
var normalInstalls = []scenarios.ScenarioID{"seamless/install", "partner/install", "connect/install"}

// sameSet reports got and want differing as sets.
func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := dedupSorted(got), dedupSorted(want)
	if !slices.Equal(g, w) {
		t.Errorf("%s = %v; want %v", what, g, w)
	}
}

func dedupSorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// symmetricDifference is the IDs in exactly one of a and b.
func symmetricDifference(a, b []string) []string {
	var out []string
	for _, id := range a {
		if !slices.Contains(b, id) {
			out = append(out, id)
		}
	}
	for _, id := range b {
		if !slices.Contains(a, id) {
			out = append(out, id)
		}
	}
	return out
}

// agreementPool starts the test's one Chromium, closed when the test ends. Without Chromium the
// test is skipped, naming how to install it (apt-get install chromium); under CI=true it fails.
func agreementPool(t *testing.T) *chromium.Pool {
	t.Helper()
	chromiumtest.Need(t)
	pool, err := chromium.NewPool(context.Background(), chromium.Config{})
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	t.Cleanup(func() { _ = pool.Close() })
	return pool
}
