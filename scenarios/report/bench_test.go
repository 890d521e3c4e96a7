package report

import (
	"fmt"
	"io"
	"testing"

	"github.com/hsemu/hsemu/scenarios"
)

// bigReport is a run of 200 checks over two targets, a quarter of them failing with a
// transcript, the size of the full catalogue under the listing profile several times over.
func bigReport() *scenarios.RunReport {
	rep := mixedReport()
	rep.Results = nil
	for i := 0; i < 200; i++ {
		level := scenarios.Must
		if i%3 == 0 {
			level = scenarios.Should
		}
		res := result(targetA, check(fmt.Sprintf("seamless/check-%d", i), level, scenarios.GroupSeamless), passed("ok"))
		if i%4 == 0 {
			res.Outcome = failed("the browser ends at returnUrl", "a redirect loop", 2)
			res.Transcript = transcript()
		}
		rep.Results = append(rep.Results, res)
	}
	return rep
}

func benchmarkFormat(b *testing.B, f Format) {
	rep := bigReport()
	for b.Loop() {
		if err := Write(io.Discard, f, rep, Verdict{}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkText(b *testing.B)     { benchmarkFormat(b, FormatText) }
func BenchmarkJSON(b *testing.B)     { benchmarkFormat(b, FormatJSON) }
func BenchmarkJUnit(b *testing.B)    { benchmarkFormat(b, FormatJUnit) }
func BenchmarkMarkdown(b *testing.B) { benchmarkFormat(b, FormatMarkdown) }
