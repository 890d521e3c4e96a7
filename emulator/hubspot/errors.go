package hubspot

import "net/http"

// Error is an OAuth error as HubSpot's token, introspection and metadata endpoints send it.
// HubSpot's v1 and v3 endpoints carry the RFC 6749 §5.2 fields `error` and
// `error_description` (https://www.rfc-editor.org/rfc/rfc6749#section-5.2) next to their older
// `status` and `message` fields ("Existing fields (status, message) remain for backward
// compatibility",
// https://developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses).
type Error struct {
	HTTPStatus  int    `json:"-"`
	Code        string `json:"error"`             // RFC 6749 §5.2 code, e.g. "invalid_grant"
	Description string `json:"error_description"` // human-readable, same as Message
	Status      string `json:"status"`            // HubSpot's status, e.g. "BAD_REFRESH_TOKEN"
	Message     string `json:"message"`
}

// Error returns the status and the message.
func (e *Error) Error() string { return e.Status + ": " + e.Message }

// HubSpot's status strings for OAuth errors
// (https://developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses).
const (
	StatusBadAuthCode      = "BAD_AUTH_CODE"
	StatusExpiredAuthCode  = "EXPIRED_AUTH_CODE"
	StatusMismatchRedirect = "MISMATCH_REDIRECT_URI_AUTH_CODE"
	StatusBadRedirectURI   = "BAD_REDIRECT_URI"
	StatusBadClientID      = "BAD_CLIENT_ID"
	StatusBadClientSecret  = "BAD_CLIENT_SECRET" //nolint:gosec // G101: an error status, not a credential
	StatusBadRefreshToken  = "BAD_REFRESH_TOKEN" //nolint:gosec // G101: an error status, not a credential
	StatusBadGrantType     = "BAD_GRANT_TYPE"
	StatusBadRequest       = "BAD_REQUEST"
	StatusBadHub           = "BAD_HUB"
	StatusBadScopes        = "BAD_SCOPES"
	StatusBadCodeVerifier  = "BAD_CODE_VERIFIER"
	StatusBadAccessToken   = "BAD_ACCESS_TOKEN"
)

// invalidGrant is RFC 6749 §5.2's error code for a bad code, refresh token or code verifier.
const invalidGrant = "invalid_grant"

// oauthErrors are the OAuth errors by status: the RFC 6749 §5.2 code and the message. The
// message of BAD_REFRESH_TOKEN is the documented one (the v3 guide,
// https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth);
// BAD_AUTH_CODE's is the one reported in https://github.com/HGData/mk-node-hubspot/issues/87.
// The others, and every code except those of BAD_REFRESH_TOKEN, BAD_CLIENT_ID and BAD_HUB, are
// not documented: they are chosen by RFC 6749 §5.2 ("invalid_grant: The provided authorization
// grant ... is invalid, expired, revoked, does not match the redirection URI used in the
// authorization request, or was issued to another client").
var oauthErrors = map[string][2]string{
	StatusBadAuthCode:      {invalidGrant, "missing or unknown auth code"},
	StatusExpiredAuthCode:  {invalidGrant, "auth code is expired"},
	StatusMismatchRedirect: {invalidGrant, "redirect_uri does not match the redirect_uri used when initiating the OAuth 2.0 connection; it must match exactly"},
	StatusBadRedirectURI:   {"invalid_request", "missing or invalid redirect_uri"},
	StatusBadClientID:      {"invalid_client", "missing or unknown client id"},
	StatusBadClientSecret:  {"invalid_client", "missing or invalid client secret"},
	StatusBadRefreshToken:  {invalidGrant, "refresh token is invalid, expired or revoked"},
	StatusBadGrantType:     {"unsupported_grant_type", "unsupported grant_type"},
	StatusBadHub:           {"access_denied", "missing or unknown hub id"},
	StatusBadScopes:        {"invalid_scope", "the requested scopes are invalid"},
	StatusBadCodeVerifier:  {invalidGrant, "code_verifier does not match the code challenge"},
	StatusBadAccessToken:   {"invalid_token", "access token is invalid, expired or revoked"},
}

// OAuthError returns HubSpot's OAuth error for a status string, with HTTP status 400: every
// token error HubSpot is known to send is a 400
// (https://github.com/airbytehq/airbyte/issues/79592;
// https://github.com/HubSpot/oauth-quickstart-nodejs/issues/17). An unknown status gets
// invalid_request and a message naming it.
func OAuthError(status string) *Error {
	if e, ok := oauthErrors[status]; ok {
		return newError(e[0], status, e[1])
	}
	return newError("invalid_request", status, "injected error "+status)
}

// OAuthErrorf is OAuthError with its own message.
func OAuthErrorf(status, message string) *Error {
	e := OAuthError(status)
	e.Description, e.Message = message, message
	return e
}

func newError(code, status, message string) *Error {
	return &Error{HTTPStatus: http.StatusBadRequest, Code: code, Description: message, Status: status, Message: message}
}

// HubSpot's texts for API calls whose token is missing or lacks a scope
// (https://developers.hubspot.com/docs/api-reference/error-handling;
// https://github.com/HubSpot/hubspot-api-nodejs/issues/432).
const (
	TextNoCredentials = "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
	TextMissingScopes = "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes."
	TextScopesNeeded  = "One or more of the following scopes are required."
	// MissingScopesLink is the link HubSpot's 403 MISSING_SCOPES answer names under "scopes".
	MissingScopesLink = "https://developers.hubspot.com/scopes"
)

// TextAccessTokenFormat is HubSpot's message when GET /oauth/v1/access-tokens/{token} gets a
// string that is not an OAuth access token (a private app's `pat-…` token, for one), in the
// body {"status":"error","message":…,"correlationId":…}
// (https://github.com/HubSpot/hubspot-api-nodejs/issues/530). Its HTTP status is UNCONFIRMED
// (hsemu answers 400).
const TextAccessTokenFormat = "The access token must have the correct format"

// HubSpot's error categories, the `category` field of an API error
// (https://developers.hubspot.com/docs/api-reference/error-handling).
const (
	CategoryInvalidAuthentication = "INVALID_AUTHENTICATION"
	CategoryMissingScopes         = "MISSING_SCOPES"
	CategoryObjectNotFound        = "OBJECT_NOT_FOUND"
	CategoryInternalError         = "INTERNAL_ERROR"
)
