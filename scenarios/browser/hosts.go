package browser

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// hubSpotHosts are the HubSpot hosts the browser resolves to the emulator: the app (web) hosts
// of each hublet, which serve the authorize page, the marketplace and returnUrls (seeds/000
// names app.hubspot.com and app-eu1.hubspot.com as frame ancestors; na2, na3 and ap1 are the
// other hublets' app hosts), and the API host. The emulator serves both sides on one address
// (DESIGN.md, "Where the endpoint finds HubSpot").
var hubSpotHosts = map[string]bool{
	"app.hubspot.com":     true,
	"app-eu1.hubspot.com": true,
	"app-na2.hubspot.com": true,
	"app-na3.hubspot.com": true,
	"app-ap1.hubspot.com": true,
	"api.hubapi.com":      true,
}

// IsHubSpotHost reports whether host (with or without a port, any case) is one of HubSpot's
// app hosts (app.hubspot.com, app-eu1, app-na2, app-na3, app-ap1) or api.hubapi.com, which
// the browser sends to the emulator.
func IsHubSpotHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return hubSpotHosts[strings.TrimSuffix(strings.ToLower(host), ".")]
}

// wireRequest turns the request for u into the one put on the wire: when u is on a HubSpot
// host and hubSpotAddr is set, it goes over plain http to hubSpotAddr, keeping u's Host and
// telling the emulator the original scheme in X-Forwarded-Proto, so the emulator sees
// https://app.hubspot.com/... as the browser does.
func wireRequest(req *http.Request, u *url.URL, hubSpotAddr string) {
	if hubSpotAddr == "" || !IsHubSpotHost(u.Host) {
		return
	}
	w := *u
	w.Scheme, w.Host, w.User = "http", hubSpotAddr, nil
	req.URL = &w
	req.Host = u.Host
	req.Header.Set("X-Forwarded-Proto", u.Scheme)
}
