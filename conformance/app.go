package conformance

import (
	"fmt"
	"strings"

	"github.com/hsemu/hsemu/emulator"
)

// AppSetting names one setting of the app under test: its HSEMU_* variable and its flag.
type AppSetting struct{ Env, Flag string }

// App settings, the same for `hsemu check`, `hsemu serve`, the TUI and `go test ./conformance`.
var (
	SettingAppConfig         = AppSetting{"HSEMU_APP_CONFIG", "app-config"}
	SettingClientID          = AppSetting{"HSEMU_CLIENT_ID", "client-id"}
	SettingClientSecret      = AppSetting{"HSEMU_CLIENT_SECRET", "client-secret"}
	SettingRedirectURL       = AppSetting{"HSEMU_REDIRECT_URL", "redirect-url"}
	SettingScopes            = AppSetting{"HSEMU_SCOPES", "scopes"}
	SettingOptionalScopes    = AppSetting{"HSEMU_OPTIONAL_SCOPES", "optional-scopes"}
	SettingConditionalScopes = AppSetting{"HSEMU_CONDITIONAL_SCOPES", "conditional-scopes"}
)

// ResolveApp builds the app under test: the app config file, if one is given, overridden field by
// field by the other settings. lookup answers a setting's value and whether it was given at all
// (a flag set to "" is given; an empty variable is not). Lists are space- or comma-separated.
// Errors name the setting or the file and say what is wrong.
func ResolveApp(lookup func(AppSetting) (string, bool)) (emulator.App, error) {
	var app emulator.App
	if path, ok := lookup(SettingAppConfig); ok && path != "" {
		a, err := emulator.LoadAppConfig(path)
		if err != nil {
			return emulator.App{}, fmt.Errorf("%s: %w", settingName(SettingAppConfig), err)
		}
		app = a
	}
	str := func(dst *string, s AppSetting) {
		if v, ok := lookup(s); ok {
			*dst = v
		}
	}
	str(&app.ClientID, SettingClientID)
	str(&app.ClientSecret, SettingClientSecret)
	list := func(dst *[]string, s AppSetting) {
		if v, ok := lookup(s); ok {
			*dst = SplitList(v)
		}
	}
	list(&app.RedirectURLs, SettingRedirectURL)
	list(&app.RequiredScopes, SettingScopes)
	list(&app.OptionalScopes, SettingOptionalScopes)
	list(&app.ConditionallyRequiredScopes, SettingConditionalScopes)
	for _, s := range []struct {
		setting AppSetting
		scopes  []string
	}{
		{SettingScopes, app.RequiredScopes},
		{SettingOptionalScopes, app.OptionalScopes},
		{SettingConditionalScopes, app.ConditionallyRequiredScopes},
	} {
		for _, sc := range s.scopes {
			if !emulator.KnownScope(sc) {
				return emulator.App{}, fmt.Errorf("%s: %q is not a HubSpot scope; check its spelling against https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes", settingName(s.setting), sc)
			}
		}
	}
	return app, nil
}

// EnvLookup reads settings from environment variables only: a variable is given when non-empty.
func EnvLookup(getenv func(string) string) func(AppSetting) (string, bool) {
	return func(s AppSetting) (string, bool) {
		v := getenv(s.Env)
		return v, v != ""
	}
}

// SplitList splits on commas and white space, dropping empty items.
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

func settingName(s AppSetting) string { return "--" + s.Flag + " / " + s.Env }
