package scenarios

import "fmt"

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
