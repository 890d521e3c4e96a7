package chromium

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// TestTimerNavigationFollowed is a page that navigates from a zero-delay timer set once it has
// loaded, and again from a promise: the engine follows both rather than ending on the first
// page.
func TestTimerNavigationFollowed(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			fmt.Fprint(w, `<!doctype html><title>start</title><script>
addEventListener("load", () => setTimeout(() => setTimeout(() => { location.href = "/middle"; }, 0), 0));
</script>`)
		case "/middle":
			fmt.Fprint(w, `<!doctype html><title>middle</title><script>
addEventListener("load", () => Promise.resolve().then(() => setTimeout(() => { location.replace("/end"); }, 0)));
</script>`)
		default:
			fmt.Fprint(w, `<!doctype html><title>end</title>`)
		}
	}))
	defer srv.Close()
	e := pool.NewEngine(browser.Options{})
	defer e.Close()
	p, err := e.Navigate(testContext(t), srv.URL+"/start", browser.TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "end" || len(p.Hops) != 3 {
		t.Errorf("title %q, hops %d; want end, 3", p.Title, len(p.Hops))
	}
	for _, h := range p.Hops[1:] {
		if h.How != HowScript {
			t.Errorf("hop %d (%s): How %q; want %q", h.Seq, h.URL.Path, h.How, HowScript)
		}
	}
}

// TestDelayedTimerNavigationFollowed: the "back to HubSpot in a moment" page, whose script
// navigates from a timer a while after it loaded, is followed to where it goes.
func TestDelayedTimerNavigationFollowed(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/installed":
			fmt.Fprint(w, `<!doctype html><title>Installed</title><p>Taking you back to HubSpot…</p><script>
setTimeout(function () { window.location.href = "/end"; }, 0.3 * 1000);
</script>`)
		default:
			fmt.Fprint(w, `<!doctype html><title>end</title>`)
		}
	}))
	defer srv.Close()
	e := pool.NewEngine(browser.Options{})
	defer e.Close()
	p, err := e.Navigate(testContext(t), srv.URL+"/installed", browser.TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "end" || len(p.Hops) != 2 || p.Hops[1].How != HowScript {
		t.Errorf("title %q, hops %d; want end after a script navigation", p.Title, len(p.Hops))
	}
}

func TestTimerDelay(t *testing.T) {
	for _, tt := range []struct {
		body string
		want time.Duration
	}{
		{`<script>setTimeout(go, 2000)</script>`, 2 * time.Second},
		{`<script>setTimeout(() => { location.href = u; }, 1.5 * 1000);</script>`, 1500 * time.Millisecond},
		{`<script>setTimeout(a, 10); setTimeout(function () { b(1, 2); }, 300 )</script>`, 300 * time.Millisecond},
		{`<script>setTimeout(go)</script>`, 0},
		{`<script>setTimeout(go, delay)</script>`, 0},
		{`<p>no script</p>`, 0},
	} {
		if got := timerDelay([]byte(tt.body)); got != tt.want {
			t.Errorf("timerDelay(%s) = %s; want %s", tt.body, got, tt.want)
		}
	}
}
