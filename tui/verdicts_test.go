package tui

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/hsemu/hsemu/scenarios"
)

// recordRun runs the whole catalogue in-process against choice and returns every event the run
// streamed, in order, and its report.
func recordRun(t *testing.T, b Backend, choice Choice) ([]scenarios.Event, *scenarios.RunReport) {
	t.Helper()
	var (
		mu  sync.Mutex
		evs []scenarios.Event
	)
	rep, err := b.Run(context.Background(), choice, "http", nil, func(e scenarios.Event) {
		mu.Lock()
		evs = append(evs, e)
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("run against %s: %v", choice, err)
	}
	return evs, rep
}

// markOf is the mark the TUI must show for a result of the report.
func markOf(r scenarios.Result) string { return verdictOf(r, false).mark() }

// marks lists every verdict mark, to read them back from a view.
var marks = []verdict{vPending, vRunning, vPass, vWarn, vFail, vError, vSkip, vManual}

// readMark splits a plain view line (ansi.Strip'd) that starts with indent, a verdict mark and a
// check ID.
func readMark(line, indent string) (mark, id string, ok bool) {
	if strings.TrimSpace(line) == "" {
		return "", "", false
	}
	for _, v := range marks {
		if rest, found := strings.CutPrefix(line, indent+v.mark()+" "); found {
			if f := strings.Fields(rest); len(f) > 0 {
				return v.mark(), f[0], true
			}
		}
	}
	return "", "", false
}

// TestViewsShowTheReportsVerdicts runs the catalogue against the reference and broken variants
// and walks every check and every hop the TUI shows: the verdict shown is the report's, the
// checks shown at a hop are the ones whose outcome points at it, and a hop's framing verdict is
// the one the run recorded.
func TestViewsShowTheReportsVerdicts(t *testing.T) {
	var blocked atomic.Int64
	t.Cleanup(func() {
		if blocked.Load() == 0 && !t.Failed() {
			t.Error("no hop showed a blocked framing verdict; want the X-Frame-Options variants to show one")
		}
	})
	for _, choice := range []Choice{
		{Kind: Reference},
		{Kind: BrokenReference, BugName: "seamless-interstitial-xfo"},
		{Kind: BrokenReference, BugName: "partner-authorize-xfo"},
		{Kind: BrokenReference, BugName: "seamless-no-return"},
		{Kind: BrokenReference, BugName: "seamless-any-step"},
	} {
		t.Run(choice.String(), func(t *testing.T) {
			t.Parallel() // each run mostly waits on its endpoint
			b := newTestLocal(t, testOptions())
			evs, rep := recordRun(t, b, choice)
			m := fixtureModel(t, 220, 400, evs)
			if m.Report() != rep {
				t.Fatal("the model's report is not the run's")
			}
			checkCatalogue(t, m, rep)
			blocked.Add(int64(checkTimelines(t, m, rep, evs)))
		})
	}
}

// checkCatalogue compares every check's row and detail with the report, combined per check.
func checkCatalogue(t *testing.T, m Model, rep *scenarios.RunReport) {
	t.Helper()
	want := map[string]scenarios.Result{}
	for _, r := range scenarios.PerCheck(rep.Results) {
		want[r.Check.ID] = r
	}
	shown := map[string]string{} // check ID -> mark on its row
	flow := ""
	for _, line := range strings.Split(ansi.Strip(m.cat.View()), "\n") {
		if mark, id, ok := readMark(line, " "); ok {
			shown[flow+"/"+id] = mark
		} else if f := strings.Fields(line); len(f) > 0 {
			flow = f[0]
		}
	}
	if len(m.cat.checks) != len(want) {
		t.Errorf("catalogue lists %d checks; the report decides %d", len(m.cat.checks), len(want))
	}
	for _, c := range m.cat.checks {
		r, ok := want[c.ID]
		if !ok {
			t.Errorf("%s is listed but the report has no result for it", c.ID)
			continue
		}
		if got, ok := m.Result(c.ID); !ok || got.Outcome.Status != r.Outcome.Status || got.Target != r.Target {
			t.Errorf("%s: model holds %s for %q; the report says %s for %q", c.ID, got.Outcome.Status, got.Target, r.Outcome.Status, r.Target)
		}
		if got := shown[c.ID]; got != markOf(r) {
			t.Errorf("%s: row shows %q; the report says %q (%s)", c.ID, got, markOf(r), r.Outcome.Status)
		}
		d, ok := m.OpenCheck(c.ID)
		if !ok {
			t.Errorf("OpenCheck(%s) = false", c.ID)
			continue
		}
		if first := ansi.Strip(strings.SplitN(d.detail.text, "\n", 2)[0]); !strings.HasPrefix(first, r.Label(false)+" ") {
			t.Errorf("%s: detail opens with %q; want the report's %s", c.ID, first, r.Label(false))
		}
	}
}

// checkTimelines compares every hop of every target's timeline with the report and returns how
// many hops showed a blocked framing verdict.
func checkTimelines(t *testing.T, m Model, rep *scenarios.RunReport, evs []scenarios.Event) int {
	t.Helper()
	traffic := 0
	for _, e := range evs {
		if _, ok := e.(scenarios.Traffic); ok {
			traffic++
		}
	}
	if len(m.log.entries) != traffic {
		t.Errorf("log holds %d requests; the run reported %d", len(m.log.entries), traffic)
	}
	byTimeline := map[string][]scenarios.Result{}
	for _, r := range rep.Results {
		k := timelineKey(r.Target, string(r.Check.Scenario))
		byTimeline[k] = append(byTimeline[k], r)
	}
	blocked := 0
	for k, rs := range byTimeline {
		tl := m.timelines[k]
		if tl == nil {
			t.Errorf("no timeline for %q; the report has results for it", strings.ReplaceAll(k, "\x00", " "))
			continue
		}
		name := tl.target + " " + tl.scenario
		var hops []int
		for _, it := range tl.items {
			if it.hop != nil {
				hops = append(hops, it.hop.Seq)
			}
		}
		var want []int
		for _, h := range rs[0].Transcript {
			want = append(want, h.Seq)
		}
		if !slices.Equal(hops, want) {
			t.Errorf("%s: timeline shows hops %v; the report's transcript has %v", name, hops, want)
		}
		checkTimelineView(t, m, tl, rs)
		for _, it := range tl.ordered() {
			if it.hop != nil {
				blocked += checkHopDetail(t, m, tl, *it.hop, rs)
			}
		}
	}
	return blocked
}

// checkTimelineView reads the marks the timeline pane draws under each hop and in its closing
// lines, and compares them with the report's results of that target and scenario.
func checkTimelineView(t *testing.T, m Model, tl *timeline, rs []scenarios.Result) {
	t.Helper()
	want := map[string]bool{}
	for _, r := range rs {
		if len(r.Outcome.Hops) == 0 {
			want[fmt.Sprintf("whole %s %s", markOf(r), r.Check.ID)] = true
		}
		for _, seq := range r.Outcome.Hops {
			want[fmt.Sprintf("#%d %s %s", seq, markOf(r), r.Check.ID)] = true
		}
	}
	p := m.timeline
	p.show(tl, m.timelineResults(tl), "")
	p.SetSize(220, 5000)
	got := map[string]bool{}
	at := ""
	for _, plain := range strings.Split(ansi.Strip(strings.TrimRight(p.View(), " \n")), "\n") { // the pane pads to its height
		switch {
		case strings.HasPrefix(plain, "#"):
			at = strings.Fields(plain)[0]
		case strings.Contains(plain, "whole scenario:"):
			at = "whole"
		}
		for _, indent := range []string{"    ", "      "} {
			if mark, id, ok := readMark(plain, indent); ok {
				got[fmt.Sprintf("%s %s %s", at, mark, id)] = true
			}
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("%s %s: timeline lacks %q", tl.target, tl.scenario, k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("%s %s: timeline shows %q, which the report does not say", tl.target, tl.scenario, k)
		}
	}
}

// checkHopDetail opens one hop's detail and compares the checks decided there and its framing
// verdict with the run's; it returns 1 when the page was shown blocked.
func checkHopDetail(t *testing.T, m Model, tl *timeline, h scenarios.HopRecord, rs []scenarios.Result) int {
	t.Helper()
	m.detailHop, m.detailKey, m.screen = &item{hop: &h}, timelineKey(tl.target, tl.scenario), screenHop
	m.refreshDetail()
	name := fmt.Sprintf("%s %s hop #%d", tl.target, tl.scenario, h.Seq)
	var wantChecks, gotChecks, judges []string
	var frame *scenarios.FrameVerdict
	for _, r := range rs {
		if slices.Contains(r.Outcome.Hops, h.Seq) {
			wantChecks = append(wantChecks, markOf(r)+" "+r.Check.ID)
		}
		for i, f := range r.Outcome.Frames {
			if f.Hop == h.Seq {
				judges = append(judges, r.Check.ID)
				if frame != nil && (frame.Verdict.Allowed != f.Verdict.Allowed || frame.Verdict.Blocker != f.Verdict.Blocker) {
					t.Errorf("%s: the run's frameable checks disagree; the test cannot say what to show", name)
				}
				frame = &r.Outcome.Frames[i]
			}
		}
	}
	lines := strings.Split(ansi.Strip(m.detail.text), "\n")
	section := ""
	var framing []string
	for _, l := range lines {
		if l != "" && !strings.HasPrefix(l, " ") {
			section = l
			continue
		}
		switch {
		case section == "Checks decided here":
			if mark, id, ok := readMark(l, "  "); ok {
				gotChecks = append(gotChecks, mark+" "+id)
			}
		case strings.HasPrefix(section, "Framing"):
			framing = append(framing, strings.TrimSpace(l))
		}
	}
	sort.Strings(wantChecks)
	sort.Strings(gotChecks)
	if !slices.Equal(gotChecks, wantChecks) {
		t.Errorf("%s: detail shows checks %q; the report points %q at it", name, gotChecks, wantChecks)
	}
	if h.Status == 0 {
		if frame != nil {
			t.Errorf("%s: the run judged the framing of a hop with no response", name)
		}
		return 0
	}
	switch {
	case len(framing) == 0:
		t.Errorf("%s: detail has no framing section", name)
	case frame == nil:
		if !strings.HasPrefix(framing[0], "no check judged") {
			t.Errorf("%s: framing shows %q; the run judged no page here", name, framing[0])
		}
	default:
		want := "verdict: allowed"
		if !frame.Verdict.Allowed {
			want = "verdict: blocked"
			if frame.Verdict.Blocker != "" {
				want += " by " + frame.Verdict.Blocker
			}
		}
		if framing[0] != want {
			t.Errorf("%s: framing shows %q; the run's verdict is %q", name, framing[0], want)
		}
		if wantBy := "judged by: " + strings.Join(judges, ", "); !slices.Contains(framing, wantBy) {
			t.Errorf("%s: framing lacks %q:\n%s", name, wantBy, strings.Join(framing, "\n"))
		}
		if !frame.Verdict.Allowed {
			return 1
		}
	}
	return 0
}
