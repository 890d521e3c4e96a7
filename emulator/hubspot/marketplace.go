package hubspot

import (
	"net/url"
	"strconv"
	"strings"
)

// HubSpot's marketplace on the web side: an app's listing, its install dialog and the returnUrl
// the install endpoint hands the user back to. The listing lives under
// app.hubspot.com/ecosystem/{hubId}/marketplace/apps/…; the exact paths of the dialog and of the
// returnUrl are UNCONFIRMED (the install-flow page does not show them:
// https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow),
// so hsemu uses one plausible shape everywhere.
const (
	// MarketplaceAppPath is an app's listing, with the Install button.
	MarketplaceAppPath = "/ecosystem/{hubId}/marketplace/apps/{appId}"
	// MarketplaceInstallPath is the install dialog (Connect app, Sign in, the finalize frame,
	// "installed").
	MarketplaceInstallPath = MarketplaceAppPath + "/install"
	// MarketplaceConnectPath takes the dialog's Connect app (hsemu's own route: HubSpot's
	// dialog posts to an internal API).
	MarketplaceConnectPath = MarketplaceInstallPath + "/connect"
	// MarketplaceReturnPath is the returnUrl: the partner's sign-in and the finalize step both
	// hand the user back here, with installId and stage in its query.
	MarketplaceReturnPath = MarketplaceInstallPath + "/return"
)

// marketplacePrefix starts every marketplace path.
const marketplacePrefix = "/ecosystem/"

// The install URL's step parameter (the install-flow page): the partner's sign-in in a new
// window, then finalize with the code in HubSpot's frame.
const (
	StepAuthorize = "authorize"
	StepFinalize  = "finalize"
)

// MarketplacePath fills a marketplace path pattern (MarketplaceAppPath, …) with a hub ID and an
// app ID.
func MarketplacePath(pattern string, hubID, appID int64) string {
	return strings.NewReplacer("{hubId}", strconv.FormatInt(hubID, 10), "{appId}", strconv.FormatInt(appID, 10)).Replace(pattern)
}

// ReturnURL is a returnUrl on origin (e.g. https://app.hubspot.com) for one install and stage
// (StepAuthorize or StepFinalize): MarketplaceReturnPath with installId and stage in its query,
// so it already has a query an endpoint must keep.
func ReturnURL(origin string, hubID, appID int64, installID, stage string) string {
	q := url.Values{}
	q.Set("installId", installID)
	q.Set("stage", stage)
	return origin + MarketplacePath(MarketplaceReturnPath, hubID, appID) + "?" + q.Encode()
}

// StepURL is the install URL opened at one step: returnUrl and step after the install URL's own
// query, with code and state first for finalize, in the order of HubSpot's examples
// (the install-flow page). Empty code and state are left out.
func StepURL(installURL, code, state, returnURL, step string) string {
	var b strings.Builder
	b.WriteString(installURL)
	sep := "?"
	if strings.Contains(installURL, "?") {
		sep = "&"
	}
	for _, p := range [][2]string{{"code", code}, {"state", state}, {"returnUrl", returnURL}, {"step", step}} {
		if p[1] == "" {
			continue
		}
		b.WriteString(sep + p[0] + "=" + url.QueryEscape(p[1]))
		sep = "&"
	}
	return b.String()
}

// IsMarketplacePath reports whether p is under HubSpot's marketplace pages (/ecosystem/…).
func IsMarketplacePath(p string) bool { return strings.HasPrefix(p, marketplacePrefix) }
