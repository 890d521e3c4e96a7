package scenarios

import (
	"fmt"
	"net/url"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
)

// authorizeHop finds the request to HubSpot's authorization page among a step's hops.
func authorizeHop(st *Step) (HopRecord, bool) {
	if st == nil {
		return HopRecord{}, false
	}
	for _, h := range st.Hops {
		if isHubSpotURL(h.URL) && hubspot.IsAuthorizePath(h.URL.Path) {
			return h, true
		}
	}
	return HopRecord{}, false
}

// authorizeURLProblem checks the authorization request by HubSpot's rules
// (hubspot.AuthorizeURLProblem) and says what HubSpot would refuse, or "".
func authorizeURLProblem(u *url.URL, app emulator.App) string {
	return hubspot.AuthorizeURLProblem(u, app.Auth())
}

// judgeCodelessCallback judges a callback that carries no code (an error, or nothing): a page,
// no 5xx, no token request. Its scenario runs alone, so any token request is its orphan.
func judgeCodelessCallback(o *Observation, step StepName, what string) Outcome {
	st := o.Step(step)
	if st == nil {
		return o.missing(step)
	}
	if h, ok := serverError(st); ok {
		return fail("no 5xx for "+what, fmt.Sprintf("HTTP %d at %s", h.Status, h.URL), h.Seq)
	}
	if exs := codeExchanges(st.Orphans); len(exs) > 0 {
		return fail("no token request for a callback without a code", fmt.Sprintf("%d token request(s) arrived (%s)", len(exs), outcomes(exs)))
	}
	if st.Err != nil {
		return fail("a page, not a hang or a loop", st.Err.Error())
	}
	return pass(what + " got a page, no 5xx and no token request")
}

// judgeAuthorizeURL judges connect/authorize-url: the connect URL sent the browser to HubSpot's
// authorization page with a URL HubSpot accepts.
func judgeAuthorizeURL(o *Observation) Outcome {
	st := o.Step(stepStart)
	if st == nil {
		return o.missing(stepStart)
	}
	h, ok := authorizeHop(st)
	if !ok {
		got := "the connect URL never sent the browser to HubSpot's /oauth/authorize"
		if p := st.Page; p != nil {
			got += fmt.Sprintf("; it ended at %s (HTTP %d)", p.URL, p.Status)
		}
		if st.Err != nil {
			got += ": " + st.Err.Error()
		}
		return fail("a redirect to https://app.hubspot.com/oauth/authorize", got)
	}
	if p := authorizeURLProblem(h.URL, o.Target.App); p != "" {
		return fail("an authorization URL HubSpot accepts", p, h.Seq)
	}
	return pass("sent to " + h.URL.Path + " with the app's client_id, a registered redirect_uri and the right scopes")
}

// judgeConnectState judges connect/state: every start sent a state, never the same twice, with
// at least 128 bits of randomness (estimated).
func judgeConnectState(o *Observation) Outcome {
	starts := o.StepsNamed(stepStartNth)
	if len(starts) == 0 {
		return o.missing(stepStart)
	}
	for _, st := range starts {
		if _, ok := authorizeHop(st); !ok {
			return skip("the connect URL never reached HubSpot's /oauth/authorize (see connect/authorize-url)")
		}
		if st.State == "" {
			return fail("a state on the authorization URL", string(st.Name)+": the authorization URL carries no state")
		}
	}
	return judgeStateSamples(o.States, "a new state for every connect", "was sent twice")
}

// judgeCallback judges connect/callback: the callback exchanged its code with the authorization
// request's redirect_uri, HubSpot accepted it, and the user saw a page.
func judgeCallback(o *Observation) Outcome {
	st := o.Step(stepCallback)
	if st == nil {
		return o.missing(stepCallback)
	}
	var sent string
	if h, ok := authorizeHop(o.Step(stepStart)); ok {
		sent = h.URL.Query().Get("redirect_uri")
	}
	exs := codeExchanges(st.Exchanges)
	if len(exs) == 0 {
		return fail("a token request for the code", "the callback never exchanged the code")
	}
	e := exs[0]
	if e.RedirectURI != sent {
		return fail("the exchange's redirect_uri exactly the authorization request's", fmt.Sprintf("the exchange sent redirect_uri %q; the authorization request had %q", e.RedirectURI, sent))
	}
	if e.Outcome != "" {
		return fail("an exchange HubSpot accepts", fmt.Sprintf("HubSpot answered %d %s: %s", e.Status, e.Outcome, e.Message))
	}
	if h, ok := serverError(st); ok {
		return fail("a success page, no 5xx", fmt.Sprintf("HTTP %d at %s", h.Status, h.URL), h.Seq)
	}
	if st.Err != nil {
		return fail("a success page", "the browser could not finish: "+st.Err.Error())
	}
	if p := st.Page; p != nil && !p.Stopped && p.Status >= 400 {
		return fail("a success page", fmt.Sprintf("the callback ended on HTTP %d at %s (%q)", p.Status, p.URL, p.Title))
	}
	return pass("the code was exchanged on " + e.Path + " with the same redirect_uri, and the user saw a page")
}

// judgeConnectExchangeFails judges connect/exchange-fails: whatever HubSpot's token endpoint
// answered, the callback showed the user a page: no 5xx, no hang.
func judgeConnectExchangeFails(o *Observation) Outcome {
	steps := o.StepsNamed(stepCallbackFaulted)
	if len(steps) == 0 {
		return o.missing(stepCallbackFaulted)
	}
	for _, st := range steps {
		if len(codeExchanges(st.Exchanges)) == 0 {
			return skip(string(st.Name) + ": the callback never exchanged its code, so its failure was never seen (see connect/callback)")
		}
		if h, ok := serverError(st); ok {
			return fail("a page that says the connection failed, no 5xx", fmt.Sprintf("%s: HTTP %d at %s", st.Name, h.Status, h.URL), h.Seq)
		}
		if st.Err != nil {
			return fail("a page, not a hang or a loop", string(st.Name)+": "+st.Err.Error())
		}
		if st.Page == nil {
			return errored(string(st.Name) + ": no page was recorded")
		}
	}
	return pass(fmt.Sprintf("%d failed exchange(s): the callback answered each with a page, no 5xx", len(steps)))
}

// judgeCallbackBadState judges connect/callback-bad-state: no exchange for a callback whose
// state the app never sent.
func judgeCallbackBadState(o *Observation) Outcome {
	st := o.Step(stepCallbackWrongState)
	if st == nil {
		return o.missing(stepCallbackWrongState)
	}
	if exs := codeExchanges(st.Exchanges); len(exs) > 0 {
		return fail("no token exchange for a callback with the wrong state", fmt.Sprintf("the endpoint exchanged the code (%s)", outcomes(exs)))
	}
	return pass("the code of a callback with the wrong state was not exchanged")
}

// judgeStateSingleUse judges connect/state-single-use: a replayed callback gets no 5xx and no
// exchange.
func judgeStateSingleUse(o *Observation) Outcome {
	st := o.Step(stepCallbackReplayed)
	if st == nil {
		return o.missing(stepCallbackReplayed)
	}
	if h, ok := serverError(st); ok {
		return fail("no 5xx for a replayed callback", fmt.Sprintf("HTTP %d at %s", h.Status, h.URL), h.Seq)
	}
	if exs := codeExchanges(st.Exchanges); len(exs) > 0 {
		return fail("no token exchange for a callback whose state was already used", fmt.Sprintf("the endpoint exchanged the new code (%s)", outcomes(exs)))
	}
	return pass("the state of a finished connect was not accepted again")
}
