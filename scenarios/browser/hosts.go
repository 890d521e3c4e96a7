package browser

import (
	"net/http"
	"net/url"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// IsHubSpotHost reports whether host (with or without a port, any case) is one of HubSpot's
// app hosts or its API host (hubspot.IsHubSpotHost), which the browser sends to the emulator.
// The emulator serves both sides on one address.
func IsHubSpotHost(host string) bool { return hubspot.IsHubSpotHost(host) }

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
