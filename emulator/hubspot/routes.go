package hubspot

import (
	"regexp"
	"strings"
	"time"
)

// HubSpot's authorization paths on the web side: /oauth/authorize and the account-specific
// /oauth/{hubId}/authorize
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth).
const (
	AuthorizePath        = "/oauth/authorize"
	AccountAuthorizePath = "/oauth/{hubId}/authorize"
)

var authorizePath = regexp.MustCompile(`^/oauth/(\d+/)?authorize$`)

// IsAuthorizePath reports whether p is /oauth/authorize or /oauth/{hubId}/authorize with a
// numeric hub ID.
func IsAuthorizePath(p string) bool { return authorizePath.MatchString(p) }

// The token endpoint's versions, all POST on the API side. v1 is deprecated and sunsets on
// February 16, 2027
// (https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/migration-guide);
// v3 came with the standardised errors
// (https://developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses);
// 2026-03 and 2026-09 are date-versioned
// (https://github.com/HubSpot/HubSpot-public-api-spec-collection, PublicApiSpecs/Auth/Oauth).
const (
	TokenV1      = "v1"
	TokenV3      = "v3"
	Token2026_03 = "2026-03"
	Token2026_09 = "2026-09"
)

// TokenVersions are the token endpoint's versions, oldest first. Callers must not modify it
// (nor the other lists of this package).
var TokenVersions = []string{TokenV1, TokenV3, Token2026_03, Token2026_09}

// CurrentTokenVersions are the token endpoint's versions that are not deprecated, the ones
// that also serve /token/introspect and /token/revoke.
var CurrentTokenVersions = []string{TokenV3, Token2026_03, Token2026_09}

// DeprecatedTokenVersion is the token endpoint's deprecated version.
const DeprecatedTokenVersion = TokenV1

// TokenV1Sunset is the day HubSpot turns /oauth/v1/token off: "February 16, 2027"
// (https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/migration-guide).
var TokenV1Sunset = time.Date(2027, time.February, 16, 0, 0, 0, 0, time.UTC)

// TokenV1SunsetText is TokenV1Sunset as the catalogue writes it.
const TokenV1SunsetText = "2027-02-16"

// TextTokenV1Deprecated is HubSpot's notice of the v1 token endpoint's end (the v1 migration
// guide, https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/migration-guide).
const TextTokenV1Deprecated = "The v1 token endpoint /oauth/v1/token is deprecated and sunsets on February 16, 2027" //nolint:gosec // a notice, not a credential

// TokenPath is the token endpoint of version v, e.g. /oauth/v3/token.
func TokenPath(v string) string { return "/oauth/" + v + "/token" }

// IntrospectPath is the introspection endpoint of version v, e.g. /oauth/v3/token/introspect.
func IntrospectPath(v string) string { return TokenPath(v) + "/introspect" }

// RevokePath is the revocation endpoint of version v, e.g. /oauth/v3/token/revoke.
func RevokePath(v string) string { return TokenPath(v) + "/revoke" }

// The token endpoints by name.
const (
	TokenPathV1 = "/oauth/" + TokenV1 + "/token" // deprecated
	TokenPathV3 = "/oauth/" + TokenV3 + "/token" // the one to use
)

// IsTokenPath reports whether p is the token endpoint of one of TokenVersions.
func IsTokenPath(p string) bool {
	for _, v := range TokenVersions {
		if p == TokenPath(v) {
			return true
		}
	}
	return false
}

// IsDeprecatedTokenPath reports whether p is the deprecated /oauth/v1/token.
func IsDeprecatedTokenPath(p string) bool { return p == TokenPath(DeprecatedTokenVersion) }

// The v1 token-metadata routes: GET /oauth/v1/access-tokens/{token},
// GET and DELETE /oauth/v1/refresh-tokens/{token}
// (https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/get-access-token-info).
const (
	AccessTokenInfoPrefix  = "/oauth/v1/access-tokens/"  //nolint:gosec // G101: a URL path, not a credential
	RefreshTokenInfoPrefix = "/oauth/v1/refresh-tokens/" //nolint:gosec // G101: a URL path, not a credential
)

// TokenInfoPrefixes are the path prefixes that carry a token in the path.
var TokenInfoPrefixes = []string{AccessTokenInfoPrefix, RefreshTokenInfoPrefix}

// UninstallVersions are the versions of DELETE /appinstalls/{version}/external-install
// (https://developers.hubspot.com/changelog/public-beta-new-api-for-uninstalling-a-public-app-from-a-hubspot-account).
var UninstallVersions = []string{"v3", "2026-03"}

// UninstallPath is the app-uninstall endpoint of version v.
func UninstallPath(v string) string { return "/appinstalls/" + v + "/external-install" }

// The webhooks journal's routes
// (https://github.com/HubSpot/HubSpot-public-api-spec-collection, PublicApiSpecs/Webhooks Journal).
const (
	JournalLatestPath = "/webhooks-journal/journal/2026-03/latest"
	JournalNextPath   = "/webhooks-journal/journal/2026-03/offset/{offset}/next"
)

// Two routes of HubSpot's API that an installed app uses to try its token: the account's
// details and the contacts list (https://developers.hubspot.com/docs/api-reference/).
const (
	AccountInfoPath = "/account-info/v3/details"
	ContactsPath    = "/crm/v3/objects/contacts"
)

// IsWebPath reports whether p is served by HubSpot's web side (the authorize page, the
// marketplace) rather than its API side.
func IsWebPath(p string) bool {
	return (strings.HasPrefix(p, "/oauth/") && strings.HasSuffix(p, "/authorize")) || IsMarketplacePath(p)
}

// AccessTokenLifetime is an access token's lifetime: it "expires after 30 minutes", expires_in
// 1800
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth).
const AccessTokenLifetime = 30 * time.Minute

// JournalReadScope is the scope a client-credentials token needs to read the webhooks journal:
// "When using each endpoint, you'll need the developer.webhooks_journal.read scope"
// (https://developers.hubspot.com/docs/api-reference/webhooks-journal).
const JournalReadScope = "developer.webhooks_journal.read"

// BearerScheme is the Authorization scheme of HubSpot's API calls: `Authorization: Bearer
// {token}` (https://developers.hubspot.com/docs/api-reference/authentication).
const BearerScheme = "Bearer"

// The grant types of HubSpot's token endpoints (the OpenAPI spec's grant_type enum).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// The two kinds of token, as RFC 7009 §2.1's token_type_hint names them ("access_token",
// "refresh_token"); HubSpot's introspection answers the same words in token_use, and the v3
// guide names the revoke and introspect parameters after them.
const (
	TokenAccess  = "access_token"
	TokenRefresh = "refresh_token"
)

// TokenGrants returns the grant types the token endpoint of version v accepts: all three on
// v1, v3 and 2026-03; only authorization_code and refresh_token on 2026-09, whose spec's enum
// lists no other (PublicApiSpecs/Auth/Oauth/Rollouts/279897/2026-09/oauth.json in
// https://github.com/HubSpot/HubSpot-public-api-spec-collection).
func TokenGrants(v string) []string {
	if v == Token2026_09 {
		return []string{GrantAuthorizationCode, GrantRefreshToken}
	}
	return []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials}
}

// AuthServerMetadataPath is where app.hubspot.com publishes its OAuth authorization-server
// metadata (RFC 8414 §3, https://www.rfc-editor.org/rfc/rfc8414#section-3): issuer
// https://app.hubspot.com, authorization on app.hubspot.com, tokens on
// api.hubapi.com/oauth/v1/token; /.well-known/openid-configuration answers 404 (a third-party
// probe of 2026-08-13, https://github.com/api-evangelist/hubspot, well-known/hubspot-well-known.yml;
// secondary).
const AuthServerMetadataPath = "/.well-known/oauth-authorization-server"

// The rate limit of an OAuth app: 110 requests per 10 seconds per installing account, reported
// in the X-HubSpot-RateLimit-* headers; the daily headers are "not sent for OAuth-authorised
// requests" (https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines).
const (
	RateLimitMax      = 110
	RateLimitInterval = 10 * time.Second

	HeaderRateLimitInterval  = "X-HubSpot-RateLimit-Interval-Milliseconds"
	HeaderRateLimitMax       = "X-HubSpot-RateLimit-Max"
	HeaderRateLimitRemaining = "X-HubSpot-RateLimit-Remaining"
)
