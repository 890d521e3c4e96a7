package browser

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxResponseHeaderBytes is the most response header bytes the browser reads, 1xx responses
// before the final one included. It is Chrome's: its HTTP stream parser gives up past 256 KiB
// of headers (kMaxHeaderBufSize in net/http/http_stream_parser.cc) and fails the page with
// ERR_RESPONSE_HEADERS_TOO_BIG.
const MaxResponseHeaderBytes = 256 << 10

// Limits of what a hop's record keeps, so that a hostile endpoint cannot make hsemu hold
// gigabytes: the browser still reads each body up to Options.BodyLimit and follows full URLs,
// but the Hop it records keeps at most these many bytes of each part, and says in Hop.Cut
// what it left out. Past KeptNavigationBytes in one navigation, or KeptBrowserBytes over a
// Browser's life, each further hop keeps less: 8 KiB of body, 16 KiB of headers and 20
// cookies (URLs and each header value as before).
const (
	KeptBodyBytes        = 64 << 10 // of each hop's response body
	KeptHeaderValueBytes = 8 << 10  // of each header value (Location, Set-Cookie …)
	KeptHeaderBytes      = 64 << 10 // of each hop's request or response header values together
	KeptURLBytes         = 8 << 10  // of each hop's URL
	KeptCookies          = 200      // of each hop's Set-Cookie headers, parsed or rejected
	KeptNavigationBytes  = 1 << 20  // of one navigation's hops together
	KeptBrowserBytes     = 4 << 20  // of a Browser's hops together
)

// keepLimits are the limits one hop's record keeps to.
type keepLimits struct {
	body, headerValue, header, url, cookies int
}

var (
	fullKeep = keepLimits{body: KeptBodyBytes, headerValue: KeptHeaderValueBytes, header: KeptHeaderBytes, url: KeptURLBytes, cookies: KeptCookies}
	// leanKeep keeps less of the bodies and headers, but as much of each URL and header value,
	// so that what the checks read (a Location, a CSP, the URL's query) stays whole.
	leanKeep = keepLimits{body: 8 << 10, headerValue: KeptHeaderValueBytes, header: 16 << 10, url: KeptURLBytes, cookies: 20}
)

// Cut says what a hop's record left out to stay within the Kept* limits. The zero value is a
// complete record.
type Cut struct {
	Body    int64 // bytes of the body read but not kept in Hop.Body
	Header  int64 // bytes of request and response header values not kept
	URL     int64 // bytes of the URL not kept in Hop.URL
	Cookies int   // Set-Cookie headers not kept in SetCookies and RejectedCookies
}

// Any reports whether anything was cut.
func (c Cut) Any() bool { return c != Cut{} }

// String says what was cut, "" when nothing was: "body 8.9 MB, headers 120 KB".
func (c Cut) String() string {
	var parts []string
	if c.Body > 0 {
		parts = append(parts, "body "+Size(c.Body))
	}
	if c.Header > 0 {
		parts = append(parts, "headers "+Size(c.Header))
	}
	if c.URL > 0 {
		parts = append(parts, "URL "+Size(c.URL))
	}
	if c.Cookies > 0 {
		parts = append(parts, fmt.Sprintf("%d Set-Cookie headers", c.Cookies))
	}
	return strings.Join(parts, ", ")
}

// Size renders n bytes for people: "512 bytes", "898 KB", "8.9 MB" (powers of 1000).
func Size(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%d KB", n/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	default:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	}
}

// CutMark is what replaces n bytes left out: "… [cut: 8.9 MB more]".
func CutMark(n int64) string { return "… [cut: " + Size(n) + " more]" }

// Clip returns s when it has at most n bytes, else a copy of its first n bytes (cut on a rune
// boundary) followed by CutMark. The copy does not hold on to s.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	keep := runeCut(s, n)
	return strings.Clone(s[:keep]) + CutMark(int64(len(s)-keep))
}

// runeCut is the largest i <= n that does not split a UTF-8 sequence of s.
func runeCut(s string, n int) int {
	if n <= 0 {
		return 0
	}
	i := n
	for i > 0 && i > n-utf8.UTFMax && !utf8.RuneStart(s[i]) {
		i--
	}
	if !utf8.RuneStart(s[i]) {
		return n
	}
	return i
}

// keep cuts hop down to what its record may hold, under the navigation's and the Browser's
// budgets, and charges what it kept to both. The caller holds no lock.
func (b *Browser) keep(nav *navigation, hop Hop) Hop {
	b.mu.Lock()
	lean := b.kept > KeptBrowserBytes || nav.kept > KeptNavigationBytes
	b.mu.Unlock()
	lim := fullKeep
	if lean {
		lim = leanKeep
	}
	hop, kept := keepHop(hop, lim)
	nav.kept += kept
	b.mu.Lock()
	b.kept += kept
	b.mu.Unlock()
	return hop
}

// Trim cuts h to the per-hop Kept* limits, as the browser cuts its own records; an engine that
// records hops itself (the chromium engine) passes each through it.
func Trim(h Hop) Hop {
	h, _ = keepHop(h, fullKeep)
	return h
}

// keepHop cuts hop to lim and returns it with the bytes it keeps.
func keepHop(hop Hop, lim keepLimits) (Hop, int64) {
	cut := hop.Cut
	// The slices are the caller's: cut copies of them.
	hop.SetCookies, hop.RejectedCookies = slices.Clone(hop.SetCookies), slices.Clone(hop.RejectedCookies)
	hop.SentCookies = slices.Clone(hop.SentCookies)
	var kept int64
	if hop.URL != nil {
		var c int64
		hop.URL, c = keepURL(hop.URL, lim.url)
		cut.URL += c
		kept += int64(min(len(hop.URL.Path)+len(hop.URL.RawQuery), lim.url))
	}
	var c, k int64
	hop.RequestHeader, c, k = keepHeader(hop.RequestHeader, lim)
	cut.Header, kept = cut.Header+c, kept+k
	hop.ResponseHeader, c, k = keepHeader(hop.ResponseHeader, lim)
	cut.Header, kept = cut.Header+c, kept+k
	if len(hop.RequestBody) > lim.body {
		hop.RequestBody = append(bytes.Clone(hop.RequestBody[:lim.body]), CutMark(int64(len(hop.RequestBody)-lim.body))...)
	}
	kept += int64(len(hop.RequestBody))
	if len(hop.Body) > lim.body {
		cut.Body += int64(len(hop.Body) - lim.body)
		hop.Body, hop.Truncated = bytes.Clone(hop.Body[:lim.body]), true
	}
	kept += int64(len(hop.Body))
	if n := len(hop.SetCookies) + len(hop.RejectedCookies); n > lim.cookies {
		cut.Cookies += n - lim.cookies
		hop.SetCookies = hop.SetCookies[:min(len(hop.SetCookies), lim.cookies)]
		hop.RejectedCookies = hop.RejectedCookies[:min(len(hop.RejectedCookies), lim.cookies-len(hop.SetCookies))]
	}
	for i, sc := range hop.SetCookies {
		cc := *sc //nolint:gosec // G124: a copy of the cookie the endpoint set, recorded, not one hsemu sets
		cc.Raw, cc.Name, cc.Value = Clip(sc.Raw, lim.headerValue), Clip(sc.Name, lim.headerValue), Clip(sc.Value, lim.headerValue)
		cc.Unparsed = nil
		hop.SetCookies[i] = &cc
		kept += int64(len(cc.Raw) + len(cc.Name) + len(cc.Value))
	}
	for i, rc := range hop.RejectedCookies {
		rc.Raw, rc.Name, rc.Reason = Clip(rc.Raw, lim.headerValue), Clip(rc.Name, lim.headerValue), Clip(rc.Reason, lim.headerValue)
		hop.RejectedCookies[i] = rc
		kept += int64(len(rc.Raw) + len(rc.Name) + len(rc.Reason))
	}
	hop.SetCookies = hop.SetCookies[:len(hop.SetCookies):len(hop.SetCookies)]
	if len(hop.SentCookies) > lim.cookies {
		hop.SentCookies = append(hop.SentCookies[:lim.cookies:lim.cookies], fmt.Sprintf("[cut: %d more]", len(hop.SentCookies)-lim.cookies))
	}
	for i, name := range hop.SentCookies {
		hop.SentCookies[i] = Clip(name, lim.headerValue)
		kept += int64(len(hop.SentCookies[i]))
	}
	hop.Cut = cut
	return hop, kept
}

// keepURL returns u, or a copy with its path, query and fragment cut so that they hold about
// n bytes, and how many bytes were cut.
func keepURL(u *url.URL, n int) (*url.URL, int64) {
	size := len(u.Path) + len(u.RawPath) + len(u.RawQuery) + len(u.Fragment) + len(u.RawFragment) + len(u.Opaque)
	if size <= n {
		return u, 0
	}
	c := *u
	c.User = nil
	c.RawPath, c.RawFragment, c.ForceQuery = "", "", false
	c.Opaque = Clip(c.Opaque, n/4)
	c.Path = Clip(c.Path, n/2)
	c.RawQuery = clipQuery(c.RawQuery, n/2)
	c.Fragment = Clip(c.Fragment, n/4)
	kept := len(c.Path) + len(c.RawQuery) + len(c.Fragment) + len(c.Opaque)
	return &c, int64(max(size-kept, 1))
}

// clipQuery is Clip for a raw query, its mark escaped so that the query stays one.
func clipQuery(q string, n int) string {
	if len(q) <= n {
		return q
	}
	keep := runeCut(q, n)
	return strings.Clone(q[:keep]) + url.QueryEscape(CutMark(int64(len(q)-keep)))
}

// keepHeader returns a copy of h whose values are cut to lim.headerValue bytes each and
// lim.header in all, the values past that dropped (the last one kept says so), with the bytes
// cut and kept.
func keepHeader(h http.Header, lim keepLimits) (out http.Header, cut, kept int64) {
	if h == nil {
		return nil, 0, 0
	}
	out = make(http.Header, len(h))
	for _, k := range sortedKeys(h) {
		vs := h[k]
		kv := make([]string, 0, len(vs))
		for i, v := range vs {
			if kept >= int64(lim.header) {
				var rest int64
				for _, r := range vs[i:] {
					rest += int64(len(r))
				}
				cut += rest
				kv = append(kv, fmt.Sprintf("[cut: %d more values, %s]", len(vs)-i, Size(rest)))
				break
			}
			c := Clip(v, lim.headerValue)
			if len(c) < len(v) {
				cut += int64(len(v) - runeCut(v, lim.headerValue))
			}
			kept += int64(len(c))
			kv = append(kv, c)
		}
		out[k] = kv
	}
	return out, cut, kept
}

// sortedKeys lists h's keys, Location and Refresh first (the record of a redirect must keep
// them), the rest in order.
func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		switch k {
		case "Location", "Refresh", "Content-Type":
			return 0
		case "Set-Cookie":
			return 2
		}
		return 1
	}
	slices.SortFunc(keys, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return keys
}

// headerBytes is about how many bytes h took on the wire: names, values and line framing.
func headerBytes(h http.Header) int64 {
	var n int64
	for k, vs := range h {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}

// requestKey is the identity of a request for loop detection, hashed so that the navigation
// does not keep every URL, Cookie header and body it sent.
func requestKey(method, u, cookie string, body []byte) [sha256.Size]byte {
	h := sha256.New()
	for _, s := range []string{method, u, cookie} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write(body)
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}
