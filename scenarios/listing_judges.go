package scenarios

import (
	"fmt"
	"strings"
)

// judgeHTTPS: every URL of the app answered a TLS handshake with a certificate a browser trusts.
func judgeHTTPS(o *Observation) Outcome {
	steps := o.StepsNamed(stepHTTPS)
	if len(steps) == 0 {
		return o.missing("https")
	}
	for _, st := range steps {
		if st.Err != nil {
			return fail("https with a valid certificate", st.Err.Error())
		}
	}
	return pass(fmt.Sprintf("%d URL(s) on https with a valid certificate", len(steps)))
}

// judgeAppConfig: the app configuration has none of the problems a listing refuses.
func judgeAppConfig(o *Observation) Outcome {
	st := o.Step(stepAppConfig)
	if st == nil {
		return o.missing(stepAppConfig)
	}
	if st.Note != "" {
		return fail("an app configuration a listing accepts", st.Note)
	}
	return pass(st.URL + " is ready for a listing")
}

// judgeListingTokenEndpoint judges listing/current-token-endpoint: no exchange of the install, nor
// of the connect flow when there is one, on the v1 token endpoint.
func judgeListingTokenEndpoint(o *Observation) Outcome {
	var (
		passed []string
		out    Outcome
	)
	for _, name := range []StepName{stepFinalize, stepCallback} {
		st := o.Step(name)
		if st == nil {
			continue
		}
		v := judgeCurrentEndpoint(st)
		switch v.Status {
		case Fail:
			v.Got = string(name) + ": " + v.Got
			return v
		case Pass:
			passed = append(passed, string(name)+" "+v.Got)
		default:
			out = v
		}
	}
	if len(passed) == 0 {
		if out.Status == Pending {
			return o.missing(stepFinalize)
		}
		return out
	}
	return pass(strings.Join(passed, "; "))
}
