package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hsemu/hsemu/emulator"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// tokenAttempts records each request to a token endpoint: how the client authenticated and
// what the emulator answered.
type tokenAttempts struct {
	next http.Handler
	mu   sync.Mutex
	seen []string
}

func (a *tokenAttempts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/oauth/v3/token") {
		a.next.ServeHTTP(w, r)
		return
	}
	rec := &statusOf{ResponseWriter: w, status: http.StatusOK}
	a.next.ServeHTTP(rec, r)
	how := "params"
	if _, _, ok := r.BasicAuth(); ok {
		how = "basic"
	}
	a.mu.Lock()
	a.seen = append(a.seen, fmt.Sprintf("%s %d", how, rec.status))
	a.mu.Unlock()
}

// take returns the attempts recorded since the last take.
func (a *tokenAttempts) take() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	seen := a.seen
	a.seen = nil
	return seen
}

// checkAttempts holds what each auth style may send: InParams only the body; AutoDetect ends
// with a success, whether the emulator took HTTP Basic at once or refused it first.
func checkAttempts(t *testing.T, style oauth2.AuthStyle, seen []string) {
	t.Helper()
	t.Logf("token requests: %v", seen)
	require.NotEmpty(t, seen)
	assert.True(t, strings.HasSuffix(seen[len(seen)-1], " 200"), "the last token request succeeds: %v", seen)
	if style == oauth2.AuthStyleInParams {
		assert.Equal(t, []string{"params 200"}, seen)
	}
}

type statusOf struct {
	http.ResponseWriter
	status int
}

func (s *statusOf) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// TestInteropGoOAuth2 drives the emulator's /oauth/v3/token with golang.org/x/oauth2, the OAuth
// client most Go apps use: the code exchange, then a refresh, with AuthStyleInParams (HubSpot
// documents client_id and client_secret in the form body) and with AuthStyleAutoDetect, which
// tries HTTP Basic first and falls back to the body on any error. Whether HubSpot accepts Basic
// is UNCONFIRMED, so AutoDetect must succeed either way: at once, or by falling back. Each
// subtest has its own code and its own oauth2.Config (whose auth-style cache starts empty).
func TestInteropGoOAuth2(t *testing.T) {
	t.Run("default switches", func(t *testing.T) { testGoOAuth2(t, emulator.Choices{}) })
	t.Run("basic-auth off", func(t *testing.T) { testGoOAuth2(t, emulator.Choices{RefuseBasicAuth: true}) })
}

func testGoOAuth2(t *testing.T, choices emulator.Choices) {
	x := newInterop(t, func(c *emulator.Config) { c.Choices = choices })
	attempts := &tokenAttempts{next: x.em}
	srv := httptest.NewServer(attempts)
	t.Cleanup(srv.Close)
	config := func(style oauth2.AuthStyle) *oauth2.Config {
		return &oauth2.Config{
			ClientID: x.app.ClientID, ClientSecret: x.app.ClientSecret, RedirectURL: interopRedirect,
			Scopes: x.app.RequiredScopes,
			Endpoint: oauth2.Endpoint{
				AuthURL: srv.URL + "/oauth/authorize", TokenURL: srv.URL + "/oauth/v3/token", AuthStyle: style,
			},
		}
	}

	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{
		{"AuthStyleInParams", oauth2.AuthStyleInParams},
		{"AuthStyleAutoDetect", oauth2.AuthStyleAutoDetect},
	} {
		t.Run(style.name+"/exchange", func(t *testing.T) {
			ctx := context.Background()
			attempts.take()
			tok, err := config(style.style).Exchange(ctx, x.code(t))
			require.NoError(t, err)
			checkAttempts(t, style.style, attempts.take())
			assert.NotEmpty(t, tok.AccessToken)
			assert.NotEmpty(t, tok.RefreshToken)
			assert.Equal(t, "Bearer", tok.Type())
			assert.False(t, tok.Expiry.IsZero(), "expires_in must give the token an expiry")
			assert.True(t, tok.Valid())

			// The token works as x/oauth2 sends it ("Authorization: Bearer …").
			resp, err := config(style.style).Client(ctx, tok).Get(srv.URL + "/crm/v3/objects/contacts")
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
		})
		t.Run(style.name+"/refresh", func(t *testing.T) {
			old := x.tokens(t)
			attempts.take()
			// A token with only a refresh token is expired to x/oauth2, so Token refreshes it.
			tok, err := config(style.style).TokenSource(context.Background(), &oauth2.Token{RefreshToken: old.RefreshToken}).Token()
			require.NoError(t, err)
			checkAttempts(t, style.style, attempts.take())
			assert.NotEqual(t, old.AccessToken, tok.AccessToken)
			assert.NotEmpty(t, tok.RefreshToken)
			assert.True(t, tok.Valid())
			assert.True(t, x.accessTokenValid(t, tok.AccessToken))
		})
	}

	t.Run("AuthStyleInParams/redeemed code", func(t *testing.T) {
		conf := config(oauth2.AuthStyleInParams)
		code := x.code(t)
		_, err := conf.Exchange(context.Background(), code)
		require.NoError(t, err)
		_, err = conf.Exchange(context.Background(), code)
		var re *oauth2.RetrieveError
		require.ErrorAs(t, err, &re, "a redeemed code must fail as a RetrieveError")
		// The `error` value paired with BAD_AUTH_CODE is UNCONFIRMED (HUBSPOT.md item 3): only a
		// client error with HubSpot's status text is required.
		assert.GreaterOrEqual(t, re.Response.StatusCode, 400)
		assert.Less(t, re.Response.StatusCode, 500)
		assert.Contains(t, string(re.Body), `"BAD_AUTH_CODE"`)
	})
	t.Run("AuthStyleInParams/deleted refresh token", func(t *testing.T) {
		old := x.tokens(t)
		req, err := http.NewRequest(http.MethodDelete, srv.URL+"/oauth/v1/refresh-tokens/"+old.RefreshToken, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusNoContent, resp.StatusCode)

		_, err = config(oauth2.AuthStyleInParams).TokenSource(context.Background(), &oauth2.Token{RefreshToken: old.RefreshToken}).Token()
		var re *oauth2.RetrieveError
		require.True(t, errors.As(err, &re), "got %v; want a RetrieveError", err)
		assert.Equal(t, http.StatusBadRequest, re.Response.StatusCode)
		assert.Equal(t, "invalid_grant", re.ErrorCode)
		assert.Contains(t, string(re.Body), `"BAD_REFRESH_TOKEN"`)
	})
}
