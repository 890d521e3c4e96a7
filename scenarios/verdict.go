package scenarios

import (
	"errors"
	"net"
	"strings"
	"syscall"
)

// judge turns a scenario's observation into a check's outcome. A scenario that broke decides
// its checks as errors: a check that did not run never passes. A pass stands only on evidence:
// when a request of the scenario got no complete answer from the endpoint (a reset, an EOF,
// bytes that are not HTTP, a TLS failure, a timeout), the judge's pass becomes a failure naming
// that request.
func judge(c Check, o *Observation, runErr error) Outcome {
	if runErr != nil {
		var skipErr *skipError
		if errors.As(runErr, &skipErr) {
			return withCause(skip(skipErr.why), o)
		}
		return errored(runErr.Error())
	}
	if out, ok := setupProblem(c, o); ok {
		return out
	}
	if c.Judge == nil {
		return errored("check " + c.ID + " has no judge")
	}
	out := c.Judge(o)
	if out.Status == Pending || out.Status == Running {
		return errored("check " + c.ID + " was not decided")
	}
	if h, ok := unreachable(o); ok && !decidedBefore(out, h.Seq) {
		return Outcome{
			Status: Error, Cause: CauseDown,
			Got: "the endpoint stopped accepting connections during the scenario, so nothing could be judged: " + h.Err.Error(),
			Fix: "Keep the endpoint running for the whole run (see the check that failed before this one for what brought it down), then run again.",
		}
	}
	why, seq := passWithoutEvidence(o)
	switch {
	case why == "":
	case out.Status == Pass:
		f := fail("a complete HTTP answer to every request the check is judged on", why+" (a check passes only on what the endpoint answered)")
		if seq > 0 {
			f.Hops = []int{seq}
		}
		return f
	}
	return withCause(out, o)
}

// withCause adds to a verdict the judge reached without an answer what the endpoint did to the
// request that went unanswered: the first cause, not only its consequence ("no token request
// reached HubSpot", "the step never ran").
func withCause(out Outcome, o *Observation) Outcome {
	if out.Status == Pass || out.Cause != CauseEndpoint {
		return out
	}
	if why, _ := passWithoutEvidence(o); why != "" && !strings.Contains(out.Got, why) {
		out.Got += " [" + why + "]"
	}
	return out
}

// unreachable returns the first hop whose request to the target's own URLs found nothing
// accepting connections (refused, or a host name that does not resolve). The preflight rules
// that out at the start, so mid-run it means the endpoint went down. A redirect to some other
// host that cannot be reached is the endpoint sending the browser there: the judges decide it
// as a failure.
func unreachable(o *Observation) (HopRecord, bool) {
	origins := targetOrigins(o.Target)
	for _, st := range o.Steps {
		h, ok := brokenHop(st)
		if !ok || !origins[originKey(h.URL)] {
			continue
		}
		var dns *net.DNSError
		if errors.Is(h.Err, syscall.ECONNREFUSED) || errors.As(h.Err, &dns) {
			return h, true
		}
	}
	return HopRecord{}, false
}

// decidedBefore reports whether out is a failure the evidence decided before hop seq: every hop
// it cites came earlier. Such a verdict stands whatever happened to the endpoint afterwards.
func decidedBefore(out Outcome, seq int) bool {
	if out.Status != Fail || out.Cause != CauseEndpoint || len(out.Hops) == 0 {
		return false
	}
	for _, h := range out.Hops {
		if h >= seq {
			return false
		}
	}
	return true
}
