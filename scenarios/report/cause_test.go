package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsemu/hsemu/scenarios"
)

// causeReport has three identical set-up errors, an endpoint-down error and an engine error.
func causeReport() *scenarios.RunReport {
	rep := mixedReport()
	setup := scenarios.Outcome{Status: scenarios.Error, Cause: scenarios.CauseSetup,
		Got: "could not reach http://localhost:1/install: nothing accepts connections", Fix: "Start the endpoint (--install-url)."}
	down := scenarios.Outcome{Status: scenarios.Error, Cause: scenarios.CauseDown,
		Got: "endpoint down since 12:00:00.000 (after GET /install?returnUrl=//x)", Fix: "Fix the crash."}
	engine := scenarios.Outcome{Status: scenarios.Error, Cause: scenarios.CauseEngine,
		Got: "the page redirects with JavaScript only", Fix: "Run with --engine chromium."}
	rep.Results = []scenarios.Result{
		result(targetA, cReturns, setup),
		result(targetA, cSingle, setup),
		result(targetA, cExchanges, setup),
		result(targetA, cTampered, down),
		result(targetA, cBudget, engine),
	}
	return rep
}

func TestReportsShowCauseAndFix(t *testing.T) {
	rep := causeReport()

	var text bytes.Buffer
	require.NoError(t, Text(&text, rep, TextOptions{}))
	out := text.String()
	assert.Equal(t, 1, strings.Count(out, "could not reach http://localhost:1/install"), "identical set-up errors print once:\n%s", out)
	assert.Contains(t, out, cReturns.ID+" and 2 more, one setup error", "the summary names the group once:\n%s", out)
	assert.NotContains(t, out, "ERROR  "+cSingle.ID+" (", "a grouped check is not listed again in the summary")
	assert.Contains(t, out, "got:         setup error: could not reach")
	assert.Contains(t, out, "fix:         Start the endpoint (--install-url).")
	assert.NotContains(t, out, cReturns.Fix, "the outcome's fix replaces the check's")
	assert.Contains(t, out, "got:         endpoint down: endpoint down since")
	assert.Contains(t, out, "got:         cannot decide with this engine: the page redirects")
	assert.Contains(t, out, "fix:         Run with --engine chromium.")

	var md bytes.Buffer
	require.NoError(t, Markdown(&md, rep, Verdict{}, MarkdownOptions{}))
	assert.Contains(t, md.String(), "setup error: could not reach")
	assert.Contains(t, md.String(), "Start the endpoint")
	assert.Equal(t, 1, strings.Count(md.String(), "| setup error: could not reach"), "one row for the identical set-up errors:\n%s", md.String())
	assert.Contains(t, md.String(), "`"+cReturns.ID+"`, `"+cSingle.ID+"`, `"+cExchanges.ID+"`")

	var js bytes.Buffer
	require.NoError(t, JSON(&js, rep, Verdict{}))
	assert.Contains(t, js.String(), `"cause": "setup"`)
	assert.Contains(t, js.String(), `"fix": "Start the endpoint (--install-url)."`)
	assert.Contains(t, js.String(), `"cause": "down"`)

	var ju bytes.Buffer
	require.NoError(t, JUnit(&ju, rep, Verdict{}))
	assert.Contains(t, ju.String(), `type="setup"`)
	assert.Contains(t, ju.String(), `message="setup error: could not reach`)
}
