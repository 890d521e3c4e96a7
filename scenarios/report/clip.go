package report

import "github.com/hsemu/hsemu/scenarios/browser"

// Caps on what one result writes, so that what a hostile endpoint sends cannot blow a report
// up: each text cut short ends in "… [cut: 8.9 MB more]" (browser.CutMark).
const (
	maxGotBytes      = 4 << 10 // of an outcome's Expected and Got
	maxHopLineBytes  = 1 << 10 // of each line of a transcript
	maxHopFieldBytes = 2 << 10 // of a URL, Location or error in the JSON transcript
	maxCellBytes     = 1 << 10 // of a Markdown table cell's text, before escaping
	// maxMarkdownBytes keeps the Markdown report under GitHub's 1 MiB step-summary limit
	// (https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#step-isolation-and-limits),
	// with room for what follows the last cut.
	maxMarkdownBytes = 1<<20 - 32<<10
)

// clip is s cut to n bytes, marked as cut.
func clip(s string, n int) string { return browser.Clip(s, n) }
