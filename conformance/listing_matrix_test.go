package conformance_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// localhostCert is a certificate for localhost and the pool that trusts it: httptest's own
// certificate names 127.0.0.1 and example.com, and HubSpot refuses IP addresses in redirect URLs.
func localhostCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// writeAppConfig writes an app-hsmeta.json for the reference app with the install URL among its
// redirect URLs; edit changes its config object.
func writeAppConfig(t *testing.T, installURL string, edit func(cfg map[string]any)) string {
	t.Helper()
	app := inprocess.ReferenceApp()
	auth := map[string]any{
		"type": "oauth", "redirectUrls": []string{installURL},
		"requiredScopes": app.RequiredScopes, "optionalScopes": app.OptionalScopes,
		"conditionallyRequiredScopes": app.ConditionallyRequiredScopes,
	}
	cfg := map[string]any{"name": app.Name, "description": app.Description, "distribution": "marketplace", "auth": auth}
	if edit != nil {
		edit(cfg)
	}
	data, err := json.Marshal(map[string]any{"uid": app.UID, "type": "app", "config": cfg})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "app-hsmeta.json")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// runListing runs the listing checks against the reference's seamless install URL (or a broken
// variant), over TLS when tlsOn, with the app config edit makes.
func runListing(t *testing.T, bug string, tlsOn, connect bool, edit func(cfg map[string]any)) *scenarios.RunReport {
	t.Helper()
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	srv, err := reference.New(inprocess.ReferenceConfig(h, bug, inprocess.TestOptions()))
	if err != nil {
		t.Fatal(err)
	}
	opts := inprocess.TestOptions()
	opts.Profile = scenarios.ProfileListing
	opts.Only = []string{"listing/"}
	ts := httptest.NewUnstartedServer(srv)
	if tlsOn {
		cert, pool := localhostCert(t)
		ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		ts.StartTLS()
		opts.TLSRootCAs = pool
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	base := strings.Replace(ts.URL, "127.0.0.1", "localhost", 1)
	target := inprocess.ReferenceTargets(base)[0]
	target.App.RedirectURLs = []string{target.InstallURL}
	if connect {
		target.ConnectURL = base + reference.ConnectStartPath
		target.App.RedirectURLs = append(target.App.RedirectURLs, base+reference.ConnectCallbackPath)
	}
	target.AppConfig = writeAppConfig(t, target.InstallURL, edit)
	r := &scenarios.Runner{Harness: h, Options: opts}
	rep, err := r.Run(context.Background(), []scenarios.Target{target})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestListingMatrix: over TLS with a valid config the reference passes every listing check
// (MANUAL ones are listed as "confirm by hand"); plain http fails listing/https only; a config
// for a private app fails listing/app-config only; the v1 variants (the install's, the connect
// flow's) fail listing/current-token-endpoint only.
func TestListingMatrix(t *testing.T) {
	for _, tc := range []struct {
		name  string
		bug   string
		tls   bool
		conn  bool // the target has the reference's connect URL too
		edit  func(cfg map[string]any)
		fails []string
	}{
		{name: "reference", tls: true},
		{name: "plain http", tls: false, fails: []string{"listing/https"}},
		{name: "private app", tls: true, edit: func(c map[string]any) { c["distribution"] = "private" }, fails: []string{"listing/app-config"}},
		{name: "seamless-v1-endpoint", bug: "seamless-v1-endpoint", tls: true, fails: []string{"listing/current-token-endpoint"}},
		{name: "reference with connect", tls: true, conn: true},
		{name: "connect-v1-endpoint", bug: "connect-v1-endpoint", tls: true, conn: true, fails: []string{"listing/current-token-endpoint"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := runListing(t, tc.bug, tc.tls, tc.conn, tc.edit)
			var got, ran []string
			for _, res := range rep.Results {
				ran = append(ran, res.Check.ID)
				switch {
				case res.Check.Level == scenarios.Manual:
					if res.Outcome.Status != scenarios.Skip || !strings.HasPrefix(res.Outcome.Got, scenarios.ManualPrefix) {
						t.Errorf("%s: %s %q; want skip %q…", res.Check.ID, res.Outcome.Status, res.Outcome.Got, scenarios.ManualPrefix)
					}
				case res.Outcome.Status == scenarios.Fail:
					got = append(got, res.Check.ID)
				case res.Outcome.Status != scenarios.Pass:
					t.Errorf("%s: %s, want pass or fail: %s", res.Check.ID, res.Outcome.Status, res.Outcome.Got)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.fails) {
				t.Errorf("failed checks = %v; want %v", got, tc.fails)
				for _, res := range rep.Results {
					t.Logf("%s: %s: %s", res.Check.ID, res.Outcome.Status, res.Outcome.Got)
				}
			}
			for _, c := range scenarios.Catalogue(scenarios.ProfileListing) {
				if c.Group == scenarios.GroupListing && !slices.Contains(ran, c.ID) {
					t.Errorf("%s did not run", c.ID)
				}
			}
		})
	}
}

// TestListingChecksOnlyUnderTheListingProfile: the dev profile's catalogue has no listing check.
func TestListingChecksOnlyUnderTheListingProfile(t *testing.T) {
	for _, c := range scenarios.Catalogue(scenarios.ProfileDev) {
		if c.Group == scenarios.GroupListing {
			t.Errorf("%s is in the dev profile's catalogue", c.ID)
		}
	}
}
