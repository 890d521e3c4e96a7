package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/chromium"
	"github.com/hsemu/hsemu/scenarios/chromium/chromiumtest"
)

// These tests drive the TUI's runs in a real Chromium: few, because a catalogue run in Chromium
// costs seconds of CPU, and the suite runs three times under -race.

// waitChromium bounds how long a test waits for a run in Chromium on a loaded machine.
const waitChromium = 5 * time.Minute

// bugNamed is the broken variant of that name.
func bugNamed(t *testing.T, name string) reference.Bug {
	t.Helper()
	for _, b := range reference.Bugs() {
		if b.Name == name {
			return b
		}
	}
	t.Fatalf("no broken variant %q", name)
	return reference.Bug{}
}

// TestProgramChromiumReference: with the engine switched to chromium (e), a run of the whole
// catalogue against the reference passes every check, and the run went through Chromium.
func TestProgramChromiumReference(t *testing.T) {
	chromiumtest.Need(t)
	b := &engineLog{Backend: newTestLocal(t, testOptions())}
	tm, w := startWith(t, Config{Backend: b})
	tm.Type("e")
	tm.Type("a")
	w.awaitWithin(t, waitChromium, "the run in Chromium finished", runNDone(1))
	m := finalModel(t, tm)
	if got := b.engines(); !slices.Equal(got, []string{chromium.EngineChromium}) {
		t.Fatalf("the runs used engines %q; want one run with chromium", got)
	}
	if m.Err() != nil {
		t.Fatalf("the run failed: %v", m.Err())
	}
	requireAllPass(t, m)
	if c, ok := m.Result("seamless/install/exchanges-code"); !ok || m.decidedBy[resultKey(c)] != chromium.EngineChromium {
		t.Errorf("seamless/install/exchanges-code decided by %q; want chromium", m.decidedBy[resultKey(c)])
	}
}

// TestProgramChromiumBrokenVariant: started with --engine chromium against a variant whose
// session cookie Chrome itself keeps out of HubSpot's frame (SameSite=Lax), the run fails
// exactly the checks the variant declares. The run is limited to the variant's flow.
func TestProgramChromiumBrokenVariant(t *testing.T) {
	chromiumtest.Need(t)
	bug := bugNamed(t, "partner-cookie-lax")
	only := []string{"partner/"}
	opts := testOptions()
	opts.Only = only
	l := newTestLocal(t, opts)
	b := &engineLog{Backend: l}
	tm, w := startWith(t, Config{
		Backend: b, Choice: Choice{Kind: BrokenReference, BugName: bug.Name}, Engine: chromium.EngineChromium,
		Only: only, AutoRun: true,
	})
	w.awaitWithin(t, waitChromium, "the run in Chromium finished", runNDone(1))
	m := finalModel(t, tm)
	if got := b.engines(); !slices.Equal(got, []string{chromium.EngineChromium}) {
		t.Fatalf("the runs used engines %q; want one run with chromium", got)
	}
	if m.Report() == nil || len(m.Report().Results) == 0 {
		t.Fatalf("no results (run error %v)", m.Err())
	}
	for _, id := range bug.Fails {
		if r, ok := m.Result(id); !ok || r.Outcome.Status != scenarios.Fail {
			t.Errorf("%s: %v; want fail against %s under chromium", id, r.Outcome.Status, bug.Name)
		}
	}
	for _, r := range m.Report().Results {
		if !slices.Contains(bug.Fails, r.Check.ID) && r.Outcome.Status != scenarios.Pass {
			t.Errorf("%s (%s): %s (%s); want pass (%s breaks only %v)", r.Check.ID, r.Target, r.Outcome.Status, r.Outcome.Got, bug.Name, bug.Fails)
		}
	}
}

// TestProgramAutoRerunsInChromium: under auto, the checks the http engine cannot decide against
// a variant that returns to HubSpot only by script are run again in Chromium, within the same
// run of the TUI; Chromium's verdicts replace the undecided ones, and the detail says which
// engine decided.
func TestProgramAutoRerunsInChromium(t *testing.T) {
	chromiumtest.Need(t)
	bug := bugNamed(t, "seamless-js-return")
	only := []string{"seamless/"}
	var undecided []string
	for _, id := range bug.Errors {
		if strings.HasPrefix(id, only[0]) {
			undecided = append(undecided, id)
		}
	}
	if len(undecided) == 0 {
		t.Fatalf("%s declares no seamless check the http engine cannot decide", bug.Name)
	}
	opts := testOptions()
	opts.Only = only
	l := newTestLocal(t, opts)
	tm, w := startWith(t, Config{
		Backend: l, Choice: Choice{Kind: BrokenReference, BugName: bug.Name}, Engine: chromium.EngineAuto,
		Only: only, AutoRun: true,
	})
	w.awaitWithin(t, waitChromium, "the auto run finished", runNDone(1))
	m := finalModel(t, tm)
	rep := m.Report()
	if rep == nil {
		t.Fatalf("no report (run error %v)", m.Err())
	}
	if rep.Failed() || rep.Errored() {
		for _, r := range rep.Results {
			if r.Outcome.Status != scenarios.Pass {
				t.Logf("%s (%s): %s: %s", r.Check.ID, r.Target, r.Outcome.Status, r.Outcome.Got)
			}
		}
		t.Fatal("the auto run did not pass; want Chromium to decide what http could not, and pass it")
	}
	if m.rerun != len(undecided) {
		t.Errorf("auto re-ran %d checks in Chromium; want %d (%v)", m.rerun, len(undecided), undecided)
	}
	for _, id := range undecided {
		r, ok := m.Result(id)
		if !ok || r.Outcome.Status != scenarios.Pass {
			t.Errorf("%s: %v; want pass, decided in Chromium", id, r.Outcome.Status)
		}
		if by := m.decidedBy[resultKey(r)]; by != chromium.EngineChromium {
			t.Errorf("%s decided by %q; want chromium", id, by)
		}
	}
	if r, _ := m.Result("seamless/install/exchanges-code"); m.decidedBy[resultKey(r)] != chromium.EngineHTTP {
		t.Errorf("seamless/install/exchanges-code decided by %q; want http (it needs no script)", m.decidedBy[resultKey(r)])
	}
	dm, ok := m.OpenCheck(undecided[0])
	if !ok || !strings.Contains(strings.Join(strings.Fields(dm.detail.text), " "), "· chromium engine") {
		t.Errorf("the detail of %s does not say Chromium decided it:\n%s", undecided[0], dm.detail.text)
	}
	if !strings.Contains(m.status, "re-run in Chromium") {
		t.Errorf("status %q does not say what auto re-ran in Chromium", m.status)
	}
}
