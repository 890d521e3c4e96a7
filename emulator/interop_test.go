package emulator_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsemu/hsemu/emulator"
)

// TestOfficialNodeClient drives the emulator with HubSpot's official @hubspot/api-client,
// unchanged but for basePath, so "the official client libraries work against it unchanged" is
// tested, not claimed. It needs node and `npm ci --prefix emulator/testdata/interop` (.ci/run
// does both); without them it is skipped, and under CI=true it fails instead.
func TestOfficialNodeClient(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("testdata", "interop"))
	node, err := exec.LookPath("node")
	_, modErr := os.Stat(filepath.Join(dir, "node_modules", "@hubspot", "api-client"))
	if err != nil || modErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI needs node and the interop modules: npm ci --prefix %s", dir)
		}
		t.Skipf("node or @hubspot/api-client missing: run npm ci --prefix %s", dir)
	}

	const redirect = "http://localhost:3000/oauth-callback"
	em, err := emulator.New(emulator.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { em.Close() })
	app, err := em.AddApp(emulator.App{
		Name: "interop", RedirectURLs: []string{redirect},
		RequiredScopes: []string{"oauth", "crm.objects.contacts.read"},
	})
	require.NoError(t, err)
	portal, err := em.CreatePortal(emulator.Portal{})
	require.NoError(t, err)
	mint := func() string {
		code, err := em.IssueCode(emulator.CodeRequest{ClientID: app.ClientID, HubID: portal.HubID, RedirectURI: redirect, Scopes: app.RequiredScopes})
		require.NoError(t, err)
		return code
	}
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "interop.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"HSEMU_BASE="+srv.URL, "HSEMU_CLIENT_ID="+app.ClientID, "HSEMU_CLIENT_SECRET="+app.ClientSecret,
		"HSEMU_CODE="+mint(), "HSEMU_CODE2="+mint(), "HSEMU_REDIRECT_URI="+redirect)
	var stderr bytesBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "node: %s", stderr.String())

	var got struct {
		Exchange struct {
			AccessToken  string `json:"accessToken"`
			RefreshToken string `json:"refreshToken"`
			ExpiresIn    int    `json:"expiresIn"`
			TokenType    string `json:"tokenType"`
		} `json:"exchange"`
		Reuse      failure `json:"reuse"`
		AccessInfo struct {
			Token     string   `json:"token"`
			HubID     int64    `json:"hubId"`
			AppID     int64    `json:"appId"`
			Scopes    []string `json:"scopes"`
			TokenType string   `json:"tokenType"`
			ExpiresIn int      `json:"expiresIn"`
		} `json:"accessInfo"`
		RefreshInfo struct {
			Token    string `json:"token"`
			ClientID string `json:"clientId"`
			HubID    int64  `json:"hubId"`
		} `json:"refreshInfo"`
		Refreshed struct {
			AccessToken  string `json:"accessToken"`
			RefreshToken string `json:"refreshToken"`
		} `json:"refreshed"`
		Contacts struct {
			Results []json.RawMessage `json:"results"`
		} `json:"contacts"`
		BadToken    failure `json:"badToken"`
		AfterDelete failure `json:"afterDelete"`
		BadClient   failure `json:"badClient"`
	}
	require.NoError(t, json.Unmarshal(out, &got), "%s", out)

	assert.NotEmpty(t, got.Exchange.AccessToken)
	assert.NotEmpty(t, got.Exchange.RefreshToken)
	assert.Equal(t, 1800, got.Exchange.ExpiresIn)
	assert.Equal(t, "bearer", got.Exchange.TokenType)

	assert.True(t, got.Reuse.Threw, "a redeemed code must fail")
	assert.Equal(t, 400, got.Reuse.Code)
	assert.Equal(t, "BAD_AUTH_CODE", got.Reuse.Body["status"])
	assert.Equal(t, "invalid_grant", got.Reuse.Body["error"])

	assert.Equal(t, portal.HubID, got.AccessInfo.HubID)
	assert.Equal(t, app.ID, got.AccessInfo.AppID)
	assert.ElementsMatch(t, app.RequiredScopes, got.AccessInfo.Scopes)
	assert.Equal(t, "access", got.AccessInfo.TokenType)
	assert.Equal(t, app.ClientID, got.RefreshInfo.ClientID)
	assert.Equal(t, portal.HubID, got.RefreshInfo.HubID)

	assert.NotEmpty(t, got.Refreshed.AccessToken)
	assert.Equal(t, got.RefreshInfo.Token, got.Refreshed.RefreshToken, "the refresh token stays the same across refreshes")
	assert.NotNil(t, got.Contacts.Results)

	assert.Equal(t, 401, got.BadToken.Code)
	assert.Equal(t, "INVALID_AUTHENTICATION", got.BadToken.Body["category"])
	assert.Equal(t, 400, got.AfterDelete.Code)
	assert.Equal(t, "BAD_REFRESH_TOKEN", got.AfterDelete.Body["status"])
	assert.Equal(t, 400, got.BadClient.Code)
	assert.Equal(t, "BAD_CLIENT_ID", got.BadClient.Body["status"])
}

type failure struct {
	Threw bool           `json:"threw"`
	Code  int            `json:"code"`
	Body  map[string]any `json:"body"`
}

type bytesBuffer struct{ b []byte }

func (w *bytesBuffer) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
func (w *bytesBuffer) String() string              { return string(w.b) }
