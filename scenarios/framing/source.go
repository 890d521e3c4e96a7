package framing

import (
	"fmt"
	"strconv"
	"strings"
)

// sourceKind tells which production of CSP3's source-expression grammar (§2.3.1,
// https://w3c.github.io/webappsec-csp/#grammardef-source-expression) an expression matched.
type sourceKind int

const (
	sourceInvalid sourceKind = iota // not an ancestor-source: never matches
	sourceNone                      // 'none'
	sourceStar                      // *
	sourceSelf                      // 'self'
	sourceScheme                    // scheme-source, e.g. https:
	sourceHost                      // host-source, e.g. https://*.hubspot.com:443/path
)

// source is one parsed source expression of a frame-ancestors value.
type source struct {
	raw    string
	kind   sourceKind
	scheme string // scheme-part, lower-cased; "" when absent
	host   string // host-part, lower-cased
	port   string // port-part: "" when absent, "*" or digits
	path   string // path-part; "" when absent
}

// parseSource classifies expression by the grammar of CSP3 §2.3.1 and §6.4.2
// (ancestor-source = scheme-source / host-source / 'self', or the single keyword 'none').
func parseSource(expression string) source {
	s := source{raw: expression}
	lower := asciiLower(expression)
	switch {
	case expression == "*":
		s.kind = sourceStar
	case lower == "'self'":
		s.kind = sourceSelf
	case lower == "'none'":
		s.kind = sourceNone
	case strings.HasPrefix(expression, "'"):
		s.kind = sourceInvalid // 'unsafe-inline', nonces, hashes: not ancestor-sources
	case strings.HasSuffix(expression, ":") && isScheme(expression[:len(expression)-1]):
		s.kind, s.scheme = sourceScheme, asciiLower(expression[:len(expression)-1])
	default:
		if h, ok := parseHostSource(expression); ok {
			h.raw = expression
			return h
		}
	}
	return s
}

// parseHostSource parses host-source = [ scheme-part "://" ] host-part [ ":" port-part ]
// [ path-part ] (CSP3 §2.3.1).
func parseHostSource(expression string) (source, bool) {
	s := source{kind: sourceHost}
	rest := expression
	if i := strings.Index(rest, "://"); i >= 0 {
		if !isScheme(rest[:i]) {
			return source{}, false
		}
		s.scheme = asciiLower(rest[:i])
		rest = rest[i+3:]
	}
	end := strings.IndexAny(rest, ":/")
	if end < 0 {
		end = len(rest)
	}
	s.host, rest = asciiLower(rest[:end]), rest[end:]
	if !isHostPart(s.host) {
		return source{}, false
	}
	if strings.HasPrefix(rest, ":") {
		end = strings.IndexByte(rest, '/')
		if end < 0 {
			end = len(rest)
		}
		s.port, rest = rest[1:end], rest[end:]
		if s.port != "*" && !isDigits(s.port) {
			return source{}, false
		}
	}
	if rest != "" {
		if !isPathPart(rest) {
			return source{}, false
		}
		s.path = rest
	}
	return s, true
}

// isScheme reports whether s matches RFC 3986's scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func isScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// isHostPart reports whether s matches host-part = "*" / [ "*." ] 1*host-char
// *( "." 1*host-char ) [ "." ], host-char = ALPHA / DIGIT / "-".
func isHostPart(s string) bool {
	if s == "*" {
		return true
	}
	s = strings.TrimPrefix(s, "*.")
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !isAlpha(c) && !isDigit(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

// isPathPart reports whether s matches path-part = path-absolute (RFC 3986 §3.3) without ";"
// or ",": "/" followed by pchars and slashes, not starting with "//".
func isPathPart(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c), '0' <= c && c <= '9', strings.IndexByte("-._~!$&'()*+=:@/", c) >= 0:
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// match runs CSP3 §6.7.2.8 "Does url match expression in origin with redirect count?" with
// url = the ancestor's origin parsed as a URL, origin = self (the framed response's origin)
// and redirect count 0. When it does not match, why says which part failed.
func (s source) match(ancestor, self origin) (ok bool, why string) {
	if ancestor.opaque {
		return false, "the ancestor has an opaque origin (null), which no source expression matches"
	}
	switch s.kind {
	case sourceNone:
		return false, "'none' matches nothing"
	case sourceInvalid:
		return false, s.raw + " is not an ancestor-source (CSP3 §6.4.2) and matches nothing"
	case sourceStar:
		// §6.7.2.8 step 1.
		if isHTTPScheme(ancestor.scheme) || ancestor.scheme == self.scheme {
			return true, ""
		}
		return false, "* matches only http(s) ancestors or ones with the page's own scheme"
	case sourceSelf:
		return s.matchSelf(ancestor, self)
	case sourceScheme:
		// §6.7.2.8 step 2.
		if !schemePartMatch(s.scheme, ancestor.scheme) {
			return false, fmt.Sprintf("%s matches only %s ancestors, not %s", s.raw, schemeList(s.scheme), ancestor.scheme)
		}
		return true, ""
	case sourceHost:
		// Below.
	}
	// §6.7.2.8 step 3: a host-source.
	if s.scheme != "" && !schemePartMatch(s.scheme, ancestor.scheme) {
		return false, fmt.Sprintf("%s: scheme %s does not match %s (only http upgrades to https, never the reverse)", s.raw, s.scheme, ancestor.scheme)
	}
	if s.scheme == "" && !schemePartMatch(self.scheme, ancestor.scheme) {
		return false, fmt.Sprintf("%s has no scheme, so it takes the page's scheme %s, which does not match %s", s.raw, self.scheme, ancestor.scheme)
	}
	if ok, why := hostPartMatch(s.host, ancestor); !ok {
		return false, s.raw + ": " + why
	}
	if !portPartMatch(s.port, ancestor) {
		return false, fmt.Sprintf("%s: port %s does not match the ancestor's port %s", s.raw, describePort(s.port), describeAncestorPort(ancestor))
	}
	if s.path != "" && !pathPartMatch(s.path, "/") {
		return false, fmt.Sprintf("%s: path %s never matches an ancestor, whose URL is an origin with path / (CSP3 §6.7.2.12)", s.raw, s.path)
	}
	return true, ""
}

// matchSelf implements §6.7.2.8 step 4: 'self' matches the page's own origin, or the same host
// on the same (or both default) ports with a secure upgrade (https/wss, or http to http/ws).
func (s source) matchSelf(ancestor, self origin) (bool, string) {
	if sameOrigin(self, ancestor) {
		return true, ""
	}
	if self.host == ancestor.host && self.port == ancestor.port &&
		(ancestor.scheme == "https" || ancestor.scheme == "wss" ||
			self.scheme == "http" && (ancestor.scheme == "http" || ancestor.scheme == "ws")) {
		return true, ""
	}
	return false, fmt.Sprintf("'self' is the page's own origin %s, not %s", self, ancestor)
}

// schemePartMatch implements CSP3 §6.7.2.9: equal schemes, or a secure upgrade
// (http→https, ws→wss/http/https, wss→https). Both arguments are lower-case.
func schemePartMatch(a, b string) bool {
	switch a {
	case b:
		return true
	case "http":
		return b == "https"
	case "ws":
		return b == "wss" || b == "http" || b == "https"
	case "wss":
		return b == "https"
	}
	return false
}

// hostPartMatch implements CSP3 §6.7.2.10. IP addresses are not domains and never match;
// "*.example.com" matches subdomains of example.com only, never example.com itself.
func hostPartMatch(pattern string, ancestor origin) (bool, string) {
	if ancestor.ip {
		return false, fmt.Sprintf("the ancestor's host %s is an IP address, and host-sources never match IP addresses (CSP3 §6.7.2.10)", ancestor.host)
	}
	if pattern == "*" {
		return true, ""
	}
	if rest, ok := strings.CutPrefix(pattern, "*"); ok && strings.HasPrefix(rest, ".") {
		if strings.HasSuffix(ancestor.host, rest) {
			return true, ""
		}
		return false, fmt.Sprintf("%s matches only subdomains of %s, not %s", pattern, rest[1:], ancestor.host)
	}
	if pattern != ancestor.host {
		return false, fmt.Sprintf("host %s is not %s", pattern, ancestor.host)
	}
	return true, ""
}

// portPartMatch implements CSP3 §6.7.2.11: "*" matches any port, an absent port matches only a
// URL without a port, and a number matches that port or, for a URL without a port, the
// scheme's default port.
//
// The draft's informative "Changes from Level 2" list says http://example.com:80 also matches
// https://example.com:443, and Chromium behaves so; the normative algorithm here does not,
// and hsemu follows the algorithm.
func portPartMatch(port string, ancestor origin) bool {
	if port == "*" {
		return true
	}
	if port == "" {
		return ancestor.port == noPort
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return false // a number too large to be any port
	}
	if n == ancestor.port {
		return true
	}
	return ancestor.port == noPort && n == defaultPort(ancestor.scheme)
}

// pathPartMatch implements CSP3 §6.7.2.12: does path-part a match URL path b?
func pathPartMatch(a, b string) bool {
	if a == "" || a == "/" && b == "" {
		return true
	}
	exact := !strings.HasSuffix(a, "/")
	listA, listB := strings.Split(a, "/"), strings.Split(b, "/")
	if len(listA) > len(listB) || exact && len(listA) != len(listB) {
		return false
	}
	if !exact {
		listA = listA[:len(listA)-1]
	}
	for i, pieceA := range listA {
		if percentDecode(pieceA) != percentDecode(listB[i]) {
			return false
		}
	}
	return true
}

// percentDecode implements the URL Standard's percent-decode: %XX becomes the byte XX and any
// other "%" stays as it is (https://url.spec.whatwg.org/#percent-decode).
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(v))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHTTPScheme(scheme string) bool { return scheme == "http" || scheme == "https" }

// schemeList names the schemes a scheme-part matches, for messages.
func schemeList(scheme string) string {
	switch scheme {
	case "http":
		return "http and https"
	case "ws":
		return "ws, wss, http and https"
	case "wss":
		return "wss and https"
	}
	return scheme
}

func describePort(port string) string {
	if port == "" {
		return "(none: only the default port)"
	}
	return port
}

func describeAncestorPort(o origin) string {
	if o.port == noPort {
		if d := defaultPort(o.scheme); d != noPort {
			return strconv.Itoa(d) + " (default)"
		}
		return "(none)"
	}
	return strconv.Itoa(o.port)
}
