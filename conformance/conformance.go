// Package conformance is the `go test` face of hsemu's check catalogue: one subtest per check
// ID, run against your install endpoint or, with no configuration, against hsemu's own
// reference endpoints. It is only that face: the in-process reference wiring lives in
// conformance/inprocess and the HSEMU_* settings in scenarios/settings, so the hsemu binary,
// which imports those, links no test code.
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
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/chromium"
	"github.com/hsemu/hsemu/scenarios/report"
	"github.com/hsemu/hsemu/scenarios/settings"
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
	// Engine is the user's browser: chromium.EngineHTTP, EngineChromium or EngineAuto (""
	// is auto: http, then Chromium for what http could not decide, when it is installed).
	Engine string
	// Artifacts is where the chromium engine saves a screenshot per step ("" for none).
	Artifacts string
	// Cacheable lets `go test` cache the verdict: set it only when every target runs inside the
	// test binary (the reference endpoints), whose code Go's test cache tracks. A verdict about
	// an endpoint outside the binary is never cached (neverCached).
	Cacheable bool
}

// Run runs the catalogue against targets with the default Suite.
func Run(t *testing.T, targets ...scenarios.Target) *scenarios.RunReport {
	t.Helper()
	return Suite{}.Run(t, targets...)
}

// Run runs the catalogue against targets: one subtest per target and check ID, failing for a
// failed MUST (and SHOULD under Strict), reporting errors as test errors and skips as skips.
func (s Suite) Run(t *testing.T, targets ...scenarios.Target) *scenarios.RunReport {
	t.Helper()
	if !s.Cacheable {
		neverCached(t)
	}
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
		t.Cleanup(func() {
			if err := h.Close(); err != nil {
				t.Errorf("conformance: stop the emulator: %v", err)
			}
		})
	}
	r := scenarios.Runner{Harness: h, Options: s.Options}
	rep, err := chromium.Run(context.Background(), r, targets, s.Engine, chromium.Config{ArtifactsDir: s.Artifacts})
	if err != nil {
		t.Fatalf("conformance: %v", err)
	}
	Report(t, rep)
	return rep
}

// Report turns a finished report into subtests named target/check ID.
func Report(t *testing.T, rep *scenarios.RunReport) {
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
				t.Errorf("could not decide %s%s: %s%s\n%s", res.Check.ID, causeOf(res.Outcome), res.Outcome.Got, fixOf(res.Outcome), b.String())
			}
		})
	}
}

// causeOf names whom an error is about when it is not the endpoint (" (set-up)").
func causeOf(o scenarios.Outcome) string {
	if o.Cause == scenarios.CauseEndpoint {
		return ""
	}
	return " (" + string(o.Cause) + ")"
}

// fixOf is the fix of this outcome when it has its own (a set-up mistake's), as a line.
func fixOf(o scenarios.Outcome) string {
	if o.Fix == "" {
		return ""
	}
	return "\nfix for this: " + o.Fix
}

// InProcess starts the reference endpoint (or a broken variant, by bug name) in-process against
// the harness h, with timings fit for opts (inprocess.StartReference), stops it when the test
// ends, and returns its targets.
func InProcess(t testing.TB, h *scenarios.Harness, bug string, opts scenarios.Options) []scenarios.Target {
	t.Helper()
	targets, stop, err := inprocess.StartReference(h, bug, opts)
	if err != nil {
		t.Fatalf("conformance: %v", err)
	}
	t.Cleanup(stop)
	return targets
}

// TargetFromEnv reads the target from HSEMU_* variables, by the settings table (package
// scenarios/settings; the README lists them). ok is false when none of HSEMU_INSTALL_URL,
// HSEMU_CONNECT_URL and HSEMU_WEBHOOK_URL is set.
func TargetFromEnv(getenv func(string) string) (t scenarios.Target, ok bool, err error) {
	_, t, ok, err = FromEnv(getenv)
	return t, ok, err
}

// FromEnv reads a suite and its target from HSEMU_* variables, by the settings table: the
// target's (HSEMU_INSTALL_URL and the rest), HSEMU_ADDR (where the emulator listens),
// HSEMU_STRICT, HSEMU_CA_FILE, HSEMU_ENGINE, HSEMU_ARTIFACTS, HSEMU_CONCURRENCY and HSEMU_REPEAT. ok is false when none of HSEMU_INSTALL_URL, HSEMU_CONNECT_URL
// and HSEMU_WEBHOOK_URL is set. Errors name the variable.
func FromEnv(getenv func(string) string) (s Suite, t scenarios.Target, ok bool, err error) {
	cfg, ok, err := settings.TargetFromEnv(getenv)
	if err != nil {
		return s, t, ok, fmt.Errorf("read the HSEMU_* variables: %w", err)
	}
	if !ok {
		return s, t, false, nil
	}
	s = Suite{
		Addr: cfg.Addr, Options: scenarios.Options{Strict: cfg.Options.Strict, TLSRootCAs: cfg.Options.TLSRootCAs, Concurrency: cfg.Options.Concurrency, Repeat: cfg.Options.Repeat},
		Engine: cfg.Engine, Artifacts: cfg.Artifacts,
	}
	if t, err = cfg.Target(); err != nil {
		return s, t, true, fmt.Errorf("the target of the HSEMU_* variables: %w", err)
	}
	return s, t, true, nil
}

// uncachedFile is the file neverCached opens, in the test's working directory (its package's
// directory, inside the module: Go checks only the files of the module the test belongs to).
const uncachedFile = ".hsemu-uncached"

// neverCached keeps `go test` from caching the test's result, so a verdict about an endpoint
// that changed outside the test binary is never replayed as "(cached)". Go's test cache keys a
// result on the HSEMU_* variables and the files inside the module the test opened, and refuses
// to cache a test that opened such a file modified less than 2 s before the test finished ("file
// used as input is too new", cmd/go's computeTestInputsID and hashOpen). The file opened here
// has a modification time in the future, so it is always "too new", however slow the run.
// `go test -count=1` does the same by hand.
func neverCached(t testing.TB) {
	t.Helper()
	if err := touchFuture(uncachedFile); err != nil {
		t.Logf("conformance: go test may cache this verdict (run it with -count=1): %v", err)
	}
}

func touchFuture(name string) error {
	if _, err := os.Stat(name); err != nil {
		text := "Opened by hsemu's conformance suite so that go test never caches a verdict about an endpoint\noutside the test binary. Safe to delete; ignore it in version control.\n"
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil { //nolint:gosec // G306: a marker, not a secret
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	future := time.Now().AddDate(100, 0, 0)
	if err := os.Chtimes(name, future, future); err != nil {
		return fmt.Errorf("set the time of %s: %w", name, err)
	}
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	return nil
}
