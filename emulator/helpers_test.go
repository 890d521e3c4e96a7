package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fakeClock is a settable clock for tests.
// fakeClock is the tests' clock (emulator.ManualClock, the one settable clock of hsemu's tests).
type fakeClock = ManualClock

func newFakeClock() *fakeClock {
	return NewManualClock(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
}

const (
	testClientID = "11111111-2222-4333-8444-555555555555"
	testSecret   = "66666666-7777-4888-9999-000000000000"
	testRedirect = "http://localhost:3000/oauth-callback"
)

func testApp() App {
	return App{
		UID: "test_app", Name: "Test app",
		ClientID: testClientID, ClientSecret: testSecret,
		RedirectURLs:                []string{testRedirect, "https://app.example.com/install"},
		RequiredScopes:              []string{"oauth", "crm.objects.contacts.read"},
		OptionalScopes:              []string{"crm.objects.deals.read"},
		ConditionallyRequiredScopes: []string{"crm.objects.companies.read"},
	}
}

// newTest returns an emulator with testApp and a fake clock; mutate cfg with opts.
func newTest(t testing.TB, opts ...func(*Config)) (*Emulator, *fakeClock) {
	t.Helper()
	clk := newFakeClock()
	cfg := Config{Apps: []App{testApp()}, Clock: clk.Now}
	for _, o := range opts {
		o(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e, clk
}

// defaultHub returns the hub ID of the emulator's first portal.
func defaultHub(t testing.TB, e *Emulator) int64 {
	t.Helper()
	ps := e.Portals()
	if len(ps) == 0 {
		t.Fatal("no portal")
	}
	return ps[0].HubID
}

// issue mints a code for testApp in the default portal.
func issue(t testing.TB, e *Emulator) string {
	t.Helper()
	code, err := e.IssueCode(CodeRequest{
		ClientID: testClientID, HubID: defaultHub(t, e), RedirectURI: testRedirect,
		Scopes: []string{"oauth", "crm.objects.contacts.read"},
	})
	if err != nil {
		t.Fatalf("IssueCode: %v", err)
	}
	return code
}

func codeForm(code string) url.Values {
	return url.Values{
		"grant_type": {"authorization_code"}, "client_id": {testClientID},
		"client_secret": {testSecret}, "redirect_uri": {testRedirect}, "code": {code},
	}
}

func refreshForm(rt string) url.Values {
	return url.Values{
		"grant_type": {"refresh_token"}, "client_id": {testClientID},
		"client_secret": {testSecret}, "refresh_token": {rt},
	}
}

// do serves req. An admin request (/_hsemu/) to httptest's default Host is sent to 127.0.0.1,
// the only Host the admin endpoints answer (guard.go).
func do(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	if strings.HasPrefix(req.URL.Path, "/_hsemu/") && req.Host == "example.com" {
		req.Host = "127.0.0.1"
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func postForm(h http.Handler, path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(h, req)
}

// decode decodes a JSON object body into a map.
func decode(t testing.TB, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", w.Body.String(), err)
	}
	return m
}

// exchange redeems a fresh code and returns the token response.
func exchange(t testing.TB, e *Emulator) map[string]any {
	t.Helper()
	w := postForm(e, "/oauth/v3/token", codeForm(issue(t, e)))
	if w.Code != http.StatusOK {
		t.Fatalf("exchange: status %d body %s", w.Code, w.Body)
	}
	return decode(t, w)
}

func bearer(path, tok string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return req
}

var hubletShape = regexp.MustCompile(`^na1-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
