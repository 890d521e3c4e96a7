package emulator

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// hsemu's admin endpoints (/_hsemu/) change what the emulator does (faults, uninstalls,
// webhook deliveries) and show what it saw (events). A web page the developer happens to open
// must not reach them: a cross-site `text/plain` POST needs no CORS preflight, and DNS
// rebinding points a foreign name at 127.0.0.1. So an admin request is served only when it is
// addressed to a loopback Host, carries no Origin but its own, and a state-changing one has a
// JSON body (a content type no cross-site form or simple request can send).

// journalFilesPrefix serves the downloads a webhooks-journal answer points at: the stand-in for
// HubSpot's pre-signed URLs, fetched by the app from whatever Host it calls the API on.
const journalFilesPrefix = "/_hsemu/webhooks-journal/files/"

// adminRefusal says why an admin request is refused, or returns nil.
func adminRefusal(r *http.Request) *APIError {
	if !strings.HasPrefix(r.URL.Path, "/_hsemu/") || strings.HasPrefix(r.URL.Path, journalFilesPrefix) {
		return nil
	}
	if !loopbackHost(r.Host) {
		return &APIError{
			HTTPStatus: http.StatusForbidden, Category: "FORBIDDEN_HOST",
			Message: fmt.Sprintf("hsemu's admin endpoints answer only requests addressed to a loopback host (127.0.0.1, [::1] or localhost, any port); Host %q is not one (DNS rebinding protection)", short(r.Host)),
		}
	}
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
		return &APIError{
			HTTPStatus: http.StatusForbidden, Category: "FORBIDDEN_ORIGIN",
			Message: fmt.Sprintf("hsemu's admin endpoints refuse requests from web pages of another origin; Origin %q is not http://%s (cross-site request protection)", short(o), short(r.Host)),
		}
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	case http.MethodDelete:
		if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
			return nil // no body
		}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return &APIError{
			HTTPStatus: http.StatusUnsupportedMediaType, Category: "UNSUPPORTED_MEDIA_TYPE",
			Message: fmt.Sprintf("hsemu's admin endpoints take JSON: send Content-Type: application/json (got %q)", short(r.Header.Get("Content-Type"))),
		}
	}
	return nil
}

// loopbackHost reports whether a Host header names this machine: localhost, 127.0.0.0/8 or
// [::1], with any port.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sameOrigin reports whether an Origin header is the origin of a request to host: http or
// https, the same host and port.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" || u.User != nil {
		return false
	}
	return strings.EqualFold(u.Host, host)
}
