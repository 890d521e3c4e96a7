package conformance_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// crashReturnURL is the returnUrl the crashing endpoint dies on: the open-redirect probe's
// scheme-relative URL, as an unhandled exception on a URL parser would.
const crashReturnURL = "//evil.example/ecosystem/return"

// startCrashing serves the reference endpoint, wrapped so that it dies, listener and every
// connection, on the first request whose returnUrl is crashReturnURL. With openRedirect it also
// redirects to a returnUrl on evil.example, so an open redirect is on record before the crash.
func startCrashing(t *testing.T, h *scenarios.Harness, opts scenarios.Options, openRedirect bool) []scenarios.Target {
	t.Helper()
	ref, err := reference.New(inprocess.ReferenceConfig(h, "", opts))
	require.NoError(t, err)
	var (
		dead atomic.Bool
		once sync.Once
		ts   *httptest.Server
	)
	die := func(w http.ResponseWriter) {
		once.Do(func() { ts.Listener.Close() })
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
			}
		}
	}
	ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ret := r.URL.Query().Get("returnUrl")
		switch {
		case dead.Load():
			die(w)
		case ret == crashReturnURL:
			dead.Store(true)
			die(w)
		case openRedirect && strings.HasPrefix(ret, "https://evil.example/"):
			http.Redirect(w, r, ret, http.StatusFound)
		default:
			ref.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	return inprocess.ReferenceTargets(strings.Replace(ts.URL, "127.0.0.1", "localhost", 1))
}

func runCrash(t *testing.T, crashing, openRedirect bool) map[string]scenarios.Outcome {
	t.Helper()
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	opts := inprocess.ReferenceOptions(inprocess.TestOptions())
	var targets []scenarios.Target
	if crashing {
		targets = startCrashing(t, h, opts, openRedirect)
	} else {
		var stop func()
		targets, stop, err = inprocess.StartReference(h, "", opts)
		require.NoError(t, err)
		t.Cleanup(stop)
	}
	rep, err := (&scenarios.Runner{Harness: h, Options: opts}).Run(context.Background(), targets)
	require.NoError(t, err)
	out := map[string]scenarios.Outcome{}
	for _, res := range rep.Results {
		out[res.Target+" "+res.Check.ID] = res.Outcome
	}
	return out
}

// TestEndpointCrashMidRun kills the endpoint on one robust probe: that probe's check fails
// naming the request, the checks after it are "endpoint down" errors, and every check decided
// before it keeps the healthy endpoint's verdict.
func TestEndpointCrashMidRun(t *testing.T) {
	healthy := runCrash(t, false, false)
	for _, openRedirect := range []bool{false, true} {
		name := "crash"
		if openRedirect {
			name = "open redirect, then crash"
		}
		t.Run(name, func(t *testing.T) {
			got := runCrash(t, true, openRedirect)
			require.Equal(t, len(healthy), len(got))
			robustOrder := []string{"unknown-step", "missing-return-url", "duplicate-params", "oversized-params", "open-redirect", "reflected-return-url"}
			robust := map[string]int{}
			for i, id := range robustOrder {
				robust["robust/"+id] = i
			}
			for key, want := range healthy {
				target, id, _ := strings.Cut(key, " robust/")
				o := got[key]
				if id == "" {
					// A normal check: it ran before any crash-prone probe.
					assert.Equal(t, want.Status, o.Status, "%s: %s", key, o.Got)
					continue
				}
				check := "robust/" + id
				switch {
				case strings.HasSuffix(target, "seamless") && robust[check] < robust["robust/open-redirect"]:
					assert.Equal(t, want.Status, o.Status, "%s ran before the crash: %s", key, o.Got)
				case strings.HasSuffix(target, "seamless") && check == "robust/open-redirect":
					assert.Equal(t, scenarios.Fail, o.Status, key)
					if openRedirect {
						assert.Contains(t, o.Got, "evil.example", "the open redirect recorded before the crash stays the verdict")
						assert.NotContains(t, o.Got, "stopped answering")
					} else {
						assert.Contains(t, o.Got, "the endpoint stopped answering after GET /")
						assert.Contains(t, o.Got, "returnUrl="+url.QueryEscape(crashReturnURL)[:20], "names the request that brought it down")
						assert.Contains(t, o.Got, "crashed on this input")
					}
				default:
					// Every crash-prone probe after it: the seamless target's last one and all
					// the partner target's (the same endpoint).
					assert.Equal(t, scenarios.Error, o.Status, "%s: %s", key, o.Got)
					assert.Equal(t, scenarios.CauseDown, o.Cause, key)
					assert.Contains(t, o.Got, "endpoint down since")
				}
			}
		})
	}
}

// badInput reports whether a request to the install URL carries one of the robust probes' bad
// inputs: an unknown or missing step, no returnUrl, a repeated parameter, an oversized value,
// or a returnUrl that is not HubSpot's.
func badInput(r *http.Request) bool {
	q := r.URL.Query()
	if !strings.HasSuffix(r.URL.Path, "/install") {
		return false
	}
	for _, vs := range q {
		if len(vs) > 1 {
			return true
		}
	}
	ret := q.Get("returnUrl")
	step := q.Get("step")
	return (step != "authorize" && step != "finalize") || ret == "" || len(r.URL.RawQuery) > 2000 ||
		!strings.HasPrefix(ret, "https://app.hubspot.com/") || strings.Contains(ret, "<")
}

// TestResettingProxyPassesNoRobustCheck puts the reference behind a proxy that resets the
// connection on bad input: every robust check fails saying the connection was reset, none
// passes, and the endpoint is not taken for down (it answers the health probe).
func TestResettingProxyPassesNoRobustCheck(t *testing.T) {
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	opts := inprocess.ReferenceOptions(inprocess.TestOptions())
	ref, err := reference.New(inprocess.ReferenceConfig(h, "", opts))
	require.NoError(t, err)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !badInput(r) {
			ref.ServeHTTP(w, r)
			return
		}
		hj, ok := w.(http.Hijacker)
		if !ok {
			return
		}
		c, _, err := hj.Hijack()
		if err != nil {
			return
		}
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // a reset, not a close
		}
		c.Close()
	}))
	t.Cleanup(ts.Close)
	targets := inprocess.ReferenceTargets(strings.Replace(ts.URL, "127.0.0.1", "localhost", 1))
	opts.Only = []string{"robust/"}
	rep, err := (&scenarios.Runner{Harness: h, Options: opts}).Run(context.Background(), targets)
	require.NoError(t, err)
	require.NotEmpty(t, rep.Results)
	for _, res := range rep.Results {
		o := res.Outcome
		if o.Status == scenarios.Skip && res.Check.ID == "robust/unknown-step-no-exchange" {
			continue // a seamless endpoint need not read step: the check does not apply to it
		}
		assert.Equal(t, scenarios.Fail, o.Status, "%s (%s): %s", res.Check.ID, res.Target, o.Got)
		assert.Contains(t, o.Got, "reset", "%s (%s) names the reset", res.Check.ID, res.Target)
		assert.NotEqual(t, scenarios.CauseDown, o.Cause)
	}
}
