package conformance_test

import (
	"os"
	"testing"

	"github.com/hsemu/hsemu/conformance"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// TestConformance runs the catalogue against the endpoint named by HSEMU_INSTALL_URL (and the
// other HSEMU_* variables), or, with none set, against the reference endpoints in-process.
func TestConformance(t *testing.T) {
	target, ok, err := conformance.TargetFromEnv(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		addr := os.Getenv("HSEMU_ADDR")
		if addr == "" {
			addr = emulator.DefaultAddr
		}
		conformance.Suite{Addr: addr, Options: scenarios.Options{Strict: os.Getenv("HSEMU_STRICT") == "1"}}.Run(t, target)
		return
	}
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	targets := conformance.InProcess(t, h, "", conformance.TestOptions())
	conformance.Suite{Harness: h, Options: conformance.TestOptions()}.Run(t, targets...)
}
