package conformance_test

import (
	"os"
	"testing"

	"github.com/hsemu/hsemu/conformance"
	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// TestConformance runs the catalogue against the endpoint named by HSEMU_INSTALL_URL (and the
// other HSEMU_* variables), or, with none set, against the reference endpoints in-process.
func TestConformance(t *testing.T) {
	suite, target, ok, err := conformance.FromEnv(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		suite.Run(t, target)
		return
	}
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	targets := conformance.InProcess(t, h, "", inprocess.TestOptions())
	conformance.Suite{Harness: h, Options: inprocess.TestOptions(), Cacheable: true}.Run(t, targets...)
}
