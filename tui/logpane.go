package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/hsemu/hsemu/emulator"
)

// maxLogEntries bounds the log pane's memory; older entries scroll away.
const maxLogEntries = 2000

// logEntry is one request the emulator served, with the scenario it belonged to when known.
type logEntry struct {
	key      string // emulator key + sequence number, unique
	ev       emulator.Event
	scenario string
}

// trafficLog is the pane of the emulator's own traffic: every token exchange, refresh,
// introspection or API read it served, whether a scenario caused it or the developer's app did.
type trafficLog struct {
	entries []logEntry
	index   map[string]int
	offset  int // lines scrolled up from the newest
	loc     *time.Location
}

func newTrafficLog(loc *time.Location) trafficLog {
	if loc == nil {
		loc = time.Local
	}
	return trafficLog{index: map[string]int{}, loc: loc}
}

// add records ev from the emulator named key; a second report of the same request only fills
// in its scenario.
func (l *trafficLog) add(key string, ev emulator.Event, scenario string) {
	k := fmt.Sprintf("%s#%d", key, ev.Seq)
	if i, ok := l.index[k]; ok {
		if scenario != "" {
			l.entries[i].scenario = scenario
		}
		return
	}
	l.index[k] = len(l.entries)
	l.entries = append(l.entries, logEntry{key: k, ev: ev, scenario: scenario})
	if l.offset > 0 {
		l.offset++ // keep the lines the reader is looking at in place
	}
	if len(l.entries) > maxLogEntries {
		drop := len(l.entries) - maxLogEntries
		l.entries = append([]logEntry(nil), l.entries[drop:]...)
		l.index = make(map[string]int, len(l.entries))
		for i, e := range l.entries {
			l.index[e.key] = i
		}
	}
}

func (l *trafficLog) scroll(delta int) {
	l.offset = min(max(l.offset+delta, 0), max(len(l.entries)-1, 0))
}

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

// view draws the newest entries that fit in h lines (scrolled back by offset).
func (l trafficLog) view(s Styles, w, h int, emptyHint string) string {
	var lines []string
	if len(l.entries) == 0 {
		lines = append(lines, s.Dim.Render(fit("  "+emptyHint, w)))
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
