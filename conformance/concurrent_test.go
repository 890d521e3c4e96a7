package conformance_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/conformance"
	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// The checks the concurrent installs decide (--repeat above 1).
const (
	concurrentCheck        = "seamless/install/concurrent"
	partnerConcurrentCheck = "partner/finalize/concurrent"
)

// runConcurrent runs the concurrent installs alone against the reference of flow: repeat
// installs, concurrency in flight.
func runConcurrent(tb testing.TB, flow scenarios.Flow, check string, repeat, concurrency int) scenarios.Outcome {
	tb.Helper()
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { h.Close() })
	var targets []scenarios.Target
	for _, tg := range conformance.InProcess(tb, h, "", inprocess.TestOptions()) {
		if tg.Flows[0] == flow {
			targets = append(targets, tg)
		}
	}
	opts := inprocess.TestOptions()
	opts.Repeat, opts.Concurrency, opts.Only = repeat, concurrency, []string{check}
	r := &scenarios.Runner{Harness: h, Options: opts}
	rep, err := r.Run(context.Background(), targets)
	if err != nil {
		tb.Fatal(err)
	}
	if len(rep.Results) != 1 {
		tb.Fatalf("%d results, want the one of %s", len(rep.Results), check)
	}
	return rep.Results[0].Outcome
}

// TestConcurrentInstalls holds the concurrent installs at a small size (run it with -race): the
// reference keeps 20 installs, 8 in flight, apart, in both install flows.
func TestConcurrentInstalls(t *testing.T) {
	for flow, check := range map[scenarios.Flow]string{scenarios.Seamless: concurrentCheck, scenarios.Partner: partnerConcurrentCheck} {
		t.Run(string(flow), func(t *testing.T) {
			if out := runConcurrent(t, flow, check, 20, 8); out.Status != scenarios.Pass {
				t.Fatalf("%s: %s, want pass: %s", check, out.Status, out.Got)
			}
		})
	}
}

// TestConcurrentInstallsDefault: without --repeat the concurrent checks do not run, and asking
// for them alone is an error that says to add --repeat.
func TestConcurrentInstallsDefault(t *testing.T) {
	if _, ok := scenarios.Lookup(concurrentCheck); !ok {
		t.Fatalf("%s is not in the catalogue", concurrentCheck)
	}
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	opts := inprocess.TestOptions()
	opts.Only = []string{concurrentCheck, partnerConcurrentCheck}
	r := &scenarios.Runner{Harness: h, Options: opts}
	rep, err := r.Run(context.Background(), conformance.InProcess(t, h, "", opts))
	if err == nil || !strings.Contains(err.Error(), "--repeat 2 or more") {
		t.Fatalf("without repeat: %v (report %v); want an error saying the concurrent checks need --repeat", err, rep != nil)
	}
}

// BenchmarkConcurrentInstalls1000: the emulator and the seamless reference through 1,000
// installs all in flight at once. It reports installs per second; it asserts no time.
func BenchmarkConcurrentInstalls1000(b *testing.B) {
	const n = 1000
	for b.Loop() {
		if out := runConcurrent(b, scenarios.Seamless, concurrentCheck, n, n); out.Status != scenarios.Pass {
			b.Fatalf("%s: %s: %s", concurrentCheck, out.Status, out.Got)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "installs/s")
}
