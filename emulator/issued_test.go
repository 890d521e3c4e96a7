package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsemu/hsemu/emulator"
)

func TestTokensIssuedFor(t *testing.T) {
	em, err := emulator.New(emulator.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { em.Close() })
	const redirect = "http://localhost:3000/cb"
	app, err := em.AddApp(emulator.App{Name: "issued", RedirectURLs: []string{redirect}, RequiredScopes: []string{"oauth"}})
	require.NoError(t, err)
	p, err := em.CreatePortal(emulator.Portal{})
	require.NoError(t, err)
	code, err := em.IssueCode(emulator.CodeRequest{ClientID: app.ClientID, HubID: p.HubID, RedirectURI: redirect, Scopes: []string{"oauth"}})
	require.NoError(t, err)
	assert.Nil(t, em.TokensIssuedFor(code), "nothing issued before the exchange")

	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "redirect_uri": {redirect}, "code": {code}}
	req := httptest.NewRequest(http.MethodPost, "/oauth/v3/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	em.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &tok))
	assert.ElementsMatch(t, []string{tok.AccessToken, tok.RefreshToken}, em.TokensIssuedFor(code))
	assert.Nil(t, em.TokensIssuedFor("na1-unknown"))
}
