package tui

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsemu/hsemu/conformance/inprocess"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/hsemu/hsemu/scenarios"
)

// waitLong bounds how long a test waits for the program (the run takes well under a second;
// the bound only matters under -race on a loaded machine).
const waitLong = 60 * time.Second

// testOptions are generous timings: what the tests assert must not depend on the machine's load.
func testOptions() scenarios.Options { return inprocess.TestOptions() }

// probe wraps the TUI's model so a test waits for a state of the model, never for text on the
// screen that an earlier state may already show.
type probe struct {
	Model
	w *watch
}

// watch holds the newest model the program produced and the condition a test waits for.
type watch struct {
	mu   sync.Mutex
	last Model
	want func(Model) bool
	hit  chan Model
}

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	nm, cmd := p.Model.Update(msg)
	p.Model = nm.(Model)
	p.w.mu.Lock()
	p.w.last = p.Model
	if p.w.want != nil && p.w.want(p.Model) {
		p.w.want = nil
		p.w.hit <- p.Model
	}
	p.w.mu.Unlock()
	return p, cmd
}

// await returns the first model, from now on or the newest already produced, for which want
// holds.
func (w *watch) await(t *testing.T, what string, want func(Model) bool) Model {
	t.Helper()
	return w.awaitWithin(t, waitLong, what, want)
}

// awaitWithin is await with its own bound, for runs that take longer (Chromium's).
func (w *watch) awaitWithin(t *testing.T, d time.Duration, what string, want func(Model) bool) Model {
	t.Helper()
	w.mu.Lock()
	if want(w.last) {
		m := w.last
		w.mu.Unlock()
		return m
	}
	w.want = want
	w.mu.Unlock()
	select {
	case m := <-w.hit:
		return m
	case <-time.After(d):
		t.Fatalf("the program never reached the state: %s", what)
		return Model{}
	}
}

// runDone holds once a run against a choice of kind k has finished and reported.
func runDone(k Kind) func(Model) bool {
	return func(m Model) bool { return m.Choice().Kind == k && !m.Running() && m.Report() != nil }
}

// startProgram runs the TUI with the real in-process backend against choice at 80x24.
func startProgram(t *testing.T, choice Choice, reportDir string) (*teatest.TestModel, *watch) {
	t.Helper()
	return startWith(t, Config{Backend: newTestLocal(t, testOptions()), Choice: choice, AutoRun: true, ReportDir: reportDir})
}

// newTestLocal is the in-process backend with opts (testOptions: generous timings), closed when
// the test ends.
func newTestLocal(t *testing.T, opts scenarios.Options) *Local {
	t.Helper()
	b := NewLocal("127.0.0.1:0", opts)
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("close the backend: %v", err)
		}
	})
	return b
}

// startWith runs the TUI configured by cfg (drawn without colour) at 80x24.
func startWith(t *testing.T, cfg Config) (*teatest.TestModel, *watch) {
	t.Helper()
	cfg.Renderer = asciiRenderer()
	m := New(cfg)
	w := &watch{last: m, hit: make(chan Model, 1)}
	return teatest.NewTestModel(t, probe{Model: m, w: w}, teatest.WithInitialTermSize(80, 24)), w
}

func finalModel(t *testing.T, tm *teatest.TestModel) Model {
	t.Helper()
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	fm, ok := tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(probe)
	if !ok {
		t.Fatalf("final model is not the probe around a tui.Model")
	}
	return fm.Model
}

func TestProgramReferenceAllPass(t *testing.T) {
	tm, w := startProgram(t, Choice{Kind: Reference}, t.TempDir())
	w.await(t, "the run against the reference finished", runDone(Reference))
	m := finalModel(t, tm)
	requireAllPass(t, m)
	if m.log.entries == nil {
		t.Error("the emulator log is empty; want the run's token exchanges")
	}
}

// requireAllPass holds that m's last run decided the whole catalogue (but for connect and
// webhooks, which the in-process reference targets lack) and passed every check, and that the
// catalogue pane shows each as passed.
func requireAllPass(t *testing.T, m Model) {
	t.Helper()
	rep := m.Report()
	if rep == nil {
		t.Fatal("no report after the run")
	}
	ids := map[string]bool{}
	for _, r := range rep.Results {
		ids[r.Check.ID] = true
	}
	for _, c := range scenarios.Catalogue(scenarios.ProfileDev) {
		if c.Group == scenarios.GroupConnect || c.Group == scenarios.GroupWebhooks {
			continue // the in-process reference targets have no connect or webhook URL
		}
		if !ids[c.ID] {
			t.Errorf("the run did not decide %s; want the whole catalogue", c.ID)
		}
	}
	for _, r := range rep.Results {
		if r.Outcome.Status == scenarios.Skip && r.Check.ID == "robust/unknown-step-no-exchange" && r.Target == "reference seamless" {
			continue // a seamless endpoint need not read step: the check does not apply
		}
		if r.Outcome.Status != scenarios.Pass {
			t.Errorf("%s: %s (%s); want pass against the reference", r.Check.ID, r.Outcome.Status, r.Outcome.Got)
		}
		if v := m.cat.verdict[r.Check.ID]; v != vPass {
			t.Errorf("catalogue shows %s as %q; want %q", r.Check.ID, v.mark(), vPass.mark())
		}
	}
}

func TestProgramBrokenVariantFails(t *testing.T) {
	const id = "seamless/install/returns-to-hubspot"
	dir := t.TempDir()
	tm, w := startProgram(t, Choice{Kind: BrokenReference, BugName: "seamless-no-return"}, dir)
	w.await(t, "the run against seamless-no-return finished", runDone(BrokenReference))

	// Find the failed check with the filter, open it, copy its report.
	tm.Type("/returns-to")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	w.await(t, "the check's detail is open", func(m Model) bool { return m.screen == screenCheck })
	tm.Type("c")
	w.await(t, "the report was copied", func(m Model) bool { return strings.HasPrefix(m.status, "wrote ") })
	m := finalModel(t, tm)

	res, ok := m.Result(id)
	if !ok {
		t.Fatalf("no result for %s", id)
	}
	if res.Outcome.Status != scenarios.Fail {
		t.Fatalf("%s: %s (%s); want fail against seamless-no-return", id, res.Outcome.Status, res.Outcome.Got)
	}
	if m.cat.verdict[id] != vFail {
		t.Errorf("catalogue shows %s as %q; want %q", id, m.cat.verdict[id].mark(), vFail.mark())
	}
	if c, _ := m.cat.selected(); m.screen != screenCheck || c.ID != id {
		t.Errorf("screen %d on %q; want the check detail of %s", m.screen, c.ID, id)
	}
	if !strings.Contains(strings.Join(strings.Fields(m.detail.text), " "), res.Check.Fix) {
		t.Errorf("check detail does not show the fix %q:\n%s", res.Check.Fix, m.detail.text)
	}
	if m.Report() == nil {
		t.Fatal("no report after the run")
	}
	for _, r := range m.Report().Results {
		if r.Outcome.Status == scenarios.Skip && r.Check.ID == "robust/unknown-step-no-exchange" && r.Target == "reference seamless" {
			continue // a seamless endpoint need not read step: the check does not apply
		}
		if r.Check.ID != id && r.Outcome.Status != scenarios.Pass {
			t.Errorf("%s: %s; want pass (seamless-no-return breaks only %s)", r.Check.ID, r.Outcome.Status, id)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, reportFileName(id)))
	if err != nil {
		t.Fatalf("copied report: %v", err)
	}
	for _, want := range []string{"FAIL", id, "fix:", res.Check.Fix} {
		if !strings.Contains(string(data), want) {
			t.Errorf("copied report lacks %q:\n%s", want, data)
		}
	}
}

func TestProgramSwitchTarget(t *testing.T) {
	tm, w := startProgram(t, Choice{Kind: Reference}, t.TempDir())
	w.await(t, "the run against the reference finished", runDone(Reference))
	// t opens the picker; the first bug is one row below the reference.
	tm.Type("t")
	w.await(t, "the target picker is open", func(m Model) bool { return m.screen == screenPicker })
	tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	// Not "done in" on the screen: the reference's run already printed it.
	w.await(t, "the run against the first bug finished", runDone(BrokenReference))
	m := finalModel(t, tm)
	first := m.cfg.Bugs[0]
	if m.Choice().Kind != BrokenReference || m.Choice().BugName != first.Name {
		t.Fatalf("choice = %v; want bug %s", m.Choice(), first.Name)
	}
	for _, id := range first.Fails {
		if r, ok := m.Result(id); !ok || r.Outcome.Status != scenarios.Fail {
			t.Errorf("%s after switching to %s: %v; want fail", id, first.Name, r.Outcome.Status)
		}
	}
}
