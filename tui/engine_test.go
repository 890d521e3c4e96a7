package tui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/chromium"
)

// engineLog is a Backend that records the engine of every run and hands the run on.
type engineLog struct {
	Backend
	mu   sync.Mutex
	runs []string
}

func (e *engineLog) Run(ctx context.Context, c Choice, engine string, only []string, sink func(scenarios.Event)) (*scenarios.RunReport, error) {
	e.mu.Lock()
	e.runs = append(e.runs, engine)
	e.mu.Unlock()
	return e.Backend.Run(ctx, c, engine, only, sink)
}

func (e *engineLog) engines() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.runs)
}

// runNDone holds once the program's nth run has finished and reported.
func runNDone(n int) func(Model) bool {
	return func(m Model) bool { return m.lastID == n && !m.Running() && m.Report() != nil }
}

// TestProgramEngineKeyCycles: e cycles http → chromium → auto → http, and each run uses the
// engine chosen before it, as the backend sees it.
func TestProgramEngineKeyCycles(t *testing.T) {
	b := &engineLog{Backend: replay{fixtureRun("")}}
	tm, w := startWith(t, Config{Backend: b, AutoRun: true})
	w.await(t, "the first run finished", runNDone(1))
	for i := 2; i <= 4; i++ {
		tm.Type("e")
		tm.Type("a")
		w.await(t, "run "+string(rune('0'+i))+" finished", runNDone(i))
	}
	m := finalModel(t, tm)
	want := []string{chromium.EngineHTTP, chromium.EngineChromium, chromium.EngineAuto, chromium.EngineHTTP}
	if got := b.engines(); !slices.Equal(got, want) {
		t.Errorf("the runs used engines %q; want %q", got, want)
	}
	if m.Engine() != chromium.EngineHTTP {
		t.Errorf("engine after three presses of e = %q; want http", m.Engine())
	}
}

// TestEngineShown: the header shows the engine of the next run as soon as e is pressed, the
// help lists the key, and a check's detail names the engine that decided it.
func TestEngineShown(t *testing.T) {
	m := fixtureModel(t, 80, 24, fixtureRun(""))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "engine: http") {
		t.Errorf("the header does not show the engine:\n%s", v)
	}
	m = keys(t, m, "e")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "engine: chromium") {
		t.Errorf("after e, the header does not show engine: chromium:\n%s", v)
	}
	if v := ansi.Strip(keys(t, m, "?").View()); !strings.Contains(v, "e engine") {
		t.Errorf("the help does not list e:\n%s", v)
	}
	m, ok := m.OpenCheck("seamless/install/exchanges-code")
	if !ok {
		t.Fatal("seamless/install/exchanges-code is not listed")
	}
	if !strings.Contains(strings.Join(strings.Fields(m.detail.text), " "), "· http engine") {
		t.Errorf("the check detail does not name the engine that decided it:\n%s", m.detail.text)
	}
}

// TestChromiumMissing: without Chromium, starting with the chromium engine, pressing e, or a
// run whose Chromium went missing all say how to install it and leave the engine at http,
// whose runs go on.
func TestChromiumMissing(t *testing.T) {
	t.Setenv(chromium.PathEnv, "/nonexistent/chromium")
	b := newTestLocal(t, testOptions())
	missing := func(m Model, when string) {
		t.Helper()
		if m.Engine() != chromium.EngineHTTP {
			t.Errorf("%s: engine %q; want http", when, m.Engine())
		}
		v := ansi.Strip(m.View())
		for _, want := range []string{"apt-get install chromium", "engine stays http"} {
			if !strings.Contains(m.status, want) {
				t.Errorf("%s: status %q lacks %q", when, m.status, want)
			}
		}
		if !strings.Contains(v, "apt-get install") {
			t.Errorf("%s: the screen does not say how to install Chromium:\n%s", when, v)
		}
	}

	// Started with --engine chromium: Init looks for Chromium before the first run.
	m := New(Config{Backend: b, Engine: chromium.EngineChromium, Renderer: asciiRenderer()})
	m = update(t, m, engineCmd(b, m.Engine())())
	missing(m, "at start")

	// The e key.
	nm, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("e")})
	m = nm.(Model)
	if m.Engine() != chromium.EngineChromium || cmd == nil {
		t.Fatalf("after e: engine %q (command %v); want chromium, then the look for it", m.Engine(), cmd != nil)
	}
	m = update(t, m, cmd())
	missing(m, "after e")

	// A run with the chromium engine fails to start, saying why; the engine returns to http.
	_, err := b.Run(context.Background(), Choice{Kind: Reference}, chromium.EngineChromium, []string{"seamless/install/exchanges-code"}, nil)
	if !errors.Is(err, chromium.ErrNotFound) {
		t.Fatalf("a chromium run without Chromium: %v; want chromium.ErrNotFound", err)
	}
	m.engine = chromium.EngineChromium
	m = update(t, m, runAllMsg{})
	m = update(t, m, runEndMsg{id: m.runID, err: err})
	if m.Engine() != chromium.EngineHTTP || !strings.Contains(m.status, "apt-get install chromium") {
		t.Errorf("after a run without Chromium: engine %q, status %q; want http and how to install it", m.Engine(), m.status)
	}

	// auto without Chromium is http alone, as in hsemu check.
	rep, err := b.Run(context.Background(), Choice{Kind: Reference}, chromium.EngineAuto, []string{"seamless/install/exchanges-code"}, nil)
	if err != nil || rep == nil || rep.Failed() || rep.Errored() {
		t.Fatalf("an auto run without Chromium: %v (report %v); want the http engine's passing run", err, rep)
	}
}
