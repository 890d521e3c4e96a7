package scenarios

import (
	"testing"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
)

// TestScenarioHublets: the catalogue's scenarios install into portals on every hublet, each
// scenario always on the same one, and their returnUrls come on that hublet's app host.
func TestScenarioHublets(t *testing.T) {
	seen := map[string]bool{}
	for i, sc := range Scenarios() {
		h := hubletOf(sc.ID)
		if want := hubspot.Hublets[i%len(hubspot.Hublets)]; h != want {
			t.Errorf("%s: hublet %s; want %s, its turn in the catalogue", sc.ID, h, want)
		}
		seen[h] = true
	}
	for _, h := range hubspot.Hublets {
		if !seen[h] {
			t.Errorf("no scenario installs into a portal on %s", h)
		}
	}
	if got := hubletOf("not/a-scenario"); got != hubspot.DefaultHublet {
		t.Errorf("hublet of an unknown scenario %q; want %s", got, hubspot.DefaultHublet)
	}
	for _, h := range hubspot.Hublets {
		s := &Session{portal: emulator.Portal{HubID: 1234567, Hublet: h}, target: Target{App: emulator.App{ID: 42}}}
		ret := s.ReturnURL(hubspot.StepFinalize)
		if ret.Host != hubspot.AppHostOf(h) || !hubspot.IsReturnURL(ret.String()) {
			t.Errorf("%s: returnUrl %s; want one on %s a careful endpoint accepts", h, ret, hubspot.AppHostOf(h))
		}
	}
}
