// Package conformance is the `go test` face of hsemu's check catalogue: one subtest per check
// ID, run against your install endpoint or, with no configuration, against hsemu's own
// reference endpoints.
//
//	func TestInstall(t *testing.T) {
//		conformance.Run(t, scenarios.Target{
//			InstallURL: "http://localhost:3000/hubspot/install",
//			Flows:      []scenarios.Flow{scenarios.Seamless},
//			App:        emulator.App{ClientID: "…", ClientSecret: "…"},
//		})
//	}
//
// Your endpoint must send its token requests to the emulator the suite starts on
// conformance.Suite.Addr (HSEMU_ADDR, default 127.0.0.1:7430).
package conformance

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/report"
)

// Suite configures a conformance run. The zero value starts an in-memory emulator on
// emulator.DefaultAddr with the default options.
type Suite struct {
	// Addr is where the emulator listens ("127.0.0.1:0" for any free port, fine when the
	// endpoint is in-process and is told the address).
	Addr string
	// Harness, if set, is used instead of starting an emulator.
	Harness *scenarios.Harness
	// Options tune the run.
	Options scenarios.Options
}

// Run runs the catalogue against targets with the default Suite.
func Run(t *testing.T, targets ...scenarios.Target) *scenarios.Report {
	t.Helper()
	return Suite{}.Run(t, targets...)
}

// Run runs the catalogue against targets: one subtest per target and check ID, failing for a
// failed MUST (and SHOULD under Strict), reporting errors as test errors and skips as skips.
func (s Suite) Run(t *testing.T, targets ...scenarios.Target) *scenarios.Report {
	t.Helper()
	h := s.Harness
	if h == nil {
		addr := s.Addr
		if addr == "" {
			addr = emulator.DefaultAddr
		}
		var err error
		h, err = scenarios.StartHarness(emulator.Config{}, addr)
		if err != nil {
			t.Fatalf("conformance: %v", err)
		}
		t.Cleanup(func() { h.Close() })
	}
	r := &scenarios.Runner{Harness: h, Options: s.Options}
	rep, err := r.Run(context.Background(), targets)
	if err != nil {
		t.Fatalf("conformance: %v", err)
	}
	Report(t, rep)
	return rep
}

// Report turns a finished report into subtests named target/check ID.
func Report(t *testing.T, rep *scenarios.Report) {
	t.Helper()
	multi := len(rep.Targets) > 1
	for _, res := range rep.Results {
		name := res.Check.ID
		if multi {
			name = res.Target + "/" + res.Check.ID
		}
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			switch res.Outcome.Status {
			case scenarios.Pass:
				t.Log(res.Outcome.Got)
			case scenarios.Skip:
				t.Skip(res.Outcome.Got)
			case scenarios.Fail:
				report.CheckDetail(&b, res, 12)
				if res.Failing(rep.Strict) {
					t.Errorf("%s %s: %s\n%s", res.Check.Level, res.Check.ID, res.Check.Title, b.String())
				} else {
					t.Logf("warning (%s %s): %s\n%s", res.Check.Level, res.Check.ID, res.Check.Title, b.String())
				}
			default:
				report.CheckDetail(&b, res, 12)
				t.Errorf("could not decide %s: %s\n%s", res.Check.ID, res.Outcome.Got, b.String())
			}
		})
	}
}

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
		RequiredScopes:              []string{"oauth", "crm.objects.contacts.read"},
		OptionalScopes:              []string{"crm.objects.deals.read"},
		ConditionallyRequiredScopes: []string{"crm.objects.companies.read"},
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

// InProcess starts the reference endpoint (or a broken variant, by bug name) in-process against
// the harness h, with timings fit for opts (see StartReference), and returns its targets.
func InProcess(t testing.TB, h *scenarios.Harness, bug string, opts scenarios.Options) []scenarios.Target {
	t.Helper()
	targets, stop, err := StartReference(h, bug, opts)
	if err != nil {
		t.Fatalf("conformance: %v", err)
	}
	t.Cleanup(stop)
	return targets
}

// StartReference serves the reference endpoint (or a broken variant) on a loopback port against
// the harness h and returns its targets and the function that stops it. Its timings follow the
// run's options (ReferenceConfig), so every provocation stays meaningful: run it with
// ReferenceOptions(opts).
func StartReference(h *scenarios.Harness, bug string, opts scenarios.Options) ([]scenarios.Target, func(), error) {
	srv, err := reference.New(ReferenceConfig(h, bug, opts))
	if err != nil {
		return nil, nil, err
	}
	ts := httptest.NewServer(srv)
	// HubSpot refuses IP addresses in redirect URLs ("You also must use a domain"), so the
	// install URL names the loopback listener localhost.
	return ReferenceTargets(strings.Replace(ts.URL, "127.0.0.1", "localhost", 1)), ts.Close, nil
}

// ReferenceConfig is the reference endpoint's configuration against harness h for a run with
// opts: it gives up on the token endpoint well before the "too slow" provocation ends
// (3/8 of SlowExchange), and its *-slow variants stall half again the hop budget, so they miss
// it for sure while the reference's own hops (a few milliseconds) never come close.
func ReferenceConfig(h *scenarios.Harness, bug string, opts scenarios.Options) reference.Config {
	opts = ReferenceOptions(opts)
	return reference.Config{
		APIBase:         h.URL(),
		ClientID:        reference.DemoClientID,
		ClientSecret:    reference.DemoClientSecret,
		Bug:             bug,
		ExchangeTimeout: opts.SlowExchange * 3 / 8,
		SlowDelay:       opts.HopBudget * 3 / 2,
	}
}

// InProcessOptions are the fast timings for the in-process reference, what the TUI and
// `hsemu check --reference` use: the whole catalogue in well under a second. The reference gives
// up on the token endpoint after 150 ms; a healthy in-process exchange takes microseconds, but a
// heavily loaded machine can stretch any step, so tests use TestOptions instead.
func InProcessOptions() scenarios.Options {
	return scenarios.Options{
		HopBudget:     time.Second,
		SlowExchange:  400 * time.Millisecond,
		ObserveWindow: 40 * time.Millisecond,
		HopTimeout:    5 * time.Second,
		// Scenarios mostly wait (observe windows, the stalled token endpoint): run many at once.
		Concurrency: 24,
	}
}

// TestOptions are generous timings for tests that must not depend on the machine's load: the
// reference gets seconds where it needs milliseconds (it gives up on the token endpoint after
// 600 ms; hops should finish within 3 s). The *-slow variants then stall 4.5 s.
func TestOptions() scenarios.Options {
	return scenarios.Options{
		HopBudget:     3 * time.Second,
		SlowExchange:  1600 * time.Millisecond,
		ObserveWindow: 100 * time.Millisecond,
		HopTimeout:    20 * time.Second,
	}
}

// ReferenceOptions fills the timings (and the concurrency) opts leaves zero with
// InProcessOptions'.
func ReferenceOptions(opts scenarios.Options) scenarios.Options {
	ref := InProcessOptions()
	fill := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	fill(&opts.HopBudget, ref.HopBudget)
	fill(&opts.SlowExchange, ref.SlowExchange)
	fill(&opts.ObserveWindow, ref.ObserveWindow)
	fill(&opts.HopTimeout, ref.HopTimeout)
	if opts.Concurrency <= 0 {
		opts.Concurrency = ref.Concurrency
	}
	return opts
}

// TargetFromEnv reads the target from HSEMU_* variables (see the README). ok is false when
// HSEMU_INSTALL_URL is unset.
func TargetFromEnv(getenv func(string) string) (t scenarios.Target, ok bool, err error) {
	t.InstallURL = getenv("HSEMU_INSTALL_URL")
	if t.InstallURL == "" {
		return t, false, nil
	}
	if t.Flows, err = scenarios.ParseFlows(getenv("HSEMU_FLOW")); err != nil {
		return t, true, fmt.Errorf("HSEMU_FLOW: %w", err)
	}
	t.AppConfig = getenv(SettingAppConfig.Env)
	if t.App, err = ResolveApp(EnvLookup(getenv)); err != nil {
		return t, true, err
	}
	if v := getenv("HSEMU_LOGIN"); v != "" {
		if t.Login.Fields, err = scenarios.ParseLoginQuery(v); err != nil {
			return t, true, fmt.Errorf("HSEMU_LOGIN: %w", err)
		}
	}
	if v := getenv("HSEMU_COOKIES"); v != "" {
		if t.Login.Cookies, err = scenarios.ParseCookies([]string{v}); err != nil {
			return t, true, fmt.Errorf("HSEMU_COOKIES: %w", err)
		}
	}
	t.ConnectURL = getenv("HSEMU_CONNECT_URL")
	t.WebhookURL = getenv("HSEMU_WEBHOOK_URL")
	return t, true, t.Validate()
}
