package emulator

import (
	"encoding/json"
	"net/http"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// Error is an OAuth error as HubSpot's token, introspection and metadata endpoints send it
// (hubspot.Error). Protocol errors are data: handlers return an *Error and one function
// writes it.
type Error = hubspot.Error

// The OAuth errors the emulator sends, with HubSpot's codes and texts (hubspot.OAuthError).
func errBadAuthCode() *Error      { return hubspot.OAuthError(hubspot.StatusBadAuthCode) }
func errExpiredAuthCode() *Error  { return hubspot.OAuthError(hubspot.StatusExpiredAuthCode) }
func errMismatchRedirect() *Error { return hubspot.OAuthError(hubspot.StatusMismatchRedirect) }
func errBadClientID() *Error      { return hubspot.OAuthError(hubspot.StatusBadClientID) }
func errBadClientSecret() *Error  { return hubspot.OAuthError(hubspot.StatusBadClientSecret) }
func errBadRefreshToken() *Error  { return hubspot.OAuthError(hubspot.StatusBadRefreshToken) }

func errBadRedirect(msg string) *Error {
	return hubspot.OAuthErrorf(hubspot.StatusBadRedirectURI, msg)
}

func errBadGrantType(msg string) *Error {
	return hubspot.OAuthErrorf(hubspot.StatusBadGrantType, msg)
}

func errBadRequest(msg string) *Error { return hubspot.OAuthErrorf(hubspot.StatusBadRequest, msg) }

// knownStatusError returns the error HubSpot sends for a status string, for injected faults.
// An unknown status gets invalid_request and a message naming it.
func knownStatusError(status string) *Error { return hubspot.OAuthError(status) }

// APIError is HubSpot's generic API error (the error-handling page
// https://developers.hubspot.com/docs/api-reference/error-handling): status "error", a
// message, a correlation ID, a category, and optionally a context, sub-errors and links.
type APIError struct {
	HTTPStatus    int                 `json:"-"`
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	Errors        []APIErrorDetail    `json:"errors,omitempty"`
	Links         map[string]string   `json:"links,omitempty"`
}

// APIErrorDetail is one entry of APIError.Errors (HubSpot's OpenAPI `ErrorDetail`).
type APIErrorDetail struct {
	Message string              `json:"message"`
	Code    string              `json:"code,omitempty"`
	Context map[string][]string `json:"context,omitempty"`
}

// categoryValidation is HubSpot's category for a request it cannot accept (the error-handling
// page's example).
const categoryValidation = "VALIDATION_ERROR"

// Error returns the category and the message.
func (e *APIError) Error() string { return e.Category + ": " + e.Message }

// ScopeError is a scope-rule failure at install time (hubspot.ScopeError).
type ScopeError = hubspot.ScopeError

// HubSpot's two exact texts for scope errors at install (hubspot.TextScopesInsufficient and
// hubspot.TextScopesMismatch).
const (
	TextScopesInsufficient = hubspot.TextScopesInsufficient
	TextScopesMismatch     = hubspot.TextScopesMismatch
)

// writeJSON writes v as JSON with HubSpot's content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
