package chromium

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// TestLeftPageStaysQuiet closes an engine whose page keeps writing a cookie and local storage
// from a timer; the next engine, which reuses its tab, finds neither: the page is gone before
// the tab is cleared.
func TestLeftPageStaysQuiet(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>storage, cookie:</title><script>
document.title += " " + (localStorage.getItem("k") !== null) + " " + document.cookie.includes("js=");
if (location.pathname === "/busy") setInterval(() => {
  localStorage.setItem("k", "v"); document.cookie = "js=1; path=/";
}, 1);
</script>`)
	}))
	defer srv.Close()
	e := pool.NewEngine(browser.Options{})
	if _, err := e.Navigate(testContext(t), srv.URL+"/busy", browser.TopLevel); err != nil {
		t.Fatal(err)
	}
	e.Close()
	e2 := pool.NewEngine(browser.Options{})
	defer e2.Close()
	if e2.tab != e.tab {
		t.Log("the tab was not reused (another test took it)")
	}
	p, err := e2.Navigate(testContext(t), srv.URL+"/get", browser.TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "storage, cookie: false false" {
		t.Errorf("next engine: title %q; want storage, cookie: false false", p.Title)
	}
}

// TestReusedTabFramedStorageClean stores local storage from a page framed by HubSpot (which
// the emulator serves); the next engine, framed there too in the reused tab, finds none.
func TestReusedTabFramedStorageClean(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>stored:</title><script>
document.title += " " + (localStorage.getItem("k") !== null); localStorage.setItem("k", "v");
</script>`)
	}))
	defer srv.Close()
	opts := hubSpotStub(t)
	for i, want := range []string{"stored: false", "stored: false"} {
		e := pool.NewEngine(opts)
		p, err := e.Navigate(testContext(t), srv.URL+"/install", framedByHubSpot)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if p2, err := e.Navigate(testContext(t), srv.URL+"/install", framedByHubSpot); err != nil || p2.Title != "stored: true" {
				t.Fatalf("same engine: title %q, err %v; want stored: true", p2.Title, err)
			}
		}
		if p.Title != want {
			t.Errorf("engine %d: title %q; want %q", i+1, p.Title, want)
		}
		e.Close()
	}
}

// TestPopupClosedWithTheEngine: a window the engine's page opened (window.open), with a timer
// that keeps writing a cookie, goes with the engine's browser context when the engine gives its
// tab back: it is gone, and the next engine finds no cookie.
func TestPopupClosedWithTheEngine(t *testing.T) {
	pool := testPool(t)
	ran := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/opener":
			fmt.Fprint(w, `<!doctype html><title>opener</title><script>window.open("/popup");</script>`)
		case "/popup":
			fmt.Fprint(w, `<!doctype html><title>popup</title><script>
document.cookie = "pop=1; path=/"; fetch("/ran");
setInterval(() => { document.cookie = "pop=1; path=/"; }, 50);
</script>`)
		case "/ran":
			select {
			case ran <- struct{}{}:
			default:
			}
		default:
			fmt.Fprint(w, `<!doctype html><title>cookie:</title><script>document.title += " " + document.cookie.includes("pop=");</script>`)
		}
	}))
	defer srv.Close()
	e := pool.NewEngine(browser.Options{})
	if _, err := e.Navigate(testContext(t), srv.URL+"/opener", browser.TopLevel); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	case <-testContext(t).Done():
		t.Fatal("the popup never ran")
	}
	c := chromedp.FromContext(e.ctx)
	e.Close()
	waitReleased(pool)
	e2 := pool.NewEngine(browser.Options{})
	defer e2.Close()
	res, err := cdp.Call(testContext(t), c.Browser, target.GetTargets, target.GetTargetsParams{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range res.TargetInfos {
		if ti.BrowserContextID == c.BrowserContextID && ti.TargetID != c.Target.TargetID && ti.Type == "page" {
			t.Errorf("%s %s is still open in the engine's browser context", ti.Type, ti.URL)
		}
	}
	if e2.tab == e.tab {
		t.Error("the tab whose page opened a window was reused; want it closed with its browser context")
	}
	p, err := e2.Navigate(testContext(t), srv.URL+"/check", browser.TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "cookie: false" {
		t.Errorf("next engine: title %q; want cookie: false (the popup is gone with its engine)", p.Title)
	}
}
