package scenarios

// The judges of a normal install's checks (installChecks), shared by the seamless and the
// partner flow.

// judgeExchangesCode: the code of the finalize step was exchanged as HubSpot requires.
func judgeExchangesCode(o *Observation, step StepName) Outcome {
	st := o.Step(step)
	if st == nil {
		return o.missing(step)
	}
	if p := exchangeProblem(st, o.Target); p != "" {
		return fail("one token request for the code, as HubSpot's token endpoint requires", p)
	}
	return pass("the code was exchanged on " + codeExchanges(st.Exchanges)[0].Path)
}

// judgeReturnsToHubSpot: the finalize step ended at its returnUrl (returnPhrase names it).
func judgeReturnsToHubSpot(o *Observation, step StepName, returnPhrase string) Outcome {
	st := o.Step(step)
	if st == nil {
		return o.missing(step)
	}
	if ok, got := returned(st, st.Return); !ok {
		return fail("the browser ends at "+returnPhrase, got)
	}
	return pass("returned to HubSpot's returnUrl")
}

// judgeInstallBudget: the whole install, the sign-in too, within the budgets.
func judgeInstallBudget(o *Observation, step StepName) Outcome {
	if o.Step(step) == nil {
		return o.missing(step)
	}
	return judgeBudget(o, o.Steps)
}
