package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenAuthorizationCodeSuccess(t *testing.T) {
	for _, path := range []string{"/oauth/v1/token", "/oauth/v3/token", "/oauth/2026-03/token", "/oauth/2026-09/token"} {
		t.Run(path, func(t *testing.T) {
			e, _ := newTest(t)
			hub := defaultHub(t, e)
			w := postForm(e, path, codeForm(issue(t, e)))
			if w.Code != http.StatusOK {
				t.Fatalf("status %d; want 200; body %s", w.Code, w.Body)
			}
			if got := w.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q; want no-store (RFC 6749 §5.1)", got)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q; want application/json", ct)
			}
			m := decode(t, w)
			if m["token_type"] != "bearer" {
				t.Errorf("token_type %v; want bearer", m["token_type"])
			}
			if m["token_use"] != "access_token" {
				t.Errorf("token_use %v; want access_token", m["token_use"])
			}
			if m["expires_in"] != float64(1800) {
				t.Errorf("expires_in %v; want 1800", m["expires_in"])
			}
			if m["hub_id"] != float64(hub) {
				t.Errorf("hub_id %v; want %d", m["hub_id"], hub)
			}
			scopes, _ := m["scopes"].([]any)
			if len(scopes) != 2 || scopes[0] != "oauth" || scopes[1] != "crm.objects.contacts.read" {
				t.Errorf("scopes %v; want [oauth crm.objects.contacts.read]", m["scopes"])
			}
			rt, _ := m["refresh_token"].(string)
			if !hubletShape.MatchString(rt) {
				t.Errorf("refresh_token %q; want na1-xxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", rt)
			}
			at, _ := m["access_token"].(string)
			if at == "" || len(at) > 512 || !strings.HasPrefix(at, "C") {
				t.Errorf("access_token %q; want an opaque token ≤512 chars starting with C", at)
			}
			if len(m) != 7 {
				t.Errorf("fields %v; want exactly token_type, refresh_token, access_token, hub_id, scopes, expires_in, token_use", m)
			}
		})
	}
}

func TestTokenRefreshKeepsRefreshToken(t *testing.T) {
	e, _ := newTest(t)
	first := exchange(t, e)
	rt := first["refresh_token"].(string)
	seen := map[string]bool{first["access_token"].(string): true}
	for i := 0; i < 3; i++ {
		w := postForm(e, "/oauth/2026-03/token", refreshForm(rt))
		if w.Code != http.StatusOK {
			t.Fatalf("refresh %d: status %d body %s", i, w.Code, w.Body)
		}
		m := decode(t, w)
		if m["refresh_token"] != rt {
			t.Errorf("refresh %d: refresh_token %v; want the same %q (HubSpot does not rotate)", i, m["refresh_token"], rt)
		}
		at := m["access_token"].(string)
		if seen[at] {
			t.Errorf("refresh %d: access token repeated", i)
		}
		seen[at] = true
		if m["hub_id"] != first["hub_id"] || m["token_use"] != "access_token" || m["expires_in"] != float64(1800) {
			t.Errorf("refresh %d: got %v", i, m)
		}
	}
}

func TestTokenClientCredentials(t *testing.T) {
	e, _ := newTest(t)
	form := url.Values{
		"grant_type": {"client_credentials"}, "client_id": {testClientID}, "client_secret": {testSecret},
		"scope": {"developer.webhooks_journal.read"},
	}
	w := postForm(e, "/oauth/2026-03/token", form)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d body %s", w.Code, w.Body)
	}
	m := decode(t, w)
	if m["token_use"] != "client_credentials" || m["token_type"] != "bearer" || m["expires_in"] != float64(1800) {
		t.Errorf("got %v; want token_use client_credentials, bearer, 1800", m)
	}
	if _, ok := m["refresh_token"]; ok {
		t.Errorf("client_credentials response has a refresh_token: %v", m)
	}
	if _, ok := m["hub_id"]; ok {
		t.Errorf("client_credentials response has a hub_id: %v", m)
	}
}

func TestTokenErrors(t *testing.T) {
	type setup struct {
		e    *Emulator
		clk  *fakeClock
		code string
	}
	cases := []struct {
		name       string
		path       string
		req        func(s setup) *http.Request
		httpStatus int
		status     string
		errCode    string
		message    string // "" = any non-empty
	}{
		{"unknown code", "/oauth/v3/token", func(s setup) *http.Request {
			return formReq("/oauth/v3/token", codeForm("na1-0000-0000-0000-0000-000000000000"))
		}, 400, "BAD_AUTH_CODE", "invalid_grant", "missing or unknown auth code"},
		{"missing code", "", func(s setup) *http.Request {
			f := codeForm("")
			f.Del("code")
			return formReq("/oauth/v3/token", f)
		}, 400, "BAD_AUTH_CODE", "invalid_grant", "missing or unknown auth code"},
		{"expired code", "", func(s setup) *http.Request {
			s.clk.Advance(DefaultCodeTTL + time.Second)
			return formReq("/oauth/v3/token", codeForm(s.code))
		}, 400, "EXPIRED_AUTH_CODE", "invalid_grant", "auth code is expired"},
		{"mismatched redirect_uri", "", func(s setup) *http.Request {
			f := codeForm(s.code)
			f.Set("redirect_uri", "https://app.example.com/install")
			return formReq("/oauth/v3/token", f)
		}, 400, "MISMATCH_REDIRECT_URI_AUTH_CODE", "invalid_grant", ""},
		{"redirect_uri with trailing slash", "", func(s setup) *http.Request {
			f := codeForm(s.code)
			f.Set("redirect_uri", testRedirect+"/")
			return formReq("/oauth/v3/token", f)
		}, 400, "MISMATCH_REDIRECT_URI_AUTH_CODE", "invalid_grant", ""},
		{"missing redirect_uri", "", func(s setup) *http.Request {
			f := codeForm(s.code)
			f.Del("redirect_uri")
			return formReq("/oauth/v3/token", f)
		}, 400, "BAD_REDIRECT_URI", "invalid_request", ""},
		{"unknown client_id", "", func(s setup) *http.Request {
			f := codeForm(s.code)
			f.Set("client_id", "nope")
			return formReq("/oauth/v3/token", f)
		}, 400, "BAD_CLIENT_ID", "invalid_client", "missing or unknown client id"},
		{"missing client_id", "", func(s setup) *http.Request {
			f := codeForm(s.code)
			f.Del("client_id")
			return formReq("/oauth/v3/token", f)
		}, 400, "BAD_CLIENT_ID", "invalid_client", ""},
		{"wrong client_secret", "", func(s setup) *http.Request {
			f := codeForm(s.code)
			f.Set("client_secret", "wrong")
			return formReq("/oauth/v3/token", f)
		}, 400, "BAD_CLIENT_SECRET", "invalid_client", ""},
		{"unknown refresh token", "", func(s setup) *http.Request {
			return formReq("/oauth/v3/token", refreshForm("na1-0000-0000-0000-0000-000000000000"))
		}, 400, "BAD_REFRESH_TOKEN", "invalid_grant", "refresh token is invalid, expired or revoked"},
		{"missing refresh token", "", func(s setup) *http.Request {
			return formReq("/oauth/v1/token", refreshForm(""))
		}, 400, "BAD_REFRESH_TOKEN", "invalid_grant", "refresh token is invalid, expired or revoked"},
		{"unknown grant_type", "", func(s setup) *http.Request {
			f := codeForm(s.code)
			f.Set("grant_type", "password")
			return formReq("/oauth/v3/token", f)
		}, 400, "BAD_GRANT_TYPE", "unsupported_grant_type", ""},
		{"missing grant_type", "", func(s setup) *http.Request {
			f := codeForm(s.code)
			f.Del("grant_type")
			return formReq("/oauth/v3/token", f)
		}, 400, "BAD_GRANT_TYPE", "unsupported_grant_type", ""},
		{"JSON body", "", func(s setup) *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/oauth/v3/token", strings.NewReader(`{"grant_type":"authorization_code"}`))
			req.Header.Set("Content-Type", "application/json")
			return req
		}, 400, "BAD_REQUEST", "invalid_request", ""},
		{"no content type", "", func(s setup) *http.Request {
			return httptest.NewRequest(http.MethodPost, "/oauth/v3/token", strings.NewReader(codeForm(s.code).Encode()))
		}, 400, "BAD_REQUEST", "invalid_request", ""},
		{"query parameters on v3", "", func(s setup) *http.Request {
			return formReq("/oauth/v3/token?"+codeForm(s.code).Encode(), url.Values{})
		}, 400, "BAD_REQUEST", "invalid_request", ""},
		{"query parameters on 2026-03", "", func(s setup) *http.Request {
			return formReq("/oauth/2026-03/token?client_secret=x", codeForm(s.code))
		}, 400, "BAD_REQUEST", "invalid_request", ""},
		{"duplicate parameter", "", func(s setup) *http.Request {
			return formReq("/oauth/v3/token", url.Values{"grant_type": {"authorization_code", "refresh_token"}})
		}, 400, "BAD_REQUEST", "invalid_request", ""},
		{"duplicate across v1 query and body", "", func(s setup) *http.Request {
			return formReq("/oauth/v1/token?code=x", codeForm(s.code))
		}, 400, "BAD_REQUEST", "invalid_request", ""},
		{"malformed body", "", func(s setup) *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/oauth/v3/token", strings.NewReader("code=%zz"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return req
		}, 400, "BAD_REQUEST", "invalid_request", ""},
		{"huge body", "", func(s setup) *http.Request {
			f := codeForm(s.code)
			f.Set("code", strings.Repeat("a", 100<<10))
			return formReq("/oauth/v3/token", f)
		}, 413, "BAD_REQUEST", "invalid_request", ""},
		{"huge code under the cap", "", func(s setup) *http.Request {
			return formReq("/oauth/v3/token", codeForm(strings.Repeat("a", 60<<10)))
		}, 400, "BAD_AUTH_CODE", "invalid_grant", "missing or unknown auth code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, clk := newTest(t)
			s := setup{e: e, clk: clk, code: issue(t, e)}
			w := do(e, c.req(s))
			if w.Code != c.httpStatus {
				t.Fatalf("HTTP %d; want %d; body %s", w.Code, c.httpStatus, w.Body)
			}
			m := decode(t, w)
			if m["status"] != c.status {
				t.Errorf("status %v; want %s", m["status"], c.status)
			}
			if m["error"] != c.errCode {
				t.Errorf("error %v; want %s", m["error"], c.errCode)
			}
			msg, _ := m["message"].(string)
			if c.message != "" && msg != c.message {
				t.Errorf("message %q; want %q", msg, c.message)
			}
			if msg == "" || m["error_description"] != msg {
				t.Errorf("message %q and error_description %v; want the same non-empty text", msg, m["error_description"])
			}
			if len(m) != 4 {
				t.Errorf("fields %v; want exactly error, error_description, status, message", m)
			}
		})
	}
}

func formReq(path string, form url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return req
}

func TestTokenV1AcceptsQuery(t *testing.T) {
	e, _ := newTest(t)
	req := httptest.NewRequest(http.MethodPost, "/oauth/v1/token?"+codeForm(issue(t, e)).Encode(), strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if w := do(e, req); w.Code != http.StatusOK {
		t.Fatalf("v1 with query parameters: status %d body %s; want 200 (v1 accepted query parameters)", w.Code, w.Body)
	}
}

// TestCodeReplay: a code redeemed twice fails with BAD_AUTH_CODE; the tokens of its first
// redemption are revoked only with the revoke-on-code-reuse switch (RFC 6749 §4.1.2's SHOULD;
// HubSpot: UNCONFIRMED).
func TestCodeReplay(t *testing.T) {
	for _, revoke := range []bool{false, true} {
		t.Run(fmt.Sprintf("revoke=%v", revoke), func(t *testing.T) {
			e, _ := newTest(t, func(c *Config) { c.Choices.RevokeOnCodeReuse = revoke })
			code := issue(t, e)
			w := postForm(e, "/oauth/v3/token", codeForm(code))
			if w.Code != 200 {
				t.Fatalf("first redemption: %d %s", w.Code, w.Body)
			}
			first := decode(t, w)
			w = postForm(e, "/oauth/v3/token", codeForm(code))
			if m := decode(t, w); w.Code != 400 || m["status"] != "BAD_AUTH_CODE" {
				t.Fatalf("second redemption: %d %v; want 400 BAD_AUTH_CODE", w.Code, m)
			}
			wantAPI, wantRefresh := 200, 200
			if revoke {
				wantAPI, wantRefresh = 401, 400
			}
			if w := do(e, bearer("/account-info/v3/details", first["access_token"].(string))); w.Code != wantAPI {
				t.Errorf("access token of the first redemption after replay: %d; want %d", w.Code, wantAPI)
			}
			if w := postForm(e, "/oauth/v3/token", refreshForm(first["refresh_token"].(string))); w.Code != wantRefresh {
				t.Errorf("refresh token of the first redemption after replay: %d; want %d", w.Code, wantRefresh)
			}
		})
	}
}

func TestCodeOfAnotherApp(t *testing.T) {
	e, _ := newTest(t)
	other, err := e.AddApp(App{Name: "other", RedirectURLs: []string{testRedirect}, RequiredScopes: []string{"oauth"}})
	if err != nil {
		t.Fatal(err)
	}
	code := issue(t, e)
	f := codeForm(code)
	f.Set("client_id", other.ClientID)
	f.Set("client_secret", other.ClientSecret)
	w := postForm(e, "/oauth/v3/token", f)
	if m := decode(t, w); w.Code != 400 || m["status"] != "BAD_AUTH_CODE" {
		t.Fatalf("code of another app: %d %v; want BAD_AUTH_CODE", w.Code, m)
	}
	// The rightful app can still redeem it.
	if w := postForm(e, "/oauth/v3/token", codeForm(code)); w.Code != 200 {
		t.Fatalf("rightful redemption after a foreign attempt: %d %s", w.Code, w.Body)
	}
}

func TestMismatchDoesNotConsumeCode(t *testing.T) {
	e, _ := newTest(t)
	code := issue(t, e)
	f := codeForm(code)
	f.Set("redirect_uri", "https://app.example.com/install")
	if w := postForm(e, "/oauth/v3/token", f); w.Code != 400 {
		t.Fatalf("mismatch: %d", w.Code)
	}
	if w := postForm(e, "/oauth/v3/token", codeForm(code)); w.Code != 200 {
		t.Fatalf("redemption after a mismatch: %d %s; want 200", w.Code, w.Body)
	}
}

func TestMethodNotAllowedAndNotFound(t *testing.T) {
	e, _ := newTest(t)
	w := do(e, httptest.NewRequest(http.MethodGet, "/oauth/v3/token", nil))
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "POST" {
		t.Errorf("GET token: %d Allow %q; want 405 Allow POST", w.Code, w.Header().Get("Allow"))
	}
	if m := decode(t, w); m["status"] != "error" || m["correlationId"] == "" || m["category"] == "" {
		t.Errorf("405 body %v; want HubSpot's error shape", m)
	}
	w = do(e, httptest.NewRequest(http.MethodGet, "/nope", nil))
	if w.Code != http.StatusNotFound {
		t.Errorf("unknown route: %d; want 404", w.Code)
	}
	if m := decode(t, w); m["status"] != "error" || m["message"] == "" {
		t.Errorf("404 body %v; want HubSpot's error shape", m)
	}
}
