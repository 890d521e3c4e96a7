package scenarios

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// This file holds the listing checks (CHECKS.md, "listing"): what `--profile listing` adds as
// the CI gate before a Marketplace listing is submitted. MANUAL checks are listed for a person to
// confirm; they are reported as skipped with the text "confirm by hand: …", never as passed.

// srcListingReqs is HubSpot's App Marketplace listing requirements page.
const srcListingReqs = "https://developers.hubspot.com/docs/apps/developer-platform/list-apps/listing-your-app/app-marketplace-listing-requirements"

// ManualPrefix starts the Got of every MANUAL check's outcome, so reports can show them as MANUAL.
const ManualPrefix = "confirm by hand: "

func appliesToListing(t Target, o Options) bool {
	return o.Profile == ProfileListing && appliesToInstallFlows(t, o)
}

// listingURLs are the URLs a listing must serve over https: the install URL, the app's
// redirect URLs, the connect URL and the webhook URL, each once.
func listingURLs(t Target) []string {
	var out []string
	seen := map[string]bool{}
	for _, u := range append(append([]string{t.InstallURL}, t.App.RedirectURLs...), t.ConnectURL, t.WebhookURL) {
		if u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// probeHTTPS says what keeps raw from being served over https with a certificate a browser
// trusts, or nil: the scheme, then a TLS handshake that verifies the chain and the host name
// against Options.TLSRootCAs (the system roots when nil).
func (s *Session) probeHTTPS(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.Scheme != "https" {
		return fmt.Errorf("%s uses %s, not https", raw, u.Scheme)
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	d := tls.Dialer{
		NetDialer: &net.Dialer{Timeout: s.opts.HopTimeout},
		Config:    &tls.Config{RootCAs: s.opts.TLSRootCAs, ServerName: u.Hostname(), MinVersion: tls.VersionTLS12},
	}
	conn, err := d.DialContext(s.ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return fmt.Errorf("%s: no valid certificate: %w", raw, err)
	}
	return conn.Close()
}

// listingBrowser is NewBrowser trusting Options.TLSRootCAs, for endpoints served over https
// with a private CA (tests, staging).
func (s *Session) listingBrowser() Engine {
	var rt http.RoundTripper
	if s.opts.TLSRootCAs != nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.Proxy = nil
		t.TLSClientConfig = &tls.Config{RootCAs: s.opts.TLSRootCAs, MinVersion: tls.VersionTLS12}
		rt = t
	}
	b := s.newEngine(browser.Options{
		ThirdPartyCookies: s.opts.ThirdPartyCookies,
		Transport:         rt,
		StopAt:            func(u *url.URL) bool { return browser.IsHubSpotHost(u.Hostname()) },
	})
	return b
}

// appConfigProblems loads the target's app-hsmeta.json and applies the listing's rules on top
// of the developer platform's (emulator.LoadAppConfig); each problem names its field.
func appConfigProblems(t Target) []string {
	if t.AppConfig == "" {
		return []string{"no app configuration was given: pass --app-config (or HSEMU_APP_CONFIG) with the path of src/app/app-hsmeta.json or the project directory"}
	}
	app, err := emulator.LoadAppConfig(t.AppConfig)
	if err != nil {
		return []string{err.Error()}
	}
	var probs []string
	if app.Distribution != "marketplace" {
		probs = append(probs, fmt.Sprintf(`field config.distribution: %q; a listed app needs "marketplace"`, app.Distribution))
	}
	if app.AuthType != "oauth" {
		probs = append(probs, fmt.Sprintf(`field config.auth.type: %q; a listed app must use OAuth as its sole authorization method ("oauth")`, app.AuthType))
	}
	found := false
	for _, r := range app.RedirectURLs {
		found = found || r == t.InstallURL
	}
	if !found {
		probs = append(probs, fmt.Sprintf("field config.auth.redirectUrls: %v does not include the install URL %s, which HubSpot binds the install's code to", app.RedirectURLs, t.InstallURL))
	}
	hasOAuth := false
	for _, sc := range app.RequiredScopes {
		hasOAuth = hasOAuth || sc == "oauth"
	}
	if !hasOAuth {
		probs = append(probs, `field config.auth.requiredScopes: "oauth" is missing; every OAuth app requires it`)
	}
	return probs
}

func listingScenarios() []Scenario {
	return []Scenario{
		{
			ID: "listing/https", Flow: Listing, Title: "Every URL on https with a valid certificate", Applies: appliesToListing,
			Provokes: "a TLS handshake, verifying the certificate, with the install, redirect, connect and webhook URLs",
			Run: func(s *Session) error {
				for _, raw := range listingURLs(s.target) {
					st, done := s.Step("https " + raw)
					st.URL = raw
					st.Err = s.probeHTTPS(raw)
					done()
				}
				return nil
			},
		},
		{
			ID: "listing/app-config", Flow: Listing, Title: "The app configuration a listing needs", Applies: appliesToListing,
			Provokes: "the target's app-hsmeta.json, read and checked",
			Run: func(s *Session) error {
				st, done := s.Step("app config")
				st.URL = s.target.AppConfig
				st.Note = strings.Join(appConfigProblems(s.target), "; ")
				done()
				return nil
			},
		},
		{
			ID: "listing/install", Flow: Listing, Title: "A normal install, for the listing", Applies: appliesToListing,
			Provokes: "a normal install (seamless when the target serves it, else with partner sign-in)",
			Run: func(s *Session) error {
				b := s.listingBrowser()
				if s.target.hasFlow(Seamless) {
					_, err := s.SeamlessInstall(b, "finalize", nil)
					return err
				}
				_, fin, err := partnerInstall(s, b, nil, "finalize")
				if err == nil && fin == nil {
					return &skipError{why: s.obs.Halt}
				}
				return err
			},
		},
		{
			ID: "listing/manual", Flow: Listing, Title: "What a person must confirm", Applies: appliesToListing,
			Provokes: "nothing: these are listed for a person to confirm",
			Run:      func(*Session) error { return nil },
		},
	}
}

// manualCheck is a MANUAL listing check: reported as skipped, saying what to confirm.
func manualCheck(id, title, requirement, confirm string) Check {
	return Check{
		ID: "listing/manual/" + id, Level: Manual, Flow: Listing, Scenario: "listing/manual",
		Title: title, Provokes: "nothing: no black-box test can see it", Requirement: requirement,
		Source: srcListingReqs, Fix: confirm,
		Judge: func(*Observation) Outcome { return skip(ManualPrefix + confirm) },
	}
}

func listingChecks() []Check {
	return []Check{
		{
			ID: "listing/https", Level: Must, Flow: Listing, Scenario: "listing/https",
			Title:       "Install, redirect and webhook URLs on https",
			Provokes:    "a verified TLS handshake with every URL of the app",
			Requirement: "Redirect URLs must use https (http only for localhost testing); a listed app serves its install, redirect and webhook URLs over https with a certificate browsers trust.",
			Source:      srcWorkingOAuth + "; " + srcListingReqs,
			Fix:         "Serve every URL of the app over https with a certificate from a public CA for its host name (e.g. Let's Encrypt), and register the https URLs.",
			Judge: func(o *Observation) Outcome {
				steps := o.StepsNamed("https ")
				if len(steps) == 0 {
					return o.missing("https")
				}
				for _, st := range steps {
					if st.Err != nil {
						return fail("https with a valid certificate", st.Err.Error())
					}
				}
				return pass(fmt.Sprintf("%d URL(s) on https with a valid certificate", len(steps)))
			},
		},
		{
			ID: "listing/app-config", Level: Must, Flow: Listing, Scenario: "listing/app-config",
			Title:       "app-hsmeta.json is ready for the Marketplace",
			Provokes:    "the app configuration file",
			Requirement: "uid, type, name and description valid; distribution \"marketplace\"; auth.type \"oauth\"; redirectUrls include the install URL; only known scopes; \"oauth\" required.",
			Source:      "https://developers.hubspot.com/docs/apps/developer-platform/build-apps/app-configuration; " + srcListingReqs,
			Fix:         "Fix the field named in the message in src/app/app-hsmeta.json, then `hs project upload`.",
			Judge: func(o *Observation) Outcome {
				st := o.Step("app config")
				if st == nil {
					return o.missing("app config")
				}
				if st.Note != "" {
					return fail("an app configuration a listing accepts", st.Note)
				}
				return pass(st.URL + " is ready for a listing")
			},
		},
		{
			ID: "listing/current-token-endpoint", Level: Must, Flow: Listing, Scenario: "listing/install",
			Title:       "Uses the current token endpoint",
			Provokes:    "a normal install",
			Requirement: "The v1 token endpoint /oauth/v1/token is deprecated and sunsets on February 16, 2027; listed apps must use a supported version (/oauth/v3/token).",
			Source:      srcV1Sunset + "; https://developers.hubspot.com/changelog/app-listing-and-app-certification-requirement-updates-for-may-2026",
			Fix:         "Post the exchange to /oauth/v3/token (form body only: v3 refuses parameters in the query).",
			Judge:       func(o *Observation) Outcome { return judgeCurrentEndpoint(o.Step("finalize")) },
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
