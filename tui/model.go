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
	"time"

	"github.com/charmbracelet/bubbles/help"
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
			affected[string(ch.Scenario)] = true
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
		tl = m.timelines[timelineKey(r.Target, string(c.Scenario))]
	}
	if tl == nil {
		var keys []string
		for k, t := range m.timelines {
			if t.scenario == string(c.Scenario) {
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
		if r, ok := m.results[ch.ID]; ok && string(ch.Scenario) == tl.scenario && r.Target == tl.target {
			rs = append(rs, r)
		}
	}
	return tl, rs
}
