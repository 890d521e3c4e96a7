package chromium

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// runCatalogue runs the catalogue against the reference endpoint (with bug, "" for none) with
// the chromium engine, and returns each check's worst status by ID.
func runCatalogue(t *testing.T, bug string, only ...string) map[string]scenarios.Status {
	t.Helper()
	pool := testPool(t)
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	// Generous timings: a loaded CI machine running Chromium must not change a verdict.
	opts := inprocess.TestOptions()
	targets, stop, err := inprocess.StartReference(h, bug, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	opts.Engine = pool.Factory()
	opts.Only = only
	rep, err := (&scenarios.Runner{Harness: h, Options: opts}).Run(testContext(t), targets)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]scenarios.Status{}
	for _, r := range rep.Results {
		if r.Outcome.Status > got[r.Check.ID] {
			got[r.Check.ID] = r.Outcome.Status
		}
		if r.Outcome.Status >= scenarios.Fail {
			t.Logf("%s %s (%s): %s", r.Outcome.Status, r.Check.ID, r.Target, r.Outcome.Got)
		}
	}
	return got
}

// TestReferenceInstallFlows runs the whole catalogue against the reference endpoints with the
// chromium engine, several scenarios at once as the runner does: every check passes.
func TestReferenceInstallFlows(t *testing.T) {
	got := runCatalogue(t, "")
	if len(got) == 0 {
		t.Fatal("no check ran")
	}
	var bad []string
	for id, st := range got {
		if st != scenarios.Pass && st != scenarios.Skip {
			bad = append(bad, id+": "+st.String())
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("checks not passing under chromium:\n%s", strings.Join(bad, "\n"))
	}
}

// TestFramingBlockedForReal runs the variant whose interstitial page sends X-Frame-Options:
// DENY. Chromium refuses to show it in HubSpot's frame, so its meta refresh back to HubSpot
// never runs: the framing check fails, and so does the return to HubSpot — for real, where
// the http engine can only judge the header.
func TestFramingBlockedForReal(t *testing.T) {
	got := runCatalogue(t, "seamless-interstitial-xfo", "seamless/")
	for _, id := range []string{"seamless/install/returns-to-hubspot"} {
		if got[id] != scenarios.Fail {
			t.Errorf("%s = %v; want FAIL (the blocked page never returns to HubSpot)", id, got[id])
		}
	}
	frameable := ""
	for id, st := range got {
		if strings.Contains(id, "fram") && st == scenarios.Fail {
			frameable = id
		}
	}
	if frameable == "" {
		t.Errorf("no framing check failed; results: %v", got)
	}
}

// TestJSRedirect is an endpoint that returns to HubSpot only from script: the chromium engine
// runs the script and stops at the returnUrl, with a hop whose How is "script".
func TestJSRedirect(t *testing.T) {
	pool := testPool(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ret := r.URL.Query().Get("returnUrl")
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><title>Installing</title><script>location.replace(%q)</script>`, ret)
	}))
	defer srv.Close()
	e := pool.NewEngine(browserOptionsStopAtHubSpot())
	ret := "https://app.hubspot.com/ecosystem/1/marketplace/apps/1/install/return?installId=x"
	p, err := e.Navigate(testContext(t), srv.URL+"/install?returnUrl="+url.QueryEscape(ret), framedByHubSpot)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Stopped || p.URL.String() != ret {
		t.Fatalf("page = %s (stopped %v); want stopped at %s", p.URL, p.Stopped, ret)
	}
	if last := p.Hops[len(p.Hops)-1]; last.How != HowScript {
		t.Errorf("last hop How = %q; want %q", last.How, HowScript)
	}
	if p.JSRedirect {
		t.Error("JSRedirect = true; chromium ran the script")
	}
}
