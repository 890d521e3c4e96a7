package scenarios

// robustChecks are the robust group's checks: bad input sent to the install endpoint of every
// install flow, each decided once per target.
func robustChecks() []Check {
	return []Check{
		{
			ID: "robust/unknown-step", Level: Must, Group: GroupRobust, Scenario: scenarioRobustUnknownStep,
			Title:       "An unknown step is refused",
			Provokes:    "step=bogus, and no step, with a fresh code",
			Requirement: "HubSpot sends step=authorize (partner sign-in) and step=finalize; any other step, or none, is bad input: no error page from the server, and no token exchange.",
			Source:      srcInstallFlow,
			Fix:         "Switch on step explicitly; for any other value answer a 400 page (or redirect to a checked returnUrl) without exchanging the code.",
			Judge: func(o *Observation) Outcome {
				return judgeRobust(o, stepProbeUnknownStep, robustWant{noExchange: true})
			},
		},
		{
			ID: "robust/missing-return-url", Level: Must, Group: GroupRobust, Scenario: scenarioRobustMissingReturnURL,
			Title:       "A request without returnUrl gets an answer",
			Provokes:    "no returnUrl",
			Requirement: "Without a returnUrl the endpoint cannot send the user back; it answers with an error page, never a 5xx and never a hang.",
			Source:      srcInstallFlow,
			Fix:         "Check returnUrl before using it; when it is missing, answer a 400 page that says so.",
			Judge:       func(o *Observation) Outcome { return judgeRobust(o, stepProbeNoReturnURL, robustWant{}) },
		},
		{
			ID: "robust/duplicate-params", Level: Must, Group: GroupRobust, Scenario: scenarioRobustDuplicateParams,
			Title:       "Repeated parameters do not crash",
			Provokes:    "each parameter twice",
			Requirement: "A parameter given twice is bad input, not a server error: no 5xx.",
			Source:      srcInstallFlow + "; RFC 6749 §3.1 (parameters must not be included more than once)",
			Fix:         "Read parameters with a function that handles repeats (take one when the values agree, answer 400 when they differ), never by indexing an array that may hold two.",
			Judge:       func(o *Observation) Outcome { return judgeRobust(o, stepProbeDuplicated, robustWant{}) },
		},
		{
			ID: "robust/oversized-params", Level: Must, Group: GroupRobust, Scenario: scenarioRobustOversizedParams,
			Title:       "Oversized parameters are answered promptly",
			Provokes:    "an 8 KiB returnUrl and a 4 KiB state",
			Requirement: "Long parameters are bad input: no 5xx, and an answer within the hop budget.",
			Source:      srcInstallFlow + "; hsemu's own hop budget (docs/design.md)",
			Fix:         "Bound the length of returnUrl and state before storing or parsing them (a column too short is a 500); refuse longer ones with a 400 page.",
			Judge: func(o *Observation) Outcome {
				return judgeRobust(o, stepProbeOversized, robustWant{withinBudget: true})
			},
		},
		{
			ID: "robust/open-redirect", Level: Should, Group: GroupRobust, Scenario: scenarioRobustOpenRedirect,
			Title:       "No open redirect through returnUrl",
			Provokes:    "returnUrls on evil.example, app.hubspot.com.evil.example, //evil.example, https://app.hubspot.com@evil.example and javascript:",
			Requirement: "Clients MUST NOT expose URLs that forward the user's browser to arbitrary URIs obtained from a query parameter (open redirectors); redirect only to allowed targets.",
			Source:      srcRFC9700OpenRedirect,
			Fix:         "Parse returnUrl with a URL parser and redirect only when its scheme is https, it has no user information and its host is exactly app.hubspot.com or app-<hublet>.hubspot.com; otherwise answer a 400 page without a link to it.",
			Judge:       judgeOpenRedirect,
		},
		{
			ID: "robust/reflected-return-url", Level: Must, Group: GroupRobust, Scenario: scenarioRobustReflectedReturnURL,
			Title:       "returnUrl is never echoed unescaped",
			Provokes:    "a returnUrl carrying " + xssPayload,
			Requirement: "Untrusted input echoed into a page is encoded for where it lands; a returnUrl carrying markup must not become markup.",
			Source:      srcOWASPXSS,
			Fix:         "Render pages with a template engine that escapes by context (Go html/template, React, Jinja autoescape); never concatenate returnUrl into HTML.",
			Judge:       judgeReflected,
		},
	}
}
