package scenarios

// robustChecks are the robust group's checks: bad input sent to the install endpoint of every
// install flow, each decided once per target.
func robustChecks() []Check {
	return []Check{
		inferred(Check{
			ID: "robust/unknown-step", Level: Must, Group: GroupRobust, Scenario: scenarioRobustUnknownStep,
			Title:       "An unknown step gets an answer",
			Provokes:    "step=bogus, and no step, with a fresh code",
			Requirement: "Any other step than HubSpot's, or none, gets an answer: no error page from the server, no hang. (A seamless endpoint may ignore step altogether: \"You do not need to do anything with this parameter\".)",
			Source:      srcInstallFlow,
			Fix:         "Never answer an unknown step with a server error: switch on step with a default branch that answers a 400 page (or, for the seamless flow, treat the request as the finalize).",
			Judge: func(o *Observation) Outcome {
				return judgeRobust(o, stepProbeUnknownStep, robustWant{})
			},
		}, "step=authorize and step=finalize, and of step in the seamless flow \"always set to finalize. You do not need to do anything with this parameter\"; it does not describe other values"),
		inferred(Check{
			ID: "robust/unknown-step-no-exchange", Level: Should, Group: GroupRobust, Scenario: scenarioRobustUnknownStep,
			Title:       "With partner sign-in, an unknown step exchanges no code",
			Provokes:    "step=bogus, and no step, with a fresh code and a random state (partner sign-in only)",
			Requirement: "An endpoint with partner sign-in decides by step what to do (show the sign-in, or verify the state and finalize); a request with any other step, or none, completes no install: no token exchange.",
			Source:      srcInstallFlow,
			Fix:         "Switch on step explicitly; for any other value answer a 400 page (or redirect to a checked returnUrl) without exchanging the code.",
			Judge: func(o *Observation) Outcome {
				if o.Target.hasFlow(Seamless) {
					return skip("the install URL serves the seamless flow, whose step needs no reading (\"You do not need to do anything with this parameter\")")
				}
				return judgeRobust(o, stepProbeUnknownStep, robustWant{noExchange: true})
			},
		}, "step=authorize (\"show a login form\") and step=finalize (\"If you are able to verify the state token, complete the installation\"); it does not describe other values"),
		inferred(Check{
			ID: "robust/missing-return-url", Level: Must, Group: GroupRobust, Scenario: scenarioRobustMissingReturnURL,
			Title:       "A request without returnUrl gets an answer",
			Provokes:    "no returnUrl",
			Requirement: "Without a returnUrl the endpoint cannot send the user back; it answers with an error page, never a 5xx and never a hang.",
			Source:      srcInstallFlow,
			Fix:         "Check returnUrl before using it; when it is missing, answer a 400 page that says so.",
			Judge: func(o *Observation) Outcome {
				return judgeRobust(o, stepProbeNoReturnURL, robustWant{})
			},
		}, docInstallReturn),
		{
			ID: "robust/error-page-frameable", Level: Must, Basis: Documented, Group: GroupRobust, Scenario: scenarioRobustMissingReturnURL,
			Title:       "Error pages can be framed too",
			Provokes:    "the error page of a finalize without returnUrl (the endpoint cannot redirect), judged as inside HubSpot's frame",
			Requirement: "Ensure that the endpoint handling the install flow can be framed by HubSpot: its error pages too, which HubSpot's frame shows when the endpoint refuses a request (a returnUrl on a host it does not know, a missing parameter); a page the frame may not show is a blank dialog.",
			Source:      srcInstallFlow + "; " + srcCSP3,
			Fix:         fixFrame + " Error pages included: send the header from a middleware that runs before your error handler.",
			Judge: func(o *Observation) Outcome {
				var framed []*Step
				for _, st := range o.StepsNamed(stepProbeNoReturnURL) {
					if st.Context.Framed {
						framed = append(framed, st)
					}
				}
				if len(framed) == 0 {
					return o.missing(stepProbeNoReturnURL)
				}
				return judgeFrameable(framed, "")
			},
		},
		inferred(Check{
			ID: "robust/duplicate-params", Level: Must, Group: GroupRobust, Scenario: scenarioRobustDuplicateParams,
			Title:       "Repeated parameters do not crash",
			Provokes:    "each parameter twice",
			Requirement: "A parameter given twice is bad input, not a server error: no 5xx.",
			Source:      srcInstallFlow + "; RFC 6749 §3.1 (parameters must not be included more than once)",
			Fix:         "Read parameters with a function that handles repeats (take one when the values agree, answer 400 when they differ), never by indexing an array that may hold two.",
			Judge: func(o *Observation) Outcome {
				return judgeRobust(o, stepProbeDuplicated, robustWant{})
			},
		}, "the parameters HubSpot sends, each once; RFC 6749 §3.1 forbids repeating them, and says nothing of how a server answers a repeat"),
		inferred(Check{
			ID: "robust/oversized-params", Level: Must, Group: GroupRobust, Scenario: scenarioRobustOversizedParams,
			Title:       "Oversized parameters are answered promptly",
			Provokes:    "an 8 KiB returnUrl and a 4 KiB state",
			Requirement: "Long parameters are bad input: no 5xx, and an answer within the hop budget.",
			Source:      srcInstallFlow + "; hsemu's own hop budget (docs/design.md)",
			Fix:         "Bound the length of returnUrl and state before storing or parsing them (a column too short is a 500); refuse longer ones with a 400 page.",
			Judge: func(o *Observation) Outcome {
				return judgeRobust(o, stepProbeOversized, robustWant{withinBudget: true})
			},
		}, "the parameters HubSpot sends; it gives no maximum length"),
		{
			ID: "robust/open-redirect", Level: Should, Basis: Documented, Group: GroupRobust, Scenario: scenarioRobustOpenRedirect,
			Title:       "No open redirect through returnUrl",
			Provokes:    "returnUrls on evil.example, app.hubspot.com.evil.example, //evil.example, https://app.hubspot.com@evil.example and javascript:",
			Requirement: "Clients MUST NOT expose URLs that forward the user's browser to arbitrary URIs obtained from a query parameter (open redirectors); redirect only to allowed targets.",
			Source:      srcRFC9700OpenRedirect,
			Fix:         "Parse returnUrl with a URL parser and redirect only when its scheme is https, it has no user information and its host is exactly app.hubspot.com or app-<hublet>.hubspot.com; otherwise answer a 400 page without a link to it.",
			Judge:       judgeOpenRedirect,
		},
		{
			ID: "robust/reflected-return-url", Level: Must, Basis: Documented, Group: GroupRobust, Scenario: scenarioRobustReflectedReturnURL,
			Title:       "returnUrl is never echoed unescaped",
			Provokes:    "a returnUrl carrying " + xssPayload,
			Requirement: "Untrusted input echoed into a page is encoded for where it lands; a returnUrl carrying markup must not become markup.",
			Source:      srcOWASPXSS,
			Fix:         "Render pages with a template engine that escapes by context (Go html/template, React, Jinja autoescape); never concatenate returnUrl into HTML.",
			Judge:       judgeReflected,
		},
	}
}
