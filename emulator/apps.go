package emulator

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// checkRedirectURL says what is wrong with a redirect URL by HubSpot's rules (working-with-oauth;
// legacy initiate-oauth page https://developers.hubspot.com/docs/methods/oauth2/initiate-oauth-integration):
// it must use https, except http for localhost testing, and "you also must use a domain, as IP
// addresses are not supported". RFC 6749 §3.1.2 adds that it "MUST be an absolute URI" and
// "MUST NOT include a fragment component".
func checkRedirectURL(raw string) error {
	if raw == "" {
		return errors.New("redirect URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("redirect URL %q does not parse: %w", raw, err)
	}
	if !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("redirect URL %q is not absolute: use https://your.domain/path", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("redirect URL %q has a fragment (#...), which OAuth forbids (RFC 6749 §3.1.2): remove it", raw)
	}
	if u.User != nil {
		return fmt.Errorf("redirect URL %q carries user info (user@host): remove it", raw)
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return fmt.Errorf("redirect URL %q uses an IP address; HubSpot supports only domains: use localhost or a domain name", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if host == "localhost" {
			return nil
		}
		return fmt.Errorf("redirect URL %q uses http; HubSpot requires https except for localhost: use https://%s%s", raw, u.Host, u.EscapedPath())
	default:
		return fmt.Errorf("redirect URL %q has scheme %q; HubSpot requires https (or http://localhost)", raw, u.Scheme)
	}
}

// validateApp checks an app's fields and fills defaults: AuthType "oauth", Distribution
// "marketplace". It does not generate credentials.
func validateApp(a *App) error {
	if a.AuthType == "" {
		a.AuthType = "oauth"
	}
	if a.Distribution == "" {
		a.Distribution = "marketplace"
	}
	switch a.AuthType {
	case "oauth", "static":
	default:
		return fmt.Errorf("app auth type %q is not one of oauth, static", a.AuthType)
	}
	switch a.Distribution {
	case "marketplace", "private":
	default:
		return fmt.Errorf("app distribution %q is not one of marketplace, private", a.Distribution)
	}
	if a.AuthType == "oauth" && len(a.RedirectURLs) == 0 {
		return errors.New("app has no redirect URL: OAuth apps need at least one (e.g. http://localhost:3000/oauth-callback)")
	}
	for _, r := range a.RedirectURLs {
		if err := checkRedirectURL(r); err != nil {
			return err
		}
	}
	seen := map[string]string{}
	for _, list := range []struct {
		name   string
		scopes []string
	}{
		{"required", a.RequiredScopes},
		{"optional", a.OptionalScopes},
		{"conditionally required", a.ConditionallyRequiredScopes},
	} {
		for _, s := range list.scopes {
			if !KnownScope(s) {
				return fmt.Errorf("app %s scope %q is not a HubSpot scope: check its spelling against https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes", list.name, s)
			}
			if prev, ok := seen[s]; ok {
				return fmt.Errorf("app scope %q is listed as both %s and %s: keep it in one list", s, prev, list.name)
			}
			seen[s] = list.name
		}
	}
	if a.AuthType == "static" && (len(a.OptionalScopes) > 0 || len(a.ConditionallyRequiredScopes) > 0) {
		return errors.New("static-auth apps can only define required scopes")
	}
	return nil
}

// cloneApp returns a copy of a that shares no slices with it.
func cloneApp(a App) App {
	a.RedirectURLs = slices.Clone(a.RedirectURLs)
	a.RequiredScopes = slices.Clone(a.RequiredScopes)
	a.OptionalScopes = slices.Clone(a.OptionalScopes)
	a.ConditionallyRequiredScopes = slices.Clone(a.ConditionallyRequiredScopes)
	return a
}

// clonePortal returns a copy of p that shares no slices with it.
func clonePortal(p Portal) Portal {
	if p.Scopes != nil {
		p.Scopes = slices.Clone(p.Scopes)
	}
	return p
}
