package scenarios

import (
	"path"
	"strings"
	"time"

	"github.com/hsemu/hsemu/scenarios/framing"
)

// Level says what a failing check does to the run.
type Level string

const (
	// Must fails the run.
	Must Level = "MUST"
	// Should warns; it fails the run under --strict.
	Should Level = "SHOULD"
	// Manual is listed for the person to confirm: no black-box test can see it.
	Manual Level = "MANUAL"
)

// Status is a check's verdict, ordered as the distribution-spec conformance suite orders them:
// unknown < skip < pass < fail < error. A check that could not run is a skip or an error, never
// a pass.
type Status int

// The statuses, from undecided to the harness breaking.
const (
	Pending Status = iota // not decided yet
	Running               // its scenario is running
	Skip                  // not applicable, or could not run because an earlier step failed
	Pass
	Fail  // the endpoint is wrong: expected vs got
	Error // the harness or the network broke
)

func (s Status) String() string {
	switch s {
	case Pending:
		return "pending"
	case Running:
		return "running"
	case Skip:
		return "skip"
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case Error:
		return "error"
	}
	return "unknown"
}

// Check is one verdict of the catalogue: what HubSpot requires, where it says so, how it is
// provoked (by its scenario) and how it is judged.
type Check struct {
	ID          string // stable, e.g. "partner/state/tampered"
	Title       string
	Level       Level
	Group       Group      // the part of the catalogue it belongs to (reports: "flow")
	Scenario    ScenarioID // the scenario whose run decides this check
	Provokes    string     // what hsemu does to provoke it
	Requirement string     // the sentence it enforces
	Source      string     // where the requirement comes from (URL, RFC section)
	Fix         string     // what to change when it fails
	// Basis says whether Requirement is HubSpot's own rule or hsemu's inference from it.
	Basis Basis
	// Judge decides the verdict from what the scenario observed.
	Judge func(o *Observation) Outcome `json:"-"`
}

// Basis is where a check's rule comes from: HubSpot's (or a standard's) own words, or hsemu's
// inference where HubSpot's pages are silent. A verdict on an inferred rule says so.
type Basis string

const (
	// Documented rules are stated by HubSpot's pages or by the RFC/standard the check cites.
	Documented Basis = "documented"
	// Inferred rules are hsemu's reading of what HubSpot's flow needs; the verdict says what
	// HubSpot documents instead.
	Inferred Basis = "inferred"
)

// Cause says whom a failure or an error is about. The zero value is the endpoint under test;
// the others are never the endpoint's fault and carry their own fix.
type Cause string

const (
	// CauseEndpoint means the endpoint under test did it.
	CauseEndpoint Cause = ""
	// CauseSetup means hsemu's or the app's configuration is wrong (credentials that differ from the
	// app's, an API base not pointed at the emulator, a --login the sign-in refuses, TLS trust,
	// rate limiting, an endpoint that cannot be reached at all).
	CauseSetup Cause = "setup"
	// CauseEngine means the browser engine cannot decide (a page that navigates only with JavaScript
	// under the http engine); another engine can.
	CauseEngine Cause = "engine"
	// CauseDown means the endpoint stopped answering earlier in the run, so this check could not run.
	CauseDown Cause = "down"
	// CauseEmulator means the app called a HubSpot API the emulator does not have.
	CauseEmulator Cause = "emulator"
)

// Outcome is a check's verdict with its explanation.
type Outcome struct {
	Status   Status
	Expected string // what HubSpot expects
	Got      string // what happened
	// Hops are the sequence numbers of the hops that show it (all of the scenario's if empty).
	Hops []int
	// Frames are the framing verdicts the judge made on the way, one per page it evaluated as
	// HubSpot's frame would (the frameable checks). Sinks show them; none re-evaluates a page.
	Frames []FrameVerdict
	// Cause says whom a Fail or an Error is about (the endpoint when empty).
	Cause Cause
	// Fix, when set, replaces the check's own Fix: the fix for this Cause (a set-up mistake has
	// its own fix, not the endpoint's).
	Fix string
}

// FrameVerdict is a judge's verdict on one page shown inside HubSpot's frame.
type FrameVerdict struct {
	Hop int // the Seq of the hop whose response is the page
	// Origins are the ancestor origins the page was judged for: the ones the check requires.
	Origins []string
	// Verdict is the framing evaluator's verdict for Origins: allowed or blocked, and why.
	Verdict framing.Verdict
	// Note says why another of HubSpot's app origins would be blocked, when one would; it is
	// reported without failing the check.
	Note string
	// Policies are the page's Content-Security-Policies as the evaluator read them, one a line:
	// "Content-Security-Policy (enforce): frame-ancestors 'self' https://app.hubspot.com".
	Policies []string
}

func pass(got string) Outcome { return Outcome{Status: Pass, Got: got} }

func fail(expected, got string, hops ...int) Outcome {
	return Outcome{Status: Fail, Expected: expected, Got: got, Hops: hops}
}

func skip(why string) Outcome { return Outcome{Status: Skip, Got: why} }

func errored(why string) Outcome { return Outcome{Status: Error, Got: why} }

// setupError is an error of the set-up, with the fix for it.
func setupError(why, fix string) Outcome {
	return Outcome{Status: Error, Got: why, Cause: CauseSetup, Fix: fix}
}

// undecided is an error of the engine: it cannot decide what the page does.
func undecided(why, fix string) Outcome {
	return Outcome{Status: Error, Got: why, Cause: CauseEngine, Fix: fix}
}

// Result is a decided check for one target.
type Result struct {
	Target   string
	Check    Check
	Outcome  Outcome
	Duration time.Duration // of the scenario that decided it
	// Transcript is the hops of the scenario that decided it, for the report.
	Transcript []HopRecord
}

// Warn reports whether this result is a SHOULD failure that only warns (not under strict).
func (r Result) Warn(strict bool) bool {
	return r.Outcome.Status == Fail && r.Check.Level != Must && !strict
}

// Failing reports whether this result fails the run.
func (r Result) Failing(strict bool) bool {
	return r.Outcome.Status == Fail && (r.Check.Level == Must || strict)
}

// Match reports whether a check ID matches a pattern: an exact ID, a path.Match glob
// ("partner/state/*"), or a prefix ending in "/" ("partner/").
func Match(pattern, id string) bool {
	if pattern == id {
		return true
	}
	if strings.HasSuffix(pattern, "/") && strings.HasPrefix(id, pattern) {
		return true
	}
	if ok, _ := path.Match(pattern, id); ok {
		return true
	}
	// "partner/state" selects everything below it.
	return strings.HasPrefix(id, pattern+"/")
}

// Select returns the checks matching any of only (all when empty) and none of skip.
func Select(checks []Check, only, skipPatterns []string) []Check {
	var out []Check
	for _, c := range checks {
		if len(only) > 0 && !matchAny(only, c.ID) {
			continue
		}
		if matchAny(skipPatterns, c.ID) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func matchAny(patterns []string, id string) bool {
	for _, p := range patterns {
		if Match(p, id) {
			return true
		}
	}
	return false
}
