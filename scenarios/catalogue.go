package scenarios

import "slices"

// Group is a part of the catalogue: the checks of one install flow (seamless, partner,
// connect), the bad-input checks run for each install flow (robust), the listing profile's
// (listing), and the webhook receiver's (webhooks). Each group keeps its check literals in
// <group>_checks.go, its scripts in <group>_scripts.go and its judges in <group>_judges.go.
// Reports name it "flow" (JSON schema version 1, the JUnit classname).
type Group string

// The groups, in the order the catalogue lists them.
const (
	GroupSeamless Group = "seamless"
	GroupPartner  Group = "partner"
	GroupRobust   Group = "robust"
	GroupConnect  Group = "connect"
	GroupListing  Group = "listing"
	GroupWebhooks Group = "webhooks"
)

// Scenarios returns every scenario, in catalogue order.
func Scenarios() []Scenario {
	return slices.Concat(seamlessScenarios(), concurrentScenarios(), partnerScenarios(), robustScenarios(),
		connectScenarios(), listingScenarios(), webhookScenarios())
}

// Catalogue returns every check that a run under profile can decide, in catalogue order.
// Check IDs never change meaning once released (docs/checks.md).
func Catalogue(profile Profile) []Check {
	var out []Check
	out = append(out, seamlessChecks()...)
	if profile == ProfileListing {
		out = append(out, seamlessConcurrentChecks()...) // the full catalogue; a dev run adds them with --repeat
	}
	out = append(out, partnerChecks()...)
	if profile == ProfileListing {
		out = append(out, partnerConcurrentChecks()...)
	}
	out = append(out, robustChecks()...)
	out = append(out, connectChecks()...)
	if profile == ProfileListing {
		out = append(out, listingChecks()...)
	}
	out = append(out, webhookChecks()...)
	return out
}

// Lookup finds a check by ID in the full catalogue.
func Lookup(id string) (Check, bool) {
	for _, c := range Catalogue(ProfileListing) {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}
