package scenarios

import (
	"fmt"
	"strings"
	"time"
)

// SchemaVersion is the version of the report's shape (JSON reports carry it).
const SchemaVersion = 1

// RunReport is the result of a run. (Package report renders it.)
type RunReport struct {
	SchemaVersion int
	Started       time.Time
	Finished      time.Time
	Targets       []string
	Strict        bool
	Profile       Profile
	Results       []Result
}

// Counts tallies a report's results. A SHOULD failure counts as a warning unless strict.
type Counts struct {
	Total, Pass, Fail, Warn, Error, Skip int
}

// Counts tallies the results.
func (r *RunReport) Counts() Counts {
	var c Counts
	for _, res := range r.Results {
		c.Total++
		switch {
		case res.Warn(r.Strict):
			c.Warn++
		case res.Outcome.Status == Fail:
			c.Fail++
		case res.Outcome.Status == Pass:
			c.Pass++
		case res.Outcome.Status == Error:
			c.Error++
		default:
			c.Skip++
		}
	}
	return c
}

// Failed reports whether a check failed the run: a MUST, or a SHOULD under strict.
func (r *RunReport) Failed() bool {
	for _, res := range r.Results {
		if res.Failing(r.Strict) {
			return true
		}
	}
	return false
}

// Errored reports whether a check could not be decided because the harness or network broke.
func (r *RunReport) Errored() bool {
	for _, res := range r.Results {
		if res.Outcome.Status == Error {
			return true
		}
	}
	return false
}

// Result returns the result of a check for a target ("" = the first target that has it).
func (r *RunReport) Result(target, id string) (Result, bool) {
	for _, res := range r.Results {
		if res.Check.ID == id && (target == "" || res.Target == target) {
			return res, true
		}
	}
	return Result{}, false
}

// Label is the word a report shows for a result: PASS, FAIL, WARN, ERROR, SKIP, or MANUAL for a
// check a person must confirm.
func (r Result) Label(strict bool) string {
	if r.Warn(strict) {
		return "WARN"
	}
	if r.Check.Level == Manual && r.Outcome.Status == Skip {
		return "MANUAL" // listed for a person to confirm; never a pass
	}
	return strings.ToUpper(r.Outcome.Status.String())
}

// FormatHop renders one hop on one line: number, context, method, URL, status, duration.
func FormatHop(h HopRecord) string {
	ctx := "window"
	if h.Context.Framed {
		ctx = "frame "
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#%-2d %s %-4s %s", h.Seq, ctx, h.Method, h.URL)
	switch {
	case h.Err != nil:
		fmt.Fprintf(&b, " → error: %v", h.Err)
	case h.Status >= 300 && h.Status < 400:
		fmt.Fprintf(&b, " → %d %s", h.Status, h.ResponseHeader.Get("Location"))
	default:
		fmt.Fprintf(&b, " → %d", h.Status)
	}
	fmt.Fprintf(&b, " (%s", h.Duration.Round(time.Millisecond))
	if h.How != "" {
		fmt.Fprintf(&b, ", %s", h.How)
	}
	b.WriteString(")")
	if h.Blocked != "" {
		fmt.Fprintf(&b, " [blocked by the browser: %s]", h.Blocked)
	}
	if h.Script != "" {
		fmt.Fprintf(&b, " [%s]", h.Script)
	}
	return b.String()
}
