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
