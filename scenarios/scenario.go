package scenarios

import (
	"net/url"
	"strings"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// ScenarioID names a scenario. Each is a constant declared once, beside the script that runs it
// (the *_scripts.go files), and a check names the scenario that decides it by that constant: a
// renamed or deleted scenario is a compile error, not a check that silently never runs. The
// value is what reports and events carry ("partner/install").
type ScenarioID string

// StepName names a step of a scenario. A script names its steps, and a judge finds them, by the
// same constants (declared with the group's scripts, or below for the steps every install has),
// so a step renamed in one place is a compile error rather than a check that skips. The value is
// what reports show ("finalize (no code)"). Steps that come in numbers ("finalize (503)",
// "start #2") share a prefix constant, which the judge selects them by (Observation.StepsNamed).
type StepName string

// The steps of every marketplace install.
const (
	stepAuthorize StepName = "authorize" // step=authorize and the partner's sign-in, in a new window
	stepFinalize  StepName = "finalize"  // step=finalize, framed under app.hubspot.com
)

// Scenario is one scripted install that provokes one behaviour. Its run fills an Observation,
// from which each of its checks is judged.
type Scenario struct {
	ID       ScenarioID
	Group    Group
	Title    string
	Provokes string
	// Solo scenarios run alone, after the others: they attribute token requests that carry no
	// code (or an unknown one), which only works when nothing else is installing.
	Solo bool
	// CrashProne scenarios send input that may crash an endpoint (the robust probes). They run
	// after every other scenario, one at a time in catalogue order, so a crash can only affect
	// what follows it, the same way on every run; after each, the endpoint's health is probed.
	CrashProne bool
	// Waits marks a scenario that spends most of its time waiting (on a stalled token endpoint,
	// SlowExchange): the runner starts these first, so the others run while they wait.
	Waits bool
	// Applies reports whether the scenario runs against a target.
	Applies func(t Target, o Options) bool `json:"-"`
	Run     func(s *Session) error         `json:"-"`
}

// servesFlow is the Applies of the scenarios of one install flow: they run when the target
// serves it.
func servesFlow(f Flow) func(Target, Options) bool {
	return func(t Target, _ Options) bool { return t.hasFlow(f) }
}

// Observation is what a scenario saw: the steps it took, every hop, every token request it
// caused. Checks are judged from it.
type Observation struct {
	Target   Target
	Scenario ScenarioID
	Options  Options
	Steps    []*Step
	Hops     []HopRecord
	// Secrets that must never appear where the browser can see them: the client secret and
	// every token issued during the scenario.
	Secrets []string
	// States collects the states the endpoint returned (partner flow).
	States []string
	// API is what the emulator's API side served, for the set-up checks (setup.go).
	API apiSeen
	// Halt says why the scenario stopped before its last step, if it did.
	Halt string
	// Started and Duration of the whole scenario.
	Started  time.Time
	Duration time.Duration
}

// Step returns the first step with that name, or nil.
func (o *Observation) Step(name StepName) *Step {
	for _, s := range o.Steps {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// missing is the verdict of a check whose step never ran: skipped, saying why.
func (o *Observation) missing(step StepName) Outcome {
	if o.Halt != "" {
		return skip("the " + string(step) + " step never ran: " + o.Halt)
	}
	return skip("the " + string(step) + " step never ran")
}

// StepsNamed returns the steps whose name starts with prefix.
func (o *Observation) StepsNamed(prefix StepName) []*Step {
	var out []*Step
	for _, s := range o.Steps {
		if strings.HasPrefix(string(s.Name), string(prefix)) {
			out = append(out, s)
		}
	}
	return out
}

// Step is one user-visible part of an install: opening a URL in some browsing context and
// following it to its end.
type Step struct {
	Name    StepName
	Context browser.Context
	URL     string   // what was opened
	Code    string   // the authorization code it carried, if any
	Return  *url.URL // the returnUrl it carried, if any
	Page    *browser.Page
	Err     error
	Hops    []HopRecord
	// Exchanges are the token requests for Code seen by the end of the observe window.
	Exchanges []emulator.Event
	// Orphans are token requests with no known code seen during the step (solo scenarios only).
	Orphans []emulator.Event
	// State and Scope returned to HubSpot at the end of a sign-in.
	State, Scope string
	// CredentialHop is the Seq of the hop that answered the sign-in form's POST, if any.
	CredentialHop int
	// Note explains how the step ended when it ended early.
	Note     string
	Started  time.Time
	Duration time.Duration
}
