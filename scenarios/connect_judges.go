package scenarios

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/hsemu/hsemu/emulator"
)

// authorizePath matches HubSpot's authorization paths: /oauth/authorize and
// /oauth/{hubId}/authorize
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth).
var authorizePath = regexp.MustCompile(`^/oauth/(\d+/)?authorize$`)

// authorizeHop finds the request to HubSpot's authorization page among a step's hops.
func authorizeHop(st *Step) (HopRecord, bool) {
	if st == nil {
		return HopRecord{}, false
	}
	for _, h := range st.Hops {
		if isHubSpotURL(h.URL) && authorizePath.MatchString(h.URL.Path) {
			return h, true
		}
	}
	return HopRecord{}, false
}

// authorizeURLProblem checks the authorization request by HubSpot's rules (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth) and
// says what is wrong, in HubSpot's words where HubSpot has them, or "".
func authorizeURLProblem(u *url.URL, app emulator.App) string {
	if !authorizePath.MatchString(u.Path) {
		return fmt.Sprintf("the path %s is not /oauth/authorize or /oauth/{hubId}/authorize", u.Path)
	}
	q := u.Query()
	for k, vs := range q {
		if len(vs) > 1 {
			return fmt.Sprintf("%s is given %d times; HubSpot refuses repeated parameters (RFC 6749 §3.1)", k, len(vs))
		}
	}
	if id := q.Get("client_id"); id != app.ClientID {
		return fmt.Sprintf("client_id is %q, not the app's %q", id, app.ClientID)
	}
	if p := redirectURIProblem(q.Get("redirect_uri"), app.RedirectURLs); p != "" {
		return p
	}
	in := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	scope, optional := strings.Fields(q.Get("scope")), strings.Fields(q.Get("optional_scope"))
	for _, r := range app.RequiredScopes {
		if !in(scope, r) {
			return fmt.Sprintf("the required scope %s is not in scope (%q): HubSpot shows %q", r, q.Get("scope"), emulator.TextScopesInsufficient)
		}
	}
	for _, sc := range scope {
		switch {
		case in(app.RequiredScopes, sc), in(app.ConditionallyRequiredScopes, sc):
		case in(app.OptionalScopes, sc):
			return fmt.Sprintf("the optional scope %s is in scope, not in optional_scope: HubSpot shows %q", sc, emulator.TextScopesMismatch)
		default:
			return fmt.Sprintf("the scope %s is not configured on the app: HubSpot shows %q", sc, emulator.TextScopesMismatch)
		}
	}
	for _, sc := range optional {
		switch {
		case in(app.OptionalScopes, sc):
		case in(app.RequiredScopes, sc):
			return fmt.Sprintf("the required scope %s is in optional_scope: HubSpot shows %q", sc, emulator.TextScopesInsufficient)
		default:
			return fmt.Sprintf("optional_scope names %s, which is not an optional scope of the app: HubSpot shows %q", sc, emulator.TextScopesMismatch)
		}
	}
	return ""
}

// redirectURIProblem checks a redirect_uri: present, one of the app's redirect URLs, https
// unless on localhost, and a domain rather than an IP address
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth).
func redirectURIProblem(raw string, registered []string) string {
	if raw == "" {
		return "redirect_uri is missing"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("redirect_uri %q is not an absolute URL", raw)
	}
	host := u.Hostname()
	switch {
	case net.ParseIP(host) != nil:
		return fmt.Sprintf("redirect_uri %q names an IP address; HubSpot: \"You also must use a domain, as IP addresses are not supported\"", raw)
	case u.Scheme != "https" && !(u.Scheme == "http" && strings.EqualFold(host, "localhost")):
		return fmt.Sprintf("redirect_uri %q is not https (http is allowed only for localhost)", raw)
	}
	for _, r := range registered {
		if r == raw {
			return ""
		}
	}
	return fmt.Sprintf("redirect_uri %q is not one of the app's redirect URLs %v (they must match exactly)", raw, registered)
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
	seen := map[string]bool{}
	for _, s := range o.States {
		if seen[s] {
			return fail("a new state for every connect", fmt.Sprintf("the state %q was sent twice", excerpt(s, 40)))
		}
		seen[s] = true
	}
	if bits := stateBits(o.States); bits < 128 {
		return fail("at least 128 bits of randomness", fmt.Sprintf("about %.0f bits (estimated from %d states, e.g. %q)", bits, len(o.States), excerpt(o.States[0], 40)))
	}
	return pass(fmt.Sprintf("%d distinct states, about %.0f bits each (estimated)", len(o.States), stateBits(o.States)))
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
