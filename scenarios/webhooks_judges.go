package scenarios

import (
	"fmt"
	"time"
)

// judgeAcceptsSigned: the receiver answered a delivery HubSpot signed correctly with a 2xx in time.
func judgeAcceptsSigned(o *Observation) Outcome {
	st := o.Step(stepDeliverySigned)
	if st == nil {
		return o.missing(stepDeliverySigned)
	}
	h, ok := deliveryHop(st)
	switch {
	case !ok:
		return errored("the delivery made no request")
	case h.Err != nil:
		return fail("a 2xx answer within "+budgetText(o), "the receiver did not answer: "+h.Err.Error()+"; HubSpot would retry the batch", h.Seq)
	case h.Status < 200 || h.Status > 299:
		return fail("a 2xx answer within "+budgetText(o), fmt.Sprintf("HTTP %d%s: the receiver refused a delivery HubSpot signed correctly (check the client secret and that the URI signed is the full URL HubSpot calls)", h.Status, answerText(h)), h.Seq)
	}
	return pass(fmt.Sprintf("HTTP %d in %s", h.Status, h.Duration.Round(time.Millisecond)))
}

// deliveryHop is the request a delivery step made.
func deliveryHop(st *Step) (HopRecord, bool) {
	for _, h := range st.Hops {
		if h.How == webhookHow {
			return h, true
		}
	}
	return HopRecord{}, false
}

// judgeRejected passes when the receiver answered every named delivery with a 4xx.
func judgeRejected(o *Observation, steps ...StepName) Outcome {
	var seqs []int
	for _, name := range steps {
		st := o.Step(name)
		if st == nil {
			return o.missing(name)
		}
		h, ok := deliveryHop(st)
		if !ok {
			return errored("the " + string(name) + " step made no request")
		}
		seqs = append(seqs, h.Seq)
		const want = "a 4xx answer (401 for a signature that does not verify)"
		switch {
		case h.Err != nil:
			return fail(want, string(name)+": the receiver did not answer: "+h.Err.Error(), h.Seq)
		case h.Status >= 200 && h.Status <= 299:
			return fail(want, fmt.Sprintf("%s: HTTP %d%s: the receiver accepted a batch HubSpot never signed", name, h.Status, answerText(h)), h.Seq)
		case h.Status < 400 || h.Status > 499:
			return fail(want, fmt.Sprintf("%s: HTTP %d%s", name, h.Status, answerText(h)), h.Seq)
		}
	}
	return Outcome{Status: Pass, Got: fmt.Sprintf("rejected with 4xx (%d deliveries)", len(steps)), Hops: seqs}
}

// answerText quotes the start of a receiver's answer.
func answerText(h HopRecord) string {
	if t := excerpt(string(h.Body), 120); t != "" {
		return fmt.Sprintf(" %q", t)
	}
	return ""
}

func budgetText(o *Observation) string { return webhookBudget(o.Options).String() }
