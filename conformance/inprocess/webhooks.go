package inprocess

import (
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// webhookTarget is the reference's webhook receiver at /webhooks. Its install URL is the
// seamless one (a target always has one); the batches are signed with the app's secret.
func webhookTarget(base string, app emulator.App) scenarios.Target {
	return scenarios.Target{
		Name:       "reference webhooks",
		InstallURL: base + reference.SeamlessPath,
		Flows:      []scenarios.Flow{scenarios.Webhooks},
		WebhookURL: base + reference.WebhooksPath,
		App:        app,
	}
}
