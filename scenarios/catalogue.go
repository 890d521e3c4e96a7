package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

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

// CatalogueFor is the catalogue a run with opts draws its checks from: Catalogue(opts.Profile),
// and under the dev profile the concurrent installs' checks when opts.Repeat is above 1 (the
// listing profile always has them).
func CatalogueFor(opts Options) []Check {
	out := Catalogue(opts.Profile)
	if opts.Repeat > 1 && opts.Profile != ProfileListing {
		out = append(out, slices.Concat(seamlessConcurrentChecks(), partnerConcurrentChecks())...)
	}
	return out
}

// ValidateSelection says which --only pattern of opts selects no check of the run's catalogue
// (CatalogueFor), and what would select it: --repeat for the concurrent installs' checks,
// --profile listing for the listing checks. A nil error means every pattern selects something.
func ValidateSelection(opts Options) error {
	opts = opts.withDefaults()
	var problems []string
	for _, p := range opts.Only {
		if len(Select(CatalogueFor(opts), []string{p}, nil)) > 0 {
			continue
		}
		more := opts
		more.Repeat = 2
		switch {
		case len(Select(CatalogueFor(more), []string{p}, nil)) > 0:
			problems = append(problems, fmt.Sprintf("--only %q selects the concurrent installs' checks, which run only with --repeat 2 or more (e.g. --concurrency 8 --repeat 16)", p))
		case len(Select(Catalogue(ProfileListing), []string{p}, nil)) > 0:
			problems = append(problems, fmt.Sprintf("--only %q selects checks of the listing profile only: add --profile listing", p))
		default:
			problems = append(problems, fmt.Sprintf("--only %q matches no check ID (hsemu check --list shows them; a pattern is an ID, a glob such as partner/state/*, or a prefix ending in /)", p))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
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
