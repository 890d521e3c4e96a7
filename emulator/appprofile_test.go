package emulator

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadAppConfigProfiles(t *testing.T) {
	cases := []struct {
		path, profile string
		name          string
		redirect      string
		scope         string
	}{
		{"testdata/profiles", "qa", "Sample app (QA)", "https://qa.example.com/oauth-callback", "crm.objects.deals.read"},
		{"testdata/profiles", "prod", "Sample app", "https://app.example.com/oauth-callback", "crm.objects.companies.read"},
		{"testdata/profiles/src/app", "qa", "Sample app (QA)", "https://qa.example.com/oauth-callback", "crm.objects.deals.read"},
		{"testdata/profiles/src/app/app-hsmeta.json", "prod", "Sample app", "https://app.example.com/oauth-callback", "crm.objects.companies.read"},
	}
	for _, c := range cases {
		t.Run(c.path+" "+c.profile, func(t *testing.T) {
			app, err := LoadAppConfig(c.path, c.profile)
			if err != nil {
				t.Fatal(err)
			}
			if app.Name != c.name || !slices.Equal(app.RedirectURLs, []string{c.redirect}) ||
				!slices.Equal(app.RequiredScopes, []string{"oauth", c.scope}) {
				t.Errorf("got %+v", app)
			}
			if app.PlatformVersion != "2025.2" || app.HsProfile != c.profile {
				t.Errorf("platform version %q, profile %q; want 2025.2, %q", app.PlatformVersion, app.HsProfile, c.profile)
			}
		})
	}
}

func TestLoadAppConfigPlatformVersion(t *testing.T) {
	app, err := LoadAppConfig("testdata/project/src/app/app-hsmeta.json", "")
	if err != nil {
		t.Fatal(err)
	}
	if app.PlatformVersion != "2026.03" || app.HsProfile != "" {
		t.Errorf("platform version %q, profile %q; want 2026.03 and none", app.PlatformVersion, app.HsProfile)
	}
}

func TestLoadAppConfigProfileErrors(t *testing.T) {
	base, err := os.ReadFile("testdata/profiles/src/app/app-hsmeta.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, profile string
		content       string   // the app component; "" for the testdata one
		want          []string // what the error must say
	}{
		{"no profile", "", "", []string{"field config.auth.redirectUrls[0]", "${DOMAIN}", "--hs-profile", "hsprofile.prod.json", "hsprofile.qa.json"}},
		{"unknown profile", "staging", "", []string{`"staging"`, "hsprofile.staging.json", "hsprofile.qa.json"}},
		{"bad profile name", "../qa", "", []string{"letters, digits"}},
		{"unknown variable", "qa", strings.Replace(string(base), "${SCOPE}", "${SCOPES}", 1), []string{"field config.auth.requiredScopes[1]", "${SCOPES}", `profile "qa"`, "hsprofile.qa.json", `"SCOPES"`}},
		{"empty reference", "qa", strings.Replace(string(base), "${APP_NAME}", "${}", 1), []string{"field config.name", "${}"}},
		{"substituted value checked", "qa", strings.Replace(string(base), "https://${DOMAIN}", "http://${DOMAIN}", 1), []string{"field config.auth.redirectUrls[0]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyProfilesProject(t)
			file := filepath.Join(dir, "src", "app", "app-hsmeta.json")
			if c.content != "" {
				if err := os.WriteFile(file, []byte(c.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := LoadAppConfig(dir, c.profile)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append([]string{file}, c.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q; want %q in it", err, w)
				}
			}
		})
	}
}

func TestLoadAppConfigProfileOutsideProject(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "app-hsmeta.json")
	data, err := os.ReadFile("testdata/project/src/app/app-hsmeta.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadAppConfig(file, "qa"); err == nil || !strings.Contains(err.Error(), "no hsproject.json") {
		t.Errorf("error %v; want one saying no hsproject.json was found", err)
	}
}

func TestParseProfile(t *testing.T) {
	vars, err := parseProfile([]byte(`{"accountId": 1, "variables": {"S": "x", "N": 42, "B": true}}`))
	if err != nil {
		t.Fatal(err)
	}
	if vars["S"] != "x" || vars["N"] != "42" || vars["B"] != "true" {
		t.Errorf("got %v", vars)
	}
	if _, err := parseProfile([]byte(`{"variables": {"O": {}}}`)); err == nil || !strings.Contains(err.Error(), "field variables.O") {
		t.Errorf("object variable: %v; want an error naming it", err)
	}
}

func TestSubstituteVarsLeavesKeysAndEscapes(t *testing.T) {
	vars := &profileVars{name: "p", file: "hsprofile.p.json", vars: map[string]string{"K": "v"}}
	got, err := substituteVars([]byte(`{"${K}": ["a${K}b", 1, "\u0024{K}"]}`), vars)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"${K}":["avb",1,"v"]}` {
		t.Errorf("got %s", got)
	}
}

// copyProfilesProject copies testdata/profiles to a temporary directory.
func copyProfilesProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir("testdata/profiles", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/profiles", path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o750)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
