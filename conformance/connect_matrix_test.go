package conformance_test

import (
	"context"
	"slices"
	"testing"

	"github.com/hsemu/hsemu/conformance"
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// runConnect runs the connect checks against the reference's connect flow with bug ("" = none).
func runConnect(t *testing.T, bug string) *scenarios.Report {
	t.Helper()
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	opts := conformance.InProcessOptions()
	opts.Only = []string{"connect/"}
	r := &scenarios.Runner{Harness: h, Options: opts}
	rep, err := r.Run(context.Background(), conformance.InProcessConnect(t, h, bug))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestConnectMatrix: the reference passes every connect check, and each connect variant fails
// exactly the checks its bug declares.
func TestConnectMatrix(t *testing.T) {
	t.Run("reference", func(t *testing.T) {
		t.Parallel()
		rep := runConnect(t, "")
		var ids []string
		for _, res := range rep.Results {
			ids = append(ids, res.Check.ID)
			if res.Outcome.Status != scenarios.Pass {
				t.Errorf("%s: %s, want pass: %s", res.Check.ID, res.Outcome.Status, res.Outcome.Got)
			}
		}
		for _, c := range scenarios.Catalogue(scenarios.ProfileDev) {
			if c.Flow == scenarios.Connect && !slices.Contains(ids, c.ID) {
				t.Errorf("%s was not run against the connect target", c.ID)
			}
		}
	})
	for _, bug := range reference.ConnectBugs() {
		t.Run(bug.Name, func(t *testing.T) {
			t.Parallel()
			rep := runConnect(t, bug.Name)
			var got []string
			for _, res := range rep.Results {
				switch res.Outcome.Status {
				case scenarios.Fail:
					got = append(got, res.Check.ID)
				case scenarios.Error:
					t.Errorf("%s: error: %s", res.Check.ID, res.Outcome.Got)
				}
			}
			want := slices.Clone(bug.Fails)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("failed checks = %v; want %v", got, want)
				for _, res := range rep.Results {
					t.Logf("%s: %s: %s", res.Check.ID, res.Outcome.Status, res.Outcome.Got)
				}
			}
		})
	}
}

// TestEveryConnectCheckHasABug: every connect check is failed by at least one connect variant.
func TestEveryConnectCheckHasABug(t *testing.T) {
	covered := map[string]bool{}
	for _, b := range reference.ConnectBugs() {
		for _, id := range b.Fails {
			covered[id] = true
			if _, ok := scenarios.Lookup(id); !ok {
				t.Errorf("bug %s names check %s, which is not in the catalogue", b.Name, id)
			}
		}
	}
	for _, c := range scenarios.Catalogue(scenarios.ProfileDev) {
		if c.Flow == scenarios.Connect && !covered[c.ID] {
			t.Errorf("no connect variant fails %s", c.ID)
		}
	}
}
