package report

import "github.com/hsemu/hsemu/scenarios"

// Fix is the fix a result's reader should apply: the outcome's own (a set-up mistake, an engine
// that cannot decide, an endpoint that went down) when it has one, else the check's.
func Fix(res scenarios.Result) string {
	if res.Outcome.Fix != "" {
		return res.Outcome.Fix
	}
	return res.Check.Fix
}

// CauseLabel is how reports introduce a verdict that is not the endpoint's doing: "setup
// error", "cannot decide with this engine", "endpoint down", "emulator lacks this API". It is
// "" for the endpoint's own verdicts.
func CauseLabel(c scenarios.Cause) string {
	switch c {
	case scenarios.CauseSetup:
		return "setup error"
	case scenarios.CauseEngine:
		return "cannot decide with this engine"
	case scenarios.CauseDown:
		return "endpoint down"
	case scenarios.CauseEmulator:
		return "the emulator lacks this API"
	case scenarios.CauseEndpoint:
	}
	return ""
}

// gotLine is the outcome's Got, introduced by its cause's label when it has one.
func gotLine(o scenarios.Outcome) string {
	if l := CauseLabel(o.Cause); l != "" {
		return l + ": " + o.Got
	}
	return o.Got
}

// sameCause is the key under which identical verdicts that are not the endpoint's doing are
// printed once: the same target, cause, explanation and fix.
type sameCause struct{ target, cause, got, fix string }

// groupKey returns the grouping key of a result, and whether it groups at all (only errors with
// a cause other than the endpoint do).
func groupKey(res scenarios.Result) (sameCause, bool) {
	o := res.Outcome
	if o.Status != scenarios.Error || o.Cause == scenarios.CauseEndpoint {
		return sameCause{}, false
	}
	return sameCause{res.Target, string(o.Cause), o.Got, Fix(res)}, true
}
