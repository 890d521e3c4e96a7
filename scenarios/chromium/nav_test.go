package chromium

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/scenarios/browser"
)

func TestNavigateRedirectRefreshStopAt(t *testing.T) {
	pool := testPool(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/start", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "1", Path: "/", HttpOnly: true, SameSite: http.SameSiteNoneMode, Secure: true})
		http.Redirect(w, r, "/page", http.StatusFound)
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Almost</title><meta http-equiv="refresh" content="0;url=https://app.hubspot.com/done?x=1">`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var hops []browser.Hop
	e := pool.NewEngine(browser.Options{
		StopAt: func(u *url.URL) bool { return browser.IsHubSpotHost(u.Hostname()) },
		OnHop:  func(h browser.Hop) { hops = append(hops, h) },
	})
	p, err := e.Navigate(testContext(t), srv.URL+"/start", browser.TopLevel)
	if err != nil {
		t.Fatalf("Navigate: %v", err)
	}
	if !p.Stopped || p.URL.String() != "https://app.hubspot.com/done?x=1" {
		t.Fatalf("page = %s stopped %v; want stopped at https://app.hubspot.com/done?x=1", p.URL, p.Stopped)
	}
	var got []string
	for _, h := range hops {
		got = append(got, fmt.Sprintf("%d %s %s %s %d stopped=%v", h.Seq, h.How, h.Method, h.URL.Path, h.Status, h.Stopped))
	}
	want := []string{
		"1 navigate GET /start 302 stopped=false",
		"2 redirect 302 GET /page 200 stopped=false",
		"3 meta refresh GET /done 0 stopped=true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("hops:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if loc := hops[0].ResponseHeader.Get("Location"); loc != "/page" {
		t.Errorf("hop 1 Location = %q; want /page", loc)
	}
	if len(hops[0].SetCookies) != 1 || hops[0].SetCookies[0].Name != "sid" {
		t.Errorf("hop 1 SetCookies = %v; want sid", hops[0].SetCookies)
	}
	if len(p.Hops) != 3 {
		t.Errorf("page hops = %d; want 3", len(p.Hops))
	}
}

func TestNavigateLoop(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" {
			http.Redirect(w, r, "/b", http.StatusFound)
			return
		}
		http.Redirect(w, r, "/a", http.StatusFound)
	}))
	defer srv.Close()
	e := pool.NewEngine(browser.Options{})
	_, err := e.Navigate(testContext(t), srv.URL+"/a", browser.TopLevel)
	if !errors.Is(err, browser.ErrLoop) {
		t.Fatalf("err = %v; want ErrLoop", err)
	}
	var ne *browser.NavError
	if !errors.As(err, &ne) || len(ne.Cycle) != 3 {
		t.Fatalf("err = %#v; want a NavError with the cycle /a → /b → /a", err)
	}
}

// TestFramedPageBlocked frames pages that forbid it. Chromium refuses to show them; the
// navigation ends when Chromium fails the load, not at the hop timeout, which is set far
// beyond the test's own deadline so that waiting for it fails the test.
func TestFramedPageBlocked(t *testing.T) {
	pool := testPool(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/xfo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "DENY")
		fmt.Fprint(w, `<!doctype html><title>Installed</title><form action="/next"><input name="a"></form>`)
	})
	mux.HandleFunc("/csp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "frame-ancestors 'none'")
		fmt.Fprint(w, `<!doctype html><title>Installed</title><form action="/next"><input name="a"></form>`)
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Installed</title><form action="/next"><input name="a"></form>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct {
		path    string
		blocked bool
	}{{"/xfo", true}, {"/csp", true}, {"/ok", false}} {
		t.Run(tc.path, func(t *testing.T) {
			e := pool.NewEngine(browser.Options{HopTimeout: time.Hour})
			p, err := e.Navigate(testContext(t), srv.URL+tc.path, framedByHubSpot)
			if err != nil {
				t.Fatalf("Navigate: %v", err)
			}
			if p.Stopped || p.URL.Path != tc.path || p.Status != http.StatusOK {
				t.Fatalf("page = %s status %d stopped %v; want %s, 200", p.URL, p.Status, p.Stopped, tc.path)
			}
			shown := len(p.Forms) == 1 && p.Title == "Installed"
			if shown == tc.blocked {
				t.Errorf("forms %d, title %q, text %q; want the page shown = %v", len(p.Forms), p.Title, p.Text, !tc.blocked)
			}
			if tc.blocked && !strings.Contains(p.Text, "Chromium did not display this page") {
				t.Errorf("Text = %q; want it to say Chromium refused the page", p.Text)
			}
		})
	}
}

// TestDroppedEngineNavigates navigates with an engine nobody holds, as a scenario's last
// navigation does, while the garbage collector runs: the engine's tab must stay open until the
// navigation ends (the cleanup that closes it once closed tabs mid-navigation).
func TestDroppedEngineNavigates(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runtime.GC()
		runtime.GC()
		fmt.Fprint(w, `<!doctype html><title>Installed</title>`)
	}))
	defer srv.Close()
	for i := range 3 {
		p, err := pool.NewEngine(browser.Options{}).Navigate(testContext(t), fmt.Sprintf("%s/%d", srv.URL, i), framedByHubSpot)
		if err != nil {
			t.Fatalf("navigation %d: %v", i, err)
		}
		if p.Title != "Installed" {
			t.Fatalf("navigation %d: title %q; want Installed", i, p.Title)
		}
	}
}

// TestRefusedRedirectEndsNavigation: a redirect Chromium will not follow (to http in HubSpot's
// https frame, to a URL with credentials, to javascript:) ends the navigation at once on the
// redirect, which records why; it is no hop timeout.
func TestRefusedRedirectEndsNavigation(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", r.URL.Query().Get("to"))
		w.WriteHeader(http.StatusSeeOther)
	}))
	defer srv.Close()
	own := func(u *url.URL) bool { return "http://"+u.Host != srv.URL }
	for _, to := range []string{"http://evil.example/return", "https://app.hubspot.com@evil.example/return", "javascript:alert(1)"} {
		t.Run(to, func(t *testing.T) {
			e := pool.NewEngine(browser.Options{StopAt: own, HopTimeout: 20 * time.Second})
			defer e.Close()
			p, err := e.Navigate(testContext(t), srv.URL+"/install?to="+url.QueryEscape(to), framedByHubSpot)
			if err != nil {
				t.Fatalf("Navigate: %v; want the navigation to end on the refused redirect", err)
			}
			if len(p.Hops) != 1 || p.Hops[0].Status != http.StatusSeeOther || !strings.Contains(p.Hops[0].Blocked, "net::") {
				t.Fatalf("hops %+v; want the 303 alone, blocked with Chromium's reason", p.Hops)
			}
			t.Logf("%s: %s", to, p.Hops[0].Blocked)
		})
	}
}
