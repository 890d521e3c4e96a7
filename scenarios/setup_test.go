package scenarios

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/emulator"
)

// seamlessReturn is a seamless endpoint that goes straight back to returnUrl (it exchanges
// nothing: the checks below judge only the return).
func seamlessReturn(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, r.URL.Query().Get("returnUrl"), http.StatusSeeOther)
}

// runSeamless runs the seamless install's checks against srv and returns one check's result.
func runSeamless(t *testing.T, h *Harness, installURL string, opts Options, id string) Result {
	t.Helper()
	opts.Only = []string{"seamless/install/"}
	opts.ObserveWindow = 10 * time.Millisecond
	rep, err := (&Runner{Harness: h, Options: opts}).Run(context.Background(), []Target{{
		InstallURL: installURL, Flows: []Flow{Seamless},
		App: emulator.App{ClientID: "setup-app", ClientSecret: "setup-secret"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	res, ok := rep.Result("", id)
	if !ok {
		t.Fatalf("%s was not decided", id)
	}
	return res
}

// local is a test server's URL on localhost: HubSpot accepts no IP address in a redirect URL.
func local(u string) string { return strings.Replace(u, "127.0.0.1", "localhost", 1) }

// localhostCert is a self-signed certificate for localhost, its own CA.
func localhostCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

func startHarness(t *testing.T) *Harness {
	t.Helper()
	h, err := StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// TestCAFileTrustedByTheBrowser: an https endpoint signed by a private CA is a set-up error
// ("pass --ca-file") without Options.TLSRootCAs, and works with it.
func TestCAFileTrustedByTheBrowser(t *testing.T) {
	h := startHarness(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(seamlessReturn))
	cert := localhostCert(t)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	install := local(srv.URL) + "/install"

	res := runSeamless(t, h, install, Options{}, "seamless/install/returns-to-hubspot")
	if o := res.Outcome; o.Status != Error || o.Cause != CauseSetup || !strings.Contains(o.Fix, "--ca-file") {
		t.Errorf("untrusted certificate: %s (cause %q) %q, fix %q; want a set-up error saying --ca-file", o.Status, o.Cause, o.Got, o.Fix)
	}

	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	res = runSeamless(t, h, install, Options{TLSRootCAs: roots}, "seamless/install/returns-to-hubspot")
	if res.Outcome.Status != Pass {
		t.Errorf("with --ca-file: %s %q; want pass", res.Outcome.Status, res.Outcome.Got)
	}
}

// TestRateLimitedIsASetupError: the app's rate limiter answering 429 is a set-up error that
// shows Retry-After.
func TestRateLimitedIsASetupError(t *testing.T) {
	h := startHarness(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "30")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	res := runSeamless(t, h, local(srv.URL)+"/install", Options{}, "seamless/install/returns-to-hubspot")
	if o := res.Outcome; o.Status != Error || o.Cause != CauseSetup || !strings.Contains(o.Got, "Retry-After: 30") || !strings.Contains(o.Fix, "--concurrency") {
		t.Errorf("429: %s (cause %q) %q, fix %q; want a set-up error with Retry-After and --concurrency", o.Status, o.Cause, o.Got, o.Fix)
	}
}

// TestUnemulatedAPIIsTheEmulators: an app that calls a route the emulator lacks and then
// answers 500 gets an error of the emulator naming the route, not a failure.
func TestUnemulatedAPIIsTheEmulators(t *testing.T) {
	h := startHarness(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(h.URL() + "/crm/v3/objects/unicorns")
		if err == nil {
			resp.Body.Close()
		}
		http.Error(w, "install failed", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	res := runSeamless(t, h, local(srv.URL)+"/install", Options{}, "seamless/install/returns-to-hubspot")
	if o := res.Outcome; o.Status != Error || o.Cause != CauseEmulator || !strings.Contains(o.Got, "GET /crm/v3/objects/unicorns") {
		t.Errorf("unemulated API: %s (cause %q) %q; want an error of the emulator naming the route", o.Status, o.Cause, o.Got)
	}
}

// TestCredentialsDiffer: the token endpoint's refusals that mean hsemu and the app were given
// different credentials (or install URLs) are set-up errors; hsemu's own provocations and the
// connect flow's redirect_uri are not.
func TestCredentialsDiffer(t *testing.T) {
	tg := Target{
		InstallURL: "http://localhost:3000/install",
		App:        emulator.App{ClientID: "id", ClientSecret: "s", RedirectURLs: []string{"http://localhost:3000/oauth/callback"}},
	}
	exchange := func(outcome, redirect, fault string) *Observation {
		return &Observation{Target: tg, Scenario: scenarioSeamlessInstall, Steps: []*Step{{
			Name: stepFinalize,
			Exchanges: []emulator.Event{{
				Method: http.MethodPost, GrantType: "authorization_code", Code: "c", ClientID: "id",
				RedirectURI: redirect, Status: http.StatusBadRequest, Outcome: outcome, Fault: fault,
			}},
		}}}
	}
	tests := []struct {
		name string
		o    *Observation
		fix  string // "" when it is not a set-up error
	}{
		{"secret", exchange("BAD_CLIENT_SECRET", tg.InstallURL, ""), "--client-secret"},
		{"client ID", exchange("BAD_CLIENT_ID", tg.InstallURL, ""), "--client-id"},
		{"a configured redirect URL", exchange("MISMATCH_REDIRECT_URI_AUTH_CODE", "http://localhost:3000/oauth/callback", ""), "--install-url"},
		{"an unregistered redirect URI", exchange("MISMATCH_REDIRECT_URI_AUTH_CODE", tg.InstallURL+"/", ""), ""},
		{"an injected fault", exchange("BAD_CLIENT_SECRET", tg.InstallURL, "f1"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ok := credentialsDiffer(tt.o)
			if tt.fix == "" {
				if ok {
					t.Errorf("a set-up error (%q); want none: the endpoint's own mistake", out.Got)
				}
				return
			}
			if !ok || out.Cause != CauseSetup || !strings.Contains(out.Fix, tt.fix) {
				t.Errorf("got %v %q (fix %q); want a set-up error whose fix says %s", ok, out.Got, out.Fix, tt.fix)
			}
		})
	}
}

// TestCAFileTrustedByTheWebhookSender: the webhook sender trusts Options.TLSRootCAs too: an
// https receiver on a private CA passes the webhook checks.
func TestCAFileTrustedByTheWebhookSender(t *testing.T) {
	var url string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(correct(url)(r, body))
	}))
	cert := localhostCert(t)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	url = local(srv.URL)
	_, rep := runWebhooks(t, url+"/hooks", Options{})
	if res, _ := rep.Result("", "webhooks/accepts-signed"); res.Outcome.Status != Error || res.Outcome.Cause != CauseSetup {
		t.Errorf("without --ca-file: %s %q; want a set-up error: the receiver's certificate is not trusted", res.Outcome.Status, res.Outcome.Got)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	failed, rep := runWebhooks(t, url+"/hooks", Options{TLSRootCAs: roots})
	for _, res := range rep.Results {
		if res.Outcome.Status != Pass {
			t.Errorf("%s: %s %q; want pass (failed: %v)", res.Check.ID, res.Outcome.Status, res.Outcome.Got, failed)
		}
	}
}
