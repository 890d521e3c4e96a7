package scenarios

import (
	"fmt"
	"slices"
	"strings"
)

// The judges of a normal install's checks (installChecks), shared by the seamless and the
// partner flow.

// judgeExchangesCode: the code of the finalize step was exchanged as HubSpot requires. Set-up
// mistakes (credentials that differ, an app not pointed at the emulator) are told apart before
// it runs (setup.go); a finalize that got none of the sign-in's cookies gets the fix for that.
func judgeExchangesCode(o *Observation, step StepName) Outcome {
	st := o.Step(step)
	if st == nil {
		return o.missing(step)
	}
	if out, ok := jsOnlyNoExchange(st); ok {
		return out
	}
	if p := exchangeProblem(st, o.Target); p != "" {
		out := fail("one token request for the code, as HubSpot's token endpoint requires", p)
		if len(codeExchanges(st.Exchanges)) == 0 {
			if why := cookiesLeftBehind(o, st); why != "" {
				out.Got += "; " + why
				out.Fix = "Do not depend on a cookie at finalize: HubSpot's frame does not send the sign-in's cookies (a SameSite=Lax/Strict cookie, or any cookie when third-party cookies are blocked). Find the user by the state you stored server-side at sign-in (HubSpot: store the state against the user), then exchange the code. See partner/authorize/cookies-cross-site."
			}
		}
		return out
	}
	return pass("the code was exchanged on " + codeExchanges(st.Exchanges)[0].Path)
}

// jsOnlyNoExchange is the verdict on a step that sent no token request and whose last page
// navigates only with JavaScript: a single-page app posts the code to its backend from that
// script, which the http engine does not run, so the missing exchange is no evidence against the
// endpoint. It is an error of the engine, as jsOnlyReturn's; ok is false when the step exchanged
// a code or its end needs no script.
func jsOnlyNoExchange(st *Step) (out Outcome, ok bool) {
	if st == nil || len(codeExchanges(st.Exchanges)) > 0 {
		return Outcome{}, false
	}
	if _, ok := jsOnlyReturn(st); !ok {
		return Outcome{}, false
	}
	p := st.Page
	return undecided(fmt.Sprintf("%s: no token request reached HubSpot while the page at %s (HTTP %d) was loaded, and that page runs a script that navigates (%s); a single-page app exchanges the code from its script (through its backend), which the http engine does not run, so it cannot tell whether the code is exchanged",
		st.Name, p.URL.Path, p.Status, excerpt(p.JSRedirectSnippet, 120)), fixJSEngine), true
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

// cookiesLeftBehind says which cookies the sign-in set that the finalize request in HubSpot's
// frame did not carry, or "" when it carried them all (or there was no sign-in).
func cookiesLeftBehind(o *Observation, finalize *Step) string {
	signIn := o.Step(stepAuthorize)
	if signIn == nil || len(finalize.Hops) == 0 {
		return ""
	}
	sent := map[string]bool{}
	for _, n := range finalize.Hops[0].SentCookies {
		sent[n] = true
	}
	var missing []string
	for _, h := range signIn.Hops {
		if h.URL == nil || isHubSpotURL(h.URL) {
			continue
		}
		for _, c := range h.SetCookies {
			if c.MaxAge >= 0 && c.Value != "" && !sent[c.Name] && !slices.Contains(missing, c.Name) {
				missing = append(missing, c.Name)
			}
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "the sign-in set the cookie(s) " + strings.Join(missing, ", ") + ", which the finalize request in HubSpot's frame did not carry"
}
