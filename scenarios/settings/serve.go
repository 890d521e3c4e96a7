package settings

import (
	"fmt"
	"strings"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
)

// hsemu serve: the fake HubSpot for everyday development (with Addr and AppSettings).
var (
	State = &Setting{
		Name: "state", Flag: "state", Env: "HSEMU_STATE", Default: ".hsemu/state.json",
		Usage: "the state `file` for codes, tokens and installs",
		apply: func(c *Config, v []string, _ bool) error { c.StatePath = strings.TrimSpace(last(v)); return nil },
	}
	StateSync = &Setting{
		Name: "state-sync", Flag: "state-sync", Env: "HSEMU_STATE_SYNC", Default: string(emulator.SyncWrite),
		Usage: "when a change of the state file is acknowledged: `write` (once written to the file: a kill of hsemu loses nothing; the flush to the disk follows at once) or flush (once flushed to the disk: a power cut loses nothing either)",
		apply: func(c *Config, v []string, _ bool) error {
			m, err := emulator.ParseSyncMode(strings.TrimSpace(last(v)))
			if err != nil {
				return err //nolint:wrapcheck // ParseSyncMode's text is a whole sentence for the user; the flag is named by the caller
			}
			c.StateSync = m
			return nil
		},
	}
	Ephemeral = &Setting{
		Name: "ephemeral", Flag: "ephemeral", Env: "HSEMU_EPHEMERAL", Bool: true,
		Usage: "keep state in memory only",
		apply: boolInto(func(c *Config) *bool { return &c.Ephemeral }),
	}
	Portal = &Setting{
		Name: "portal", Flag: "portal", Env: "HSEMU_PORTALS", Repeat: true,
		Usage: "a HubSpot account (`portal`) to install into, repeatable: hub=1234567,domain=acme.example.com,email=admin@acme.example.com,hublet=na1,scopes=oauth crm.objects.contacts.read (scopes: what its tier can grant; default every scope; the variable ';'-separated)",
		apply: func(c *Config, v []string, env bool) error {
			c.Portals = nil
			for _, s := range v {
				if env {
					ps, err := parsePortals(s)
					if err != nil {
						return err
					}
					c.Portals = append(c.Portals, ps...)
					continue
				}
				p, err := parsePortal(s)
				if err != nil {
					return err
				}
				c.Portals = append(c.Portals, p)
			}
			return nil
		},
	}
	AutoApprove = &Setting{
		Name: "auto-approve", Flag: "auto-approve", Env: "HSEMU_AUTO_APPROVE", Bool: true,
		Usage: "grant " + hubspot.AuthorizePath + " at once for the first eligible account, without the consent page",
		apply: boolInto(func(c *Config) *bool { return &c.AutoApprove }),
	}
	Switch = &Setting{
		Name: "switch", Flag: "switch", Env: "HSEMU_SWITCHES", Repeat: true,
		Usage: "turn one of the emulator's answers where HubSpot's behaviour is undocumented on or off, repeatable: `name=on|off` with name " + emulator.SwitchNames() + " (README: How faithful the emulator is; the variable ','-separated); hsemu serve prints which are on",
		apply: func(c *Config, v []string, env bool) error {
			c.Choices = emulator.Choices{}
			for _, s := range v {
				items := []string{s}
				if env {
					items = strings.Split(s, ",")
				}
				for _, item := range items {
					if item = strings.TrimSpace(item); item == "" {
						continue
					}
					if err := setSwitch(&c.Choices, item); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
	PartnerSignIn = &Setting{
		Name: "partner-sign-in", Flag: "partner-sign-in", Env: "HSEMU_PARTNER_SIGN_IN", Bool: true, App: true,
		Usage: "the marketplace's install dialog signs the user in at the install URL first (step=authorize in a new window), as for an app with partner sign-in",
		apply: boolInto(func(c *Config) *bool { return &c.App.PartnerSignIn }),
	}
)

// ServeSettings are hsemu serve's. It fills the app's defaults itself, after the app config.
var ServeSettings = []*Setting{
	AppConfig, HsProfile,
	ClientID.WithShown("generated once, kept in the state file"),
	ClientSecret.WithShown("generated once, kept in the state file"),
	RedirectURL.WithShown("http://localhost:3000/oauth-callback"),
	Scopes.WithShown("oauth crm.objects.contacts.read"),
	OptionalScopes, ConditionalScopes,
	Addr, State, StateSync, Ephemeral, Portal, AutoApprove, Switch,
	InstallURL, PartnerSignIn,
}

// hsemu reference: the built-in reference install endpoints (with ClientID and ClientSecret,
// whose defaults the command sets to the demo app's).
var (
	ReferenceAddr = &Setting{
		Name: "reference-addr", Flag: "addr", Env: "HSEMU_REFERENCE_ADDR", Default: "127.0.0.1:7431",
		Usage: "where to listen (`host:port`); loopback unless --allow-remote",
		apply: func(c *Config, v []string, _ bool) error { c.Ref.Addr = strings.TrimSpace(last(v)); return nil },
	}
	APIBase = &Setting{
		Name: "api-base", Flag: "api-base", Env: "HSEMU_API_BASE", Default: "http://" + emulator.DefaultAddr,
		Usage: "HubSpot's API base `URL`, where codes are exchanged (the emulator by default)",
		apply: func(c *Config, v []string, _ bool) error { c.Ref.APIBase = strings.TrimSpace(last(v)); return nil },
	}
	ReferenceBug = &Setting{
		Name: "reference-bug", Flag: "bug", Env: "HSEMU_REFERENCE_BUG",
		Usage: "serve a broken variant (by `name`) instead of the reference (see --list-bugs)",
		apply: func(c *Config, v []string, _ bool) error { c.Ref.Bug = strings.TrimSpace(last(v)); return nil },
	}
	ListBugs = &Setting{
		Name: "list-bugs", Flag: "list-bugs", Bool: true,
		Usage: "list the broken variants and the checks each must fail, then exit",
		apply: boolInto(func(c *Config) *bool { return &c.Ref.ListBugs }),
	}
	PublicURL = &Setting{
		Name: "public-url", Flag: "public-url", Env: "HSEMU_REFERENCE_PUBLIC_URL", Shown: "each request's Host",
		Usage: "the endpoints' `origin` as the browser sees it, e.g. https://install.example.com",
		apply: func(c *Config, v []string, _ bool) error { c.Ref.PublicURL = strings.TrimSpace(last(v)); return nil },
	}
	ReturnOrigin = &Setting{
		Name: "return-origin", Flag: "return-origin", Env: "HSEMU_REFERENCE_RETURN_ORIGINS", Repeat: true,
		Usage: "an `origin` returnUrl may point at besides HubSpot's app hosts, repeatable, e.g. http://127.0.0.1:7430 for a real browser against hsemu serve (the variable space- or comma-separated)",
		apply: func(c *Config, v []string, _ bool) error {
			c.Ref.ReturnOrigins = SplitList(strings.Join(v, " "))
			return nil
		},
	}
	ReferenceConditionalScopes = &Setting{
		Name: "reference-conditional-scopes", Flag: "conditional-scopes", Env: "HSEMU_REFERENCE_CONDITIONAL_SCOPES", //nolint:goconst // the table writes each flag's name out; hsemu reference and check each have one
		Shown: "crm.objects.companies.read",
		Usage: "`scopes` sent in the scope parameter after partner sign-in, space- or comma-separated, or none",
		apply: func(c *Config, v []string, _ bool) error {
			s := SplitList(last(v))
			if len(s) == 0 || (len(s) == 1 && s[0] == "none") {
				s = []string{}
			}
			c.Ref.ConditionalScopes = s
			return nil
		},
	}
	AppName = &Setting{
		Name: "app-name", Flag: "app-name",
		Usage: "the app's `name` on the sign-in page",
		apply: func(c *Config, v []string, _ bool) error { c.Ref.AppName = last(v); return nil },
	}
	ExchangeTimeout = &Setting{
		Name: "exchange-timeout", Flag: "exchange-timeout", Shown: "10s",
		Usage: "give up on the token endpoint after this long (a `duration`)",
		apply: durationInto(func(c *Config) *time.Duration { return &c.Ref.ExchangeTimeout }),
	}
	SlowDelay = &Setting{
		Name: "slow-delay", Flag: "slow-delay", Shown: "3s",
		Usage: "how long (a `duration`) the *-slow variants stall",
		apply: durationInto(func(c *Config) *time.Duration { return &c.Ref.SlowDelay }),
	}
	AllowRemote = &Setting{
		Name: "allow-remote", Flag: "allow-remote", Bool: true,
		Usage: "allow --addr beyond loopback (the demo users' passwords are public)",
		apply: boolInto(func(c *Config) *bool { return &c.Ref.AllowRemote }),
	}
)

// setSwitch applies one "name=on|off" to choices.
func setSwitch(choices *emulator.Choices, item string) error {
	name, val, ok := strings.Cut(item, "=")
	if !ok {
		return fmt.Errorf("switch %q: want name=on or name=off (names: %s)", item, emulator.SwitchNames())
	}
	on, err := ParseBool(strings.TrimSpace(val))
	if err != nil {
		return fmt.Errorf("switch %q: %w", item, err)
	}
	if err := choices.Set(strings.TrimSpace(name), on); err != nil {
		return fmt.Errorf("switch %q: %w", item, err)
	}
	return nil
}
