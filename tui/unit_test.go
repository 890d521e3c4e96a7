package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/hsemu/hsemu/scenarios"
)

func TestCustomFieldsTarget(t *testing.T) {
	ok := CustomFields{InstallURL: "http://localhost:3000/install", Flow: "seamless", ClientID: "id", ClientSecret: "secret"}
	tests := []struct {
		name    string
		edit    func(f *CustomFields)
		wantErr string // "" = valid
	}{
		{"valid seamless", func(*CustomFields) {}, ""},
		{"no install URL", func(f *CustomFields) { f.InstallURL = "" }, "no install URL"},
		{"install URL with query", func(f *CustomFields) { f.InstallURL += "?x=1" }, "no query"},
		{"bad flow", func(f *CustomFields) { f.Flow = "sideways" }, "flow:"},
		{"no secret", func(f *CustomFields) { f.ClientSecret = "" }, "no app credentials"},
		{"partner without sign-in", func(f *CustomFields) { f.Flow = "partner" }, "need a way to sign in"},
		{"partner with sign-in", func(f *CustomFields) { f.Flow = "partner"; f.Login = "email=a@b.c password=x" }, ""},
		{"bad login pair", func(f *CustomFields) { f.Flow = "partner"; f.Login = "email" }, "sign-in fields:"},
		{"bad cookie", func(f *CustomFields) { f.Cookies = "novalue" }, "cookies:"},
		{"missing app config", func(f *CustomFields) { f.AppConfig = "/nonexistent/app-hsmeta.json" }, "app config:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ok
			tt.edit(&f)
			tg, err := f.Target()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Target() error = %v; want none", err)
				}
				if tg.InstallURL != f.InstallURL || tg.App.ClientID != f.ClientID {
					t.Errorf("Target() = %+v; want the fields' install URL and client ID", tg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Target() error = %v; want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestInputEditing(t *testing.T) {
	in := input{CharLimit: 10}
	in.Focus()
	type step struct {
		msg  tea.KeyMsg
		want string
	}
	runes := func(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
	for i, st := range []step{
		{runes("hello"), "hello"},
		{tea.KeyMsg{Type: tea.KeySpace}, "hello "},
		{runes("world!!!"), "hello worl"}, // the limit holds
		{tea.KeyMsg{Type: tea.KeyCtrlW}, "hello "},
		{tea.KeyMsg{Type: tea.KeyBackspace}, "hello"},
		{tea.KeyMsg{Type: tea.KeyHome}, "hello"},
		{tea.KeyMsg{Type: tea.KeyDelete}, "ello"},
		{runes("\x1b[2Jy"), "[2Jyello"}, // control characters never reach the value
		{tea.KeyMsg{Type: tea.KeyCtrlK}, "[2Jy"},
	} {
		in, _ = in.Update(st.msg)
		if in.Value() != st.want {
			t.Fatalf("step %d: value %q; want %q", i, in.Value(), st.want)
		}
	}
}

func TestRunFailedNeedsFailures(t *testing.T) {
	m := fixtureModel(t, 80, 24, fixtureRun(""))
	m = keys(t, m, "f")
	if m.Running() {
		t.Fatal("f started a run with nothing failed; want a hint instead")
	}
	if !strings.Contains(m.status, "nothing failed") {
		t.Errorf("status = %q; want it to say nothing failed", m.status)
	}
}

func TestFilterNarrowsCatalogue(t *testing.T) {
	m := fixtureModel(t, 80, 24, fixtureRun("seamless/install/returns-to-hubspot"))
	m = keys(t, m, "/", "F", "A", "I", "L", "enter")
	if got := len(m.cat.visible); got != 1 {
		t.Fatalf("%d rows match the filter FAIL; want 1", got)
	}
	if c, _ := m.cat.selected(); c.ID != "seamless/install/returns-to-hubspot" {
		t.Errorf("selected %q; want the failed check", c.ID)
	}
	m = keys(t, m, "esc")
	if got, want := len(m.cat.visible), len(m.cat.checks); got != want {
		t.Errorf("%d rows after esc; want all %d", got, want)
	}
}

// BenchmarkViewMain measures drawing the main screen after a full run at 140x40; View runs
// after every event, so it must stay far below a frame (16 ms).
func BenchmarkViewMain(b *testing.B) {
	m := fixtureModel(b, 140, 40, fixtureRun("seamless/install/returns-to-hubspot"))
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

// TestConfiguredChecksWithRepeat: the catalogue pane lists the concurrent installs' checks when
// the runs add them (Repeat above 1), as the run's own catalogue does.
func TestConfiguredChecksWithRepeat(t *testing.T) {
	has := func(cs []scenarios.Check) bool {
		for _, c := range cs {
			if c.ID == "seamless/install/concurrent" {
				return true
			}
		}
		return false
	}
	if has(configuredChecks(Config{})) {
		t.Error("without Repeat the pane lists the concurrent checks")
	}
	if !has(configuredChecks(Config{Repeat: 4})) {
		t.Error("with Repeat 4 the pane does not list seamless/install/concurrent")
	}
}
