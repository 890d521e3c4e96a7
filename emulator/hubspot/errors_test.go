package hubspot

import (
	"net/http"
	"testing"
)

func TestOAuthError(t *testing.T) {
	tests := []struct {
		status, code, message string
	}{
		{StatusBadAuthCode, "invalid_grant", "missing or unknown auth code"},
		{StatusBadRefreshToken, "invalid_grant", "refresh token is invalid, expired or revoked"},
		{StatusBadClientID, "invalid_client", "missing or unknown client id"},
		{StatusBadHub, "access_denied", "missing or unknown hub id"},
		{StatusBadAccessToken, "invalid_token", "access token is invalid, expired or revoked"},
		{"SOMETHING_ELSE", "invalid_request", "injected error SOMETHING_ELSE"},
	}
	for _, tt := range tests {
		e := OAuthError(tt.status)
		if e.HTTPStatus != http.StatusBadRequest || e.Code != tt.code || e.Status != tt.status ||
			e.Message != tt.message || e.Description != tt.message {
			t.Errorf("OAuthError(%q) = %+v; want 400 %s %q", tt.status, *e, tt.code, tt.message)
		}
	}
	e := OAuthErrorf(StatusBadGrantType, "grant_type is missing")
	if e.Code != "unsupported_grant_type" || e.Message != "grant_type is missing" || e.Description != e.Message {
		t.Errorf("OAuthErrorf = %+v; want unsupported_grant_type with the given message", *e)
	}
	if got, want := e.Error(), "BAD_GRANT_TYPE: grant_type is missing"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}
