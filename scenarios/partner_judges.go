package scenarios

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
)

// judgeSignsIn judges partner/authorize/signs-in: step=authorize showed a sign-in that was
// submitted (or the browser was already signed in). A form hsemu was not told how to fill is an
// error of the setup, never a pass.
func judgeSignsIn(o *Observation) Outcome {
	st := o.Step(stepAuthorize)
	if st == nil {
		return o.missing(stepAuthorize)
	}
	if h, ok := serverError(st); ok {
		return fail("a sign-in page", fmt.Sprintf("HTTP %d at %s", h.Status, h.URL), h.Seq)
	}
	if len(st.Hops) > 0 {
		first := st.Hops[0]
		if first.Status >= 400 {
			return fail("a sign-in page", fmt.Sprintf("the install URL answered HTTP %d", first.Status), first.Seq)
		}
	}
	if st.CredentialHop == 0 {
		if st.State != "" {
			return pass("the browser was already signed in (given cookies) and went straight back with a state")
		}
		if st.Page != nil && st.Page.Stopped {
			return fail("a sign-in page, not a return to HubSpot without a state", "went back to "+st.Page.URL.String()+" with no sign-in and no state")
		}
		if st.Err != nil {
			return fail("a sign-in page", st.Err.Error())
		}
		if st.Page != nil && len(st.Page.Forms) > 0 {
			// The endpoint showed a form; hsemu was not told how to fill it. That is
			// the setup's problem, not the endpoint's: an error, so the run cannot pass.
			return errored("hsemu could not sign in: " + st.Note + " — give --login name=value for the form's fields (or --cookie for a signed-in session)")
		}
		return fail("a sign-in page", st.Note)
	}
	return pass("a sign-in form was shown and submitted")
}

// judgeAuthorizeFrameable judges partner/authorize/frameable: the pages the install URL itself
// showed at step=authorize may be framed by HubSpot.
func judgeAuthorizeFrameable(o *Observation) Outcome {
	st := o.Step(stepAuthorize)
	if st == nil {
		return o.missing(stepAuthorize)
	}
	u, _ := url.Parse(o.Target.InstallURL)
	return judgeFrameable([]*Step{st}, u.Path)
}

// judgeCookiesCrossSite judges partner/authorize/cookies-cross-site: every cookie the endpoint set
// during the install that HubSpot's frame would send back at finalize (one the install URL
// receives) is SameSite=None; Secure. A deletion (an expired or Max-Age=0 cookie, as
// res.clearCookie sends) never crosses anything, and a cookie the install URL never receives
// (another host or path) is not needed in the frame.
func judgeCookiesCrossSite(o *Observation) Outcome {
	if o.Step(stepAuthorize) == nil {
		return o.missing(stepAuthorize)
	}
	install, err := url.Parse(o.Target.InstallURL)
	if err != nil {
		return errored("the install URL does not parse: " + err.Error())
	}
	n, ignored := 0, 0
	for _, h := range o.Hops {
		if isHubSpotURL(h.URL) {
			continue
		}
		for _, c := range h.SetCookies {
			if deletion(c) || !sentTo(c, h.URL, install) {
				ignored++
				continue
			}
			n++
			if c.SameSite != http.SameSiteNoneMode || !c.Secure {
				return fail("every cookie the install URL receives in HubSpot's frame is SameSite=None; Secure",
					fmt.Sprintf("%s sets cookie %q with %s; the finalize request in HubSpot's frame would not carry it", h.URL, c.Name, cookieAttrs(c)), h.Seq)
			}
		}
	}
	also := ""
	if ignored > 0 {
		also = fmt.Sprintf(" (%d other cookie(s) were deletions or are never sent to the install URL)", ignored)
	}
	if n == 0 {
		return pass("the endpoint set no cookie the install URL receives" + also)
	}
	return pass(fmt.Sprintf("all %d cookie(s) the install URL receives are SameSite=None; Secure%s", n, also))
}

// droppedCookies names the cookies the endpoint set during the sign-in before finalize (the
// nearest step=authorize step before it), for the install URL, that the first request of
// finalize (in HubSpot's frame) did not carry: a session the frame
// lost (not SameSite=None; Secure, or third-party cookies blocked). It is "" when the request
// carried them all, or none was set. A finalize that depends on one of them (a state kept in a
// session) fails for that reason, not for its token request: exchanges-code and the state checks
// say so with it.
func droppedCookies(o *Observation, finalize *Step) string {
	if finalize == nil || len(finalize.Hops) == 0 {
		return ""
	}
	install, err := url.Parse(o.Target.InstallURL)
	if err != nil {
		return ""
	}
	var signIn *Step
	for _, st := range o.Steps {
		if st == finalize {
			break
		}
		if strings.HasPrefix(string(st.Name), string(stepAuthorize)) {
			signIn = st
		}
	}
	if signIn == nil {
		return ""
	}
	first := finalize.Hops[0]
	var dropped []string
	for _, h := range signIn.Hops {
		if isHubSpotURL(h.URL) {
			continue
		}
		for _, c := range h.SetCookies {
			if deletion(c) || !sentTo(c, h.URL, install) || slices.Contains(first.SentCookies, c.Name) || slices.Contains(dropped, c.Name) {
				continue
			}
			dropped = append(dropped, fmt.Sprintf("%q (%s)", c.Name, cookieAttrs(c)))
		}
	}
	if len(dropped) == 0 {
		return ""
	}
	return "the finalize request in HubSpot's frame carried no cookie " + strings.Join(dropped, ", ") +
		" that the endpoint set during the sign-in: if the endpoint keeps the state or the user in that session, it cannot find them (send the cookie SameSite=None; Secure, or better, find the user from the state's server-side record)"
}

// deletion reports whether a Set-Cookie deletes the cookie: Max-Age=0 (or negative), or an
// Expires date in the past.
func deletion(c *http.Cookie) bool {
	if c.MaxAge < 0 {
		return true
	}
	return !c.Expires.IsZero() && c.Expires.Before(time.Now())
}

// sentTo reports whether a cookie set by a response from setBy is sent with requests to u
// (RFC 6265 §5.4: domain and path match; Secure is judged separately).
func sentTo(c *http.Cookie, setBy, u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	if d := strings.TrimPrefix(strings.ToLower(c.Domain), "."); d != "" {
		if host != d && !strings.HasSuffix(host, "."+d) {
			return false
		}
	} else if !strings.EqualFold(setBy.Hostname(), host) {
		return false
	}
	p := c.Path
	if p == "" || !strings.HasPrefix(p, "/") {
		p = setBy.Path
		if i := strings.LastIndex(p, "/"); i > 0 {
			p = p[:i]
		} else {
			p = "/"
		}
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	return path == p || (strings.HasPrefix(path, p) && (strings.HasSuffix(p, "/") || path[len(p)] == '/'))
}

// judgeReturnsState judges partner/authorize/returns-state: the sign-in ended at its returnUrl,
// own query kept, with a state added.
func judgeReturnsState(o *Observation) Outcome {
	st := o.Step(stepAuthorize)
	if st == nil {
		return o.missing(stepAuthorize)
	}
	if st.CredentialHop == 0 && (st.Page == nil || !st.Page.Stopped) {
		return skip("no sign-in was completed, so nothing could return a state (see partner/authorize/signs-in)")
	}
	if out, ok := jsOnlyReturn(st); ok {
		return out
	}
	if st.Page == nil || !st.Page.Stopped {
		if st.Note != "" {
			return fail("back at the returnUrl with state added", st.Note)
		}
		ok, got := returned(st, st.Return)
		if !ok {
			return fail("back at the returnUrl with state added", got)
		}
	}
	if !sameReturn(st.Page.URL, st.Return) {
		return fail("back at "+st.Return.String()+" with state added and its own query kept", "went to "+st.Page.URL.String())
	}
	if st.State == "" {
		return fail("a state query parameter on the return", "returned to "+st.Page.URL.String()+" without state")
	}
	return pass("returned to HubSpot with a state")
}

// judgeStateStrength judges partner/authorize/state-strength: the sign-ins returned distinct
// states of at least 128 bits (estimated).
func judgeStateStrength(o *Observation) Outcome {
	if len(o.States) < 2 {
		return o.missing("sign-in")
	}
	return judgeStateSamples(o.States, "a new state for every sign-in", "came back twice")
}

// judgeNo307 judges partner/authorize/no-307-after-credentials: the sign-in POST was not answered
// 307 or 308.
func judgeNo307(o *Observation) Outcome {
	st := o.Step(stepAuthorize)
	if st == nil {
		return o.missing(stepAuthorize)
	}
	if st.CredentialHop == 0 {
		return skip("no sign-in form was submitted (the browser was already signed in, or no form was found)")
	}
	for _, h := range o.Hops {
		if h.Seq == st.CredentialHop {
			if h.Status == http.StatusTemporaryRedirect || h.Status == http.StatusPermanentRedirect {
				return fail("302 or 303 after the credentials POST", fmt.Sprintf("%d to %s: the browser re-sends the password there", h.Status, h.ResponseHeader.Get("Location")), h.Seq)
			}
			return pass(fmt.Sprintf("the sign-in POST was answered %d", h.Status))
		}
	}
	return errored("the sign-in POST's hop was not recorded")
}

// judgeConditionalScopes judges partner/authorize/conditional-scopes: the returned scope names
// only conditionally required scopes of the app, separated by spaces.
func judgeConditionalScopes(o *Observation) Outcome {
	st := o.Step(stepAuthorize)
	if st == nil {
		return o.missing(stepAuthorize)
	}
	if st.State == "" {
		return skip("the sign-in did not return to HubSpot (see partner/authorize/returns-state)")
	}
	if st.Scope == "" {
		return pass("no scope on the return: nothing conditional requested")
	}
	if msg := conditionalScopeProblem(st.Scope, o.Target.App); msg != "" {
		return fail("space-separated scopes, each declared conditionally required", msg)
	}
	return pass("scope " + st.Scope + " is conditionally required on the app")
}

// judgeNoCookieNeeded judges partner/finalize/no-cookie-needed: with no cookies in the frame, the
// endpoint still accepted the state and exchanged the code.
func judgeNoCookieNeeded(o *Observation) Outcome {
	st := o.Step(stepFinalizeNoCookies)
	if st == nil {
		return o.missing(stepFinalize)
	}
	// Whether the exchange itself is right, and where the user is sent, are the
	// exchanges-code and returns-to-hubspot checks' business; this one asks only
	// whether the endpoint accepted the state without a cookie and went on.
	if out, ok := jsOnlyNoExchange(st); ok {
		return out
	}
	if exs := codeExchanges(st.Exchanges); len(exs) == 0 {
		got := "the endpoint did not exchange the code when the frame sent no cookies"
		if h, ok := serverError(st); ok {
			got += fmt.Sprintf(" (HTTP %d at %s)", h.Status, h.URL)
		}
		return fail("the install goes on with no cookies in the frame: the state alone names the user", got)
	}
	return pass("the endpoint accepted the state and exchanged the code with no cookies in the frame")
}

// judgeStateRejected is the judge of the state checks: for every finalize with a bad state, no
// token request for its code, and the user back at that request's returnUrl; and, as evidence
// that the refusal was about the state, the scenario's control (control names it: a finalize
// with the genuine state) exchanged its code.
func judgeStateRejected(o *Observation, prefix, control StepName, what string) Outcome {
	steps := o.StepsNamed(prefix)
	if len(steps) == 0 {
		return o.missing(prefix)
	}
	var js *Outcome
	for _, st := range steps {
		if exs := codeExchanges(st.Exchanges); len(exs) > 0 {
			return fail("no token exchange for a finalize with "+what+": \"If you are not able to verify the state token, do not complete the installation.\"",
				fmt.Sprintf("%s: the endpoint exchanged the code (%s)", st.Name, outcomes(exs)))
		}
		if h, ok := serverError(st); ok {
			out := fail("no error page; the user is sent back to the returnUrl", fmt.Sprintf("%s: the endpoint refused the state, then answered HTTP %d at %s", st.Name, h.Status, h.URL), h.Seq)
			out.Fix = fixRefusedReturn
			return out
		}
		if out, ok := jsOnlyReturn(st); ok {
			if js == nil {
				js = &out
			}
			continue
		}
		if ok, got := returned(st, st.Return); !ok {
			out := fail("the user is sent back to the returnUrl, even when the state cannot be verified (\"Redirect the customer to the returnUrl. Without this step, the user will be stuck in an infinite login loop\")",
				string(st.Name)+": the endpoint refused the state (no exchange) but did not return to HubSpot: "+got)
			out.Fix = fixRefusedReturn
			return out
		}
	}
	ctl := o.Step(control)
	switch {
	case ctl == nil:
		return errored(fmt.Sprintf("the control finalize with a genuine state never ran, so nothing shows that the refusal of %s was about the state", what))
	case js != nil && len(codeExchanges(ctl.Exchanges)) == 0:
		// A single-page app: neither the refusal nor the control's exchange happened in a
		// browser that runs no script.
		return *js
	case len(codeExchanges(ctl.Exchanges)) == 0:
		got := fmt.Sprintf("the endpoint refused %s, but it also refused the genuine state of a fresh sign-in (%s exchanged no code): it rejects every state, so its refusing this one proves nothing", what, ctl.Name)
		if why := droppedCookies(o, ctl); why != "" {
			got += "; " + why
		}
		out := errored(got)
		out.Fix = "Make the install with the state you issued work first (see partner/finalize/exchanges-code): look the state up as issued; if it lives in a session, HubSpot's frame may not send the session's cookie (see partner/authorize/cookies-cross-site and partner/finalize/no-cookie-needed)."
		return out
	}
	out := withFraming(pass(fmt.Sprintf("%d finalize(s) with %s: no exchange, back at HubSpot; the genuine state was accepted", len(steps), what)), steps)
	if js != nil && out.Status == Pass {
		return *js
	}
	return out
}

// fixRefusedReturn is the fix of a state check whose state was refused as it should be, but
// whose user was not sent back to HubSpot.
const fixRefusedReturn = "Keep refusing the state, but then redirect (302/303) to the finalize request's returnUrl, as for a completed install; never end at an error page of your own."

// conditionalScopeProblem checks a returned scope parameter by HubSpot's rules and answers with
// HubSpot's own error text, or "" (hubspot.ConditionalScopeProblem).
func conditionalScopeProblem(scope string, app emulator.App) string {
	return hubspot.ConditionalScopeProblem(scope, app.Auth().AppScopes)
}

func cookieAttrs(c *http.Cookie) string {
	var attrs []string
	switch c.SameSite {
	case http.SameSiteNoneMode:
		attrs = append(attrs, "SameSite=None")
	case http.SameSiteLaxMode:
		attrs = append(attrs, "SameSite=Lax")
	case http.SameSiteStrictMode:
		attrs = append(attrs, "SameSite=Strict")
	default:
		attrs = append(attrs, "no SameSite (browsers treat it as Lax)")
	}
	if c.Secure {
		attrs = append(attrs, "Secure")
	} else {
		attrs = append(attrs, "no Secure")
	}
	return strings.Join(attrs, ", ")
}
