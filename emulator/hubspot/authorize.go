package hubspot

import (
	"fmt"
	"net/url"
)

// AppAuth is what HubSpot's authorization rules need of an app: its client ID, its registered
// redirect URLs and its scopes
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/app-configuration).
type AppAuth struct {
	ClientID     string
	RedirectURLs []string
	AppScopes
}

// AuthorizeURLProblem checks an authorization request by HubSpot's rules and says what is
// wrong, in HubSpot's words where HubSpot has them, or returns "": the path is /oauth/authorize
// or /oauth/{hubId}/authorize; each parameter is given once (RFC 6749 §3.1,
// https://www.rfc-editor.org/rfc/rfc6749#section-3.1: "Request and response parameters MUST
// NOT be included more than once"); client_id is the app's; redirect_uri passes
// CheckRedirectURI; scope and optional_scope pass CheckInstallScopes
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth).
func AuthorizeURLProblem(u *url.URL, app AppAuth) string {
	if !IsAuthorizePath(u.Path) {
		return fmt.Sprintf("the path %s is not %s or %s", u.Path, AuthorizePath, AccountAuthorizePath)
	}
	q := u.Query()
	for k, vs := range q {
		if len(vs) > 1 {
			return fmt.Sprintf("%s is given %d times; HubSpot refuses repeated parameters (RFC 6749 §3.1)", k, len(vs))
		}
	}
	if id := q.Get("client_id"); id != app.ClientID {
		return fmt.Sprintf("client_id is %q, not the app's %q", id, app.ClientID)
	}
	if err := CheckRedirectURI(q.Get("redirect_uri"), app.RedirectURLs); err != nil {
		return err.Error()
	}
	if serr := CheckInstallScopes(app.AppScopes, SplitScopes(q.Get("scope")), SplitScopes(q.Get("optional_scope"))); serr != nil {
		return fmt.Sprintf("%s: HubSpot shows %q", serr.Detail, serr.Text)
	}
	return ""
}

// HubSpot's texts on its "Couldn't complete the connection" page for an authorization request it
// refuses without redirecting back (docs/hubspot.md, "Additions of 2026-11-30"). The two scope
// texts of the KB page are TextScopesInsufficient and TextScopesMismatch (scopes.go).
const (
	// TextConnectionFailed is the page's headline.
	TextConnectionFailed = "Couldn't complete the connection"
	// TextInvalidScopeName: a scope or optional_scope name HubSpot does not know
	// (https://github.com/HubSpot/oauth-quickstart-nodejs/pull/29).
	TextInvalidScopeName = "An invalid scope name was provided. Please contact the app developer."
	// TextAccountLacksFeatures: the chosen account's tier lacks a tool a required (or
	// conditionally required) scope needs
	// (https://github.com/microsoft/PowerPlatformConnectors/issues/2309).
	TextAccountLacksFeatures = "This account doesn't have access to some HubSpot features that are required by this app. Please contact the app developer."
	// TextInvalidClientID: an unknown client_id. UNCONFIRMED: only a French rendering is on
	// record ("Un client_id d'application invalide a été fourni",
	// https://github.com/PipedreamHQ/pipedream/issues/20321); this is its English rendering in
	// the pattern of HubSpot's other texts.
	TextInvalidClientID = "An invalid app client_id was provided. Please contact the app developer."
	// TextInstallLinkInvalid: an install link HubSpot no longer honours
	// (https://github.com/HubSpot/sample-apps-oauth/issues/23).
	TextInstallLinkInvalid = "This install link is no longer valid. Please visit HubSpot's App Marketplace to install this app."
)

// TextRedirectNotRegistered is HubSpot's text for a redirect_uri that is not one of the app's
// registered redirect URLs, which it matches exactly, port included
// (https://github.com/HubSpot/oauth-quickstart-python/issues/3;
// https://github.com/microsoft/PowerPlatformConnectors/issues/3538).
func TextRedirectNotRegistered(redirectURI string) string {
	return "Authorization failed as the redirect URL '" + redirectURI + "' doesn't match the app's registered redirect URL. Please consult the app developer."
}
