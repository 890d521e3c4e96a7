package conformance_test

import (
	"context"
	"fmt"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// The catalogue run from Go, against a broken variant of the reference seamless endpoint. In your
// own tests, conformance.Run(t, target) does the same and reports each check as a subtest.
func Example() {
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	opts := inprocess.TestOptions() // generous timings: the example's output must not depend on load
	targets, stop, err := inprocess.StartReference(h, "seamless-no-return", opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	r := &scenarios.Runner{Harness: h, Options: opts}
	rep, err := r.Run(context.Background(), targets[:1]) // the seamless install URL
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, res := range rep.Results {
		if res.Outcome.Status == scenarios.Fail {
			fmt.Println(res.Check.ID)
		}
	}
	// Output: seamless/install/returns-to-hubspot
}
