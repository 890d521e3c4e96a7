package chromium

import (
	"context"
	"testing"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// BenchmarkCatalogueChromium runs the whole catalogue against the in-process reference with the
// chromium engine, at the reference's fast timings, as `hsemu check --reference --engine
// chromium` would: one Chromium for the run (started outside the timing, as a run starts it
// once), one browser context per scenario, MaxConcurrency scenarios at once. The budget is
// under 5 s per run on 2 cores. The first run starts a renderer per scenario running at once;
// the next ones reuse their tabs. chromium-cpu-s/op is the CPU time of Chromium's processes, go-cpu-s/op hsemu's
// own (the runner, the emulator, the reference and the engine's side of the DevTools protocol).
func BenchmarkCatalogueChromium(b *testing.B) {
	pool := benchPool(b)
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	opts := inprocess.ReferenceOptions(scenarios.Options{})
	targets, stop, err := inprocess.StartReference(h, "", opts)
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	opts = withPool(opts, pool) // as Run does
	cpu := chromiumCPU(pool)
	self := selfCPU()
	b.ResetTimer()
	for b.Loop() {
		rep, err := (&scenarios.Runner{Harness: h, Options: opts}).Run(context.Background(), targets)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rep.Results {
			if r.Outcome.Status >= scenarios.Fail {
				b.Errorf("%s %s (%s): %s", r.Outcome.Status, r.Check.ID, r.Target, r.Outcome.Got)
			}
		}
	}
	b.StopTimer()
	after := chromiumCPU(pool)
	b.ReportMetric((selfCPU()-self)/float64(b.N), "go-cpu-s/op")
	for k, v := range after {
		if k == "total" {
			b.ReportMetric((v-cpu[k])/float64(b.N), "chromium-cpu-s/op")
		} else if d := v - cpu[k]; d > 0.05*float64(b.N) {
			b.Logf("%s: %.2f CPU-s/op", k, d/float64(b.N))
		}
	}
}
