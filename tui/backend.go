package tui

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/chromium"
)

// Kind says what a Choice points the run at.
type Kind int

const (
	// Reference is hsemu's built-in reference endpoints, in-process: no setup, no network.
	Reference Kind = iota
	// BrokenReference is the reference with one deliberate bug (conformance/reference.Bugs
	// names them).
	BrokenReference
	// Custom is the developer's own install endpoint, reached over the network.
	Custom
)

// Choice is the target of a run: the same model as `hsemu check` (--reference, --bug, or
// --install-url and friends).
type Choice struct {
	Kind Kind
	// BugName names the broken variant when Kind is BrokenReference, e.g. "seamless-no-return".
	BugName string
	// Target is the developer's endpoint when Kind is Custom; it must pass Target.Validate.
	Target scenarios.Target
}

// referenceLabel names the built-in reference endpoints in the header and the picker.
const referenceLabel = "reference"

// String names the choice for the header: "reference", "reference + bug seamless-no-return" or
// the install URL.
func (c Choice) String() string {
	switch c.Kind {
	case BrokenReference:
		return "reference + bug " + c.BugName
	case Custom:
		return c.Target.InstallURL
	default: // Reference
		return referenceLabel
	}
}

// EmulatorHandle describes the fake HubSpot a choice runs against, once it is up. The requests
// it serves reach the TUI once, as the run's scenarios.Traffic events.
type EmulatorHandle struct {
	// Key tells emulators apart: "reference" (shared by the reference and its broken variants)
	// or "custom".
	Key string
	// URL is the base URL the app under test must send its token requests to.
	URL string
}

// Backend starts emulators and runs the catalogue for the TUI. The TUI and its tests use the
// same implementation (Local); tests may substitute their own.
type Backend interface {
	// StartEmulator starts, if needed, the emulator that choice runs against and describes it.
	// Calling it again for the same kind returns the same emulator.
	StartEmulator(choice Choice) (EmulatorHandle, error)
	// Run runs the checks matching only (all when empty) against choice with the browser engine
	// ("http", "chromium" or "auto", as chromium.Run; "" is http), calling sink with every event
	// as it happens (the emulator's traffic included, as scenarios.Traffic), and returns the
	// report when the run ends. sink is called from many goroutines, one call at a time. Under
	// auto, the checks the http engine could not decide run again in Chromium: a second
	// RunStarted, then their results, which replace the first ones (the returned report holds
	// the replacements).
	Run(ctx context.Context, choice Choice, engine string, only []string, sink func(scenarios.Event)) (*scenarios.RunReport, error)
	// CheckEngine reports whether runs can use engine, without starting anything: an error
	// wrapping chromium.ErrNotFound when it needs Chromium and Chromium is missing.
	CheckEngine(engine string) error
	// Uninstall uninstalls choice's app from every portal it is installed in, as a HubSpot user
	// would from the portal's Connected Apps page: the emulator journals the uninstall event
	// (and the app's tokens stop working). It answers how many portals it uninstalled from.
	Uninstall(choice Choice) (int, error)
	// Close stops every emulator and endpoint the backend started, and Chromium if a run
	// started it.
	Close() error
}

// Local is the Backend that runs everything in this process: one emulator on a free loopback
// port for the reference (and its broken variants), and one on Addr for a custom target, each
// living until Close, because the developer's app points at Addr. The first run that needs
// Chromium (engine chromium, or auto with a check http could not decide) starts one headless
// Chromium for the session; Close ends it.
type Local struct {
	// Addr is where a custom target's emulator listens (emulator.DefaultAddr when empty).
	Addr string
	// Options are the run options (profile, strictness, budgets, patterns). For the reference,
	// budgets left zero take inprocess.FastOptions' fast timings.
	Options scenarios.Options
	// Chromium configures the session's Chromium (the executable, --artifacts).
	Chromium chromium.Config

	mu        sync.Mutex
	harnesses map[Kind]*harness
	closed    bool

	poolMu sync.Mutex // held while Chromium starts
	pool   *chromium.Pool
}

type harness struct {
	h *scenarios.Harness
}

// NewLocal returns a Local backend; addr and opts are as the Addr and Options fields.
func NewLocal(addr string, opts scenarios.Options) *Local {
	return &Local{Addr: addr, Options: opts}
}

// errClosed is returned by a Local used after Close.
var errClosed = errors.New("tui: backend is closed")

// harnessKind maps a choice to the emulator it uses: the reference and its bugs share one.
func harnessKind(c Choice) Kind {
	if c.Kind == Custom {
		return Custom
	}
	return Reference
}

func (l *Local) harness(c Choice) (*harness, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errClosed
	}
	k := harnessKind(c)
	if hs, ok := l.harnesses[k]; ok {
		return hs, nil
	}
	addr := "127.0.0.1:0"
	if k == Custom {
		addr = l.Addr
		if addr == "" {
			addr = emulator.DefaultAddr
		}
	}
	h, err := scenarios.StartHarness(emulator.Config{}, addr)
	if err != nil {
		return nil, fmt.Errorf("start the harness: %w", err)
	}
	hs := &harness{h: h}
	if l.harnesses == nil {
		l.harnesses = map[Kind]*harness{}
	}
	l.harnesses[k] = hs
	return hs, nil
}

// StartEmulator starts the emulator for choice's kind on first use and describes it.
func (l *Local) StartEmulator(c Choice) (EmulatorHandle, error) {
	hs, err := l.harness(c)
	if err != nil {
		return EmulatorHandle{}, err
	}
	key := "reference"
	if harnessKind(c) == Custom {
		key = "custom"
	}
	return EmulatorHandle{Key: key, URL: hs.h.URL()}, nil
}

// Run runs the catalogue against choice with engine. The reference (or a broken variant) is
// served on a fresh loopback port for this run only, exactly as `hsemu check --reference --bug
// NAME --engine ENGINE` does.
func (l *Local) Run(ctx context.Context, c Choice, engine string, only []string, sink func(scenarios.Event)) (*scenarios.RunReport, error) {
	hs, err := l.harness(c)
	if err != nil {
		return nil, err
	}
	opts := l.Options
	if len(only) > 0 {
		opts.Only = only
	}
	var targets []scenarios.Target
	switch c.Kind {
	case Custom:
		if err := c.Target.Validate(); err != nil {
			return nil, fmt.Errorf("custom target: %w", err)
		}
		targets = []scenarios.Target{c.Target}
	default:
		bug := ""
		if c.Kind == BrokenReference {
			if c.BugName == "" {
				return nil, errors.New("no bug chosen: pick a broken variant by name (hsemu reference --list-bugs)")
			}
			bug = c.BugName
		}
		opts = inprocess.ReferenceOptions(opts)
		ts, stop, err := inprocess.StartReference(hs.h, bug, opts)
		if err != nil {
			return nil, fmt.Errorf("start the reference: %w", err)
		}
		defer stop()
		targets = ts
	}
	return l.runIn(ctx, scenarios.Runner{Harness: hs.h, Options: opts, Sink: sink}, targets, engine)
}

// Uninstall uninstalls choice's app from every portal of its emulator it is installed in.
func (l *Local) Uninstall(c Choice) (int, error) {
	hs, err := l.harness(c)
	if err != nil {
		return 0, err
	}
	clientID := reference.DemoClientID
	if c.Kind == Custom {
		clientID = c.Target.App.ClientID
	}
	em := hs.h.Emulator
	n := 0
	for _, p := range em.Portals() {
		if !em.Installed(clientID, p.HubID) {
			continue
		}
		if err := em.Uninstall(clientID, p.HubID); err != nil {
			return n, fmt.Errorf("uninstall the app from portal %d: %w", p.HubID, err)
		}
		n++
	}
	return n, nil
}

// Close stops the emulators. Runs still under way fail with connection errors.
func (l *Local) Close() error {
	l.mu.Lock()
	l.closed = true
	hss := l.harnesses
	l.harnesses = nil
	l.mu.Unlock()
	var errs []error
	if err := l.closeBrowser(); err != nil {
		errs = append(errs, err)
	}
	for _, k := range []Kind{Reference, Custom} {
		if hs, ok := hss[k]; ok {
			if err := hs.h.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// CustomFields are the custom target's fields as the user types them in the target form; they
// mean what the `hsemu check` flags of the same names mean.
type CustomFields struct {
	InstallURL   string // --install-url
	Flow         string // --flow: seamless, partner or all
	Login        string // --login pairs, space-separated: "email=me@example.com password=secret"
	Cookies      string // --cookie pairs, "a=1; b=2"
	ClientID     string // --client-id
	ClientSecret string // --client-secret
	AppConfig    string // --app-config: the app's src/app/app-hsmeta.json (or its directory)
	// App is the app as the command line described it (scopes, redirect URLs); the app config
	// file, when given, replaces it, and the client ID and secret fields override it.
	App emulator.App
}

// Target turns the fields into a validated target, with the same parsers as the CLI. Errors say
// which field is wrong and how to fix it.
func (f CustomFields) Target() (scenarios.Target, error) { return customTarget(f) }
