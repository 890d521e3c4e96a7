// Package tui is hsemu's terminal UI: HubSpot's install flow as it happens. It shows the check
// catalogue with live verdicts, the selected scenario as a timeline of hops, the detail of one
// hop or one check, and the emulator's own traffic. It only consumes the runner's events and
// sends commands: every verdict it shows is one the run made (a check's Outcome, a page's
// framing verdict in Outcome.Frames), and several targets' results are combined by
// scenarios.PerCheck, never here.
//
// The root Model is an explicit screen plus a focused pane that routes keys (glow's ui/,
// soft-serve's pkg/ui); each pane is a component in the bubbles manner (Update returning its
// own type, View, SetSize). All I/O happens in tea.Cmds; the run's events, the emulator's
// traffic among them, arrive on one channel that is re-armed after each message (bubbletea
// examples/realtime), so Update never blocks.
package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
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
	// Profile, Strict, Only, Skip and Repeat are the run options the backend uses; the
	// catalogue pane lists the checks they select (Repeat above 1 adds the concurrent installs'
	// checks), and labels SHOULD failures as they do.
	Profile    scenarios.Profile
	Strict     bool
	Only, Skip []string
	Repeat     int
	// Engine is the browser engine of the first run: "http" (also when empty), "chromium" or
	// "auto" (hsemu --engine); the e key cycles it. One that needs Chromium falls back to http,
	// saying how to install Chromium, when Chromium is missing.
	Engine string
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
)

// paneCount is the number of panes, for cycling the focus.
const paneCount = int(paneLog) + 1

// component is the contract every pane keeps, as bubbles components do: Update returns the
// pane's own type, View draws it, SetSize flows the window size down.
type component[T any] interface {
	Update(msg tea.Msg) (T, tea.Cmd)
	View() string
	SetSize(w, h int)
}

var (
	_ component[catalogue]    = (*catalogue)(nil)
	_ component[timelinePane] = (*timelinePane)(nil)
	_ component[trafficLog]   = (*trafficLog)(nil)
	_ component[detailPane]   = (*detailPane)(nil)
)

// Model is the root model of the TUI.
type Model struct {
	// KeyMap holds the keys; the help is generated from it.
	KeyMap KeyMap
	// Styles are built once, in New.
	Styles Styles

	cfg    Config
	choice Choice
	engine string                    // the engine of the next run
	emu    map[string]EmulatorHandle // by harness kind key, once started
	emuErr error

	width, height int
	screen        screen
	focus         pane
	help          help.Model

	// The panes.
	cat       catalogue
	timeline  timelinePane
	log       trafficLog
	detail    detailPane
	detailHop *item  // the hop or request the hop screen shows
	detailKey string // the timeline detailHop belongs to
	picker    picker
	form      form

	// What the runs reported.
	all       []scenarios.Result          // every result, one per check and target
	results   map[string]scenarios.Result // one per check: scenarios.PerCheck(all)
	timelines map[string]*timeline

	// The run under way (runID != 0 while its goroutine lives).
	runID, lastID  int
	cancel         func()
	stale          bool            // the run was cancelled: drop its events
	scope          map[string]bool // check IDs the run decides (nil: all)
	decided, total int
	runEngine      string            // the engine of the run under way, or of the last one
	phase          int               // the run's RunStarted events so far: 2 is auto's re-run in Chromium
	rerun          int               // how many checks auto re-ran in Chromium
	decidedBy      map[string]string // the engine that decided each result, by resultKey
	report         *scenarios.RunReport
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
	km := DefaultKeyMap()
	m := Model{
		KeyMap:    km,
		Styles:    st,
		cfg:       cfg,
		choice:    cfg.Choice,
		engine:    normEngine(cfg.Engine),
		decidedBy: map[string]string{},
		emu:       map[string]EmulatorHandle{},
		help:      h,
		cat:       newCatalogue(km, st, configuredChecks(cfg)),
		timeline:  newTimelinePane(km, st, cfg.Strict),
		log:       newTrafficLog(km, st, cfg.Location),
		detail:    newDetailPane(),
		results:   map[string]scenarios.Result{},
		timelines: map[string]*timeline{},
		picker:    newPicker(cfg.Bugs),
		form:      newForm(cfg.Custom),
	}
	m.picker.selectChoice(cfg.Choice)
	m.setSize(80, 24)
	m.sync()
	return m
}

// configuredChecks are the checks the configuration selects, before a run says which it decides.
func configuredChecks(cfg Config) []scenarios.Check {
	return scenarios.Select(scenarios.CatalogueFor(scenarios.Options{Profile: cfg.Profile, Repeat: cfg.Repeat}), cfg.Only, cfg.Skip)
}

// Init starts the emulator of the preselected target and, with AutoRun, the first run. An
// engine that needs Chromium is looked for first, so the first run already knows whether
// Chromium is there.
func (m Model) Init() tea.Cmd {
	var first []tea.Cmd
	if needsChromium(m.engine) {
		first = append(first, engineCmd(m.cfg.Backend, m.engine))
	}
	if m.cfg.AutoRun {
		first = append(first, func() tea.Msg { return runAllMsg{} })
	}
	return tea.Batch(emulatorCmd(m.cfg.Backend, m.choice), tea.Sequence(first...))
}

// Report is the report of the last finished run, nil before one finished.
func (m Model) Report() *scenarios.RunReport { return m.report }

// Result is the result the TUI shows for a check, if it was decided: the run's, combined over
// targets by scenarios.PerCheck.
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

// Update routes a message: I/O results update the run state; keys go to the current screen and
// its focused pane.
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
		m.emulatorUp(msg)
	case engineMsg:
		m.engineChecked(msg)
	case uninstalledMsg:
		m.status = uninstallStatus(msg)
	case copiedMsg:
		if msg.err != nil {
			m.status = "✗ " + msg.err.Error()
		} else {
			m.status = "wrote " + msg.path
		}
	case tea.KeyMsg:
		cmd = m.key(msg)
	default:
		if m.screen == screenForm {
			m.form, cmd = m.form.update(msg)
		}
	}
	m.sync()
	return m, cmd
}

// setSize flows the window size down to the panes.
func (m *Model) setSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 8)
	m.help.Width = m.width
	m.detail.SetSize(m.width, m.height-2)
	m.form.setWidth(m.width)
	leftW, rightW, paneH, logH := m.layout()
	m.cat.SetSize(leftW, paneH)
	m.timeline.SetSize(rightW, paneH)
	m.log.SetSize(m.width, logH)
}

// sync hands the panes what they show after the state changed: focus, the selected check's
// timeline with its results, the hints, and the open detail.
func (m *Model) sync() {
	main := m.screen == screenMain
	m.cat.focused = main && m.focus == paneChecks
	m.timeline.focused = main && m.focus == paneTimeline
	c, _ := m.cat.selected()
	tl := m.selectedTimeline()
	hint := "  press a to run every check"
	if m.runID != 0 {
		hint = "  waiting for " + string(c.Scenario) + " to start…"
	}
	m.timeline.show(tl, m.timelineResults(tl), hint)
	m.log.hint = "no requests yet: the token exchanges and API calls your endpoint makes during a run show here"
	if e, ok := m.emu["custom"]; ok && m.choice.Kind == Custom {
		m.log.hint = "no requests yet: point your app's HubSpot API base at " + e.URL
	}
	m.refreshDetail()
}

// emulatorUp records a newly started emulator.
func (m *Model) emulatorUp(msg emulatorMsg) {
	if msg.err != nil {
		m.emuErr = msg.err
		m.status = "✗ " + msg.err.Error()
		return
	}
	m.emu[msg.emu.Key] = msg.emu
}

// switchTarget points the TUI at c: the results are cleared and every check runs against it
// (after a run under way has stopped).
func (m *Model) switchTarget(c Choice) tea.Cmd {
	m.choice = c
	m.screen = screenMain
	m.all = nil
	m.decidedBy = map[string]string{}
	m.results = map[string]scenarios.Result{}
	m.timelines = map[string]*timeline{}
	m.cat.verdict = map[string]verdict{}
	m.cat.setChecks(configuredChecks(m.cfg))
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
