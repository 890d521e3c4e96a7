package conformance_test

import (
	"context"
	"testing"

	"github.com/hsemu/hsemu/conformance"
	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/chromium"
)

// BenchmarkCatalogue runs the whole catalogue against the in-process reference endpoints, as
// `go test ./conformance` does with no configuration. Budget: well under a second per run
// (docs/design.md). The provocations that wait on purpose (the token endpoint stalling, the observe
// window after each step) dominate it.
func BenchmarkCatalogue(b *testing.B) { benchCatalogue(b, chromium.EngineHTTP) }

// BenchmarkCatalogueAuto is BenchmarkCatalogue under --engine auto, the default: against an
// endpoint that needs no JavaScript the http engine decides everything and Chromium is never
// started, so auto costs what http alone costs (issue 10's budget: no slower than http).
func BenchmarkCatalogueAuto(b *testing.B) { benchCatalogue(b, chromium.EngineAuto) }

// benchCatalogue runs the catalogue against the reference with engine, as chromium.Run does
// for hsemu check, and reports a full check's allocations (issue 12: bounded memory).
func benchCatalogue(b *testing.B, engine string) {
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	targets := conformance.InProcess(b, h, "", inprocess.FastOptions())
	r := scenarios.Runner{Harness: h, Options: inprocess.FastOptions()}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := chromium.Run(context.Background(), r, targets, engine, chromium.Config{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Failed() || rep.Errored() {
			b.Fatalf("the reference failed: %+v", rep.Counts())
		}
	}
}
