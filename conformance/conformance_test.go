package conformance_test

import (
	"context"
	"maps"
	"os"
	"slices"
	"testing"

	"github.com/hsemu/hsemu/conformance"
	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// TestConformance runs the catalogue against the endpoint named by HSEMU_INSTALL_URL (and the
// other HSEMU_* variables), or, with none set, against the reference endpoints in-process.
func TestConformance(t *testing.T) {
	suite, target, ok, err := conformance.FromEnv(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		suite.Run(t, target)
		return
	}
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	targets := conformance.InProcess(t, h, "", inprocess.TestOptions())
	conformance.Suite{Harness: h, Options: inprocess.TestOptions(), Cacheable: true}.Run(t, targets...)
}

// TestPlannedIsWhatTheRunDecides: scenarios.Planned (what `hsemu check --list` shows for a
// target) is exactly the set of checks a run decides.
func TestPlannedIsWhatTheRunDecides(t *testing.T) {
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	opts := inprocess.TestOptions()
	opts.Only = []string{"seamless/install/", "connect/callback-no-code", "partner/authorize/signs-in"}
	targets := conformance.InProcess(t, h, "", opts)
	var seamless []scenarios.Target
	for _, tg := range targets {
		if tg.Flows[0] == scenarios.Seamless || tg.Flows[0] == scenarios.Connect {
			seamless = append(seamless, tg)
		}
	}
	want := map[string]bool{}
	for _, c := range scenarios.Planned(seamless, opts) {
		want[c.ID] = true
	}
	rep, err := (&scenarios.Runner{Harness: h, Options: opts}).Run(context.Background(), seamless)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, res := range rep.Results {
		got[res.Check.ID] = true
	}
	if len(got) == 0 || !maps.Equal(got, want) {
		t.Errorf("the run decided %v; Planned said %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	if want["partner/authorize/signs-in"] {
		t.Error("Planned lists a partner check for targets without the partner flow")
	}
}
