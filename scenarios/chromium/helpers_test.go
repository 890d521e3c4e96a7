package chromium

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
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

// testPool returns the package's shared Chromium, started once for the test binary. Without
// Chromium the test is skipped, naming how to install it; under CI=true it fails instead.
func testPool(t testing.TB) *Pool {
	t.Helper()
	if _, err := FindChromium(""); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required under CI: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	poolOnce.Do(func() { shared, poolErr = NewPool(context.Background(), Config{}) })
	if poolErr != nil {
		t.Fatalf("NewPool: %v", poolErr)
	}
	return shared
}

func benchPool(b *testing.B) *Pool { return testPool(b) }

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

// hubSpotStub serves a blank page for every request to HubSpot's hosts, and returns the options
// that send them there.
func hubSpotStub(t *testing.T) browser.Options {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>HubSpot</title>`)
	}))
	t.Cleanup(hs.Close)
	return browser.Options{HubSpotAddr: hs.Listener.Addr().String()}
}

// waitReleased waits until no tab is being given back to the pool.
func waitReleased(p *Pool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.releasing > 0 {
		p.back.Wait()
	}
}
