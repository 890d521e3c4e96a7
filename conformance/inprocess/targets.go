package inprocess

import (
	"slices"
	"strings"

	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// ReferenceApp is the demo app the reference endpoints are written for: its scopes exercise every
// kind (required, optional, conditionally required).
func ReferenceApp() emulator.App {
	return emulator.App{
		UID:                         "hsemu_reference_app",
		Name:                        reference.DefaultAppName,
		Description:                 "hsemu's reference install endpoints",
		Distribution:                "marketplace",
		AuthType:                    "oauth",
		ClientID:                    reference.DemoClientID,
		ClientSecret:                reference.DemoClientSecret,
		RequiredScopes:              slices.Clone(reference.ConnectScopes),
		OptionalScopes:              slices.Clone(reference.ConnectOptionalScopes),
		ConditionallyRequiredScopes: slices.Clone(reference.DefaultConditionalScopes),
	}
}

// ReferenceLogin signs in as the first demo user.
func ReferenceLogin() scenarios.Login {
	u := reference.DemoUsers[0]
	return scenarios.Login{Fields: map[string]string{"email": u.Email, "password": u.Password}}
}

// ReferenceTargets are the reference endpoints served at base (e.g. "http://localhost:7431"):
// the seamless and partner install URLs, the classic connect flow and the webhook receiver, so
// a run against them decides the whole catalogue.
func ReferenceTargets(base string) []scenarios.Target {
	base = strings.TrimRight(base, "/")
	app := ReferenceApp()
	app.RedirectURLs = []string{base + reference.SeamlessPath, base + reference.PartnerPath, base + reference.ConnectCallbackPath}
	return []scenarios.Target{
		{Name: "reference seamless", InstallURL: base + reference.SeamlessPath, Flows: []scenarios.Flow{scenarios.Seamless}, App: app},
		{Name: "reference partner", InstallURL: base + reference.PartnerPath, Flows: []scenarios.Flow{scenarios.Partner}, App: app, Login: ReferenceLogin()},
		connectTarget(base, app),
		webhookTarget(base, app),
	}
}
