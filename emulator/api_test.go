package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func TestAPI(t *testing.T) {
	e, clk := newTest(t)
	tok := exchange(t, e)
	at := tok["access_token"].(string)
	hub := defaultHub(t, e)

	w := do(e, bearer("/account-info/v3/details", at))
	if m := decode(t, w); w.Code != 200 || m["portalId"] != float64(hub) {
		t.Fatalf("account info: %d %v; want 200 portalId %d", w.Code, m, hub)
	}
	w = do(e, bearer("/crm/v3/objects/contacts?limit=2", at))
	if m := decode(t, w); w.Code != 200 || len(m["results"].([]any)) != 2 {
		t.Fatalf("contacts: %d %v; want 200 with 2 results", w.Code, m)
	}
	if w := do(e, bearer("/crm/v3/objects/contacts?limit=1000", at)); w.Code != 400 || decode(t, w)["category"] != "VALIDATION_ERROR" {
		t.Errorf("contacts limit 1000: %d %s; want 400 VALIDATION_ERROR", w.Code, w.Body)
	}

	cases := []struct {
		name     string
		path     string
		tok      string
		status   int
		category string
		message  string
	}{
		{"no token", "/account-info/v3/details", "", 401, "INVALID_AUTHENTICATION", msgNoCredentials},
		{"garbage token", "/crm/v3/objects/contacts", "thisisatesttoken", 401, "INVALID_AUTHENTICATION", msgNoCredentials},
		{"forged token", "/crm/v3/objects/contacts", at[:len(at)-2] + "AA", 401, "INVALID_AUTHENTICATION", msgNoCredentials},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := do(e, bearer(c.path, c.tok))
			m := decode(t, w)
			if w.Code != c.status || m["category"] != c.category || m["message"] != c.message || m["status"] != "error" {
				t.Errorf("%d %v; want %d %s %q", w.Code, m, c.status, c.category, c.message)
			}
			if m["correlationId"] == "" || w.Header().Get("X-HubSpot-Auth-Failure") != "401 Unauthorized" {
				t.Errorf("correlationId %v, X-HubSpot-Auth-Failure %q", m["correlationId"], w.Header().Get("X-HubSpot-Auth-Failure"))
			}
		})
	}

	t.Run("missing scope", func(t *testing.T) {
		other, err := e.AddApp(App{Name: "deals only", RedirectURLs: []string{testRedirect}, RequiredScopes: []string{"crm.objects.deals.read"}})
		if err != nil {
			t.Fatal(err)
		}
		code, err := e.IssueCode(CodeRequest{ClientID: other.ClientID, HubID: hub, RedirectURI: testRedirect, Scopes: []string{"crm.objects.deals.read"}})
		if err != nil {
			t.Fatal(err)
		}
		f := codeForm(code)
		f.Set("client_id", other.ClientID)
		f.Set("client_secret", other.ClientSecret)
		w := postForm(e, "/oauth/v3/token", f)
		if w.Code != 200 {
			t.Fatalf("exchange: %d %s", w.Code, w.Body)
		}
		w = do(e, bearer("/crm/v3/objects/contacts", decode(t, w)["access_token"].(string)))
		m := decode(t, w)
		if w.Code != http.StatusForbidden || m["category"] != "MISSING_SCOPES" || m["status"] != "error" {
			t.Fatalf("%d %v; want 403 MISSING_SCOPES", w.Code, m)
		}
		errs, _ := m["errors"].([]any)
		if len(errs) != 1 {
			t.Fatalf("errors %v; want one entry naming the scope", m["errors"])
		}
		ctx := errs[0].(map[string]any)["context"].(map[string]any)
		if s := ctx["requiredGranularScopes"].([]any); len(s) != 1 || s[0] != "crm.objects.contacts.read" {
			t.Errorf("requiredGranularScopes %v", s)
		}
	})

	t.Run("expired", func(t *testing.T) {
		clk.Advance(30*time.Minute + 5*time.Second)
		w := do(e, bearer("/account-info/v3/details", at))
		m := decode(t, w)
		if w.Code != 401 || m["category"] != "EXPIRED_AUTHENTICATION" ||
			m["message"] != "The OAuth token used to make this call expired 5 second(s) ago." {
			t.Fatalf("%d %v; want 401 EXPIRED_AUTHENTICATION, expired 5 second(s) ago", w.Code, m)
		}
		ctx, _ := m["context"].(map[string]any)
		if et, _ := ctx["expire time"].([]any); len(et) != 1 || et[0] != "2026-03-10T12:30:00.000Z" {
			t.Errorf("context %v; want expire time 2026-03-10T12:30:00.000Z", m["context"])
		}
	})
}

func TestRateLimitHeaders(t *testing.T) {
	e, _ := newTest(t)
	at := exchange(t, e)["access_token"].(string)
	for i, want := range []string{"109", "108"} {
		w := do(e, bearer("/account-info/v3/details", at))
		h := w.Header()
		if h.Get("X-HubSpot-RateLimit-Max") != "110" || h.Get("X-HubSpot-RateLimit-Interval-Milliseconds") != "10000" || h.Get("X-HubSpot-RateLimit-Remaining") != want {
			t.Errorf("call %d: headers %v; want max 110, interval 10000, remaining %s", i+1, h, want)
		}
		if h.Get("X-HubSpot-RateLimit-Daily") != "" {
			t.Errorf("daily header on an OAuth call: %v", h)
		}
	}
}

func TestContactsPaging(t *testing.T) {
	e, _ := newTest(t)
	at := exchange(t, e)["access_token"].(string)
	m := decode(t, do(e, bearer("/crm/v3/objects/contacts?limit=2", at)))
	if len(m["results"].([]any)) != 2 {
		t.Fatalf("first page %v; want 2 results", m)
	}
	next := m["paging"].(map[string]any)["next"].(map[string]any)
	after, _ := next["after"].(string)
	if after == "" || next["link"] != "?after="+url.QueryEscape(after) {
		t.Fatalf("paging %v; want next.after and next.link", m["paging"])
	}
	m = decode(t, do(e, bearer("/crm/v3/objects/contacts?limit=2&after="+url.QueryEscape(after), at)))
	if len(m["results"].([]any)) != 1 || m["paging"] != nil {
		t.Errorf("last page %v; want 1 result and no paging", m)
	}
	if w := do(e, bearer("/crm/v3/objects/contacts?after=%25%25", at)); w.Code != 400 {
		t.Errorf("bad cursor: %d; want 400", w.Code)
	}
}

func TestAuthServerMetadata(t *testing.T) {
	e, _ := newTest(t)
	m := decode(t, do(e, httptest.NewRequest(http.MethodGet, "https://app.hubspot.com/.well-known/oauth-authorization-server", nil)))
	if m["issuer"] != "https://app.hubspot.com" || m["authorization_endpoint"] != "https://app.hubspot.com/oauth/authorize" ||
		m["token_endpoint"] != "https://api.hubapi.com/oauth/v1/token" {
		t.Errorf("metadata under HubSpot's host: %v", m)
	}
	m = decode(t, do(e, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:7430/.well-known/oauth-authorization-server", nil)))
	if m["issuer"] != "http://127.0.0.1:7430" || m["token_endpoint"] != "http://127.0.0.1:7430/oauth/v1/token" {
		t.Errorf("metadata on a local host: %v", m)
	}
}
