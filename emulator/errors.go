package emulator

import (
	"encoding/json"
	"net/http"
)

// Error is an OAuth error as HubSpot's token, introspection and metadata endpoints send it.
// HubSpot's v1 and v3 endpoints carry the RFC 6749 §5.2 fields `error` and
// `error_description` next to their older `status` and `message` fields ("Existing fields
// (status, message) remain for backward compatibility", changelog
// https://developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses).
// Protocol errors are data: handlers return an *Error and one function writes it.
type Error struct {
	HTTPStatus  int    `json:"-"`
	Code        string `json:"error"`             // RFC 6749 §5.2 code, e.g. "invalid_grant"
	Description string `json:"error_description"` // human-readable, same as Message
	Status      string `json:"status"`            // HubSpot's status, e.g. "BAD_REFRESH_TOKEN"
	Message     string `json:"message"`
}

// Error returns the status and the message.
func (e *Error) Error() string { return e.Status + ": " + e.Message }

// oauthError builds an HTTP 400 OAuth error. Every token error HubSpot is known to send is a
// 400 (HUBSPOT.md §2: airbyte #79592, oauth-quickstart-nodejs #17).
func oauthError(code, status, message string) *Error {
	return &Error{HTTPStatus: http.StatusBadRequest, Code: code, Description: message, Status: status, Message: message}
}

// The OAuth errors the emulator sends. The message of BAD_REFRESH_TOKEN is the documented one
// (v3 guide); BAD_AUTH_CODE's is the one reported by HGData/mk-node-hubspot #87. The others,
// and every `error` value except those of BAD_REFRESH_TOKEN, BAD_CLIENT_ID and BAD_HUB, are
// UNCONFIRMED: they are chosen by RFC 6749 §5.2 ("invalid_grant: The provided authorization
// grant ... is invalid, expired, revoked, does not match the redirection URI used in the
// authorization request, or was issued to another client").
func errBadAuthCode() *Error {
	return oauthError("invalid_grant", "BAD_AUTH_CODE", "missing or unknown auth code")
}

func errExpiredAuthCode() *Error {
	return oauthError("invalid_grant", "EXPIRED_AUTH_CODE", "auth code is expired")
}

func errMismatchRedirect() *Error {
	return oauthError("invalid_grant", "MISMATCH_REDIRECT_URI_AUTH_CODE",
		"redirect_uri does not match the redirect_uri used when initiating the OAuth 2.0 connection; it must match exactly")
}

func errBadRedirect(msg string) *Error {
	return oauthError("invalid_request", "BAD_REDIRECT_URI", msg)
}

func errBadClientID() *Error {
	return oauthError("invalid_client", "BAD_CLIENT_ID", "missing or unknown client id")
}

func errBadClientSecret() *Error {
	return oauthError("invalid_client", "BAD_CLIENT_SECRET", "missing or invalid client secret")
}

func errBadRefreshToken() *Error {
	return oauthError("invalid_grant", "BAD_REFRESH_TOKEN", "refresh token is invalid, expired or revoked")
}

func errBadGrantType(msg string) *Error {
	return oauthError("unsupported_grant_type", "BAD_GRANT_TYPE", msg)
}

func errBadRequest(msg string) *Error {
	return oauthError("invalid_request", "BAD_REQUEST", msg)
}

func errBadHub() *Error {
	return oauthError("access_denied", "BAD_HUB", "missing or unknown hub id")
}

// knownStatusError returns the error HubSpot sends for a status string, for injected faults.
// An unknown status gets invalid_request and a message naming it.
func knownStatusError(status string) *Error {
	switch status {
	case "BAD_AUTH_CODE":
		return errBadAuthCode()
	case "EXPIRED_AUTH_CODE":
		return errExpiredAuthCode()
	case "MISMATCH_REDIRECT_URI_AUTH_CODE":
		return errMismatchRedirect()
	case "BAD_REDIRECT_URI":
		return errBadRedirect("missing or invalid redirect_uri")
	case "BAD_CLIENT_ID":
		return errBadClientID()
	case "BAD_CLIENT_SECRET":
		return errBadClientSecret()
	case "BAD_REFRESH_TOKEN":
		return errBadRefreshToken()
	case "BAD_GRANT_TYPE":
		return errBadGrantType("unsupported grant_type")
	case "BAD_HUB":
		return errBadHub()
	case "BAD_SCOPES":
		return oauthError("invalid_scope", "BAD_SCOPES", "the requested scopes are invalid")
	case "BAD_CODE_VERIFIER":
		return oauthError("invalid_grant", "BAD_CODE_VERIFIER", "code_verifier does not match the code challenge")
	}
	return oauthError("invalid_request", status, "injected error "+status)
}

// APIError is HubSpot's generic API error (SPEC `Error`; the error-handling page
// https://developers.hubspot.com/docs/api-reference/error-handling): status "error", a
// message, a correlation ID, a category, and optionally a context, sub-errors and links.
type APIError struct {
	HTTPStatus    int                 `json:"-"`
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category"`
	Context       map[string][]string `json:"context,omitempty"`
	Errors        []APIErrorDetail    `json:"errors,omitempty"`
	Links         map[string]string   `json:"links,omitempty"`
}

// APIErrorDetail is one entry of APIError.Errors (SPEC `ErrorDetail`).
type APIErrorDetail struct {
	Message string              `json:"message"`
	Code    string              `json:"code,omitempty"`
	Context map[string][]string `json:"context,omitempty"`
}

// Error returns the category and the message.
func (e *APIError) Error() string { return e.Category + ": " + e.Message }

// ScopeError is a scope-rule failure at install time. HubSpot shows it on its own page and does
// not redirect back (KB
// https://knowledge.hubspot.com/integrations/resolve-a-request-for-integration-permissions-error).
type ScopeError struct {
	// Text is one of HubSpot's two exact texts, TextScopesInsufficient or TextScopesMismatch.
	Text string
	// Detail says which scope broke which rule and how to fix it (the emulator's own words).
	Detail string
}

// Error returns the text and the detail.
func (e *ScopeError) Error() string { return e.Text + " (" + e.Detail + ")" }

// HubSpot's two exact texts for scope errors at install (KB page above).
const (
	TextScopesInsufficient = "Couldn't complete the connection: Authorization failed because the provided scopes are insufficient. Please contact the app developer."
	TextScopesMismatch     = "Couldn't complete the connection: Authorization failed because there is a mismatch between the scopes in the install URL and the app's configured scopes. Please contact the app developer."
)

// writeJSON writes v as JSON with HubSpot's content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
