package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func TestAccessTokenInfo(t *testing.T) {
	e, clk := newTest(t)
	tok := exchange(t, e)
	hub := defaultHub(t, e)
	p, _ := e.Portal(hub)
	app, _ := e.App(testClientID)
	clk.Advance(46 * time.Second)
	w := do(e, httptest.NewRequest(http.MethodGet, "/oauth/v1/access-tokens/"+tok["access_token"].(string), nil))
	if w.Code != 200 {
		t.Fatalf("status %d body %s", w.Code, w.Body)
	}
	m := decode(t, w)
	want := map[string]any{
		"token": tok["access_token"], "user": p.UserEmail, "hub_domain": p.Domain,
		"hub_id": float64(hub), "app_id": float64(app.ID), "expires_in": float64(1754),
		"user_id": float64(p.UserID), "token_type": "access",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v; want %v", k, m[k], v)
		}
	}
	if s, _ := m["scopes"].([]any); len(s) != 2 {
		t.Errorf("scopes %v; want 2", m["scopes"])
	}
	if sat, _ := m["signed_access_token"].(map[string]any); sat["hubId"] != float64(hub) || sat["hublet"] != "na1" {
		t.Errorf("signed_access_token %v; want hubId %d, hublet na1", sat, hub)
	}

	clk.Advance(30 * time.Minute)
	w = do(e, httptest.NewRequest(http.MethodGet, "/oauth/v1/access-tokens/"+tok["access_token"].(string), nil))
	if m := decode(t, w); w.Code != 400 || m["status"] != "BAD_ACCESS_TOKEN" {
		t.Errorf("expired token: %d %v; want 400 BAD_ACCESS_TOKEN", w.Code, m)
	}
	w = do(e, httptest.NewRequest(http.MethodGet, "/oauth/v1/access-tokens/bogus", nil))
	if w.Code != 400 {
		t.Errorf("unknown token: %d; want 400", w.Code)
	}
}

func TestRefreshTokenInfoAndDelete(t *testing.T) {
	e, _ := newTest(t)
	tok := exchange(t, e)
	rt := tok["refresh_token"].(string)
	hub := defaultHub(t, e)
	p, _ := e.Portal(hub)
	w := do(e, httptest.NewRequest(http.MethodGet, "/oauth/v1/refresh-tokens/"+rt, nil))
	if w.Code != 200 {
		t.Fatalf("status %d body %s", w.Code, w.Body)
	}
	m := decode(t, w)
	want := map[string]any{
		"token": rt, "user": p.UserEmail, "hub_domain": p.Domain, "hub_id": float64(hub),
		"client_id": testClientID, "user_id": float64(p.UserID), "token_type": "refresh",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v; want %v", k, m[k], v)
		}
	}

	w = do(e, httptest.NewRequest(http.MethodDelete, "/oauth/v1/refresh-tokens/"+rt, nil))
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 {
		t.Fatalf("DELETE: %d %q; want 204 and no body", w.Code, w.Body)
	}
	if w := postForm(e, "/oauth/v3/token", refreshForm(rt)); w.Code != 400 || decode(t, w)["status"] != "BAD_REFRESH_TOKEN" {
		t.Errorf("refresh after DELETE: %d %s; want BAD_REFRESH_TOKEN", w.Code, w.Body)
	}
	// "Access tokens generated with the refresh token will not be deleted."
	if w := do(e, bearer("/account-info/v3/details", tok["access_token"].(string))); w.Code != 200 {
		t.Errorf("access token after refresh-token DELETE: %d; want 200", w.Code)
	}
	if w := do(e, httptest.NewRequest(http.MethodDelete, "/oauth/v1/refresh-tokens/"+rt, nil)); w.Code != 400 {
		t.Errorf("second DELETE: %d; want 400", w.Code)
	}
	if w := do(e, httptest.NewRequest(http.MethodGet, "/oauth/v1/refresh-tokens/"+rt, nil)); w.Code != 400 {
		t.Errorf("GET after DELETE: %d; want 400", w.Code)
	}
}

func TestIntrospect(t *testing.T) {
	e, _ := newTest(t)
	tok := exchange(t, e)
	at, rt := tok["access_token"].(string), tok["refresh_token"].(string)
	app, _ := e.App(testClientID)
	creds := func(extra url.Values) url.Values {
		f := url.Values{"client_id": {testClientID}, "client_secret": {testSecret}}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	cases := []struct {
		name     string
		path     string
		form     url.Values
		active   bool
		tokenUse string
	}{
		{"access by token", "/oauth/v3/token/introspect", creds(url.Values{"token": {at}, "token_type_hint": {"access_token"}}), true, "access_token"},
		{"access without hint", "/oauth/2026-03/token/introspect", creds(url.Values{"token": {at}}), true, "access_token"},
		{"refresh by token", "/oauth/2026-09/token/introspect", creds(url.Values{"token": {rt}, "token_type_hint": {"refresh_token"}}), true, "refresh_token"},
		{"refresh by guide's field name", "/oauth/v3/token/introspect", creds(url.Values{"refresh_token": {rt}, "token_type_hint": {"refresh_token"}}), true, "refresh_token"},
		{"access by guide's field name", "/oauth/v3/token/introspect", creds(url.Values{"access_token": {at}}), true, "access_token"},
		{"unknown token", "/oauth/v3/token/introspect", creds(url.Values{"token": {"nope"}}), false, ""},
		{"refresh with access hint (RFC 7662 §2.1: found all the same)", "/oauth/v3/token/introspect", creds(url.Values{"token": {rt}, "token_type_hint": {"access_token"}}), true, "refresh_token"},
		{"access with refresh hint", "/oauth/v3/token/introspect", creds(url.Values{"token": {at}, "token_type_hint": {"refresh_token"}}), true, "access_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := postForm(e, c.path, c.form)
			if w.Code != 200 {
				t.Fatalf("status %d body %s", w.Code, w.Body)
			}
			m := decode(t, w)
			if m["active"] != c.active {
				t.Fatalf("active %v; want %v (%v)", m["active"], c.active, m)
			}
			if !c.active {
				if len(m) != 1 {
					t.Errorf("inactive answer %v; want only active", m)
				}
				return
			}
			if m["token_use"] != c.tokenUse || m["client_id"] != testClientID || m["app_id"] != float64(app.ID) ||
				m["hub_id"] != tok["hub_id"] || m["token_type"] != "Bearer" || m["user"] == nil || m["user_id"] == nil {
				t.Errorf("got %v", m)
			}
			if c.tokenUse == "access_token" && (m["expires_in"] != float64(1800) || m["is_private_distribution"] != false) {
				t.Errorf("access token fields: %v", m)
			}
			if c.tokenUse == "refresh_token" {
				if _, ok := m["expires_in"]; ok {
					t.Errorf("refresh token introspection has expires_in: %v", m)
				}
			}
		})
	}
	errCases := []struct {
		name   string
		req    *http.Request
		status string
	}{
		{"bad client", formReq("/oauth/v3/token/introspect", url.Values{"client_id": {"x"}, "token": {at}}), "BAD_CLIENT_ID"},
		{"bad secret", formReq("/oauth/v3/token/introspect", url.Values{"client_id": {testClientID}, "client_secret": {"x"}, "token": {at}}), "BAD_CLIENT_SECRET"},
		{"no token", formReq("/oauth/v3/token/introspect", creds(nil)), "BAD_REQUEST"},
		{"query", formReq("/oauth/v3/token/introspect?token="+at, creds(nil)), "BAD_REQUEST"},
	}
	for _, c := range errCases {
		t.Run(c.name, func(t *testing.T) {
			w := do(e, c.req)
			if m := decode(t, w); w.Code != 400 || m["status"] != c.status {
				t.Errorf("%d %v; want 400 %s", w.Code, m, c.status)
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	e, _ := newTest(t)
	tok := exchange(t, e)
	at, rt := tok["access_token"].(string), tok["refresh_token"].(string)
	form := func(token string) url.Values {
		return url.Values{"client_id": {testClientID}, "client_secret": {testSecret}, "token": {token}}
	}
	if w := postForm(e, "/oauth/v3/token/revoke", form(rt)); w.Code != 200 {
		t.Fatalf("revoke refresh: %d %s", w.Code, w.Body)
	}
	if w := postForm(e, "/oauth/v3/token", refreshForm(rt)); w.Code != 400 {
		t.Errorf("refresh after revoke: %d; want 400", w.Code)
	}
	if w := do(e, bearer("/account-info/v3/details", at)); w.Code != 200 {
		t.Errorf("access token after refresh revoke: %d; want 200", w.Code)
	}
	if w := postForm(e, "/oauth/2026-03/token/revoke", form(at)); w.Code != 200 {
		t.Fatalf("revoke access: %d %s", w.Code, w.Body)
	}
	if w := do(e, bearer("/account-info/v3/details", at)); w.Code != 401 {
		t.Errorf("access token after its revoke: %d; want 401", w.Code)
	}
	if w := postForm(e, "/oauth/2026-09/token/revoke", form("unknown")); w.Code != 200 {
		t.Errorf("revoke unknown: %d; want 200 (RFC 7009 §2.2)", w.Code)
	}
	bad := form(at)
	bad.Set("client_secret", "wrong")
	if w := postForm(e, "/oauth/v3/token/revoke", bad); w.Code != 400 || decode(t, w)["status"] != "BAD_CLIENT_SECRET" {
		t.Errorf("revoke with a wrong secret: %d %s; want BAD_CLIENT_SECRET", w.Code, w.Body)
	}
}

// TestTokenMetadataSpec: the fields the spec requires, and HubSpot's answer to a malformed token.
func TestTokenMetadataSpec(t *testing.T) {
	e, _ := newTest(t)
	at := exchange(t, e)["access_token"].(string)
	m := decode(t, do(e, httptest.NewRequest(http.MethodGet, "/oauth/v1/access-tokens/"+at, nil)))
	if m["is_private_distribution"] != false {
		t.Errorf("is_private_distribution = %v; want false", m["is_private_distribution"])
	}
	sat, _ := m["signed_access_token"].(map[string]any)
	for _, k := range []string{"appId", "appInstallId", "audience", "expiresAt", "hubId", "hublet", "installingUserId",
		"isPrivateDistribution", "isServiceAccount", "isUserLevel", "newSignature", "scopeToScopeGroupPks", "scopes",
		"signature", "trialScopeToScopeGroupPks", "trialScopes", "userId"} {
		if _, ok := sat[k]; !ok {
			t.Errorf("signed_access_token lacks %s: %v", k, sat)
		}
	}
	w := do(e, httptest.NewRequest(http.MethodGet, "/oauth/v1/access-tokens/pat-eu1-not-an-oauth-token", nil))
	m = decode(t, w)
	if w.Code != 400 || m["status"] != "error" || m["message"] != "The access token must have the correct format" || m["correlationId"] == nil || len(m) != 3 {
		t.Errorf("malformed token: %d %v; want HubSpot's {status, message, correlationId}", w.Code, m)
	}
}

// TestIntrospectClientCredentials: hub_id and user_id are required by the spec, so an app
// token's introspection carries them.
func TestIntrospectClientCredentials(t *testing.T) {
	e, _ := newTest(t)
	f := url.Values{"grant_type": {"client_credentials"}, "client_id": {testClientID}, "client_secret": {testSecret}}
	at := decode(t, postForm(e, "/oauth/v3/token", f))["access_token"].(string)
	m := decode(t, postForm(e, "/oauth/v3/token/introspect", url.Values{"client_id": {testClientID}, "client_secret": {testSecret}, "token": {at}}))
	for _, k := range []string{"active", "app_id", "client_id", "expires_in", "hub_id", "is_private_distribution", "scopes", "signed_access_token", "token", "token_type", "token_use", "user_id"} {
		if _, ok := m[k]; !ok {
			t.Errorf("introspection of an app token lacks %s: %v", k, m)
		}
	}
}

// TestRevoke2026_03: DELETE /oauth/v1/refresh-tokens/{token} is replaced by POST
// /oauth/2026-03/token/revoke (changelog v1-oauth-api-deprecation).
func TestRevoke2026_03(t *testing.T) {
	e, _ := newTest(t)
	rt := exchange(t, e)["refresh_token"].(string)
	if w := postForm(e, "/oauth/2026-03/token/revoke", url.Values{"client_id": {testClientID}, "client_secret": {testSecret}, "token": {rt}}); w.Code != 200 {
		t.Fatalf("revoke: %d %s", w.Code, w.Body)
	}
	if w := postForm(e, "/oauth/2026-03/token", refreshForm(rt)); w.Code != 400 {
		t.Errorf("refresh after revoke: %d; want 400", w.Code)
	}
}
