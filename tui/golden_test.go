package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

var sizes = []struct{ w, h int }{{80, 24}, {140, 40}}

// requireView compares m.View(), colour stripped, with testdata/<test name>.golden and checks
// it fits the terminal. Refresh with go test ./tui -run Golden -update.
func requireView(t *testing.T, m Model, w, h int) {
	t.Helper()
	v := ansi.Strip(m.View())
	lines := strings.Split(v, "\n")
	if len(lines) > h {
		t.Errorf("view has %d lines; want at most %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide; want at most %d: %q", i+1, n, w, l)
		}
	}
	golden.RequireEqual(t, []byte(v))
}

func TestGoldenMain(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := fixtureModel(t, sz.w, sz.h, fixtureRun(""))
			requireView(t, m, sz.w, sz.h)
		})
	}
}

func TestGoldenFailedCheck(t *testing.T) {
	const id = "seamless/install/returns-to-hubspot"
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := fixtureModel(t, sz.w, sz.h, fixtureRun(id))
			m, ok := m.OpenCheck(id)
			if !ok {
				t.Fatalf("OpenCheck(%q) = false; want the check listed", id)
			}
			requireView(t, m, sz.w, sz.h)
		})
	}
}

func TestGoldenHop(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := fixtureModel(t, sz.w, sz.h, fixtureRun(""))
			m = keys(t, m, "tab", "enter")
			if m.screen != screenHop {
				t.Fatalf("screen = %d after tab, enter; want the hop detail", m.screen)
			}
			requireView(t, m, sz.w, sz.h)
		})
	}
}

// TestGoldenFramedPage is the hop detail of a page shown in HubSpot's frame: the framing verdict
// is the one the run recorded for the check's origins (app and app-eu1), not one the TUI works
// out for more origins.
func TestGoldenFramedPage(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := fixtureModel(t, sz.w, sz.h, fixtureRun("seamless/install/returns-to-hubspot"))
			m = keys(t, m, "tab", "enter")
			if m.screen != screenHop {
				t.Fatalf("screen = %d after tab, enter; want the hop detail", m.screen)
			}
			if !strings.Contains(m.detail.text, "allowed") {
				t.Errorf("hop detail does not show the run's verdict (allowed):\n%s", m.detail.text)
			}
			requireView(t, m, sz.w, sz.h)
		})
	}
}

func TestGoldenHelp(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := keys(t, fixtureModel(t, sz.w, sz.h, fixtureRun("")), "?")
			requireView(t, m, sz.w, sz.h)
		})
	}
}

func TestGoldenTargetPicker(t *testing.T) {
	m := keys(t, fixtureModel(t, 80, 24, fixtureRun("")), "t")
	requireView(t, m, 80, 24)
}
