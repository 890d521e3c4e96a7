package tui

import (
	"context"
	"fmt"
	"sort"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/chromium"
)

// This file folds a run's events into the model: the results as the run reported them, one
// timeline per target and scenario, and the emulator's traffic.

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
	case runAll:
		// Every check: only stays nil.
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
			if v := m.cat.verdict[ch.ID]; v == vFail || v == vWarn || v == vError {
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
			affected[string(ch.Scenario)] = true
		}
	}
	kept := m.all[:0:0]
	for _, r := range m.all {
		if m.scope != nil && !m.scope[r.Check.ID] {
			kept = append(kept, r)
		}
	}
	m.all = kept
	m.recombine()
	for k, tl := range m.timelines {
		if affected[tl.scenario] {
			delete(m.timelines, k)
		}
	}
	m.lastID++
	m.runID = m.lastID
	m.stale = false
	m.decided, m.total, m.runErr = 0, len(only), nil
	m.runEngine, m.phase, m.rerun = m.engine, 0, 0
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
	return runCmd(ctx, m.cfg.Backend, m.runID, m.choice, m.runEngine, only)
}

// apply folds one event of the current run into the model.
func (m *Model) apply(ev scenarios.Event) {
	switch ev := ev.(type) {
	case scenarios.RunStarted:
		m.phase++
		if m.phase > 1 { // auto's re-run in Chromium of what http could not decide
			m.rerun = len(ev.Checks)
			m.status = fmt.Sprintf("re-running in Chromium the %d checks the http engine could not decide…", m.rerun)
			break
		}
		m.total = ev.Results
		if m.scope == nil {
			m.cat.setChecks(ev.Checks)
		}
	case scenarios.ScenarioStarted:
		m.timelines[timelineKey(ev.Target, ev.Scenario)] = &timeline{target: ev.Target, scenario: ev.Scenario, running: true}
		for _, id := range ev.Checks {
			if _, decided := m.results[id]; !decided || m.phase > 1 {
				m.cat.verdict[id] = vRunning
			}
		}
	case scenarios.HopDone:
		hop := ev.Hop
		m.timelineOf(ev.Target, ev.Hop.Scenario).addHop(&hop)
	case scenarios.Traffic:
		m.log.add(ev.Event, ev.Scenario)
		if ev.Scenario != "" {
			e := ev.Event
			m.timelineOf(ev.Target, ev.Scenario).addAPI(&e)
		}
	case scenarios.CheckDone:
		if m.phase > 1 { // auto's re-run replaces what http could not decide
			m.replace(ev.Result)
		} else {
			m.all = append(m.all, ev.Result)
			m.decided++
		}
		m.decidedBy[resultKey(ev.Result)] = m.phaseEngine()
		m.recombine()
		id := ev.Result.Check.ID
		m.cat.verdict[id] = verdictOf(m.results[id], m.cfg.Strict)
	case scenarios.ScenarioDone:
		tl := m.timelineOf(ev.Target, ev.Scenario)
		tl.running, tl.duration, tl.err = false, ev.Duration, ev.Err
	case scenarios.RunDone:
		if m.phase <= 1 { // auto's re-run reports only what it re-ran: the run's report ends it
			m.report = ev.Report
		}
	}
	if m.cat.filter.Value() != "" {
		m.cat.refilter()
	}
}

// resultKey names a result by its target and check: one run decides each once, but auto's
// re-run in Chromium decides again what http could not.
func resultKey(r scenarios.Result) string { return r.Target + "\x00" + r.Check.ID }

// replace puts r in place of the earlier result for the same target and check (or among the
// results, when there is none).
func (m *Model) replace(r scenarios.Result) {
	k := resultKey(r)
	for i := range m.all {
		if resultKey(m.all[i]) == k {
			m.all[i] = r
			return
		}
	}
	m.all = append(m.all, r)
}

// phaseEngine is the engine deciding the checks of the run's current RunStarted: under auto,
// http, then Chromium for its re-run.
func (m *Model) phaseEngine() string {
	if m.runEngine != chromium.EngineAuto {
		return m.runEngine
	}
	if m.phase > 1 {
		return chromium.EngineChromium
	}
	return chromium.EngineHTTP
}

// recombine derives the one result per check the catalogue shows from every target's results,
// with the run's own rule (scenarios.PerCheck).
func (m *Model) recombine() {
	m.results = map[string]scenarios.Result{}
	for _, r := range scenarios.PerCheck(m.all) {
		m.results[r.Check.ID] = r
	}
}

func (m *Model) timelineOf(target, scenario string) *timeline {
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
			if isChromiumMissing(msg.err) {
				m.chromiumMissing(msg.err)
			}
		case msg.rep != nil:
			m.report = msg.rep
			if m.runEngine == chromium.EngineAuto {
				// auto amends its report after the events: Chromium's verdicts, or the undecided
				// checks' fix naming what is missing.
				for _, r := range msg.rep.Results {
					m.replace(r)
				}
				m.recombine()
				for id, r := range m.results {
					m.cat.verdict[id] = verdictOf(r, m.cfg.Strict)
				}
			}
			c := msg.rep.Counts()
			m.status = fmt.Sprintf("done in %s with %s: %d passed, %d failed, %d warned, %d errors, %d skipped",
				msg.rep.Finished.Sub(msg.rep.Started).Round(time.Millisecond), m.runWith(), c.Pass, c.Fail, c.Warn, c.Error, c.Skip)
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

// runWith names the last run's engine for the status line: "http", "chromium", or "auto" with
// how many checks it re-ran in Chromium.
func (m Model) runWith() string {
	if m.runEngine == chromium.EngineAuto && m.rerun > 0 {
		return fmt.Sprintf("auto (%d re-run in Chromium)", m.rerun)
	}
	return m.runEngine
}

// selectedTimeline is the timeline of the selected check's scenario: the target's whose result
// the catalogue shows, else any target's run of that scenario.
func (m Model) selectedTimeline() *timeline {
	c, ok := m.cat.selected()
	if !ok {
		return nil
	}
	if r, ok := m.results[c.ID]; ok {
		if tl := m.timelines[timelineKey(r.Target, string(c.Scenario))]; tl != nil {
			return tl
		}
	}
	var keys []string
	for k, t := range m.timelines {
		if t.scenario == string(c.Scenario) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	return m.timelines[keys[0]]
}

// timelineResults are the run's results of tl's scenario for tl's target, in catalogue order.
func (m Model) timelineResults(tl *timeline) []scenarios.Result {
	if tl == nil {
		return nil
	}
	order := make(map[string]int, len(m.cat.checks))
	for i, c := range m.cat.checks {
		order[c.ID] = i
	}
	var rs []scenarios.Result
	for _, r := range m.all {
		if r.Target == tl.target && string(r.Check.Scenario) == tl.scenario {
			rs = append(rs, r)
		}
	}
	sort.SliceStable(rs, func(a, b int) bool { return order[rs[a].Check.ID] < order[rs[b].Check.ID] })
	return rs
}
