package scenarios

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// The listing scenarios: what `--profile listing` adds as the CI gate before a Marketplace
// listing is submitted.
const (
	scenarioListingHTTPS     ScenarioID = "listing/https"
	scenarioListingAppConfig ScenarioID = "listing/app-config"
	scenarioListingInstall   ScenarioID = "listing/install"
	scenarioListingManual    ScenarioID = "listing/manual"
)

// Steps of the listing scenarios, besides the install's.
const (
	// stepHTTPS begins the name of each URL's TLS probe: "https https://app.example.com/install".
	stepHTTPS     StepName = "https "
	stepAppConfig StepName = "app config"
)

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
func probeHTTPS(s *Session, raw string) error {
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
	if err := conn.Close(); err != nil {
		return fmt.Errorf("%s: close the TLS connection: %w", raw, err)
	}
	return nil
}

// listingBrowser is Session.NewBrowser with the run's third-party cookie policy; like every
// browser of the run it trusts Options.TLSRootCAs (--ca-file), for endpoints served over https
// with a private CA (tests, staging).
func listingBrowser(s *Session) Engine {
	return s.newEngine(browser.Options{
		ThirdPartyCookies: s.opts.ThirdPartyCookies,
		StopAt:            func(u *url.URL) bool { return browser.IsHubSpotHost(u.Hostname()) },
	})
}

// appConfigProblems loads the target's app-hsmeta.json and applies the listing's rules on top
// of the developer platform's (emulator.LoadAppConfig); each problem names its field.
func appConfigProblems(t Target) []string {
	if t.AppConfig == "" {
		return []string{"no app configuration was given: pass --app-config (or HSEMU_APP_CONFIG) with the path of src/app/app-hsmeta.json or the project directory"}
	}
	app, err := emulator.LoadAppConfig(t.AppConfig, t.App.HsProfile)
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
			ID: scenarioListingHTTPS, Group: GroupListing, Applies: appliesToListing,
			Title:    "Every URL on https with a valid certificate",
			Provokes: "a TLS handshake, verifying the certificate, with the install, redirect, connect and webhook URLs",
			Run: func(s *Session) error {
				for _, raw := range listingURLs(s.target) {
					st, done := s.Step(stepHTTPS+StepName(raw), browser.TopLevel, raw)
					st.Err = probeHTTPS(s, raw)
					done()
				}
				return nil
			},
		},
		{
			ID: scenarioListingAppConfig, Group: GroupListing, Applies: appliesToListing,
			Title:    "The app configuration a listing needs",
			Provokes: "the target's app-hsmeta.json, read and checked",
			Run: func(s *Session) error {
				st, done := s.Step(stepAppConfig, browser.TopLevel, s.target.AppConfig)
				st.Note = strings.Join(appConfigProblems(s.target), "; ")
				done()
				return nil
			},
		},
		{
			ID: scenarioListingInstall, Group: GroupListing, Applies: appliesToListing,
			Title:    "A normal install, for the listing",
			Provokes: "a normal install (seamless when the target serves it, else with partner sign-in), and a complete connect when the target has a connect URL",
			Run: func(s *Session) error {
				if s.target.ConnectURL != "" {
					// The connect flow's exchange is judged too (listing/current-token-endpoint).
					cb := newConnectBrowser(s)
					if u, code, err := connectToCallback(s, cb); err == nil {
						s.Open(cb.Engine, stepCallback, u.String(), browser.TopLevel, code, nil)
					}
				}
				b := listingBrowser(s)
				if s.target.hasFlow(Seamless) {
					_, err := seamlessInstall(s, b, stepFinalize, nil)
					return err
				}
				fin, err := partnerInstall(s, b, nil, stepFinalize)
				if err == nil && fin == nil {
					return &skipError{why: s.obs.Halt}
				}
				return err
			},
		},
		{
			ID: scenarioListingManual, Group: GroupListing, Applies: appliesToListing,
			Title:    "What a person must confirm",
			Provokes: "nothing: these are listed for a person to confirm",
			Run:      func(*Session) error { return nil },
		},
	}
}
