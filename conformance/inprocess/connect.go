package inprocess

import (
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// connectTarget is the reference's classic "Connect with HubSpot" flow: /connect/start and its
// callback. Its install URL is the seamless one (a target always has one; HubSpot registers it).
func connectTarget(base string, app emulator.App) scenarios.Target {
	return scenarios.Target{
		Name:       "reference connect",
		InstallURL: base + reference.SeamlessPath,
		Flows:      []scenarios.Flow{scenarios.Connect},
		ConnectURL: base + reference.ConnectStartPath,
		App:        app,
	}
}
