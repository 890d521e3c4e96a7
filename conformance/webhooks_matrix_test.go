package conformance_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/conformance"
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// runWebhookVariant runs the catalogue against the reference webhook receiver with bug ("" =
// none) and returns the report.
func runWebhookVariant(t *testing.T, bug string) *scenarios.Report {
	t.Helper()
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	target, stop, err := conformance.StartReferenceWebhooks(h, bug)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	r := &scenarios.Runner{Harness: h, Options: conformance.InProcessOptions()}
	rep, err := r.Run(context.Background(), []scenarios.Target{target})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestWebhookMatrix: the reference receiver passes every webhook check, and each broken
// variant fails exactly the checks its bug declares.
func TestWebhookMatrix(t *testing.T) {
	t.Run("reference", func(t *testing.T) {
		t.Parallel()
		rep := runWebhookVariant(t, "")
		if len(rep.Results) == 0 {
			t.Fatal("no webhook check ran against the reference receiver")
		}
		for _, res := range rep.Results {
			if res.Outcome.Status != scenarios.Pass {
				t.Errorf("%s: %s, want pass: %s", res.Check.ID, res.Outcome.Status, res.Outcome.Got)
			}
		}
	})
	for _, bug := range reference.WebhookBugs() {
		t.Run(bug.Name, func(t *testing.T) {
			t.Parallel()
			rep := runWebhookVariant(t, bug.Name)
			var got []string
			for _, res := range rep.Results {
				switch res.Outcome.Status {
				case scenarios.Fail:
					got = append(got, res.Check.ID)
				case scenarios.Error:
					t.Errorf("%s: error: %s", res.Check.ID, res.Outcome.Got)
				}
			}
			want := append([]string(nil), bug.Fails...)
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("failed checks = %v; want %v", got, want)
				for _, res := range rep.Results {
					t.Logf("%s %s: %s", res.Check.ID, res.Outcome.Status, res.Outcome.Got)
				}
			}
		})
	}
}

// TestEveryWebhookCheckHasABug: each webhook check is failed by a variant that fails it alone.
func TestEveryWebhookCheckHasABug(t *testing.T) {
	alone := map[string]bool{}
	for _, b := range reference.WebhookBugs() {
		if len(b.Fails) == 1 {
			alone[b.Fails[0]] = true
		}
		for _, id := range b.Fails {
			if _, ok := scenarios.Lookup(id); !ok {
				t.Errorf("bug %s names check %s, which is not in the catalogue", b.Name, id)
			}
		}
	}
	for _, c := range scenarios.Catalogue(scenarios.ProfileListing) {
		if c.Flow == scenarios.Webhooks && !alone[c.ID] {
			t.Errorf("no broken variant fails %s and only it", c.ID)
		}
	}
}
