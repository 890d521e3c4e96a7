package hubspot

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// TextRedirectIP is HubSpot's sentence about IP addresses in redirect URLs
// (https://developers.hubspot.com/docs/methods/oauth2/initiate-oauth-integration).
const TextRedirectIP = "You also must use a domain, as IP addresses are not supported"

// CheckRedirectURL says what is wrong with a redirect URL by HubSpot's rules, or returns nil.
// HubSpot requires https, except http for localhost testing, and "you also must use a domain,
// as IP addresses are not supported"
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth;
// https://developers.hubspot.com/docs/methods/oauth2/initiate-oauth-integration). RFC 6749
// §3.1.2 (https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2) adds that it "MUST be an
// absolute URI" and "MUST NOT include a fragment component". A URL with user information is
// refused too.
func CheckRedirectURL(raw string) error {
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
		return fmt.Errorf("redirect URL %q uses an IP address; HubSpot supports only domains (%q): use localhost or a domain name", raw, TextRedirectIP)
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

// ErrRedirectNotRegistered is wrapped by CheckRedirectURI when the redirect_uri is valid but not
// one of the app's redirect URLs.
var ErrRedirectNotRegistered = errors.New("redirect_uri is not one of the app's redirect URLs")

// CheckRedirectURI checks the redirect_uri of an authorization request: present, valid by
// CheckRedirectURL, and exactly one of the app's registered redirect URLs. "The redirect_uri is
// validated against the redirect URL set in the auth settings for the app"
// (https://developers.hubspot.com/changelog/upcoming-public-apps-will-require-a-redirect-url-in-the-auth-settings);
// at the token endpoint it "must exactly match the redirect_uri used when initiating the OAuth
// 2.0 connection". Whether HubSpot's authorize page also accepts a prefix is not documented;
// exact match is the stricter reading.
func CheckRedirectURI(raw string, registered []string) error {
	if raw == "" {
		return errors.New("redirect_uri is missing; add one of the app's redirect URLs")
	}
	if err := CheckRedirectURL(raw); err != nil {
		return err
	}
	if !slices.Contains(registered, raw) {
		return fmt.Errorf("%w: %q is not in %v; they must match exactly", ErrRedirectNotRegistered, raw, registered)
	}
	return nil
}
