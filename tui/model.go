// Package tui is hsemu's terminal UI: HubSpot's install flow as it happens. It shows the check
// catalogue with live verdicts, the selected scenario as a timeline of hops, the detail of one
// hop or one check, and the emulator's own traffic. It only consumes the runner's events and
// sends commands: every verdict comes from the scenarios package, never from here.
//
// The root Model is an explicit screen plus a focused pane that routes keys (glow's ui/,
// soft-serve's pkg/ui); all I/O happens in tea.Cmds; the run's events arrive on a channel that
// is re-armed after each message (bubbletea examples/realtime), so Update never blocks.
package tui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// Config sets up a Model.
type Config struct {
	// Backend starts emulators and runs the catalogue (NewLocal in the hsemu command).
	Backend Backend
	// Choice is the target preselected by the command line (the reference when zero).
	Choice Choice
	// Custom prefills the custom target form.
	Custom CustomFields
	// EmulatorAddr is where a custom target's emulator listens, shown in the form.
	EmulatorAddr string
	// Profile, Strict, Only and Skip are the run options the backend uses; the catalogue pane
	// lists the checks they select, and labels SHOULD failures as they do.
	Profile    scenarios.Profile
	Strict     bool
	Only, Skip []string
	// AutoRun runs every check as soon as the program starts.
	AutoRun bool
	// ReportDir is where `c` writes a check's report ("." when empty).
	ReportDir string
	// Location is the time zone of the log pane's times (time.Local when nil).
	Location *time.Location
	// Renderer draws the styles (lipgloss's default renderer when nil; it honours NO_COLOR).
	Renderer *lipgloss.Renderer
	// Bugs lists the broken variants the target picker offers (reference.Bugs() when nil).
	Bugs []reference.Bug
}

// screen is what fills the terminal.
type screen int

const (
	screenMain screen = iota
	screenCheck
	screenHop
	screenPicker
	screenForm
	screenHelp
)

// pane is the focused pane of the main screen.
type pane int

const (
	paneChecks pane = iota
	paneTimeline
	paneLog
	paneCount
)

// Model is the root model of the TUI.
type Model struct {
	// KeyMap holds the keys; the help is generated from it.
	KeyMap KeyMap
	// Styles are built once, in New.
	Styles Styles

	cfg    Config
	choice Choice
	emu    map[string]Emulator // by harness kind key, once started
	emuErr error

	width, height int
	screen        screen
	focus         pane
	help          help.Model
	detail        viewport.Model
	detailHop     *item  // the hop or request the hop screen shows
	detailText    string // what the detail screen shows, colour and all

	cat       catalogue
	results   map[string]scenarios.Result
	timelines map[string]*timeline
	hopSel    int
	hopFor    string // timeline key hopSel belongs to
	log       trafficLog
	picker    picker
	form      form

	// The run under way (runID != 0 while its goroutine lives).
	runID, lastID  int
	cancel         context.CancelFunc
	stale          bool // the run was cancelled: drop its events
	runKey         string
	scope          map[string]bool // check IDs the run decides (nil: all)
	decided, total int
	report         *scenarios.Report
	runErr         error
	pendingRunAll  bool
	status         string
	quitting       bool
}

// New returns the TUI's root model.
func New(cfg Config) Model {
	if cfg.Profile == "" {
		cfg.Profile = scenarios.ProfileDev
	}
	if cfg.ReportDir == "" {
		cfg.ReportDir = "."
	}
	if cfg.Bugs == nil {
		cfg.Bugs = reference.Bugs()
	}
	if cfg.EmulatorAddr == "" {
		cfg.EmulatorAddr = emulator.DefaultAddr
	}
	st := NewStyles(cfg.Renderer)
	h := help.New()
	h.Styles.ShortKey = st.Label
	h.Styles.ShortDesc = st.Help
	h.Styles.ShortSeparator = st.Help
	h.Styles.FullKey = st.Label
	h.Styles.FullDesc = st.Help
	h.Styles.FullSeparator = st.Help
	h.Styles.Ellipsis = st.Help
	m := Model{
		KeyMap:    DefaultKeyMap(),
		Styles:    st,
		cfg:       cfg,
		choice:    cfg.Choice,
		emu:       map[string]Emulator{},
		help:      h,
		detail:    viewport.New(80, 20),
		cat:       newCatalogue(scenarios.Select(scenarios.Catalogue(cfg.Profile), cfg.Only, cfg.Skip)),
		results:   map[string]scenarios.Result{},
		timelines: map[string]*timeline{},
		log:       newTrafficLog(cfg.Location),
		picker:    newPicker(cfg.Bugs),
		form:      newForm(cfg.Custom),
		width:     80,
		height:    24,
	}
	m.picker.selectChoice(cfg.Choice)
	return m
}

// Init starts the emulator of the preselected target and, with AutoRun, the first run.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{emulatorCmd(m.cfg.Backend, m.choice)}
	if m.cfg.AutoRun {
		cmds = append(cmds, func() tea.Msg { return runAllMsg{} })
	}
	return tea.Batch(cmds...)
}

// Report is the report of the last finished run, nil before one finished.
func (m Model) Report() *scenarios.Report { return m.report }

// Result is the latest result of a check, if it was decided.
func (m Model) Result(id string) (scenarios.Result, bool) {
	r, ok := m.results[id]
	return r, ok
}

// Running reports whether a run is under way.
func (m Model) Running() bool { return m.runID != 0 }

// Choice is the current target.
func (m Model) Choice() Choice { return m.choice }

// Err is the error of the last run, if the harness could not run it.
func (m Model) Err() error { return m.runErr }

func (m Model) harnessKey(c Choice) string {
	if c.Kind == Custom {
		return "custom"
	}
	return "reference"
}

// Update routes a message: I/O results update the run state; keys go to the current screen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.setSize(msg.Width, msg.Height)
	case runAllMsg:
		cmd = m.startRun(runAll)
	case runMsg:
		if msg.id == m.runID && !m.stale {
			m.apply(msg.ev)
		}
		cmd = waitRun(msg.ch)
	case runEndMsg:
		cmd = m.endRun(msg)
	case emulatorMsg:
		cmd = m.emulatorUp(msg)
	case trafficMsg:
		m.log.add(msg.key, msg.ev, "")
		cmd = waitTraffic(msg.key, msg.ch)
	case copiedMsg:
		if msg.err != nil {
			m.status = "✗ " + msg.err.Error()
		} else {
			m.status = "wrote " + msg.path
		}
	case tea.KeyMsg:
		cmd = m.key(msg)
	default:
		if m.cat.editing {
			m.cat.filter, cmd = m.cat.filter.Update(msg)
		} else if m.screen == screenForm {
			m.form, cmd = m.form.update(msg)
		}
	}
	if tl, _ := m.selectedTimeline(); tl != nil {
		if k := timelineKey(tl.target, tl.scenario); k != m.hopFor {
			m.hopFor, m.hopSel = k, 0
		}
	}
	m.refreshDetail()
	return m, cmd
}

func (m *Model) setSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 8)
	m.help.Width = m.width
	m.detail.Width = m.width
	m.detail.Height = m.height - 2
	m.form.setWidth(m.width)
}

type runMode int

const (
	runAll runMode = iota
	runSelected
	runFailed
)

// startRun begins a run of every check, the selected check's scenario, or the failed checks.
func (m *Model) startRun(mode runMode) tea.Cmd {
	if m.runID != 0 {
		if m.stale {
			m.pendingRunAll = mode == runAll
		} else {
			m.status = "a run is under way: wait for it to finish"
		}
		return nil
	}
	var only []string
	switch mode {
	case runSelected:
		c, ok := m.cat.selected()
		if !ok {
			m.status = "no check selected"
			return nil
		}
		for _, ch := range m.cat.checks {
			if ch.Scenario == c.Scenario {
				only = append(only, ch.ID)
			}
		}
	case runFailed:
		for _, ch := range m.cat.checks {
			switch m.cat.verdict[ch.ID] {
			case vFail, vWarn, vError:
				only = append(only, ch.ID)
			}
		}
		if len(only) == 0 {
			m.status = "nothing failed: press a to run every check"
			return nil
		}
	}
	m.scope = nil
	if only != nil {
		m.scope = map[string]bool{}
		for _, id := range only {
			m.scope[id] = true
		}
	}
	affected := map[string]bool{}
	for _, ch := range m.cat.checks {
		if m.scope == nil || m.scope[ch.ID] {
			m.cat.verdict[ch.ID] = vPending
			delete(m.results, ch.ID)
			affected[ch.Scenario] = true
		}
	}
	for k, tl := range m.timelines {
		if affected[tl.scenario] {
			delete(m.timelines, k)
		}
	}
	m.lastID++
	m.runID = m.lastID
	m.stale = false
	m.runKey = m.harnessKey(m.choice)
	m.decided, m.total, m.runErr = 0, len(only), nil
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	switch mode {
	case runAll:
		m.status = "running every check against " + m.choice.String()
	case runSelected:
		m.status = fmt.Sprintf("running scenario %s", m.cat.checks[m.cat.visible[m.cat.sel]].Scenario)
	case runFailed:
		m.status = fmt.Sprintf("running %d failed checks again", len(only))
	}
	return runCmd(ctx, m.cfg.Backend, m.runID, m.choice, only)
}

// apply folds one event of the current run into the model.
func (m *Model) apply(ev scenarios.Event) {
	switch ev := ev.(type) {
	case scenarios.RunStarted:
		m.total = ev.Results
		if m.scope == nil {
			m.cat.setChecks(sortByCatalogue(ev.Checks))
		}
	case scenarios.ScenarioStarted:
		m.timelines[timelineKey(ev.Target, ev.Scenario)] = &timeline{target: ev.Target, scenario: ev.Scenario, running: true}
		for _, id := range ev.Checks {
			if _, decided := m.results[id]; !decided {
				m.cat.verdict[id] = vRunning
			}
		}
	case scenarios.HopDone:
		tl := m.timeline(ev.Target, ev.Hop.Scenario)
		hop := ev.Hop
		tl.addHop(&hop)
	case scenarios.Traffic:
		m.log.add(m.runKey, ev.Event, ev.Scenario)
		if ev.Scenario != "" {
			e := ev.Event
			m.timeline(ev.Target, ev.Scenario).addAPI(&e)
		}
	case scenarios.CheckDone:
		// A check decided for several targets (the robust checks, once per install flow)
		// shows its worst result: unknown < skip < pass < fail < error.
		r := ev.Result
		// Results of the checks a run decides are cleared when it starts (startRun).
		if prev, ok := m.results[r.Check.ID]; !ok || r.Outcome.Status > prev.Outcome.Status {
			m.results[r.Check.ID] = r
		}
		m.cat.verdict[r.Check.ID] = verdictOf(m.results[r.Check.ID], m.cfg.Strict)
		m.decided++
	case scenarios.ScenarioDone:
		tl := m.timeline(ev.Target, ev.Scenario)
		tl.running, tl.duration, tl.err = false, ev.Duration, ev.Err
	case scenarios.RunDone:
		m.report = ev.Report
	}
	if m.cat.filter.Value() != "" {
		m.cat.refilter()
	}
}

func (m *Model) timeline(target, scenario string) *timeline {
	k := timelineKey(target, scenario)
	tl, ok := m.timelines[k]
	if !ok {
		tl = &timeline{target: target, scenario: scenario}
		m.timelines[k] = tl
	}
	return tl
}

// endRun closes the current run and starts the one waiting for it, if any.
func (m *Model) endRun(msg runEndMsg) tea.Cmd {
	if msg.id != m.runID {
		return nil
	}
	stale := m.stale
	m.runID, m.cancel, m.stale = 0, nil, false
	if !stale {
		for id, v := range m.cat.verdict {
			if v == vRunning {
				m.cat.verdict[id] = vPending
			}
		}
		switch {
		case msg.err != nil && msg.rep == nil:
			m.runErr = msg.err
			m.status = "✗ the run could not start: " + msg.err.Error()
		case msg.rep != nil:
			c := msg.rep.Counts()
			m.status = fmt.Sprintf("done in %s: %d passed, %d failed, %d warned, %d errors, %d skipped",
				msg.rep.Finished.Sub(msg.rep.Started).Round(time.Millisecond), c.Pass, c.Fail, c.Warn, c.Error, c.Skip)
			if c.Fail > 0 {
				m.status += " — enter on a ✗ for the reason and the fix"
			}
		}
	}
	if m.pendingRunAll {
		m.pendingRunAll = false
		return m.startRun(runAll)
	}
	return nil
}

// emulatorUp starts listening to a newly started emulator's traffic.
func (m *Model) emulatorUp(msg emulatorMsg) tea.Cmd {
	if msg.err != nil {
		m.emuErr = msg.err
		m.status = "✗ " + msg.err.Error()
		return nil
	}
	if _, ok := m.emu[msg.emu.Key]; ok {
		return nil
	}
	m.emu[msg.emu.Key] = msg.emu
	if msg.emu.Traffic == nil {
		return nil
	}
	return waitTraffic(msg.emu.Key, msg.emu.Traffic)
}

// switchTarget points the TUI at c: the results are cleared and every check runs against it
// (after a run under way has stopped).
func (m *Model) switchTarget(c Choice) tea.Cmd {
	m.choice = c
	m.screen = screenMain
	m.results = map[string]scenarios.Result{}
	m.timelines = map[string]*timeline{}
	m.cat.verdict = map[string]verdict{}
	m.cat.setChecks(scenarios.Select(scenarios.Catalogue(m.cfg.Profile), m.cfg.Only, m.cfg.Skip))
	m.report = nil
	m.emuErr = nil
	cmds := []tea.Cmd{emulatorCmd(m.cfg.Backend, c)}
	if m.runID != 0 {
		m.cancel()
		m.stale = true
		m.pendingRunAll = true
		m.status = "stopping the run under way…"
	} else {
		cmds = append(cmds, m.startRun(runAll))
	}
	return tea.Batch(cmds...)
}

// selectedTimeline is the timeline of the selected check's scenario: the one that decided its
// result, else any target's run of that scenario.
func (m Model) selectedTimeline() (*timeline, []scenarios.Result) {
	c, ok := m.cat.selected()
	if !ok {
		return nil, nil
	}
	var tl *timeline
	if r, ok := m.results[c.ID]; ok {
		tl = m.timelines[timelineKey(r.Target, c.Scenario)]
	}
	if tl == nil {
		var keys []string
		for k, t := range m.timelines {
			if t.scenario == c.Scenario {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		if len(keys) > 0 {
			tl = m.timelines[keys[0]]
		}
	}
	if tl == nil {
		return nil, nil
	}
	var rs []scenarios.Result
	for _, ch := range m.cat.checks {
		if r, ok := m.results[ch.ID]; ok && ch.Scenario == tl.scenario && r.Target == tl.target {
			rs = append(rs, r)
		}
	}
	return tl, rs
}

// key routes a key press to the current screen.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.KeyMap
	if msg.Type == tea.KeyCtrlC {
		return m.quit()
	}
	switch m.screen {
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
		default:
			var cmd tea.Cmd
			m.detail, cmd = m.detail.Update(msg)
			return cmd
		}
		return nil
	}
	if m.cat.editing {
		switch msg.Type {
		case tea.KeyEnter:
			m.cat.editing = false
			m.cat.filter.Blur()
		case tea.KeyEsc:
			m.cat.editing = false
			m.cat.filter.Blur()
			m.cat.filter.SetValue("")
			m.cat.refilter()
		default:
			var cmd tea.Cmd
			m.cat.filter, cmd = m.cat.filter.Update(msg)
			m.cat.refilter()
			return cmd
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.screen = screenHelp
	case key.Matches(msg, k.Filter):
		m.focus = paneChecks
		m.cat.editing = true
		m.cat.filter.Focus()
	case key.Matches(msg, k.Back):
		if m.cat.filter.Value() != "" {
			m.cat.filter.SetValue("")
			m.cat.refilter()
		}
	case key.Matches(msg, k.NextPane):
		m.focus = (m.focus + 1) % paneCount
	case key.Matches(msg, k.PrevPane):
		m.focus = (m.focus + paneCount - 1) % paneCount
	case key.Matches(msg, k.Up):
		m.moveSelection(-1)
	case key.Matches(msg, k.Down):
		m.moveSelection(1)
	case key.Matches(msg, k.PageUp):
		m.moveSelection(-10)
	case key.Matches(msg, k.PageDown):
		m.moveSelection(10)
	case key.Matches(msg, k.Open):
		m.open()
	case key.Matches(msg, k.RunAll):
		return m.startRun(runAll)
	case key.Matches(msg, k.RunSelected):
		return m.startRun(runSelected)
	case key.Matches(msg, k.RunFailed):
		return m.startRun(runFailed)
	case key.Matches(msg, k.Target):
		m.picker.selectChoice(m.choice)
		m.screen = screenPicker
	case key.Matches(msg, k.Copy):
		return m.copySelected()
	}
	return nil
}

func (m *Model) quit() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.quitting = true
	return tea.Quit
}

func (m *Model) moveSelection(d int) {
	switch m.focus {
	case paneChecks:
		m.cat.move(d)
	case paneTimeline:
		tl, _ := m.selectedTimeline()
		if tl != nil {
			m.hopSel = min(max(m.hopSel+d, 0), max(len(tl.ordered())-1, 0))
		}
	case paneLog:
		m.log.scroll(-d)
	}
}

// open shows the detail of the focused thing: a check, or a hop of the timeline.
func (m *Model) open() {
	switch m.focus {
	case paneChecks:
		if _, ok := m.cat.selected(); ok {
			m.screen = screenCheck
			m.detail.GotoTop()
		}
	case paneTimeline:
		tl, _ := m.selectedTimeline()
		if tl == nil {
			return
		}
		if items := tl.ordered(); m.hopSel < len(items) {
			it := items[m.hopSel]
			m.detailHop = &it
			m.screen = screenHop
			m.detail.GotoTop()
		}
	}
}

// OpenCheck selects the check with this ID and shows its detail; false when it is not listed.
func (m Model) OpenCheck(id string) (Model, bool) {
	if !m.cat.selectID(id) {
		return m, false
	}
	m.focus = paneChecks
	m.open()
	m.refreshDetail()
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
	}
	var cmd tea.Cmd
	m.form, cmd = m.form.update(msg)
	return cmd
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
		m.setDetail(checkDetail(m.Styles, c, res, m.cfg.Strict, w))
	case screenHop:
		if m.detailHop == nil {
			m.screen = screenMain
			return
		}
		if m.detailHop.hop != nil {
			_, rs := m.selectedTimeline()
			m.setDetail(hopDetail(m.Styles, *m.detailHop.hop, rs, m.cfg.Strict, w))
		} else {
			m.setDetail(apiDetail(m.Styles, *m.detailHop.api, w))
		}
	}
}

func (m *Model) setDetail(s string) {
	if s != m.detailText {
		m.detailText = s
		m.detail.SetContent(s)
	}
}

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
	right := ""
	switch {
	case m.runID != 0 && m.stale:
		right = s.Running.Render("stopping…")
	case m.runID != 0:
		right = s.Running.Render(fmt.Sprintf("● running %d/%d", m.decided, m.total))
	case m.report != nil:
		if m.report.Failed() {
			right = s.Fail.Render("✗ FAIL")
		} else if m.report.Errored() {
			right = s.ErrorStatus.Render("‼ ERROR")
		} else {
			right = s.Pass.Render("✓ PASS")
		}
	}
	pad := m.width - lipgloss.Width(left) - lipgloss.Width(right) - 1
	if pad < 1 {
		return fit(left, m.width-lipgloss.Width(right)-1) + right + " "
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
	leftW, rightW, paneH, logH := m.layout()
	n := m.cat.counts("")
	total := 0
	for _, k := range n {
		total += k
	}
	leftTitle := fmt.Sprintf("Checks %d/%d", n[vPass]+n[vWarn], total)
	if n[vFail] > 0 {
		leftTitle += fmt.Sprintf(" · %d failed", n[vFail])
	}
	cat := m.cat
	cat.SetSize(leftW, paneH)
	left := m.paneTitle(leftTitle, paneChecks, leftW) + "\n" + cat.View(s, m.focus == paneChecks)

	tl, rs := m.selectedTimeline()
	var right string
	if tl == nil {
		c, _ := m.cat.selected()
		hint := "  press a to run every check"
		if m.runID != 0 {
			hint = "  waiting for " + c.Scenario + " to start…"
		}
		right = m.paneTitle("Timeline · "+c.Scenario, paneTimeline, rightW) + "\n" + window([]string{s.Dim.Render(fit(hint, rightW))}, -1, rightW, paneH)
	} else {
		sel := -1
		if m.focus == paneTimeline {
			sel = m.hopSel
		}
		title := fmt.Sprintf("Timeline · %s · %s", tl.scenario, tl.target)
		if !tl.running && tl.duration > 0 {
			title += " · " + ms(tl.duration)
		}
		right = m.paneTitle(title, paneTimeline, rightW) + "\n" + tl.view(s, rs, m.cfg.Strict, sel, rightW, paneH)
	}
	sep := strings.TrimSuffix(strings.Repeat(s.Separator.Render("│")+"\n", paneH+1), "\n")
	top := lipgloss.JoinHorizontal(lipgloss.Top, left, sep, right)

	hint := "no requests yet: the token exchanges and API calls your endpoint makes show here"
	if m.choice.Kind == Custom {
		if e, ok := m.emu["custom"]; ok {
			hint = "no requests yet: point your app's HubSpot API base at " + e.URL
		}
	}
	logTitle := m.paneTitle(fmt.Sprintf("HubSpot's side (emulator) · %d requests", len(m.log.entries)), paneLog, m.width)
	bottom := logTitle + "\n" + m.log.view(s, m.width, logH, hint)
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
		s.Group.Render("Panes"),
		"  Checks: the catalogue by flow. Timeline: the selected check's scenario, hop by hop —",
		"  who talks to whom, method, URL, status, time, and the checks decided at each hop.",
		"  HubSpot's side: every request the emulator (HubSpot's OAuth server and API) served.",
	)
	for i := range lines {
		lines[i] = fit(lines[i], m.width)
	}
	return window(lines, -1, m.width, h)
}
