package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hsemu/hsemu/scenarios"
)

// dateLayout is the expiry date of an expect-fail entry: an ISO 8601 calendar date.
const dateLayout = "2006-01-02"

// Expectation is one entry of an expect-fail file: a check known to fail, why, and until when
// that is accepted.
type Expectation struct {
	// ID is a check ID exactly as the catalogue names it (no patterns: an entry excuses one check).
	ID string
	// Until is the last day the failure is accepted, as a calendar date (midnight UTC of that
	// day). From the day after, the entry has expired and the run fails.
	Until time.Time
	// Reason says why the failure is accepted; it is required.
	Reason string
	// Line is the entry's line in its file (1-based), for messages.
	Line int
}

// Date is the entry's expiry date as written: 2026-12-31.
func (e Expectation) Date() string { return e.Until.Format(dateLayout) }

// Expectations are the entries of an expect-fail file, in file order.
type Expectations []Expectation

// ParseExpectations reads an expect-fail file. Its format is line based, with no YAML:
//
//	# comments start with '#', blank lines are ignored
//	partner/state/replayed      2026-12-31  replay protection ships in v2.3 (JIRA-123)
//	seamless/install/within-budget 2026-09-30 staging is slow
//
// Each entry is a check ID, the last day the failure is accepted (YYYY-MM-DD), and a reason
// (the rest of the line; required), separated by spaces or tabs. A '#' after the reason starts
// a comment only when preceded by white space. An ID may be listed once. Errors name the line
// and what is wrong with it.
func ParseExpectations(r io.Reader) (Expectations, error) {
	var out Expectations
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := stripComment(sc.Text())
		if line == "" {
			continue
		}
		e, err := parseEntry(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if prev, ok := seen[e.ID]; ok {
			return nil, fmt.Errorf("line %d: %s is already listed on line %d: keep one entry per check", n, e.ID, prev)
		}
		seen[e.ID] = n
		e.Line = n
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: longer than 1 MiB: is this an expect-fail file?", n+1)
		}
		return nil, fmt.Errorf("reading expect-fail entries: %w", err)
	}
	return out, nil
}

// stripComment drops a comment (a '#' at the start of the line or after white space) and the
// surrounding white space.
func stripComment(s string) string {
	for i, r := range s {
		if r == '#' && (i == 0 || unicode.IsSpace(lastRune(s[:i]))) {
			s = s[:i]
			break
		}
	}
	return strings.TrimSpace(s)
}

// lastRune is the last rune of s: a byte such as 0x85 ending "Å" is not the space U+0085.
func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func parseEntry(line string) (Expectation, error) {
	fields := strings.Fields(line)
	const want = "want: <check ID> <YYYY-MM-DD> <reason>, e.g. partner/state/replayed 2026-12-31 fixed in v2.3"
	if len(fields) < 2 {
		return Expectation{}, fmt.Errorf("%q has no expiry date; %s", line, want)
	}
	id := fields[0]
	if strings.ContainsAny(id, "*?[") {
		return Expectation{}, fmt.Errorf("%q is a pattern: list each check ID on its own line, so that each known failure has its own reason and date", id)
	}
	until, err := time.Parse(dateLayout, fields[1])
	if err != nil {
		return Expectation{}, fmt.Errorf("%q is not a date like 2026-12-31 (the last day the failure is accepted); %s", fields[1], want)
	}
	if len(fields) < 3 {
		return Expectation{}, fmt.Errorf("%s has no reason: say why the failure is accepted after the date; %s", id, want)
	}
	// The reason is the rest of the line as written, with its inner spacing.
	rest := strings.TrimSpace(line[len(id):])
	rest = strings.TrimSpace(rest[len(fields[1]):])
	return Expectation{ID: id, Until: until, Reason: rest}, nil
}

// ProblemKind says why an expect-fail entry fails the run.
type ProblemKind string

const (
	// Expired is an entry whose date has passed: fix the check or renew the entry with a reason.
	Expired ProblemKind = "expired"
	// Stale is an entry whose check now passes everywhere it ran: remove the entry.
	Stale ProblemKind = "stale"
	// Unknown is an entry naming a check ID that no catalogue holds (a typo, or a renamed check).
	Unknown ProblemKind = "unknown"
)

// Problem is an expect-fail entry that fails the run.
type Problem struct {
	Kind    ProblemKind
	Entry   Expectation
	Message string // what is wrong and what to do, as a sentence without the entry's ID
}

func (p Problem) String() string {
	return fmt.Sprintf("line %d: %s: %s", p.Entry.Line, p.Entry.ID, p.Message)
}

// Verdict is what an expect-fail file makes of a report. The zero Verdict (no file) changes
// nothing.
type Verdict struct {
	// Expected are the entries that excused at least one failed result.
	Expected []Expectation
	// Problems are the entries that fail the run: expired, stale or unknown.
	Problems []Problem
	// Unexercised are entries whose check did not fail or pass anywhere — it was not selected
	// (--only, --skip, profile), was skipped, or errored — so the entry could be neither used
	// nor proven stale. They do not change the outcome.
	Unexercised []Expectation

	active map[string]Expectation // by check ID: entries that excuse failures
}

// Failed reports whether the expect-fail file itself fails the run.
func (v Verdict) Failed() bool { return len(v.Problems) > 0 }

// Expectation returns the entry that excuses res: res failed and an unexpired entry names its
// check.
func (v Verdict) Expectation(res scenarios.Result) (Expectation, bool) {
	if res.Outcome.Status != scenarios.Fail {
		return Expectation{}, false
	}
	e, ok := v.active[res.Check.ID]
	return e, ok
}

// IsExpected reports whether res is an expected failure.
func (v Verdict) IsExpected(res scenarios.Result) bool {
	_, ok := v.Expectation(res)
	return ok
}

// inCatalogue reports whether a check ID exists in the full catalogue.
func inCatalogue(id string) bool {
	_, ok := scenarios.Lookup(id)
	return ok
}

// ApplyExpectations judges an expect-fail file against a report, on the calendar day of now
// (in now's location). It reads both and changes neither:
//
//   - an entry whose check failed excuses that failure (in every target) while its date is today
//     or later: the result is an "expected failure";
//   - an entry dated before today has expired: the failure is not excused and the run fails;
//   - an entry whose check ran and passed in every target that ran it is stale: the run fails,
//     so that the file is cleaned up and a regression cannot hide behind it;
//   - an entry naming a check ID that neither the report nor the catalogue knows fails the run.
func ApplyExpectations(rep *scenarios.RunReport, exp Expectations, now time.Time) Verdict {
	return applyExpectations(rep, exp, now, inCatalogue)
}

// applyExpectations is ApplyExpectations with the catalogue given as knownCheck.
func applyExpectations(rep *scenarios.RunReport, exp Expectations, now time.Time, knownCheck func(string) bool) Verdict {
	var v Verdict
	if len(exp) == 0 {
		return v
	}
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)

	type seen struct{ ran, failed, passed bool }
	byID := map[string]*seen{}
	for _, res := range rep.Results {
		s := byID[res.Check.ID]
		if s == nil {
			s = &seen{}
			byID[res.Check.ID] = s
		}
		s.ran = true
		switch res.Outcome.Status {
		case scenarios.Fail:
			s.failed = true
		case scenarios.Pass:
			s.passed = true
		case scenarios.Pending, scenarios.Running, scenarios.Skip, scenarios.Error:
			// neither failed nor passed: unless another result does, the entry is unexercised
		}
	}
	for _, e := range exp {
		s := byID[e.ID]
		switch {
		case s == nil && !knownCheck(e.ID):
			v.Problems = append(v.Problems, Problem{
				Kind: Unknown, Entry: e,
				Message: "no check has this ID: correct it (hsemu scenarios lists every ID) or remove the entry",
			})
		case e.Until.Before(today):
			v.Problems = append(v.Problems, Problem{
				Kind: Expired, Entry: e,
				Message: fmt.Sprintf("expired on %s (%s): fix the check, or renew the entry with a new date and reason", e.Date(), e.Reason),
			})
		case s != nil && s.failed:
			if v.active == nil {
				v.active = map[string]Expectation{}
			}
			v.active[e.ID] = e
			v.Expected = append(v.Expected, e)
		case s != nil && s.passed:
			v.Problems = append(v.Problems, Problem{
				Kind: Stale, Entry: e,
				Message: "the check passes now: remove the entry so that a regression fails the run again",
			})
		default:
			v.Unexercised = append(v.Unexercised, e)
		}
	}
	sort.SliceStable(v.Problems, func(i, j int) bool { return v.Problems[i].Entry.Line < v.Problems[j].Entry.Line })
	return v
}

// labelManual is the label of a Manual check (scenarios.Result.Label): listed for a person to
// confirm, never a pass.
const labelManual = "MANUAL"

// Label is the word every report shows for a result once expectations apply: XFAIL for an
// expected failure, else Result.Label (PASS, FAIL, WARN, ERROR, SKIP).
func Label(res scenarios.Result, strict bool, v Verdict) string {
	if v.IsExpected(res) {
		return "XFAIL"
	}
	return res.Label(strict)
}

// Tally counts a report's results once expectations apply: scenarios.Counts, with expected
// failures moved out of Fail and Warn into XFail.
type Tally struct {
	scenarios.Counts
	XFail int
}

// Count tallies rep under v.
func Count(rep *scenarios.RunReport, v Verdict) Tally {
	t := Tally{Counts: rep.Counts()}
	for _, res := range rep.Results {
		if !v.IsExpected(res) {
			continue
		}
		t.XFail++
		if res.Warn(rep.Strict) {
			t.Warn--
		} else {
			t.Fail--
		}
	}
	return t
}

// Exit codes of `hsemu check`, the same in every report format.
const (
	ExitPass  = 0 // nothing fails the run
	ExitFail  = 1 // a MUST failed, or a SHOULD under strict, or an expect-fail entry expired, went stale or is unknown
	ExitError = 2 // usage error, a check could not be decided (status Error), or no check was decided at all, and nothing failed
)

// ExitCode is the exit code of a run: ExitFail when a result fails the run (a MUST, or a SHOULD
// under strict) and is not an expected failure, or when the expect-fail file has a problem;
// else ExitError when a check errored or when no check was decided (none passed or failed: a
// run that checked nothing is no pass); else ExitPass. A failure wins over an error because it
// is a finding about the endpoint, and an error only says something could not be decided.
func ExitCode(rep *scenarios.RunReport, v Verdict, strict bool) int {
	errored, decided := false, false
	failed := v.Failed()
	for _, res := range rep.Results {
		if res.Failing(strict) && !v.IsExpected(res) {
			failed = true
		}
		switch res.Outcome.Status {
		case scenarios.Error:
			errored = true
		case scenarios.Pass, scenarios.Fail:
			decided = true
		case scenarios.Pending, scenarios.Running, scenarios.Skip:
		}
	}
	switch {
	case failed:
		return ExitFail
	case errored, !decided:
		return ExitError
	}
	return ExitPass
}

// verdictWord is the one-word outcome of a run for headlines: PASS, FAIL or ERROR.
func verdictWord(code int) string {
	switch code {
	case ExitPass:
		return "PASS"
	case ExitFail:
		return "FAIL"
	}
	return "ERROR"
}

// ExpectationsText writes, after the text report, what the expect-fail file did: the expected
// failures with their reasons, the problems that fail the run, the unexercised entries, and the
// run's verdict once expectations apply. It writes nothing for the zero Verdict.
func ExpectationsText(w io.Writer, rep *scenarios.RunReport, v Verdict) error {
	if len(v.Expected) == 0 && len(v.Problems) == 0 && len(v.Unexercised) == 0 {
		return nil
	}
	ew := &errWriter{w: w}
	ew.printf("\nexpect-fail:\n")
	for _, e := range v.Expected {
		ew.printf("  XFAIL  %s — expected failure until %s: %s\n", e.ID, e.Date(), e.Reason)
	}
	for _, p := range v.Problems {
		ew.printf("  %-6s %s\n", strings.ToUpper(string(p.Kind)), p)
	}
	for _, e := range v.Unexercised {
		ew.printf("  UNUSED line %d: %s: the check did not run, was skipped or errored\n", e.Line, e.ID)
	}
	t := Count(rep, v)
	code := ExitCode(rep, v, rep.Strict)
	ew.printf("with expectations: %d failed, %d warned, %s, %s — %s\n",
		t.Fail, t.Warn, plural(t.XFail, "expected failure"), plural(len(v.Problems), "expect-fail problem"), verdictWord(code))
	return ew.err
}
