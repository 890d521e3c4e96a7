package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/emulator"
)

type appResult = emulator.App

func TestAppOptionsPrecedence(t *testing.T) {
	cfgPath := filepath.Join("..", "..", "emulator", "testdata", "project")
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want func(t *testing.T, got appResult)
	}{
		{"nothing set", nil, nil, func(t *testing.T, g appResult) {
			if g.ClientID != "" || len(g.RedirectURLs) != 0 || len(g.RequiredScopes) != 0 || g.UID != "" {
				t.Errorf("got %+v; want an empty app (resolve fills no defaults)", g)
			}
		}},
		{"config only", []string{"--app-config", cfgPath}, nil, func(t *testing.T, g appResult) {
			if g.UID != "sample_oauth_marketplace_app" || !slices.Equal(g.RedirectURLs, []string{"http://localhost:3000"}) {
				t.Errorf("got %+v; want the template app", g)
			}
		}},
		{"env over config", nil, map[string]string{"HSEMU_APP_CONFIG": cfgPath, "HSEMU_REDIRECT_URL": "https://a.example/cb, https://b.example/cb",
			"HSEMU_CLIENT_ID": "env-id", "HSEMU_SCOPES": "oauth crm.objects.deals.read"}, func(t *testing.T, g appResult) {
			if g.UID != "sample_oauth_marketplace_app" || g.ClientID != "env-id" ||
				!slices.Equal(g.RedirectURLs, []string{"https://a.example/cb", "https://b.example/cb"}) ||
				!slices.Equal(g.RequiredScopes, []string{"oauth", "crm.objects.deals.read"}) {
				t.Errorf("got %+v", g)
			}
		}},
		{"flag over env", []string{"--client-id", "flag-id", "--redirect-url", "https://f.example/1", "--redirect-url", "https://f.example/2",
			"--optional-scopes", "crm.objects.deals.read,crm.objects.companies.read", "--conditional-scopes", "tickets"},
			map[string]string{"HSEMU_CLIENT_ID": "env-id", "HSEMU_REDIRECT_URL": "https://e.example/cb", "HSEMU_CLIENT_SECRET": "env-secret"},
			func(t *testing.T, g appResult) {
				if g.ClientID != "flag-id" || g.ClientSecret != "env-secret" ||
					!slices.Equal(g.RedirectURLs, []string{"https://f.example/1", "https://f.example/2"}) ||
					!slices.Equal(g.OptionalScopes, []string{"crm.objects.deals.read", "crm.objects.companies.read"}) ||
					!slices.Equal(g.ConditionallyRequiredScopes, []string{"tickets"}) {
					t.Errorf("got %+v", g)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var o appOptions
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			o.register(fs)
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			app, err := o.resolve(func(k string) string { return c.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			c.want(t, app)
		})
	}
}

func TestAppOptionsErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "app-hsmeta.json")
	if err := os.WriteFile(bad, []byte(`{"uid":"x","type":"app","config":{"name":"n","description":"d","distribution":"marketplace","auth":{"type":"oauth","redirectUrls":["http://example.com"]}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"bad config by flag", []string{"--app-config", bad}, nil, []string{"--app-config", bad, "config.auth.redirectUrls[0]"}},
		{"bad config by env", nil, map[string]string{"HSEMU_APP_CONFIG": bad}, []string{"HSEMU_APP_CONFIG", bad}},
		{"missing config", []string{"--app-config", "/nonexistent/x"}, nil, []string{"--app-config", "/nonexistent/x"}},
		{"unknown scope", []string{"--scopes", "oauth crm.contacts.read"}, nil, []string{"--scopes", `"crm.contacts.read" is not a HubSpot scope`}},
		{"unknown scope in env", nil, map[string]string{"HSEMU_OPTIONAL_SCOPES": "nope"}, []string{"HSEMU_OPTIONAL_SCOPES", `"nope"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var o appOptions
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			o.register(fs)
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			_, err := o.resolve(func(k string) string { return c.env[k] })
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q; want it to contain %q", err, w)
				}
			}
		})
	}
}
