package scenarios

import "github.com/hsemu/hsemu/emulator/hubspot"

// installCheckSet is the data that makes one flow's checks of a normal install: the seamless
// install and the partner flow's finalize are judged alike, from the finalize step of their
// normal install.
type installCheckSet struct {
	group    Group
	prefix   string     // of the check IDs: "seamless/install" makes "seamless/install/frameable"
	scenario ScenarioID // the normal install
	step     StepName   // the finalize step the checks judge
	// returnPhrase names the returnUrl the user must end at, for the returns-to-hubspot check.
	returnPhrase string
	// provokes, when set, is every check's Provokes; else each says its own.
	provokes string
}

const (
	titleCurrentEndpoint = "Uses the current token endpoint"
	// provokesNormalInstall is what the checks judged from the normal install's steps do.
	provokesNormalInstall = "a normal install"
	// provokesExchangeFaults is what the exchange-fails scenarios do (exchangeFaults).
	provokesExchangeFaults = "the token endpoint answers 400 BAD_AUTH_CODE, then 503, then stalls"
	fixExchangeOnV3        = "Post the exchange to /oauth/v3/token (form body only: v3 refuses parameters in the query)."
	// docExchangeRedirectURI is what HubSpot documents about the exchange's redirect_uri in the
	// install flow; "exactly the install URL" is hsemu's reading of it.
	docExchangeRedirectURI = "\"use the provided code to complete token exchange for OAuth\", and on its OAuth page a redirect_uri that \"must exactly match the redirect_uri used when initiating the OAuth 2.0 connection\"; HubSpot initiates the install flow itself and does not name that value (hsemu takes the Redirect URL selected in the listing editor: the install URL)"
)

const fixFrame = "Let HubSpot frame the install endpoint: send `Content-Security-Policy: " + hubspot.FrameAncestorsExample + "` (HubSpot's own example; add the other app-* hosts you serve) and no X-Frame-Options DENY/SAMEORIGIN on pages shown during the install."

// installChecks are the checks of a normal install, made from set.
func installChecks(set installCheckSet) []Check {
	step := set.step
	stepsOf := func(o *Observation) []*Step {
		if st := o.Step(step); st != nil {
			return []*Step{st}
		}
		return nil
	}
	checks := []Check{
		inferred(Check{
			ID: set.prefix + "/exchanges-code", Level: Must,
			Title:       "Exchanges the code for tokens",
			Provokes:    provokesNormalInstall,
			Requirement: "Use the provided code to complete token exchange for OAuth: one POST with a form body, grant_type=authorization_code, the app's client_id and client_secret, and redirect_uri exactly the install URL.",
			Source:      srcInstallFlow + "; " + srcWorkingOAuth,
			Fix:         "POST to {HubSpot API}/oauth/v3/token with Content-Type application/x-www-form-urlencoded and grant_type=authorization_code, client_id, client_secret, redirect_uri (the install URL exactly as registered: same scheme, host, path, no trailing slash, no query) and code.",
			Judge:       func(o *Observation) Outcome { return judgeExchangesCode(o, step) },
		}, docExchangeRedirectURI),
		{
			ID: set.prefix + "/returns-to-hubspot", Level: Must, Basis: Documented,
			Title:       "Sends the user back to HubSpot",
			Provokes:    provokesNormalInstall,
			Requirement: "Redirect the user back to the returnUrl provided in the installation request. Redirecting back to HubSpot is required to avoid an infinite login loop.",
			Source:      srcInstallFlow,
			Fix:         "After the exchange, answer the finalize request with a 302/303 to the returnUrl exactly as HubSpot sent it (keep its own query parameters).",
			Judge: func(o *Observation) Outcome {
				if out, ok := jsOnlyReturn(o.Step(step)); ok {
					return out
				}
				return judgeReturnsToHubSpot(o, step, set.returnPhrase)
			},
		},
		{
			ID: set.prefix + "/frameable", Level: Must, Basis: Documented,
			Title:       "HubSpot can frame every page of the install",
			Provokes:    "every page the endpoint shows during finalize, judged as inside an iframe under HubSpot's app origins",
			Requirement: "Ensure that the endpoint handling the install flow can be framed by HubSpot in an embedded browser context.",
			Source:      srcInstallFlow + "; " + srcCSP3,
			Fix:         fixFrame,
			Judge:       func(o *Observation) Outcome { return judgeFrameable(stepsOf(o), "") },
		},
		{
			ID: set.prefix + "/no-secrets-in-urls", Level: Must, Basis: Documented,
			Title:       "No secret or token where the browser sees it",
			Provokes:    "a normal install; every URL, Location, Referer and page the browser saw is searched",
			Requirement: "The client secret and the access and refresh tokens stay on the app's server: never in a URL, a redirect or a page.",
			Source:      "RFC 9700 §4.2.4, §4.3 (https://www.rfc-editor.org/rfc/rfc9700)",
			Fix:         "Keep tokens server-side (store them against the portal's hub_id); never put them in redirects, query strings or pages.",
			Judge: func(o *Observation) Outcome {
				if o.Step(step) == nil {
					return o.missing(step)
				}
				return judgeNoSecrets(o, o.Steps) // the sign-in's pages too
			},
		},
		{
			ID: set.prefix + "/single-exchange", Level: Should, Basis: Documented,
			Title:       "Redeems the code once",
			Provokes:    provokesNormalInstall,
			Requirement: "Authorization codes are single-use; a second redemption fails, and the authorization server should revoke the tokens already issued for it.",
			Source:      srcRFC6749Code + "; " + srcRFC9700Replay,
			Fix:         "Exchange the code exactly once; keep the tokens from that answer instead of exchanging again to check them.",
			Judge:       func(o *Observation) Outcome { return judgeSingleExchange(o.Step(step)) },
		},
	}
	checks = append(checks, Check{
		ID: set.prefix + "/current-token-endpoint", Level: Should, Basis: Documented,
		Title:       titleCurrentEndpoint,
		Provokes:    provokesNormalInstall,
		Requirement: hubspot.TextTokenV1Deprecated + "; use " + hubspot.TokenPathV3 + ".",
		Source:      srcV1Sunset,
		Fix:         fixExchangeOnV3,
		Judge:       func(o *Observation) Outcome { return judgeCurrentEndpoint(o.Step(step)) },
	})
	checks = append(checks, inferred(Check{
		ID: set.prefix + "/within-budget", Level: Should,
		Title:       "Finishes within the time budget",
		Provokes:    "a normal install, timed hop by hop",
		Requirement: "The user waits in HubSpot's dialog: each hop within the hop budget (default 5 s), the whole install within 30 s.",
		Source:      srcBudget + "; HubSpot's dialog shows a spinner meanwhile",
		Fix:         "Do slow work (initial syncs, provisioning) after redirecting back to HubSpot, in the background.",
		Judge:       func(o *Observation) Outcome { return judgeInstallBudget(o, step) },
	}, "a spinner in HubSpot's dialog while the install runs; it names no time limit"),
		inferred(Check{
			ID: set.prefix + "/redirects-frameable", Level: Should,
			Title:       "No framing block on the install URL's redirects",
			Provokes:    "every redirect the endpoint answers during the install, its X-Frame-Options and CSP frame-ancestors read as for a page in HubSpot's frame",
			Requirement: "Ensure that the endpoint handling the install flow can be framed by HubSpot. Browsers do not enforce X-Frame-Options or frame-ancestors on a redirect (checked with Chromium 148), but the same headers block any page the URL shows there tomorrow (an error page, an interstitial).",
			Source:      srcInstallFlow + "; " + srcCSP3,
			Fix:         fixFrame + " Send the same headers on the install URL's redirects, or none (Helmet's defaults send X-Frame-Options: SAMEORIGIN on every response).",
			Judge:       func(o *Observation) Outcome { return judgeRedirectsFrameable(stepsOf(o)) },
		}, "\"ensure that the endpoint handling the install flow can be framed by HubSpot in an embedded browser context\"; it says nothing of redirects"),
	)
	for i := range checks {
		checks[i].Group, checks[i].Scenario = set.group, set.scenario
		if set.provokes != "" {
			checks[i].Provokes = set.provokes
		}
	}
	return checks
}
