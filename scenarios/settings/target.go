package settings

import (
	"strings"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// The target under test: hsemu check, the TUI (its flags and its target form) and
// `go test ./conformance`.
var (
	InstallURL = &Setting{
		Name: "install-url", Flag: "install-url", Env: "HSEMU_INSTALL_URL", Label: "install URL",
		Usage: "your listing's install button `URL`",
		apply: func(c *Config, v []string, _ bool) error { c.InstallURL = strings.TrimSpace(last(v)); return nil },
	}
	ConnectURL = &Setting{
		Name: "connect-url", Flag: "connect-url", Env: "HSEMU_CONNECT_URL", Label: "connect URL",
		Usage: "the `URL` where your app starts the classic \"Connect with HubSpot\" OAuth flow; enables the connect checks",
		apply: func(c *Config, v []string, _ bool) error { c.ConnectURL = strings.TrimSpace(last(v)); return nil },
	}
	WebhookURL = &Setting{
		Name: "webhook-url", Flag: "webhook-url", Env: "HSEMU_WEBHOOK_URL", Label: "webhook URL",
		Usage: "your app's webhook receiver (`URL`); enables the webhook checks",
		apply: func(c *Config, v []string, _ bool) error { c.WebhookURL = strings.TrimSpace(last(v)); return nil },
	}
	Flow = &Setting{
		Name: "flow", Flag: "flow", Env: "HSEMU_FLOW", Label: "flow", Shown: "all",
		Usage: "the `flows` the install URL serves: seamless, partner or all",
		apply: func(c *Config, v []string, _ bool) error {
			flows, err := scenarios.ParseFlows(last(v))
			if err != nil {
				return err //nolint:wrapcheck // Resolve wraps it in an *Error that names the flag or variable
			}
			c.Flow, c.Flows = strings.TrimSpace(last(v)), flows
			return nil
		},
	}
	Login = &Setting{
		Name: "login", Flag: "login", Env: "HSEMU_LOGIN", Label: "sign-in fields", Repeat: true,
		Usage: "a sign-in form `field` as name=value, repeatable: --login email=me@example.com --login password=secret (the variable as a query string: email=me%40example.com&password=secret)",
		apply: func(c *Config, v []string, env bool) (err error) {
			if env {
				c.Login, err = scenarios.ParseLoginQuery(last(v))
			} else {
				c.Login, err = scenarios.ParseLogin(v)
			}
			return err //nolint:wrapcheck // Resolve wraps it in an *Error that names the flag or variable
		},
	}
	Cookie = &Setting{
		Name: "cookie", Flag: "cookie", Env: "HSEMU_COOKIES", Label: "cookies", Repeat: true,
		Usage: "a `cookie` the browser starts with, name=value, repeatable (the variable as \"a=1; b=2\")",
		apply: func(c *Config, v []string, _ bool) (err error) {
			c.Cookies, err = scenarios.ParseCookies(v)
			return err //nolint:wrapcheck // Resolve wraps it in an *Error that names the flag or variable
		},
	}
)

// The app under test: hsemu check, serve, the TUI and `go test ./conformance`. The app config
// file is read first; the other app settings, given by flag or variable, override its fields.
var (
	AppConfig = &Setting{
		Name: "app-config", Flag: "app-config", Env: "HSEMU_APP_CONFIG", Label: "app config",
		Usage: "your HubSpot project's app component (`path`): src/app/app-hsmeta.json or the project directory",
		apply: func(c *Config, v []string, _ bool) error {
			path := strings.TrimSpace(last(v))
			c.AppConfig = ""
			if path == "" {
				return nil
			}
			profile := c.HsProfile
			if profile == "" { // a form resolving the app config alone keeps the command line's
				profile = c.App.HsProfile
			}
			app, err := emulator.LoadAppConfig(path, profile)
			if err != nil {
				return err //nolint:wrapcheck // Resolve wraps it in an *Error that names the flag or variable
			}
			c.App, c.AppConfig = app, path
			return nil
		},
	}
	// HsProfile is resolved before AppConfig, which reads it; it is kept on the App too, so
	// that a later Resolve of AppConfig alone (the TUI's form) reads the same profile.
	HsProfile = &Setting{
		Name: "hs-profile", Flag: "hs-profile", Env: "HSEMU_HS_PROFILE", Label: "config profile",
		Usage: "the HubSpot config profile (`name`) whose hsprofile.<name>.json fills the app config's ${KEY} values, as hs project upload --profile does",
		apply: func(c *Config, v []string, _ bool) error {
			c.HsProfile = strings.TrimSpace(last(v))
			c.App.HsProfile = c.HsProfile
			return nil
		},
	}
	ClientID = &Setting{
		Name: "client-id", Flag: "client-id", Env: "HSEMU_CLIENT_ID", Label: "client ID", App: true,
		Usage: "the app's client `ID`",
		apply: func(c *Config, v []string, _ bool) error { c.App.ClientID = strings.TrimSpace(last(v)); return nil },
	}
	ClientSecret = &Setting{
		Name: "client-secret", Flag: "client-secret", Env: "HSEMU_CLIENT_SECRET", Label: "client secret", App: true,
		Usage: "the app's client `secret`",
		apply: func(c *Config, v []string, _ bool) error { c.App.ClientSecret = strings.TrimSpace(last(v)); return nil },
	}
	RedirectURL = &Setting{
		Name: "redirect-url", Flag: "redirect-url", Env: "HSEMU_REDIRECT_URL", Label: "redirect URLs", App: true, Repeat: true,
		Usage: "a redirect `URL` of the app, repeatable (the variable space- or comma-separated)",
		apply: func(c *Config, v []string, _ bool) error {
			c.App.RedirectURLs = SplitList(strings.Join(v, " "))
			return nil
		},
	}
	Scopes = &Setting{
		Name: "scopes", Flag: "scopes", Env: "HSEMU_SCOPES", Label: "scopes", App: true, //nolint:goconst // the table writes each flag's name out
		Usage: "required `scopes`, space- or comma-separated",
		apply: func(c *Config, v []string, _ bool) (err error) {
			c.App.RequiredScopes, err = scopeList(last(v))
			return err
		},
	}
	OptionalScopes = &Setting{
		Name: "optional-scopes", Flag: "optional-scopes", Env: "HSEMU_OPTIONAL_SCOPES", Label: "optional scopes", App: true,
		Usage: "optional `scopes`, space- or comma-separated",
		apply: func(c *Config, v []string, _ bool) (err error) {
			c.App.OptionalScopes, err = scopeList(last(v))
			return err
		},
	}
	ConditionalScopes = &Setting{
		Name: "conditional-scopes", Flag: "conditional-scopes", Env: "HSEMU_CONDITIONAL_SCOPES", Label: "conditional scopes", App: true, //nolint:goconst // the table writes each flag's name out
		Usage: "conditionally required `scopes`, space- or comma-separated",
		apply: func(c *Config, v []string, _ bool) (err error) {
			c.App.ConditionallyRequiredScopes, err = scopeList(last(v))
			return err
		},
	}
)

// AppSettings describe the app under test.
var AppSettings = []*Setting{AppConfig, HsProfile, ClientID, ClientSecret, RedirectURL, Scopes, OptionalScopes, ConditionalScopes}

// TargetSettings describe the target under test: its URLs, flows, sign-in and app.
var TargetSettings = append([]*Setting{InstallURL, ConnectURL, WebhookURL, Flow, Login, Cookie}, AppSettings...)

// last is the last value given (a flag given twice keeps the last, as package flag does).
func last(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}
