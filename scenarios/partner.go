package scenarios

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// partnerInstall is HubSpot's install with partner sign-in, from step=authorize to finalize.
// It stops early, recording why in the observation, when a step leaves nothing to go on.
func partnerInstall(s *Session, b Engine, fault *emulator.Fault, finalizeName string) (signIn, finalize *Step, err error) {
	signIn = s.SignIn(b, "authorize")
	if signIn.State == "" {
		s.obs.Halt = signIn.noState()
		return signIn, nil, nil
	}
	code, err := s.Connect(signIn)
	if err != nil {
		if se, ok := err.(*skipError); ok {
			s.obs.Halt = se.why
			return signIn, nil, nil
		}
		return signIn, nil, err
	}
	if fault != nil {
		f := *fault
		f.Code = code
		s.Fault(f)
	}
	finalize = s.Finalize(b, finalizeName, code, signIn.State, true, s.ReturnURL("finalize"))
	return signIn, finalize, nil
}

func partnerScenarios() []Scenario {
	return []Scenario{
		{
			ID: "partner/install", Flow: Partner, Title: "A normal install with partner sign-in",
			Provokes: "step=authorize in a new window, the partner's sign-in, the return to HubSpot with state, then step=finalize with code and state in HubSpot's frame",
			Run: func(s *Session) error {
				_, _, err := partnerInstall(s, s.NewBrowser(s.opts.ThirdPartyCookies), nil, "finalize")
				return err
			},
		},
		{
			ID: "partner/state-strength", Flow: Partner, Title: "Several sign-ins, to compare their states",
			Provokes: "step=authorize and the sign-in, several times, each in a fresh browser",
			Run: func(s *Session) error {
				for i := 0; i < s.opts.StateSamples; i++ {
					if _, err := s.SignedIn(s.NewBrowser(s.opts.ThirdPartyCookies), fmt.Sprintf("authorize #%d", i+1)); err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			ID: "partner/state/tampered", Flow: Partner, Title: "Finalize with a tampered state",
			Provokes: "a real sign-in, then finalize with one character of the state changed (in each part of it)",
			Run: func(s *Session) error {
				b := s.NewBrowser(s.opts.ThirdPartyCookies)
				first, err := s.SignedIn(b, "authorize")
				if err != nil {
					return err
				}
				for i, pos := range tamperPositions(first.State) {
					st := first
					if i > 0 {
						if st, err = s.SignedIn(b, fmt.Sprintf("authorize #%d", i+1)); err != nil {
							return err
						}
					}
					code, err := s.Connect(st)
					if err != nil {
						return err
					}
					bad := tamper(st.State, pos)
					s.Finalize(b, fmt.Sprintf("finalize (state changed at %d)", pos), code, bad, true, s.ReturnURL("finalize"))
				}
				return nil
			},
		},
		{
			ID: "partner/state/missing", Flow: Partner, Title: "Finalize without a state",
			Provokes: "a real sign-in, then finalize with the code but no state",
			Run: func(s *Session) error {
				b := s.NewBrowser(s.opts.ThirdPartyCookies)
				st, err := s.SignedIn(b, "authorize")
				if err != nil {
					return err
				}
				code, err := s.Connect(st)
				if err != nil {
					return err
				}
				s.Finalize(b, "finalize (no state)", code, "", false, s.ReturnURL("finalize"))
				return nil
			},
		},
		{
			ID: "partner/state/replayed", Flow: Partner, Title: "Finalize with a state already used",
			Provokes: "a complete install, then a second finalize with a new code and the same state",
			Run: func(s *Session) error {
				b := s.NewBrowser(s.opts.ThirdPartyCookies)
				st, err := s.SignedIn(b, "authorize")
				if err != nil {
					return err
				}
				code, err := s.Connect(st)
				if err != nil {
					return err
				}
				first := s.Finalize(b, "finalize", code, st.State, true, s.ReturnURL("finalize"))
				if len(codeExchanges(first.Exchanges)) == 0 {
					return &skipError{why: "the first install with this state was never completed (no exchange), so there is nothing to replay; see partner/finalize/exchanges-code"}
				}
				code2, err := s.Connect(st)
				if err != nil {
					return err
				}
				s.Finalize(b, "finalize (state replayed)", code2, st.State, true, s.ReturnURL("finalize"))
				return nil
			},
		},
		{
			ID: "partner/state/foreign", Flow: Partner, Title: "Finalize with a state the endpoint never issued",
			Provokes: "a real sign-in, then finalize with a random state of the same shape",
			Run: func(s *Session) error {
				b := s.NewBrowser(s.opts.ThirdPartyCookies)
				st, err := s.SignedIn(b, "authorize")
				if err != nil {
					return err
				}
				code, err := s.Connect(st)
				if err != nil {
					return err
				}
				s.Finalize(b, "finalize (foreign state)", code, sameShape(st.State), true, s.ReturnURL("finalize"))
				return nil
			},
		},
		{
			ID: "partner/no-cookie", Flow: Partner, Title: "Finalize in a frame that gets no cookies",
			Provokes: "sign-in in a top-level window, then finalize framed under app.hubspot.com with third-party cookies blocked (Safari, Firefox)",
			Run: func(s *Session) error {
				_, fin, err := partnerInstall(s, s.NewBrowser(browser.ThirdPartyBlock), nil, "finalize (no cookies)")
				if err == nil && fin == nil {
					return &skipError{why: s.obs.Halt}
				}
				return err
			},
		},
		{
			ID: "partner/exchange-fails", Flow: Partner, Title: "HubSpot's token endpoint fails at finalize",
			Provokes: "three installs whose token request is answered 400 BAD_AUTH_CODE, 503, and only after a long stall",
			Run: func(s *Session) error {
				for _, f := range exchangeFaults(s.opts) {
					_, fin, err := partnerInstall(s, s.NewBrowser(s.opts.ThirdPartyCookies), &f.fault, "finalize ("+f.label+")")
					if err != nil {
						return err
					}
					if fin == nil {
						return &skipError{why: s.obs.Halt}
					}
				}
				return nil
			},
		},
	}
}

// tamperPositions picks where to change one character: the middle of each part of a JWS-like
// state (header, payload, signature), else its start, middle and end.
func tamperPositions(state string) []int {
	var pos []int
	add := func(p int) {
		for _, q := range pos {
			if q == p {
				return
			}
		}
		if p >= 0 && p < len(state) {
			pos = append(pos, p)
		}
	}
	if parts := strings.Split(state, "."); len(parts) == 3 {
		off := 0
		for _, part := range parts {
			if len(part) > 0 {
				add(off + len(part)/2)
			}
			off += len(part) + 1
		}
		return pos
	}
	add(0)
	add(len(state) / 2)
	add(len(state) - 2)
	return pos
}

// tamper changes the character at pos to another of the same kind.
func tamper(state string, pos int) string {
	b := []byte(state)
	c := b[pos]
	switch {
	case c >= '0' && c <= '8', c >= 'a' && c <= 'y', c >= 'A' && c <= 'Y':
		b[pos] = c + 1
	case c == '9':
		b[pos] = '0'
	case c == 'z':
		b[pos] = 'a'
	case c == 'Z':
		b[pos] = 'A'
	default:
		b[pos] = 'x'
	}
	return string(b)
}

// sameShape returns a random string with state's shape: the same length, each character
// replaced by a random one of its kind, separators kept.
func sameShape(state string) string {
	hex := alphabetBits(state) == 4
	for {
		b := []byte(state)
		for i, c := range b {
			switch {
			case hex && (c >= '0' && c <= '9' || c >= 'a' && c <= 'f'):
				b[i] = pick("0123456789abcdef")
			case hex && c >= 'A' && c <= 'F':
				b[i] = pick("0123456789ABCDEF")
			case c >= '0' && c <= '9':
				b[i] = pick("0123456789")
			case c >= 'a' && c <= 'z':
				b[i] = pick("abcdefghijklmnopqrstuvwxyz")
			case c >= 'A' && c <= 'Z':
				b[i] = pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
			}
		}
		if s := string(b); s != state {
			return s
		}
	}
}

func pick(alphabet string) byte {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
	if err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return alphabet[n.Int64()]
}

// judgeStateRejected is the judge of the state checks: for every finalize with a bad state, no
// token request for its code, and the user back at that request's returnUrl.
func judgeStateRejected(o *Observation, prefix, what string) Outcome {
	steps := o.StepsNamed(prefix)
	if len(steps) == 0 {
		return o.missing(prefix)
	}
	for _, st := range steps {
		if exs := codeExchanges(st.Exchanges); len(exs) > 0 {
			return fail("no token exchange for a finalize with "+what+": \"If you are not able to verify the state token, do not complete the installation.\"",
				fmt.Sprintf("%s: the endpoint exchanged the code (%s)", st.Name, outcomes(exs)))
		}
		if h, ok := serverError(st); ok {
			return fail("no error page; the user is sent back to the returnUrl", fmt.Sprintf("%s: HTTP %d at %s", st.Name, h.Status, h.URL), h.Seq)
		}
		if ok, got := returned(st, st.Return); !ok {
			return fail("the user is sent back to the returnUrl, even when the state cannot be verified", st.Name+": "+got)
		}
	}
	return pass(fmt.Sprintf("%d finalize(s) with %s: no exchange, back at HubSpot", len(steps), what))
}

func partnerChecks() []Check {
	authorize := func(o *Observation) *Step { return o.Step("authorize") }
	checks := []Check{
		{
			ID: "partner/authorize/signs-in", Level: Must, Flow: Partner, Scenario: "partner/install",
			Title:       "step=authorize shows a sign-in",
			Provokes:    "{install URL}?returnUrl=…&step=authorize in a new top-level window",
			Requirement: "Get the step and returnUrl from the URL parameters, then show a login form or page to authenticate the user.",
			Source:      srcInstallFlow,
			Fix:         "Answer step=authorize with your sign-in page (or a redirect to it); never with an error, and never return to HubSpot without a state.",
			Judge: func(o *Observation) Outcome {
				st := authorize(o)
				if st == nil {
					return o.missing("authorize")
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
			},
		},
		{
			ID: "partner/authorize/frameable", Level: Must, Flow: Partner, Scenario: "partner/install",
			Title:       "The install URL's own pages can be framed",
			Provokes:    "every page the install URL itself shows at step=authorize, judged as inside HubSpot's frame",
			Requirement: "Ensure that the endpoint handling the install flow can be framed by HubSpot in an embedded browser context. (Sign-in pages on other URLs open in a new window and need not be.)",
			Source:      srcInstallFlow + "; " + srcCSP3,
			Fix:         fixFrame,
			Judge: func(o *Observation) Outcome {
				st := authorize(o)
				if st == nil {
					return o.missing("authorize")
				}
				u, _ := url.Parse(o.Target.InstallURL)
				return judgeFrameable([]*Step{st}, u.Path)
			},
		},
		{
			ID: "partner/authorize/cookies-cross-site", Level: Must, Flow: Partner, Scenario: "partner/install",
			Title:       "Cookies survive HubSpot's frame",
			Provokes:    "every Set-Cookie the endpoint sends during the install",
			Requirement: "If you are using cookies, tag the cookies with SameSite=none (and Secure, without which browsers refuse SameSite=None).",
			Source:      srcInstallFlow + "; RFC 6265bis §5.4.7 SameSite",
			Fix:         "Send session cookies used during the install as `SameSite=None; Secure` (HttpOnly too); else they are lost in HubSpot's frame.",
			Judge: func(o *Observation) Outcome {
				if authorize(o) == nil {
					return o.missing("authorize")
				}
				n := 0
				for _, h := range o.Hops {
					if isHubSpotURL(h.URL) {
						continue
					}
					for _, c := range h.SetCookies {
						n++
						if c.SameSite != http.SameSiteNoneMode || !c.Secure {
							return fail("every cookie set during the install is SameSite=None; Secure",
								fmt.Sprintf("%s sets cookie %q with %s", h.URL, c.Name, cookieAttrs(c)), h.Seq)
						}
					}
				}
				if n == 0 {
					return pass("the endpoint set no cookies")
				}
				return pass(fmt.Sprintf("all %d cookie(s) are SameSite=None; Secure", n))
			},
		},
		{
			ID: "partner/authorize/returns-state", Level: Must, Flow: Partner, Scenario: "partner/install",
			Title:       "Returns to HubSpot with a state",
			Provokes:    "the sign-in completed",
			Requirement: "Add the state token you generated to the returnUrl as a query parameter … then redirect the user back to HubSpot. (The returnUrl's own query parameters are kept: HubSpot's example shows `?someHubSpotParam=returnUrlParam&state=123abc`.)",
			Source:      srcInstallFlow,
			Fix:         "Build the return with a URL API (`new URL(returnUrl)`, `searchParams.set('state', state)`), not by appending \"?state=\" to the string.",
			Judge: func(o *Observation) Outcome {
				st := authorize(o)
				if st == nil {
					return o.missing("authorize")
				}
				if st.CredentialHop == 0 && (st.Page == nil || !st.Page.Stopped) {
					return skip("no sign-in was completed, so nothing could return a state (see partner/authorize/signs-in)")
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
			},
		},
		{
			ID: "partner/authorize/state-strength", Level: Must, Flow: Partner, Scenario: "partner/state-strength",
			Title:       "State is unguessable and never repeated",
			Provokes:    "several sign-ins, each returning a state",
			Requirement: "Generate a cryptographically secure, randomized token unique to this user (HubSpot's example: 32 random bytes). At least 128 bits, never repeated.",
			Source:      srcInstallFlow + "; " + srcRFC9700State,
			Fix:         "Make state from a CSPRNG, at least 16 bytes (32 recommended), hex or base64url encoded; never a counter, timestamp or user ID.",
			Judge: func(o *Observation) Outcome {
				if len(o.States) < 2 {
					return o.missing("sign-in")
				}
				seen := map[string]bool{}
				for _, s := range o.States {
					if seen[s] {
						return fail("a new state for every sign-in", fmt.Sprintf("the state %q came back twice", excerpt(s, 40)))
					}
					seen[s] = true
				}
				bits := stateBits(o.States)
				if bits < 128 {
					return fail("at least 128 bits of randomness", fmt.Sprintf("about %.0f bits (estimated from the characters that differ between %d states, e.g. %q)", bits, len(o.States), excerpt(o.States[0], 40)))
				}
				return pass(fmt.Sprintf("%d distinct states, about %.0f bits each (estimated)", len(o.States), bits))
			},
		},
		{
			ID: "partner/authorize/no-307-after-credentials", Level: Should, Flow: Partner, Scenario: "partner/install",
			Title:       "No 307 after the password POST",
			Provokes:    "the sign-in form's POST",
			Requirement: "A redirect after a request that may contain credentials must not use 307 (or 308): the browser would re-POST the password to the next site. Use 302 or 303.",
			Source:      srcRFC9700307,
			Fix:         "Answer the sign-in POST with 303 See Other (or 302).",
			Judge: func(o *Observation) Outcome {
				st := authorize(o)
				if st == nil {
					return o.missing("authorize")
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
			},
		},
		{
			ID: "partner/authorize/conditional-scopes", Level: Must, Flow: Partner, Scenario: "partner/install",
			Title:       "The returned scope names conditional scopes only",
			Provokes:    "the scope parameter on the return to HubSpot",
			Requirement: "If you need to specify conditional scopes, include them in the scope query parameter … as a list of scope names, separated by spaces. Only conditionally required scopes declared on the app; else HubSpot shows its scope error.",
			Source:      srcInstallFlow + "; " + srcScopesKB,
			Fix:         "Return in `scope` only scopes declared in the app's conditionallyRequiredScopes, separated by spaces (required and optional scopes are already in HubSpot's install URL).",
			Judge: func(o *Observation) Outcome {
				st := authorize(o)
				if st == nil {
					return o.missing("authorize")
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
			},
		},
	}
	for _, c := range installChecks(Partner, "partner/finalize", "partner/install", "finalize") {
		if strings.HasSuffix(c.ID, "/current-token-endpoint") {
			continue // the listing profile checks it for every flow
		}
		c.Provokes = "a normal install with partner sign-in, at step=finalize"
		checks = append(checks, c)
	}
	return append(checks,
		Check{
			ID: "partner/state/tampered", Level: Must, Flow: Partner, Scenario: "partner/state/tampered",
			Title:       "Rejects a tampered state",
			Provokes:    "finalize with one character of a real state changed",
			Requirement: "Validate that the state token matches the original authentication request. If you are not able to verify the state token, do not complete the installation; redirect the customer to the returnUrl.",
			Source:      srcInstallFlow + "; " + srcRFC9700State,
			Fix:         "Look the state up exactly as issued (and verify its signature if it is signed) before exchanging; on any mismatch, redirect to the returnUrl without exchanging.",
			Judge: func(o *Observation) Outcome {
				return judgeStateRejected(o, "finalize (state changed", "a tampered state")
			},
		},
		Check{
			ID: "partner/state/missing", Level: Must, Flow: Partner, Scenario: "partner/state/missing",
			Title:       "Rejects a finalize without state",
			Provokes:    "finalize with a code and no state",
			Requirement: "If you are not able to verify the state token, do not complete the installation. A missing state is not a verified one (the AdonisJS Ally and Tempest bugs).",
			Source:      srcInstallFlow + "; " + srcRFC9700State,
			Fix:         "Require state at step=finalize on the partner install URL; without it, redirect to the returnUrl without exchanging.",
			Judge:       func(o *Observation) Outcome { return judgeStateRejected(o, "finalize (no state)", "no state") },
		},
		Check{
			ID: "partner/state/replayed", Level: Must, Flow: Partner, Scenario: "partner/state/replayed",
			Title:       "Rejects a state already used",
			Provokes:    "a second finalize, with a new code, reusing the state of a finished install",
			Requirement: "The state value SHOULD be invalidated by the client after its first use at the redirection endpoint; HubSpot's flow makes state a one-time secret.",
			Source:      srcRFC9700Replay + "; " + srcInstallFlow,
			Fix:         "Mark the state used (or delete it) when the install completes, atomically with the lookup.",
			Judge: func(o *Observation) Outcome {
				return judgeStateRejected(o, "finalize (state replayed)", "a replayed state")
			},
		},
		Check{
			ID: "partner/state/foreign", Level: Must, Flow: Partner, Scenario: "partner/state/foreign",
			Title:       "Rejects a state it never issued",
			Provokes:    "finalize with a random state of the right shape",
			Requirement: "Validate that the state token matches the original authentication request: a well-formed state the endpoint never issued links the portal to nobody (or the wrong account).",
			Source:      srcInstallFlow + "; " + srcRFC9700State,
			Fix:         "Look the state up in your store (or verify its signature and its record); a well-formed string is not proof.",
			Judge: func(o *Observation) Outcome {
				return judgeStateRejected(o, "finalize (foreign state)", "a foreign state")
			},
		},
		Check{
			ID: "partner/finalize/no-cookie-needed", Level: Should, Flow: Partner, Scenario: "partner/no-cookie",
			Title:       "Finalize works without cookies",
			Provokes:    "sign-in in a top-level window, then finalize framed under app.hubspot.com with third-party cookies blocked (Safari and Firefox)",
			Requirement: "Retrieve the user account associated with the state token: the state itself names the user, because the frame at finalize may get no cookies.",
			Source:      srcInstallFlow + "; CHECKS.md (partner)",
			Fix:         "At finalize, find the user from the state's server-side record, not from a session cookie.",
			Judge: func(o *Observation) Outcome {
				st := o.Step("finalize (no cookies)")
				if st == nil {
					return o.missing("finalize")
				}
				// Whether the exchange itself is right, and where the user is sent, are the
				// exchanges-code and returns-to-hubspot checks' business; this one asks only
				// whether the endpoint accepted the state without a cookie and went on.
				if exs := codeExchanges(st.Exchanges); len(exs) == 0 {
					got := "the endpoint did not exchange the code when the frame sent no cookies"
					if h, ok := serverError(st); ok {
						got += fmt.Sprintf(" (HTTP %d at %s)", h.Status, h.URL)
					}
					return fail("the install goes on with no cookies in the frame: the state alone names the user", got)
				}
				return pass("the endpoint accepted the state and exchanged the code with no cookies in the frame")
			},
		},
		Check{
			ID: "partner/exchange-fails", Level: Must, Flow: Partner, Scenario: "partner/exchange-fails",
			Title:       "Survives a failed token exchange at finalize",
			Provokes:    "the token endpoint answers 400 BAD_AUTH_CODE, then 503, then stalls",
			Requirement: "Whatever the token endpoint answers, the user is sent back to the returnUrl.",
			Source:      srcInstallFlow,
			Fix:         "Handle token-endpoint errors and timeouts (client timeout below 10 s), then redirect to the returnUrl.",
			Judge: func(o *Observation) Outcome {
				return judgeReturnsNo5xx(o.StepsNamed("finalize ("), false)
			},
		},
	)
}

// conditionalScopeProblem checks a returned scope parameter by HubSpot's rules and answers with
// HubSpot's own error text (HUBSPOT.md §1), or "".
func conditionalScopeProblem(scope string, app emulator.App) string {
	if strings.ContainsAny(scope, ",+") {
		return fmt.Sprintf("scope %q is not separated by spaces; HubSpot splits on spaces", scope)
	}
	in := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	for _, s := range strings.Fields(scope) {
		switch {
		case !emulator.KnownScope(s):
			return fmt.Sprintf("%q is not a HubSpot scope: %s", s, scopeMismatchText)
		case in(app.ConditionallyRequiredScopes, s):
		case in(app.RequiredScopes, s):
			// UNCONFIRMED which of HubSpot's two texts a required scope in the partner's scope
			// gets; it is not a conditional scope, so the mismatch text.
			return fmt.Sprintf("%q is a required scope, already in HubSpot's install URL: %s", s, scopeMismatchText)
		case in(app.OptionalScopes, s):
			return fmt.Sprintf("%q is an optional scope, which belongs in optional_scope: %s", s, scopeMismatchText)
		default:
			return fmt.Sprintf("%q is not configured on the app: %s", s, scopeMismatchText)
		}
	}
	return ""
}

// scopeMismatchText is HubSpot's text (KB resolve-a-request-for-integration-permissions-error).
const scopeMismatchText = "Couldn't complete the connection: Authorization failed because there is a mismatch between the scopes in the install URL and the app's configured scopes. Please contact the app developer."

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
