package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/chromium"
)

// engines are the browser engines the e key cycles through, in order, as package chromium names
// them (hsemu check --engine): http, then chromium, then auto.
var engines = []string{chromium.EngineHTTP, chromium.EngineChromium, chromium.EngineAuto}

// nextEngine is the engine the e key switches to from e.
func nextEngine(e string) string {
	i := slices.Index(engines, e)
	return engines[(i+1)%len(engines)]
}

// normEngine is the engine e names for the TUI: "" is http, the engine that needs nothing.
func normEngine(e string) string {
	if e == "" {
		return chromium.EngineHTTP
	}
	return e
}

// needsChromium reports whether runs with engine e may start Chromium.
func needsChromium(e string) bool { return e == chromium.EngineChromium || e == chromium.EngineAuto }

// engineMsg says whether runs can use engine: err wraps chromium.ErrNotFound when Chromium is
// missing.
type engineMsg struct {
	engine string
	err    error
}

// engineCmd asks the backend, off the Update loop, whether runs can use engine.
func engineCmd(b Backend, engine string) tea.Cmd {
	return func() tea.Msg { return engineMsg{engine: engine, err: b.CheckEngine(engine)} }
}

// switchEngine is the e key: the next engine, for the next run. An engine that needs Chromium
// is confirmed by engineMsg, which falls back to http when Chromium is missing.
func (m *Model) switchEngine() tea.Cmd {
	m.engine = nextEngine(m.engine)
	if !needsChromium(m.engine) {
		m.status = "engine: http (hsemu's virtual browser, runs no JavaScript) — for the next run (a)"
		return nil
	}
	m.status = "engine: " + m.engine + " — looking for Chromium…"
	return engineCmd(m.cfg.Backend, m.engine)
}

// engineChecked applies the answer of engineCmd, unless the user has switched again meanwhile.
func (m *Model) engineChecked(msg engineMsg) {
	if msg.engine != m.engine {
		return
	}
	if msg.err != nil {
		m.chromiumMissing(msg.err)
		return
	}
	switch msg.engine {
	case chromium.EngineChromium:
		m.status = "engine: chromium (headless Chromium, started once for the session) — for the next run (a)"
	case chromium.EngineAuto:
		m.status = "engine: auto (http, then Chromium for what http cannot decide) — for the next run (a)"
	}
}

// chromiumMissing returns the engine to http and says how to get Chromium: the fix first, then
// what was tried (a HSEMU_CHROMIUM_PATH that names no executable), if anything.
func (m *Model) chromiumMissing(err error) {
	fix := chromium.ErrNotFound.Error()
	m.status = "✗ " + fix + " — the engine stays http"
	if d := strings.TrimSuffix(err.Error(), ": "+fix); d != fix {
		m.status += " (" + d + ")"
	}
	m.engine = chromium.EngineHTTP
}

// Engine is the browser engine the next run uses: http, chromium or auto.
func (m Model) Engine() string { return m.engine }

// CheckEngine reports whether runs can use engine: nil for http, and for chromium and auto
// whether the Chromium executable is found (chromium.FindChromium, honouring
// HSEMU_CHROMIUM_PATH and Chromium.ExecPath). It starts nothing.
func (l *Local) CheckEngine(engine string) error {
	switch normEngine(engine) {
	case chromium.EngineHTTP:
		return nil
	case chromium.EngineChromium, chromium.EngineAuto:
		_, err := chromium.FindChromium(l.Chromium.ExecPath)
		return err //nolint:wrapcheck // FindChromium's error says what is missing and how to install it
	default:
		return fmt.Errorf("engine %q: use http, chromium or auto", engine)
	}
}

// browser is the session's Chromium, started on first use (the first run that needs it) and
// closed by Close; a start that failed is tried again by the next run that needs it.
func (l *Local) browser(ctx context.Context) (*chromium.Pool, error) {
	l.poolMu.Lock()
	defer l.poolMu.Unlock()
	if l.isClosed() {
		return nil, errClosed
	}
	if l.pool != nil {
		return l.pool, nil
	}
	p, err := chromium.NewPool(ctx, l.Chromium)
	if err != nil {
		return nil, err //nolint:wrapcheck // NewPool's errors name Chromium and, when missing, how to install it
	}
	l.pool = p
	return p, nil
}

// closeBrowser ends the session's Chromium, if it was started.
func (l *Local) closeBrowser() error {
	l.poolMu.Lock()
	defer l.poolMu.Unlock()
	if l.pool == nil {
		return nil
	}
	err := l.pool.Close()
	l.pool = nil
	if err != nil {
		return fmt.Errorf("close chromium: %w", err)
	}
	return nil
}

func (l *Local) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// runIn runs the catalogue against targets with engine, in the session's Chromium when the
// engine needs it (chromium.RunIn). Under auto, each RunDone goes to sink with a copy of its
// report: the run goes on to replace the undecided results in the report it returns, which the
// TUI may be drawing meanwhile.
func (l *Local) runIn(ctx context.Context, r scenarios.Runner, targets []scenarios.Target, engine string) (*scenarios.RunReport, error) {
	engine = normEngine(engine)
	if sink := r.Sink; sink != nil && engine == chromium.EngineAuto {
		r.Sink = func(e scenarios.Event) {
			if d, ok := e.(scenarios.RunDone); ok && d.Report != nil {
				cp := *d.Report
				cp.Results = slices.Clone(d.Report.Results)
				e = scenarios.RunDone{Report: &cp}
			}
			sink(e)
		}
	}
	rep, err := chromium.RunIn(ctx, r, targets, engine, l.browser)
	if err != nil {
		return rep, fmt.Errorf("run the catalogue: %w", err)
	}
	return rep, nil
}

// isChromiumMissing reports whether err says Chromium is not installed.
func isChromiumMissing(err error) bool { return errors.Is(err, chromium.ErrNotFound) }
