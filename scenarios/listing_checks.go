package scenarios

import "github.com/hsemu/hsemu/emulator/hubspot"

// The listing checks: MANUAL checks are listed for a person to confirm; they are reported as
// skipped with the text "confirm by hand: …", never as passed.

// ManualPrefix starts the Got of every MANUAL check's outcome, so reports can show them as MANUAL.
const ManualPrefix = "confirm by hand: "

// manualCheck is a MANUAL listing check: reported as skipped, saying what to confirm.
func manualCheck(id, title, requirement, confirm string) Check {
	return Check{
		ID: "listing/manual/" + id, Level: Manual, Basis: Documented, Group: GroupListing, Scenario: scenarioListingManual,
		Title: title, Provokes: "nothing: no black-box test can see it", Requirement: requirement,
		Source: srcListingReqs, Fix: confirm,
		Judge: func(*Observation) Outcome { return skip(ManualPrefix + confirm) },
	}
}

// listingChecks are the listing group's checks, added by the listing profile.
func listingChecks() []Check {
	return []Check{
		{
			ID: "listing/https", Level: Must, Basis: Documented, Group: GroupListing, Scenario: scenarioListingHTTPS,
			Title:       "Install, redirect and webhook URLs on https",
			Provokes:    "a verified TLS handshake with every URL of the app",
			Requirement: "Redirect URLs must use https (http only for localhost testing); a listed app serves its install, redirect and webhook URLs over https with a certificate browsers trust.",
			Source:      srcWorkingOAuth + "; " + srcListingReqs,
			Fix:         "Serve every URL of the app over https with a certificate from a public CA for its host name (e.g. Let's Encrypt), and register the https URLs.",
			Judge:       judgeHTTPS,
		},
		{
			ID: "listing/app-config", Level: Must, Basis: Documented, Group: GroupListing, Scenario: scenarioListingAppConfig,
			Title:       "app-hsmeta.json is ready for the Marketplace",
			Provokes:    "the app configuration file",
			Requirement: "uid, type, name and description valid; distribution \"marketplace\"; auth.type \"oauth\"; redirectUrls include the install URL; only known scopes; \"oauth\" required.",
			Source:      "https://developers.hubspot.com/docs/apps/developer-platform/build-apps/app-configuration; " + srcListingReqs,
			Fix:         "Fix the field named in the message in src/app/app-hsmeta.json, then `hs project upload`.",
			Judge:       judgeAppConfig,
		},
		{
			ID: "listing/current-token-endpoint", Level: Must, Basis: Documented, Group: GroupListing, Scenario: scenarioListingInstall,
			Title:       titleCurrentEndpoint,
			Provokes:    "a normal install, and a complete connect when the target has a connect URL: every code exchange of the app",
			Requirement: hubspot.TextTokenV1Deprecated + "; listed apps must use a supported version (" + hubspot.TokenPathV3 + "), in every flow.",
			Source:      srcV1Sunset + "; https://developers.hubspot.com/changelog/app-listing-and-app-certification-requirement-updates-for-may-2026",
			Fix:         "Post the exchange to /oauth/v3/token (form body only: v3 refuses parameters in the query).",
			Judge:       judgeListingTokenEndpoint,
		},
		manualCheck("token-storage", "Tokens are stored encrypted",
			"Access and refresh tokens are secrets: store them encrypted at rest, never in logs.",
			"confirm that access and refresh tokens are encrypted at rest (KMS or an encrypted column) and never logged"),
		manualCheck("data-deletion", "Data is deleted on uninstall",
			"When a portal uninstalls the app, the app deletes (or stops using) that portal's data and tokens.",
			"confirm that uninstalling the app (the journal's app lifecycle event, or a failed refresh) deletes the portal's tokens and data"),
		manualCheck("least-privilege-scopes", "Only the scopes the app needs",
			"Scopes: you must only request scopes your app needs.",
			"confirm that every required and optional scope is used by a feature of the app; drop the others"),
		manualCheck("uninstall-path", "Users can uninstall",
			"The listing documents how to disconnect or uninstall the app, and the app handles it.",
			"confirm that the listing's setup documentation says how to uninstall, and that the app's own disconnect button revokes its refresh token"),
	}
}
