package tui

import (
	"bytes"
	"github.com/hsemu/hsemu/conformance"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/hsemu/hsemu/scenarios"
)

// waitLong bounds how long a teatest waits for the screen (the run takes well under a second;
// the bound only matters under -race on a loaded machine).
var waitLong = []teatest.WaitForOption{teatest.WithDuration(60 * time.Second), teatest.WithCheckInterval(20 * time.Millisecond)}

// startProgram runs the TUI with the real in-process backend against choice at 80x24.
func startProgram(t *testing.T, choice Choice, reportDir string) *teatest.TestModel {
	t.Helper()
	// Generous timings: what the tests assert must not depend on the machine's load.
	b := NewLocal("127.0.0.1:0", conformance.TestOptions())
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("close the backend: %v", err)
		}
	})
	m := New(Config{Backend: b, Choice: choice, AutoRun: true, Renderer: asciiRenderer(), ReportDir: reportDir})
	return teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
}

func contains(s string) func([]byte) bool {
	return func(b []byte) bool { return bytes.Contains(b, []byte(s)) }
}

func finalModel(t *testing.T, tm *teatest.TestModel) Model {
	t.Helper()
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	fm, ok := tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(Model)
	if !ok {
		t.Fatalf("final model is not a tui.Model")
	}
	return fm
}

func TestProgramReferenceAllPass(t *testing.T) {
	tm := startProgram(t, Choice{Kind: Reference}, t.TempDir())
	teatest.WaitFor(t, tm.Output(), contains("done in"), waitLong...)
	m := finalModel(t, tm)

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
		if r.Outcome.Status != scenarios.Pass {
			t.Errorf("%s: %s (%s); want pass against the reference", r.Check.ID, r.Outcome.Status, r.Outcome.Got)
		}
		if v := m.cat.verdict[r.Check.ID]; v != vPass {
			t.Errorf("catalogue shows %s as %q; want %q", r.Check.ID, v.mark(), vPass.mark())
		}
	}
	if m.log.entries == nil {
		t.Error("the emulator log is empty; want the run's token exchanges")
	}
}

func TestProgramBrokenVariantFails(t *testing.T) {
	const id = "seamless/install/returns-to-hubspot"
	dir := t.TempDir()
	tm := startProgram(t, Choice{Kind: Bug, BugName: "seamless-no-return"}, dir)
	teatest.WaitFor(t, tm.Output(), contains("done in"), waitLong...)

	// Find the failed check with the filter, open it, copy its report.
	tm.Type("/returns-to")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	teatest.WaitFor(t, tm.Output(), contains("fix:"), waitLong...)
	tm.Type("c")
	teatest.WaitFor(t, tm.Output(), contains("wrote "), waitLong...)
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
	if !strings.Contains(strings.Join(strings.Fields(m.detailText), " "), res.Check.Fix) {
		t.Errorf("check detail does not show the fix %q:\n%s", res.Check.Fix, m.detailText)
	}
	if m.Report() == nil {
		t.Fatal("no report after the run")
	}
	for _, r := range m.Report().Results {
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
	tm := startProgram(t, Choice{Kind: Reference}, t.TempDir())
	teatest.WaitFor(t, tm.Output(), contains("done in"), waitLong...)
	// t opens the picker; the first bug is one row below the reference.
	tm.Type("t")
	teatest.WaitFor(t, tm.Output(), contains("Choose the target"), waitLong...)
	tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	teatest.WaitFor(t, tm.Output(), contains("done in"), waitLong...)
	m := finalModel(t, tm)
	first := m.cfg.Bugs[0]
	if m.Choice().Kind != Bug || m.Choice().BugName != first.Name {
		t.Fatalf("choice = %v; want bug %s", m.Choice(), first.Name)
	}
	for _, id := range first.Fails {
		if r, ok := m.Result(id); !ok || r.Outcome.Status != scenarios.Fail {
			t.Errorf("%s after switching to %s: %v; want fail", id, first.Name, r.Outcome.Status)
		}
	}
}
