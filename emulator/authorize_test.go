package emulator

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

func authorizeURL(path string, params url.Values) string {
	return path + "?" + strings.ReplaceAll(params.Encode(), "+", "%20")
}

func authzParams(scope, optional string) url.Values {
	v := url.Values{"client_id": {testClientID}, "redirect_uri": {testRedirect}, "scope": {scope}, "state": {"st-123"}}
	if optional != "" {
		v.Set("optional_scope", optional)
	}
	return v
}

// TestScopeRules follows the KB page's cases, through IssueCode and through /oauth/authorize.
func TestScopeRules(t *testing.T) {
	cases := []struct {
		name     string
		scope    string
		optional string
		portal   []string // nil: every scope
		text     string   // "" = success
		granted  []string
	}{
		{"required only", "oauth crm.objects.contacts.read", "", nil, "", []string{"oauth", "crm.objects.contacts.read"}},
		{
			"with conditional and optional", "oauth crm.objects.contacts.read crm.objects.companies.read", "crm.objects.deals.read", nil, "",
			[]string{"oauth", "crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.deals.read"},
		},
		{
			"optional dropped when the portal lacks it", "oauth crm.objects.contacts.read", "crm.objects.deals.read",
			[]string{"crm.objects.contacts.read"},
			"",
			[]string{"oauth", "crm.objects.contacts.read"},
		},
		{"required scope missing", "oauth", "", nil, TextScopesInsufficient, nil},
		{"required scope in optional_scope", "oauth", "crm.objects.contacts.read", nil, TextScopesInsufficient, nil},
		{"unconfigured scope in scope", "oauth crm.objects.contacts.read tickets", "", nil, TextScopesMismatch, nil},
		{"unconfigured scope in optional_scope", "oauth crm.objects.contacts.read", "tickets", nil, TextScopesMismatch, nil},
		{"unknown scope name", "oauth crm.objects.contacts.read crm.objects.nope.read", "", nil, hubspot.TextInvalidScopeName, nil},
		{"unknown optional scope name", "oauth crm.objects.contacts.read", "nope", nil, hubspot.TextInvalidScopeName, nil},
		{"conditional scope in optional_scope", "oauth crm.objects.contacts.read", "crm.objects.companies.read", nil, TextScopesMismatch, nil},
		{"optional scope in scope", "oauth crm.objects.contacts.read crm.objects.deals.read", "", nil, TextScopesMismatch, nil},
		{
			"conditional scope the portal lacks", "oauth crm.objects.contacts.read crm.objects.companies.read", "",
			[]string{"crm.objects.contacts.read"},
			hubspot.TextAccountLacksFeatures, nil,
		},
		{"required scope the portal lacks", "oauth crm.objects.contacts.read", "", []string{"crm.objects.deals.read"}, hubspot.TextAccountLacksFeatures, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _ := newTest(t, func(cfg *Config) { cfg.Portals = []Portal{{HubID: 42, Scopes: c.portal}} })
			code, err := e.IssueCode(CodeRequest{
				ClientID: testClientID, HubID: 42, RedirectURI: testRedirect,
				Scopes: splitScopes(c.scope), OptionalScopes: splitScopes(c.optional),
			})
			var serr *ScopeError
			if c.text != "" {
				if !errors.As(err, &serr) || serr.Text != c.text || serr.Detail == "" {
					t.Fatalf("IssueCode error %v; want ScopeError %q with a detail", err, c.text)
				}
			} else {
				if err != nil {
					t.Fatalf("IssueCode: %v", err)
				}
				w := postForm(e, "/oauth/v3/token", codeForm(code))
				got, _ := decode(t, w)["scopes"].([]any)
				if len(got) != len(c.granted) {
					t.Fatalf("granted %v; want %v", got, c.granted)
				}
				for i := range got {
					if got[i] != c.granted[i] {
						t.Errorf("granted %v; want %v", got, c.granted)
					}
				}
			}
			// The same through the web side, for the one portal.
			w := do(e, httptest.NewRequest(http.MethodGet, authorizeURL("/oauth/42/authorize", authzParams(c.scope, c.optional)), nil))
			if c.text == "" {
				if w.Code != 200 || !strings.Contains(w.Body.String(), `id="hsemu-consent"`) {
					t.Errorf("authorize: %d; want the consent page (the path names the account)", w.Code)
				}
				for _, s := range c.granted {
					if !strings.Contains(w.Body.String(), "<code>"+s+"</code>") {
						t.Errorf("consent page does not list granted scope %s", s)
					}
				}
				if c.portal != nil && c.optional != "" && len(c.granted) < 3 && strings.Contains(w.Body.String(), "<code>"+c.optional+"</code>") {
					t.Errorf("consent page lists optional scope %s the account lacks", c.optional)
				}
				return
			}
			if w.Code != 400 || !strings.Contains(w.Body.String(), htmlEscape(c.text)) {
				t.Errorf("authorize: %d %s; want 400 and HubSpot's text %q", w.Code, w.Body, c.text)
			}
			if w.Header().Get("Location") != "" {
				t.Errorf("authorize error redirected to %q; HubSpot shows the error on its own page", w.Header().Get("Location"))
			}
		})
	}
}

func htmlEscape(s string) string { return strings.ReplaceAll(s, "'", "&#39;") }

func TestAuthorizeRequestErrors(t *testing.T) {
	cases := []struct {
		name    string
		path    string
		params  func(url.Values)
		outcome string
	}{
		{"unknown client", "/oauth/authorize", func(v url.Values) { v.Set("client_id", "nope") }, "BAD_CLIENT_ID"},
		{"missing client", "/oauth/authorize", func(v url.Values) { v.Del("client_id") }, "BAD_CLIENT_ID"},
		{"missing redirect", "/oauth/authorize", func(v url.Values) { v.Del("redirect_uri") }, "BAD_REDIRECT_URI"},
		{"unregistered redirect", "/oauth/authorize", func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") }, "BAD_REDIRECT_URI"},
		{"http non-localhost redirect", "/oauth/authorize", func(v url.Values) { v.Set("redirect_uri", "http://app.example.com/install") }, "BAD_REDIRECT_URI"},
		{"IP literal redirect", "/oauth/authorize", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:3000/oauth-callback") }, "BAD_REDIRECT_URI"},
		{"duplicate client_id", "/oauth/authorize", func(v url.Values) { v.Add("client_id", testClientID) }, "BAD_REQUEST"},
		{"unknown hub", "/oauth/99/authorize", func(v url.Values) {}, "BAD_HUB"},
		{"non-numeric hub", "/oauth/abc/authorize", func(v url.Values) {}, "BAD_HUB"},
		{"missing scope", "/oauth/authorize", func(v url.Values) { v.Del("scope") }, "SCOPES_INSUFFICIENT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _ := newTest(t)
			v := authzParams("oauth crm.objects.contacts.read", "")
			c.params(v)
			w := do(e, httptest.NewRequest(http.MethodGet, authorizeURL(c.path, v), nil))
			if w.Code != 400 || w.Header().Get("X-Hsemu-Error") != c.outcome || w.Header().Get("Location") != "" {
				t.Errorf("%d outcome %q location %q; want 400 %s and no redirect", w.Code, w.Header().Get("X-Hsemu-Error"), w.Header().Get("Location"), c.outcome)
			}
			if !strings.Contains(w.Body.String(), `name="hsemu-error" content="`+c.outcome+`"`) {
				t.Errorf("page lacks the hsemu-error meta tag for %s", c.outcome)
			}
		})
	}
}

func TestConsentFlow(t *testing.T) {
	e, _ := newTest(t, func(cfg *Config) {
		cfg.Portals = []Portal{{HubID: 7, Scopes: []string{"crm.objects.deals.read"}}, {HubID: 8}}
	})
	v := authzParams("oauth crm.objects.contacts.read", "crm.objects.deals.read")
	v.Set("state", `"><script>x</script>`)
	w := do(e, httptest.NewRequest(http.MethodGet, authorizeURL("/oauth/authorize", v), nil))
	if w.Code != 200 {
		t.Fatalf("consent page: %d %s", w.Code, w.Body)
	}
	page := w.Body.String()
	if strings.Contains(page, "<script>x") {
		t.Fatal("consent page echoes state unescaped")
	}
	if !strings.Contains(page, `value="7" disabled`) || !strings.Contains(page, `value="8" checked`) {
		t.Errorf("picker: want portal 7 disabled (lacks contacts) and 8 checked:\n%s", page)
	}

	// Grant.
	form := url.Values{
		"client_id": {testClientID}, "redirect_uri": {testRedirect}, "scope": {v.Get("scope")},
		"optional_scope": {v.Get("optional_scope")}, "state": {v.Get("state")}, "hub_id": {"8"}, "action": {"grant"},
	}
	w = postForm(e, "/oauth/authorize", form)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("grant: %d %s; want 303", w.Code, w.Body)
	}
	loc, err := url.Parse(w.Header().Get("Location"))
	if err != nil || loc.Scheme+"://"+loc.Host+loc.Path != testRedirect {
		t.Fatalf("Location %q; want %s?code=…", w.Header().Get("Location"), testRedirect)
	}
	if loc.Query().Get("state") != v.Get("state") || !hubletShape.MatchString(loc.Query().Get("code")) {
		t.Errorf("Location query %v; want the state back and a code", loc.Query())
	}
	tok := decode(t, postForm(e, "/oauth/v3/token", codeForm(loc.Query().Get("code"))))
	if tok["hub_id"] != float64(8) || len(tok["scopes"].([]any)) != 3 {
		t.Errorf("token %v; want hub 8 with the optional scope granted", tok)
	}

	// Picking an ineligible portal fails with HubSpot's text.
	form.Set("hub_id", "7")
	if w := postForm(e, "/oauth/authorize", form); w.Code != 400 || !strings.Contains(w.Body.String(), htmlEscape(hubspot.TextAccountLacksFeatures)) {
		t.Errorf("grant for portal 7: %d; want 400 and HubSpot's text for an account lacking a tool", w.Code)
	}

	// Cancel sends nothing back.
	form.Set("action", "deny")
	if w := postForm(e, "/oauth/authorize", form); w.Code != 200 || w.Header().Get("Location") != "" {
		t.Errorf("deny: %d Location %q; want 200 and no redirect", w.Code, w.Header().Get("Location"))
	}
}

func TestAutoApprove(t *testing.T) {
	e, _ := newTest(t, func(cfg *Config) { cfg.AutoApprove = true })
	hub := defaultHub(t, e)
	redirect := "https://app.example.com/install"
	v := authzParams("oauth crm.objects.contacts.read", "")
	v.Set("redirect_uri", redirect)
	for _, path := range []string{"/oauth/authorize", "/oauth/" + strconv.FormatInt(hub, 10) + "/authorize"} {
		w := do(e, httptest.NewRequest(http.MethodGet, authorizeURL(path, v), nil))
		if w.Code != http.StatusFound {
			t.Fatalf("%s: %d %s; want 302", path, w.Code, w.Body)
		}
		loc, _ := url.Parse(w.Header().Get("Location"))
		if !strings.HasPrefix(loc.String(), redirect+"?code=") || loc.Query().Get("state") != "st-123" {
			t.Errorf("%s: Location %q", path, loc)
		}
	}
	// Without state there is no state parameter.
	v.Del("state")
	w := do(e, httptest.NewRequest(http.MethodGet, authorizeURL("/oauth/authorize", v), nil))
	if loc, _ := url.Parse(w.Header().Get("Location")); loc.Query().Has("state") {
		t.Errorf("Location %q has state; the request had none", loc)
	}
}

func TestIssueCodeErrors(t *testing.T) {
	e, _ := newTest(t)
	hub := defaultHub(t, e)
	ok := CodeRequest{ClientID: testClientID, HubID: hub, RedirectURI: testRedirect, Scopes: []string{"oauth", "crm.objects.contacts.read"}}
	cases := []struct {
		name string
		mod  func(*CodeRequest)
		want error
	}{
		{"unknown client", func(r *CodeRequest) { r.ClientID = "x" }, ErrUnknownClient},
		{"unknown portal", func(r *CodeRequest) { r.HubID = 1 }, ErrUnknownPortal},
		{"unregistered redirect", func(r *CodeRequest) { r.RedirectURI = "https://x.example/" }, ErrRedirectURI},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ok
			c.mod(&r)
			if _, err := e.IssueCode(r); !errors.Is(err, c.want) {
				t.Errorf("error %v; want %v", err, c.want)
			}
		})
	}
}

// TestTwoSteps: choose account → consent (listing only what the account grants) → redirect.
func TestTwoSteps(t *testing.T) {
	e, _ := newTest(t, func(cfg *Config) {
		cfg.Portals = []Portal{{HubID: 7, Scopes: []string{"crm.objects.contacts.read"}}, {HubID: 8}}
	})
	v := authzParams("oauth crm.objects.contacts.read", "crm.objects.deals.read")
	w := do(e, httptest.NewRequest(http.MethodGet, authorizeURL("/oauth/authorize", v), nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `id="hsemu-choose"`) || strings.Contains(w.Body.String(), `id="hsemu-consent"`) {
		t.Fatalf("GET: %d; want the account chooser alone:\n%s", w.Code, w.Body)
	}
	form := url.Values{
		"client_id": {testClientID}, "redirect_uri": {testRedirect}, "scope": {v.Get("scope")},
		"optional_scope": {v.Get("optional_scope")}, "state": {v.Get("state")}, "hub_id": {"7"}, "action": {"choose"},
	}
	w = postForm(e, "/oauth/authorize", form)
	page := w.Body.String()
	if w.Code != 200 || !strings.Contains(page, `id="hsemu-consent"`) || w.Header().Get("Location") != "" {
		t.Fatalf("choose: %d; want the consent page:\n%s", w.Code, page)
	}
	if !strings.Contains(page, "<code>crm.objects.contacts.read</code>") || strings.Contains(page, "<code>crm.objects.deals.read</code>") {
		t.Errorf("consent page for account 7 must list contacts and not the optional deals scope it lacks:\n%s", page)
	}
	if !strings.Contains(page, `name="hub_id" value="7"`) {
		t.Errorf("consent page does not carry the chosen account")
	}
	form.Set("action", "grant")
	w = postForm(e, "/oauth/authorize", form)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), testRedirect+"?code=") {
		t.Fatalf("grant: %d Location %q; want 303 to the redirect URI", w.Code, w.Header().Get("Location"))
	}
}

// TestAuthorizePageTexts: the page shows HubSpot's words.
func TestAuthorizePageTexts(t *testing.T) {
	cases := []struct {
		name   string
		params func(url.Values)
		text   string
	}{
		{"unknown client", func(v url.Values) { v.Set("client_id", "nope") }, hubspot.TextInvalidClientID},
		{"unregistered redirect", func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") },
			hubspot.TextRedirectNotRegistered("https://evil.example/cb")},
		{"unknown scope", func(v url.Values) { v.Set("scope", "oauth crm.objects.contacts.read contacts.raed") }, hubspot.TextInvalidScopeName},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _ := newTest(t)
			v := authzParams("oauth crm.objects.contacts.read", "")
			c.params(v)
			w := do(e, httptest.NewRequest(http.MethodGet, authorizeURL("/oauth/authorize", v), nil))
			if w.Code != 400 || !strings.Contains(w.Body.String(), htmlEscape(c.text)) || !strings.Contains(w.Body.String(), hubspot.TextConnectionFailed) {
				t.Errorf("%d %s; want 400 and %q", w.Code, w.Body, c.text)
			}
		})
	}
}

// TestHublets: an account on each hublet gets codes and refresh tokens with its prefix, and its
// consent page on its app host when the browser came by one of HubSpot's app hosts.
func TestHublets(t *testing.T) {
	var portals []Portal
	for i, h := range hubspot.Hublets {
		portals = append(portals, Portal{HubID: int64(100 + i), Hublet: h})
	}
	e, _ := newTest(t, func(cfg *Config) { cfg.Portals = portals })
	for _, p := range portals {
		t.Run(p.Hublet, func(t *testing.T) {
			v := authzParams("oauth crm.objects.contacts.read", "")
			form := url.Values{}
			for k, vs := range v {
				form[k] = vs
			}
			form.Set("hub_id", strconv.FormatInt(p.HubID, 10))
			form.Set("action", "choose")
			req := httptest.NewRequest(http.MethodPost, "https://app.hubspot.com/oauth/authorize", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := do(e, req)
			host := hubspot.AppHostOf(p.Hublet)
			if host == hubspot.WebHost {
				if w.Code != 200 || !strings.Contains(w.Body.String(), `id="hsemu-consent"`) {
					t.Errorf("choose on app.hubspot.com for na1: %d; want the consent page", w.Code)
				}
			} else {
				loc, _ := url.Parse(w.Header().Get("Location"))
				if w.Code != http.StatusSeeOther || loc == nil || loc.Host != host || loc.Path != "/oauth/"+strconv.FormatInt(p.HubID, 10)+"/authorize" || loc.Query().Get("client_id") != testClientID {
					t.Fatalf("choose for %s: %d Location %q; want 303 to https://%s/oauth/%d/authorize", p.Hublet, w.Code, w.Header().Get("Location"), host, p.HubID)
				}
				// There it is the consent page.
				w = do(e, httptest.NewRequest(http.MethodGet, loc.String(), nil))
				if w.Code != 200 || !strings.Contains(w.Body.String(), `id="hsemu-consent"`) {
					t.Errorf("consent on %s: %d; want the consent page", host, w.Code)
				}
			}
			code, err := e.IssueCode(CodeRequest{ClientID: testClientID, HubID: p.HubID, RedirectURI: testRedirect, Scopes: []string{"oauth", "crm.objects.contacts.read"}})
			if err != nil || !strings.HasPrefix(code, p.Hublet+"-") {
				t.Fatalf("code %q, %v; want the prefix %s-", code, err, p.Hublet)
			}
			tok := decode(t, postForm(e, "/oauth/v3/token", codeForm(code)))
			if rt, _ := tok["refresh_token"].(string); !strings.HasPrefix(rt, p.Hublet+"-") {
				t.Errorf("refresh token %q; want the prefix %s-", rt, p.Hublet)
			}
			m := decode(t, do(e, httptest.NewRequest(http.MethodGet, "/oauth/v1/access-tokens/"+tok["access_token"].(string), nil)))
			if sat, _ := m["signed_access_token"].(map[string]any); sat["hublet"] != p.Hublet {
				t.Errorf("signed_access_token.hublet = %v; want %s", sat["hublet"], p.Hublet)
			}
		})
	}
}
