package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/hsemu/hsemu/scenarios"
)

// key routes a key press to the current screen.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.KeyMap
	if msg.Type == tea.KeyCtrlC {
		return m.quit()
	}
	switch m.screen {
	case screenMain:
		// Handled below, once a filter being edited has had its keys.
	case screenForm:
		return m.formKey(msg)
	case screenPicker:
		switch {
		case key.Matches(msg, k.Up):
			m.picker.move(-1)
		case key.Matches(msg, k.Down):
			m.picker.move(1)
		case key.Matches(msg, k.Open):
			c := m.picker.options[m.picker.sel].choice
			if c.Kind == Custom {
				m.screen = screenForm
				m.form.err = ""
				return nil
			}
			return m.switchTarget(c)
		case key.Matches(msg, k.Back):
			m.screen = screenMain
		case key.Matches(msg, k.Quit):
			return m.quit()
		}
		return nil
	case screenHelp:
		switch {
		case key.Matches(msg, k.Quit):
			return m.quit()
		case key.Matches(msg, k.Back), key.Matches(msg, k.Help):
			m.screen = screenMain
		}
		return nil
	case screenCheck, screenHop:
		switch {
		case key.Matches(msg, k.Quit):
			return m.quit()
		case key.Matches(msg, k.Back):
			m.screen = screenMain
		case key.Matches(msg, k.Help):
			m.screen = screenHelp
		case key.Matches(msg, k.Copy):
			return m.copySelected()
		case key.Matches(msg, k.RunAll):
			return m.startRun(runAll)
		case key.Matches(msg, k.RunSelected):
			return m.startRun(runSelected)
		case key.Matches(msg, k.RunFailed):
			return m.startRun(runFailed)
		case key.Matches(msg, k.Engine):
			return m.switchEngine()
		default:
			var cmd tea.Cmd
			m.detail, cmd = m.detail.Update(msg)
			return cmd
		}
		return nil
	}
	if m.cat.editing {
		var cmd tea.Cmd
		m.cat, cmd = m.cat.Update(msg)
		return cmd
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.screen = screenHelp
	case key.Matches(msg, k.Filter):
		m.focus = paneChecks
		m.cat.editFilter()
	case key.Matches(msg, k.Back):
		var cmd tea.Cmd
		m.cat, cmd = m.cat.Update(msg) // clears the filter
		return cmd
	case key.Matches(msg, k.NextPane):
		m.focus = pane((int(m.focus) + 1) % paneCount)
	case key.Matches(msg, k.PrevPane):
		m.focus = pane((int(m.focus) + paneCount - 1) % paneCount)
	case key.Matches(msg, k.Open):
		m.open()
	case key.Matches(msg, k.RunAll):
		return m.startRun(runAll)
	case key.Matches(msg, k.RunSelected):
		return m.startRun(runSelected)
	case key.Matches(msg, k.RunFailed):
		return m.startRun(runFailed)
	case key.Matches(msg, k.Engine):
		return m.switchEngine()
	case key.Matches(msg, k.Target):
		m.picker.selectChoice(m.choice)
		m.screen = screenPicker
	case key.Matches(msg, k.Copy):
		return m.copySelected()
	case key.Matches(msg, k.Uninstall):
		return m.uninstall()
	default:
		return m.updateFocused(msg)
	}
	return nil
}

// updateFocused hands a message to the focused pane.
func (m *Model) updateFocused(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.focus {
	case paneChecks:
		m.cat, cmd = m.cat.Update(msg)
	case paneTimeline:
		m.timeline, cmd = m.timeline.Update(msg)
	case paneLog:
		m.log, cmd = m.log.Update(msg)
	}
	return cmd
}

func (m *Model) quit() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.quitting = true
	return tea.Quit
}

// open shows the detail of the focused thing: a check, or a hop of the timeline.
func (m *Model) open() {
	switch m.focus {
	case paneChecks:
		if _, ok := m.cat.selected(); ok {
			m.screen = screenCheck
			m.refreshDetail()
			m.detail.gotoTop()
		}
	case paneTimeline:
		if it, ok := m.timeline.selected(); ok {
			m.detailHop = &it
			m.detailKey = timelineKey(m.timeline.tl.target, m.timeline.tl.scenario)
			m.screen = screenHop
			m.refreshDetail()
			m.detail.gotoTop()
		}
	case paneLog:
		// The log has no detail screen: each request is opened from the timeline.
	}
}

// OpenCheck selects the check with this ID and shows its detail; false when it is not listed.
func (m Model) OpenCheck(id string) (Model, bool) {
	if !m.cat.selectID(id) {
		return m, false
	}
	m.focus = paneChecks
	m.sync()
	m.open()
	return m, true
}

func (m *Model) copySelected() tea.Cmd {
	c, ok := m.cat.selected()
	if !ok {
		return nil
	}
	res, ok := m.results[c.ID]
	if !ok {
		m.status = "no result for " + c.ID + " yet: run it first (r)"
		return nil
	}
	return copyCmd(m.cfg.ReportDir, res, m.report)
}

// formKey handles the custom target form: arrows and tab move between fields, enter runs.
func (m *Model) formKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		m.screen = screenPicker
		return nil
	case tea.KeyTab, tea.KeyDown:
		m.form.setFocus(m.form.focus + 1)
		return nil
	case tea.KeyShiftTab, tea.KeyUp:
		m.form.setFocus(m.form.focus - 1)
		return nil
	case tea.KeyEnter:
		t, err := m.form.fields().Target()
		if err != nil {
			m.form.err = err.Error()
			return nil
		}
		m.form.err = ""
		t.Name = t.InstallURL
		return m.switchTarget(Choice{Kind: Custom, Target: t})
	default:
		var cmd tea.Cmd
		m.form, cmd = m.form.update(msg)
		return cmd
	}
}

// refreshDetail re-renders an open detail screen, so it follows the run live.
func (m *Model) refreshDetail() {
	w := m.width
	switch m.screen {
	case screenCheck:
		c, ok := m.cat.selected()
		if !ok {
			m.screen = screenMain
			return
		}
		var res *scenarios.Result
		if r, ok := m.results[c.ID]; ok {
			res = &r
		}
		engine := ""
		if res != nil {
			engine = m.decidedBy[resultKey(*res)]
		}
		m.detail.setContent(checkDetail(m.Styles, c, res, engine, m.cfg.Strict, w))
	case screenHop:
		if m.detailHop == nil {
			m.screen = screenMain
			return
		}
		if m.detailHop.hop != nil {
			rs := m.timelineResults(m.timelines[m.detailKey])
			m.detail.setContent(hopDetail(m.Styles, *m.detailHop.hop, rs, m.cfg.Strict, w))
		} else {
			m.detail.setContent(apiDetail(m.Styles, *m.detailHop.api, w))
		}
	case screenMain, screenPicker, screenForm, screenHelp:
		// No detail is open.
	}
}

// uninstall uninstalls the target's app from the portals it is installed in (the last runs'),
// so the app's uninstall handling can be tried: the emulator journals HubSpot's uninstall event
// and the app's tokens stop working.
func (m *Model) uninstall() tea.Cmd {
	if m.Running() {
		m.status = "a run is under way: uninstall when it ends"
		return nil
	}
	m.status = "uninstalling " + m.choice.String() + "…"
	return uninstallCmd(m.cfg.Backend, m.choice)
}

// uninstallStatus is the status line after an uninstall.
func uninstallStatus(msg uninstalledMsg) string {
	switch {
	case msg.err != nil:
		return "✗ " + msg.err.Error()
	case msg.n == 0:
		return "the app is installed in no portal yet: run an install first (a)"
	default:
		return fmt.Sprintf("uninstalled the app from %d portal(s): HubSpot's uninstall event is in the webhooks journal, and its tokens no longer work", msg.n)
	}
}
