package hubspot

// The values of an app's "distribution" and "auth": {"type": …} in its *-hsmeta.json
// (developer platform 2025.2+; the official template is HubSpot/hubspot-project-components
// 2025.2/components/app/oauth-marketplace/src/app/app-hsmeta.json).
const (
	DistributionMarketplace = "marketplace"
	DistributionPrivate     = "private"
	AuthTypeOAuth           = "oauth"
	AuthTypeStatic          = "static"
)
