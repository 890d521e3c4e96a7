package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/hsemu/hsemu/scenarios"
)

// JUnit writes the report as JUnit XML in the shape Jenkins, GitLab, GitHub test reporters and
// Surefire read: <testsuites> holding one <testsuite> per target, and one <testcase> per check
// with classname = the check's flow and name = the check ID. As summerwind/h2spec does, it keeps
// failures apart from errors:
//
//   - a failed check that fails the run (MUST, or SHOULD under strict) is a <failure> whose
//     message is "expected …; got …" and whose body is the check's detail (requirement, source,
//     expected, got, fix, transcript), as the text report prints it;
//   - a check the harness could not decide is an <error>;
//   - a skipped check is <skipped> with the reason;
//   - a SHOULD failure that only warns is a passing testcase with the warning in <system-out>;
//   - an expected failure (--expect-fail) is <skipped message="expected failure: …"> as pytest
//     reports its xfails, with the detail in <system-out>.
//
// Problems of the expect-fail file (expired, stale, unknown entries) fail the run, so they are
// failures of an extra suite named "expect-fail", one testcase per entry (classname
// "expect-fail", name = the entry's check ID).
func JUnit(w io.Writer, rep *scenarios.RunReport, v Verdict) error {
	doc := junitOf(rep, v)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encoding the JUnit report: %w", err)
	}
	buf.WriteByte('\n')
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing the JUnit report: %w", err)
	}
	return nil
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

// junitText is element text written as CDATA, so that multi-line details stay readable in
// the file; cdata turns characters XML forbids into U+FFFD first.
type junitText struct {
	Text string `xml:",cdata"`
}

func cdata(s string) *junitText { return &junitText{Text: xmlSafe(s)} }

// xmlSafe replaces the characters XML 1.0 §2.2 forbids (most C0 controls, unpaired surrogates,
// U+FFFE and U+FFFF) with U+FFFD, as encoding/xml does for escaped text but not for CDATA.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func seconds(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

func junitOf(rep *scenarios.RunReport, v Verdict) junitSuites {
	wall := rep.Finished.Sub(rep.Started)
	props := []junitProperty{
		{"schemaVersion", strconv.Itoa(rep.SchemaVersion)},
		{"profile", string(rep.Profile)},
		{"strict", strconv.FormatBool(rep.Strict)},
	}
	doc := junitSuites{Name: "hsemu check", Time: seconds(wall)}
	index := map[string]int{}
	for _, target := range rep.Targets {
		index[target] = len(doc.Suites)
		doc.Suites = append(doc.Suites, junitSuite{Name: target})
	}
	for _, res := range rep.Results {
		i, ok := index[res.Target]
		if !ok {
			index[res.Target] = len(doc.Suites)
			i = len(doc.Suites)
			doc.Suites = append(doc.Suites, junitSuite{Name: res.Target})
		}
		s := &doc.Suites[i]
		c := junitCaseOf(res, rep.Strict, v)
		s.Tests++
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Error != nil:
			s.Errors++
		case c.Skipped != nil:
			s.Skipped++
		}
		s.Cases = append(s.Cases, c)
	}
	if len(v.Problems) > 0 {
		s := junitSuite{Name: "expect-fail"}
		for _, p := range v.Problems {
			s.Tests++
			s.Failures++
			s.Cases = append(s.Cases, junitCase{
				Classname: "expect-fail", Name: p.Entry.ID, Time: seconds(0),
				Failure: &junitProblem{
					Type: string(p.Kind), Message: fmt.Sprintf("expect-fail entry %s: %s", p.Kind, p.Message),
					Body: xmlSafe(fmt.Sprintf("line %d: %s %s %s\n%s\n", p.Entry.Line, p.Entry.ID, p.Entry.Date(), p.Entry.Reason, p.Message)),
				},
			})
		}
		doc.Suites = append(doc.Suites, s)
	}
	for i := range doc.Suites {
		s := &doc.Suites[i]
		s.Time = seconds(wall)
		if !rep.Started.IsZero() {
			s.Timestamp = rep.Started.UTC().Format("2006-01-02T15:04:05")
		}
		s.Properties = props
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	return doc
}

func junitCaseOf(res scenarios.Result, strict bool, v Verdict) junitCase {
	c := junitCase{Classname: string(res.Check.Group), Name: res.Check.ID, Time: seconds(res.Duration)}
	if c.Classname == "" {
		c.Classname = "hsemu"
	}
	detail := func() string {
		var b strings.Builder
		CheckDetail(&b, res, 0)
		return b.String()
	}
	switch label := Label(res, strict, v); label {
	case "PASS":
	case "XFAIL":
		e, _ := v.Expectation(res)
		c.Skipped = &junitSkipped{Message: fmt.Sprintf("expected failure until %s: %s", e.Date(), e.Reason)}
		c.SystemOut = cdata(fmt.Sprintf("expected failure (expect-fail line %d, until %s: %s)\n%s\n%s", e.Line, e.Date(), e.Reason, expectedGot(res.Outcome), detail()))
	case "WARN":
		c.SystemOut = cdata(fmt.Sprintf("WARNING: %s %s failed (only fails the run under --strict): %s\n%s", res.Check.Level, res.Check.ID, expectedGot(res.Outcome), detail()))
	case "FAIL":
		c.Failure = &junitProblem{Type: string(res.Check.Level), Message: expectedGot(res.Outcome), Body: xmlSafe(detail())}
	case "ERROR":
		typ := "error"
		if res.Outcome.Cause != scenarios.CauseEndpoint {
			typ = string(res.Outcome.Cause)
		}
		c.Error = &junitProblem{Type: typ, Message: clip(gotLine(res.Outcome), maxGotBytes), Body: xmlSafe(detail())}
	default: // SKIP, and the pending or running checks of a run cut short, which did not run
		why := clip(res.Outcome.Got, maxGotBytes)
		if why == "" {
			why = "not decided: " + res.Outcome.Status.String()
		}
		c.Skipped = &junitSkipped{Message: why}
	}
	return c
}

// expectedGot is the one-line summary of a failure: "expected X; got Y".
func expectedGot(o scenarios.Outcome) string {
	if o.Expected == "" {
		return "got " + clip(o.Got, maxGotBytes)
	}
	return "expected " + clip(o.Expected, maxGotBytes) + "; got " + clip(o.Got, maxGotBytes)
}
