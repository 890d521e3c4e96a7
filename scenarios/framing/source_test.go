package framing

import (
	"reflect"
	"testing"
)

func TestParseSource(t *testing.T) {
	cases := []struct {
		in   string
		want source
	}{
		{"*", source{raw: "*", kind: sourceStar}},
		{"'self'", source{raw: "'self'", kind: sourceSelf}},
		{"'NONE'", source{raw: "'NONE'", kind: sourceNone}},
		{"'unsafe-inline'", source{raw: "'unsafe-inline'", kind: sourceInvalid}},
		{"'sha256-abc='", source{raw: "'sha256-abc='", kind: sourceInvalid}},
		{"HTTPS:", source{raw: "HTTPS:", kind: sourceScheme, scheme: "https"}},
		{"web+app:", source{raw: "web+app:", kind: sourceScheme, scheme: "web+app"}},
		{"app.hubspot.com", source{raw: "app.hubspot.com", kind: sourceHost, host: "app.hubspot.com"}},
		{"HTTPS://*.HubSpot.com:*/a/b%20c/", source{raw: "HTTPS://*.HubSpot.com:*/a/b%20c/", kind: sourceHost, scheme: "https", host: "*.hubspot.com", port: "*", path: "/a/b%20c/"}},
		{"https://*", source{raw: "https://*", kind: sourceHost, scheme: "https", host: "*"}},
		{"app.hubspot.com.", source{raw: "app.hubspot.com.", kind: sourceHost, host: "app.hubspot.com."}},
		{"127.0.0.1:8080", source{raw: "127.0.0.1:8080", kind: sourceHost, host: "127.0.0.1", port: "8080"}},
		{"https://app.hubspot.com:", source{raw: "https://app.hubspot.com:", kind: sourceInvalid}},
		{"https://app.hubspot.com:80x", source{raw: "https://app.hubspot.com:80x", kind: sourceInvalid}},
		{"https://app..hubspot.com", source{raw: "https://app..hubspot.com", kind: sourceInvalid}},
		{"https://a*.hubspot.com", source{raw: "https://a*.hubspot.com", kind: sourceInvalid}},
		{"https://app.hubspot.com//x", source{raw: "https://app.hubspot.com//x", kind: sourceInvalid}},
		{"https://app.hubspot.com/a b", source{raw: "https://app.hubspot.com/a b", kind: sourceInvalid}},
		{"https://app.hubspot.com/%zz", source{raw: "https://app.hubspot.com/%zz", kind: sourceInvalid}},
		{"1http://x", source{raw: "1http://x", kind: sourceInvalid}},
		{"[::1]", source{raw: "[::1]", kind: sourceInvalid}},
		{"*.", source{raw: "*.", kind: sourceInvalid}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := parseSource(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseSource(%q) = %+v; want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestPathPartMatch(t *testing.T) {
	// CSP3 §6.7.2.12, including the spec's own example "/subdirectory/" matches
	// "/subdirectory/file".
	cases := []struct {
		a, b string
		want bool
	}{
		{"", "/anything", true},
		{"/", "", true},
		{"/", "/", true},
		{"/", "/file", true},
		{"/x", "/", false},
		{"/x/", "/", false},
		{"/subdirectory/", "/subdirectory/file", true},
		{"/subdirectory", "/subdirectory/file", false},
		{"/subdirectory/file", "/subdirectory/file", true},
		{"/a%20b", "/a b", true},
		{"/a%2", "/a%2", true},
		{"/a", "/b", false},
	}
	for _, tc := range cases {
		if got := pathPartMatch(tc.a, tc.b); got != tc.want {
			t.Errorf("pathPartMatch(%q, %q) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSchemePartMatch(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"https", "https", true},
		{"http", "https", true},
		{"https", "http", false},
		{"ws", "wss", true},
		{"ws", "http", true},
		{"ws", "https", true},
		{"wss", "https", true},
		{"wss", "http", false},
		{"ftp", "https", false},
	}
	for _, tc := range cases {
		if got := schemePartMatch(tc.a, tc.b); got != tc.want {
			t.Errorf("schemePartMatch(%q, %q) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestParseAncestorRejects(t *testing.T) {
	for _, in := range []string{"https://host.123", "https://1.2.3.256", "https://1.2.3.4.5", "https://4294967296", "https://09.1.1.1", "https://"} {
		if got, err := parseAncestor(in); err == nil {
			t.Errorf("parseAncestor(%q) = %+v; want an error", in, got)
		}
	}
}

func TestParseAncestor(t *testing.T) {
	cases := []struct {
		in   string
		want origin
	}{
		{"https://app.hubspot.com", origin{scheme: "https", host: "app.hubspot.com", port: noPort}},
		{"https://app.hubspot.com/", origin{scheme: "https", host: "app.hubspot.com", port: noPort}},
		{" HTTPS://APP.HUBSPOT.COM:443 ", origin{scheme: "https", host: "app.hubspot.com", port: noPort}},
		{"http://localhost:8080", origin{scheme: "http", host: "localhost", port: 8080}},
		{"http://127.0.0.1:80", origin{scheme: "http", host: "127.0.0.1", port: noPort, ip: true}},
		{"https://[0:0::1]:8443", origin{scheme: "https", host: "[::1]", port: 8443, ip: true}},
		{"https://0x7f.1", origin{scheme: "https", host: "127.0.0.1", port: noPort, ip: true}},
		{"https://0177.0.0.01.", origin{scheme: "https", host: "127.0.0.1", port: noPort, ip: true}},
		{"https://0x", origin{scheme: "https", host: "0.0.0.0", port: noPort, ip: true}},
		{"https://2130706433", origin{scheme: "https", host: "127.0.0.1", port: noPort, ip: true}},
		{"https://123.example", origin{scheme: "https", host: "123.example", port: noPort}},
		{"null", origin{opaque: true}},
	}
	for _, tc := range cases {
		got, err := parseAncestor(tc.in)
		if err != nil {
			t.Errorf("parseAncestor(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("parseAncestor(%q) = %+v; want %+v", tc.in, got, tc.want)
		}
	}
}
