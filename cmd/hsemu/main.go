// Command hsemu plays HubSpot — the marketplace, the user's browser and the OAuth server — against
// an app's install endpoint, and says whether HubSpot would accept it.
//
// main is thin: flags and environment become a config, run does the work, and exit codes are
// mapped in one place (exitCode).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/hsemu/hsemu/scenarios/settings"
)

// Exit codes, the same for every subcommand.
const (
	exitOK      = 0 // everything that must pass passed
	exitFailed  = 1 // a check failed (a MUST, or a SHOULD under --strict)
	exitUsage   = 2 // bad flags or environment, or the harness itself broke
	exitUnknown = 2
)

// exitError carries an exit code with an error that has already been explained to the user.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError marks an error as the user's: bad flags, bad environment, bad files.
func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// failedError is returned when the run worked and found failures; the report already said so.
var errChecksFailed = &exitError{code: exitFailed}

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitUnknown
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], system{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	if err != nil {
		var ee *exitError
		if !errors.As(err, &ee) || ee.err != nil {
			fmt.Fprintf(os.Stderr, "hsemu: %v\n", err)
		}
	}
	os.Exit(exitCode(err))
}

// system is what a command reads and writes besides its arguments: the standard streams and
// the environment (HSEMU_* variables, resolved with the flags by package settings).
type system struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one subcommand of hsemu.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, sys system) error
}

func commands() []command {
	return []command{
		{"check", "run the check catalogue against an install endpoint and report (CI gate)", runCheck},
		{"serve", "run the fake HubSpot (OAuth server and API) for everyday development", runServe},
		{"reference", "run the built-in reference install endpoints (and their broken variants)", runReference},
		{"scenarios", "list the check catalogue", runScenarios},
		{"tui", "watch installs step by step in the terminal (the default)", runTUI},
	}
}

// run runs the command args name (the TUI when none) and returns its outcome; main maps it to
// an exit code (exitCode) and prints the error.
func run(ctx context.Context, args []string, sys system) error {
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-' && !isHelp(args[0])) {
		return runTUI(ctx, args, sys)
	}
	if isHelp(args[0]) || args[0] == "help" {
		printUsage(sys.stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], sys)
		}
	}
	printUsage(sys.stderr)
	return usageError("unknown command %q: run 'hsemu help' to see the commands", args[0])
}

// parseFlags parses the flags of a subcommand that takes no arguments. helped is true after -h
// (the usage is printed). A bad flag is a usage error (exit 2) that names it.
func parseFlags(fs *flag.FlagSet, args []string) (helped bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usageError("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return false, usageError("unexpected argument %q: %s takes only flags (see %s -h)", fs.Arg(0), fs.Name(), fs.Name())
	}
	return false, nil
}

func isHelp(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "hsemu plays HubSpot against your app's install endpoint.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w, "  hsemu [tui flags]        watch installs live (against the built-in reference by default)")
	fmt.Fprintln(w, "  hsemu <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'hsemu <command> -h' for a command's flags. Every setting is a flag and most are also an")
	fmt.Fprintln(w, "HSEMU_* variable; precedence: flag > environment > app config file > default.")
	fmt.Fprintln(w, "Exit codes: 0 ok, 1 a check failed, 2 usage or harness error.")
}

// resolve resolves the settings set, declared on a parsed flag set as flags, by the one
// precedence (flag > environment > app config > default). A bad value is a usage error that
// names the flag or the variable.
func resolve(flags *settings.Flags, getenv func(string) string, set []*settings.Setting) (settings.Config, error) {
	var cfg settings.Config
	if err := settings.Resolve(&cfg, settings.Source{Given: flags.Given, Getenv: getenv}, set); err != nil {
		return cfg, &exitError{code: exitUsage, err: err}
	}
	return cfg, nil
}
