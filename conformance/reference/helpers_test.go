package reference

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsemu/hsemu/emulator"
)

// Test fixtures: HubSpot-shaped returnUrls carrying their own query, as the marketplace sends.
// testPublicURL is on localhost: HubSpot (and so the emulator) takes http redirect URLs only there.
const (
	testPublicURL = "http://localhost:7431"
	testR1        = "https://app.hubspot.com/ecosystem/123/marketplace/apps/456/install/return?installId=abc&stage=authorize"
	testR2        = "https://app.hubspot.com/ecosystem/123/marketplace/apps/456/install/return?installId=abc&stage=finalize"
	testHubID     = 1234567 // the portal the demo app is installed into
)

// testScopes are what the demo app is granted at install: its required scope and the
// conditionally required one the partner flow adds.
var testScopes = []string{"oauth", "crm.objects.companies.read"}

// testClock is the one settable clock of these tests (emulator.ManualClock); the reference and
// the emulator share it.
type testClock = emulator.ManualClock

func newTestClock() *testClock {
	return emulator.NewManualClock(time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC))
}

// fixture is a Server whose APIBase is hsemu's emulator, served on loopback, with a settable
// clock. The emulator is HubSpot here: it issues the codes, redeems each once for the exact
// redirect_uri it was issued for, and records every token request as an event.
type fixture struct {
	*testClock
	t           testing.TB
	srv         *Server
	em          *emulator.Emulator
	api         *httptest.Server // the emulator's API side
	redirectURI string           // the install URL codes are issued for

	mu      sync.Mutex
	slept   []time.Duration
	codes   map[string]string // label → code, see code
	events  <-chan emulator.Event
	seen    uint64
	tokenRq []emulator.Event
}

// newFixture builds a Server for bug (""= the reference) against the emulator, which issues
// codes for the exact install URL of flow. edit may change the config.
func newFixture(t testing.TB, bug, flowPath string, edit ...func(*Config)) *fixture {
	t.Helper()
	fx := &fixture{t: t, testClock: newTestClock(), redirectURI: testPublicURL + flowPath, codes: map[string]string{}}
	em, err := emulator.New(emulator.Config{Apps: []emulator.App{testApp()}, Portals: []emulator.Portal{{HubID: testHubID}}, Clock: fx.Now})
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	t.Cleanup(func() { em.Close() })
	fx.em = em
	fx.api = httptest.NewServer(em)
	t.Cleanup(fx.api.Close)
	events, cancel := em.Subscribe()
	t.Cleanup(cancel)
	fx.events = events
	cfg := Config{
		APIBase: fx.api.URL, ClientID: DemoClientID, ClientSecret: DemoClientSecret,
		PublicURL: testPublicURL, Bug: bug, Clock: fx.Now,
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

// testApp is the demo app as the emulator knows it: the reference's credentials, its install
// URLs as redirect URLs.
func testApp() emulator.App {
	return emulator.App{
		Name: DefaultAppName, ClientID: DemoClientID, ClientSecret: DemoClientSecret,
		RedirectURLs: []string{
			testPublicURL + SeamlessPath, testPublicURL + PartnerPath, testPublicURL + ConnectCallbackPath,
			"http://localhost" + SeamlessPath, "https://install.example.com" + SeamlessPath,
		},
		RequiredScopes:              []string{"oauth"},
		ConditionallyRequiredScopes: []string{"crm.objects.companies.read"},
	}
}

// code returns the authorization code the emulator issued for label, issuing it for the
// fixture's install URL on first use (the same label gives the same code; "" gives no code).
// Labels name the token endpoint's answer, through the emulator's faults: "fail-400" (HubSpot
// refuses the code), "fail-503" (a 5xx) and "hang" (no answer until the client gives up); any
// other label is a code HubSpot redeems once.
func (fx *fixture) code(label string) string {
	fx.t.Helper()
	if label == "" {
		return ""
	}
	fx.mu.Lock()
	defer fx.mu.Unlock()
	if c, ok := fx.codes[label]; ok {
		return c
	}
	c := fx.issue(fx.redirectURI)
	switch label {
	case "fail-400":
		fx.em.SetFault(emulator.Fault{Code: c, Kind: emulator.FaultError, Status: "BAD_AUTH_CODE"})
	case "fail-503":
		fx.em.SetFault(emulator.Fault{Code: c, Kind: emulator.FaultServerError})
	case "hang":
		fx.em.SetFault(emulator.Fault{Code: c, Kind: emulator.FaultDelay, Delay: time.Minute})
	}
	fx.codes[label] = c
	return c
}

// issue has the emulator issue a code for redirectURI, as HubSpot does when the user grants
// access.
func (fx *fixture) issue(redirectURI string) string {
	fx.t.Helper()
	c, err := fx.em.IssueCode(emulator.CodeRequest{ClientID: DemoClientID, HubID: testHubID, RedirectURI: redirectURI, Scopes: testScopes})
	if err != nil {
		fx.t.Fatalf("IssueCode: %v", err)
	}
	return c
}

// tokens returns the access token and the refresh token HubSpot handed out for the code of label.
func (fx *fixture) tokens(label string) (access, refresh string) {
	fx.t.Helper()
	ts := fx.em.TokensIssuedFor(fx.code(label))
	if len(ts) < 2 {
		fx.t.Fatalf("code %s: tokens %d; want an access and a refresh token", label, len(ts))
	}
	return ts[0], ts[len(ts)-1]
}

// tokenHint is how the reference shows a token: the first 6 characters and the length.
func tokenHint(tok string) string {
	return tok[:6] + "…(" + strconv.Itoa(len(tok)) + " chars)"
}

// tokenRequests returns the requests the emulator's token endpoints received so far, oldest
// first. The emulator publishes a request's event before its client reads the answer, so every
// exchange the endpoint finished is here.
func (fx *fixture) tokenRequests() []emulator.Event {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	for last := fx.em.LastSeq(); fx.seen < last; {
		ev, ok := <-fx.events
		if !ok {
			break
		}
		fx.seen = ev.Seq
		if ev.Method == http.MethodPost && (ev.Path == tokenPathV3 || ev.Path == tokenPathV1) {
			fx.tokenRq = append(fx.tokenRq, ev)
		}
	}
	return slices.Clone(fx.tokenRq)
}

// apiAnswersHTML points the server at an API base that answers every request with an HTML page
// (a proxy's or a captive portal's), as no HubSpot endpoint does.
func (fx *fixture) apiAnswersHTML() {
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html>")
	}))
	fx.t.Cleanup(html.Close)
	fx.srv.apiBase = html.URL
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

// finalize sends the partner finalize request with the code of label (see code).
func (fx *fixture) finalize(code, state string, cookies ...*http.Cookie) *http.Response {
	fx.t.Helper()
	p := [][2]string{{"step", "finalize"}, {"returnUrl", testR2}}
	if code != "" {
		p = append(p, [2]string{"code", fx.code(code)})
	}
	if state != "" {
		p = append(p, [2]string{"state", state})
	}
	return fx.get(PartnerPath, p, cookies...)
}

// seamless sends the seamless finalize request with the code of label (see code).
func (fx *fixture) seamless(code string) *http.Response {
	fx.t.Helper()
	p := [][2]string{{"returnUrl", testR2}, {"step", "finalize"}}
	if code != "" {
		p = append(p, [2]string{"code", fx.code(code)})
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
func requireNoCalls(t *testing.T, fx *fixture) {
	t.Helper()
	if calls := fx.tokenRequests(); len(calls) != 0 {
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
