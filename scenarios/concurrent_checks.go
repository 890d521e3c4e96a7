package scenarios

// docConcurrentInstalls: what HubSpot documents about installs that run at once. It shows one
// install at a time; that one install's code, state or returnUrl must never be used for another
// is hsemu's reading of its "Retrieve the user account associated with the state token" and of
// "Redirect the user back to the returnUrl provided in the installation request".
const docConcurrentInstalls = "one install at a time: \"Redirect the user back to the returnUrl provided in the installation request\" and, with partner sign-in, \"Retrieve the user account associated with the state token\"; nothing about installs that overlap"

// seamlessConcurrentChecks is the seamless flow's check of the concurrent installs (--repeat
// above 1). The dev catalogue leaves the concurrent checks out (a default run and its list stay
// as they were); the full catalogue (ProfileListing) has them, and a run with --repeat adds them.
func seamlessConcurrentChecks() []Check {
	return []Check{inferred(Check{
		ID: "seamless/install/concurrent", Level: Must, Group: GroupSeamless, Scenario: scenarioSeamlessConcurrent,
		Title:       "Installs at the same time stay apart",
		Provokes:    "--repeat normal installs at once (up to --concurrency in flight), each in its own portal with its own code and returnUrl; decided only with --repeat above 1",
		Requirement: "Each install exchanges exactly its own code, once, and returns the user to its own returnUrl, however many installs are in flight: nothing one install keeps is used for another (a portal linked to the wrong account).",
		Source:      srcInstallFlow,
		Fix:         "Keep what an install needs in the request (its code and returnUrl) or in state stored per install, never in a global or module-level variable, a singleton, or a cache keyed by something installs share.",
		Judge:       judgeConcurrentInstalls,
	}, docConcurrentInstalls)}
}

// partnerConcurrentChecks is the partner flow's check of the concurrent installs (--repeat above
// 1).
func partnerConcurrentChecks() []Check {
	return []Check{inferred(Check{
		ID: "partner/finalize/concurrent", Level: Must, Group: GroupPartner, Scenario: scenarioPartnerConcurrent,
		Title:       "Installs with partner sign-in at the same time stay apart",
		Provokes:    "--repeat normal installs with partner sign-in at once (up to --concurrency in flight), each in its own portal with its own sign-in and state; then a finalize in the first install's portal with the second install's state; decided only with --repeat above 1",
		Requirement: "Each install exchanges exactly its own code, once, and returns the user to its own returnUrl, however many installs are in flight; a finalize with another install's state completes nothing (a tampered or borrowed state links a portal to the wrong account).",
		Source:      srcInstallFlow,
		Fix:         "Find the user by the state's own server-side record, mark the state used atomically with that lookup, and keep the rest of the install in the request; never in a global or module-level variable (\"the last signed-in user\"), a singleton, or a cache keyed by something installs share.",
		Judge:       judgePartnerConcurrent,
	}, docConcurrentInstalls)}
}
