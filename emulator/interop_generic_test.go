package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// genericTokens is the token as simple-oauth2 keeps it: HubSpot's wire names, unchanged.
type genericTokens struct {
	Token struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int    `json:"expires_in"`
		TokenType    string `json:"token_type"`
		ExpiresAt    string `json:"expires_at"`
	} `json:"token"`
	Expired bool `json:"expired"`
}

// TestInteropSimpleOAuth2 drives the emulator with simple-oauth2, a widely used generic OAuth 2.0
// client for Node that knows nothing of HubSpot, pointed at /oauth/v3/token with the client's
// credentials in the form body as HubSpot documents. Each subtest is one probe with its own code
// or tokens. Like TestInteropOfficialNodeClient it needs node and the interop modules, is skipped
// without them and fails under CI=true.
func TestInteropSimpleOAuth2(t *testing.T) {
	node, dir := needNode(t, "simple-oauth2")
	x := newInterop(t)
	run := func(t *testing.T, probe string, in map[string]any, out any) {
		t.Helper()
		runNode(t, node, dir, "generic.js", probe, x.input(in), out)
	}

	t.Run("authorization code exchange", func(t *testing.T) {
		var got genericTokens
		run(t, "exchange", map[string]any{"code": x.code(t)}, &got)
		assert.NotEmpty(t, got.Token.RefreshToken)
		assert.Equal(t, 1800, got.Token.ExpiresIn)
		assert.Equal(t, "bearer", got.Token.TokenType)
		assert.NotEmpty(t, got.Token.ExpiresAt, "the client computes the expiry from expires_in")
		assert.False(t, got.Expired)
		assert.True(t, x.accessTokenValid(t, got.Token.AccessToken))
	})
	t.Run("refresh", func(t *testing.T) {
		tok := x.tokens(t)
		var got genericTokens
		run(t, "refresh", map[string]any{"refreshToken": tok.RefreshToken}, &got)
		assert.NotEqual(t, tok.AccessToken, got.Token.AccessToken)
		assert.NotEmpty(t, got.Token.RefreshToken)
		assert.False(t, got.Expired)
		assert.True(t, x.accessTokenValid(t, got.Token.AccessToken))
	})
	t.Run("redeemed code", func(t *testing.T) {
		code := x.code(t)
		var first genericTokens
		run(t, "exchange", map[string]any{"code": code}, &first)
		var got failure
		run(t, "exchange-redeemed-code", map[string]any{"code": code}, &got)
		assert.True(t, got.Threw, "a redeemed code must fail")
		assert.GreaterOrEqual(t, got.Code, 400)
		assert.Less(t, got.Code, 500)
		assert.Equal(t, "BAD_AUTH_CODE", got.Body["status"])
	})
	t.Run("authorize URL", func(t *testing.T) {
		var got struct {
			URL string `json:"url"`
		}
		run(t, "authorize-url", map[string]any{"scope": strings.Join(x.app.RequiredScopes, " "), "state": "s-2"}, &got)
		require.True(t, strings.HasPrefix(got.URL, x.srv.URL+"/oauth/authorize?"), got.URL)
		status, body := x.get(t, got.URL)
		assert.Equal(t, http.StatusOK, status, "%s", body)
		assert.NotContains(t, body, "Couldn't complete the connection")
	})
}
