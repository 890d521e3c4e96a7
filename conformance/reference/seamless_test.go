package reference

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSeamlessInstall(t *testing.T) {
	fx := newFixture(t, "", SeamlessPath)
	resp := fx.seamless("code-1")
	requireReturned(t, resp, testR2)
	requireFrameable(t, resp)
	if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q; want no-referrer (RFC 9700 §4.2.4)", got)
	}

	calls := fx.tokenRequests()
	if len(calls) != 1 {
		t.Fatalf("%d token requests; want 1", len(calls))
	}
	c := calls[0]
	if c.Method != http.MethodPost || c.Path != "/oauth/v3/token" || c.ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("token request %s %s (%s); want POST /oauth/v3/token (application/x-www-form-urlencoded)", c.Method, c.Path, c.ContentType)
	}
	// HubSpot answered 200, so client_secret was the app's too.
	if c.GrantType != "authorization_code" || c.ClientID != DemoClientID || c.RedirectURI != testPublicURL+SeamlessPath ||
		c.Code != fx.code("code-1") || c.Status != http.StatusOK {
		t.Errorf("token request %+v; want grant_type authorization_code, client_id %s, redirect_uri %s, the code, and 200",
			c, DemoClientID, testPublicURL+SeamlessPath)
	}

	ins := fx.srv.Installs()
	if len(ins) != 1 {
		t.Fatalf("%d installs; want 1", len(ins))
	}
	in := ins[0]
	if in.HubID != testHubID || in.Flow != FlowSeamless || in.UserID != "" || !in.At.Equal(fx.Now()) {
		t.Errorf("install %+v; want hub %d, flow seamless, no user, at %v", in, testHubID, fx.Now())
	}
	access, refresh := fx.tokens("code-1")
	if in.AccessTokenHint != tokenHint(access) || in.RefreshTokenHint != tokenHint(refresh) {
		t.Errorf("token hints %q, %q; want %q, %q (6 characters and the length)", in.AccessTokenHint, in.RefreshTokenHint,
			tokenHint(access), tokenHint(refresh))
	}
}

// TestSeamlessRedirectURIFromRequest covers an empty PublicURL: the install URL is the one the
// request came to.
func TestSeamlessRedirectURIFromRequest(t *testing.T) {
	for _, tls := range []bool{false, true} {
		fx := newFixture(t, "", SeamlessPath, func(c *Config) { c.PublicURL = "" })
		installURL := "http://localhost" + SeamlessPath // HubSpot takes http redirect URLs only on localhost
		if tls {
			installURL = "https://install.example.com" + SeamlessPath
		}
		req := httptest.NewRequest(http.MethodGet, installURL+"?step=finalize&code="+fx.issue(installURL)+"&returnUrl="+url.QueryEscape(testR2), nil)
		rec := httptest.NewRecorder()
		fx.srv.ServeHTTP(rec, req)
		requireReturned(t, rec.Result(), testR2)
		if calls := fx.tokenRequests(); len(calls) != 1 || calls[0].RedirectURI != installURL || calls[0].Status != http.StatusOK {
			t.Errorf("tls=%v: token requests %+v; want one with redirect_uri %s, redeemed", tls, calls, installURL)
		}
	}
}

func TestSeamlessMissingCode(t *testing.T) {
	fx := newFixture(t, "", SeamlessPath)
	requireReturned(t, fx.seamless(""), testR2)
	requireNoCalls(t, fx)
}

func TestSeamlessExchangeFails(t *testing.T) {
	for _, code := range []string{"fail-400", "fail-503", "not-json", "hang"} {
		t.Run(code, func(t *testing.T) {
			fx := newFixture(t, "", SeamlessPath, func(c *Config) { c.ExchangeTimeout = 20 * time.Millisecond })
			if code == "not-json" {
				fx.apiAnswersHTML()
				code = "code-1"
			}
			requireReturned(t, fx.seamless(code), testR2)
			if n := len(fx.srv.Installs()); n != 0 {
				t.Errorf("%d installs after a failed exchange; want 0", n)
			}
		})
	}
}

func TestSeamlessTokenEndpointDown(t *testing.T) {
	fx := newFixture(t, "", SeamlessPath)
	fx.api.Close() // connection refused
	requireReturned(t, fx.seamless("code-1"), testR2)
}

func TestSeamlessReload(t *testing.T) {
	fx := newFixture(t, "", SeamlessPath)
	requireReturned(t, fx.seamless("code-1"), testR2)
	requireReturned(t, fx.seamless("code-1"), testR2)
	if n := len(fx.tokenRequests()); n != 2 {
		t.Errorf("%d token requests; want 2 (the reload's is refused by HubSpot)", n)
	}
}

func TestSeamlessRefusesBadRequests(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  string // in the page
		back  bool   // the page links back to HubSpot
	}{
		{"no returnUrl", "step=finalize&code=c", "returnUrl is missing", false},
		{"empty returnUrl", "step=finalize&code=c&returnUrl=", "returnUrl is missing", false},
		{"evil host", "step=finalize&code=c&returnUrl=https://evil.example/x", "not HubSpot", false},
		{"look-alike host", "step=finalize&code=c&returnUrl=https://app.hubspot.com.evil.example/x", "not HubSpot", false},
		{"hubspot.com itself", "step=finalize&code=c&returnUrl=https://hubspot.com/x", "not HubSpot", false},
		{"scheme-relative", "step=finalize&code=c&returnUrl=//evil.example/x", "absolute", false},
		{"userinfo", "step=finalize&code=c&returnUrl=" + url.QueryEscape("https://app.hubspot.com@evil.example/"), "user information", false},
		{"javascript", "step=finalize&code=c&returnUrl=" + url.QueryEscape("javascript:alert(1)"), "absolute", false},
		{"http", "step=finalize&code=c&returnUrl=http://app.hubspot.com/x", "https", false},
		{"port", "step=finalize&code=c&returnUrl=https://app.hubspot.com:8443/x", "port", false},
		{"backslash", "step=finalize&code=c&returnUrl=" + url.QueryEscape(`https://app.hubspot.com\@evil.example`), "backslash", false},
		{"oversized", "step=finalize&code=c&returnUrl=https://app.hubspot.com/" + strings.Repeat("a", 8192), "bytes long", false},
		{"malformed query", "step=finalize&code=%zz&returnUrl=" + url.QueryEscape(testR2), "malformed", false},
		{"no step", "code=c&returnUrl=" + url.QueryEscape(testR2), "step parameter is missing", true},
		{"bogus step", "step=bogus&code=c&returnUrl=" + url.QueryEscape(testR2), "bogus", true},
		{"authorize step", "step=authorize&returnUrl=" + url.QueryEscape(testR2), "expects step=finalize", true},
		{"two codes", "step=finalize&code=a&code=b&returnUrl=" + url.QueryEscape(testR2), "given 2 times", true},
		{"two returnUrls", "step=finalize&code=a&returnUrl=" + url.QueryEscape(testR2) + "&returnUrl=" + url.QueryEscape(testR1), "given 2 times", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, "", SeamlessPath)
			resp := fx.getRaw(SeamlessPath + "?" + tt.query)
			page := body(t, resp)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d; want 400", resp.StatusCode)
			}
			if loc := resp.Header.Get("Location"); loc != "" {
				t.Errorf("Location %q; want no redirect", loc)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q; want text/html", ct)
			}
			requireFrameable(t, resp)
			if !strings.Contains(page, tt.want) {
				t.Errorf("page does not say %q:\n%s", tt.want, page)
			}
			if got := strings.Contains(page, "Back to HubSpot"); got != tt.back {
				t.Errorf("link back to HubSpot: %v; want %v", got, tt.back)
			}
			requireNoCalls(t, fx)
		})
	}
}

func TestReturnURLAllowlist(t *testing.T) {
	srv, err := New(Config{
		APIBase: "http://127.0.0.1:7430", ClientID: "a", ClientSecret: "b",
		ExtraReturnOrigins: []string{"http://127.0.0.1:7430", "https://Hub.Example"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for raw, ok := range map[string]bool{
		"https://app.hubspot.com/x?a=1":           true,
		"https://app-eu1.hubspot.com/x":           true,
		"https://APP.hubspot.com/x":               true,
		"https://app-na2.hubspot.com":             true,
		"http://127.0.0.1:7430/return?x=1":        true,
		"https://hub.example/return":              true,
		"http://127.0.0.1:7431/return":            false,
		"https://127.0.0.1:7430/return":           false,
		"https://app-.hubspot.com/x":              false,
		"https://app-eu1.hubspot.com.evil/x":      false,
		"https://xapp.hubspot.com/x":              false,
		"https://app.hubspot.com:443/x":           false,
		"https://user:pw@app.hubspot.com/x":       false,
		"https://user:pw@127.0.0.1:7430/x":        false,
		"ftp://app.hubspot.com/x":                 false,
		"https:app.hubspot.com":                   false,
		"/relative":                               false,
		"https://app.hubspot.com/x?a=%zz":         false,
		"https://app_hubspot.com/x":               false,
		"https://app.hubspot.com%2eevil.example/": false,
	} {
		_, err := srv.checkReturnURL(raw)
		if (err == nil) != ok {
			t.Errorf("checkReturnURL(%q) = %v; want accepted=%v", raw, err, ok)
		}
	}
}

func TestReflectedReturnURLIsEscaped(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	evil := `https://app.hubspot.com/x?a="><script>alert(1)</script>`
	for _, target := range []string{
		PartnerPath + "?step=authorize&returnUrl=" + url.QueryEscape(evil),
		SeamlessPath + "?step=bogus&returnUrl=" + url.QueryEscape(evil),
		SeamlessPath + "?step=finalize&returnUrl=" + url.QueryEscape(`https://evil.example/"><script>alert(1)</script>`),
	} {
		page := body(t, fx.getRaw(target))
		if strings.Contains(page, "<script>") {
			t.Errorf("%s reflected <script> unescaped:\n%s", target, page)
		}
	}
}
