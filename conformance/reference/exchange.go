package reference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Token endpoint paths on APIBase. HubSpot: /oauth/v1/token is deprecated with a sunset on February
// 16, 2027
// (https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/migration-guide);
// /oauth/v3/token is current.
const (
	tokenPathV3 = "/oauth/v3/token" //nolint:gosec // G101: a URL path, not a credential
	tokenPathV1 = "/oauth/v1/token" //nolint:gosec // G101: a URL path, not a credential
)

// maxTokenResponseBytes bounds what is read of a token response.
const maxTokenResponseBytes = 64 << 10

// tokenResponse is HubSpot's token response
// (https://developers.hubspot.com/docs/api-reference/legacy/authentication/manage-oauth-tokens).
type tokenResponse struct {
	TokenType    string   `json:"token_type"`
	RefreshToken string   `json:"refresh_token"`
	AccessToken  string   `json:"access_token"`
	HubID        int64    `json:"hub_id"`
	Scopes       []string `json:"scopes"`
	ExpiresIn    int64    `json:"expires_in"`
	TokenUse     string   `json:"token_use"`
}

// oauthError is HubSpot's token error body: RFC 6749 error and error_description plus HubSpot's
// status and message
// (https://developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses).
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Status           string `json:"status"`
	Message          string `json:"message"`
}

// exchangeError is a token endpoint's refusal (4xx) or failure (5xx).
type exchangeError struct {
	httpStatus int
	status     string // HubSpot's status, e.g. BAD_AUTH_CODE
	message    string
}

func (e *exchangeError) Error() string {
	msg := fmt.Sprintf("token endpoint answered %d", e.httpStatus)
	if e.status != "" {
		msg += " " + e.status
	}
	if e.message != "" {
		msg += ": " + e.message
	}
	return msg
}

// refused reports whether the token endpoint answered the exchange with a 4xx: the code was
// bad, not the service. Everything else (5xx, time-out, a broken answer) is a failure.
func refused(err error) bool {
	var ee *exchangeError
	return errors.As(err, &ee) && ee.httpStatus >= 400 && ee.httpStatus < 500
}

// exchange redeems code at tokenPath as working-with-oauth describes: "make an API request to
// /oauth/v3/token with a request body that includes the code, the redirect_uri, your app's
// client_id and client_secret, and a grant_type of authorization_code". It gives up after the
// exchange timeout.
func (s *Server) exchange(ctx context.Context, tokenPath, redirectURI, code string) (tokenResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, s.exchangeTimeout)
	defer cancel()
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {s.clientID},
		"client_secret": {s.clientSecret},
		"redirect_uri":  {redirectURI},
		"code":          {code},
	}
	endpoint := s.apiBase + tokenPath
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenResponse{}, fmt.Errorf("build the token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return tokenResponse{}, fmt.Errorf("post to %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponseBytes))
	if err != nil {
		return tokenResponse{}, fmt.Errorf("read the answer of %s: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		var oe oauthError
		_ = json.Unmarshal(body, &oe) // best effort: a 5xx may not be JSON
		return tokenResponse{}, &exchangeError{httpStatus: resp.StatusCode, status: oe.Status, message: firstNonEmpty(oe.Message, oe.ErrorDescription)}
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		return tokenResponse{}, fmt.Errorf("decode the token response of %s: %w", endpoint, err)
	}
	if tr.AccessToken == "" || tr.RefreshToken == "" {
		return tokenResponse{}, fmt.Errorf("token response of %s lacks access_token or refresh_token", endpoint)
	}
	return tr, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
