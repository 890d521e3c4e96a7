package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestSwitchesDefaults(t *testing.T) {
	e, _ := newTest(t)
	for _, s := range e.Switches() {
		if s.On != s.Default || s.Name == "" || s.Doc == "" {
			t.Errorf("switch %+v: a zero Config must give the default", s)
		}
	}
	all := Choices{RevokeOnCodeReuse: true, RefuseBasicAuth: true, RefuseQueryOnV1: true, RefuseLowercaseBearer: true}
	for _, s := range all.Switches() {
		if s.On == s.Default {
			t.Errorf("switch %s: setting its Choices field must flip it", s.Name)
		}
	}
}

func TestBasicAuthSwitch(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		e, _ := newTest(t, func(c *Config) { c.Choices.RefuseBasicAuth = refuse })
		f := codeForm(issue(t, e))
		f.Del("client_id")
		f.Del("client_secret")
		req := httptest.NewRequest(http.MethodPost, "/oauth/v3/token", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(testClientID), url.QueryEscape(testSecret))
		w := do(e, req)
		want := 200
		if refuse {
			want = 400
		}
		if w.Code != want {
			t.Errorf("refuse=%v: HTTP Basic client auth: %d %s; want %d", refuse, w.Code, w.Body, want)
		}
	}
	// Two different clients in one request are refused.
	e, _ := newTest(t)
	f := codeForm(issue(t, e))
	req := httptest.NewRequest(http.MethodPost, "/oauth/v3/token", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("someone-else", "x")
	if w := do(e, req); w.Code != 400 {
		t.Errorf("Basic and body naming different clients: %d; want 400", w.Code)
	}
}

func TestQueryOnV1Switch(t *testing.T) {
	e, _ := newTest(t, func(c *Config) { c.Choices.RefuseQueryOnV1 = true })
	req := httptest.NewRequest(http.MethodPost, "/oauth/v1/token?"+codeForm(issue(t, e)).Encode(), strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if w := do(e, req); w.Code != 400 {
		t.Errorf("v1 with query parameters and RefuseQueryOnV1: %d; want 400", w.Code)
	}
}

func TestLowercaseBearerSwitch(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		e, _ := newTest(t, func(c *Config) { c.Choices.RefuseLowercaseBearer = refuse })
		at := exchange(t, e)["access_token"].(string)
		req := httptest.NewRequest(http.MethodGet, "/account-info/v3/details", nil)
		req.Header.Set("Authorization", "bearer "+at)
		want := 200
		if refuse {
			want = 401
		}
		if w := do(e, req); w.Code != want {
			t.Errorf("refuse=%v: lower-case bearer: %d; want %d", refuse, w.Code, want)
		}
	}
}

func TestGrantsPerVersion(t *testing.T) {
	e, _ := newTest(t)
	f := url.Values{"grant_type": {"client_credentials"}, "client_id": {testClientID}, "client_secret": {testSecret}}
	if w := postForm(e, "/oauth/2026-09/token", f); w.Code != 400 || decode(t, w)["status"] != "BAD_GRANT_TYPE" {
		t.Errorf("client_credentials on 2026-09: %d; want 400 BAD_GRANT_TYPE", w.Code)
	}
	if w := postForm(e, "/oauth/2026-03/token", f); w.Code != 200 {
		t.Errorf("client_credentials on 2026-03: %d %s; want 200", w.Code, w.Body)
	}
	if w := postForm(e, "/oauth/2026-09/token", codeForm(issue(t, e))); w.Code != 200 {
		t.Errorf("authorization_code on 2026-09: %d %s; want 200", w.Code, w.Body)
	}
}

func TestChoicesSet(t *testing.T) {
	var c Choices
	for _, sw := range c.Switches() {
		if err := c.Set(sw.Name, !sw.Default); err != nil {
			t.Fatalf("Set(%q): %v", sw.Name, err)
		}
	}
	for _, sw := range c.Switches() {
		if sw.On == sw.Default {
			t.Errorf("switch %s is %v after Set(%v)", sw.Name, sw.On, !sw.Default)
		}
	}
	if err := c.Set("no-such-switch", true); err == nil || !strings.Contains(err.Error(), "revoke-on-code-reuse") {
		t.Errorf("Set(unknown) = %v; want an error listing the switches", err)
	}
}
