package chromium

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// TestLauncherReused frames the endpoint from a new launcher, then from the launcher the tab
// still shows, then (the tab given back and taken again) from the launcher left standing, and
// opens it from there: each request reaches the endpoint as from HubSpot's page, and nothing
// of the last engine's framed page is left.
func TestLauncherReused(t *testing.T) {
	pool := testPool(t)
	var mu sync.Mutex
	seen := map[string]http.Header{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path] = r.Header.Clone()
		mu.Unlock()
		// The page keeps writing a cookie and local storage, and asks to leave, from a timer.
		fmt.Fprint(w, `<!doctype html><title>storage, cookie:</title><script>
document.title += " " + (localStorage.getItem("k") !== null) + " " + document.cookie.includes("js=");
setInterval(() => { localStorage.setItem("k", "v"); document.cookie = "js=1; path=/; SameSite=None; Secure"; }, 1);
</script>`)
	}))
	defer srv.Close()
	opts := hubSpotStub(t)

	e := pool.NewEngine(opts)
	for _, path := range []string{"/framed-new", "/framed-again"} {
		p, err := e.Navigate(testContext(t), srv.URL+path, framedByHubSpot)
		if err != nil {
			t.Fatal(err)
		}
		if e.stand != hubspot.WebOrigin {
			t.Fatalf("after %s the tab stands on %q; want the launcher of %s", path, e.stand, hubspot.WebOrigin)
		}
		// The same engine is the same browser: the second page finds what the first stored.
		if want := map[string]string{"/framed-new": "storage, cookie: false false", "/framed-again": "storage, cookie: true true"}[path]; p.Title != want {
			t.Errorf("%s: title %q; want %q", path, p.Title, want)
		}
	}
	tab := e.tab
	e.Close()
	waitReleased(pool)
	if tab.stand != hubspot.WebOrigin {
		t.Fatalf("the tab given back stands on %q; want the emptied launcher of %s", tab.stand, hubspot.WebOrigin)
	}
	e2 := pool.NewEngine(opts)
	p, err := e2.Navigate(testContext(t), srv.URL+"/framed-reused", framedByHubSpot)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "storage, cookie: false false" {
		t.Errorf("next engine: title %q; want storage, cookie: false false (nothing of the last engine's page)", p.Title)
	}
	if _, err := e2.Navigate(testContext(t), srv.URL+"/opened", browser.OpenedBy(hubspot.WebOrigin)); err != nil {
		t.Fatal(err)
	}
	e2.Close()

	mu.Lock()
	defer mu.Unlock()
	for path, want := range map[string]string{"/framed-new": "iframe", "/framed-again": "iframe", "/framed-reused": "iframe", "/opened": "document"} {
		h := seen[path]
		if h == nil {
			t.Errorf("%s: no request reached the endpoint", path)
			continue
		}
		if got := h.Get("Sec-Fetch-Dest"); got != want {
			t.Errorf("%s: Sec-Fetch-Dest %q; want %q", path, got, want)
		}
		if got := h.Get("Sec-Fetch-Site"); got != "cross-site" {
			t.Errorf("%s: Sec-Fetch-Site %q; want cross-site (from HubSpot's page)", path, got)
		}
		// HubSpot's https page sends no Referer to the loopback endpoint's http (a downgrade).
		if got := h.Get("Referer"); got != "" {
			t.Errorf("%s: Referer %q; want none (https to http)", path, got)
		}
	}
}
