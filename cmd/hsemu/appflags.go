package main

import (
	"flag"
	"strings"

	"github.com/hsemu/hsemu/conformance"
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
func splitList(s string) []string { return conformance.SplitList(s) }

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

// resolve builds the app (conformance.ResolveApp): the app config file (--app-config, else
// HSEMU_APP_CONFIG) if any, overridden field by field by environment variables, overridden by
// flags. Errors name the flag, variable or file and say what is wrong.
func (o *appOptions) resolve(getenv func(string) string) (emulator.App, error) {
	flags := map[string]string{
		"app-config": o.configPath, "client-id": o.clientID, "client-secret": o.clientSecret,
		"redirect-url": strings.Join(o.redirectURLs, " "), "scopes": o.scopes,
		"optional-scopes": o.optionalScopes, "conditional-scopes": o.conditionalScopes,
	}
	env := conformance.EnvLookup(getenv)
	return conformance.ResolveApp(func(s conformance.AppSetting) (string, bool) {
		if o.set(s.Flag) {
			if s == conformance.SettingAppConfig && flags[s.Flag] == "" {
				return env(s) // --app-config "" falls back to HSEMU_APP_CONFIG
			}
			return flags[s.Flag], true
		}
		return env(s)
	})
}
