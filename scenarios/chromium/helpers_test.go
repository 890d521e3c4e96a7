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

// testPool returns the package's shared Chromium. The engine is not wired into the CLI yet
// (its verdicts still depend on the machine's load, see the package doc): its tests run only
// with HSEMU_CHROMIUM=1, and then fail when no Chromium is installed.
func testPool(t *testing.T) *Pool {
	t.Helper()
	if os.Getenv("HSEMU_CHROMIUM") != "1" {
		t.Skip("the chromium engine is not in the CLI yet: set HSEMU_CHROMIUM=1 (and install chromium) to run its tests")
	}
	if _, err := FindChromium(""); err != nil {
		t.Fatalf("HSEMU_CHROMIUM=1 but %v", err)
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
