package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAdminGuard: the admin endpoints answer only loopback Hosts, no foreign Origin, and JSON
// bodies for state-changing requests (DNS rebinding and cross-site POST protection).
func TestAdminGuard(t *testing.T) {
	e, _ := newTest(t)
	const fault = `{"kind":"error","status":"BAD_AUTH_CODE","times":1}`
	for _, tc := range []struct {
		name, method, path, host, origin, ct, body string
		want                                       int
	}{
		{"loopback v4", "POST", "/_hsemu/faults", "127.0.0.1:8080", "", "application/json", fault, 201},
		{"loopback v6", "POST", "/_hsemu/faults", "[::1]:8080", "", "application/json; charset=utf-8", fault, 201},
		{"localhost", "GET", "/_hsemu/events", "localhost:3000", "", "", "", 200},
		{"localhost no port", "GET", "/_hsemu/health", "LOCALHOST", "", "", "", 200},
		{"same origin", "POST", "/_hsemu/faults", "127.0.0.1:8080", "http://127.0.0.1:8080", "application/json", fault, 201},
		{"rebound name", "GET", "/_hsemu/events", "evil.example:8080", "", "", "", 403},
		{"rebound name post", "POST", "/_hsemu/faults", "attacker.test", "", "application/json", fault, 403},
		{"foreign origin", "POST", "/_hsemu/faults", "127.0.0.1:8080", "https://evil.example", "application/json", fault, 403},
		{"other loopback port", "GET", "/_hsemu/events", "127.0.0.1:8080", "http://localhost:3000", "", "", 403},
		{"null origin", "POST", "/_hsemu/faults", "127.0.0.1:8080", "null", "application/json", fault, 403},
		{"text/plain", "POST", "/_hsemu/faults", "127.0.0.1:8080", "", "text/plain", fault, 415},
		{"form", "POST", "/_hsemu/uninstall", "127.0.0.1", "", "application/x-www-form-urlencoded", "a=1", 415},
		{"no content type", "POST", "/_hsemu/webhooks/send", "127.0.0.1", "", "", "{}", 415},
		{"delete without body", "DELETE", "/_hsemu/faults", "127.0.0.1", "", "", "", 204},
		{"delete with text", "DELETE", "/_hsemu/faults", "127.0.0.1", "", "text/plain", "x", 415},
		{"trailing garbage", "POST", "/_hsemu/faults", "127.0.0.1", "", "application/json", fault + "x", 400},
		{"two values", "POST", "/_hsemu/faults", "127.0.0.1", "", "application/json", fault + fault, 400},
		{"journal file from the API host", "GET", "/_hsemu/webhooks-journal/files/nope", "api.hubapi.com", "", "", "", 404},
		{"API untouched", "GET", "/account-info/v3/details", "api.hubapi.com", "https://evil.example", "", "", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			req.Host = tc.host
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if tc.ct != "" {
				req.Header.Set("Content-Type", tc.ct)
			}
			w := do(e, req)
			if w.Code != tc.want {
				t.Fatalf("%s %s Host %s: %d %s; want %d", tc.method, tc.path, tc.host, w.Code, w.Body, tc.want)
			}
			if w.Code == 403 || w.Code == 415 {
				var ae APIError
				if err := json.Unmarshal(w.Body.Bytes(), &ae); err != nil || ae.Message == "" || ae.Category == "" {
					t.Errorf("refusal body %s (%v); want HubSpot's error shape saying why", w.Body, err)
				}
			}
		})
	}
	e.ClearFaults()
}

// TestNotFoundRedactsTokens: a token in the path of an unknown route or of a wrong method on a
// token route never appears in full in the answer's event, on /_hsemu/events or in the message.
func TestNotFoundRedactsTokens(t *testing.T) {
	e, _ := newTest(t)
	tok := exchange(t, e)
	at, rt := tok["access_token"].(string), tok["refresh_token"].(string)
	code := issue(t, e)
	for _, r := range []*http.Request{
		httptest.NewRequest(http.MethodPost, "/oauth/v1/access-tokens/"+at, nil),
		httptest.NewRequest(http.MethodPost, "/oauth/v1/refresh-tokens/"+rt, nil),
		httptest.NewRequest(http.MethodGet, "/oauth/v1/refresh-tokens/"+rt+"/x", nil),
		httptest.NewRequest(http.MethodGet, "/nowhere/"+at+"/"+rt+"/"+code, nil),
		httptest.NewRequest(http.MethodGet, "/nowhere?x="+at+"&y="+code, nil),
	} {
		if w := do(e, r); w.Code != 404 && w.Code != 405 {
			t.Errorf("%s %s: %d; want 404 or 405", r.Method, r.URL, w.Code)
		}
	}
	w := do(e, httptest.NewRequest(http.MethodGet, "/_hsemu/events", nil))
	body := w.Body.String()
	for name, secret := range map[string]string{"access token": at, "refresh token": rt, "code": code} {
		if strings.Contains(body, secret) {
			t.Errorf("/_hsemu/events shows the %s in full: %s", name, body)
		}
		if !strings.Contains(body, secret[:6]+"…") {
			t.Errorf("/_hsemu/events has no redacted %s (%s…) to correlate by", name, secret[:6])
		}
	}
}

// TestHandlerPanicReleasesLock: a handler that panics while it changes the state answers 500
// in HubSpot's error shape, is logged and recorded, and leaves the emulator working.
func TestHandlerPanicReleasesLock(t *testing.T) {
	var logs bytes.Buffer
	e, _ := newTest(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	e.mux.HandleFunc("GET /test-panic", func(w http.ResponseWriter, r *http.Request) {
		e.c.update(func() error { panic("boom") })
	})
	e.mux.HandleFunc("GET /test-panic-read", func(w http.ResponseWriter, r *http.Request) {
		e.c.view(func() { panic("boom") })
	})
	for _, path := range []string{"/test-panic", "/test-panic-read"} {
		w := do(e, httptest.NewRequest(http.MethodGet, path, nil))
		var ae APIError
		if w.Code != 500 || json.Unmarshal(w.Body.Bytes(), &ae) != nil || ae.Category != "INTERNAL_ERROR" || ae.CorrelationID == "" {
			t.Errorf("GET %s: %d %s; want 500 in HubSpot's error shape", path, w.Code, w.Body)
		}
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("log %q; want the panic recorded", logs.String())
	}
	exchange(t, e) // takes the state lock for writing: hangs if the panic kept it
	resp := do(e, httptest.NewRequest(http.MethodGet, "/_hsemu/events", nil))
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), `"status":500`) {
		t.Errorf("events %s; want the 500 recorded", b)
	}
}
