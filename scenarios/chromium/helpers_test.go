package chromium

import (
	"context"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/hsemu/hsemu/scenarios/browser"
)

var (
	poolOnce sync.Once
	shared   *Pool
	poolErr  error
)

// testPool returns the package's shared Chromium, skipping the test when none is installed,
// unless CI=true (.ci/run installs it).
func testPool(t *testing.T) *Pool {
	t.Helper()
	if _, err := FindChromium(""); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skipf("%v", err)
	}
	poolOnce.Do(func() { shared, poolErr = NewPool(context.Background(), Config{}) })
	if poolErr != nil {
		t.Fatalf("NewPool: %v", poolErr)
	}
	return shared
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.Close()
	}
	os.Exit(code)
}

// testContext bounds a test.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

var framedByHubSpot = browser.FramedBy("https://app.hubspot.com")

func browserOptionsStopAtHubSpot() browser.Options {
	return browser.Options{StopAt: func(u *url.URL) bool { return browser.IsHubSpotHost(u.Hostname()) }}
}
