package scenarios

// partnerFinalizeChecks are the checks of a normal install with partner sign-in, at
// step=finalize.
var partnerFinalizeChecks = installCheckSet{
	group: GroupPartner, prefix: "partner/finalize", scenario: scenarioPartnerInstall, step: stepFinalize,
	returnPhrase: "the finalize request's returnUrl (R2), not the one from step=authorize (R1)",
	provokes:     "a normal install with partner sign-in, at step=finalize",
}

// partnerChecks are the partner group's checks, in catalogue order: step=authorize, the
// install's finalize, then the state and failure provocations.
func partnerChecks() []Check {
	checks := []Check{
		{
			ID: "partner/authorize/signs-in", Level: Must, Basis: Documented, Group: GroupPartner, Scenario: scenarioPartnerInstall,
			Title:       "step=authorize shows a sign-in",
			Provokes:    "{install URL}?returnUrl=…&step=authorize in a new top-level window",
			Requirement: "Get the step and returnUrl from the URL parameters, then show a login form or page to authenticate the user.",
			Source:      srcInstallFlow,
			Fix:         "Answer step=authorize with your sign-in page (or a redirect to it); never with an error, and never return to HubSpot without a state.",
			Judge:       judgeSignsIn,
		},
		{
			ID: "partner/authorize/frameable", Level: Must, Basis: Documented, Group: GroupPartner, Scenario: scenarioPartnerInstall,
			Title:       "The install URL's own pages can be framed",
			Provokes:    "every page the install URL itself shows at step=authorize, judged as inside HubSpot's frame",
			Requirement: "Ensure that the endpoint handling the install flow can be framed by HubSpot in an embedded browser context. (Sign-in pages on other URLs open in a new window and need not be.)",
			Source:      srcInstallFlow + "; " + srcCSP3,
			Fix:         fixFrame,
			Judge:       judgeAuthorizeFrameable,
		},
		{
			ID: "partner/authorize/cookies-cross-site", Level: Must, Basis: Documented, Group: GroupPartner, Scenario: scenarioPartnerInstall,
			Title:       "Cookies survive HubSpot's frame",
			Provokes:    "every Set-Cookie the endpoint sends during the install",
			Requirement: "If you are using cookies, tag the cookies with SameSite=none (and Secure, without which browsers refuse SameSite=None).",
			Source:      srcInstallFlow + "; RFC 6265bis §5.4.7 SameSite",
			Fix:         "Send session cookies used during the install as `SameSite=None; Secure` (HttpOnly too); else they are lost in HubSpot's frame.",
			Judge:       judgeCookiesCrossSite,
		},
		inferred(Check{
			ID: "partner/authorize/returns-state", Level: Must, Group: GroupPartner, Scenario: scenarioPartnerInstall,
			Title:       "Returns to HubSpot with a state",
			Provokes:    "the sign-in completed",
			Requirement: "Add the state token you generated to the returnUrl as a query parameter … then redirect the user back to HubSpot. (The returnUrl's own query parameters are kept: HubSpot's example shows `?someHubSpotParam=returnUrlParam&state=123abc`.)",
			Source:      srcInstallFlow,
			Fix:         "Build the return with a URL API (`new URL(returnUrl)`, `searchParams.set('state', state)`), not by appending \"?state=\" to the string.",
			Judge:       judgeReturnsState,
		}, docReturnState),
		{
			ID: "partner/authorize/state-strength", Level: Must, Basis: Documented, Group: GroupPartner, Scenario: scenarioPartnerStateStrength,
			Title:       "State is unguessable and never repeated",
			Provokes:    "several sign-ins, each returning a state",
			Requirement: "Generate a cryptographically secure, randomized token unique to this user (HubSpot's example: 32 random bytes). At least 128 bits (RFC 6749 §10.10: the probability of guessing a generated credential MUST be at most 2^-128; a UUIDv4 has 122), never repeated.",
			Source:      srcInstallFlow + "; " + srcRFC9700State + "; RFC 6749 §10.10 (https://www.rfc-editor.org/rfc/rfc6749#section-10.10)",
			Fix:         "Make state from a CSPRNG, at least 16 bytes (32 recommended), hex or base64url encoded; never a counter, timestamp or user ID.",
			Judge:       judgeStateStrength,
		},
		{
			ID: "partner/authorize/no-307-after-credentials", Level: Should, Basis: Documented, Group: GroupPartner, Scenario: scenarioPartnerInstall,
			Title:       "No 307 after the password POST",
			Provokes:    "the sign-in form's POST",
			Requirement: "A redirect after a request that may contain credentials must not use 307 (or 308): the browser would re-POST the password to the next site. Use 302 or 303.",
			Source:      srcRFC9700307,
			Fix:         "Answer the sign-in POST with 303 See Other (or 302).",
			Judge:       judgeNo307,
		},
		{
			ID: "partner/authorize/conditional-scopes", Level: Must, Basis: Documented, Group: GroupPartner, Scenario: scenarioPartnerInstall,
			Title:       "The returned scope names conditional scopes only",
			Provokes:    "the scope parameter on the return to HubSpot",
			Requirement: "If you need to specify conditional scopes, include them in the scope query parameter … as a list of scope names, separated by spaces. Only conditionally required scopes declared on the app; else HubSpot shows its scope error.",
			Source:      srcInstallFlow + "; " + srcScopesKB,
			Fix:         "Return in `scope` only scopes declared in the app's conditionallyRequiredScopes, separated by spaces (required and optional scopes are already in HubSpot's install URL).",
			Judge:       judgeConditionalScopes,
		},
	}
	checks = append(checks, installChecks(partnerFinalizeChecks)...)
	return append(checks,
		Check{
			ID: "partner/state/tampered", Level: Must, Basis: Documented, Group: GroupPartner, Scenario: scenarioPartnerStateTampered,
			Title:       "Rejects a tampered state",
			Provokes:    "finalize with one character of a real state changed",
			Requirement: "Validate that the state token matches the original authentication request. If you are not able to verify the state token, do not complete the installation; redirect the customer to the returnUrl.",
			Source:      srcInstallFlow + "; " + srcRFC9700State,
			Fix:         "Look the state up exactly as issued (and verify its signature if it is signed) before exchanging; on any mismatch, redirect to the returnUrl without exchanging.",
			Judge: func(o *Observation) Outcome {
				return judgeStateRejected(o, stepFinalizeTampered, stepFinalizeControl, "a tampered state")
			},
		},
		Check{
			ID: "partner/state/missing", Level: Must, Basis: Documented, Group: GroupPartner, Scenario: scenarioPartnerStateMissing,
			Title:       "Rejects a finalize without state",
			Provokes:    "finalize with a code and no state",
			Requirement: "If you are not able to verify the state token, do not complete the installation. A missing state is not a verified one (the AdonisJS Ally and Tempest bugs).",
			Source:      srcInstallFlow + "; " + srcRFC9700State,
			Fix:         "Require state at step=finalize on the partner install URL; without it, redirect to the returnUrl without exchanging.",
			Judge: func(o *Observation) Outcome {
				return judgeStateRejected(o, stepFinalizeNoState, stepFinalizeControl, "no state")
			},
		},
		inferred(Check{
			ID: "partner/state/replayed", Level: Must, Group: GroupPartner, Scenario: scenarioPartnerStateReplayed,
			Title:       "Rejects a state already used",
			Provokes:    "a second finalize, with a new code, reusing the state of a finished install",
			Requirement: "The state value SHOULD be invalidated by the client after its first use at the redirection endpoint; HubSpot's flow makes state a one-time secret.",
			Source:      srcRFC9700Replay + "; " + srcInstallFlow,
			Fix:         "Mark the state used (or delete it) when the install completes, atomically with the lookup.",
			Judge: func(o *Observation) Outcome {
				return judgeStateRejected(o, stepFinalizeReplayed, stepFinalize, "a replayed state")
			},
		}, "\"it's recommended to have a state token with a relatively short expiration window, such as 10 minutes\"; RFC 9700 §4.2.4 says the state SHOULD be invalidated after its first use, and HubSpot does not say that a used state must be refused"),
		Check{
			ID: "partner/state/foreign", Level: Must, Basis: Documented, Group: GroupPartner, Scenario: scenarioPartnerStateForeign,
			Title:       "Rejects a state it never issued",
			Provokes:    "finalize with a random state of the right shape",
			Requirement: "Validate that the state token matches the original authentication request: a well-formed state the endpoint never issued links the portal to nobody (or the wrong account).",
			Source:      srcInstallFlow + "; " + srcRFC9700State,
			Fix:         "Look the state up in your store (or verify its signature and its record); a well-formed string is not proof.",
			Judge: func(o *Observation) Outcome {
				return judgeStateRejected(o, stepFinalizeForeign, stepFinalizeControl, "a foreign state")
			},
		},
		inferred(Check{
			ID: "partner/finalize/no-cookie-needed", Level: Should, Group: GroupPartner, Scenario: scenarioPartnerNoCookie,
			Title:       "Finalize works without cookies",
			Provokes:    "sign-in in a top-level window, then finalize framed under app.hubspot.com with third-party cookies blocked (Safari and Firefox)",
			Requirement: "Retrieve the user account associated with the state token: the state itself names the user, because the frame at finalize may get no cookies.",
			Source:      srcInstallFlow + "; docs/checks.md (partner)",
			Fix:         "At finalize, find the user from the state's server-side record, not from a session cookie.",
			Judge:       judgeNoCookieNeeded,
		}, "\"Retrieve the user account associated with the state token\" at finalize, and \"if you are using cookies, tag the cookies with SameSite=none\"; it does not say that the frame may get no cookies at all"),
		reflectedMarkupCheck(GroupPartner, "partner/reflected-markup", scenarioPartnerReflected,
			"step=authorize with "+xssPayload+" in the query of a returnUrl on HubSpot's host; finalize with it as the state, and in returnUrl; every page searched"),
		inferred(Check{
			ID: "partner/exchange-fails", Level: Must, Group: GroupPartner, Scenario: scenarioPartnerExchangeFails,
			Title:       "Survives a failed token exchange at finalize",
			Provokes:    provokesExchangeFaults,
			Requirement: "Whatever the token endpoint answers, the user is sent back to the returnUrl.",
			Source:      srcInstallFlow,
			Fix:         "Handle token-endpoint errors and timeouts (client timeout below 10 s), then redirect to the returnUrl.",
			Judge: func(o *Observation) Outcome {
				return judgeReturnsNo5xx(o.StepsNamed(stepFinalizeFaulted), false)
			},
		}, docInstallReturn),
	)
}
