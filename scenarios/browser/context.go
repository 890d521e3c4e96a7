package browser

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// Context is the browsing context a navigation runs in. HubSpot's install flow uses two:
// step=authorize and the partner's sign-in open in a new top-level window, and step=finalize
// runs in an iframe under app.hubspot.com
// (https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow).
//
// The zero value, TopLevel, is a top-level window whose first URL the user typed.
type Context struct {
	// Framed is true when the page is in an iframe.
	Framed bool
	// Ancestor is the origin of the top-level page that frames this one, e.g.
	// "https://app.hubspot.com". It is only meaningful when Framed is true.
	Ancestor string
	// Opener is the origin of the page that opened this top-level window (window.open), e.g.
	// "https://app.hubspot.com". Empty means the user started the navigation from the
	// browser's own UI, so the first request carries Sec-Fetch-Site: none.
	Opener string
}

// TopLevel is a new top-level window navigated by the user.
var TopLevel = Context{}

// FramedBy is an iframe whose top-level document has the origin ancestorOrigin, as at
// step=finalize, where HubSpot frames the install URL under https://app.hubspot.com.
func FramedBy(ancestorOrigin string) Context {
	return Context{Framed: true, Ancestor: ancestorOrigin}
}

// OpenedBy is a new top-level window opened by a page of origin openerOrigin, as HubSpot opens
// step=authorize from https://app.hubspot.com. Its first request is initiated by that origin.
func OpenedBy(openerOrigin string) Context {
	return Context{Opener: openerOrigin}
}

// String names the context for hop listings: "top-level", "top-level (opened by …)" or
// "framed by …".
func (c Context) String() string {
	switch {
	case c.Framed:
		return "framed by " + c.Ancestor
	case c.Opener != "":
		return "top-level (opened by " + c.Opener + ")"
	default:
		return "top-level"
	}
}

// validate checks the context's origins and returns them parsed (nil when absent).
func (c Context) validate() (ancestor, opener *url.URL, err error) {
	if c.Framed {
		if ancestor, err = parseOrigin(c.Ancestor); err != nil {
			return nil, nil, fmt.Errorf("framed context: ancestor %w", err)
		}
	}
	if c.Opener != "" {
		if opener, err = parseOrigin(c.Opener); err != nil {
			return nil, nil, fmt.Errorf("top-level context: opener %w", err)
		}
	}
	return ancestor, opener, nil
}

// parseOrigin parses an origin such as "https://app.hubspot.com" into a URL with an empty path.
func parseOrigin(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("origin %q is not valid: want scheme://host[:port], e.g. %s", s, hubspot.WebOrigin)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// origin serializes u's origin (scheme://host[:port], default port omitted), per the HTML
// Standard's ASCII serialization of an origin.
func origin(u *url.URL) string {
	return u.Scheme + "://" + hostPort(u)
}

// hostPort is u's lower-cased host with its port, the default port for the scheme omitted.
func hostPort(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" || (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, port)
}

// sameOrigin reports whether a and b have the same scheme, host and port.
func sameOrigin(a, b *url.URL) bool { return origin(a) == origin(b) }

// site is the "schemeful site" of u (HTML Standard, "obtain a site"): its scheme plus its
// registrable domain. Without a public suffix list the registrable domain is taken to be the
// host's last two labels; IP addresses and localhost are their own site. So
// https://app.hubspot.com and https://api.hubspot.com are same-site, and app.hubspot.com is
// cross-site to http://127.0.0.1.
func site(u *url.URL) string {
	return u.Scheme + "://" + registrableDomain(u.Hostname())
}

// registrableDomain approximates the registrable domain of host (see site).
func registrableDomain(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if net.ParseIP(host) != nil {
		return host
	}
	labels := strings.Split(host, ".")
	if len(labels) <= 2 {
		return host
	}
	return strings.Join(labels[len(labels)-2:], ".")
}

// sameSite reports whether a and b are schemefully same-site.
func sameSite(a, b *url.URL) bool { return site(a) == site(b) }

// isLoopbackHost reports whether host is a loopback name or address: 127.0.0.0/8, ::1,
// localhost or a subdomain of localhost.
func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// PotentiallyTrustworthy reports whether u is a secure context (W3C Secure Contexts §3.2,
// "Is url potentially trustworthy?"): https, or http on a loopback host, as Chrome treats
// http://127.0.0.1 and http://localhost.
func PotentiallyTrustworthy(u *url.URL) bool {
	return u.Scheme == "https" || isLoopbackHost(u.Hostname())
}

// fetchSite computes Sec-Fetch-Site for a request initiated by initiator (nil: the user, from
// the browser's UI) whose URL list, redirects included, is urls (Fetch Metadata Request
// Headers §2.4 "Set the Sec-Fetch-Site header"): none for a user-initiated navigation,
// otherwise the weakest relation between the initiator and any URL in the list.
func fetchSite(initiator *url.URL, urls []*url.URL) string {
	if initiator == nil {
		return "none"
	}
	value := "same-origin"
	for _, u := range urls {
		switch {
		case sameOrigin(initiator, u):
		case sameSite(initiator, u):
			value = "same-site"
		default:
			return "cross-site"
		}
	}
	return value
}
