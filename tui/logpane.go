package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/hsemu/hsemu/emulator"
)

// maxLogEntries bounds the log pane's memory; older entries scroll away.
const maxLogEntries = 2000

// logEntry is one request the emulator served, with the scenario it belonged to when the run
// could attribute it.
type logEntry struct {
	ev       emulator.Event
	scenario string
}

// trafficLog is the pane of the emulator's own traffic: every token exchange, refresh,
// introspection or API read it served during a run, whether a scenario caused it or the
// developer's app did. It receives each request once, as the run's scenarios.Traffic event.
// It is a component in the bubbles manner: Update, View, SetSize.
type trafficLog struct {
	keys    KeyMap
	styles  Styles
	entries []logEntry
	offset  int // lines scrolled up from the newest
	loc     *time.Location
	hint    string // shown while the log is empty
	width   int
	height  int
}

func newTrafficLog(keys KeyMap, s Styles, loc *time.Location) trafficLog {
	if loc == nil {
		loc = time.Local
	}
	return trafficLog{keys: keys, styles: s, loc: loc}
}

// add records one request, attributed to scenario ("" when the run could not attribute it).
func (l *trafficLog) add(ev emulator.Event, scenario string) {
	l.entries = append(l.entries, logEntry{ev: ev, scenario: scenario})
	if l.offset > 0 {
		l.offset++ // keep the lines the reader is looking at in place
	}
	if len(l.entries) > maxLogEntries {
		l.entries = append([]logEntry(nil), l.entries[len(l.entries)-maxLogEntries:]...)
	}
}

func (l *trafficLog) scroll(delta int) {
	l.offset = min(max(l.offset+delta, 0), max(len(l.entries)-1, 0))
}

// Update scrolls: up goes back to older requests, down to newer ones.
func (l trafficLog) Update(msg tea.Msg) (trafficLog, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return l, nil
	}
	switch {
	case key.Matches(k, l.keys.Up):
		l.scroll(1)
	case key.Matches(k, l.keys.Down):
		l.scroll(-1)
	case key.Matches(k, l.keys.PageUp):
		l.scroll(10)
	case key.Matches(k, l.keys.PageDown):
		l.scroll(-10)
	}
	return l, nil
}

// SetSize sets the pane's size in cells.
func (l *trafficLog) SetSize(w, h int) { l.width, l.height = w, h }

// line renders one entry: time, side, method, path, status, duration, then what the request
// was about (grant type, client, HubSpot's error status, an injected fault) and its scenario.
func (l trafficLog) line(e logEntry) string {
	ev := e.ev
	var b strings.Builder
	fmt.Fprintf(&b, "%s %-3s %-4s %s %d %s", ev.Time.In(l.loc).Format("15:04:05.000"), ev.Side, ev.Method, ev.Path, ev.Status, ms(ev.Duration))
	if ev.GrantType != "" {
		fmt.Fprintf(&b, " grant=%s", ev.GrantType)
	}
	if ev.ClientID != "" {
		fmt.Fprintf(&b, " client=%s", clip(ev.ClientID, 8))
	}
	if ev.RedirectURI != "" {
		fmt.Fprintf(&b, " redirect_uri=%s", ev.RedirectURI)
	}
	if ev.Outcome != "" {
		fmt.Fprintf(&b, " → %s", ev.Outcome)
	}
	if ev.Fault != "" {
		fmt.Fprintf(&b, " (fault: %s)", ev.Fault)
	}
	if e.scenario != "" {
		fmt.Fprintf(&b, " [%s]", e.scenario)
	}
	return b.String()
}

// clip shortens s to n characters and an ellipsis; client IDs are not secret, but long.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// View draws the newest entries that fit (scrolled back by offset).
func (l trafficLog) View() string {
	s, w, h := l.styles, l.width, l.height
	var lines []string
	if len(l.entries) == 0 {
		lines = append(lines, s.Dim.Render(fit("  "+l.hint, w)))
		return window(lines, -1, w, h)
	}
	end := len(l.entries) - l.offset
	start := max(end-h, 0)
	for _, e := range l.entries[start:end] {
		row := fit(l.line(e), w)
		if e.ev.Status >= 400 {
			row = s.Warn.Render(row)
		}
		lines = append(lines, row)
	}
	return window(lines, -1, w, h)
}
