package chromium

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

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
