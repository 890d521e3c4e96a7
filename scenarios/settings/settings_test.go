package settings

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// parse resolves set from args and env as a command does.
func parse(t *testing.T, set []*Setting, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flags := Register(fs, set...)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	var c Config
	err := Resolve(&c, Source{Given: flags.Given, Getenv: func(k string) string { return env[k] }}, set)
	return c, err
}

func TestAppPrecedence(t *testing.T) {
	cfgPath := filepath.Join("..", "..", "emulator", "testdata", "project")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(t *testing.T, got emulator.App)
	}{
		{"nothing set", nil, nil, func(t *testing.T, g emulator.App) {
			if g.ClientID != "" || len(g.RedirectURLs) != 0 || len(g.RequiredScopes) != 0 || g.UID != "" {
				t.Errorf("got %+v; want an empty app (the app settings have no defaults)", g)
			}
		}},
		{"config only", []string{"--app-config", cfgPath}, nil, func(t *testing.T, g emulator.App) {
			if g.UID != "sample_oauth_marketplace_app" || !slices.Equal(g.RedirectURLs, []string{"http://localhost:3000"}) {
				t.Errorf("got %+v; want the template app", g)
			}
		}},
		{"env over config", nil, map[string]string{
			"HSEMU_APP_CONFIG": cfgPath, "HSEMU_REDIRECT_URL": "https://a.example/cb, https://b.example/cb",
			"HSEMU_CLIENT_ID": "env-id", "HSEMU_SCOPES": "oauth crm.objects.deals.read",
		}, func(t *testing.T, g emulator.App) {
			if g.UID != "sample_oauth_marketplace_app" || g.ClientID != "env-id" ||
				!slices.Equal(g.RedirectURLs, []string{"https://a.example/cb", "https://b.example/cb"}) ||
				!slices.Equal(g.RequiredScopes, []string{"oauth", "crm.objects.deals.read"}) {
				t.Errorf("got %+v", g)
			}
		}},
		{
			"flag over env",
			[]string{
				"--client-id", "flag-id", "--redirect-url", "https://f.example/1", "--redirect-url", "https://f.example/2",
				"--optional-scopes", "crm.objects.deals.read,crm.objects.companies.read", "--conditional-scopes", "tickets",
			},
			map[string]string{"HSEMU_CLIENT_ID": "env-id", "HSEMU_REDIRECT_URL": "https://e.example/cb", "HSEMU_CLIENT_SECRET": "env-secret"},
			func(t *testing.T, g emulator.App) {
				if g.ClientID != "flag-id" || g.ClientSecret != "env-secret" ||
					!slices.Equal(g.RedirectURLs, []string{"https://f.example/1", "https://f.example/2"}) ||
					!slices.Equal(g.OptionalScopes, []string{"crm.objects.deals.read", "crm.objects.companies.read"}) ||
					!slices.Equal(g.ConditionallyRequiredScopes, []string{"tickets"}) {
					t.Errorf("got %+v", g)
				}
			},
		},
		{"default under config", []string{"--app-config", cfgPath}, nil, func(t *testing.T, g emulator.App) {
			// A default never replaces what the app config file says.
			if g.ClientID == "demo" {
				t.Errorf("client ID %q; want the config's, not the default", g.ClientID)
			}
		}},
	}
	set := []*Setting{AppConfig, ClientID.WithDefault("demo"), ClientSecret, RedirectURL, Scopes, OptionalScopes, ConditionalScopes}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := set
			if tt.name == "nothing set" {
				s = AppSettings
			}
			c, err := parse(t, s, tt.args, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			tt.want(t, c.App)
		})
	}
}

func TestPrecedence(t *testing.T) {
	set := []*Setting{Addr, Profile, Strict, HopBudget, InstallURL}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want Config
	}{
		{"defaults", nil, nil, Config{Addr: emulator.DefaultAddr, Options: scenarios.Options{Profile: scenarios.ProfileDev}}},
		{
			"env over default", nil,
			map[string]string{"HSEMU_ADDR": "127.0.0.1:1", "HSEMU_PROFILE": "listing", "HSEMU_STRICT": "Yes", "HSEMU_INSTALL_URL": "http://e/i"},
			Config{Addr: "127.0.0.1:1", InstallURL: "http://e/i", Options: scenarios.Options{Profile: scenarios.ProfileListing, Strict: true}},
		},
		{
			"flag over env",
			[]string{"--addr", "127.0.0.1:2", "--strict=off", "--hop-budget", "2s", "--install-url", "http://f/i"},
			map[string]string{"HSEMU_ADDR": "127.0.0.1:1", "HSEMU_STRICT": "1", "HSEMU_INSTALL_URL": "http://e/i"},
			Config{Addr: "127.0.0.1:2", InstallURL: "http://f/i", Options: scenarios.Options{Profile: scenarios.ProfileDev, HopBudget: 2 * time.Second}},
		},
		{
			"bare bool flag",
			[]string{"--strict"},
			map[string]string{"HSEMU_STRICT": "0"},
			Config{Addr: emulator.DefaultAddr, Options: scenarios.Options{Profile: scenarios.ProfileDev, Strict: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse(t, set, tt.args, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.Addr != tt.want.Addr || c.InstallURL != tt.want.InstallURL || c.Options.Profile != tt.want.Options.Profile ||
				c.Options.Strict != tt.want.Options.Strict || c.Options.HopBudget != tt.want.Options.HopBudget {
				t.Errorf("got addr %q url %q %+v; want addr %q url %q %+v", c.Addr, c.InstallURL, c.Options, tt.want.Addr, tt.want.InstallURL, tt.want.Options)
			}
		})
	}
}

func TestParseBool(t *testing.T) {
	for _, s := range []string{"1", "true", "TRUE", "Yes", "on", " On "} {
		if b, err := ParseBool(s); err != nil || !b {
			t.Errorf("ParseBool(%q) = %v, %v; want true", s, b, err)
		}
	}
	for _, s := range []string{"0", "false", "False", "no", "OFF"} {
		if b, err := ParseBool(s); err != nil || b {
			t.Errorf("ParseBool(%q) = %v, %v; want false", s, b, err)
		}
	}
	if _, err := ParseBool("maybe"); err == nil {
		t.Error(`ParseBool("maybe") = nil error; want one`)
	}
}

func TestErrorsNameTheSetting(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "app-hsmeta.json")
	if err := os.WriteFile(bad, []byte(`{"uid":"x","type":"app","config":{"name":"n","description":"d","distribution":"marketplace","auth":{"type":"oauth","redirectUrls":["http://example.com"]}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	all := append(append(append([]*Setting{}, TargetSettings...), RunSettings...), State, Ephemeral, Portal, AutoApprove)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"bad config by flag", []string{"--app-config", bad}, nil, []string{"--app-config", bad, "config.auth.redirectUrls[0]"}},
		{"bad config by env", nil, map[string]string{"HSEMU_APP_CONFIG": bad}, []string{"HSEMU_APP_CONFIG", bad}},
		{"missing config", []string{"--app-config", "/nonexistent/x"}, nil, []string{"--app-config", "/nonexistent/x"}},
		{"unknown scope", []string{"--scopes", "oauth crm.contacts.read"}, nil, []string{"--scopes", `"crm.contacts.read" is not a HubSpot scope`}},
		{"unknown scope in env", nil, map[string]string{"HSEMU_OPTIONAL_SCOPES": "nope"}, []string{"HSEMU_OPTIONAL_SCOPES", `"nope"`, "--optional-scopes"}},
		{"strict not a boolean", nil, map[string]string{"HSEMU_STRICT": "maybe"}, []string{`HSEMU_STRICT="maybe"`, "1, true, yes or on", "--strict"}},
		{"ephemeral not a boolean", nil, map[string]string{"HSEMU_EPHEMERAL": "2"}, []string{"HSEMU_EPHEMERAL", "not a boolean"}},
		{"bad profile", nil, map[string]string{"HSEMU_PROFILE": "ci"}, []string{"HSEMU_PROFILE", "use dev or listing"}},
		{"bad flow", []string{"--flow", "sideways"}, nil, []string{"--flow"}},
		{"bad login env", nil, map[string]string{"HSEMU_LOGIN": "%zz"}, []string{"HSEMU_LOGIN"}},
		{"bad duration", []string{"--hop-budget", "5"}, nil, []string{"--hop-budget", "like 500ms"}},
		{"bad portal env", nil, map[string]string{"HSEMU_PORTALS": "hub=x"}, []string{"HSEMU_PORTALS", "not a positive number"}},
		{"bad addr", nil, map[string]string{"HSEMU_ADDR": "nowhere"}, []string{"HSEMU_ADDR", "host:port", "--addr"}},
		{"bad ca file", []string{"--ca-file", bad}, nil, []string{"--ca-file", "no PEM certificate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, all, tt.args, tt.env)
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v; want a *settings.Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q; want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestBadBoolFlag(t *testing.T) {
	if _, err := parse(t, []*Setting{Strict}, []string{"--strict=maybe"}, nil); err == nil || !strings.Contains(err.Error(), "not a boolean") {
		t.Errorf("--strict=maybe: %v; want an error saying it is not a boolean", err)
	}
}

func TestFormErrorsNameTheField(t *testing.T) {
	given := func(s *Setting) ([]string, bool) {
		if s == Flow {
			return []string{"sideways"}, true
		}
		return nil, false
	}
	var c Config
	err := Resolve(&c, Source{Given: given, Form: true}, TargetSettings)
	if err == nil || !strings.HasPrefix(err.Error(), "flow: ") {
		t.Errorf("error %v; want one starting with the field's label %q", err, "flow: ")
	}
}

func TestTargetFromEnv(t *testing.T) {
	if _, ok, err := TargetFromEnv(func(string) string { return "" }); ok || err != nil {
		t.Errorf("no HSEMU_INSTALL_URL: ok %v, err %v; want false, nil", ok, err)
	}
	env := map[string]string{
		"HSEMU_INSTALL_URL": "http://localhost:3000/install", "HSEMU_FLOW": "partner",
		"HSEMU_LOGIN": "email=me%40example.com&password=s", "HSEMU_COOKIES": "a=1; b=2",
		"HSEMU_CLIENT_ID": "id", "HSEMU_CLIENT_SECRET": "secret", "HSEMU_STRICT": "true", "HSEMU_ADDR": "127.0.0.1:9",
	}
	c, ok, err := TargetFromEnv(func(k string) string { return env[k] })
	if err != nil || !ok {
		t.Fatalf("ok %v, err %v; want true, nil", ok, err)
	}
	tg, err := c.Target()
	if err != nil {
		t.Fatal(err)
	}
	if tg.Login.Fields["email"] != "me@example.com" || len(tg.Login.Cookies) != 2 || !slices.Equal(tg.Flows, []scenarios.Flow{scenarios.Partner}) ||
		!c.Options.Strict || c.Addr != "127.0.0.1:9" {
		t.Errorf("got %+v (strict %v, addr %q)", tg, c.Options.Strict, c.Addr)
	}
}

// TestConnectAlone: HSEMU_CONNECT_URL (or --connect-url) alone is a target of the connect flow,
// with no install URL; HSEMU_WEBHOOK_URL adds the webhook checks.
func TestConnectAlone(t *testing.T) {
	env := map[string]string{
		"HSEMU_CONNECT_URL": "http://localhost:3000/connect", "HSEMU_WEBHOOK_URL": "http://localhost:3000/hooks",
		"HSEMU_CLIENT_ID": "id", "HSEMU_CLIENT_SECRET": "secret",
	}
	c, ok, err := TargetFromEnv(func(k string) string { return env[k] })
	if err != nil || !ok {
		t.Fatalf("ok %v, err %v; want true, nil", ok, err)
	}
	tg, err := c.Target()
	if err != nil {
		t.Fatal(err)
	}
	if tg.InstallURL != "" || !slices.Equal(tg.Flows, []scenarios.Flow{scenarios.Connect, scenarios.Webhooks}) {
		t.Errorf("flows %v, install URL %q; want connect and webhooks, none", tg.Flows, tg.InstallURL)
	}
	env["HSEMU_FLOW"] = "seamless"
	c, _, _ = TargetFromEnv(func(k string) string { return env[k] })
	if _, err := c.Target(); err == nil || !strings.Contains(err.Error(), "no install URL") {
		t.Errorf("--flow seamless without an install URL: %v; want it to ask for one", err)
	}
}

// TestTable keeps the table sound: names unique, flags unique within each command, every
// variable spelled HSEMU_* and listed in the README's table of environment variables.
func TestTable(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	commands := map[string][]*Setting{
		"check":     append(append(append([]*Setting{}, TargetSettings...), RunSettings...), ExpectFail, List, ReportDir),
		"serve":     ServeSettings,
		"reference": {ReferenceAddr, APIBase, ClientID, ClientSecret, ReferenceBug, ListBugs, PublicURL, ReturnOrigin, ReferenceConditionalScopes, AppName, ExchangeTimeout, SlowDelay, AllowRemote},
	}
	names := map[string]*Setting{}
	for cmd, set := range commands {
		flags := map[string]bool{}
		for _, s := range set {
			if flags[s.Flag] {
				t.Errorf("%s: flag --%s twice", cmd, s.Flag)
			}
			flags[s.Flag] = true
			// A copy with another default (WithDefault, WithShown) keeps its flag and variable.
			if prev, ok := names[s.Name]; ok && (prev.Flag != s.Flag || prev.Env != s.Env) {
				t.Errorf("two settings named %q", s.Name)
			}
			names[s.Name] = s
			if s.Usage == "" || s.apply == nil {
				t.Errorf("%s: no usage or no parser", s.Name)
			}
			if s.Env != "" && (!strings.HasPrefix(s.Env, "HSEMU_") || !strings.Contains(string(readme), "`"+s.Env)) {
				t.Errorf("%s: variable %s is not HSEMU_* or not in README.md", s.Name, s.Env)
			}
		}
	}
}

// TestHsProfile: --hs-profile (or HSEMU_HS_PROFILE) fills the app config's ${KEY} values,
// whichever order the settings are listed in; without it a config with ${…} is refused.
func TestHsProfile(t *testing.T) {
	project := filepath.Join("..", "..", "emulator", "testdata", "profiles")
	cases := []struct {
		name     string
		set      []*Setting
		args     []string
		env      map[string]string
		redirect string // "" for an error
		want     string // the error's text
	}{
		{"flag", AppSettings, []string{"--app-config", project, "--hs-profile", "qa"}, nil, "https://qa.example.com/oauth-callback", ""},
		{"env", AppSettings, []string{"--app-config", project}, map[string]string{"HSEMU_HS_PROFILE": "prod"}, "https://app.example.com/oauth-callback", ""},
		{"both by env", AppSettings, nil, map[string]string{"HSEMU_APP_CONFIG": project, "HSEMU_HS_PROFILE": "prod"}, "https://app.example.com/oauth-callback", ""},
		{"listed after the config", []*Setting{AppConfig, RedirectURL, HsProfile}, []string{"--app-config", project, "--hs-profile", "qa"}, nil, "https://qa.example.com/oauth-callback", ""},
		{"serve", ServeSettings, []string{"--app-config", project, "--hs-profile", "qa"}, nil, "https://qa.example.com/oauth-callback", ""},
		{"none", AppSettings, []string{"--app-config", project}, nil, "", "--hs-profile NAME"},
		{"unknown", AppSettings, []string{"--app-config", project, "--hs-profile", "staging"}, nil, "", "hsprofile.staging.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := parse(t, c.set, c.args, c.env)
			if c.redirect == "" {
				if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "--app-config") && !strings.Contains(err.Error(), "HSEMU_APP_CONFIG") {
					t.Fatalf("error %v; want one naming the app config and %q", err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(cfg.App.RedirectURLs, []string{c.redirect}) || cfg.App.PlatformVersion != "2025.2" {
				t.Errorf("app %+v; want redirect %s and platform version 2025.2", cfg.App, c.redirect)
			}
		})
	}
}

// TestHsProfileKeptForAForm: a Resolve of the app config alone, from a Config carrying the
// command line's app (as the TUI's form does), reads the profile the command line gave.
func TestHsProfileKeptForAForm(t *testing.T) {
	project := filepath.Join("..", "..", "emulator", "testdata", "profiles")
	cli, err := parse(t, AppSettings, []string{"--hs-profile", "qa"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := Config{App: cli.App}
	given := func(s *Setting) ([]string, bool) { return []string{project}, s.Name == AppConfig.Name }
	if err := Resolve(&c, Source{Given: given, Form: true}, []*Setting{AppConfig}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.App.RedirectURLs, []string{"https://qa.example.com/oauth-callback"}) || c.App.HsProfile != "qa" {
		t.Errorf("app %+v; want the qa profile's", c.App)
	}
}
