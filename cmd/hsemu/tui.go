package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"

	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/chromium"
	"github.com/hsemu/hsemu/scenarios/report"
	"github.com/hsemu/hsemu/scenarios/settings"
	"github.com/hsemu/hsemu/tui"
)

// tuiSettings are the TUI's: those of a run, and where its c key writes reports.
var tuiSettings = append(append([]*settings.Setting{}, runSettings...), settings.ReportDir)

// runTUI is hsemu with no command: the live view of installs, against the built-in reference
// unless the flags (or HSEMU_INSTALL_URL) name a target. When stdout is not a terminal it
// behaves like `hsemu check` instead, so `hsemu > report.txt` and CI still get a report.
func runTUI(ctx context.Context, args []string, sys system) error {
	stderr := sys.stderr
	fs := flag.NewFlagSet("hsemu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flags := settings.Register(fs, tuiSettings...)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: hsemu [flags]    (the same target flags as hsemu check)")
		fmt.Fprintln(stderr, "\nWatches HubSpot's install flow against your endpoint, hop by hop, in the terminal; with no")
		fmt.Fprintln(stderr, "flags, against hsemu's built-in reference endpoints. Press ? in the program for its keys.")
		fmt.Fprintln(stderr, "When stdout is not a terminal it runs like hsemu check and prints the report.")
		fmt.Fprintln(stderr, "Precedence: flag > environment > app config > default.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if helped, err := parseFlags(fs, args); helped || err != nil {
		return err
	}
	cfg, err := resolve(flags, sys.getenv, tuiSettings)
	if err != nil {
		return err
	}
	if !isTerminal(sys.stdout) {
		return runHeadless(ctx, &cfg, sys)
	}

	opts := cfg.Options
	tc := tui.Config{
		Profile: opts.Profile, Strict: opts.Strict, Only: opts.Only, Skip: opts.Skip, Repeat: opts.Repeat,
		EmulatorAddr: cfg.Addr, ReportDir: cfg.ReportDir, AutoRun: true,
		Custom: tui.CustomFields{
			InstallURL: cfg.InstallURL, Flow: cfg.Flow, Login: loginText(cfg.Login),
			Cookies: cookieText(cfg.Cookies), AppConfig: cfg.AppConfig,
		},
	}
	tc.Custom.App.HsProfile = cfg.HsProfile // the form's app config reads the same --hs-profile
	switch {
	case cfg.Bug != "":
		if cfg.InstallURL != "" {
			return usageError("--bug and --install-url exclude each other")
		}
		if !slices.Contains(reference.BugNames(), cfg.Bug) {
			return usageError("--bug %q: unknown; known bugs are %s", cfg.Bug, strings.Join(reference.BugNames(), ", "))
		}
		tc.Choice = tui.Choice{Kind: tui.BrokenReference, BugName: cfg.Bug}
	case hasTarget(&cfg) && !cfg.Reference:
		t, err := cfg.Target()
		if err != nil {
			return usageError("%v", err)
		}
		if t.Name == "" {
			t.Name = targetName(t)
		}
		tc.Choice = tui.Choice{Kind: tui.Custom, Target: t}
		tc.Custom.App = t.App
		tc.Custom.ClientID, tc.Custom.ClientSecret = t.App.ClientID, t.App.ClientSecret
	}

	renderer := lipgloss.NewRenderer(sys.stdout)
	if sys.getenv("NO_COLOR") != "" {
		renderer.SetColorProfile(termenv.Ascii)
	}
	tc.Renderer = renderer
	// The engine is the first run's (the e key cycles it). The first run that needs Chromium
	// starts one for the whole session; a missing Chromium is a message in the TUI, which goes
	// on with http.
	tc.Engine = cfg.Engine
	backend := tui.NewLocal(cfg.Addr, opts)
	backend.Chromium = chromium.Config{ArtifactsDir: cfg.Artifacts}
	defer backend.Close()
	tc.Backend = backend

	p := tea.NewProgram(tui.New(tc), tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(sys.stdin), tea.WithOutput(sys.stdout))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("run the terminal UI: %w", err)
	}
	return nil
}

// runHeadless is the TUI's stand-in when stdout is not a terminal: `hsemu check` against the
// built-in reference unless an install URL is given.
func runHeadless(ctx context.Context, cfg *settings.Config, sys system) error {
	if !hasTarget(cfg) {
		cfg.Reference = true
	}
	p, err := prepare(cfg)
	if err != nil {
		return err
	}
	defer p.close()
	if cfg.Reference {
		fmt.Fprintln(sys.stderr, "hsemu: stdout is not a terminal, so no TUI: running the catalogue against the built-in reference endpoints like hsemu check (give --install-url for yours)")
	}
	r := scenarios.Runner{Harness: p.harness, Options: p.opts}
	rep, err := chromium.Run(ctx, r, p.targets, cfg.Engine, chromium.Config{ArtifactsDir: cfg.Artifacts})
	if errors.Is(err, chromium.ErrNotFound) {
		return usageError("%v", err)
	}
	if err != nil {
		return fmt.Errorf("run the catalogue: %w", err)
	}
	if err := report.Text(sys.stdout, rep, report.TextOptions{Verbose: cfg.Verbose}); err != nil {
		return err //nolint:wrapcheck // report.Text says "write the report: …" itself
	}
	return reportExit(rep)
}

// hasTarget reports whether the settings name an endpoint of the user's: an install URL, or a
// connect or webhook URL alone.
func hasTarget(cfg *settings.Config) bool {
	return cfg.InstallURL != "" || cfg.ConnectURL != "" || cfg.WebhookURL != ""
}

// loginText is the sign-in fields as the TUI's form shows them: "email=… password=…".
func loginText(fields map[string]string) string {
	pairs := make([]string, 0, len(fields))
	for k, v := range fields {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	return strings.Join(pairs, " ")
}

// cookieText is the cookies as the TUI's form shows them: "a=1; b=2".
func cookieText(cs []*http.Cookie) string {
	pairs := make([]string, 0, len(cs))
	for _, c := range cs {
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	return strings.Join(pairs, "; ")
}

// isTerminal reports whether w is a terminal, as the TUI needs (/dev/null and pipes are not).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
