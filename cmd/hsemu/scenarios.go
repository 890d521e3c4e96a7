package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/hsemu/hsemu/scenarios"
)

// runScenarios lists the check catalogue: `hsemu scenarios [-v] [--profile listing] [pattern…]`.
func runScenarios(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hsemu scenarios", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "show each check's requirement, source and fix")
	profile := fs.String("profile", "listing", "dev or listing (listing shows every check)")
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
	var p scenarios.Profile
	switch *profile {
	case "dev":
		p = scenarios.ProfileDev
	case "listing":
		p = scenarios.ProfileListing
	default:
		return usageError("--profile %q: use dev or listing", *profile)
	}
	checks := scenarios.Select(scenarios.Catalogue(p), fs.Args(), nil)
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
		if *verbose {
			fmt.Fprintf(stdout, "         provokes:    %s\n", c.Provokes)
			fmt.Fprintf(stdout, "         requirement: %s\n", c.Requirement)
			fmt.Fprintf(stdout, "         source:      %s\n", c.Source)
			fmt.Fprintf(stdout, "         fix:         %s\n", c.Fix)
		}
	}
	fmt.Fprintf(stdout, "\n%d checks\n", len(checks))
	return nil
}
