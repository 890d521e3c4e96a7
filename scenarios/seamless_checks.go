package scenarios

// seamlessInstallChecks are the checks of a normal seamless install.
var seamlessInstallChecks = installCheckSet{
	group: GroupSeamless, prefix: "seamless/install", scenario: scenarioSeamlessInstall, step: stepFinalize,
	returnPhrase: "this request's returnUrl",
}

// seamlessChecks are the seamless group's checks, in catalogue order.
func seamlessChecks() []Check {
	return append(installChecks(seamlessInstallChecks),
		reflectedMarkupCheck(GroupSeamless, "seamless/reflected-markup", scenarioSeamlessReflected,
			"finalize with "+xssPayload+" in the query of a returnUrl on HubSpot's host, and as the code; every page searched"),
		inferred(Check{
			ID: "seamless/exchange-fails", Level: Must, Group: GroupSeamless, Scenario: scenarioSeamlessExchangeFails,
			Title:       "Survives a failed token exchange",
			Provokes:    provokesExchangeFaults,
			Requirement: "Whatever the token endpoint answers, the user is sent back to the returnUrl (never an error page from the app's server).",
			Source:      srcInstallFlow,
			Fix:         "Handle token-endpoint errors and timeouts (set a client timeout below 10 s): log them, then redirect to the returnUrl.",
			Judge:       func(o *Observation) Outcome { return judgeReturnsNo5xx(o.StepsNamed(stepFinalizeFaulted), false) },
		}, docInstallReturn),
		inferred(Check{
			ID: "seamless/missing-code", Level: Must, Group: GroupSeamless, Scenario: scenarioSeamlessMissingCode,
			Title:       "Finalize without a code",
			Provokes:    "step=finalize with returnUrl but no code",
			Requirement: "A request without a code cannot complete an install: no token request, no error page; the user goes back to HubSpot.",
			Source:      srcInstallFlow,
			Fix:         "Check that code is present before exchanging; when it is missing, redirect to the returnUrl.",
			Judge:       func(o *Observation) Outcome { return judgeReturnsNo5xx(o.StepsNamed(stepFinalizeNoCode), true) },
		}, docInstallReturn),
		inferred(Check{
			ID: "seamless/reload", Level: Must, Group: GroupSeamless, Scenario: scenarioSeamlessReload,
			Title:       "A reloaded finalize URL",
			Provokes:    "the same finalize URL loaded a second time, after the install completed",
			Requirement: "Reloading the finalize URL (its code already redeemed) must not show an error page; the user goes back to HubSpot.",
			Source:      srcInstallFlow + "; " + srcRFC6749Code,
			Fix:         "Treat BAD_AUTH_CODE on an already-installed portal as done, and redirect to the returnUrl.",
			Judge:       func(o *Observation) Outcome { return judgeReturnsNo5xx(o.StepsNamed(stepFinalizeReload), false) },
		}, docInstallReturn),
	)
}
