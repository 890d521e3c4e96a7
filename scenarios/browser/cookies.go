package browser

import (
	"cmp"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// CookiePolicy is how the browser treats cookies in a frame whose top-level site differs from
// the framed page's site (a "third-party" frame, as the install endpoint is at step=finalize,
// framed under app.hubspot.com).
type CookiePolicy int

const (
	// ThirdPartyAllow is Chrome's default: SameSite rules alone decide, so a cross-site frame
	// sends and keeps only `SameSite=None; Secure` cookies (plus CHIPS `Partitioned` ones in
	// the top-level site's partition).
	ThirdPartyAllow CookiePolicy = iota
	// ThirdPartyBlock is Safari's and Firefox's behaviour: a cross-site frame sees none of the
	// browser's first-party cookies, and what it sets goes to a separate partition keyed by
	// the top-level site.
	ThirdPartyBlock
)

// String names the policy.
func (p CookiePolicy) String() string {
	switch p {
	case ThirdPartyAllow:
		return "third-party cookies allowed (Chrome)"
	case ThirdPartyBlock:
		return "third-party cookies blocked (Safari, Firefox)"
	default:
		return fmt.Sprintf("CookiePolicy(%d)", int(p))
	}
}

// RejectedCookie is a Set-Cookie the browser did not store, with the reason a browser gives.
type RejectedCookie struct {
	Raw    string // the Set-Cookie header value
	Name   string // the cookie's name, "" when the header did not parse
	Reason string
}

// Limits a browser keeps to (RFC 6265bis §5.7 and Chrome's net/cookies: 4096 bytes for name
// plus value, 180 cookies per domain, 3300 in all, expiry capped at 400 days).
const (
	maxCookieBytes    = 4096
	maxCookiesPerHost = 180
	maxCookiesTotal   = 3300
	maxCookieLifetime = 400 * 24 * time.Hour
)

// Parts of the rejection reason of a cookie set in a cross-site frame.
const (
	laxDefaultExplain  = "SameSite is missing, so it is Lax (Chrome's default)"
	crossSiteFrameNote = "it was set in a cross-site frame, where browsers drop SameSite=Lax and Strict cookies; mark it SameSite=None; Secure"
)

// storedCookie is one cookie in the jar (RFC 6265bis §5.7 "Storage Model").
type storedCookie struct {
	name, value string
	quoted      bool
	domain      string // lower-case, no leading dot
	hostOnly    bool
	path        string
	secure      bool
	httpOnly    bool
	sameSite    http.SameSite // Lax, Strict or None; a missing attribute is stored as Lax
	partitioned bool
	partition   string    // "" for the unpartitioned jar, else the top-level site
	expires     time.Time // zero for a session cookie
	created     time.Time
	seq         uint64 // creation order, to break ties in created
}

// cookieScope is what decides which cookies a request sends and which it may store: the
// request itself and the browsing context it runs in.
type cookieScope struct {
	url       *url.URL
	method    string
	topLevel  bool   // the request navigates a top-level browsing context
	crossSite bool   // the request is cross-site for SameSite (RFC 6265bis §5.2)
	topSite   string // the top-level site: the URL's own for top-level, the ancestor's in a frame
	policy    CookiePolicy
}

// thirdParty reports whether the request is in a frame whose top-level site differs from its
// own.
func (s cookieScope) thirdParty() bool { return !s.topLevel && site(s.url) != s.topSite }

// blocked reports whether the third-party cookie policy cuts this request off from the
// unpartitioned jar.
func (s cookieScope) blocked() bool { return s.policy == ThirdPartyBlock && s.thirdParty() }

// jar is the browser's cookie store. It is not safe for concurrent use; Browser guards it.
type jar struct {
	cookies []*storedCookie
	seq     uint64
}

// store applies one Set-Cookie received in scope at time now (RFC 6265bis §5.7). It returns
// the reason when the cookie is rejected, "" when it was stored or deleted an earlier one.
func (j *jar) store(sc cookieScope, c *http.Cookie, now time.Time) string {
	u := sc.url
	if c.Name == "" {
		return "the cookie has no name"
	}
	if len(c.Name)+len(c.Value) > maxCookieBytes {
		return fmt.Sprintf("name and value are %d bytes, over the %d-byte limit browsers keep", len(c.Name)+len(c.Value), maxCookieBytes)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" || strings.HasPrefix(host, ".") || strings.Contains(host, "..") {
		// A host with an empty label is no host name (RFC 1034 §3.1); a browser never gets
		// that far, and a cookie for it could not be matched to any request.
		return fmt.Sprintf("the request's host %q is not a valid host name", u.Hostname())
	}
	nc := &storedCookie{
		name: c.Name, value: c.Value, quoted: c.Quoted,
		secure: c.Secure, httpOnly: c.HttpOnly, partitioned: c.Partitioned,
		domain: host, hostOnly: true, created: now,
	}

	// Expiry: Max-Age wins over Expires (§5.6.2); both are capped at 400 days (§5.5).
	switch {
	case c.MaxAge < 0:
		nc.expires = now.Add(-time.Second)
	case c.MaxAge > 0:
		nc.expires = now.Add(time.Duration(min(int64(c.MaxAge), int64(maxCookieLifetime/time.Second))) * time.Second)
	case !c.Expires.IsZero():
		nc.expires = c.Expires
		if nc.expires.After(now.Add(maxCookieLifetime)) {
			nc.expires = now.Add(maxCookieLifetime)
		}
	}

	// Domain (§5.7 steps 9–11).
	if d := strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(c.Domain), "."), "."); d != "" {
		switch {
		case net.ParseIP(host) != nil && d != host:
			return fmt.Sprintf("Domain=%s on a response from the IP address %s: an IP host only accepts its own address as Domain", c.Domain, host)
		case !strings.Contains(d, ".") && d != host:
			return fmt.Sprintf("Domain=%s is a top-level domain, which browsers refuse", c.Domain)
		case d == host:
			nc.hostOnly = false
		case strings.HasSuffix(host, "."+d):
			nc.domain, nc.hostOnly = d, false
		default:
			return fmt.Sprintf("Domain=%s does not cover the host %s that set it", c.Domain, host)
		}
		if !strings.Contains(d, ".") {
			nc.hostOnly = true // a bare name such as localhost stays host-only
		}
	}

	// Path (§5.7 step 12, default-path §5.1.4).
	nc.path = c.Path
	if !strings.HasPrefix(nc.path, "/") {
		nc.path = defaultCookiePath(u)
	}

	// Secure (§5.7 step 13): only a secure context may set it, and loopback is one.
	if c.Secure && !PotentiallyTrustworthy(u) {
		return fmt.Sprintf("Secure cookie set by %s, which is not a secure context (https or loopback)", origin(u))
	}

	// SameSite (§5.7 step 15–17, Chrome's Lax-by-default and None-requires-Secure).
	switch c.SameSite {
	case http.SameSiteNoneMode:
		if !c.Secure {
			return "SameSite=None without Secure: Chrome rejects it; add Secure"
		}
		nc.sameSite = http.SameSiteNoneMode
	case http.SameSiteStrictMode:
		nc.sameSite = http.SameSiteStrictMode
	default:
		nc.sameSite = http.SameSiteLaxMode
	}
	if nc.sameSite != http.SameSiteNoneMode && sc.crossSite && !sc.topLevel {
		mode := "SameSite=" + sameSiteName(nc.sameSite)
		if c.SameSite == 0 || c.SameSite == http.SameSiteDefaultMode {
			mode = laxDefaultExplain
		}
		return mode + "; " + crossSiteFrameNote
	}

	// Cookie name prefixes (§4.1.3).
	lname := strings.ToLower(c.Name)
	if strings.HasPrefix(lname, "__secure-") && !c.Secure {
		return "a __Secure- cookie must have the Secure attribute"
	}
	if strings.HasPrefix(lname, "__host-") && (!c.Secure || !nc.hostOnly || c.Path != "/") {
		return "a __Host- cookie must be Secure, have Path=/ and no Domain"
	}
	if c.Partitioned && !c.Secure {
		return "a Partitioned cookie must have the Secure attribute (CHIPS)"
	}

	// Partition: CHIPS cookies, and every cookie of a blocked third-party frame, are keyed
	// by the top-level site.
	if c.Partitioned || sc.blocked() {
		nc.partition = sc.topSite
	}

	// "Leave Secure Cookies Alone" (§5.7 step 14): an insecure origin cannot shadow a Secure
	// cookie.
	if !c.Secure && !PotentiallyTrustworthy(u) {
		for _, old := range j.cookies {
			if old.secure && old.name == nc.name && old.partition == nc.partition &&
				(domainMatch(nc.domain, old.domain) || domainMatch(old.domain, nc.domain)) && pathMatch(nc.path, old.path) {
				return "an insecure origin may not overwrite the Secure cookie of the same name"
			}
		}
	}

	// Replace a cookie of the same identity, keeping its creation time (§5.7 step 23).
	for i, old := range j.cookies {
		if old.name == nc.name && old.domain == nc.domain && old.hostOnly == nc.hostOnly &&
			old.path == nc.path && old.partition == nc.partition {
			nc.created, nc.seq = old.created, old.seq
			j.cookies = slices.Delete(j.cookies, i, i+1)
			break
		}
	}
	if !nc.expires.IsZero() && !nc.expires.After(now) {
		return "" // an expiry in the past deletes the cookie
	}
	if nc.seq == 0 {
		j.seq++
		nc.seq = j.seq
	}
	j.cookies = append(j.cookies, nc)
	j.evict(nc.domain)
	return ""
}

// evict removes the oldest cookies when domain or the jar exceeds a browser's limits.
func (j *jar) evict(domain string) {
	oldestOf := func(keep func(*storedCookie) bool) {
		idx := -1
		for i, c := range j.cookies {
			if keep(c) && (idx < 0 || c.seq < j.cookies[idx].seq) {
				idx = i
			}
		}
		if idx >= 0 {
			j.cookies = slices.Delete(j.cookies, idx, idx+1)
		}
	}
	for {
		n := 0
		for _, c := range j.cookies {
			if c.domain == domain {
				n++
			}
		}
		if n <= maxCookiesPerHost {
			break
		}
		oldestOf(func(c *storedCookie) bool { return c.domain == domain })
	}
	for len(j.cookies) > maxCookiesTotal {
		oldestOf(func(*storedCookie) bool { return true })
	}
}

// matching returns the cookies a request in scope sends at time now, in the order of RFC
// 6265bis §5.8.3 step 2 (longer paths first, then earlier creation). Expired cookies are
// dropped from the jar on the way.
func (j *jar) matching(sc cookieScope, now time.Time) []*storedCookie {
	u := sc.url
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	secure := PotentiallyTrustworthy(u)
	safeMethod := sc.method == http.MethodGet || sc.method == http.MethodHead
	j.cookies = slices.DeleteFunc(j.cookies, func(c *storedCookie) bool {
		return !c.expires.IsZero() && !c.expires.After(now)
	})
	out := make([]*storedCookie, 0, len(j.cookies))
	for _, c := range j.cookies {
		switch {
		case c.partition == "" && sc.blocked():
			continue
		case c.partition != "" && c.partition != sc.topSite:
			continue
		case c.hostOnly && host != c.domain, !c.hostOnly && !domainMatch(host, c.domain):
			continue
		case !pathMatch(path, c.path):
			continue
		case c.secure && !secure:
			continue
		case c.sameSite == http.SameSiteStrictMode && sc.crossSite:
			continue
		case c.sameSite == http.SameSiteLaxMode && sc.crossSite && (!sc.topLevel || !safeMethod):
			continue
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b *storedCookie) int {
		if c := cmp.Compare(len(b.path), len(a.path)); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	return out
}

// cookieHeader serializes cookies for the Cookie request header (RFC 6265bis §5.8.3 step 4).
func cookieHeader(cs []*storedCookie) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.name)
		b.WriteByte('=')
		if c.quoted {
			b.WriteString(`"` + c.value + `"`)
		} else {
			b.WriteString(c.value)
		}
	}
	return b.String()
}

// httpCookie exports a stored cookie as an *http.Cookie.
func (c *storedCookie) httpCookie() *http.Cookie {
	// The attributes are the stored cookie's, as the server set them: this is an export, not a
	// cookie hsemu sets.
	hc := &http.Cookie{ //nolint:gosec // G124: see above
		Name: c.name, Value: c.value, Quoted: c.quoted, Path: c.path,
		Secure: c.secure, HttpOnly: c.httpOnly, SameSite: c.sameSite,
		Partitioned: c.partitioned, Expires: c.expires,
	}
	if !c.hostOnly {
		hc.Domain = c.domain
	}
	return hc
}

// domainMatch reports whether host domain-matches domain (RFC 6265bis §5.1.3).
func domainMatch(host, domain string) bool {
	if host == domain {
		return true
	}
	return net.ParseIP(host) == nil && strings.HasSuffix(host, "."+domain)
}

// pathMatch reports whether a request path path-matches a cookie path (RFC 6265bis §5.1.4).
func pathMatch(reqPath, cookiePath string) bool {
	if reqPath == cookiePath {
		return true
	}
	if !strings.HasPrefix(reqPath, cookiePath) {
		return false
	}
	return strings.HasSuffix(cookiePath, "/") || reqPath[len(cookiePath)] == '/'
}

// defaultCookiePath is the default-path of u (RFC 6265bis §5.1.4): the path up to, not
// including, its last slash, or "/".
func defaultCookiePath(u *url.URL) string {
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") || strings.Count(p, "/") == 1 {
		return "/"
	}
	return p[:strings.LastIndex(p, "/")]
}

// sameSiteName spells a SameSite mode as in the attribute.
func sameSiteName(m http.SameSite) string {
	switch m {
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteNoneMode:
		return "None"
	default:
		return "Lax"
	}
}

// parseSetCookies parses every Set-Cookie header of h, keeping each header's raw text in
// Cookie.Raw. Lines that do not parse are returned as rejections.
func parseSetCookies(h http.Header) (cs []*http.Cookie, bad []RejectedCookie) {
	for _, line := range h.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			bad = append(bad, RejectedCookie{Raw: line, Reason: fmt.Sprintf("not a valid Set-Cookie header: %v", err)})
			continue
		}
		c.Raw = line
		cs = append(cs, c)
	}
	return cs, bad
}
