package scenarios

import "sync"

// inferredFrom holds, by check ID, what HubSpot documents where the check's rule is hsemu's
// inference (HubSpotDocuments). inferred fills it as the catalogue is built.
var inferredFrom sync.Map

// HubSpotDocuments says, for a check whose rule is hsemu's inference (Basis Inferred), what
// HubSpot's pages document instead; "" for a documented rule or an unknown ID. Reports and docs
// quote it beside the rule.
func HubSpotDocuments(id string) string {
	Catalogue(ProfileListing) // builds every check, so inferred has recorded them all
	if v, ok := inferredFrom.Load(id); ok {
		return v.(string)
	}
	return ""
}

// inferred marks c's rule as hsemu's inference from HubSpot's pages, not their words, and makes
// its failing verdicts say so, with what HubSpot documents (documents) — so that a team reading
// the verdict can weigh it against the page.
func inferred(c Check, documents string) Check {
	c.Basis = Inferred
	inferredFrom.Store(c.ID, documents)
	judge := c.Judge
	c.Judge = func(o *Observation) Outcome {
		out := judge(o)
		if out.Status == Fail {
			out.Expected += " (hsemu's inference; HubSpot documents: " + documents + ")"
		}
		return out
	}
	return c
}

// reflectedMarkupCheck is a flow's reflected-markup check: markup smuggled where an allow-list of
// HubSpot's hosts lets it through, searched on every page the scenario's requests bring up.
func reflectedMarkupCheck(group Group, id string, scenario ScenarioID, provokes string) Check {
	return Check{
		ID: id, Level: Must, Basis: Documented, Group: group, Scenario: scenario,
		Title:       "Parameters are never echoed unescaped",
		Provokes:    provokes,
		Requirement: "Untrusted input echoed into a page is encoded for where it lands: a parameter carrying markup (in a returnUrl on HubSpot's own host, which an allow-list accepts, in state, in code) must not become markup on any page, error pages included.",
		Source:      srcOWASPXSS,
		Fix:         "Render every page, error pages included, with a template engine that escapes by context (Go html/template, React, Jinja autoescape, EJS <%= %>); never concatenate a request parameter into HTML.",
		Judge:       judgeMarkupEverywhere,
	}
}

// What HubSpot documents where hsemu infers a rule.
const (
	// docInstallReturn: the install-flow page on returning to HubSpot. It describes the
	// successful install (and, for the partner flow, a state it cannot verify); that a failure
	// (a failed exchange, a missing code, a reload, bad input) must end the same way is hsemu's
	// reading of "required to avoid an infinite login loop".
	docInstallReturn = "\"Redirect the user back to the returnUrl provided in the installation request. Redirecting back to HubSpot is required to avoid an infinite login loop\", for the successful install (and for a state the endpoint cannot verify); it does not describe failures"
	// docReturnState: the install-flow page on the return with state. Its examples disagree.
	docReturnState = "\"Add the state token … to the returnUrl as a query parameter\"; its text shows `${returnUrl}?state=${state}`, its code sample uses new URL(returnUrl).searchParams.set('state', …) and shows ?someHubSpotParam=returnUrlParam&state=123abc — the two disagree when returnUrl has a query, and hsemu follows the code sample"
)
