package scenarios

import (
	"fmt"

	"github.com/hsemu/hsemu/emulator"
)

// Sources the checks cite.
const (
	srcInstallFlow   = "https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow"
	srcWorkingOAuth  = "https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth"
	srcV1Sunset      = "https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/migration-guide"
	srcRFC6749Code   = "RFC 6749 §4.1.2 (https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2)"
	srcCSP3          = "CSP3 §6.4.2 frame-ancestors (https://w3c.github.io/webappsec-csp/#directive-frame-ancestors); HTML X-Frame-Options (https://html.spec.whatwg.org/multipage/document-lifecycle.html#the-x-frame-options-header)"
	srcRFC9700State  = "RFC 9700 §2.1, §4.7.1 (https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1)"
	srcRFC9700Replay = "RFC 9700 §4.2.4 (https://www.rfc-editor.org/rfc/rfc9700#section-4.2.4)"
	srcRFC9700307    = "RFC 9700 §4.12 (https://www.rfc-editor.org/rfc/rfc9700#section-4.12)"
	srcScopesKB      = "https://knowledge.hubspot.com/integrations/resolve-a-request-for-integration-permissions-error"
)

const fixFrame = "Let HubSpot frame the install endpoint: send `Content-Security-Policy: frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com` (HubSpot's own example; add the other app-* hosts you serve) and no X-Frame-Options DENY/SAMEORIGIN on pages shown during the install."

func seamlessScenarios() []Scenario {
	return []Scenario{
		{
			ID: "seamless/install", Flow: Seamless, Title: "A normal install without partner sign-in",
			Provokes: "HubSpot sends the browser, framed under app.hubspot.com, to {install URL}?code=…&returnUrl=…&step=finalize",
			Run: func(s *Session) error {
				_, err := s.SeamlessInstall(s.NewBrowser(s.opts.ThirdPartyCookies), "finalize", nil)
				return err
			},
		},
		{
			ID: "seamless/exchange-fails", Flow: Seamless, Title: "HubSpot's token endpoint fails during the install",
			Provokes: "three installs whose token request is answered 400 BAD_AUTH_CODE, 503, and only after a long stall",
			Run: func(s *Session) error {
				for _, f := range exchangeFaults(s.opts) {
					if _, err := s.SeamlessInstall(s.NewBrowser(s.opts.ThirdPartyCookies), "finalize ("+f.label+")", &f.fault); err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			ID: "seamless/missing-code", Flow: Seamless, Title: "Finalize without a code", Solo: true,
			Provokes: "{install URL}?returnUrl=…&step=finalize with no code",
			Run: func(s *Session) error {
				s.Finalize(s.NewBrowser(s.opts.ThirdPartyCookies), "finalize (no code)", "", "", false, s.ReturnURL("finalize"))
				return nil
			},
		},
		{
			ID: "seamless/reload", Flow: Seamless, Title: "The same finalize URL opened twice",
			Provokes: "a normal install, then the same finalize URL loaded again in the same browser (a reload or back button)",
			Run: func(s *Session) error {
				b := s.NewBrowser(s.opts.ThirdPartyCookies)
				first, err := s.SeamlessInstall(b, "finalize", nil)
				if err != nil {
					return err
				}
				s.Open(b, "finalize (reload)", first.URL, first.Context, first.Code, first.Return)
				return nil
			},
		},
	}
}

type labelledFault struct {
	label string
	fault emulator.Fault
}

// exchangeFaults are the ways the token endpoint fails in the exchange-fails scenarios.
func exchangeFaults(o Options) []labelledFault {
	return []labelledFault{
		{"400 BAD_AUTH_CODE", emulator.Fault{Kind: emulator.FaultError, Status: "BAD_AUTH_CODE", Times: 1}},
		{"503", emulator.Fault{Kind: emulator.FaultServerError, HTTPStatus: 503, Times: 1}},
		{fmt.Sprintf("stalls %s", o.SlowExchange), emulator.Fault{Kind: emulator.FaultDelay, Delay: o.SlowExchange, Times: 1}},
	}
}

// installChecks are the checks of a normal install, for the seamless and the partner flow.
func installChecks(flow Flow, prefix, scenario, step string) []Check {
	stepOf := func(o *Observation) *Step { return o.Step(step) }
	stepsOf := func(o *Observation) []*Step {
		if st := o.Step(step); st != nil {
			return []*Step{st}
		}
		return nil
	}
	returnPhrase := "this request's returnUrl"
	if flow == Partner {
		returnPhrase = "the finalize request's returnUrl (R2), not the one from step=authorize (R1)"
	}
	return []Check{
		{
			ID: prefix + "/exchanges-code", Level: Must, Flow: flow, Scenario: scenario,
			Title:       "Exchanges the code for tokens",
			Provokes:    "a normal install",
			Requirement: "Use the provided code to complete token exchange for OAuth: one POST with a form body, grant_type=authorization_code, the app's client_id and client_secret, and redirect_uri exactly the install URL.",
			Source:      srcInstallFlow + "; " + srcWorkingOAuth,
			Fix:         "POST to {HubSpot API}/oauth/v3/token with Content-Type application/x-www-form-urlencoded and grant_type=authorization_code, client_id, client_secret, redirect_uri (the install URL exactly as registered: same scheme, host, path, no trailing slash, no query) and code.",
			Judge: func(o *Observation) Outcome {
				st := stepOf(o)
				if st == nil {
					return o.missing(step)
				}
				if p := exchangeProblem(st, o.Target); p != "" {
					return fail("one token request for the code, as HubSpot's token endpoint requires", p)
				}
				return pass("the code was exchanged on " + codeExchanges(st.Exchanges)[0].Path)
			},
		},
		{
			ID: prefix + "/returns-to-hubspot", Level: Must, Flow: flow, Scenario: scenario,
			Title:       "Sends the user back to HubSpot",
			Provokes:    "a normal install",
			Requirement: "Redirect the user back to the returnUrl provided in the installation request. Redirecting back to HubSpot is required to avoid an infinite login loop.",
			Source:      srcInstallFlow,
			Fix:         "After the exchange, answer the finalize request with a 302/303 to the returnUrl exactly as HubSpot sent it (keep its own query parameters).",
			Judge: func(o *Observation) Outcome {
				st := stepOf(o)
				if st == nil {
					return o.missing(step)
				}
				if ok, got := returned(st, st.Return); !ok {
					return fail("the browser ends at "+returnPhrase, got)
				}
				return pass("returned to HubSpot's returnUrl")
			},
		},
		{
			ID: prefix + "/frameable", Level: Must, Flow: flow, Scenario: scenario,
			Title:       "HubSpot can frame every page of the install",
			Provokes:    "every page the endpoint shows during finalize, judged as inside an iframe under HubSpot's app origins",
			Requirement: "Ensure that the endpoint handling the install flow can be framed by HubSpot in an embedded browser context.",
			Source:      srcInstallFlow + "; " + srcCSP3,
			Fix:         fixFrame,
			Judge:       func(o *Observation) Outcome { return judgeFrameable(stepsOf(o), "") },
		},
		{
			ID: prefix + "/no-secrets-in-urls", Level: Must, Flow: flow, Scenario: scenario,
			Title:       "No secret or token where the browser sees it",
			Provokes:    "a normal install; every URL, Location, Referer and page the browser saw is searched",
			Requirement: "The client secret and the access and refresh tokens stay on the app's server: never in a URL, a redirect or a page.",
			Source:      "RFC 9700 §4.2.4, §4.3 (https://www.rfc-editor.org/rfc/rfc9700)",
			Fix:         "Keep tokens server-side (store them against the portal's hub_id); never put them in redirects, query strings or pages.",
			Judge:       func(o *Observation) Outcome { return judgeNoSecrets(o, stepsOf(o)) },
		},
		{
			ID: prefix + "/single-exchange", Level: Should, Flow: flow, Scenario: scenario,
			Title:       "Redeems the code once",
			Provokes:    "a normal install",
			Requirement: "Authorization codes are single-use; a second redemption fails, and the authorization server should revoke the tokens already issued for it.",
			Source:      srcRFC6749Code + "; " + srcRFC9700Replay,
			Fix:         "Exchange the code exactly once; keep the tokens from that answer instead of exchanging again to check them.",
			Judge:       func(o *Observation) Outcome { return judgeSingleExchange(stepOf(o)) },
		},
		{
			ID: prefix + "/current-token-endpoint", Level: Should, Flow: flow, Scenario: scenario,
			Title:       "Uses the current token endpoint",
			Provokes:    "a normal install",
			Requirement: "The v1 token endpoint /oauth/v1/token is deprecated and sunsets on February 16, 2027; use /oauth/v3/token.",
			Source:      srcV1Sunset,
			Fix:         "Post the exchange to /oauth/v3/token (form body only: v3 refuses parameters in the query).",
			Judge:       func(o *Observation) Outcome { return judgeCurrentEndpoint(stepOf(o)) },
		},
		{
			ID: prefix + "/within-budget", Level: Should, Flow: flow, Scenario: scenario,
			Title:       "Finishes within the time budget",
			Provokes:    "a normal install, timed hop by hop",
			Requirement: "The user waits in HubSpot's dialog: each hop within the hop budget (default 5 s), the whole install within 30 s.",
			Source:      "hsemu budget (DESIGN.md); HubSpot's dialog shows a spinner meanwhile",
			Fix:         "Do slow work (initial syncs, provisioning) after redirecting back to HubSpot, in the background.",
			Judge: func(o *Observation) Outcome {
				if o.Step(step) == nil {
					return o.missing(step)
				}
				return judgeBudget(o, o.Steps) // the whole install: the sign-in too
			},
		},
	}
}

func seamlessChecks() []Check {
	checks := installChecks(Seamless, "seamless/install", "seamless/install", "finalize")
	return append(checks,
		Check{
			ID: "seamless/exchange-fails", Level: Must, Flow: Seamless, Scenario: "seamless/exchange-fails",
			Title:       "Survives a failed token exchange",
			Provokes:    "the token endpoint answers 400 BAD_AUTH_CODE, then 503, then stalls",
			Requirement: "Whatever the token endpoint answers, the user is sent back to the returnUrl (never an error page from the app's server).",
			Source:      srcInstallFlow,
			Fix:         "Handle token-endpoint errors and timeouts (set a client timeout below 10 s): log them, then redirect to the returnUrl.",
			Judge: func(o *Observation) Outcome {
				return judgeReturnsNo5xx(o.StepsNamed("finalize ("), false)
			},
		},
		Check{
			ID: "seamless/missing-code", Level: Must, Flow: Seamless, Scenario: "seamless/missing-code",
			Title:       "Finalize without a code",
			Provokes:    "step=finalize with returnUrl but no code",
			Requirement: "A request without a code cannot complete an install: no token request, no error page; the user goes back to HubSpot.",
			Source:      srcInstallFlow,
			Fix:         "Check that code is present before exchanging; when it is missing, redirect to the returnUrl.",
			Judge: func(o *Observation) Outcome {
				return judgeReturnsNo5xx(o.StepsNamed("finalize (no code)"), true)
			},
		},
		Check{
			ID: "seamless/reload", Level: Must, Flow: Seamless, Scenario: "seamless/reload",
			Title:       "A reloaded finalize URL",
			Provokes:    "the same finalize URL loaded a second time, after the install completed",
			Requirement: "Reloading the finalize URL (its code already redeemed) must not show an error page; the user goes back to HubSpot.",
			Source:      srcInstallFlow + "; " + srcRFC6749Code,
			Fix:         "Treat BAD_AUTH_CODE on an already-installed portal as done, and redirect to the returnUrl.",
			Judge: func(o *Observation) Outcome {
				return judgeReturnsNo5xx(o.StepsNamed("finalize (reload)"), false)
			},
		},
	)
}
