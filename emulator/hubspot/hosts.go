package hubspot

import (
	"net"
	"net/url"
	"regexp"
	"strings"
)

// HubSpot's hosts. The web side (the authorize page, the marketplace, returnUrls) is on
// app.hubspot.com and the app host of each hublet; the API side is on api.hubapi.com
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth).
const (
	// WebHost is the host of HubSpot's web side for the na1 hublet.
	WebHost = "app.hubspot.com"
	// APIHost is the host of HubSpot's API side.
	APIHost = "api.hubapi.com"
	// WebOrigin is the origin of HubSpot's web side (the authorize page, the marketplace,
	// returnUrls).
	WebOrigin = "https://" + WebHost
	// APIOrigin is the origin of HubSpot's API side (token endpoints, metadata, CRM API).
	APIOrigin = "https://" + APIHost
)

// AppHosts are the app (web) hosts of HubSpot's hublets: app.hubspot.com (na1) and
// app-<hublet>.hubspot.com for eu1, na2, na3 and ap1, the hosts the HubSpot CLI trusts
// (https://github.com/HubSpot/hubspot-cli, lib/CLIWebSocketServer.ts). The install-flow page
// names app.hubspot.com and app-eu1.hubspot.com as frame ancestors
// (https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow).
var AppHosts = []string{
	"app.hubspot.com",
	"app-eu1.hubspot.com",
	"app-na2.hubspot.com",
	"app-na3.hubspot.com",
	"app-ap1.hubspot.com",
}

// hubletPattern matches a hublet name such as na1 or eu1, the prefix of HubSpot's codes and
// refresh tokens and of its app-<hublet> hosts.
var hubletPattern = regexp.MustCompile(`^[a-z]{2,3}[0-9]{1,2}$`)

// IsHublet reports whether s looks like a hublet name: two or three letters and one or two
// digits, such as na1 or eu1.
func IsHublet(s string) bool { return hubletPattern.MatchString(s) }

// FrameAncestorsExample is the policy HubSpot's install-flow page gives as its example
// (https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow).
const FrameAncestorsExample = "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com"

// RequiredFrameOrigins are the origins an install page must let frame it: the two that
// HubSpot's own example policy (FrameAncestorsExample) names. The frameable checks fail a page
// that blocks either.
func RequiredFrameOrigins() []string {
	return []string{"https://app.hubspot.com", "https://app-eu1.hubspot.com"}
}

// FrameOrigins are the origins HubSpot may frame install pages from: the origin of every host
// in AppHosts. HubSpot does not document the full list (its example names the first two); the
// frameable checks only report the others, they do not fail on them.
func FrameOrigins() []string {
	out := make([]string, len(AppHosts))
	for i, h := range AppHosts {
		out[i] = "https://" + h
	}
	return out
}

// hostOnly lower-cases host and drops a port and a trailing dot.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// IsHubSpotHost reports whether host (with or without a port, any case) is one of AppHosts or
// APIHost: a host a browser or an app reaches HubSpot on.
func IsHubSpotHost(host string) bool {
	h := hostOnly(host)
	if h == APIHost {
		return true
	}
	for _, a := range AppHosts {
		if h == a {
			return true
		}
	}
	return false
}

// IsAppHost reports whether host (with or without a port, any case) is HubSpot's web side:
// app.hubspot.com or app-<hublet>.hubspot.com for any hublet name (IsHublet), including hublets
// not in AppHosts.
func IsAppHost(host string) bool {
	h := hostOnly(host)
	if h == WebHost {
		return true
	}
	hublet, ok := strings.CutPrefix(h, "app-")
	if !ok {
		return false
	}
	hublet, ok = strings.CutSuffix(hublet, ".hubspot.com")
	return ok && IsHublet(hublet)
}

// IsHubSpotURL reports whether u is on one of HubSpot's hosts (IsHubSpotHost).
func IsHubSpotURL(u *url.URL) bool { return u != nil && IsHubSpotHost(u.Hostname()) }

// IsReturnURL reports whether raw is a returnUrl a careful install endpoint may redirect to:
// https, no user information, and a host that is HubSpot's web side (IsAppHost). HubSpot sends
// the returnUrl on app.hubspot.com
// (https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow).
func IsReturnURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && u.User == nil && IsAppHost(u.Host)
}

// Hublets are HubSpot's data-hosting regions an account lives on, in AppHosts' order: na1 (the
// default), eu1, na2, na3 and ap1 (https://github.com/HubSpot/hubspot-cli,
// lib/CLIWebSocketServer.ts). Codes and refresh tokens start with the account's hublet
// (`na1-…`, v3 guide; `na3-…` seen in https://github.com/n8n-io/n8n/issues/17598).
var Hublets = []string{"na1", "eu1", "na2", "na3", "ap1"}

// DefaultHublet is the hublet of app.hubspot.com.
const DefaultHublet = "na1"

// AppHostOf returns the app (web) host of a hublet: app.hubspot.com for na1,
// app-<hublet>.hubspot.com for the others.
func AppHostOf(hublet string) string {
	if hublet == "" || hublet == DefaultHublet {
		return WebHost
	}
	return "app-" + hublet + ".hubspot.com"
}
