package framing

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// origin is a tuple origin (scheme, host, port) as the URL Standard defines it, or an opaque
// origin (serialised as "null"). A port equal to the scheme's default port is stored as
// noPort, the way the URL parser drops it, so two origins compare equal field by field.
type origin struct {
	scheme string // ASCII lower-case
	host   string // ASCII lower-case; IPv6 literals keep their brackets
	port   int    // noPort when absent or the scheme's default
	opaque bool   // an opaque origin, e.g. a sandboxed frame's
	ip     bool   // host is an IPv4 or IPv6 address, not a domain
}

// noPort marks a URL without an explicit non-default port (the URL Standard's null port).
const noPort = -1

// String returns the ASCII serialization of the origin
// (https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin).
func (o origin) String() string {
	if o.opaque {
		return "null"
	}
	if o.port == noPort {
		return o.scheme + "://" + o.host
	}
	return o.scheme + "://" + o.host + ":" + strconv.Itoa(o.port)
}

// sameOrigin reports whether a and b are the same origin
// (https://html.spec.whatwg.org/multipage/browsers.html#same-origin). Opaque origins built
// from separate strings are never the same as anything.
func sameOrigin(a, b origin) bool {
	if a.opaque || b.opaque {
		return false
	}
	return a.scheme == b.scheme && a.host == b.host && a.port == b.port
}

// defaultPort returns the URL Standard's default port for scheme, or noPort
// (https://url.spec.whatwg.org/#default-port).
func defaultPort(scheme string) int {
	switch scheme {
	case "http", "ws":
		return 80
	case "https", "wss":
		return 443
	case "ftp":
		return 21
	}
	return noPort
}

// isLocalScheme reports whether scheme is a local scheme ("about", "blob", "data"), whose
// responses frame-ancestors always allows (CSP3 §6.4.2.1 step 1,
// https://fetch.spec.whatwg.org/#local-scheme).
func isLocalScheme(scheme string) bool {
	return scheme == "about" || scheme == "blob" || scheme == "data"
}

// originOf returns the origin of an absolute URL with a host, as the URL parser would
// serialise it: scheme and host lower-cased, the default port dropped.
func originOf(u *url.URL) (origin, error) {
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return origin{}, fmt.Errorf("%q is not an absolute URL with a host (want scheme://host[:port]/..., e.g. %s): %w", u.String(), hubspot.WebOrigin, ErrInvalidInput)
	}
	o := origin{scheme: asciiLower(u.Scheme), port: noPort}
	host, ip, err := canonicalHost(u.Hostname())
	if err != nil {
		return origin{}, fmt.Errorf("%q: %w", u.String(), err)
	}
	o.host, o.ip = host, ip
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n > 65535 {
			return origin{}, fmt.Errorf("%q has port %q, which is not a number from 0 to 65535: %w", u.String(), p, ErrInvalidInput)
		}
		if n != defaultPort(o.scheme) {
			o.port = n
		}
	}
	return o, nil
}

// parseAncestor parses one ancestor origin as given in Input.Ancestors: an origin's ASCII
// serialization ("https://app.hubspot.com", a trailing "/" tolerated) or "null" for an opaque
// origin. CSP3 §6.4.2.1 step 6.2 runs the URL parser on exactly that serialization.
func parseAncestor(s string) (origin, error) {
	s = strings.TrimSpace(s)
	if s == "null" {
		return origin{opaque: true}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return origin{}, fmt.Errorf("ancestor %q is not an origin (want scheme://host[:port], e.g. %s): %w", s, hubspot.WebOrigin, ErrInvalidInput)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return origin{}, fmt.Errorf("ancestor %q has a path, query, fragment or user info, but an ancestor is an origin (want scheme://host[:port], e.g. %s): %w", s, hubspot.WebOrigin, ErrInvalidInput)
	}
	o, err := originOf(u)
	if err != nil {
		return origin{}, fmt.Errorf("ancestor: %w", err)
	}
	return o, nil
}

// canonicalHost lower-cases host, rejects non-ASCII (un-Punycoded) hosts, keeps IPv6 literals in brackets and reports whether the host is an IP address. The URL Standard's
// host parser treats a host whose last label is a number as IPv4
// (https://url.spec.whatwg.org/#ends-in-a-number-checker); such hosts are never domains.
func canonicalHost(host string) (string, bool, error) {
	if host == "" {
		return "", false, fmt.Errorf("empty host: %w", ErrInvalidInput)
	}
	if strings.Contains(host, ":") {
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is6() {
			return "", false, fmt.Errorf("host %q is not a valid IPv6 address: %w", host, ErrInvalidInput)
		}
		return "[" + addr.String() + "]", true, nil
	}
	if !isASCII(host) {
		// The URL parser would convert it with IDNA; CSP source expressions must be ASCII
		// anyway (CSP3 §2.3.1), so ask for the Punycode form rather than guess.
		return "", false, fmt.Errorf("host %q is not ASCII: write internationalised domain names in Punycode (xn--...): %w", host, ErrInvalidInput)
	}
	host = asciiLower(host)
	if endsInNumber(host) {
		addr, ok := parseIPv4(host)
		if !ok {
			return "", false, fmt.Errorf("host %q ends in a number but is not a valid IPv4 address: %w", host, ErrInvalidInput)
		}
		return addr, true, nil
	}
	return host, false, nil
}

// endsInNumber implements the URL Standard's ends-in-a-number checker: the last label
// (ignoring one trailing dot) is all decimal digits or a 0x hexadecimal number.
func endsInNumber(host string) bool {
	labels := strings.Split(host, ".")
	last := labels[len(labels)-1]
	if last == "" {
		if len(labels) == 1 {
			return false
		}
		last = labels[len(labels)-2]
	}
	if last == "" {
		return false
	}
	if isDigits(last) {
		return true
	}
	if len(last) >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') {
		for i := 2; i < len(last); i++ {
			if !isHex(last[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// parseIPv4 implements the URL Standard's IPv4 parser (https://url.spec.whatwg.org/#concept-ipv4-parser),
// which also accepts shortened, hexadecimal and octal forms such as 0x7f.1, and returns the
// address in dotted-decimal form.
func parseIPv4(host string) (string, bool) {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return "", false
	}
	numbers := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok {
			return "", false
		}
		if i < len(parts)-1 && n > 255 {
			return "", false
		}
		numbers[i] = n
	}
	last := numbers[len(numbers)-1]
	if last >= 1<<(8*(5-len(numbers))) {
		return "", false
	}
	ipv4 := last
	for i, n := range numbers[:len(numbers)-1] {
		ipv4 += n << (8 * (3 - i))
	}
	return fmt.Sprintf("%d.%d.%d.%d", ipv4>>24&0xff, ipv4>>16&0xff, ipv4>>8&0xff, ipv4&0xff), true
}

// parseIPv4Number implements the URL Standard's IPv4 number parser: decimal, 0x hexadecimal
// or 0-prefixed octal.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	if s == "" {
		return 0, true
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		var d uint64
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			d = uint64(c - '0')
		case 'a' <= c && c <= 'f':
			d = uint64(c-'a') + 10
		case 'A' <= c && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		if d >= uint64(base) {
			return 0, false
		}
		n = n*uint64(base) + d
		if n > 1<<32 {
			n = 1 << 32 // already too large for any part; keep it from overflowing
		}
	}
	return n, true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// asciiLower lower-cases only ASCII letters (https://infra.spec.whatwg.org/#ascii-lowercase);
// strings.ToLower would also fold non-ASCII letters such as the Kelvin sign.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
