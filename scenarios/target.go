package scenarios

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hsemu/hsemu/emulator"
)

// Flow is one of HubSpot's ways of installing an app: what a Target declares it serves. (The
// catalogue's parts are Groups: a flow's checks are one group among others.)
type Flow string

const (
	// Seamless is the marketplace install without partner sign-in: HubSpot sends the browser to
	// the install URL with code, returnUrl and step=finalize
	// (https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow).
	Seamless Flow = "seamless"
	// Partner is the marketplace install with partner sign-in: step=authorize in a new window,
	// the app returns a state to HubSpot, then step=finalize with code and state in HubSpot's frame.
	Partner Flow = "partner"
	// Connect is HubSpot's classic "Connect with HubSpot" OAuth install
	// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth).
	Connect Flow = "connect"
	// Webhooks is not an install: a target that declares only it is checked as the app's
	// webhook receiver alone (Target.WebhookURL), with no install flow.
	Webhooks Flow = "webhooks"
)

// ParseFlows reads "seamless", "partner", "all" or a comma-separated list.
func ParseFlows(s string) ([]Flow, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return []Flow{Seamless, Partner}, nil
	}
	var flows []Flow
	for _, part := range strings.Split(s, ",") {
		switch f := Flow(strings.TrimSpace(part)); f {
		case Seamless, Partner:
			flows = append(flows, f)
		default:
			return nil, fmt.Errorf("unknown flow %q: use seamless, partner or all", part)
		}
	}
	return flows, nil
}

// Profile selects how strict a run is.
type Profile string

// The profiles, from the everyday one to the listing gate.
const (
	ProfileDev     Profile = "dev"     // everyday development: MUST fails, SHOULD warns
	ProfileListing Profile = "listing" // the CI gate before listing submission: adds the listing checks
)

// Login says how the virtual browser signs in to the partner's system at step=authorize.
type Login struct {
	// Fields fill the sign-in form: the form whose inputs include all these names is submitted
	// with these values (e.g. email and password).
	Fields map[string]string
	// Cookies are set in the browser before the install starts, so it begins signed in.
	Cookies []*http.Cookie
}

// Empty reports whether no sign-in was configured.
func (l Login) Empty() bool { return len(l.Fields) == 0 && len(l.Cookies) == 0 }

// Target is what a run is pointed at: the app's install endpoint and the app itself. The same
// fields are flags of `hsemu check`, HSEMU_* variables and this struct.
type Target struct {
	// Name labels the target in reports; defaults to the install URL.
	Name string
	// InstallURL is the endpoint HubSpot sends the browser to (the listing's "Install button URL").
	// It is also the redirect_uri the code is bound to.
	InstallURL string
	// Flows this install URL serves.
	Flows []Flow
	// Login is the partner sign-in strategy (partner flow only).
	Login Login
	// ConnectURL starts the app's classic "Connect with HubSpot" flow (connect checks).
	ConnectURL string
	// WebhookURL is the app's webhook receiver (webhook checks).
	WebhookURL string
	// App is the app as HubSpot knows it: client ID and secret, redirect URLs, scopes.
	App emulator.App
	// AppConfig is the path of the app's app-hsmeta.json (or project directory) the App was
	// read from, if any; the listing profile validates it.
	AppConfig string
}

// Validate reports the first problem that makes the target unusable, in words a user can act on.
// An install URL is needed only by the install flows: a target of the connect flow alone
// (--connect-url) or of webhooks alone (--webhook-url) has none. The partner flow's sign-in is
// asked for only when partner checks are selected (ValidateFor).
func (t Target) Validate() error {
	if t.InstallURL == "" && (t.hasFlow(Seamless) || t.hasFlow(Partner)) {
		return errors.New("no install URL: give --install-url (or HSEMU_INSTALL_URL), the URL of your listing's install button, or only --connect-url (or --webhook-url) to check the connect flow (or webhooks) alone")
	}
	if t.InstallURL != "" {
		if err := checkURL("install URL", t.InstallURL); err != nil {
			return err
		}
		if u, _ := url.Parse(t.InstallURL); u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("install URL %q must have no query or fragment: HubSpot adds code, returnUrl and step itself", t.InstallURL)
		}
	}
	if len(t.Flows) == 0 {
		return errors.New("no flow: choose --flow seamless, partner or all")
	}
	if t.hasFlow(Connect) && t.ConnectURL == "" {
		return errors.New("the connect flow needs --connect-url (or HSEMU_CONNECT_URL), where your app starts \"Connect with HubSpot\"")
	}
	if t.hasFlow(Webhooks) && t.WebhookURL == "" {
		return errors.New("the webhook checks need --webhook-url (or HSEMU_WEBHOOK_URL), your app's webhook receiver")
	}
	if t.App.ClientID == "" || t.App.ClientSecret == "" {
		return errors.New("no app credentials: give --client-id and --client-secret (or HSEMU_CLIENT_ID and HSEMU_CLIENT_SECRET), the ones your endpoint uses against the emulator")
	}
	return nil
}

// ValidateFor is Validate for a run with opts: the partner flow needs a way to sign in only when
// one of the selected checks signs in (the partner flow's, and the listing's install).
func (t Target) ValidateFor(opts Options) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if !t.hasFlow(Partner) || !t.Login.Empty() {
		return nil
	}
	for _, c := range Select(Catalogue(opts.withDefaults().Profile), opts.Only, opts.Skip) {
		if c.Group == GroupPartner || c.Scenario == scenarioListingInstall {
			return errors.New("the partner checks need a way to sign in: give --login field=value (repeatable, e.g. --login email=me@example.com --login password=secret) and/or --cookie name=value, or --flow seamless (or --skip partner/) to leave them out")
		}
	}
	return nil
}

// checkURL says what is wrong with an absolute http(s) URL the user gave, or nil.
func checkURL(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s %q does not parse: %w", what, raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%s %q must start with http:// or https://", what, raw)
	}
	if u.Host == "" {
		return fmt.Errorf("%s %q has no host", what, raw)
	}
	return nil
}

// label is the name used in reports.
func (t Target) label() string {
	for _, l := range []string{t.Name, t.InstallURL, t.ConnectURL, t.WebhookURL} {
		if l != "" {
			return l
		}
	}
	return "target"
}

// hasFlow reports whether the target serves f.
func (t Target) hasFlow(f Flow) bool {
	for _, g := range t.Flows {
		if g == f {
			return true
		}
	}
	return false
}

// ParseLogin reads "name=value" pairs (one per --login flag, or the whole HSEMU_LOGIN value as
// a URL query string "email=a%40b.c&password=x").
func ParseLogin(pairs []string) (map[string]string, error) {
	fields := map[string]string{}
	for _, p := range pairs {
		name, value, ok := strings.Cut(p, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("login field %q is not name=value (e.g. --login email=me@example.com)", p)
		}
		fields[name] = value
	}
	return fields, nil
}

// ParseLoginQuery reads sign-in fields from a query string, as HSEMU_LOGIN holds them:
// "email=me%40example.com&password=secret".
func ParseLoginQuery(v string) (map[string]string, error) {
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, fmt.Errorf("%q is not a query string like email=me%%40example.com&password=secret: %w", v, err)
	}
	fields := map[string]string{}
	for k := range q {
		if k == "" {
			return nil, fmt.Errorf("%q has a field with no name", v)
		}
		fields[k] = q.Get(k)
	}
	return fields, nil
}

// ParseCookies reads "name=value" pairs for cookies the browser starts with.
func ParseCookies(pairs []string) ([]*http.Cookie, error) {
	var cs []*http.Cookie
	for _, p := range pairs {
		for _, part := range strings.Split(p, ";") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			name, value, ok := strings.Cut(part, "=")
			if !ok || strings.TrimSpace(name) == "" {
				return nil, fmt.Errorf("cookie %q is not name=value (e.g. --cookie session=abc123)", part)
			}
			c := &http.Cookie{Name: strings.TrimSpace(name), Value: value} //nolint:gosec // G124: a cookie the browser sends in a request, where Secure, HttpOnly and SameSite do not apply
			if err := c.Valid(); err != nil {
				return nil, fmt.Errorf("cookie %q: %w", part, err)
			}
			cs = append(cs, c)
		}
	}
	return cs, nil
}

// Planned returns the checks a run with opts decides for targets, in catalogue order: the
// selected checks (Only, Skip, Profile) whose scenario applies to at least one target. It is
// what `hsemu check --list` shows for a configured target, by the same rules Runner.Run uses to
// pick its scenarios (Select, then Scenario.Applies).
func Planned(targets []Target, opts Options) []Check {
	opts = opts.withDefaults()
	applies := map[ScenarioID]bool{}
	for _, t := range targets {
		for _, sc := range Scenarios() {
			if sc.Applies(t, opts) {
				applies[sc.ID] = true
			}
		}
	}
	var out []Check
	for _, c := range Select(CatalogueFor(opts), opts.Only, opts.Skip) {
		if applies[c.Scenario] {
			out = append(out, c)
		}
	}
	return out
}
