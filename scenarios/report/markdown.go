package report

import (
	"fmt"
	"html"
	"io"
	"sort"
	"strings"

	"github.com/hsemu/hsemu/scenarios"
)

// MarkdownOptions tune the Markdown report.
type MarkdownOptions struct {
	// MaxHops caps each transcript (0 = 20, as the text report).
	MaxHops int
	// MaxDetails caps the collapsible transcripts (0 = 50). GitHub caps a step summary at
	// 1 MiB, so a run with hundreds of failures keeps its tables and drops the rest of the
	// transcripts, which the JUnit and JSON reports still hold. Whatever MaxDetails says, the
	// report stays under 1 MiB: past that budget, table rows and transcripts are left out and
	// the report says how many.
	MaxDetails int
}

// Markdown writes the report as GitHub-flavoured Markdown fit for a CI job summary
// ($GITHUB_STEP_SUMMARY, https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary):
// a headline verdict, a counts table, a table of the failures and warnings (and errors and
// expected failures) with level, check ID, what happened and the fix, the expect-fail problems,
// and each of those checks' detail and transcript in a collapsible <details> block. Table
// cells escape '|', backticks, HTML and Markdown emphasis, so that what an endpoint returned
// cannot break the table or inject markup.
func Markdown(w io.Writer, rep *scenarios.RunReport, v Verdict, opts MarkdownOptions) error {
	if opts.MaxDetails <= 0 {
		opts.MaxDetails = 50
	}
	ew := &errWriter{w: w}
	code := ExitCode(rep, v, rep.Strict)
	t := Count(rep, v)
	icon := map[int]string{ExitPass: "✅", ExitFail: "❌", ExitError: "⚠️"}[code]
	targets := make([]string, len(rep.Targets))
	for i, tg := range rep.Targets {
		targets[i] = mdCode(clip(tg, maxCellBytes), false)
	}
	profile := string(rep.Profile)
	if profile == "" {
		profile = string(scenarios.ProfileDev)
	}
	strict := ""
	if rep.Strict {
		strict = ", strict"
	}
	ew.printf("## %s hsemu check: %s\n\n", icon, verdictWord(code))
	ew.printf("%s — %s against %s (profile %s%s) in %s.\n\n", headline(code, t, v), plural(t.Total, "check"),
		orNone(strings.Join(targets, ", ")), mdText(profile), strict, rep.Finished.Sub(rep.Started).Round(1e6))

	ew.printf("| checks | passed | failed | warned | errors | skipped | expected failures |\n")
	ew.printf("|---:|---:|---:|---:|---:|---:|---:|\n")
	ew.printf("| %d | %d | %d | %d | %d | %d | %d |\n\n", t.Total, t.Pass, t.Fail, t.Warn, t.Error, t.Skip, t.XFail)

	var notable []scenarios.Result
	// Identical errors that are not the endpoint's doing (one set-up error for every check of a
	// target) are one row, naming every check they decided.
	grouped := map[sameCause]int{}
	also := map[string][]string{} // the first check's target and ID → the other checks' IDs
	for _, res := range rep.Results {
		switch Label(res, rep.Strict, v) {
		case "FAIL", "WARN", "ERROR", "XFAIL":
			if k, ok := groupKey(res); ok {
				if i, seen := grouped[k]; seen {
					first := notable[i].Target + " " + notable[i].Check.ID
					also[first] = append(also[first], res.Check.ID)
					continue
				}
				grouped[k] = len(notable)
			}
			notable = append(notable, res)
		}
	}
	// Failures first, then errors, warnings and expected failures, each in catalogue order.
	rank := map[string]int{"FAIL": 0, "ERROR": 1, "WARN": 2, "XFAIL": 3}
	sort.SliceStable(notable, func(i, j int) bool {
		return rank[Label(notable[i], rep.Strict, v)] < rank[Label(notable[j], rep.Strict, v)]
	})
	markdownNotable(ew, rep, v, notable, also)
	multi := len(rep.Targets) > 1
	var manual []scenarios.Result
	for _, res := range rep.Results {
		if Label(res, rep.Strict, v) == labelManual {
			manual = append(manual, res)
		}
	}
	if len(manual) > 0 {
		ew.printf("### To confirm by hand\n\n| check | what to confirm | source |\n|---|---|---|\n")
		for _, res := range manual {
			ew.printf("| %s | %s | %s |\n", mdCode(res.Check.ID, true), mdText(res.Check.Requirement), mdText(res.Check.Source))
		}
		ew.printf("\n")
	}
	if len(v.Problems) > 0 {
		ew.printf("### Expect-fail file problems\n\n| problem | line | check | what to do |\n|---|---:|---|---|\n")
		for _, p := range v.Problems {
			ew.printf("| %s | %d | %s | %s |\n", mdText(string(p.Kind)), p.Entry.Line, mdCode(p.Entry.ID, true), mdText(p.Message))
		}
		ew.printf("\n")
	}
	if len(notable) > 0 {
		ew.printf("### Details\n\n")
		for i, res := range notable {
			var b strings.Builder
			CheckDetail(&b, res, opts.MaxHops)
			if i == opts.MaxDetails || ew.n+b.Len()+1024 > maxMarkdownBytes {
				ew.printf("… %d more: see the JUnit or JSON report for their transcripts.\n\n", len(notable)-i)
				break
			}
			ew.printf("<details><summary>%s <code>%s</code> — %s</summary>\n\n",
				Label(res, rep.Strict, v), html.EscapeString(res.Check.ID), html.EscapeString(res.Check.Title))
			if multi {
				ew.printf("Target: %s\n\n", mdCode(clip(res.Target, maxCellBytes), false))
			}
			fence := codeFence(b.String())
			ew.printf("%stext\n%s%s\n\n</details>\n\n", fence, strings.TrimRight(b.String(), "\n")+"\n", fence)
		}
	}
	return ew.err
}

// markdownNotable writes the table of failures, errors, warnings and expected failures, in the
// order given; also lists, by the first check's target and ID, the other checks an identical
// error decided. It writes nothing when notable is empty.
func markdownNotable(ew *errWriter, rep *scenarios.RunReport, v Verdict, notable []scenarios.Result, also map[string][]string) {
	if len(notable) == 0 {
		return
	}
	multi := len(rep.Targets) > 1
	ew.printf("### Failures and warnings\n\n")
	if multi {
		ew.printf("| result | level | check | target | what happened | fix |\n|---|---|---|---|---|---|\n")
	} else {
		ew.printf("| result | level | check | what happened | fix |\n|---|---|---|---|---|\n")
	}
	for i, res := range notable {
		if ew.n > maxMarkdownBytes/2 {
			ew.printf("\n… %d more rows: see the JUnit or JSON report.\n", len(notable)-i)
			break
		}
		label := Label(res, rep.Strict, v)
		happened, fix := expectedGot(res.Outcome), Fix(res)
		switch {
		case label == "ERROR" && res.Outcome.Cause != scenarios.CauseEndpoint:
			happened = gotLine(res.Outcome)
			if res.Outcome.Fix == "" {
				fix = "see the transcript; rerun, or check the endpoint is reachable"
			}
		case label == "ERROR":
			happened, fix = "could not decide: "+res.Outcome.Got, "see the transcript; rerun, or check the endpoint is reachable"
		case label == "XFAIL":
			e, _ := v.Expectation(res)
			fix = fmt.Sprintf("expected failure until %s: %s", e.Date(), e.Reason)
		}
		checks := mdCode(res.Check.ID, true)
		for _, id := range also[res.Target+" "+res.Check.ID] {
			checks += ", " + mdCode(id, true)
		}
		ew.printf("| %s | %s | %s |", mdLabel(label), mdText(string(res.Check.Level)), checks)
		if multi {
			ew.printf(" %s |", mdCode(clip(res.Target, maxCellBytes), true))
		}
		ew.printf(" %s | %s |\n", mdText(clip(happened, maxCellBytes)), mdText(clip(fix, maxCellBytes)))
	}
	ew.printf("\n")
}

func headline(code int, t Tally, v Verdict) string {
	switch code {
	case ExitPass:
		if t.Warn > 0 || t.XFail > 0 {
			return fmt.Sprintf("HubSpot would accept this endpoint, with %s and %s", plural(t.Warn, "warning"), plural(t.XFail, "expected failure"))
		}
		return "HubSpot would accept this endpoint"
	case ExitFail:
		if t.Fail == 0 {
			return fmt.Sprintf("The expect-fail file has %s", plural(len(v.Problems), "problem"))
		}
		return fmt.Sprintf("HubSpot would reject this endpoint: %s failed", plural(t.Fail, "check"))
	}
	return fmt.Sprintf("%s could not be decided", plural(t.Error, "check"))
}

// plural is "1 check" or "2 checks".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func orNone(s string) string {
	if s == "" {
		return "no target"
	}
	return s
}

func mdLabel(label string) string {
	switch label {
	case "FAIL":
		return "❌ FAIL"
	case "ERROR":
		return "⚠️ ERROR"
	case "WARN":
		return "🟡 WARN"
	case "XFAIL":
		return "➖ XFAIL"
	case labelManual:
		return "✋ MANUAL"
	}
	return label
}

// mdText escapes s for a GFM table cell or a line of text: HTML is escaped, Markdown
// punctuation is backslash-escaped (GFM allows a backslash before any ASCII punctuation), the
// pipe is escaped as GFM tables require, and line breaks become <br>.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '#', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\r':
		case '\n':
			b.WriteString("<br>")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode renders s as a code span: the fence is one backtick more than the longest run inside,
// padded with spaces when s starts or ends with a backtick. In a table cell '|' is escaped too,
// as GFM splits cells before it parses code spans. Line breaks become spaces.
func mdCode(s string, cell bool) string {
	s = strings.NewReplacer("\r", "", "\n", " ").Replace(s)
	if s == "" {
		return "(none)"
	}
	n := longestRun(s, '`') + 1
	fence := strings.Repeat("`", n)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	if cell {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	return fence + pad + s + pad + fence
}

// codeFence is a fence for a fenced code block holding s: backticks, one more than the longest
// run in s and at least three.
func codeFence(s string) string {
	n := longestRun(s, '`') + 1
	if n < 3 {
		n = 3
	}
	return strings.Repeat("`", n)
}

func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			if run > best {
				best = run
			}
		} else {
			run = 0
		}
	}
	return best
}
