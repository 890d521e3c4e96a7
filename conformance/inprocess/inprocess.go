// Package inprocess wires hsemu's reference install endpoints into a run in this process: it
// serves the reference (or one of its broken variants) on a loopback port against a harness,
// names its targets, and holds the timings such a run uses. The CLI, the TUI and the `go test`
// face (package conformance) share it; it imports no test code, so the hsemu binary links none.
package inprocess

import (
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/scenarios"
)

// StartReference serves the reference endpoint (or a broken variant, by bug name) on a loopback
// port against the harness h and returns its targets and the function that stops it. Its
// timings follow the run's options (ReferenceConfig), so every provocation stays meaningful:
// run it with ReferenceOptions(opts).
func StartReference(h *scenarios.Harness, bug string, opts scenarios.Options) ([]scenarios.Target, func(), error) {
	srv, err := reference.New(ReferenceConfig(h, bug, opts))
	if err != nil {
		return nil, nil, fmt.Errorf("reference: %w", err)
	}
	// httptest.NewServer is a loopback server with no test code behind it: net/http/httptest
	// does not import package testing.
	ts := httptest.NewServer(srv)
	// HubSpot refuses IP addresses in redirect URLs ("You also must use a domain"), so the
	// install URL names the loopback listener localhost.
	return ReferenceTargets(strings.Replace(ts.URL, "127.0.0.1", "localhost", 1)), ts.Close, nil
}

// ReferenceConfig is the reference endpoint's configuration against harness h for a run with
// opts: it gives up on the token endpoint well before the "too slow" provocation ends
// (3/8 of SlowExchange), and its *-slow variants stall half again the hop budget, so they miss
// it for sure while the reference's own hops (a few milliseconds) never come close.
func ReferenceConfig(h *scenarios.Harness, bug string, opts scenarios.Options) reference.Config {
	opts = ReferenceOptions(opts)
	return reference.Config{
		APIBase:         h.URL(),
		ClientID:        reference.DemoClientID,
		ClientSecret:    reference.DemoClientSecret,
		Bug:             bug,
		ExchangeTimeout: opts.SlowExchange * 3 / 8,
		SlowDelay:       opts.HopBudget * 3 / 2,
	}
}
