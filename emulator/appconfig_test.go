package emulator

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadAppConfigTemplate(t *testing.T) {
	for _, path := range []string{"testdata/project", "testdata/project/src/app", "testdata/project/src/app/app-hsmeta.json"} {
		t.Run(path, func(t *testing.T) {
			app, err := LoadAppConfig(path, "")
			if err != nil {
				t.Fatal(err)
			}
			if app.UID != "sample_oauth_marketplace_app" || app.Name != "Sample marketplace app" ||
				app.Distribution != "marketplace" || app.AuthType != "oauth" ||
				!slices.Equal(app.RedirectURLs, []string{"http://localhost:3000"}) ||
				!slices.Equal(app.RequiredScopes, []string{"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write"}) {
				t.Errorf("got %+v", app)
			}
			if app.ClientID != "" || app.ClientSecret != "" {
				t.Errorf("credentials %q %q; an app config has none", app.ClientID, app.ClientSecret)
			}
		})
	}
}

func TestLoadAppConfigErrors(t *testing.T) {
	base, err := os.ReadFile("testdata/project/src/app/app-hsmeta.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		content string
		want    string // the field and what is wrong
	}{
		{"syntax", `{"uid": "x",` + "\n" + `"type": }`, "line 2, column 9"},
		{"wrong type", strings.Replace(string(base), `"redirectUrls": ["http://localhost:3000"]`, `"redirectUrls": "http://localhost:3000"`, 1), "field config.auth.redirectUrls: is a JSON string, want an array of strings"},
		{"no uid", strings.Replace(string(base), `"uid": "sample_oauth_marketplace_app",`, ``, 1), "field uid: missing"},
		{"bad uid", strings.Replace(string(base), `sample_oauth_marketplace_app`, `bad uid!`, 1), "field uid:"},
		{"type", strings.Replace(string(base), `"type": "app"`, `"type": "card"`, 1), `field type: "card" is not "app"`},
		{"no name", strings.Replace(string(base), `"name": "Sample marketplace app",`, ``, 1), "field config.name: missing"},
		{"name spaces", strings.Replace(string(base), `"Sample marketplace app"`, `" Sample "`, 1), "field config.name:"},
		{"distribution", strings.Replace(string(base), `"distribution": "marketplace"`, `"distribution": "public"`, 1), "field config.distribution:"},
		{"auth type", strings.Replace(string(base), `"type": "oauth"`, `"type": "apikey"`, 1), "field config.auth.type:"},
		{"http redirect", strings.Replace(string(base), `http://localhost:3000`, `http://example.com/cb`, 1), "field config.auth.redirectUrls[0]:"},
		{"IP redirect", strings.Replace(string(base), `http://localhost:3000`, `https://10.0.0.1/cb`, 1), "field config.auth.redirectUrls[0]: redirect URL \"https://10.0.0.1/cb\" uses an IP address"},
		{"no redirect", strings.Replace(string(base), `"redirectUrls": ["http://localhost:3000"],`, ``, 1), "field config.auth.redirectUrls: missing"},
		{"unknown scope", strings.Replace(string(base), `"crm.objects.contacts.write"`, `"crm.objects.contact.write"`, 1), `field config.auth.requiredScopes[2]: "crm.objects.contact.write" is not a HubSpot scope`},
		{"duplicate scope", strings.Replace(string(base), `"optionalScopes": []`, `"optionalScopes": ["oauth"]`, 1), `field config.auth.optionalScopes[0]: "oauth" is already in requiredScopes`},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name+"-hsmeta.json")
			if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadAppConfig(path, "")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q; want the file %s and %q", err, path, c.want)
			}
		})
	}
}

func TestLoadAppConfigDirectoryErrors(t *testing.T) {
	empty := t.TempDir()
	if _, err := LoadAppConfig(empty, ""); err == nil || !strings.Contains(err.Error(), empty) {
		t.Errorf("empty dir: %v; want an error naming it", err)
	}
	if _, err := LoadAppConfig(filepath.Join(empty, "missing.json"), ""); err == nil {
		t.Error("missing file: no error")
	}
}

func TestAddAppValidation(t *testing.T) {
	e, _ := newTest(t)
	cases := []struct {
		name string
		app  App
		want string
	}{
		{"no redirect", App{RequiredScopes: []string{"oauth"}}, "no redirect URL"},
		{"bad redirect", App{RedirectURLs: []string{"ftp://x.example/"}}, "scheme"},
		{"fragment", App{RedirectURLs: []string{"https://x.example/#f"}}, "fragment"},
		{"unknown scope", App{RedirectURLs: []string{testRedirect}, RequiredScopes: []string{"nope"}}, "not a HubSpot scope"},
		{"bad distribution", App{RedirectURLs: []string{testRedirect}, Distribution: "public"}, "distribution"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := e.AddApp(c.app); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v; want %q", err, c.want)
			}
		})
	}
	a, err := e.AddApp(App{RedirectURLs: []string{testRedirect}})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || len(a.ClientID) != 36 || len(a.ClientSecret) != 36 || a.AuthType != "oauth" || a.Distribution != "marketplace" {
		t.Errorf("filled app %+v", a)
	}
	if got, ok := e.App(a.ClientID); !ok || got.ClientSecret != a.ClientSecret {
		t.Errorf("App(%q) = %+v, %v", a.ClientID, got, ok)
	}
}

func TestCreatePortalConcurrent(t *testing.T) {
	e, _ := newTest(t)
	const n = 50
	ids := make(chan int64, n)
	for i := 0; i < n; i++ {
		go func() {
			p, err := e.CreatePortal(Portal{})
			if err != nil {
				t.Error(err)
			}
			ids <- p.HubID
		}()
	}
	seen := map[int64]bool{}
	for i := 0; i < n; i++ {
		id := <-ids
		if seen[id] || id == 0 {
			t.Fatalf("hub id %d repeated or zero", id)
		}
		seen[id] = true
	}
	p, _ := e.CreatePortal(Portal{Hublet: "eu1"})
	if p.Domain == "" || p.UserEmail == "" || p.UserID == 0 || p.Hublet != "eu1" {
		t.Errorf("filled portal %+v", p)
	}
	code, err := e.IssueCode(CodeRequest{ClientID: testClientID, HubID: p.HubID, RedirectURI: testRedirect, Scopes: []string{"oauth", "crm.objects.contacts.read"}})
	if err != nil || !strings.HasPrefix(code, "eu1-") {
		t.Errorf("code %q (%v); want the portal's hublet eu1 as prefix", code, err)
	}
	if _, err := e.CreatePortal(Portal{Scopes: []string{"nope"}}); err == nil {
		t.Error("portal with an unknown scope: no error")
	}
}
