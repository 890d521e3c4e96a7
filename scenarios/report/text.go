// Package report renders a run's report for people and machines. Every renderer reads the same
// scenarios.RunReport; none re-derives a verdict.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/hsemu/hsemu/scenarios"
)

// TextOptions tune the text report.
type TextOptions struct {
	// Verbose prints every check's detail, not only the failures'.
	Verbose bool
	// MaxHops caps the transcript printed under a failure (0 = 20).
	MaxHops int
	// Expect is the expect-fail verdict: its expected failures show as XFAIL and do not fail
	// the run. The zero value expects nothing.
	Expect Verdict
}

// Text writes the report as a person reads it: one line per check, and for each failure what
// was expected, what happened, the hop transcript and the fix.
func Text(w io.Writer, rep *scenarios.RunReport, opts TextOptions) error {
	ew := &errWriter{w: w}
	target := ""
	first := map[sameCause]string{} // the first check each grouped error was printed under
	for _, res := range rep.Results {
		if res.Target != target {
			target = res.Target
			ew.printf("\n%s\n", target)
		}
		label := Label(res, rep.Strict, opts.Expect)
		ew.printf("  %-6s %-6s %s — %s\n", label, res.Check.Level, res.Check.ID, res.Check.Title)
		if label == "PASS" && !opts.Verbose {
			continue
		}
		if label == "XFAIL" {
			if e, ok := opts.Expect.Expectation(res); ok {
				ew.printf("        expected failure until %s: %s\n", e.Until.Format("2006-01-02"), e.Reason)
			}
			ew.printf("        got: %s\n", clip(res.Outcome.Got, maxGotBytes))
			continue
		}
		if label == "SKIP" || label == labelManual || (label == "PASS" && opts.Verbose) {
			ew.printf("        %s\n", clip(res.Outcome.Got, maxGotBytes))
			continue
		}
		if k, ok := groupKey(res); ok {
			if _, seen := first[k]; seen {
				continue // the same error as a check above, printed there once
			}
			first[k] = res.Check.ID
		}
		CheckDetail(ew, res, opts.MaxHops)
	}
	var failing []string
	groups := map[sameCause]int{} // a grouped error → its line in failing
	counts := map[sameCause]int{}
	for _, res := range rep.Results {
		l := Label(res, rep.Strict, opts.Expect)
		if l != "FAIL" && l != "ERROR" && l != "WARN" {
			continue
		}
		k, ok := groupKey(res)
		if !ok {
			failing = append(failing, fmt.Sprintf("  %-6s %s (%s)", l, res.Check.ID, res.Target))
			continue
		}
		counts[k]++
		if i, seen := groups[k]; seen {
			failing[i] = fmt.Sprintf("  %-6s %s and %d more, one %s (%s)", l, first[k], counts[k]-1, CauseLabel(res.Outcome.Cause), res.Target)
			continue
		}
		groups[k] = len(failing)
		failing = append(failing, fmt.Sprintf("  %-6s %s (%s)", l, res.Check.ID, res.Target))
	}
	if len(failing) > 0 {
		ew.printf("\nto look at (details above):\n%s\n", strings.Join(failing, "\n"))
	}
	c := Count(rep, opts.Expect)
	verdict := map[int]string{ExitPass: "PASS", ExitFail: "FAIL", ExitError: "ERROR"}[ExitCode(rep, opts.Expect, rep.Strict)]
	xfail := ""
	if c.XFail > 0 {
		xfail = fmt.Sprintf(", %d expected failures", c.XFail)
	}
	ew.printf("\n%d checks: %d passed, %d failed, %d warned, %d errors, %d skipped%s — %s (%s)\n",
		c.Total, c.Pass, c.Fail, c.Warn, c.Error, c.Skip, xfail, verdict, rep.Finished.Sub(rep.Started).Round(1e6))
	return ew.err
}

// CheckDetail writes the explanation of one result: requirement, source, expected, got, fix and
// the hops of its scenario.
func CheckDetail(w io.Writer, res scenarios.Result, maxHops int) {
	ew, ok := w.(*errWriter)
	if !ok {
		ew = &errWriter{w: w}
	}
	if maxHops <= 0 {
		maxHops = 20
	}
	c := res.Check
	switch res.Outcome.Cause {
	case scenarios.CauseSetup, scenarios.CauseDown, scenarios.CauseEmulator:
		// Not about the endpoint's conformance: the requirement is beside the point.
	case scenarios.CauseEndpoint, scenarios.CauseEngine:
		ew.printf("        requirement: %s\n", c.Requirement)
		ew.printf("        source:      %s\n", c.Source)
	}
	if res.Outcome.Expected != "" {
		ew.printf("        expected:    %s\n", clip(res.Outcome.Expected, maxGotBytes))
	}
	ew.printf("        got:         %s\n", clip(gotLine(res.Outcome), maxGotBytes))
	if res.Outcome.Status == scenarios.Fail || res.Outcome.Fix != "" {
		ew.printf("        fix:         %s\n", Fix(res))
	}
	if len(res.Transcript) > 0 {
		ew.printf("        transcript (%s):\n", c.Scenario)
		hops := res.Transcript
		if len(hops) > maxHops {
			ew.printf("          … %d earlier hops\n", len(hops)-maxHops)
			hops = hops[len(hops)-maxHops:]
		}
		mark := map[int]bool{}
		for _, s := range res.Outcome.Hops {
			mark[s] = true
		}
		step := ""
		for _, h := range hops {
			if h.Step != step {
				step = h.Step
				ew.printf("          [%s]\n", step)
			}
			m := " "
			if mark[h.Seq] {
				m = ">"
			}
			line := clip(strings.TrimSpace(scenarios.FormatHop(h)), maxHopLineBytes)
			if h.Cut.Any() {
				line += " [record cut: " + h.Cut.String() + "]"
			}
			ew.printf("         %s %s\n", m, line)
		}
	}
}

type errWriter struct {
	w   io.Writer
	err error
	n   int // bytes written
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.n += n
	if err != nil {
		e.err = fmt.Errorf("write the report: %w", err)
	}
	return n, e.err
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, _ = fmt.Fprintf(e, format, args...) // Write keeps the error
	}
}
