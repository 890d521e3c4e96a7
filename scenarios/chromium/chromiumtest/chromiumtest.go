// Package chromiumtest is what the tests that drive a real Chromium share, outside package
// chromium itself (whose own tests cannot import it). It imports package testing, so only test
// files may import it (cmd/hsemu must link no test code).
package chromiumtest

import (
	"os"
	"testing"

	"github.com/hsemu/hsemu/scenarios/chromium"
)

// Need returns the Chromium executable the chromium engine would use. Without one it skips t,
// naming how to install it; under CI=true, where .ci/run installs Chromium, it fails t instead.
func Need(t testing.TB) string {
	t.Helper()
	path, err := chromium.FindChromium("")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required under CI: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return path
}
