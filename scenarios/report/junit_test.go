package report

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"testing"
)

// The Jenkins / Surefire JUnit structure, as its readers parse it (independent of the writer's
// types, so that a field the writer misnames shows up here).
type surefireSuites struct {
	XMLName  xml.Name        `xml:"testsuites"`
	Tests    string          `xml:"tests,attr"`
	Failures string          `xml:"failures,attr"`
	Errors   string          `xml:"errors,attr"`
	Skipped  string          `xml:"skipped,attr"`
	Time     string          `xml:"time,attr"`
	Suites   []surefireSuite `xml:"testsuite"`
}

type surefireSuite struct {
	Name       string `xml:"name,attr"`
	Tests      string `xml:"tests,attr"`
	Failures   string `xml:"failures,attr"`
	Errors     string `xml:"errors,attr"`
	Skipped    string `xml:"skipped,attr"`
	Time       string `xml:"time,attr"`
	Timestamp  string `xml:"timestamp,attr"`
	Properties []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
	Cases []surefireCase `xml:"testcase"`
}

type surefireCase struct {
	Classname string `xml:"classname,attr"`
	Name      string `xml:"name,attr"`
	Time      string `xml:"time,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Body    string `xml:",chardata"`
	} `xml:"failure"`
	Error *struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Body    string `xml:",chardata"`
	} `xml:"error"`
	Skipped *struct {
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
	SystemOut string `xml:"system-out"`
}

func atoi(t *testing.T, what, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s = %q: not an integer", what, s)
	}
	return n
}

func parseJUnit(t *testing.T, data []byte) surefireSuites {
	t.Helper()
	var doc surefireSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not JUnit XML: %v\n%s", err, data)
	}
	// Counts are consistent at every level, and failures, errors and skips exclude each other.
	var tests, failures, errors, skipped int
	for _, s := range doc.Suites {
		var f, e, k int
		for _, c := range s.Cases {
			n := 0
			if c.Failure != nil {
				f, n = f+1, n+1
			}
			if c.Error != nil {
				e, n = e+1, n+1
			}
			if c.Skipped != nil {
				k, n = k+1, n+1
			}
			if n > 1 {
				t.Errorf("%s %s is at once a failure, an error or a skip", s.Name, c.Name)
			}
			if _, err := strconv.ParseFloat(c.Time, 64); err != nil {
				t.Errorf("%s time %q is not seconds", c.Name, c.Time)
			}
		}
		if got := atoi(t, "tests", s.Tests); got != len(s.Cases) {
			t.Errorf("suite %s: tests=%d; has %d testcases", s.Name, got, len(s.Cases))
		}
		if atoi(t, "failures", s.Failures) != f || atoi(t, "errors", s.Errors) != e || atoi(t, "skipped", s.Skipped) != k {
			t.Errorf("suite %s: failures/errors/skipped = %s/%s/%s; testcases say %d/%d/%d", s.Name, s.Failures, s.Errors, s.Skipped, f, e, k)
		}
		tests, failures, errors, skipped = tests+len(s.Cases), failures+f, errors+e, skipped+k
	}
	if atoi(t, "tests", doc.Tests) != tests || atoi(t, "failures", doc.Failures) != failures ||
		atoi(t, "errors", doc.Errors) != errors || atoi(t, "skipped", doc.Skipped) != skipped {
		t.Errorf("testsuites = %s/%s/%s/%s; suites add up to %d/%d/%d/%d", doc.Tests, doc.Failures, doc.Errors, doc.Skipped, tests, failures, errors, skipped)
	}
	return doc
}

func findCase(t *testing.T, doc surefireSuites, suite, name string) surefireCase {
	t.Helper()
	for _, s := range doc.Suites {
		if s.Name != suite {
			continue
		}
		for _, c := range s.Cases {
			if c.Name == name {
				return c
			}
		}
	}
	t.Fatalf("no testcase %s in suite %s", name, suite)
	return surefireCase{}
}

func TestJUnit(t *testing.T) {
	var b bytes.Buffer
	if err := JUnit(&b, mixedReport(), Verdict{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "<?xml") {
		t.Errorf("no XML declaration:\n%s", b.String())
	}
	doc := parseJUnit(t, b.Bytes())
	if doc.Tests != "6" || doc.Failures != "1" || doc.Errors != "1" || doc.Skipped != "2" || doc.Time != "1.500" {
		t.Errorf("testsuites tests/failures/errors/skipped/time = %s/%s/%s/%s/%s; want 6/1/1/2/1.500", doc.Tests, doc.Failures, doc.Errors, doc.Skipped, doc.Time)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Name != targetA || doc.Suites[0].Timestamp != "2026-03-14T09:26:53" {
		t.Fatalf("suites = %+v; want one named %s", doc.Suites, targetA)
	}
	fail := findCase(t, doc, targetA, cReturns.ID)
	if fail.Classname != "seamless" || fail.Time != "1.234" || fail.Failure == nil {
		t.Fatalf("MUST failure = %+v; want classname seamless, time 1.234, a <failure>", fail)
	}
	if want := "expected the browser ends at returnUrl; got a redirect loop: | `x` <b>"; fail.Failure.Message != want || fail.Failure.Type != "MUST" {
		t.Errorf("failure message %q type %q; want %q type MUST", fail.Failure.Message, fail.Failure.Type, want)
	}
	for _, want := range []string{"requirement: the requirement of " + cReturns.ID, "fix:         the fix for", "> #2  frame  GET  https://app.example.com/install?step=finalize → 500"} {
		if !strings.Contains(fail.Failure.Body, want) {
			t.Errorf("failure body lacks %q:\n%s", want, fail.Failure.Body)
		}
	}
	warn := findCase(t, doc, targetA, cSingle.ID)
	if warn.Failure != nil || warn.Error != nil || warn.Skipped != nil || !strings.Contains(warn.SystemOut, "WARNING: SHOULD "+cSingle.ID+" failed") {
		t.Errorf("SHOULD warning = %+v; want a passing testcase with the warning in system-out", warn)
	}
	errd := findCase(t, doc, targetA, cTampered.ID)
	if errd.Error == nil || errd.Failure != nil || errd.Error.Message != "the emulator did not answer: connection refused" {
		t.Errorf("harness error = %+v; want an <error> with the reason", errd)
	}
	if s := findCase(t, doc, targetA, cBudget.ID); s.Skipped == nil || s.Skipped.Message != "an earlier step failed" {
		t.Errorf("skip = %+v; want <skipped> with the reason", s)
	}
	if p := findCase(t, doc, targetA, cExchanges.ID); p.Failure != nil || p.Error != nil || p.Skipped != nil || p.SystemOut != "" {
		t.Errorf("pass = %+v; want a bare testcase", p)
	}
}

func TestJUnitStrict(t *testing.T) {
	rep := mixedReport()
	rep.Strict = true
	var b bytes.Buffer
	if err := JUnit(&b, rep, Verdict{}); err != nil {
		t.Fatal(err)
	}
	doc := parseJUnit(t, b.Bytes())
	if doc.Failures != "2" {
		t.Errorf("failures = %s under strict; want 2 (the SHOULD failure counts)", doc.Failures)
	}
	if c := findCase(t, doc, targetA, cSingle.ID); c.Failure == nil || c.Failure.Type != "SHOULD" {
		t.Errorf("SHOULD failure under strict = %+v; want a <failure type=SHOULD>", c)
	}
}

func TestJUnitExpectations(t *testing.T) {
	rep := mixedReport()
	v := applyExpectations(rep, Expectations{
		entry(cReturns.ID, day(2026, 12, 31), 1),
		entry(cExchanges.ID, day(2026, 12, 31), 2),
		entry("no/such", day(2026, 12, 31), 3),
	}, day(2026, 6, 1), catalogue(cReturns.ID, cExchanges.ID))
	var b bytes.Buffer
	if err := JUnit(&b, rep, v); err != nil {
		t.Fatal(err)
	}
	doc := parseJUnit(t, b.Bytes())
	x := findCase(t, doc, targetA, cReturns.ID)
	if x.Failure != nil || x.Skipped == nil || x.Skipped.Message != "expected failure until 2026-12-31: because "+cReturns.ID ||
		!strings.Contains(x.SystemOut, "expected failure (expect-fail line 1") {
		t.Errorf("expected failure = %+v; want <skipped> saying expected failure, detail in system-out", x)
	}
	if len(doc.Suites) != 2 || doc.Suites[1].Name != "expect-fail" || doc.Suites[1].Failures != "2" {
		t.Fatalf("suites = %+v; want the target's and expect-fail with 2 failures", doc.Suites)
	}
	stale := findCase(t, doc, "expect-fail", cExchanges.ID)
	if stale.Classname != "expect-fail" || stale.Failure == nil || stale.Failure.Type != "stale" || !strings.Contains(stale.Failure.Body, "line 2") {
		t.Errorf("stale entry = %+v", stale)
	}
	if doc.Failures != "2" || doc.Skipped != "3" {
		t.Errorf("failures/skipped = %s/%s; want 2/3 (the MUST failure is expected, the problems fail)", doc.Failures, doc.Skipped)
	}
}

func TestJUnitTwoTargetsAndHostileText(t *testing.T) {
	rep := mixedReport()
	const targetB = "https://b.example.com/install?x=<&>"
	rep.Targets = append(rep.Targets, targetB)
	hostile := result(targetB, cReturns, failed("a \"quoted\" <tag> & ]]> \x00\x1b control", "line one\nline two"))
	rep.Results = append(rep.Results, hostile)
	var b bytes.Buffer
	if err := JUnit(&b, rep, Verdict{}); err != nil {
		t.Fatal(err)
	}
	doc := parseJUnit(t, b.Bytes())
	if len(doc.Suites) != 2 || doc.Suites[1].Name != targetB {
		t.Fatalf("suites = %d; want 2, the second %q", len(doc.Suites), targetB)
	}
	c := findCase(t, doc, targetB, cReturns.ID)
	if c.Failure == nil || !strings.Contains(c.Failure.Message, `a "quoted" <tag> & ]]>`) || !strings.Contains(c.Failure.Message, "line one\nline two") {
		t.Errorf("hostile message did not survive: %+v", c.Failure)
	}
}

func TestJUnitGolden(t *testing.T) {
	rep := mixedReport()
	v := applyExpectations(rep, Expectations{entry(cExchanges.ID, day(2026, 12, 31), 4)}, day(2026, 6, 1), catalogue(cExchanges.ID))
	var b bytes.Buffer
	if err := JUnit(&b, rep, v); err != nil {
		t.Fatal(err)
	}
	golden(t, "mixed.junit.xml", b.Bytes())
}
