package scenarios

import "fmt"

// Scenarios returns every scenario, in catalogue order.
func Scenarios() []Scenario {
	var out []Scenario
	out = append(out, seamlessScenarios()...)
	out = append(out, partnerScenarios()...)
	out = append(out, robustScenarios()...)
	out = append(out, connectScenarios()...)
	out = append(out, listingScenarios()...)
	out = append(out, webhookScenarios()...)
	return out
}

// Catalogue returns every check that a run under profile can decide, in catalogue order.
// Check IDs never change meaning once released (CHECKS.md).
func Catalogue(profile Profile) []Check {
	var out []Check
	out = append(out, seamlessChecks()...)
	out = append(out, partnerChecks()...)
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

// validateCatalogue reports IDs used twice and checks whose scenario does not exist; the
// catalogue's own test calls it.
func validateCatalogue() error {
	scs := map[string]bool{}
	for _, s := range Scenarios() {
		if scs[s.ID] {
			return fmt.Errorf("scenario %s defined twice", s.ID)
		}
		scs[s.ID] = true
	}
	seen := map[string]bool{}
	for _, c := range Catalogue(ProfileListing) {
		if seen[c.ID] {
			return fmt.Errorf("check %s defined twice", c.ID)
		}
		seen[c.ID] = true
		if !scs[c.Scenario] {
			return fmt.Errorf("check %s names scenario %s, which does not exist", c.ID, c.Scenario)
		}
		if c.Judge == nil || c.Requirement == "" || c.Source == "" || c.Fix == "" || c.Title == "" {
			return fmt.Errorf("check %s lacks a judge, title, requirement, source or fix", c.ID)
		}
	}
	return nil
}
