package scenarios

import "github.com/hsemu/hsemu/emulator/hubspot"

// connectChecks are the connect group's checks: HubSpot's classic "Connect with HubSpot"
// install, run when the target has a connect URL.
func connectChecks() []Check {
	return []Check{
		{
			ID: "connect/authorize-url", Level: Must, Basis: Documented, Group: GroupConnect, Scenario: scenarioConnectInstall,
			Title:       "Sends the user to HubSpot's authorization page correctly",
			Provokes:    "the connect URL",
			Requirement: "Redirect to https://app.hubspot.com/oauth/authorize (or /oauth/{hubId}/authorize) with the app's client_id, a registered redirect_uri (https unless localhost, a domain not an IP), every required scope in scope and optional scopes only in optional_scope.",
			Source:      srcWorkingOAuth + "; " + srcOAuthQuickstart + "; " + srcScopesKB,
			Fix:         "Build the URL with HubSpot's SDK (getAuthorizationUrl) or a URL API: client_id, redirect_uri exactly as registered, scope = the required scopes separated by spaces, optional_scope = the optional ones, and state.",
			Judge:       judgeAuthorizeURL,
		},
		{
			ID: "connect/state", Level: Must, Basis: Documented, Group: GroupConnect, Scenario: scenarioConnectState,
			Title:       "A fresh, unguessable state on every connect",
			Provokes:    "several starts, comparing the state sent to HubSpot",
			Requirement: "Send a state that binds the callback to this browser: present, at least 128 bits from a CSPRNG, never repeated (it is the callback's CSRF protection).",
			Source:      srcWorkingOAuth + "; " + srcRFC9700State,
			Fix:         "Generate state from a CSPRNG (32 bytes, base64url), store it with the user's session, and send it on the authorization URL.",
			Judge:       judgeConnectState,
		},
		{
			ID: "connect/callback", Level: Must, Basis: Documented, Group: GroupConnect, Scenario: scenarioConnectInstall,
			Title:       "The callback exchanges the code and shows a page",
			Provokes:    "access granted on HubSpot's consent page; the callback with code and state",
			Requirement: "Exchange the code on HubSpot's token endpoint with the same redirect_uri as the authorization request (\"must exactly match the redirect_uri used when initiating the OAuth 2.0 connection\"), then show the user a page: no 5xx.",
			Source:      srcWorkingOAuth + "; " + srcRFC6749Redirect,
			Fix:         "POST grant_type=authorization_code, client_id, client_secret, redirect_uri (byte for byte the one in the authorization URL) and code to /oauth/v3/token; then render a success page or redirect into your app.",
			Judge:       judgeCallback,
		},
		{
			ID: "connect/callback-bad-state", Level: Must, Basis: Documented, Group: GroupConnect, Scenario: scenarioConnectCallbackBadState,
			Title:       "A callback with the wrong state is refused",
			Provokes:    "the callback with a state the app never sent",
			Requirement: "The client MUST implement CSRF protection for its redirection endpoint: a callback whose state does not match the one sent is refused, and its code is not exchanged.",
			Source:      "RFC 6749 §10.12 (https://www.rfc-editor.org/rfc/rfc6749#section-10.12); " + srcRFC9700State,
			Fix:         "Compare the callback's state with the one stored for this user before anything else; on a mismatch show an error and do not exchange the code.",
			Judge:       judgeCallbackBadState,
		},
		inferred(Check{
			ID: "connect/state-single-use", Level: Must, Group: GroupConnect, Scenario: scenarioConnectStateReplayed,
			Title:       "A state works once",
			Provokes:    "the callback again, after a finished connect, with the same state and a new code",
			Requirement: "The state value SHOULD be invalidated by the client after its first use at the redirection endpoint: a replayed callback must not connect another code.",
			Source:      srcRFC9700Replay,
			Fix:         "Delete (or mark used) the stored state when the callback accepts it, atomically with the lookup.",
			Judge:       judgeStateSingleUse,
		}, "a state on the authorization URL and its return on the callback; RFC 9700 §4.2.4 says the state SHOULD be invalidated after its first use, and HubSpot does not say that a used state must be refused"),
		inferred(Check{
			ID: "connect/callback-no-code", Level: Must, Group: GroupConnect, Scenario: scenarioConnectCallbackNoCode,
			Title:       "A callback without code is handled",
			Provokes:    "the callback with a valid state and neither code nor error",
			Requirement: "A callback that carries no code cannot connect anything: a page saying so, no 5xx, no token request.",
			Source:      srcWorkingOAuth + "; RFC 6749 §4.1.2 (https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2)",
			Fix:         "Check that code is present before exchanging; without it, show an error page and offer to start again.",
			Judge: func(o *Observation) Outcome {
				return judgeCodelessCallback(o, stepCallbackNoCode, "a callback without code")
			},
		}, "the callback's code (or error=…); it does not describe a callback with neither"),
		{
			ID: "connect/callback-error", Level: Must, Basis: Documented, Group: GroupConnect, Scenario: scenarioConnectCallbackError,
			Title:       "A callback with error= is handled",
			Provokes:    "the callback with error=access_denied&error_description=… and no code",
			Requirement: "HubSpot may send the user back with ?error=error_code&error_description=…: show a page saying so, with no 5xx and no token request.",
			Source:      srcWorkingOAuth + "; " + srcRFC6749Error,
			Fix:         "Look for the error parameter before reading code; when it is there, show what HubSpot said and offer to start again.",
			Judge: func(o *Observation) Outcome {
				return judgeCodelessCallback(o, stepCallbackError, "error=access_denied")
			},
		},
		reflectedMarkupCheck(GroupConnect, "connect/reflected-markup", scenarioConnectReflected,
			"the callback with "+xssPayload+" as state and error_description, then as state and code; every page searched"),
		{
			ID: "connect/no-secrets-in-pages", Level: Must, Basis: Documented, Group: GroupConnect, Scenario: scenarioConnectInstall,
			Title:       "No secret or token where the browser sees it",
			Provokes:    "a complete connect; every URL, Location, Referer and page the browser saw is searched for the client secret and the tokens HubSpot issued",
			Requirement: "The client secret and the access and refresh tokens stay on the app's server: never in a URL, a redirect or a page (HubSpot's sample apps print the tokens; a real app must not).",
			Source:      "RFC 9700 §4.2.4, §4.3 (https://www.rfc-editor.org/rfc/rfc9700)",
			Fix:         "Keep tokens server-side (store them against the portal's hub_id); show the user that the connection worked, never the tokens.",
			Judge: func(o *Observation) Outcome {
				if o.Step(stepCallback) == nil {
					return o.missing(stepCallback)
				}
				return judgeNoSecrets(o, o.Steps)
			},
		},
		{
			ID: "connect/current-token-endpoint", Level: Should, Basis: Documented, Group: GroupConnect, Scenario: scenarioConnectInstall,
			Title:       titleCurrentEndpoint,
			Provokes:    "a complete connect",
			Requirement: hubspot.TextTokenV1Deprecated + "; use " + hubspot.TokenPathV3 + ".",
			Source:      srcV1Sunset,
			Fix:         fixExchangeOnV3,
			Judge:       func(o *Observation) Outcome { return judgeCurrentEndpoint(o.Step(stepCallback)) },
		},
		inferred(Check{
			ID: "connect/exchange-fails", Level: Must, Group: GroupConnect, Scenario: scenarioConnectExchangeFails,
			Title:       "Survives a failed token exchange on the callback",
			Provokes:    provokesExchangeFaults,
			Requirement: "Whatever the token endpoint answers, the callback shows the user a page (saying the connection failed): no 5xx, no hang.",
			Source:      srcWorkingOAuth + "; " + srcRFC6749Error,
			Fix:         "Handle token-endpoint errors and timeouts (set a client timeout below 10 s): log them, then show a page that offers to start again.",
			Judge:       judgeConnectExchangeFails,
		}, "the token endpoint's error answers (400 with a status such as BAD_AUTH_CODE); it does not say what the app shows when the exchange fails"),
	}
}
