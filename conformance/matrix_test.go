package conformance_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// runVariant runs the catalogue against the reference with bug ("" = none), on the targets of
// the flow the bug breaks, and returns the report.
func runVariant(bug reference.Bug) (*scenarios.RunReport, error) {
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer h.Close()
	targets, stop, err := inprocess.StartReference(h, bug.Name, inprocess.TestOptions())
	if err != nil {
		return nil, err
	}
	defer stop()
	if bug.Flow != "" {
		var keep []scenarios.Target
		for _, tg := range targets {
			if string(tg.Flows[0]) == bug.Flow {
				keep = append(keep, tg)
			}
		}
		targets = keep
	}
	r := &scenarios.Runner{Harness: h, Options: inprocess.TestOptions()}
	if slices.ContainsFunc(bug.Fails, func(id string) bool { return strings.HasSuffix(id, "/concurrent") }) {
		// A mix-up between installs bites only when they overlap, and the normal scenarios
		// overlap by chance: the variant is decided on the concurrent installs alone.
		r.Options.Repeat, r.Options.Only = 8, bug.Fails
	}
	return r.Run(context.Background(), targets)
}

// matrixConcurrency is how many variants run at once. A variant's run mostly waits (observe
// windows, the stalled token endpoint, the slow variants' stalls: about 3 CPU-s for the whole
// matrix under -race), so more than GOMAXPROCS of them, which is all t.Parallel would allow.
const matrixConcurrency = 8

// runVariants runs each of bugs (a zero Bug is the reference), matrixConcurrency at a time.
func runVariants(bugs []reference.Bug) ([]*scenarios.RunReport, []error) {
	reps, errs := make([]*scenarios.RunReport, len(bugs)), make([]error, len(bugs))
	atMost(matrixConcurrency, len(bugs), func(i int) { reps[i], errs[i] = runVariant(bugs[i]) })
	return reps, errs
}

// atMost calls f(0) … f(n-1), at most limit at once, and returns when every call has.
func atMost(limit, n int, f func(i int)) {
	slots := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			f(i)
		})
	}
	wg.Wait()
}

// TestMatrix holds the whole matrix: the reference fails no check, and each broken variant fails
// exactly the checks its bug declares — proof that every check can fail, and only when it should.
// A variant errs only on the checks it declares in Errors, each an error of the engine (a page
// the http engine cannot decide), never of the endpoint. The variants run first, a few at a
// time; each is then judged in its subtest.
func TestMatrix(t *testing.T) {
	t.Parallel()
	bugs := append([]reference.Bug{{}}, reference.Bugs()...)
	reps, errs := runVariants(bugs)
	for i, bug := range bugs {
		name := bug.Name
		if name == "" {
			name = "reference"
		}
		t.Run(name, func(t *testing.T) {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if bug.Name == "" {
				judgeReference(t, reps[i])
				return
			}
			judgeVariant(t, bug, reps[i])
		})
	}
}

// judgeReference: the reference passes every check.
func judgeReference(t *testing.T, rep *scenarios.RunReport) {
	for _, res := range rep.Results {
		// The one check that does not apply to every flow: a seamless endpoint may ignore step.
		if res.Outcome.Status == scenarios.Skip && res.Check.ID == "robust/unknown-step-no-exchange" && res.Target == "reference seamless" {
			continue
		}
		if res.Outcome.Status != scenarios.Pass {
			t.Errorf("%s %s: %s, want pass: %s", res.Target, res.Check.ID, res.Outcome.Status, res.Outcome.Got)
		}
	}
}

// judgeVariant: the variant fails exactly its declared checks and errs exactly on its Errors.
func judgeVariant(t *testing.T, bug reference.Bug, rep *scenarios.RunReport) {
	var got, errs []string
	for _, res := range rep.Results {
		switch res.Outcome.Status {
		case scenarios.Fail:
			got = append(got, res.Check.ID)
		case scenarios.Error:
			errs = append(errs, res.Check.ID)
			if !slices.Contains(bug.Errors, res.Check.ID) || res.Outcome.Cause != scenarios.CauseEngine {
				t.Errorf("%s: error (cause %q): %s", res.Check.ID, res.Outcome.Cause, res.Outcome.Got)
			}
		}
	}
	for _, id := range bug.Errors {
		if !slices.Contains(errs, id) {
			t.Errorf("%s: want an error of the engine, got none", id)
		}
	}
	want := append([]string(nil), bug.Fails...)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("failed checks = %v; want %v", got, want)
		for _, res := range rep.Results {
			if res.Outcome.Status == scenarios.Fail {
				t.Logf("%s: %s", res.Check.ID, res.Outcome.Got)
			}
		}
	}
}

// TestEveryCheckHasABug: every check outside the listing profile is failed by at least one
// broken variant.
func TestEveryCheckHasABug(t *testing.T) {
	covered := map[string]bool{}
	for _, b := range reference.Bugs() {
		for _, id := range b.Fails {
			covered[id] = true
		}
	}
	for _, c := range scenarios.Catalogue(scenarios.ProfileListing) {
		// The listing checks need other setups (TLS, an app config file): TestListingMatrix.
		if c.Group != scenarios.GroupListing && !covered[c.ID] {
			t.Errorf("no broken variant fails %s", c.ID)
		}
	}
	for id := range covered {
		if _, ok := scenarios.Lookup(id); !ok {
			t.Errorf("a bug names check %s, which is not in the catalogue", id)
		}
	}
}
