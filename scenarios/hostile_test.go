package scenarios

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsemu/hsemu/emulator"
)

// hostile is a TCP endpoint on 127.0.0.1 that does something other than HTTP with every
// connection it accepts.
type hostile struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

// startHostile serves every accepted connection with handle until the test ends.
func startHostile(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := &hostile{ln: ln}
	hs.wg.Add(1)
	go func() {
		defer hs.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			hs.mu.Lock()
			hs.conns = append(hs.conns, c)
			hs.mu.Unlock()
			hs.wg.Add(1)
			go func() {
				defer hs.wg.Done()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		hs.mu.Lock()
		for _, c := range hs.conns {
			c.Close()
		}
		hs.mu.Unlock()
		hs.wg.Wait()
	})
	return localURL(ln.Addr())
}

// localURL is http://localhost:PORT for a loopback listener (HubSpot takes no IP addresses).
func localURL(a net.Addr) string {
	return "http://localhost:" + strings.TrimPrefix(a.String()[strings.LastIndex(a.String(), ":"):], ":")
}

// readSome waits for the request's first bytes, so what follows answers a request.
func readSome(c net.Conn) {
	buf := make([]byte, 4096)
	_, _ = c.Read(buf)
}

// resetEvery reads the request, then resets the connection (RST, not FIN).
func resetEvery(c net.Conn) {
	readSome(c)
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

// garbage answers every request with bytes that are not HTTP.
func garbage(c net.Conn) {
	readSome(c)
	_, _ = c.Write([]byte("\x00\x01\x02 this is not HTTP at all \xff\xfe\r\n\r\n"))
	c.Close()
}

// silent accepts and reads, and never answers; the test's cleanup closes the connection.
func silent(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

// hostileTarget is a target with every flow at base, so a run decides the whole catalogue.
func hostileTarget(base string) Target {
	return Target{
		Name:       "hostile",
		InstallURL: base + "/install",
		Flows:      []Flow{Seamless, Partner},
		ConnectURL: base + "/connect",
		WebhookURL: base + "/webhooks",
		Login:      Login{Fields: map[string]string{"email": "user@example.com", "password": "secret"}},
		App: emulator.App{
			ClientID:     "6a1f3c2e-7b4d-4e8f-9a0b-1c2d3e4f5a6b",
			ClientSecret: testWebhookSecret,
			RedirectURLs: []string{base + "/install", base + "/callback"},
		},
	}
}

// hostileOptions keep a run against an endpoint that never answers short.
func hostileOptions() Options {
	return Options{
		HopTimeout:    300 * time.Millisecond,
		HopBudget:     200 * time.Millisecond,
		InstallBudget: 2 * time.Second,
		SlowExchange:  100 * time.Millisecond,
		ObserveWindow: 20 * time.Millisecond,
		Profile:       ProfileListing,
		Repeat:        2, // seamless/install/concurrent too
	}
}

func runHostile(t *testing.T, target Target, opts Options) *RunReport {
	t.Helper()
	h, err := StartHarness(emulator.Config{}, "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	r := &Runner{Harness: h, Options: opts}
	rep, err := r.Run(context.Background(), []Target{target})
	require.NoError(t, err)
	return rep
}

// TestHostileEndpointsPassNothing runs every check against endpoints that reset every
// connection, answer garbage, never answer, and speak TLS on an http URL: not one check may
// pass, and each verdict names what happened.
func TestHostileEndpointsPassNothing(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the run's handshakes with it fail by design
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)

	tests := []struct {
		name string
		base string
		// says lists what a verdict may name; each must name one of them.
		says []string
	}{
		{"reset", startHostile(t, resetEvery), []string{"reset", "closed the connection", "endpoint down since", "stopped answering"}},
		{"garbage", startHostile(t, garbage), []string{"not HTTP", "endpoint down since", "stopped answering"}},
		{"silent", startHostile(t, silent), []string{"hop timeout", "deadline", "endpoint down since", "stopped answering"}},
		{"TLS on http", localURL(tlsSrv.Listener.Addr()), []string{"TLS mismatch"}},
	}
	all := len(Catalogue(ProfileListing))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := runHostile(t, hostileTarget(tt.base), hostileOptions())
			assert.Len(t, rep.Results, all, "every check of the catalogue is decided")
			for _, res := range rep.Results {
				o := res.Outcome
				assert.NotEqual(t, Pass, o.Status, "%s passed against an endpoint that %s: %s", res.Check.ID, tt.name, o.Got)
				if strings.HasPrefix(res.Check.ID, "robust/") && o.Cause != CauseSetup {
					// The normal scenarios found the endpoint not answering: the crash-prone
					// probes do not run, and none is blamed for bringing it down.
					assert.Equal(t, CauseDown, o.Cause, "%s: %s", res.Check.ID, o.Got)
				}
				if !contacted(res, tt.base) {
					continue // decided without contacting the endpoint (the listing's static checks)
				}
				named := false
				for _, s := range tt.says {
					named = named || strings.Contains(o.Got, s)
				}
				assert.True(t, named || o.Status == Skip && res.Check.Level == Manual, "%s (%s): %q names none of %q", res.Check.ID, o.Status, o.Got, tt.says)
			}
		})
	}
}

// TestPreflightUnreachable: nothing listening is one set-up error naming the URL, for every
// check, never a pass.
func TestPreflightUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := localURL(ln.Addr())
	require.NoError(t, ln.Close())
	opts := hostileOptions()
	opts.Only = []string{"connect/callback-no-code"}
	rep := runHostile(t, hostileTarget(base), opts)
	require.Len(t, rep.Results, 1)
	o := rep.Results[0].Outcome
	assert.Equal(t, Error, o.Status)
	assert.Equal(t, CauseSetup, o.Cause)
	assert.Contains(t, o.Got, base+"/connect")
	assert.Contains(t, o.Got, "connection refused")
	assert.Contains(t, o.Fix, "--connect-url")
}

// contacted reports whether the result's scenario sent a request to base.
func contacted(res Result, base string) bool {
	for _, h := range res.Transcript {
		if strings.HasPrefix(h.URL.String(), base) {
			return true
		}
	}
	return res.Outcome.Cause != CauseEndpoint // set-up and down errors are decided before any request
}

// TestPreflightSchemes: the preflight says which way the scheme and the server disagree, and
// lets a matching one through.
func TestPreflightSchemes(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	plainURL, tlsURL := localURL(plain.Listener.Addr()), localURL(tlsSrv.Listener.Addr())
	httpsOf := func(u string) string { return "https" + strings.TrimPrefix(u, "http") }
	tests := []struct {
		name, url, problem, fix string
	}{
		{"plain server, http URL", plainURL + "/install", "", ""},
		{"TLS server, https URL", httpsOf(tlsURL) + "/install", "", ""},
		{"TLS server, http URL", tlsURL + "/install", "is an http:// URL, but the server at", "https://"},
		{"plain server, https URL", httpsOf(plainURL) + "/install", "speaks plain HTTP", "http://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problem, fix := preflight(context.Background(), tt.url, 2*time.Second)
			if tt.problem == "" {
				assert.Empty(t, problem)
				return
			}
			assert.Contains(t, problem, "TLS mismatch")
			assert.Contains(t, problem, tt.problem)
			assert.Contains(t, problem, tt.url)
			assert.Contains(t, fix, tt.fix)
		})
	}
}
