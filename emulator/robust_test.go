package emulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestBadInputNeverServerError sends malformed requests to every POST endpoint: each must get
// a 4xx with a JSON or HTML body that says what was wrong, never a 5xx.
func TestBadInputNeverServerError(t *testing.T) {
	e, _ := newTest(t)
	paths := []string{
		"/oauth/v1/token", "/oauth/v3/token", "/oauth/2026-03/token", "/oauth/2026-09/token",
		"/oauth/v3/token/introspect", "/oauth/2026-03/token/introspect", "/oauth/v3/token/revoke",
		"/oauth/2026-09/token/revoke", "/oauth/authorize", "/_hsemu/faults",
	}
	bodies := []struct{ ct, body string }{
		{"", ""},
		{"application/x-www-form-urlencoded", ""},
		{"application/x-www-form-urlencoded", "%%%"},
		{"application/x-www-form-urlencoded", "grant_type=\x00\xff&code=" + strings.Repeat("é", 5000)},
		{"application/x-www-form-urlencoded", strings.Repeat("a=1&", 30000)},
		{"application/json", `{"grant_type":"authorization_code"}`},
		{"multipart/form-data; boundary=x", "--x\r\n"},
		{"text/plain;;;", "x"},
		{"application/x-www-form-urlencoded", "grant_type=authorization_code&code=&client_id=&client_secret=&redirect_uri="},
		{"application/x-www-form-urlencoded", "grant_type=refresh_token&refresh_token=" + strings.Repeat("x", 60000)},
	}
	for _, p := range paths {
		for _, b := range bodies {
			req := httptest.NewRequest(http.MethodPost, p, strings.NewReader(b.body))
			if b.ct != "" {
				req.Header.Set("Content-Type", b.ct)
			}
			w := do(e, req)
			if w.Code < 400 || w.Code >= 500 {
				t.Errorf("POST %s (%s, %d bytes): %d; want a 4xx", p, b.ct, len(b.body), w.Code)
			}
			if w.Body.Len() == 0 {
				t.Errorf("POST %s (%s): empty body; want an explanation", p, b.ct)
			}
		}
	}
	for _, p := range []string{
		"/oauth/v1/access-tokens/%00", "/oauth/v1/refresh-tokens/" + strings.Repeat("x", 4000),
		"/oauth/authorize?client_id=%zz", "/crm/v3/objects/contacts?limit=-1", "/_hsemu/events?since=-1",
	} {
		w := do(e, httptest.NewRequest(http.MethodGet, p, nil))
		if w.Code < 400 || w.Code >= 500 {
			t.Errorf("GET %s: %d; want a 4xx", p, w.Code)
		}
	}
}
