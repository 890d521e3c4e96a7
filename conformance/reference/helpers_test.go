package reference

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Test fixtures: HubSpot-shaped returnUrls carrying their own query, as the marketplace sends.
const (
	testPublicURL = "http://127.0.0.1:7431"
	testR1        = "https://app.hubspot.com/ecosystem/123/marketplace/apps/456/install/return?installId=abc&stage=authorize"
	testR2        = "https://app.hubspot.com/ecosystem/123/marketplace/apps/456/install/return?installId=abc&stage=finalize"
	testHubID     = 1234567
)

// tokenCall is one request the fake token endpoint received.
type tokenCall struct {
	Method      string
	Path        string
	ContentType string
	Form        url.Values
}

// fakeHubSpot is a small stand-in for HubSpot's token endpoint: single-use codes, exact
// redirect_uri, and faults by code ("fail-400", "fail-503", "hang", "not-json").
type fakeHubSpot struct {
	srv         *httptest.Server
	redirectURI string // the only redirect_uri it accepts
	release     chan struct{}

	mu       sync.Mutex
	calls    []tokenCall
	redeemed map[string]bool
}

func newFakeHubSpot(t testing.TB, redirectURI string) *fakeHubSpot {
	t.Helper()
	f := &fakeHubSpot{redirectURI: redirectURI, redeemed: map[string]bool{}, release: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		close(f.release)
		f.srv.Close()
	})
	return f
}

func (f *fakeHubSpot) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	f.calls = append(f.calls, tokenCall{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), Form: form})
	code := form.Get("code")
	again := f.redeemed[code]
	f.redeemed[code] = true
	f.mu.Unlock()

	oauthErr := func(status int, hubspotStatus, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"error": "invalid_grant", "error_description": msg, "status": hubspotStatus, "message": msg,
		})
	}
	switch {
	case code == "hang":
		select {
		case <-r.Context().Done():
		case <-f.release:
		}
		return
	case code == "fail-503":
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"status":"error","message":"unavailable"}`)
		return
	case code == "not-json":
		_, _ = io.WriteString(w, "<html>")
		return
	case code == "" || code == "fail-400" || again:
		oauthErr(http.StatusBadRequest, "BAD_AUTH_CODE", "missing or unknown auth code")
		return
	case form.Get("redirect_uri") != f.redirectURI:
		oauthErr(http.StatusBadRequest, "MISMATCH_REDIRECT_URI_AUTH_CODE", "redirect_uri does not match")
		return
	case form.Get("client_id") != DemoClientID || form.Get("client_secret") != DemoClientSecret:
		oauthErr(http.StatusBadRequest, "BAD_CLIENT_ID", "bad client")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = fmt.Fprintf(w, `{"token_type":"bearer","refresh_token":"na1-rrrr-%[1]s","access_token":"CIrToa-access-%[1]s","hub_id":%[2]d,"scopes":["oauth","crm.objects.companies.read"],"expires_in":1800,"token_use":"access_token"}`, code, testHubID)
}

func (f *fakeHubSpot) Calls() []tokenCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]tokenCall(nil), f.calls...)
}

// fixture is a Server wired to a fake HubSpot, with a settable clock.
type fixture struct {
	t     testing.TB
	srv   *Server
	hub   *fakeHubSpot
	now   time.Time
	mu    sync.Mutex
	slept []time.Duration
}

// newFixture builds a Server for bug (""= the reference) against a fake HubSpot that expects
// the exact install URL of flow as redirect_uri. edit may change the config.
func newFixture(t testing.TB, bug, flowPath string, edit ...func(*Config)) *fixture {
	t.Helper()
	fx := &fixture{t: t, now: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)}
	fx.hub = newFakeHubSpot(t, testPublicURL+flowPath)
	cfg := Config{
		APIBase: fx.hub.srv.URL, ClientID: DemoClientID, ClientSecret: DemoClientSecret,
		PublicURL: testPublicURL, Bug: bug, Clock: fx.clock,
		ExchangeTimeout: 5 * time.Second, SlowDelay: time.Millisecond,
	}
	for _, e := range edit {
		e(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv.sleep = func(_ *http.Request, d time.Duration) {
		fx.mu.Lock()
		fx.slept = append(fx.slept, d)
		fx.mu.Unlock()
	}
	fx.srv = srv
	return fx
}

func (fx *fixture) clock() time.Time {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	return fx.now
}

func (fx *fixture) advance(d time.Duration) {
	fx.mu.Lock()
	fx.now = fx.now.Add(d)
	fx.mu.Unlock()
}

func (fx *fixture) sleeps() []time.Duration {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	return append([]time.Duration(nil), fx.slept...)
}

// get sends a GET with the given query parameters (in order) and optional cookies.
func (fx *fixture) get(path string, params [][2]string, cookies ...*http.Cookie) *http.Response {
	fx.t.Helper()
	return fx.getRaw(path+"?"+encodeOrdered(params), cookies...)
}

func (fx *fixture) getRaw(target string, cookies ...*http.Cookie) *http.Response {
	return serveGet(fx.srv, target, cookies...)
}

// serveGet sends a GET for target to srv.
func serveGet(srv *Server, target string, cookies ...*http.Cookie) *http.Response {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	// Set the target unparsed, so tests can send what no client library would.
	req.URL.Path, req.URL.RawQuery, _ = strings.Cut(target, "?")
	req.RequestURI = target
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec.Result()
}

// login posts the sign-in form.
func (fx *fixture) login(email, password, returnURL string) *http.Response {
	fx.t.Helper()
	form := url.Values{"email": {email}, "password": {password}, "returnUrl": {returnURL}}
	req := httptest.NewRequest(http.MethodPost, LoginPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	fx.srv.ServeHTTP(rec, req)
	return rec.Result()
}

// signIn runs step=authorize's sign-in for the demo user and returns the state and the
// session cookie.
func (fx *fixture) signIn() (state string, session *http.Cookie) {
	fx.t.Helper()
	resp := fx.login(DemoUsers[0].Email, DemoUsers[0].Password, testR1)
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusTemporaryRedirect {
		fx.t.Fatalf("sign-in answered %d; want a redirect", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		fx.t.Fatalf("sign-in Location: %v", err)
	}
	state = loc.Query().Get("state")
	if state == "" { // partner-state-concat: the state is after the second "?"
		_, after, _ := strings.Cut(loc.Query().Get("stage"), "?state=")
		state = after
	}
	if state == "" {
		fx.t.Fatalf("no state in %s", loc)
	}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil {
		fx.t.Fatalf("sign-in set no %s cookie", sessionCookie)
	}
	return state, session
}

// finalize sends the partner finalize request.
func (fx *fixture) finalize(code, state string, cookies ...*http.Cookie) *http.Response {
	fx.t.Helper()
	p := [][2]string{{"step", "finalize"}, {"returnUrl", testR2}}
	if code != "" {
		p = append(p, [2]string{"code", code})
	}
	if state != "" {
		p = append(p, [2]string{"state", state})
	}
	return fx.get(PartnerPath, p, cookies...)
}

// seamless sends the seamless finalize request.
func (fx *fixture) seamless(code string) *http.Response {
	fx.t.Helper()
	p := [][2]string{{"returnUrl", testR2}, {"step", "finalize"}}
	if code != "" {
		p = append(p, [2]string{"code", code})
	}
	return fx.get(SeamlessPath, p)
}

func encodeOrdered(params [][2]string) string {
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1])
	}
	return strings.Join(parts, "&")
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

// requireReturned asserts a 303 to exactly want.
func requireReturned(t *testing.T, resp *http.Response, want string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d; want 303 to %s", resp.StatusCode, want)
	}
	if got := resp.Header.Get("Location"); got != want {
		t.Fatalf("Location %q; want %q", got, want)
	}
}

// requireFrameable asserts HubSpot's frame-ancestors policy and no X-Frame-Options.
func requireFrameable(t *testing.T, resp *http.Response) {
	t.Helper()
	if got := resp.Header.Get("Content-Security-Policy"); got != frameAncestors {
		t.Errorf("Content-Security-Policy %q; want %q", got, frameAncestors)
	}
	if got := resp.Header.Get("X-Frame-Options"); got != "" {
		t.Errorf("X-Frame-Options %q; want none", got)
	}
}

// requireNoCalls asserts the token endpoint was not called.
func requireNoCalls(t *testing.T, hub *fakeHubSpot) {
	t.Helper()
	if calls := hub.Calls(); len(calls) != 0 {
		t.Fatalf("token endpoint called %d times (first: %+v); want no exchange", len(calls), calls[0])
	}
}

// requireNot5xx asserts the endpoint did not answer with a server error.
func requireNot5xx(t *testing.T, resp *http.Response) {
	t.Helper()
	if resp.StatusCode >= 500 {
		t.Fatalf("status %d; want no 5xx", resp.StatusCode)
	}
}
