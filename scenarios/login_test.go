package scenarios

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsemu/hsemu/emulator"
)

// cookieSignIn is a partner install endpoint whose users are already signed in: with the
// cookie sid=ok, step=authorize returns to HubSpot at once with a fresh state; without it, it
// shows a form nobody can fill.
func cookieSignIn(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("step") != "authorize" {
			http.Redirect(w, r, q.Get("returnUrl"), http.StatusSeeOther)
			return
		}
		if c, err := r.Cookie("sid"); err != nil || c.Value != "ok" {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<form method="post" action="/login"><input name="username"></form>`))
			return
		}
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		ret, _ := url.Parse(q.Get("returnUrl"))
		rq := ret.Query()
		rq.Set("state", hex.EncodeToString(b))
		ret.RawQuery = rq.Encode()
		http.Redirect(w, r, ret.String(), http.StatusSeeOther)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSignInWithCookies(t *testing.T) {
	h, err := StartHarness(emulator.Config{}, "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	srv := cookieSignIn(t)
	install := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/install"
	run := func(login Login) *RunReport {
		r := &Runner{Harness: h, Options: Options{Only: []string{"partner/authorize/signs-in", "partner/authorize/returns-state"}, ObserveWindow: 10 * time.Millisecond}}
		rep, err := r.Run(context.Background(), []Target{{
			InstallURL: install, Flows: []Flow{Partner}, Login: login,
			App: emulator.App{ClientID: "cookie-app", ClientSecret: "cookie-secret"},
		}})
		require.NoError(t, err)
		return rep
	}

	rep := run(Login{Cookies: []*http.Cookie{{Name: "sid", Value: "ok"}}})
	for _, id := range []string{"partner/authorize/signs-in", "partner/authorize/returns-state"} {
		res, ok := rep.Result("", id)
		require.True(t, ok, id)
		assert.Equal(t, Pass, res.Outcome.Status, "%s: %s", id, res.Outcome.Got)
	}

	rep = run(Login{Cookies: []*http.Cookie{{Name: "sid", Value: "expired"}}})
	res, _ := rep.Result("", "partner/authorize/signs-in")
	assert.Equal(t, Error, res.Outcome.Status, "a form hsemu cannot fill is the setup's problem: an error, never a pass or a skip")
	assert.Contains(t, res.Outcome.Got, "no --login fields were given")
	assert.Contains(t, res.Outcome.Got, "username", "the stuck note lists the form's fields")
}
