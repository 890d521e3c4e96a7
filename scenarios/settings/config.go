package settings

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios"
)

// Config is every setting's value once resolved. A command reads the fields of the settings it
// resolved; the rest stay zero.
type Config struct {
	// The target under test (hsemu check, the TUI, go test ./conformance).
	InstallURL string
	ConnectURL string
	WebhookURL string
	Flow       string // as given: seamless, partner, all or ""
	Flows      []scenarios.Flow
	Login      map[string]string
	Cookies    []*http.Cookie
	AppConfig  string // the app config file, if one was given
	HsProfile  string // the config profile the app config's ${KEY} values are filled from
	App        emulator.App

	// The run.
	Addr      string // where the emulator listens
	Options   scenarios.Options
	CAFile    string
	Reference bool   // run against the built-in reference
	Bug       string // with Reference: a broken variant
	Verbose   bool
	// Engine is the user's browser: EngineHTTP, EngineChromium or EngineAuto.
	Engine string
	// Artifacts is where the chromium engine saves a screenshot per step ("" for none).
	Artifacts string
	ReportDir string // where the TUI writes a check's report
	// ExpectFail is the file of known failures; List lists the checks without running them.
	ExpectFail string
	List       bool

	// hsemu serve.
	StatePath   string
	StateSync   emulator.SyncMode
	Ephemeral   bool
	AutoApprove bool
	Portals     []emulator.Portal
	// Choices are the emulator's switches where HubSpot's behaviour is undocumented.
	Choices emulator.Choices

	// hsemu reference.
	Ref RefConfig

	from map[string]From
}

// RefConfig is hsemu reference's settings; the command maps them onto reference.Config. The
// client ID and secret are App's.
type RefConfig struct {
	Addr          string
	APIBase       string
	Bug           string
	ListBugs      bool
	PublicURL     string
	ReturnOrigins []string
	// ConditionalScopes is nil when not set (the reference's default), empty for "none".
	ConditionalScopes []string
	AppName           string
	ExchangeTimeout   time.Duration
	SlowDelay         time.Duration
	AllowRemote       bool
}

// From reports where the setting named name took its value (FromDefault when nothing set it).
func (c *Config) From(name string) From { return c.from[name] }

// Target is the target under test, validated: errors say what is missing or wrong.
func (c *Config) Target() (scenarios.Target, error) {
	t := scenarios.Target{
		InstallURL: c.InstallURL,
		ConnectURL: c.ConnectURL,
		WebhookURL: c.WebhookURL,
		Flows:      c.Flows,
		App:        c.App,
		AppConfig:  c.AppConfig,
		Login:      scenarios.Login{Fields: c.Login, Cookies: c.Cookies},
	}
	switch {
	case t.Flows != nil:
	case t.InstallURL == "" && (t.ConnectURL != "" || t.WebhookURL != ""):
		// --connect-url (or --webhook-url) alone: that flow alone, no install URL needed.
		if t.ConnectURL != "" {
			t.Flows = append(t.Flows, scenarios.Connect)
		}
		if t.WebhookURL != "" {
			t.Flows = append(t.Flows, scenarios.Webhooks)
		}
	default:
		t.Flows, _ = scenarios.ParseFlows("")
	}
	if t.Login.Fields == nil {
		t.Login.Fields = map[string]string{}
	}
	return t, t.Validate() //nolint:wrapcheck // Validate's texts are whole sentences for the user; callers add their context
}

// TargetFromEnv resolves the target settings and the emulator's address from the environment alone,
// as `go test ./conformance` does. ok is false when none of HSEMU_INSTALL_URL, HSEMU_CONNECT_URL
// and HSEMU_WEBHOOK_URL is set.
func TargetFromEnv(getenv func(string) string) (c Config, ok bool, err error) {
	set := append(append([]*Setting{}, TargetSettings...), Addr, Strict, CAFile, Engine, Artifacts, Concurrency, Repeat)
	if err := Resolve(&c, Source{Getenv: getenv}, set); err != nil {
		return c, getenv(InstallURL.Env) != "" || getenv(ConnectURL.Env) != "" || getenv(WebhookURL.Env) != "", err
	}
	return c, c.InstallURL != "" || c.ConnectURL != "" || c.WebhookURL != "", nil
}

// loadCAFile reads PEM certificates and adds them to the system's pool.
func loadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate (expected -----BEGIN CERTIFICATE----- blocks)", path)
	}
	return pool, nil
}

// scopeList parses a list of scopes and refuses names HubSpot does not know.
func scopeList(v string) ([]string, error) {
	scopes := SplitList(v)
	for _, sc := range scopes {
		if !hubspot.KnownScope(sc) {
			return nil, fmt.Errorf("%q is not a HubSpot scope; check its spelling against %s", sc, hubspot.ScopesURL)
		}
	}
	return scopes, nil
}

// patterns splits repeated, comma-separated ID patterns.
func patterns(in []string) []string {
	var out []string
	for _, v := range in {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
