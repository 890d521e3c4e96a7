package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/report"
)

// reportFlags are the report options of `hsemu check`: which reports to write where, the
// expect-fail file, and --list. --format and --out are read in the order given, so they are
// flags of their own; --expect-fail and --list come from the settings table.
//
// The rules, in the order flags are given:
//   - each --out FILE writes one report; its format is the --format given since the previous
//     --out, else it is inferred from FILE's extension (.json, .xml → junit, .md/.markdown →
//     markdown, .txt/.log → text);
//   - --out - is standard output;
//   - a --format with no --out after it is the report on standard output;
//   - standard output gets the text report unless a report claims it;
//   - two --format flags with no --out between them, two reports to one file, two reports on
//     standard output, or an --out whose format cannot be inferred are usage errors.
//
// So `--format junit --out hsemu.xml --format markdown --out "$GITHUB_STEP_SUMMARY"` writes
// JUnit and Markdown files and the text report to standard output, and `--out report.json
// --format json` writes JSON to a file and to standard output.
type reportFlags struct {
	outputs    []reportOutput
	pending    report.Format // a --format waiting for its --out
	expectFail string
	list       bool
}

// reportOutput is one report to write.
type reportOutput struct {
	format report.Format
	path   string // "-" is standard output
}

func (o reportOutput) stdout() bool { return o.path == "-" }

func (o reportOutput) String() string {
	if o.stdout() {
		return fmt.Sprintf("%s to standard output", o.format)
	}
	return fmt.Sprintf("%s to %s", o.format, o.path)
}

// register declares --format and --out.
func (r *reportFlags) register(fs *flag.FlagSet) {
	fs.Var(formatFlag{r}, "format", "report format: text, json, junit or markdown; applies to the next --out, or to standard output when no --out follows (repeatable)")
	fs.Var(outFlag{r}, "out", "write a report to this file ('-' = standard output), in the --format given before it or the one its extension names (.json, .xml, .md, .txt); repeatable")
}

type formatFlag struct{ r *reportFlags }

func (f formatFlag) String() string { return "" }

func (f formatFlag) Set(v string) error {
	format, err := report.ParseFormat(v)
	if err != nil {
		return err //nolint:wrapcheck // the flag package prefixes it with the flag's name and value
	}
	if f.r.pending != "" {
		return fmt.Errorf("--format %s follows --format %s with no --out between them: each --out takes the --format before it, and one --format without --out goes to standard output", format, f.r.pending)
	}
	f.r.pending = format
	return nil
}

type outFlag struct{ r *reportFlags }

func (o outFlag) String() string { return "" }

func (o outFlag) Set(path string) error {
	r := o.r
	if strings.TrimSpace(path) == "" {
		return errors.New("empty file name: give a path, or - for standard output")
	}
	format := r.pending
	if format == "" {
		if path == "-" {
			return errors.New("--out - needs a --format before it (e.g. --format json --out -)")
		}
		f, ok := report.FormatForPath(path)
		if !ok {
			return fmt.Errorf("cannot tell the format of %s from its extension: put --format text|json|junit|markdown before this --out", path)
		}
		format = f
	}
	for _, prev := range r.outputs {
		if samePath(prev.path, path) {
			return fmt.Errorf("%s is already written by --out (%s): give each report its own file", path, prev)
		}
	}
	r.outputs = append(r.outputs, reportOutput{format: format, path: path})
	r.pending = ""
	return nil
}

func samePath(a, b string) bool {
	if a == "-" || b == "-" {
		return a == b
	}
	return filepath.Clean(a) == filepath.Clean(b)
}

// resolve finishes the flags after parsing: sends a trailing --format (or else the text
// report) to standard output, and checks that every file's directory exists, so that a typo
// fails before the run instead of after it. Errors are usage errors.
func (r *reportFlags) resolve() ([]reportOutput, error) {
	outs := append([]reportOutput(nil), r.outputs...)
	if r.pending != "" {
		for _, o := range outs {
			if o.stdout() {
				return nil, usageError("--format %s (with no --out after it) and --out - both write to standard output: keep one", r.pending)
			}
		}
		outs = append(outs, reportOutput{format: r.pending, path: "-"})
	}
	if r.list {
		for _, o := range outs {
			if !o.stdout() {
				return nil, usageError("--list prints to standard output and runs nothing: drop --out %s (use --format json or markdown for another shape)", o.path)
			}
		}
		if len(outs) == 0 {
			outs = append(outs, reportOutput{format: report.FormatText, path: "-"})
		}
		if outs[0].format == report.FormatJUnit {
			return nil, usageError("--list has no JUnit shape: use --format text, json or markdown")
		}
		return outs, nil
	}
	hasStdout := false
	for _, o := range outs {
		if o.stdout() {
			hasStdout = true
			continue
		}
		dir := filepath.Dir(o.path)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, usageError("--out %s: directory %s does not exist: create it first", o.path, dir)
		}
	}
	if !hasStdout {
		outs = append(outs, reportOutput{format: report.FormatText, path: "-"})
	}
	return outs, nil
}

// loadExpectations reads the --expect-fail file, if any. Its errors are usage errors naming
// the file and the line.
func (r *reportFlags) loadExpectations() (report.Expectations, error) {
	if r.expectFail == "" {
		return nil, nil
	}
	f, err := os.Open(r.expectFail)
	if err != nil {
		return nil, usageError("--expect-fail: %v", err)
	}
	defer f.Close()
	exp, err := report.ParseExpectations(f)
	if err != nil {
		return nil, usageError("--expect-fail %s: %v", r.expectFail, err)
	}
	return exp, nil
}

// listChecks implements --list: it prints the checks that a run with this profile, --only and
// --skip would decide, in the standard-output format (text unless --format json or markdown),
// without running anything. It also reads the expect-fail file, so that a malformed one fails
// here too.
func listChecks(stdout io.Writer, outs []reportOutput, r *reportFlags, checks []scenarios.Check, opts scenarios.Options) error {
	if _, err := r.loadExpectations(); err != nil {
		return err
	}
	if len(checks) == 0 {
		return usageError("no check matches --only %v --skip %v under profile %s for this target (hsemu scenarios lists every ID)", opts.Only, opts.Skip, opts.Profile)
	}
	format := report.FormatText
	if len(outs) > 0 {
		format = outs[0].format
	}
	if err := report.List(stdout, format, checks); err != nil {
		return usageError("%v", err)
	}
	return nil
}

// writeReports judges rep under the expect-fail entries on now's date, writes every report
// (each rendered whole before it is written, so a file is never left half-done by a rendering
// error), and returns the run's exit as an error: nil, errChecksFailed, or an exit-2 error for
// checks that could not be decided or reports that could not be written.
func writeReports(stdout io.Writer, outs []reportOutput, rep *scenarios.RunReport, exp report.Expectations, now time.Time, opts report.Options) error {
	v := report.ApplyExpectations(rep, exp, now)
	var errs []error
	for _, o := range outs {
		var buf bytes.Buffer
		if err := report.Write(&buf, o.format, rep, v, opts); err != nil {
			errs = append(errs, fmt.Errorf("rendering the %s report: %w", o.format, err))
			continue
		}
		if o.stdout() {
			if _, err := stdout.Write(buf.Bytes()); err != nil {
				errs = append(errs, fmt.Errorf("writing the %s report to standard output: %w", o.format, err))
			}
			continue
		}
		if err := os.WriteFile(o.path, buf.Bytes(), 0o644); err != nil { //nolint:gosec // G306: reports are shared on purpose (CI artifacts)
			errs = append(errs, fmt.Errorf("writing the %s report: %w", o.format, err))
		}
	}
	if len(errs) > 0 {
		return &exitError{code: exitUsage, err: errors.Join(errs...)}
	}
	return runExit(rep, report.ExitCode(rep, v, rep.Strict))
}
