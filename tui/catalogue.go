package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/hsemu/hsemu/scenarios"
)

// catalogue is the pane of checks grouped by group, each with the verdict the run gave it, and a
// `/` filter. It is a component in the bubbles manner: Update, View, SetSize.
type catalogue struct {
	keys    KeyMap
	styles  Styles
	checks  []scenarios.Check // every row, in catalogue order
	verdict map[string]verdict
	filter  input
	editing bool  // the filter input has the keyboard
	visible []int // indexes into checks that pass the filter
	sel     int   // index into visible
	focused bool
	width   int
	height  int
}

func newCatalogue(keys KeyMap, s Styles, checks []scenarios.Check) catalogue {
	c := catalogue{
		keys: keys, styles: s, verdict: map[string]verdict{},
		filter: input{Prompt: "/", Placeholder: "ID, title or status", CharLimit: 200},
	}
	c.setChecks(checks)
	return c
}

// setChecks replaces the rows, keeping the selected check when it is still there.
func (c *catalogue) setChecks(checks []scenarios.Check) {
	keep, _ := c.selected()
	c.checks = checks
	c.refilter()
	for i, idx := range c.visible {
		if c.checks[idx].ID == keep.ID {
			c.sel = i
		}
	}
}

// editFilter gives the filter input the keyboard.
func (c *catalogue) editFilter() {
	c.editing = true
	c.filter.Focus()
}

// Update moves the selection, or edits the filter while it has the keyboard: enter keeps the
// filter, esc clears it.
func (c catalogue) Update(msg tea.Msg) (catalogue, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return c, nil
	}
	if c.editing {
		switch k.Type {
		case tea.KeyEnter:
			c.editing = false
			c.filter.Blur()
		case tea.KeyEsc:
			c.editing = false
			c.filter.Blur()
			c.filter.SetValue("")
		default:
			c.filter, _ = c.filter.Update(msg)
		}
		c.refilter()
		return c, nil
	}
	switch {
	case key.Matches(k, c.keys.Up):
		c.move(-1)
	case key.Matches(k, c.keys.Down):
		c.move(1)
	case key.Matches(k, c.keys.PageUp):
		c.move(-10)
	case key.Matches(k, c.keys.PageDown):
		c.move(10)
	case key.Matches(k, c.keys.Back):
		if c.filter.Value() != "" {
			c.filter.SetValue("")
			c.refilter()
		}
	}
	return c, nil
}

// statusWords select rows by verdict when the filter is exactly one of them.
var statusWords = map[string]verdict{
	"pass": vPass, "fail": vFail, "warn": vWarn, "error": vError, "err": vError,
	"skip": vSkip, "manual": vManual, "running": vRunning, "pending": vPending,
}

// refilter recomputes the visible rows from the filter text: a status word ("fail", "warn",
// "pass", …) selects by verdict; anything else is a case-insensitive substring of the ID or
// title.
func (c *catalogue) refilter() {
	q := strings.ToLower(strings.TrimSpace(c.filter.Value()))
	status, byStatus := statusWords[q]
	c.visible = c.visible[:0]
	for i, ch := range c.checks {
		switch {
		case q == "":
		case byStatus:
			if c.verdict[ch.ID] != status {
				continue
			}
		case !strings.Contains(strings.ToLower(ch.ID), q) && !strings.Contains(strings.ToLower(ch.Title), q):
			continue
		}
		c.visible = append(c.visible, i)
	}
	if c.sel >= len(c.visible) {
		c.sel = max(0, len(c.visible)-1)
	}
}

func (c catalogue) selected() (scenarios.Check, bool) {
	if c.sel < 0 || c.sel >= len(c.visible) {
		return scenarios.Check{}, false
	}
	return c.checks[c.visible[c.sel]], true
}

func (c *catalogue) move(delta int) {
	c.sel = min(max(c.sel+delta, 0), max(len(c.visible)-1, 0))
}

// selectID selects the check with this ID if it is visible.
func (c *catalogue) selectID(id string) bool {
	for i, idx := range c.visible {
		if c.checks[idx].ID == id {
			c.sel = i
			return true
		}
	}
	return false
}

// SetSize sets the pane's size in cells.
func (c *catalogue) SetSize(w, h int) { c.width, c.height = w, h }

// counts tallies the verdicts of the rows of one group (all groups when group is "").
func (c catalogue) counts(group scenarios.Group) map[verdict]int {
	n := map[verdict]int{}
	for _, ch := range c.checks {
		if group == "" || ch.Group == group {
			n[c.verdict[ch.ID]]++
		}
	}
	return n
}

// View draws the pane: optional filter line, then flow headings and check rows, scrolled so the
// selection stays in view.
func (c catalogue) View() string {
	s := c.styles
	var lines []string
	selLine := -1
	group := scenarios.Group("")
	for i, idx := range c.visible {
		ch := c.checks[idx]
		if ch.Group != group {
			group = ch.Group
			lines = append(lines, c.heading(group))
		}
		v := c.verdict[ch.ID]
		id := strings.TrimPrefix(ch.ID, string(ch.Group)+"/")
		row := " " + v.mark() + " " + id
		if w := c.width - ansi.StringWidth(row) - 3; w >= 16 {
			row += "  " + s.Dim.Render(ansi.Truncate(ch.Title, w, "…"))
		}
		row = fit(row, c.width)
		if i == c.sel {
			selLine = len(lines)
			if c.focused {
				row = s.Selected.Render(ansi.Strip(row))
			} else {
				row = s.Group.Render(ansi.Strip(row))
			}
		} else {
			mark := s.verdict(v).Render(v.mark())
			row = strings.Replace(row, v.mark(), mark, 1)
		}
		lines = append(lines, row)
	}
	if len(c.visible) == 0 {
		lines = append(lines, s.Dim.Render(fit(" no check matches the filter", c.width)))
	}
	h := c.height
	var top []string
	if c.editing || c.filter.Value() != "" {
		top = append(top, fit(c.filter.View(s), c.width))
		h--
	}
	offset := 0
	if selLine >= h {
		offset = selLine - h + 1
	}
	offset = min(offset, max(len(lines)-h, 0))
	end := min(offset+h, len(lines))
	out := append(top, lines[offset:end]...)
	for len(out) < c.height {
		out = append(out, strings.Repeat(" ", c.width))
	}
	return strings.Join(out, "\n")
}

func (c catalogue) heading(group scenarios.Group) string {
	s := c.styles
	n := c.counts(group)
	total := 0
	for _, k := range n {
		total += k
	}
	summary := fmt.Sprintf("%d/%d pass", n[vPass], total)
	if n[vFail] > 0 {
		summary += fmt.Sprintf(" · %d fail", n[vFail])
	}
	if n[vWarn] > 0 {
		summary += fmt.Sprintf(" · %d warn", n[vWarn])
	}
	if n[vError] > 0 {
		summary += fmt.Sprintf(" · %d err", n[vError])
	}
	name := string(group)
	pad := c.width - ansi.StringWidth(name) - ansi.StringWidth(summary) - 1
	if pad < 1 {
		return fit(s.Group.Render(name), c.width)
	}
	return s.Group.Render(name) + strings.Repeat(" ", pad) + s.Dim.Render(summary) + " "
}

// fit truncates s to w cells and pads it with spaces to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}
