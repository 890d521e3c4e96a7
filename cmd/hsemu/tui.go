package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/report"
)

// runTUI is hsemu with no command: the live view of installs. When stdout is not a terminal it
// behaves like `hsemu check` (against the built-in reference unless --install-url is given).
func runTUI(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hsemu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c checkConfig
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return &exitError{code: exitUsage}
	}
	if fs.NArg() > 0 {
		return usageError("unknown command %q: run 'hsemu help' to see the commands", fs.Arg(0))
	}
	if c.installURL == "" && os.Getenv("HSEMU_INSTALL_URL") == "" {
		c.reference = true
	}
	p, err := c.prepare(os.Getenv)
	if err != nil {
		return err
	}
	defer p.close()
	if c.reference {
		fmt.Fprintln(stderr, "hsemu: running the catalogue against the built-in reference endpoints (give --install-url for yours)")
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
