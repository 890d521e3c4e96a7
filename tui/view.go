package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// View draws the current screen in exactly width×height cells.
func (m Model) View() string {
	if m.quitting {
		return ""
	}
	var body string
	switch m.screen {
	case screenCheck, screenHop:
		title := "Check"
		if m.screen == screenHop {
			title = "Hop"
		}
		body = m.bar(title+" · esc back · c copy report") + "\n" + m.detail.View()
	case screenPicker:
		body = m.bar("Target") + "\n" + m.picker.view(m.Styles, m.width, m.height-2)
	case screenForm:
		addr := m.cfg.EmulatorAddr
		if e, ok := m.emu["custom"]; ok {
			addr = e.URL
		}
		body = m.bar("Target") + "\n" + m.form.view(m.Styles, addr, m.width, m.height-2)
	case screenHelp:
		body = m.bar("Help · esc: back") + "\n" + m.helpView(m.height-2)
	default:
		body = m.mainView()
		return lipgloss.NewStyle().MaxHeight(m.height).Render(body)
	}
	return lipgloss.NewStyle().MaxHeight(m.height).Render(body + "\n" + m.footer())
}

// bar is the top line: hsemu, the target and the run's progress.
func (m Model) bar(section string) string {
	s := m.Styles
	left := s.Header.Render(" hsemu ") + s.HeaderDim.Render("· "+section+" · ") + "target: " + m.choice.String()
	if e, ok := m.emu["custom"]; ok && m.choice.Kind == Custom {
		left += s.HeaderDim.Render(" · HubSpot API at ") + e.URL
	}
	right := s.HeaderDim.Render("engine: ") + m.engine
	switch {
	case m.runID != 0 && m.stale:
		right += s.HeaderDim.Render(" · ") + s.Running.Render("stopping…")
	case m.runID != 0:
		right += s.HeaderDim.Render(" · ") + s.Running.Render(fmt.Sprintf("● running %d/%d", m.decided, m.total))
	case m.report != nil:
		right += s.HeaderDim.Render(" · ")
		if m.report.Failed() {
			right += s.Fail.Render("✗ FAIL")
		} else if m.report.Errored() {
			right += s.ErrorStatus.Render("‼ ERROR")
		} else {
			right += s.Pass.Render("✓ PASS")
		}
	}
	pad := m.width - lipgloss.Width(left) - lipgloss.Width(right) - 1
	if pad < 1 {
		return fit(left, m.width-lipgloss.Width(right)-2) + " " + right + " "
	}
	return left + strings.Repeat(" ", pad) + right + " "
}

// layout splits the main screen: catalogue and timeline side by side, the log below.
func (m Model) layout() (leftW, rightW, paneH, logH int) {
	logH = min(max((m.height-3)/5, 2), 12)
	paneH = m.height - 3 - 1 - logH - 1 // header, footer(2), pane titles, log title
	leftW = m.width * 2 / 5
	if m.width >= 100 {
		leftW = min(leftW, 64)
	}
	leftW = max(leftW, min(30, m.width/2))
	rightW = m.width - leftW - 1
	return
}

func (m Model) paneTitle(name string, p pane, w int) string {
	st := m.Styles.PaneTitle
	marker := "  "
	if m.focus == p && m.screen == screenMain {
		st = m.Styles.FocusTitle
		marker = "▸ "
	}
	return st.Render(fit(marker+name, w))
}

func (m Model) mainView() string {
	s := m.Styles
	leftW, rightW, paneH, _ := m.layout()
	n := m.cat.counts("")
	total := 0
	for _, k := range n {
		total += k
	}
	leftTitle := fmt.Sprintf("Checks %d/%d", n[vPass]+n[vWarn], total)
	if n[vFail] > 0 {
		leftTitle += fmt.Sprintf(" · %d failed", n[vFail])
	}
	left := m.paneTitle(leftTitle, paneChecks, leftW) + "\n" + m.cat.View()

	title := "Timeline · "
	if tl := m.timeline.tl; tl != nil {
		title += tl.scenario + " · " + tl.target
		if !tl.running && tl.duration > 0 {
			title += " · " + ms(tl.duration)
		}
	} else {
		c, _ := m.cat.selected()
		title += string(c.Scenario)
	}
	right := m.paneTitle(title, paneTimeline, rightW) + "\n" + m.timeline.View()
	sep := strings.TrimSuffix(strings.Repeat(s.Separator.Render("│")+"\n", paneH+1), "\n")
	top := lipgloss.JoinHorizontal(lipgloss.Top, left, sep, right)

	logTitle := m.paneTitle(fmt.Sprintf("HubSpot's side (emulator) · %d requests", len(m.log.entries)), paneLog, m.width)
	bottom := logTitle + "\n" + m.log.View()
	return m.bar("install flow") + "\n" + top + "\n" + bottom + "\n" + m.footer()
}

func (m Model) footer() string {
	status := m.status
	if m.emuErr != nil && status == "" {
		status = "✗ " + m.emuErr.Error()
	}
	st := m.Styles.Status
	if strings.HasPrefix(status, "✗") {
		st = m.Styles.Error
		if lipgloss.Width(status)+1 > m.width {
			// An error too long for its line takes the help's line too, so that its fix is read
			// (? still lists the keys).
			lines := strings.Split(lipgloss.NewStyle().Width(m.width-1).Render(status), "\n")
			second := strings.Join(lines[1:], " ")
			return st.Render(fit(" "+lines[0], m.width)) + "\n" + st.Render(fit(" "+strings.Join(strings.Fields(second), " "), m.width))
		}
	}
	return st.Render(fit(" "+status, m.width)) + "\n" + m.help.ShortHelpView(m.KeyMap.ShortHelp())
}

func (m Model) helpView(h int) string {
	s := m.Styles
	hm := m.help
	hm.ShowAll = true
	lines := strings.Split(hm.FullHelpView(m.KeyMap.FullHelp()), "\n")
	lines = append(lines, "",
		s.Group.Render("Verdicts"),
		"  "+s.Pass.Render(vPass.mark())+"  the endpoint does what HubSpot requires",
		"  "+s.Fail.Render(vFail.mark())+"  a MUST failed: HubSpot would not accept it (enter: why and the fix)",
		"  "+s.Warn.Render(vWarn.mark())+"  a SHOULD failed (fails under --strict)",
		"  "+s.ErrorStatus.Render(vError.mark())+"  the harness or the network broke: not a verdict on the endpoint",
		"  "+s.Skip.Render(vSkip.mark())+"  did not apply, or an earlier step failed",
		"  "+s.Skip.Render(vManual.mark())+"  a MANUAL check: confirm it yourself (listing profile)",
		"",
		s.Group.Render("Engine")+" (e, next run): http is fast, runs no JavaScript; chromium is headless",
		"  Chromium; auto runs http, then Chromium for the checks http cannot decide.",
		"",
		s.Group.Render("Panes"),
		"  Checks: the catalogue by flow. Timeline: the selected check's scenario, hop by hop —",
		"  who talks to whom, method, URL, status, time, and the checks decided at each hop.",
		"  HubSpot's side: every request the emulator (HubSpot's OAuth server and API) served during a run.",
	)
	for i := range lines {
		lines[i] = fit(lines[i], m.width)
	}
	return window(lines, -1, m.width, h)
}
