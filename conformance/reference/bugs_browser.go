package reference

import "slices"

// The variants added for issue 10, appended to the one registry (bugs in bugs.go): single-page
// apps, and what only a real browser enforces.

// InBrowser is what a broken variant fails in a real browser, which runs the page's scripts and
// refuses to show a page HubSpot's frame may not frame, where the http engine can only read them.
type InBrowser struct {
	// Fails lists the IDs of the checks the variant must fail under the chromium engine, and
	// only these.
	Fails []string
	// Why says why the engines differ, in one sentence.
	Why string
}

// BrowserFails returns the IDs of the checks the variant must fail under the chromium engine:
// Browser.Fails when it is set, else Fails.
func (b Bug) BrowserFails() []string {
	if b.Browser != nil {
		return slices.Clone(b.Browser.Fails)
	}
	return slices.Clone(b.Fails)
}

// Why the engines differ, for InBrowser.Why.
const (
	whyBlockedRefresh = "Chromium refuses to show the page in HubSpot's frame, so its meta refresh never runs and the user never gets back; the http engine judges the header but still follows the refresh"
	whySPA            = "the http engine runs no script, so it cannot decide what the app does (Errors); Chromium runs it, and the app passes every check there"
	whyScriptReturn   = "the wrong return is made by script, which only a real browser runs (the http engine leaves it undecided: Errors)"
)

// browserBugs are the variants that need a real browser to decide: Bug.Browser says how the
// chromium engine decides them.
var browserBugs = []Bug{
	{
		Name: "seamless-spa", Flow: FlowSeamless, defect: defectSPA,
		Title:   `is a single-page app: its script reads code and returnUrl from location.search, posts them to its backend with fetch() (which exchanges the code) and then sets window.location.href = returnUrl; correct, it fails nothing`,
		Errors:  []string{"seamless/install/returns-to-hubspot", "seamless/install/exchanges-code", "seamless/exchange-fails", "seamless/missing-code", "seamless/reload"}, //nolint:goconst // check IDs read best written out in each variant's lists
		Browser: &InBrowser{Why: whySPA},
	},
	{
		Name: "partner-spa", Flow: FlowPartner, defect: defectSPA,
		Title: `is a single-page app: at sign-in its script posts the credentials to its backend and returns to HubSpot with URLSearchParams and window.location.href; at finalize it posts code, state and returnUrl to its backend (which verifies the state and exchanges the code) and sets window.location.href = returnUrl; correct, it fails nothing`,
		Errors: []string{
			"partner/finalize/returns-to-hubspot", "partner/finalize/exchanges-code", "partner/finalize/no-cookie-needed", //nolint:goconst // check IDs read best written out in each variant's lists
			"partner/exchange-fails", "partner/state/tampered", "partner/state/missing", "partner/state/foreign", //nolint:goconst // check IDs read best written out in each variant's lists
		},
		Browser: &InBrowser{Why: whySPA},
	},
	{
		Name: "seamless-spa-to-dashboard", Flow: FlowSeamless, defect: defectSPAToDashboard,
		Title:  `is the single-page app seamless-spa, but after a successful install its script sends the user to the app's dashboard (/installs) instead of returnUrl`,
		Errors: []string{"seamless/install/returns-to-hubspot", "seamless/install/exchanges-code", "seamless/exchange-fails", "seamless/missing-code", "seamless/reload"},
		Browser: &InBrowser{
			Fails: []string{"seamless/install/returns-to-hubspot"},
			Why:   whyScriptReturn,
		},
	},
	{
		Name: "partner-spa-to-dashboard", Flow: FlowPartner, defect: defectSPAToDashboard,
		Title: `is the single-page app partner-spa, but after a successful install its script sends the user to the app's dashboard (/installs) instead of returnUrl`,
		Errors: []string{
			"partner/finalize/returns-to-hubspot", "partner/finalize/exchanges-code", "partner/finalize/no-cookie-needed",
			"partner/exchange-fails", "partner/state/tampered", "partner/state/missing", "partner/state/foreign",
		},
		Browser: &InBrowser{
			Fails: []string{"partner/finalize/returns-to-hubspot"},
			Why:   whyScriptReturn,
		},
	},
	{
		Name: "seamless-landing-blocked", Flow: FlowSeamless, defect: defectLandingBlocked,
		Title: `after a successful install redirects (302) to its own "Installed!" page, sent with Content-Security-Policy: frame-ancestors 'none', which returns to HubSpot with a meta refresh`,
		Fails: []string{"seamless/install/frameable"}, //nolint:goconst // check IDs read best written out in each variant's lists
		Browser: &InBrowser{
			Fails: []string{"seamless/install/frameable", "seamless/install/returns-to-hubspot"},
			Why:   whyBlockedRefresh,
		},
	},
	{
		Name: "partner-landing-blocked", Flow: FlowPartner, defect: defectLandingBlocked,
		Title: `after a successful install redirects (302) to its own "Installed!" page, sent with Content-Security-Policy: frame-ancestors 'none', which returns to HubSpot with a meta refresh`,
		Fails: []string{"partner/finalize/frameable"}, //nolint:goconst // check IDs read best written out in each variant's lists
		Browser: &InBrowser{
			Fails: []string{"partner/finalize/frameable", "partner/finalize/returns-to-hubspot"},
			Why:   whyBlockedRefresh,
		},
	},
}
