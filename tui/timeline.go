package tui

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// item is one line of a scenario's timeline: a browser hop, or a request the endpoint sent to
// HubSpot's API (seen by the emulator).
type item struct {
	hop *scenarios.HopRecord
	api *emulator.Event
}

// timeline is what one scenario did against one target, in the order it happened.
type timeline struct {
	target, scenario string
	items            []item
	running          bool
	duration         time.Duration
	err              error
}

func timelineKey(target, scenario string) string { return target + "\x00" + scenario }

// hubSpotHost reports whether u is on one of HubSpot's app hosts the virtual browser maps to the
// emulator (app.hubspot.com, app-eu1.hubspot.com, …), as the browser decides it.
func hubSpotHost(u *url.URL) bool { return u != nil && browser.IsHubSpotHost(u.Hostname()) }

// actors names who talks to whom on a hop: the browser to the endpoint, or back to HubSpot.
// The first hop of a step is HubSpot sending the browser there.
func actors(h scenarios.HopRecord) string {
	to := "endpoint"
	if hubSpotHost(h.URL) {
		to = "HubSpot"
	}
	if h.How == "navigate" {
		return "HubSpot → browser → " + to
	}
	return "browser → " + to
}

// shortURL renders a URL as path and query, with the host when it is HubSpot's, cut to w cells.
func shortURL(u *url.URL, w int) string {
	if u == nil {
		return ""
	}
	s := u.RequestURI()
	if hubSpotHost(u) {
		s = u.Host + s
	}
	return ansi.Truncate(s, w, "…")
}

// addHop records a finished hop.
func (t *timeline) addHop(h *scenarios.HopRecord) {
	t.items = append(t.items, item{hop: h})
}

// addAPI records a request the endpoint sent to HubSpot's API during this scenario.
func (t *timeline) addAPI(ev *emulator.Event) {
	t.items = append(t.items, item{api: ev})
}

// ordered lists the items for display: each hop followed by the token requests that redeemed
// the code it carried (the exchange the endpoint made while answering it, whichever event
// arrived first); other requests keep their place.
func (t *timeline) ordered() []item {
	byCode := map[string]int{} // code → index of the first hop that carried it
	for i, it := range t.items {
		if it.hop != nil && it.hop.URL != nil {
			if c := it.hop.URL.Query().Get("code"); c != "" {
				if _, ok := byCode[c]; !ok {
					byCode[c] = i
				}
			}
		}
	}
	attached := map[int][]item{}
	var out []item
	for _, it := range t.items {
		if it.api != nil && it.api.Code != "" {
			if i, ok := byCode[it.api.Code]; ok {
				attached[i] = append(attached[i], it)
				continue
			}
		}
		out = append(out, it)
	}
	if len(attached) == 0 {
		return out
	}
	var res []item
	for i, it := range t.items {
		if it.api != nil && it.api.Code != "" {
			if _, ok := byCode[it.api.Code]; ok {
				continue
			}
		}
		res = append(res, it)
		res = append(res, attached[i]...)
	}
	return res
}

// statusText is a hop's outcome in a few cells: "302", "200", "error", "stopped".
func statusText(h scenarios.HopRecord) string {
	switch {
	case h.Stopped:
		return "stop"
	case h.Err != nil:
		return "err"
	case h.Status == 0:
		return "—"
	}
	return fmt.Sprint(h.Status)
}

func ms(d time.Duration) string {
	if d < time.Millisecond {
		return "<1ms"
	}
	if d < 10*time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return d.Round(100 * time.Millisecond).String()
}

// hopChecks returns the results whose outcome points at this hop (Outcome.Hops, as the run
// recorded it).
func hopChecks(results []scenarios.Result, seq int) []scenarios.Result {
	var out []scenarios.Result
	for _, r := range results {
		for _, s := range r.Outcome.Hops {
			if s == seq {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// timelinePane shows the timeline of the selected check's scenario, with the results the run
// gave that scenario's checks for that target. It is a component in the bubbles manner:
// Update, View, SetSize.
type timelinePane struct {
	keys    KeyMap
	styles  Styles
	strict  bool
	tl      *timeline          // nil: nothing to show yet, only hint
	results []scenarios.Result // the run's results of tl's checks for tl's target
	hint    string
	sel     int // the selected row of tl.ordered()
	focused bool
	width   int
	height  int
}

func newTimelinePane(keys KeyMap, s Styles, strict bool) timelinePane {
	return timelinePane{keys: keys, styles: s, strict: strict}
}

// show points the pane at tl (nil: hint instead); the selection goes back to the first row when
// the timeline changes.
func (p *timelinePane) show(tl *timeline, results []scenarios.Result, hint string) {
	if tl == nil || p.tl == nil || timelineKey(tl.target, tl.scenario) != timelineKey(p.tl.target, p.tl.scenario) {
		p.sel = 0
	}
	p.tl, p.results, p.hint = tl, results, hint
}

// selected is the selected row: a hop or a request to HubSpot's API.
func (p timelinePane) selected() (item, bool) {
	if p.tl == nil {
		return item{}, false
	}
	items := p.tl.ordered()
	if p.sel < 0 || p.sel >= len(items) {
		return item{}, false
	}
	return items[p.sel], true
}

// Update moves the selection.
func (p timelinePane) Update(msg tea.Msg) (timelinePane, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || p.tl == nil {
		return p, nil
	}
	d := 0
	switch {
	case key.Matches(k, p.keys.Up):
		d = -1
	case key.Matches(k, p.keys.Down):
		d = 1
	case key.Matches(k, p.keys.PageUp):
		d = -10
	case key.Matches(k, p.keys.PageDown):
		d = 10
	}
	p.sel = min(max(p.sel+d, 0), max(len(p.tl.ordered())-1, 0))
	return p, nil
}

// SetSize sets the pane's size in cells.
func (p *timelinePane) SetSize(w, h int) { p.width, p.height = w, h }

// View draws the timeline with the selected row highlighted when the pane has focus, and the
// checks the scenario decided: at the hops they point at, and in a closing line for the rest.
func (p timelinePane) View() string {
	s, w, h := p.styles, p.width, p.height
	if p.tl == nil {
		return window([]string{s.Dim.Render(fit(p.hint, w))}, -1, w, h)
	}
	t, results, strict := p.tl, p.results, p.strict
	sel := -1
	if p.focused {
		sel = p.sel
	}
	var lines []string
	selLine := -1
	step := ""
	for i, it := range t.ordered() {
		var row string
		switch {
		case it.hop != nil:
			hp := it.hop
			if hp.Step != step {
				step = hp.Step
				ctx := "window"
				if hp.Context.Framed {
					ctx = "framed by " + hp.Context.Ancestor
				}
				lines = append(lines, s.Dim.Render(fit(fmt.Sprintf("─ %s (%s)", step, ctx), w)))
			}
			tail := fmt.Sprintf(" %4s %6s", statusText(*hp), ms(hp.Duration))
			st := statusStyle(s, hp.Status, hp.Err != nil)
			var rows []string
			if w >= 100 {
				head := fmt.Sprintf("#%-2d %-32s %-4s ", hp.Seq, actors(*hp), hp.Method)
				urlW := max(w-ansi.StringWidth(head)-ansi.StringWidth(tail), 8)
				rows = []string{fit(head+fit(shortURL(hp.URL, urlW), urlW)+tail, w)}
			} else {
				head := fmt.Sprintf("#%-2d %s", hp.Seq, actors(*hp))
				rows = []string{
					fit(fit(head, w-ansi.StringWidth(tail))+tail, w),
					fit(fmt.Sprintf("    %s %s", hp.Method, shortURL(hp.URL, w-5-len(hp.Method))), w),
				}
			}
			if i != sel {
				rows[0] = strings.Replace(rows[0], tail, st.Render(tail), 1)
			}
			for _, r := range rows {
				lines = appendRow(lines, &selLine, i == sel, r, s)
			}
			for _, r := range hopChecks(results, hp.Seq) {
				v := verdictOf(r, strict)
				lines = append(lines, fit("    "+s.verdict(v).Render(v.mark())+" "+r.Check.ID, w))
			}
			row = ""
		case it.api != nil:
			ev := it.api
			what := ev.Path
			if ev.GrantType != "" {
				what += " " + ev.GrantType
			}
			if ev.Outcome != "" {
				what += " → " + ev.Outcome
			}
			tail := fmt.Sprintf(" %4d %6s", ev.Status, ms(ev.Duration))
			head := fmt.Sprintf("    ↳ endpoint → HubSpot API %s ", ev.Method)
			row = fit(fit(head+what, w-ansi.StringWidth(tail))+tail, w)
			if i != sel {
				row = s.Dim.Render(row)
			}
		}
		if row != "" {
			lines = appendRow(lines, &selLine, i == sel, row, s)
		}
	}
	if t.running {
		lines = append(lines, s.Running.Render(fit("  … running", w)))
	}
	if t.err != nil {
		lines = append(lines, s.ErrorStatus.Render(fit("  harness error: "+t.err.Error(), w)))
	}
	if len(t.items) == 0 && !t.running && t.err == nil {
		lines = append(lines, s.Dim.Render(fit("  no hops recorded", w)))
	}
	var rest []string
	for _, r := range results {
		if len(r.Outcome.Hops) == 0 {
			v := verdictOf(r, strict)
			rest = append(rest, s.verdict(v).Render(v.mark())+" "+r.Check.ID)
		}
	}
	if len(rest) > 0 {
		lines = append(lines, fit(s.Dim.Render("  whole scenario:"), w))
		for _, r := range rest {
			lines = append(lines, fit("      "+r, w))
		}
	}
	return window(lines, selLine, w, h)
}

func appendRow(lines []string, selLine *int, selected bool, row string, s Styles) []string {
	if selected {
		if *selLine < 0 {
			*selLine = len(lines)
		}
		row = s.Selected.Render(ansi.Strip(row))
	}
	return append(lines, row)
}

func statusStyle(s Styles, status int, failed bool) lipgloss.Style {
	switch {
	case failed || status >= 500:
		return s.Fail
	case status >= 400:
		return s.Warn
	case status >= 300:
		return s.Dim
	}
	return s.Pass
}

// window returns h lines of lines, scrolled so line sel is visible, padded to w×h.
func window(lines []string, sel, w, h int) string {
	off := 0
	if sel >= h {
		off = sel - h + 1
	}
	end := min(off+h, len(lines))
	out := append([]string(nil), lines[min(off, len(lines)):end]...)
	for len(out) < h {
		out = append(out, strings.Repeat(" ", max(w, 0)))
	}
	return strings.Join(out, "\n")
}
