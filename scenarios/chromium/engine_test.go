package chromium

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// spaInstall is a single-page app's install page, as HubSpot's doc samples hand the user back:
// read code from the URL, post it to the app's backend with fetch(), then window.location.href
// = returnUrl.
const spaInstall = `<!doctype html><title>Installing</title><p id="status">Connecting…</p>
<script>
const q = new URLSearchParams(window.location.search);
fetch("/api/install", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({code: q.get("code")})})
  .then(r => { if (!r.ok) throw new Error("backend said " + r.status); return r.json(); })
  .then(() => { window.location.href = q.get("returnUrl"); })
  .catch(e => { document.getElementById("status").textContent = "Failed: " + e.message; });
</script>`

// TestSinglePageAppInstall installs through a single-page app: its script posts the code to its
// backend, which takes longer than the engine's quiet period, and only then navigates to
// HubSpot's returnUrl. The engine waits for the fetch (the network is not idle), records the
// script navigation on the hop it started and stops at the returnUrl.
func TestSinglePageAppInstall(t *testing.T) {
	pool := testPool(t)
	codes := make(chan string, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /install", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, spaInstall)
	})
	mux.HandleFunc("POST /api/install", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		codes <- string(body)
		// The backend exchanges the code with HubSpot: it takes a while, well beyond the quiet
		// period, before the page may navigate.
		select {
		case <-time.After(5 * DefaultQuiet):
		case <-r.Context().Done():
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var hops []browser.Hop
	opts := browserOptionsStopAtHubSpot()
	opts.OnHop = func(h browser.Hop) { hops = append(hops, h) }
	e := pool.NewEngine(opts)
	ret := "https://app.hubspot.com/ecosystem/1/marketplace/apps/1/install/return?installId=x"
	p, err := e.Navigate(testContext(t), srv.URL+"/install?code=c-123&returnUrl="+url.QueryEscape(ret), framedByHubSpot)
	if err != nil {
		t.Fatal(err)
	}
	if got := <-codes; got != `{"code":"c-123"}` {
		t.Errorf("the backend got %s; want the code", got)
	}
	if !p.Stopped || p.URL.String() != ret {
		t.Fatalf("page = %s (stopped %v); want stopped at the returnUrl %s", p.URL, p.Stopped, ret)
	}
	if len(hops) != 2 {
		t.Fatalf("hops = %d; want 2 (the install page, the script navigation)", len(hops))
	}
	last := hops[1]
	if last.How != HowScript || !last.Stopped {
		t.Errorf("hop 2: How %q, stopped %v; want %q, stopped", last.How, last.Stopped, HowScript)
	}
	if want := "script navigated to " + ret; !strings.HasPrefix(last.Script, want) {
		t.Errorf("hop 2 Script = %q; want it to start with %q", last.Script, want)
	}
	t.Logf("hop 2 Script: %s", last.Script)
	if hops[0].Script != "" {
		t.Errorf("hop 1 Script = %q; want none (the engine navigated)", hops[0].Script)
	}
}

// TestLateMetaRefresh follows a meta refresh with a delay: the engine waits for it rather than
// taking the page it sits on as the end.
func TestLateMetaRefresh(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Installing</title><meta http-equiv="refresh" content="1; url=https://app.hubspot.com/done">`)
	}))
	defer srv.Close()
	e := pool.NewEngine(browserOptionsStopAtHubSpot())
	p, err := e.Navigate(testContext(t), srv.URL+"/install", framedByHubSpot)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Stopped || p.URL.String() != "https://app.hubspot.com/done" {
		t.Fatalf("page = %s (stopped %v); want stopped at https://app.hubspot.com/done", p.URL, p.Stopped)
	}
	if last := p.Hops[len(p.Hops)-1]; last.How != browser.HowMetaRefresh {
		t.Errorf("last hop How = %q; want %q", last.How, browser.HowMetaRefresh)
	}
}

// TestHopDuration takes a hop's Duration from Chromium's timing of the exchange: a stalled
// response counts its stall.
func TestHopDuration(t *testing.T) {
	pool := testPool(t)
	const stall = 200 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(stall):
		case <-r.Context().Done():
		}
		fmt.Fprint(w, `<!doctype html><title>Installed</title>`)
	}))
	defer srv.Close()
	e := pool.NewEngine(browser.Options{})
	p, err := e.Navigate(testContext(t), srv.URL+"/install", framedByHubSpot)
	if err != nil {
		t.Fatal(err)
	}
	if d := p.Hops[0].Duration; d < stall {
		t.Errorf("hop 1 Duration = %s; want at least the server's stall of %s", d, stall)
	}
}

// TestBlockedFrameRecorded records on the hop that Chromium refused to display the page in
// HubSpot's frame, with Chromium's reason.
func TestBlockedFrameRecorded(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "frame-ancestors 'self'")
		fmt.Fprint(w, `<!doctype html><title>Installed</title>`)
	}))
	defer srv.Close()
	var hops []browser.Hop
	e := pool.NewEngine(browser.Options{HopTimeout: time.Hour, OnHop: func(h browser.Hop) { hops = append(hops, h) }})
	p, err := e.Navigate(testContext(t), srv.URL+"/install", framedByHubSpot)
	if err != nil {
		t.Fatal(err)
	}
	if len(hops) != 1 || !strings.Contains(hops[0].Blocked, "BLOCKED") {
		t.Fatalf("hops %d, hop 1 Blocked = %q; want Chromium's reason", len(hops), hops[0].Blocked)
	}
	if p.Hops[0].Blocked != hops[0].Blocked {
		t.Errorf("page hop Blocked = %q; want %q as streamed", p.Hops[0].Blocked, hops[0].Blocked)
	}
	// The same page at the top level is shown.
	hops = nil
	p, err = pool.NewEngine(browser.Options{OnHop: func(h browser.Hop) { hops = append(hops, h) }}).Navigate(testContext(t), srv.URL+"/install", browser.TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if hops[0].Blocked != "" || p.Title != "Installed" {
		t.Errorf("top level: Blocked = %q, title %q; want shown", hops[0].Blocked, p.Title)
	}
}

// TestThirdPartyCookies sets a cookie from a page framed by HubSpot and reads it back on the
// frame's next request: Chrome's default sends it; the blocking mode, as Safari and Firefox
// do, does not.
func TestThirdPartyCookies(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "1", Path: "/", Secure: true, SameSite: http.SameSiteNoneMode})
			http.Redirect(w, r, "/check", http.StatusFound)
			return
		}
		_, err := r.Cookie("sid")
		fmt.Fprintf(w, `<!doctype html><title>%v</title>`, err == nil)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		policy browser.CookiePolicy
		want   string
	}{{browser.ThirdPartyAllow, "true"}, {browser.ThirdPartyBlock, "false"}} {
		e := pool.NewEngine(browser.Options{ThirdPartyCookies: tc.policy})
		p, err := e.Navigate(testContext(t), srv.URL+"/set", framedByHubSpot)
		if err != nil {
			t.Fatal(err)
		}
		if p.Title != tc.want {
			t.Errorf("policy %v: cookie sent back = %s; want %s", tc.policy, p.Title, tc.want)
		}
	}
}

// TestArtifacts saves a screenshot per navigation, named by scenario and step.
func TestArtifacts(t *testing.T) {
	testPool(t) // skips without Chromium
	dir := t.TempDir()
	pool, err := NewPool(context.Background(), Config{ArtifactsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Installed</title><h1>Installed</h1>`)
	}))
	defer srv.Close()
	e := pool.NewEngine(browser.Options{})
	e.SetStep("seamless/install", "finalize")
	for range 2 {
		if _, err := e.Navigate(testContext(t), srv.URL+"/install", framedByHubSpot); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"seamless_install--finalize.png", "seamless_install--finalize-2.png"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "\x89PNG") {
			t.Errorf("%s is no PNG", name)
		}
	}
}

// TestMissingChromium is the pool's error when no Chromium is found.
func TestMissingChromium(t *testing.T) {
	_, err := NewPool(context.Background(), Config{ExecPath: filepath.Join(t.TempDir(), "no-chromium")})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v; want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "apt-get install chromium") || !strings.Contains(err.Error(), PathEnv) {
		t.Errorf("err = %q; want it to say how to install Chromium", err)
	}
	t.Setenv(PathEnv, filepath.Join(t.TempDir(), "no-chromium"))
	if _, err := FindChromium(""); !errors.Is(err, ErrNotFound) {
		t.Errorf("FindChromium with %s set to a missing file: err = %v; want ErrNotFound", PathEnv, err)
	}
}

// TestReusedTabIsClean closes an engine that stored a cookie and local storage; the next
// engine, which reuses its tab, has neither.
func TestReusedTabIsClean(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "1", Path: "/"})
		}
		_, err := r.Cookie("sid")
		fmt.Fprintf(w, `<!doctype html><title>%v</title><script>
const had = localStorage.getItem("k") !== null; localStorage.setItem("k", "v");
document.title += " " + had;
</script>`, err == nil)
	}))
	defer srv.Close()
	e := pool.NewEngine(browser.Options{})
	if _, err := e.Navigate(testContext(t), srv.URL+"/set", browser.TopLevel); err != nil {
		t.Fatal(err)
	}
	p, err := e.Navigate(testContext(t), srv.URL+"/get", browser.TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "true true" {
		t.Fatalf("same engine: cookie, storage = %q; want true true", p.Title)
	}
	e.Close()
	e2 := pool.NewEngine(browser.Options{})
	defer e2.Close()
	if e2.tab != e.tab {
		t.Log("the tab was not reused (another test took it)")
	}
	p, err = e2.Navigate(testContext(t), srv.URL+"/get", browser.TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "false false" {
		t.Errorf("next engine: cookie, storage = %q; want false false", p.Title)
	}
	if len(p.Hops) != 1 || p.Hops[0].Seq != 1 {
		t.Errorf("next engine: hops %d, first Seq %d; want 1, 1", len(p.Hops), p.Hops[0].Seq)
	}
}

// TestFragmentNavigation is a page whose script only changes its fragment: no request follows,
// and the navigation ends promptly on that page rather than at the hop timeout.
func TestFragmentNavigation(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Installed</title><script>location.href = "#done";</script>`)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(testContext(t), time.Minute)
	defer cancel()
	p, err := pool.NewEngine(browser.Options{HopTimeout: time.Hour}).Navigate(ctx, srv.URL+"/install", framedByHubSpot)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Installed" || len(p.Hops) != 1 {
		t.Errorf("title %q, hops %d; want Installed, 1", p.Title, len(p.Hops))
	}
}
