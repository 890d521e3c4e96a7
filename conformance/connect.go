package conformance

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/scenarios"
)

// ConnectTargets is the reference's classic "Connect with HubSpot" flow served at base (e.g.
// "http://localhost:7431"): the connect URL starts it, and the app registers the callback as a
// redirect URL. The seamless install URL stands in as the target's install URL, which every
// target has; run with Options.Only = []string{"connect/"} for the connect checks alone.
func ConnectTargets(base string) []scenarios.Target {
	base = strings.TrimRight(base, "/")
	app := ReferenceApp()
	app.RedirectURLs = []string{base + reference.SeamlessPath, base + reference.ConnectCallbackPath}
	return []scenarios.Target{{
		Name:       "reference connect",
		InstallURL: base + reference.SeamlessPath,
		Flows:      []scenarios.Flow{scenarios.Seamless},
		ConnectURL: base + reference.ConnectStartPath,
		App:        app,
	}}
}

// InProcessConnect serves the reference (or a broken variant, by bug name, e.g. one of
// reference.ConnectBugs) against the harness h and returns its connect targets.
func InProcessConnect(t testing.TB, h *scenarios.Harness, bug string) []scenarios.Target {
	t.Helper()
	srv, err := reference.New(InProcessConfig(h, bug))
	if err != nil {
		t.Fatalf("conformance: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	// HubSpot refuses IP addresses in redirect URLs, so the callback names loopback localhost.
	return ConnectTargets(strings.Replace(ts.URL, "127.0.0.1", "localhost", 1))
}
