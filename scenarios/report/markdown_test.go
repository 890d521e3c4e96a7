package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/scenarios"
)

func TestMdText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words, 2 commas.", "plain words, 2 commas."},
		{"a | b", `a \| b`},
		{"use `code`", "use \\`code\\`"},
		{"<script>alert(1)</script> & co", "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"},
		{"*bold* _it_ [link](x) ~s~ #h !img \\", `\*bold\* \_it\_ \[link\](x) \~s\~ \#h \!img \\`},
		{"line one\r\nline two", "line one<br>line two"},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.want {
			t.Errorf("mdText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestMdCode(t *testing.T) {
	tests := []struct {
		in   string
		cell bool
		want string
	}{
		{"partner/state/tampered", true, "`partner/state/tampered`"},
		{"a|b", true, "`a\\|b`"},
		{"a|b", false, "`a|b`"},
		{"has `one` tick", true, "``has `one` tick``"},
		{"`starts", true, "`` `starts ``"},
		{"two ``ticks", false, "```two ``ticks```"},
		{"", true, "(none)"},
		{"multi\nline", false, "`multi line`"},
	}
	for _, tt := range tests {
		if got := mdCode(tt.in, tt.cell); got != tt.want {
			t.Errorf("mdCode(%q, %v) = %q; want %q", tt.in, tt.cell, got, tt.want)
		}
	}
	if got := codeFence("a ```` b"); got != "`````" {
		t.Errorf("codeFence = %q; want 5 backticks", got)
	}
}

// tableRows returns the Markdown table rows of doc (lines starting with '|') and the number of
// cell separators in each: unescaped pipes.
func tableRows(doc string) map[string]int {
	rows := map[string]int{}
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		n := 0
		for i := 0; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++
			case '|':
				n++
			}
		}
		rows[line] = n
	}
	return rows
}

func TestMarkdownTablesHoldTogether(t *testing.T) {
	rep := mixedReport()
	evil := check("robust/x|`y`", scenarios.Must, scenarios.GroupRobust)
	evil.Fix = "escape `|` and <html> | *all* of it\nreally"
	evil.Title = "</summary><script>"
	rep.Results = append(rep.Results, result(targetA, evil, failed("no | pipes", "a `|` and\nnewline")))
	var b bytes.Buffer
	if err := Markdown(&b, rep, Verdict{}, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	rows := tableRows(doc)
	if len(rows) < 5 {
		t.Fatalf("found %d table rows; want the counts and failures tables:\n%s", len(rows), doc)
	}
	// Every row of a table has as many separators as its header.
	var header int
	for _, line := range strings.Split(doc, "\n") {
		n, ok := rows[line]
		if !ok {
			header = 0
			continue
		}
		if header == 0 {
			header = n
			continue
		}
		if n != header {
			t.Errorf("row has %d cell separators; its header %d:\n%s", n, header, line)
		}
	}
	if strings.Contains(doc, "<script>") || strings.Contains(doc, "</summary><script>") {
		t.Errorf("HTML from a check leaked into the Markdown:\n%s", doc)
	}
	if !strings.Contains(doc, "`` robust/x\\|`y` ``") {
		t.Errorf("the hostile ID is not a safe code span:\n%s", doc)
	}
}

func TestMarkdownContent(t *testing.T) {
	rep := mixedReport()
	var b bytes.Buffer
	if err := Markdown(&b, rep, Verdict{}, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	for _, want := range []string{
		"## ❌ hsemu check: FAIL\n",
		"HubSpot would reject this endpoint: 1 check failed — 6 checks against `https://app.example.com/install` (profile listing)",
		"| 6 | 1 | 1 | 1 | 1 | 2 | 0 |",
		"| ❌ FAIL | MUST | `seamless/install/returns-to-hubspot` | expected the browser ends at returnUrl; got a redirect loop: \\| \\`x\\` &lt;b&gt; | the fix for seamless/install/returns-to-hubspot |",
		"| ⚠️ ERROR | MUST | `partner/state/tampered` | could not decide: the emulator did not answer: connection refused |",
		"| 🟡 WARN | SHOULD | `seamless/install/single-exchange` |",
		"<details><summary>FAIL <code>seamless/install/returns-to-hubspot</code> — title of seamless/install/returns-to-hubspot</summary>\n\n```text\n",
		"> #2  frame  GET  https://app.example.com/install?step=finalize → 500",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, doc)
		}
	}
	// Failures come before errors and warnings.
	if f, e, w := strings.Index(doc, "| ❌ FAIL"), strings.Index(doc, "| ⚠️ ERROR"), strings.Index(doc, "| 🟡 WARN"); !(f < e && e < w) {
		t.Errorf("rows out of order: fail at %d, error at %d, warn at %d", f, e, w)
	}
	if strings.Contains(doc, "exchanges-code") {
		t.Errorf("a passing check is listed:\n%s", doc)
	}
}

func TestMarkdownPassAndCaps(t *testing.T) {
	rep := &scenarios.RunReport{Targets: []string{targetA}, Started: t0, Finished: t0}
	for i := 0; i < 5; i++ {
		c := check(fmt.Sprintf("seamless/should-%d", i), scenarios.Should, scenarios.GroupSeamless)
		rep.Results = append(rep.Results, result(targetA, c, failed("x", "y")))
	}
	var b bytes.Buffer
	if err := Markdown(&b, rep, Verdict{}, MarkdownOptions{MaxDetails: 2}); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	if !strings.Contains(doc, "## ✅ hsemu check: PASS") || !strings.Contains(doc, "with 5 warnings and 0 expected failures") {
		t.Errorf("headline of a run with only warnings:\n%s", doc)
	}
	if n := strings.Count(doc, "<details>"); n != 2 || !strings.Contains(doc, "… 3 more") {
		t.Errorf("%d details blocks; want 2 and a note of 3 more:\n%s", n, doc)
	}
}

func TestMarkdownGolden(t *testing.T) {
	rep := mixedReport()
	v := applyExpectations(rep, Expectations{
		entry(cReturns.ID, day(2026, 12, 31), 1),
		entry(cExchanges.ID, day(2026, 12, 31), 2),
	}, day(2026, 6, 1), catalogue(cReturns.ID, cExchanges.ID))
	var b bytes.Buffer
	if err := Markdown(&b, rep, v, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "mixed.md", b.Bytes())
}
