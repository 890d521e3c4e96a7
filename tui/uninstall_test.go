package tui

import (
	"context"
	"testing"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/scenarios"
)

// TestLocalUninstall installs the reference app through a run, then uninstalls it from every
// portal the run installed it in: afterwards it is installed nowhere, and a second uninstall
// finds nothing to do.
func TestLocalUninstall(t *testing.T) {
	b := NewLocal("", inprocess.TestOptions())
	t.Cleanup(func() { _ = b.Close() })
	choice := Choice{Kind: Reference}
	rep, err := b.Run(context.Background(), choice, "http", []string{"seamless/install/exchanges-code"}, func(scenarios.Event) {})
	if err != nil {
		t.Fatal(err)
	}
	if res, ok := rep.Result("reference seamless", "seamless/install/exchanges-code"); !ok || res.Outcome.Status != scenarios.Pass {
		t.Fatalf("the install did not pass: %+v", res.Outcome)
	}
	n, err := b.Uninstall(choice)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("uninstalled from 0 portals; want the portal the install used")
	}
	if again, err := b.Uninstall(choice); err != nil || again != 0 {
		t.Errorf("second uninstall: %d portal(s), %v; want 0, nil", again, err)
	}
}

func TestUninstallStatus(t *testing.T) {
	for _, tc := range []struct {
		msg  uninstalledMsg
		want string
	}{
		{uninstalledMsg{n: 0}, "the app is installed in no portal yet: run an install first (a)"},
		{uninstalledMsg{n: 2}, "uninstalled the app from 2 portal(s): HubSpot's uninstall event is in the webhooks journal, and its tokens no longer work"},
	} {
		if got := uninstallStatus(tc.msg); got != tc.want {
			t.Errorf("uninstallStatus(%+v) = %q; want %q", tc.msg, got, tc.want)
		}
	}
}
