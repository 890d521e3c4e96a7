package scenarios

import (
	"fmt"
	"strings"
)

// judgeConcurrentInstalls: every concurrent install exchanged exactly its own code and returned
// to its own returnUrl (told apart by HubSpot's installId); an install sent to another one's
// returnUrl is named as a mix-up.
func judgeConcurrentInstalls(o *Observation) Outcome {
	steps := o.StepsNamed(stepFinalizeConcurrent)
	if len(steps) == 0 {
		return o.missing(stepFinalizeConcurrent)
	}
	byInstall := map[string]StepName{}
	for _, st := range steps {
		if st.Return != nil {
			byInstall[st.Return.Query().Get("installId")] = st.Name
		}
	}
	var wrong []string
	var hops []int
	mixups := 0
	for _, st := range steps {
		problem, mixup := concurrentProblem(o, st, byInstall)
		if mixup {
			mixups++
		}
		if problem == "" {
			continue
		}
		wrong = append(wrong, string(st.Name)+": "+problem)
		if len(st.Hops) > 0 {
			hops = append(hops, st.Hops[len(st.Hops)-1].Seq)
		}
	}
	if len(wrong) == 0 {
		return pass(fmt.Sprintf("%d installs at once: each exchanged its own code once and returned to its own returnUrl", len(steps)))
	}
	const shown = 5
	got := fmt.Sprintf("%d of %d installs went wrong", len(wrong), len(steps))
	if mixups > 0 {
		got += fmt.Sprintf(" (%d sent to another install's returnUrl)", mixups)
	}
	if len(wrong) > shown {
		wrong = append(wrong[:shown], fmt.Sprintf("and %d more", len(wrong)-shown))
	}
	if len(hops) > shown {
		hops = hops[:shown]
	}
	return fail("every install exchanges its own code once and returns to its own returnUrl", got+": "+strings.Join(wrong, "; "), hops...)
}

// concurrentProblem says what went wrong with one concurrent install, or "" when nothing did;
// mixup is true when it returned to another install's returnUrl (byInstall: installId to step).
func concurrentProblem(o *Observation, st *Step, byInstall map[string]StepName) (problem string, mixup bool) {
	if n := len(codeExchanges(st.Exchanges)); n != 1 {
		return fmt.Sprintf("its code was exchanged %d times, not once", n), false
	}
	if p := exchangeProblem(st, o.Target); p != "" {
		return p, false
	}
	ok, got := returned(st, st.Return)
	if ok {
		return "", false
	}
	if st.Page == nil || !st.Page.Stopped || st.Page.URL == nil {
		return got, false
	}
	if other, found := byInstall[st.Page.URL.Query().Get("installId")]; found && other != st.Name {
		return fmt.Sprintf("it returned to the returnUrl of %s (another portal's install): installs are mixed up", other), true
	}
	return got, false
}

// judgePartnerConcurrent: the concurrent installs stayed apart, and the finalize with another
// install's state exchanged nothing.
func judgePartnerConcurrent(o *Observation) Outcome {
	out := judgeConcurrentInstalls(o)
	if out.Status != Pass {
		return out
	}
	st := o.Step(stepFinalizeSwapped)
	if st == nil {
		return o.missing(stepFinalizeSwapped)
	}
	if exs := codeExchanges(st.Exchanges); len(exs) > 0 {
		var hops []int
		if len(st.Hops) > 0 {
			hops = append(hops, st.Hops[0].Seq)
		}
		return fail("no token exchange for a finalize with another install's state",
			fmt.Sprintf("%s: the endpoint exchanged the code (%s): a portal would be linked to the account that signed in for another install", st.Name, outcomes(exs)), hops...)
	}
	return pass(out.Got + "; a finalize with another install's state exchanged nothing")
}
