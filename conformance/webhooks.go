package conformance

import (
	"net/http/httptest"
	"strings"

	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/scenarios"
)

// ReferenceWebhookTarget is the reference webhook receiver served at base (e.g.
// "http://localhost:7431"), as a target of its own: its webhook URL is base +
// reference.WebhooksPath, and it signs with the demo app's client secret. Its install URL is the
// seamless one, only because every target needs one; it runs no install flow.
func ReferenceWebhookTarget(base string) scenarios.Target {
	base = strings.TrimRight(base, "/")
	app := ReferenceApp()
	app.RedirectURLs = []string{base + reference.SeamlessPath}
	return scenarios.Target{
		Name:       "reference webhooks",
		InstallURL: base + reference.SeamlessPath,
		Flows:      []scenarios.Flow{scenarios.Webhooks},
		WebhookURL: base + reference.WebhooksPath,
		App:        app,
	}
}

// StartReferenceWebhooks serves the reference (or a broken variant, by bug name, e.g.
// "webhooks-no-timestamp-check") on a loopback port against the harness h, and returns its
// webhook target and the function that stops it.
func StartReferenceWebhooks(h *scenarios.Harness, bug string) (scenarios.Target, func(), error) {
	srv, err := reference.New(InProcessConfig(h, bug))
	if err != nil {
		return scenarios.Target{}, nil, err
	}
	ts := httptest.NewServer(srv)
	return ReferenceWebhookTarget(strings.Replace(ts.URL, "127.0.0.1", "localhost", 1)), ts.Close, nil
}
