package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/report"
	"github.com/hsemu/hsemu/scenarios/settings"
)

func parseReportFlags(t *testing.T, args []string, env map[string]string) (*reportFlags, []reportOutput, error) {
	t.Helper()
	fs := flag.NewFlagSet("hsemu check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	set := []*settings.Setting{settings.ExpectFail, settings.List}
	flags := settings.Register(fs, set...)
	var r reportFlags
	r.register(fs)
	if err := fs.Parse(args); err != nil {
		return &r, nil, err
	}
	cfg, err := resolve(flags, func(k string) string { return env[k] }, set)
	if err != nil {
		return &r, nil, err
	}
	r.expectFail, r.list = cfg.ExpectFail, cfg.List
	outs, err := r.resolve()
	return &r, outs, err
}

func TestReportFlags(t *testing.T) {
	dir := t.TempDir()
	in := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name string
		args []string
		want string // the outputs, "format path" joined by "; ", or the error's substring after "error: "
	}{
		{"default", nil, "text -"},
		{"stdout format", []string{"--format", "json"}, "json -"},
		{
			"the issue's CI line",
			[]string{"--format", "junit", "--out", in("hsemu.xml"), "--format", "markdown", "--out", in("summary")},
			"junit " + in("hsemu.xml") + "; markdown " + in("summary") + "; text -",
		},
		{
			"inferred",
			[]string{"--out", in("r.json"), "--out", in("r.xml"), "--out", in("r.md"), "--out", in("r.txt")},
			"json " + in("r.json") + "; junit " + in("r.xml") + "; markdown " + in("r.md") + "; text " + in("r.txt") + "; text -",
		},
		{"format overrides the extension", []string{"--format", "markdown", "--out", in("r.txt")}, "markdown " + in("r.txt") + "; text -"},
		{"file and stdout", []string{"--out", in("r.json"), "--format", "json"}, "json " + in("r.json") + "; json -"},
		{"out dash", []string{"--format", "markdown", "--out", "-", "--out", in("r.xml")}, "markdown -; junit " + in("r.xml")},
		{"aliases", []string{"--format", "md", "--out", in("a"), "--format", "xml", "--out", in("b")}, "markdown " + in("a") + "; junit " + in("b") + "; text -"},

		{"unknown format", []string{"--format", "html"}, `error: unknown report format "html"`},
		{"two formats in a row", []string{"--format", "json", "--format", "junit", "--out", in("x")}, "error: --format junit follows --format json with no --out between them"},
		{"unknown extension", []string{"--out", in("report.dat")}, "error: cannot tell the format of " + in("report.dat")},
		{"same file twice", []string{"--out", in("r.json"), "--format", "junit", "--out", dir + "/./r.json"}, "error: is already written by --out (json to " + in("r.json") + ")"},
		{"stdout twice", []string{"--format", "json", "--out", "-", "--format", "markdown"}, "error: --format markdown (with no --out after it) and --out - both write to standard output"},
		{"dash twice", []string{"--format", "json", "--out", "-", "--format", "text", "--out", "-"}, "error: - is already written by --out"},
		{"dash without format", []string{"--out", "-"}, "error: --out - needs a --format before it"},
		{"empty out", []string{"--out", ""}, "error: empty file name"},
		{"missing directory", []string{"--out", filepath.Join(dir, "nope", "r.json")}, "error: --out " + filepath.Join(dir, "nope", "r.json") + ": directory " + filepath.Join(dir, "nope") + " does not exist"},

		{"list", []string{"--list"}, "text -"},
		{"list as json", []string{"--list", "--format", "json"}, "json -"},
		{"list with out", []string{"--list", "--out", in("r.json")}, "error: --list prints to standard output and runs nothing: drop --out"},
		{"list as junit", []string{"--list", "--format", "junit"}, "error: --list has no JUnit shape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, outs, err := parseReportFlags(t, tt.args, nil)
			var got string
			if err != nil {
				got = "error: " + err.Error()
				if !strings.HasPrefix(tt.want, "error: ") {
					t.Fatalf("got %s; want %s", got, tt.want)
				}
				if !strings.Contains(got, strings.TrimPrefix(tt.want, "error: ")) {
					t.Errorf("got %s; want it to say %s", got, tt.want)
				}
				if ee, ok := err.(*exitError); ok && ee.code != exitUsage {
					t.Errorf("exit code %d; want %d", ee.code, exitUsage)
				}
				return
			}
			var parts []string
			for _, o := range outs {
				parts = append(parts, string(o.format)+" "+o.path)
			}
			got = strings.Join(parts, "; ")
			if got != tt.want {
				t.Errorf("outputs = %s; want %s", got, tt.want)
			}
		})
	}
}

func TestReportFlagsExpectFailEnv(t *testing.T) {
	r, _, err := parseReportFlags(t, nil, map[string]string{"HSEMU_EXPECT_FAIL": "known.txt"})
	if err != nil || r.expectFail != "known.txt" {
		t.Errorf("from env: %q, %v; want known.txt", r.expectFail, err)
	}
	r, _, err = parseReportFlags(t, []string{"--expect-fail", "flag.txt"}, map[string]string{"HSEMU_EXPECT_FAIL": "known.txt"})
	if err != nil || r.expectFail != "flag.txt" {
		t.Errorf("flag and env: %q, %v; want the flag to win", r.expectFail, err)
	}
}

func TestLoadExpectations(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "known.txt")
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(good, []byte("# ok\nseamless/install/returns-to-hubspot 2026-12-31 fixed in v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("\nseamless/install/returns-to-hubspot tomorrow fixed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exp, err := (&reportFlags{expectFail: good}).loadExpectations()
	if err != nil || len(exp) != 1 {
		t.Errorf("good file: %v, %v; want one entry", exp, err)
	}
	_, err = (&reportFlags{expectFail: bad}).loadExpectations()
	if err == nil || !strings.Contains(err.Error(), "--expect-fail "+bad+": line 2:") || exitCode(err) != exitUsage {
		t.Errorf("bad file: %v; want a usage error naming the file and line 2", err)
	}
	_, err = (&reportFlags{expectFail: filepath.Join(dir, "missing.txt")}).loadExpectations()
	if err == nil || exitCode(err) != exitUsage {
		t.Errorf("missing file: %v; want a usage error", err)
	}
	if exp, err := (&reportFlags{}).loadExpectations(); exp != nil || err != nil {
		t.Errorf("no file: %v, %v; want nothing", exp, err)
	}
}

func testReport(status scenarios.Status, level scenarios.Level) *scenarios.RunReport {
	t0 := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	c := scenarios.Check{
		ID: "seamless/install/returns-to-hubspot", Title: "returns", Level: level, Group: scenarios.GroupSeamless,
		Scenario: "seamless/happy", Requirement: "r", Source: "s", Fix: "f",
	}
	return &scenarios.RunReport{
		SchemaVersion: scenarios.SchemaVersion, Started: t0, Finished: t0.Add(time.Second),
		Targets: []string{"https://app.example.com/install"}, Profile: scenarios.ProfileListing,
		Results: []scenarios.Result{{
			Target: "https://app.example.com/install", Check: c,
			Outcome: scenarios.Outcome{Status: status, Expected: "e", Got: "g"},
		}},
	}
}

func TestWriteReports(t *testing.T) {
	dir := t.TempDir()
	xmlPath, mdPath, jsonPath := filepath.Join(dir, "hsemu.xml"), filepath.Join(dir, "summary"), filepath.Join(dir, "r.json")
	_, outs, err := parseReportFlags(t, []string{"--format", "junit", "--out", xmlPath, "--format", "markdown", "--out", mdPath, "--out", jsonPath}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	err = writeReports(&stdout, outs, testReport(scenarios.Fail, scenarios.Must), nil, time.Now(), report.Options{})
	if exitCode(err) != exitFailed {
		t.Errorf("a MUST failure: exit %d (%v); want %d", exitCode(err), err, exitFailed)
	}
	if !strings.Contains(stdout.String(), "FAIL   MUST   seamless/install/returns-to-hubspot") {
		t.Errorf("standard output lacks the text report:\n%s", stdout.String())
	}
	data, err := os.ReadFile(xmlPath)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Failures string `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil || suites.Failures != "1" {
		t.Errorf("JUnit file: failures=%q, %v; want 1", suites.Failures, err)
	}
	if md, err := os.ReadFile(mdPath); err != nil || !strings.HasPrefix(string(md), "## ❌ hsemu check: FAIL") {
		t.Errorf("Markdown file: %v\n%s", err, md)
	}
	var js struct{ ExitCode int }
	if data, err := os.ReadFile(jsonPath); err != nil || json.Unmarshal(data, &js) != nil || js.ExitCode != 1 {
		t.Errorf("JSON file: %v, exitCode %d; want 1", err, js.ExitCode)
	}
}

func TestWriteReportsExit(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	expected := report.Expectations{{ID: "seamless/install/returns-to-hubspot", Until: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), Reason: "v2", Line: 1}}
	expired := report.Expectations{{ID: "seamless/install/returns-to-hubspot", Until: time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC), Reason: "v2", Line: 1}}
	tests := []struct {
		name string
		rep  *scenarios.RunReport
		exp  report.Expectations
		want int
	}{
		{"pass", testReport(scenarios.Pass, scenarios.Must), nil, exitOK},
		{"MUST failure", testReport(scenarios.Fail, scenarios.Must), nil, exitFailed},
		{"SHOULD warning", testReport(scenarios.Fail, scenarios.Should), nil, exitOK},
		{"error", testReport(scenarios.Error, scenarios.Must), nil, exitUsage},
		{"expected failure", testReport(scenarios.Fail, scenarios.Must), expected, exitOK},
		{"expired expectation", testReport(scenarios.Fail, scenarios.Must), expired, exitFailed},
		{"stale expectation", testReport(scenarios.Pass, scenarios.Must), expected, exitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout bytes.Buffer
			err := writeReports(&stdout, []reportOutput{{format: report.FormatText, path: "-"}}, tt.rep, tt.exp, now, report.Options{})
			if got := exitCode(err); got != tt.want {
				t.Errorf("exit %d (%v); want %d\n%s", got, err, tt.want, stdout.String())
			}
		})
	}
	// A report that cannot be written is a harness error, whatever the checks said.
	err := writeReports(io.Discard, []reportOutput{{format: report.FormatJSON, path: t.TempDir()}}, testReport(scenarios.Pass, scenarios.Must), nil, now, report.Options{})
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "writing the json report") {
		t.Errorf("unwritable report: exit %d (%v); want %d saying so", exitCode(err), err, exitUsage)
	}
}

func TestListChecks(t *testing.T) {
	checks := scenarios.Catalogue(scenarios.ProfileListing)
	if len(checks) == 0 {
		t.Skip("the catalogue is empty")
	}
	first := checks[0]
	var out bytes.Buffer
	only := scenarios.Options{Profile: scenarios.ProfileListing, Only: []string{first.ID}}
	err := listChecks(&out, []reportOutput{{format: report.FormatJSON, path: "-"}}, &reportFlags{}, scenarios.Select(checks, only.Only, nil), only)
	if err != nil {
		t.Fatal(err)
	}
	var items []struct{ ID, Level string }
	if err := json.Unmarshal(out.Bytes(), &items); err != nil || len(items) != 1 || items[0].ID != first.ID || items[0].Level != string(first.Level) {
		t.Errorf("list --only %s = %s (%v); want that one check", first.ID, out.String(), err)
	}
	out.Reset()
	skip := scenarios.Options{Profile: scenarios.ProfileListing, Skip: []string{first.ID}}
	if err := listChecks(&out, nil, &reportFlags{}, scenarios.Select(checks, nil, skip.Skip), skip); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), " "+first.ID+" ") || !strings.Contains(out.String(), "checks would run") {
		t.Errorf("list --skip %s still shows it:\n%s", first.ID, out.String())
	}
	err = listChecks(&out, nil, &reportFlags{}, nil, scenarios.Options{Only: []string{"no/such/*"}})
	if exitCode(err) != exitUsage {
		t.Errorf("no match: %v; want a usage error", err)
	}
}
