package emulator

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// FuzzParseAppConfig feeds the app-hsmeta.json parser arbitrary bytes: it must refuse them with
// an error that names a field or a position, or accept an app that obeys every rule it checks
// and that reads back the same once written as an app component again.
func FuzzParseAppConfig(f *testing.F) {
	f.Add([]byte(`{"uid":"my_app","type":"app","config":{"name":"My app","description":"An app.","distribution":"marketplace","auth":{"type":"oauth","redirectUrls":["http://localhost:3000/oauth-callback"],"requiredScopes":["oauth","crm.objects.contacts.read"],"optionalScopes":["crm.objects.deals.read"],"conditionallyRequiredScopes":[]}}}`))
	f.Add([]byte(`{"uid":"s","type":"app","config":{"name":"S","description":"d","distribution":"private","auth":{"type":"static","requiredScopes":["oauth"]}}}`))
	f.Add([]byte(`{"uid":"x","type":"app","config":{"name":" padded ","description":"d"}}`))
	f.Add([]byte(`{"uid":"x","type":"app","config":{"auth":{"redirectUrls":"http://a"}}}`))
	f.Add([]byte("{\"uid\":\n\"x\",\n  \"type\": app}"))
	f.Add([]byte(`{"uid":"x","type":"app","config":null} trailing`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"uid":"p","type":"app","config":{"name":"${APP_NAME}","description":"d","distribution":"marketplace","auth":{"type":"oauth","redirectUrls":["https://${DOMAIN}/cb","\u0024{X}"]}}}`))
	f.Add([]byte("\xef\xbb\xbf{\"uid\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		app, err := parseAppConfig(data, nil)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "field ") && !strings.HasPrefix(msg, "line ") && !strings.HasPrefix(msg, "invalid JSON") {
				t.Fatalf("error %q names no field or position", msg)
			}
			return
		}
		checkAcceptedApp(t, app)
		again, err := parseAppConfig(encodeHsmeta(t, app), nil)
		if err != nil {
			t.Fatalf("an accepted app does not read back: %v\n%s", err, data)
		}
		if !reflect.DeepEqual(again, app) {
			t.Fatalf("round trip changed the app:\n got %+v\nwant %+v", again, app)
		}
	})
}

// checkAcceptedApp asserts the rules parseAppConfig documents on an app it accepted.
func checkAcceptedApp(t *testing.T, app App) {
	t.Helper()
	switch {
	case !uidPattern.MatchString(app.UID):
		t.Fatalf("accepted uid %q", app.UID)
	case app.Name == "" || len(app.Name) > 200 || strings.TrimSpace(app.Name) != app.Name:
		t.Fatalf("accepted name %q", app.Name)
	case app.Description == "" || len(app.Description) > 8192:
		t.Fatalf("accepted a description of %d bytes", len(app.Description))
	case app.Distribution != "marketplace" && app.Distribution != "private":
		t.Fatalf("accepted distribution %q", app.Distribution)
	case app.AuthType != "oauth" && app.AuthType != "static":
		t.Fatalf("accepted auth type %q", app.AuthType)
	case app.AuthType == "oauth" && len(app.RedirectURLs) == 0:
		t.Fatal("accepted an OAuth app without redirect URLs")
	case app.ClientID != "" || app.ClientSecret != "":
		t.Fatal("the parsed app has credentials")
	}
	seen := map[string]bool{}
	for _, list := range [][]string{app.RequiredScopes, app.OptionalScopes, app.ConditionallyRequiredScopes} {
		for _, s := range list {
			if !KnownScope(s) || seen[s] {
				t.Fatalf("accepted scope %q (unknown or listed twice)", s)
			}
			seen[s] = true
		}
	}
	for _, r := range app.RedirectURLs {
		if err := hubspot.CheckRedirectURL(r); err != nil {
			t.Fatalf("accepted redirect URL %q: %v", r, err)
		}
	}
}

// encodeHsmeta writes app as an app component file.
func encodeHsmeta(t *testing.T, app App) []byte {
	t.Helper()
	m := hsmeta{UID: &app.UID, Type: new("app"), Config: &hsmetaConfig{
		Name: &app.Name, Description: &app.Description, Distribution: &app.Distribution,
		Auth: &hsmetaAuth{
			Type: &app.AuthType, RedirectURLs: app.RedirectURLs, RequiredScopes: app.RequiredScopes,
			OptionalScopes: app.OptionalScopes, ConditionallyRequiredScopes: app.ConditionallyRequiredScopes,
		},
	}}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return data
}
