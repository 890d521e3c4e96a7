package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/settings"
)

// runScenarios lists the check catalogue: `hsemu scenarios [-v] [--profile listing] [pattern…]`.
func runScenarios(_ context.Context, args []string, sys system) error {
	stdout, stderr := sys.stdout, sys.stderr
	fs := flag.NewFlagSet("hsemu scenarios", flag.ContinueOnError)
	fs.SetOutput(stderr)
	// The listing profile shows every check.
	set := []*settings.Setting{settings.Verbose, settings.Profile.WithDefault(string(scenarios.ProfileListing))}
	flags := settings.Register(fs, set...)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: hsemu scenarios [-v] [--profile dev|listing] [ID pattern…]")
		fmt.Fprintln(stderr, "\nLists the check catalogue: ID, level (MUST fails the run, SHOULD warns, MANUAL is for you to confirm) and title.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: exitUsage}
	}
	cfg, err := resolve(flags, sys.getenv, set)
	if err != nil {
		return err
	}
	checks := scenarios.Select(scenarios.Catalogue(cfg.Options.Profile), fs.Args(), nil)
	if len(checks) == 0 {
		return usageError("no check matches %v (try hsemu scenarios with no pattern)", fs.Args())
	}
	flow := scenarios.Group("")
	for _, c := range checks {
		if c.Group != flow {
			flow = c.Group
			fmt.Fprintf(stdout, "\n%s\n", flow)
		}
		fmt.Fprintf(stdout, "  %-6s %-48s %s\n", c.Level, c.ID, c.Title)
		if cfg.Verbose {
			fmt.Fprintf(stdout, "         provokes:    %s\n", c.Provokes)
			fmt.Fprintf(stdout, "         requirement: %s\n", c.Requirement)
			fmt.Fprintf(stdout, "         source:      %s\n", c.Source)
			fmt.Fprintf(stdout, "         fix:         %s\n", c.Fix)
		}
	}
	fmt.Fprintf(stdout, "\n%d checks\n", len(checks))
	return nil
}
