package scenarios

// docConcurrentInstalls: what HubSpot documents about installs that run at once. It shows one
// install at a time; that one install's code, state or returnUrl must never be used for another
// is hsemu's reading of its "Retrieve the user account associated with the state token" and of
// "Redirect the user back to the returnUrl provided in the installation request".
const docConcurrentInstalls = "one install at a time: \"Redirect the user back to the returnUrl provided in the installation request\" and, with partner sign-in, \"Retrieve the user account associated with the state token\"; nothing about installs that overlap"

// concurrentChecks are the checks of the concurrent-installs scenario (--repeat above 1).
func concurrentChecks() []Check {
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
