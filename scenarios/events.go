package scenarios

import (
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// Event is what a run streams to its sinks (the TUI, go test, the CLI reporters) as it happens.
// One producer, many sinks: sinks show events and never re-derive verdicts.
type Event interface{ isEvent() }

// RunStarted opens a run: which targets, which checks will be decided.
type RunStarted struct {
	At      time.Time
	Targets []string
	// Checks are the checks the run decides, each once, in catalogue order.
	Checks []Check
	// Results is how many results the run will report: a check that applies to several targets
	// (the robust checks, for each install flow) is decided once per target.
	Results int
}

// ScenarioStarted says a scenario began against a target.
type ScenarioStarted struct {
	At       time.Time
	Target   string
	Scenario string
	Checks   []string // the IDs it decides
}

// HopDone is one hop of the virtual browser (an HTTP exchange or a user action).
type HopDone struct {
	Target string
	Hop    HopRecord
}

// Traffic is one request the emulator (HubSpot's OAuth server and API) served.
type Traffic struct {
	Event emulator.Event
	// Target and Scenario name the scenario the request belongs to, when it could be attributed.
	Target, Scenario string
}

// CheckDone carries a decided check.
type CheckDone struct {
	Result Result
}

// ScenarioDone closes a scenario.
type ScenarioDone struct {
	Target   string
	Scenario string
	Duration time.Duration
	Err      error // the harness broke (the checks it decides are errors)
}

// RunDone closes a run with its report.
type RunDone struct {
	Report *RunReport
}

func (RunStarted) isEvent()      {}
func (ScenarioStarted) isEvent() {}
func (HopDone) isEvent()         {}
func (Traffic) isEvent()         {}
func (CheckDone) isEvent()       {}
func (ScenarioDone) isEvent()    {}
func (RunDone) isEvent()         {}

// HopRecord is a browser hop with the scenario and step it belongs to.
type HopRecord struct {
	Scenario string
	Step     string
	browser.Hop
}
