package reference

import (
	"net/http"
	"strings"
	"testing"
)

func TestNewRefusesBadConfig(t *testing.T) {
	ok := Config{APIBase: "http://127.0.0.1:7430", ClientID: DemoClientID, ClientSecret: DemoClientSecret}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"unknown bug", func(c *Config) { c.Bug = "seamless-nope" }, "known bugs are seamless-wrong-redirect-uri,"},
		{"no API base", func(c *Config) { c.APIBase = "" }, "APIBase is empty"},
		{"relative API base", func(c *Config) { c.APIBase = "127.0.0.1:7430" }, "absolute http or https URL"},
		{"API base with query", func(c *Config) { c.APIBase = "http://127.0.0.1:7430/?x=1" }, "must not carry"},
		{"public URL with path", func(c *Config) { c.PublicURL = "https://x.example/install" }, "without a path"},
		{"no client ID", func(c *Config) { c.ClientID = "" }, "client ID or secret is empty"},
		{"no client secret", func(c *Config) { c.ClientSecret = "" }, "client ID or secret is empty"},
		{"negative timeout", func(c *Config) { c.ExchangeTimeout = -1 }, "negative"},
		{"negative slow delay", func(c *Config) { c.SlowDelay = -1 }, "negative"},
		{"scope list in one entry", func(c *Config) { c.ConditionalScopes = []string{"a b"} }, "one scope name per entry"},
		{"empty scope", func(c *Config) { c.ConditionalScopes = []string{""} }, "malformed"},
		{"origin with path", func(c *Config) { c.ExtraReturnOrigins = []string{"http://127.0.0.1:7430/x"} }, "must be an origin"},
		{"origin without scheme", func(c *Config) { c.ExtraReturnOrigins = []string{"127.0.0.1:7430"} }, "origin"},
		{"user without password", func(c *Config) { c.Users = []User{{Email: "a@b.c", ID: "1"}} }, "incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v; want an error saying %q", err, tt.want)
			}
		})
	}
	if _, err := New(ok); err != nil {
		t.Fatalf("New(valid config): %v", err)
	}
	for _, b := range BugNames() {
		cfg := ok
		cfg.Bug = b
		srv, err := New(cfg)
		if err != nil || srv.Bug().Name != b {
			t.Errorf("New(Bug %s): %v", b, err)
		}
	}
}

func TestIndexAndInstallsPages(t *testing.T) {
	fx := newFixture(t, "partner-login-307", PartnerPath)
	resp := fx.getRaw("/")
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("index: status %d", resp.StatusCode)
	}
	requireFrameable(t, resp)
	for _, want := range []string{
		testPublicURL + SeamlessPath, testPublicURL + PartnerPath, "demo@example.com", "hsemu-demo",
		"partner-login-307", "partner/authorize/no-307-after-credentials", `href="/installs"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("index does not show %q", want)
		}
	}

	page = body(t, fx.getRaw(InstallsPath))
	if !strings.Contains(page, "No portal is linked yet") {
		t.Errorf("installs page before any install:\n%s", page)
	}
	state, _ := fx.signIn()
	requireReturned(t, fx.finalize("code-secret-1", state), testR2)
	page = body(t, fx.getRaw(InstallsPath))
	access, refresh := fx.tokens("code-secret-1")
	for _, want := range []string{"1234567", "demo@example.com", tokenHint(access), tokenHint(refresh), "oauth crm.objects.companies.read"} {
		if !strings.Contains(page, want) {
			t.Errorf("installs page does not show %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, access) || strings.Contains(page, refresh) {
		t.Error("installs page shows a token in full")
	}
}

func TestNotFound(t *testing.T) {
	fx := newFixture(t, "", SeamlessPath)
	resp := fx.getRaw("/nope")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body(t, resp), SeamlessPath) {
		t.Errorf("status %d; want a 404 page naming the install URLs", resp.StatusCode)
	}
	requireFrameable(t, resp)
}
