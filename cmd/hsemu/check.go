package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/chromium"
	"github.com/hsemu/hsemu/scenarios/report"
	"github.com/hsemu/hsemu/scenarios/settings"
)

// runSettings are the settings of a run of the catalogue: hsemu check's and the TUI's.
var runSettings = append(append([]*settings.Setting{}, settings.TargetSettings...), settings.RunSettings...)

// checkSettings are hsemu check's: a run, and its known failures and --list.
var checkSettings = append(append([]*settings.Setting{}, runSettings...), settings.ExpectFail, settings.List)

// prepared is a runnable check: a harness, its targets and options, and what to close.
type prepared struct {
	harness *scenarios.Harness
	targets []scenarios.Target
	opts    scenarios.Options
	closers []func()
}

func (p *prepared) close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
}

// prepare starts the emulator and, for --reference (or --bug), the reference endpoint
// in-process; otherwise the target the settings describe.
func prepare(cfg *settings.Config) (*prepared, error) {
	p := &prepared{opts: cfg.Options}
	if cfg.Reference || cfg.Bug != "" {
		if cfg.InstallURL != "" {
			return nil, usageError("--reference and --install-url exclude each other")
		}
		h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("reference run: %w", err)
		}
		p.harness = h
		p.closers = append(p.closers, func() { _ = h.Close() })
		p.opts = inprocess.ReferenceOptions(p.opts)
		targets, stop, err := inprocess.StartReference(h, cfg.Bug, p.opts)
		if err != nil {
			p.close()
			return nil, usageError("%v", err)
		}
		p.closers = append(p.closers, stop)
		p.targets = filterFlows(targets, cfg.Flow, cfg.Flows)
		return p, nil
	}
	t, err := cfg.Target()
	if err == nil {
		err = t.ValidateFor(cfg.Options)
	}
	if err != nil {
		return nil, usageError("%v", err)
	}
	h, err := scenarios.StartHarness(emulator.Config{}, cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", targetName(t), err)
	}
	p.harness = h
	p.closers = append(p.closers, func() { _ = h.Close() })
	p.targets = []scenarios.Target{t}
	return p, nil
}

// filterFlows keeps the reference's install-flow targets that --flow names (all when it is
// empty); the connect and webhook targets stay.
func filterFlows(ts []scenarios.Target, flow string, flows []scenarios.Flow) []scenarios.Target {
	if flow == "" {
		return ts
	}
	var out []scenarios.Target
	for _, t := range ts {
		keep := t.Flows[0] != scenarios.Seamless && t.Flows[0] != scenarios.Partner
		for _, f := range flows {
			keep = keep || t.Flows[0] == f
		}
		if keep {
			out = append(out, t)
		}
	}
	return out
}

// listed is what --list shows: with a target configured, exactly the checks the run would
// decide for it (scenarios.Planned, the run's own selection); without one (or for the
// reference), the catalogue's checks that --only, --skip and --profile select.
func listed(cfg *settings.Config) ([]scenarios.Check, error) {
	if err := scenarios.ValidateSelection(cfg.Options); err != nil {
		return nil, usageError("%v", err)
	}
	if cfg.Reference || cfg.Bug != "" || !hasTarget(cfg) {
		return scenarios.Select(scenarios.CatalogueFor(cfg.Options), cfg.Options.Only, cfg.Options.Skip), nil
	}
	t, err := cfg.Target()
	if err != nil {
		return nil, usageError("%v", err)
	}
	return scenarios.Planned([]scenarios.Target{t}, cfg.Options), nil
}

func runCheck(ctx context.Context, args []string, sys system) error {
	stderr := sys.stderr
	fs := flag.NewFlagSet("hsemu check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flags := settings.Register(fs, checkSettings...)
	var rf reportFlags
	rf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: hsemu check --install-url URL [flags]    (or: --connect-url URL / --webhook-url URL alone, or: hsemu check --reference [--bug NAME])")
		fmt.Fprintln(stderr, "       reports: [--format text|json|junit|markdown] [--out FILE]… [--expect-fail FILE] [--list] [--strict]")
		fmt.Fprintln(stderr, "\nRuns the check catalogue against an install endpoint, as HubSpot would drive it. Exit 0 when no MUST fails, 1 when one does, 2 for usage or harness errors, a set-up error (such as an endpoint nothing answers at), a check that could not be decided, or a run that decided none.")
		fmt.Fprintln(stderr, "Precedence: flag > environment > app config > default.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if helped, err := parseFlags(fs, args); helped || err != nil {
		return err
	}
	cfg, err := resolve(flags, sys.getenv, checkSettings)
	if err != nil {
		return err
	}
	rf.expectFail, rf.list = cfg.ExpectFail, cfg.List
	outs, err := rf.resolve()
	if err != nil {
		return err
	}
	exp, err := rf.loadExpectations()
	if err != nil {
		return err
	}
	if rf.list {
		checks, err := listed(&cfg)
		if err != nil {
			return err
		}
		return listChecks(sys.stdout, outs, &rf, checks, cfg.Options)
	}
	if err := scenarios.ValidateSelection(cfg.Options); err != nil {
		return usageError("%v", err)
	}
	p, err := prepare(&cfg)
	if err != nil {
		return err
	}
	defer p.close()
	if !cfg.Reference && cfg.Bug == "" {
		fmt.Fprintf(stderr, "hsemu: HubSpot's OAuth server and API are at %s — your app must send its token requests there.\n", p.harness.URL())
	}
	r := scenarios.Runner{Harness: p.harness, Options: p.opts}
	rep, err := chromium.Run(ctx, r, p.targets, cfg.Engine, chromium.Config{ArtifactsDir: cfg.Artifacts})
	if errors.Is(err, chromium.ErrNotFound) {
		return usageError("%v", err)
	}
	if err != nil {
		return fmt.Errorf("run the catalogue: %w", err)
	}
	return writeReports(sys.stdout, outs, rep, exp, time.Now(), report.Options{Text: report.TextOptions{Verbose: cfg.Verbose}})
}

// reportExit maps a report with no expectations to the exit code (report.ExitCode decides).
func reportExit(rep *scenarios.RunReport) error {
	return runExit(rep, report.ExitCode(rep, report.Verdict{}, rep.Strict))
}

// runExit is the one place a run's exit code becomes the command's exit: 0 when nothing fails
// the run, 1 (errChecksFailed) when something does, 2 with what went wrong when the run could
// not decide: the endpoint could not be checked at all (a set-up error, such as one nothing
// answers at), some checks errored, or no selected check was decided.
func runExit(rep *scenarios.RunReport, code int) error {
	switch code {
	case report.ExitFail:
		return errChecksFailed
	case report.ExitError:
		return &exitError{code: exitUsage, err: undecided(rep)}
	}
	return nil
}

// undecided says why a run that failed nothing is no pass.
func undecided(rep *scenarios.RunReport) error {
	decided, setup := 0, ""
	for _, res := range rep.Results {
		switch res.Outcome.Status {
		case scenarios.Pass, scenarios.Fail:
			decided++
		case scenarios.Error:
			if res.Outcome.Cause == scenarios.CauseSetup && setup == "" {
				setup = res.Outcome.Got
			}
		case scenarios.Pending, scenarios.Running, scenarios.Skip:
		}
	}
	switch {
	case decided == 0 && setup != "":
		return fmt.Errorf("the endpoint could not be checked: %s (set-up error above)", setup)
	case decided == 0 && len(rep.Results) == 0:
		return errors.New("no selected check applies to the targets: nothing was decided")
	case decided == 0:
		return errors.New("no selected check was decided (errors and skips above): a run that decides nothing is no pass")
	}
	return errors.New("some checks could not be decided (errors above)")
}

// targetName names a target in messages: its install URL, or the connect or webhook URL of a
// target without one.
func targetName(t scenarios.Target) string {
	for _, n := range []string{t.Name, t.InstallURL, t.ConnectURL, t.WebhookURL} {
		if n != "" {
			return n
		}
	}
	return "the target"
}
