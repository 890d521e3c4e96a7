package chromium

import (
	"context"
	"testing"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// BenchmarkCatalogueChromium runs the whole catalogue against the in-process reference with the
// chromium engine, at the reference's fast timings, in a warm Chromium: the tabs an earlier run
// opened are reused, as in the TUI's second run or a test package's shared pool. One browser
// context per scenario, MaxConcurrency scenarios at once. The budget is under 5 s per run on 2
// cores. chromium-cpu-s/op is the CPU time of Chromium's processes, go-cpu-s/op hsemu's own
// (the runner, the emulator, the reference and the engine's side of the DevTools protocol).
func BenchmarkCatalogueChromium(b *testing.B) {
	pool := benchPool(b)
	run := catalogueRun(b)
	run(pool) // the warm-up opens the tabs
	cpu, self := chromiumCPU(pool), selfCPU()
	b.ResetTimer()
	for b.Loop() {
		run(pool)
	}
	b.StopTimer()
	reportCPU(b, cpu, chromiumCPU(pool), self)
}

// BenchmarkCatalogueChromiumCold is `hsemu check --reference --engine chromium` from the start:
// each run starts its own Chromium (NewPool), whose first scenarios each open a tab.
func BenchmarkCatalogueChromiumCold(b *testing.B) {
	run := catalogueRun(b)
	var cpu float64
	self := selfCPU()
	for b.Loop() {
		pool, err := NewPool(context.Background(), Config{})
		if err != nil {
			b.Fatal(err)
		}
		run(pool)
		cpu += chromiumCPU(pool)["total"]
		if err := pool.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(cpu/float64(b.N), "chromium-cpu-s/op")
	b.ReportMetric((selfCPU()-self)/float64(b.N), "go-cpu-s/op")
}

// catalogueRun starts the harness and the in-process reference, and returns a run of the whole
// catalogue against them in a pool's Chromium, as Run does it; every check must pass.
func catalogueRun(b *testing.B) func(*Pool) {
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = h.Close() })
	opts := inprocess.ReferenceOptions(scenarios.Options{})
	targets, stop, err := inprocess.StartReference(h, "", opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(stop)
	return func(pool *Pool) {
		rep, err := (&scenarios.Runner{Harness: h, Options: pool.Options(opts)}).Run(context.Background(), targets)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rep.Results {
			if r.Outcome.Status >= scenarios.Fail {
				b.Errorf("%s %s (%s): %s", r.Outcome.Status, r.Check.ID, r.Target, r.Outcome.Got)
			}
		}
	}
}

// reportCPU reports the CPU time of Chromium's processes between two readings, per run, and
// logs each kind of process that took a noticeable share; and hsemu's own since self.
func reportCPU(b *testing.B, before, after map[string]float64, self float64) {
	b.ReportMetric((selfCPU()-self)/float64(b.N), "go-cpu-s/op")
	for k, v := range after {
		if k == "total" {
			b.ReportMetric((v-before[k])/float64(b.N), "chromium-cpu-s/op")
		} else if d := v - before[k]; d > 0.05*float64(b.N) {
			b.Logf("%s: %.2f CPU-s/op", k, d/float64(b.N))
		}
	}
}
