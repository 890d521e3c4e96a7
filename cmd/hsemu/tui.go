package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"

	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/report"
	"github.com/hsemu/hsemu/tui"
)

// runTUI is hsemu with no command: the live view of installs, against the built-in reference
// unless the flags (or HSEMU_INSTALL_URL) name a target. When stdout is not a terminal it
// behaves like `hsemu check` instead, so `hsemu > report.txt` and CI still get a report.
func runTUI(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hsemu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c checkConfig
	c.register(fs)
	reportDir := fs.String("report-dir", ".", "where the TUI's c key writes a check's report (hsemu-<check>.txt)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: hsemu [flags]    (the same target flags as hsemu check)")
		fmt.Fprintln(stderr, "\nWatches HubSpot's install flow against your endpoint, hop by hop, in the terminal; with no")
		fmt.Fprintln(stderr, "flags, against hsemu's built-in reference endpoints. Press ? in the program for its keys.")
		fmt.Fprintln(stderr, "When stdout is not a terminal it runs like hsemu check and prints the report.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if helped, err := parseFlags(fs, args); helped || err != nil {
		return err
	}
	if !isTerminal(stdout) {
		return runHeadless(ctx, &c, stdout, stderr)
	}

	c.fillFromEnv(os.Getenv)
	opts, err := c.options()
	if err != nil {
		return err
	}
	cfg := tui.Config{
		Profile: opts.Profile, Strict: opts.Strict, Only: opts.Only, Skip: opts.Skip,
		EmulatorAddr: c.addr, ReportDir: *reportDir, AutoRun: true,
		Custom: tui.CustomFields{InstallURL: c.installURL, Flow: c.flow, Login: strings.Join(c.login, " "),
			Cookies: strings.Join(c.cookies, "; "), AppConfig: c.app.configPath},
	}
	switch {
	case c.bug != "":
		if c.installURL != "" {
			return usageError("--bug and --install-url exclude each other")
		}
		if !slices.Contains(reference.BugNames(), c.bug) {
			return usageError("--bug %q: unknown; known bugs are %s", c.bug, strings.Join(reference.BugNames(), ", "))
		}
		cfg.Choice = tui.Choice{Kind: tui.Bug, BugName: c.bug}
	case c.installURL != "" && !c.reference:
		t, err := c.target(os.Getenv)
		if err != nil {
			return err
		}
		if t.Name == "" {
			t.Name = t.InstallURL
		}
		cfg.Choice = tui.Choice{Kind: tui.Custom, Target: t}
		cfg.Custom.App = t.App
		cfg.Custom.ClientID, cfg.Custom.ClientSecret = t.App.ClientID, t.App.ClientSecret
	}

	renderer := lipgloss.NewRenderer(stdout)
	if os.Getenv("NO_COLOR") != "" {
		renderer.SetColorProfile(termenv.Ascii)
	}
	cfg.Renderer = renderer
	backend := tui.NewLocal(c.addr, opts)
	defer backend.Close()
	cfg.Backend = backend

	p := tea.NewProgram(tui.New(cfg), tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(stdin), tea.WithOutput(stdout))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("run the terminal UI: %w", err)
	}
	return nil
}

// runHeadless is the TUI's stand-in when stdout is not a terminal: `hsemu check` against the
// built-in reference unless an install URL is given.
func runHeadless(ctx context.Context, c *checkConfig, stdout, stderr io.Writer) error {
	if c.installURL == "" && os.Getenv("HSEMU_INSTALL_URL") == "" {
		c.reference = true
	}
	p, err := c.prepare(os.Getenv)
	if err != nil {
		return err
	}
	defer p.close()
	if c.reference {
		fmt.Fprintln(stderr, "hsemu: stdout is not a terminal, so no TUI: running the catalogue against the built-in reference endpoints like hsemu check (give --install-url for yours)")
	}
	r := &scenarios.Runner{Harness: p.harness, Options: p.opts}
	rep, err := r.Run(ctx, p.targets)
	if err != nil {
		return err
	}
	if err := report.Text(stdout, rep, report.TextOptions{Verbose: c.verbose}); err != nil {
		return err
	}
	return reportExit(rep)
}

// isTerminal reports whether w is a terminal, as the TUI needs (/dev/null and pipes are not).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
