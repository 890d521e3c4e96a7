package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/hsemu/hsemu/emulator"
)

// appOptions is the app under test as flags and environment describe it. `hsemu serve` and
// `hsemu check` share it. Precedence, field by field: flag > environment > app config file.
// resolve fills no defaults: what nobody set stays empty, for the caller to fill.
type appOptions struct {
	fs *flag.FlagSet

	configPath        string
	clientID          string
	clientSecret      string
	redirectURLs      listFlag
	scopes            string
	optionalScopes    string
	conditionalScopes string
}

// listFlag is a repeatable flag whose values may also be comma- or space-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, splitList(v)...)
	return nil
}

// splitList splits on commas and whitespace, dropping empty items.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// register declares the app flags on fs.
func (o *appOptions) register(fs *flag.FlagSet) {
	o.fs = fs
	fs.StringVar(&o.configPath, "app-config", "", "your HubSpot project's app component: src/app/app-hsmeta.json or the project directory (env HSEMU_APP_CONFIG)")
	fs.StringVar(&o.clientID, "client-id", "", "the app's client ID (env HSEMU_CLIENT_ID; hsemu serve generates one when none is given)")
	fs.StringVar(&o.clientSecret, "client-secret", "", "the app's client secret (env HSEMU_CLIENT_SECRET; hsemu serve generates one when none is given)")
	fs.Var(&o.redirectURLs, "redirect-url", "a redirect URL of the app, repeatable (env HSEMU_REDIRECT_URL, space- or comma-separated)")
	fs.StringVar(&o.scopes, "scopes", "", "required scopes, space- or comma-separated (env HSEMU_SCOPES)")
	fs.StringVar(&o.optionalScopes, "optional-scopes", "", "optional scopes (env HSEMU_OPTIONAL_SCOPES)")
	fs.StringVar(&o.conditionalScopes, "conditional-scopes", "", "conditionally required scopes (env HSEMU_CONDITIONAL_SCOPES)")
}

// set reports whether the named flag was given on the command line.
func (o *appOptions) set(name string) bool {
	found := false
	if o.fs != nil {
		o.fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	}
	return found
}

// configFile is the app config path given (--app-config, else HSEMU_APP_CONFIG) and where it
// came from; "" when none.
func (o *appOptions) configFile(getenv func(string) string) (path, from string) {
	if o.set("app-config") && o.configPath != "" {
		return o.configPath, "--app-config"
	}
	return getenv("HSEMU_APP_CONFIG"), "HSEMU_APP_CONFIG"
}

// resolve builds the app: the app config file (--app-config, else HSEMU_APP_CONFIG) if any,
// overridden field by field by environment variables, overridden by flags. Errors name the
// flag, variable or file and say what is wrong.
func (o *appOptions) resolve(getenv func(string) string) (emulator.App, error) {
	var app emulator.App
	path, from := o.configFile(getenv)
	if path != "" {
		a, err := emulator.LoadAppConfig(path)
		if err != nil {
			return emulator.App{}, fmt.Errorf("%s: %w", from, err)
		}
		app = a
	}
	str := func(dst *string, flagName, flagVal, env string) {
		if o.set(flagName) {
			*dst = flagVal
		} else if v := getenv(env); v != "" {
			*dst = v
		}
	}
	str(&app.ClientID, "client-id", o.clientID, "HSEMU_CLIENT_ID")
	str(&app.ClientSecret, "client-secret", o.clientSecret, "HSEMU_CLIENT_SECRET")
	list := func(dst *[]string, flagName string, flagVal []string, env string) {
		if o.set(flagName) {
			*dst = flagVal
		} else if v := getenv(env); v != "" {
			*dst = splitList(v)
		}
	}
	list(&app.RedirectURLs, "redirect-url", o.redirectURLs, "HSEMU_REDIRECT_URL")
	list(&app.RequiredScopes, "scopes", splitList(o.scopes), "HSEMU_SCOPES")
	list(&app.OptionalScopes, "optional-scopes", splitList(o.optionalScopes), "HSEMU_OPTIONAL_SCOPES")
	list(&app.ConditionallyRequiredScopes, "conditional-scopes", splitList(o.conditionalScopes), "HSEMU_CONDITIONAL_SCOPES")

	for _, s := range []struct {
		what   string
		scopes []string
	}{
		{"--scopes / HSEMU_SCOPES", app.RequiredScopes},
		{"--optional-scopes / HSEMU_OPTIONAL_SCOPES", app.OptionalScopes},
		{"--conditional-scopes / HSEMU_CONDITIONAL_SCOPES", app.ConditionallyRequiredScopes},
	} {
		for _, sc := range s.scopes {
			if !emulator.KnownScope(sc) {
				return emulator.App{}, fmt.Errorf("%s: %q is not a HubSpot scope; check its spelling against https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes", s.what, sc)
			}
		}
	}
	return app, nil
}
