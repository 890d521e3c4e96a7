package framing

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

const (
	partnerURL = "https://partner.example/install?step=finalize"
	hubOrigin  = "https://app.hubspot.com"
	example    = "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com;"
)

// hdr builds a header from name/value pairs, adding (not replacing) repeated names.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", s, err)
	}
	return u
}

type evalCase struct {
	name      string
	url       string // default partnerURL
	header    http.Header
	body      string
	ancestors []string // default [hubOrigin]

	allowed  bool
	blocker  string
	hdrName  string // want Verdict.Header, when set
	value    string // want Verdict.Value, when set
	ancestor string // want Verdict.Ancestor when blocked (default: the first ancestor)
	source   string // want Verdict.Source, when set
	reason   string // a substring Verdict.Reason must contain, when set
	note     string // a substring one of Verdict.Notes must contain, when set
	noNote   string // a substring no note may contain, when set
	fix      string // a substring Verdict.Fix must contain, when set
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{URL: mustURL(t, partnerURL), Header: tc.header, Body: []byte(tc.body), Ancestors: []string{hubOrigin}}
			if tc.url != "" {
				in.URL = mustURL(t, tc.url)
			}
			if tc.ancestors != nil {
				in.Ancestors = tc.ancestors
			}
			v := Evaluate(in)
			if v.Err != nil {
				t.Fatalf("Evaluate: Err = %v; want none", v.Err)
			}
			if v.Allowed != tc.allowed || v.Blocker != tc.blocker {
				t.Fatalf("Evaluate: Allowed, Blocker = %v, %q; want %v, %q\nreason: %s\nnotes: %q", v.Allowed, v.Blocker, tc.allowed, tc.blocker, v.Reason, v.Notes)
			}
			if v.Reason == "" {
				t.Errorf("Evaluate: Reason is empty; want a sentence")
			}
			if tc.hdrName != "" && v.Header != tc.hdrName {
				t.Errorf("Evaluate: Header = %q; want %q", v.Header, tc.hdrName)
			}
			if tc.value != "" && v.Value != tc.value {
				t.Errorf("Evaluate: Value = %q; want %q", v.Value, tc.value)
			}
			if !tc.allowed {
				want := tc.ancestor
				if want == "" {
					want = strings.TrimSuffix(in.Ancestors[0], "/")
				}
				if v.Ancestor != want {
					t.Errorf("Evaluate: Ancestor = %q; want %q", v.Ancestor, want)
				}
				if v.Fix == "" {
					t.Errorf("Evaluate: Fix is empty for a blocked verdict; want advice")
				}
			} else if v.Ancestor != "" || v.Fix != "" {
				t.Errorf("Evaluate: allowed verdict has Ancestor %q, Fix %q; want both empty", v.Ancestor, v.Fix)
			}
			if tc.source != "" && v.Source != tc.source {
				t.Errorf("Evaluate: Source = %q; want %q", v.Source, tc.source)
			}
			if tc.reason != "" && !strings.Contains(v.Reason, tc.reason) {
				t.Errorf("Evaluate: Reason = %q; want it to contain %q", v.Reason, tc.reason)
			}
			if tc.note != "" && !slices.ContainsFunc(v.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("Evaluate: Notes = %q; want one containing %q", v.Notes, tc.note)
			}
			if tc.noNote != "" && slices.ContainsFunc(v.Notes, func(n string) bool { return strings.Contains(n, tc.noNote) }) {
				t.Errorf("Evaluate: Notes = %q; want none containing %q", v.Notes, tc.noNote)
			}
			if tc.fix != "" && !strings.Contains(v.Fix, tc.fix) {
				t.Errorf("Evaluate: Fix = %q; want it to contain %q", v.Fix, tc.fix)
			}
		})
	}
}

func TestEvaluateCSP(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "no headers", allowed: true, reason: "neither an enforced frame-ancestors directive nor X-Frame-Options"},
		{
			name: "none", header: hdr(HeaderCSP, "frame-ancestors 'none'"), blocker: BlockerCSP,
			hdrName: HeaderCSP, value: "frame-ancestors 'none'", reason: "'none' forbids framing",
		},
		{name: "none upper-case", header: hdr(HeaderCSP, "frame-ancestors 'NONE'"), blocker: BlockerCSP},
		{
			name: "self only blocks HubSpot", header: hdr(HeaderCSP, "frame-ancestors 'self'"), blocker: BlockerCSP,
			reason: "'self' is the page's own origin https://partner.example", fix: "frame-ancestors 'self' https://app.hubspot.com",
		},
		{
			name: "self only allows same origin", header: hdr(HeaderCSP, "frame-ancestors 'self'"),
			ancestors: []string{"https://partner.example"}, allowed: true, source: "'self'",
		},
		{
			name: "self upper-case", header: hdr(HeaderCSP, "frame-ancestors 'SELF'"),
			ancestors: []string{"https://partner.example"}, allowed: true, source: "'SELF'",
		},
		{
			name: "self allows https upgrade of an http page", url: "http://partner.example/install", header: hdr(HeaderCSP, "frame-ancestors 'self'"),
			ancestors: []string{"https://partner.example"}, allowed: true,
		},
		{
			name: "self does not allow http ancestor of an https page", header: hdr(HeaderCSP, "frame-ancestors 'self'"),
			ancestors: []string{"http://partner.example"}, blocker: BlockerCSP,
		},
		{
			name: "HubSpot example allows app", header: hdr(HeaderCSP, example), allowed: true,
			hdrName: HeaderCSP, value: example, source: hubOrigin,
		},
		{
			name: "HubSpot example allows app-eu1", header: hdr(HeaderCSP, example),
			ancestors: []string{"https://app-eu1.hubspot.com"}, allowed: true, source: "https://app-eu1.hubspot.com",
		},
		{
			name: "HubSpot example blocks app-na2", header: hdr(HeaderCSP, example),
			ancestors: []string{"https://app-na2.hubspot.com"}, blocker: BlockerCSP, fix: "https://app-na2.hubspot.com",
		},
		{
			name: "two enforced policies, the second blocks", header: hdr(HeaderCSP, "frame-ancestors *", HeaderCSP, "frame-ancestors https://other.example"),
			blocker: BlockerCSP, value: "frame-ancestors https://other.example", reason: "host other.example is not app.hubspot.com",
		},
		{
			name: "two enforced policies, both allow", header: hdr(HeaderCSP, "frame-ancestors *", HeaderCSP, "frame-ancestors https://app.hubspot.com"),
			allowed: true, reason: "All 2 enforced frame-ancestors directives",
		},
		{
			name: "comma-separated policies in one header, the second blocks", header: hdr(HeaderCSP, "frame-ancestors https://app.hubspot.com, frame-ancestors 'self'"),
			blocker: BlockerCSP, value: "frame-ancestors https://app.hubspot.com, frame-ancestors 'self'", reason: `"frame-ancestors 'self'"`,
		},
		{
			name: "comma-separated policies in one header, frame-ancestors in the second", header: hdr(HeaderCSP, "script-src 'self', frame-ancestors https://app.hubspot.com"),
			allowed: true,
		},
		{name: "directive name case-insensitive", header: hdr(HeaderCSP, "FRAME-Ancestors HTTPS://APP.HUBSPOT.COM"), allowed: true},
		{
			name: "host case-insensitive in ancestor", header: hdr(HeaderCSP, "frame-ancestors https://app.hubspot.com"),
			ancestors: []string{"HTTPS://App.HubSpot.com"}, allowed: true,
		},
		{
			name: "duplicate directive: first wins (allows)", header: hdr(HeaderCSP, "frame-ancestors https://app.hubspot.com; frame-ancestors 'none'"),
			allowed: true, note: "repeats frame-ancestors",
		},
		{
			name: "duplicate directive: first wins (blocks)", header: hdr(HeaderCSP, "frame-ancestors 'none'; frame-ancestors https://app.hubspot.com"),
			blocker: BlockerCSP, note: "repeats frame-ancestors",
		},
		{name: "default-src does not cover framing", header: hdr(HeaderCSP, "default-src 'none'"), allowed: true, note: "never falls back to default-src"},
		{
			name: "empty frame-ancestors is none", header: hdr(HeaderCSP, "frame-ancestors"), blocker: BlockerCSP,
			reason: "empty frame-ancestors", note: "no sources",
		},
		{
			name: "none with other sources has no effect", header: hdr(HeaderCSP, "frame-ancestors 'none' https://app.hubspot.com"),
			allowed: true, note: "'none' then has no effect",
		},
		{
			name: "invalid source ignored", header: hdr(HeaderCSP, "frame-ancestors 'unsafe-inline' https://app.hubspot.com"),
			allowed: true, note: "'unsafe-inline' is not an ancestor-source",
		},
		{
			name: "nonce only blocks", header: hdr(HeaderCSP, "frame-ancestors 'nonce-abc'"), blocker: BlockerCSP,
			reason: "'nonce-abc' is not an ancestor-source", fix: "frame-ancestors 'self' https://app.hubspot.com",
		},
		{name: "non-ASCII directive is skipped", header: hdr(HeaderCSP, "frame-ancestors 'none' h\u00e9.example"), allowed: true},
		{name: "hand-built lower-case header key", header: http.Header{"content-security-policy": {"frame-ancestors 'none'"}}, blocker: BlockerCSP},
		{name: "local-scheme response", url: "about:blank", header: hdr(HeaderCSP, "frame-ancestors 'none'"), allowed: true, reason: "local scheme"},
		{
			name: "no ancestors is top-level", ancestors: []string{}, header: hdr(HeaderCSP, "frame-ancestors 'none'", HeaderXFO, "DENY"),
			allowed: true, reason: "top-level",
		},
		{
			name: "opaque ancestor matches nothing", header: hdr(HeaderCSP, "frame-ancestors *"), ancestors: []string{"null"},
			blocker: BlockerCSP, ancestor: "null", reason: "opaque origin",
		},
	})
}

func TestEvaluateSourceMatching(t *testing.T) {
	fa := func(list string) http.Header { return hdr(HeaderCSP, "frame-ancestors "+list) }
	runEvalCases(t, []evalCase{
		// Hosts and wildcards (CSP3 §6.7.2.10).
		{name: "*.hubspot.com matches app.hubspot.com", header: fa("https://*.hubspot.com"), allowed: true, source: "https://*.hubspot.com"},
		{name: "*.hubspot.com matches a deeper subdomain", header: fa("https://*.hubspot.com"), ancestors: []string{"https://a.b.hubspot.com"}, allowed: true},
		{
			name: "*.app.hubspot.com does not match app.hubspot.com", header: fa("https://*.app.hubspot.com"), blocker: BlockerCSP,
			reason: "matches only subdomains of app.hubspot.com",
		},
		{name: "*.hubspot.com does not match hubspot.com", header: fa("https://*.hubspot.com"), ancestors: []string{"https://hubspot.com"}, blocker: BlockerCSP},
		{name: "*.hubspot.com does not match evilhubspot.com", header: fa("https://*.hubspot.com"), ancestors: []string{"https://evilhubspot.com"}, blocker: BlockerCSP},
		{name: "look-alike host does not match", header: fa("https://app.hubspot.com"), ancestors: []string{"https://app.hubspot.com.evil.example"}, blocker: BlockerCSP},
		{name: "trailing dot is a different host", header: fa("https://app.hubspot.com."), blocker: BlockerCSP},
		{name: "host wildcard * matches any domain", header: fa("https://*"), allowed: true},
		// Paths (CSP3 §6.7.2.12): an ancestor's URL is an origin with path "/".
		{name: "path / matches an origin", header: fa("https://app.hubspot.com/"), allowed: true},
		{
			name: "longer path never matches an origin", header: fa("https://app.hubspot.com/install"), blocker: BlockerCSP,
			reason: "path /install never matches", note: "has a path", fix: "frame-ancestors https://app.hubspot.com (",
		},
		{name: "directory path never matches an origin", header: fa("https://app.hubspot.com/apps/"), blocker: BlockerCSP, note: "has a path"},
		// IP literals (CSP3 §6.7.2.10 step 1).
		{
			name: "IPv4 ancestor never matches a host-source", url: "http://localhost:3000/install", header: fa("http://127.0.0.1:8080"),
			ancestors: []string{"http://127.0.0.1:8080"}, blocker: BlockerCSP, reason: "is an IP address", note: "is an IP address", fix: "host name",
		},
		{name: "IPv6 ancestor never matches a host-source", header: fa("https://*"), ancestors: []string{"https://[::1]"}, blocker: BlockerCSP},
		{name: "IP ancestor matches self", url: "http://127.0.0.1:8080/install", header: fa("'self'"), ancestors: []string{"http://127.0.0.1:8080"}, allowed: true},
		{name: "IP ancestor matches *", header: fa("*"), ancestors: []string{"https://10.0.0.1"}, allowed: true, source: "*"},
		{name: "IP ancestor matches a scheme-source", header: fa("https:"), ancestors: []string{"https://[::1]:8443"}, allowed: true},
		// Schemes (CSP3 §6.7.2.9).
		{name: "https: scheme-source", header: fa("https:"), allowed: true, source: "https:"},
		{name: "https: does not match http ancestor", header: fa("https:"), ancestors: []string{"http://app.hubspot.com"}, blocker: BlockerCSP},
		{name: "http: matches https ancestor (upgrade)", header: fa("http:"), allowed: true},
		{name: "http:// host matches https ancestor (upgrade)", header: fa("http://app.hubspot.com"), allowed: true},
		{
			name: "https:// host does not match http ancestor", header: fa("https://app.hubspot.com"), ancestors: []string{"http://app.hubspot.com"},
			blocker: BlockerCSP, reason: "scheme https does not match http",
		},
		{name: "schemeless host on an http page matches https ancestor", url: "http://partner.example/", header: fa("app.hubspot.com"), allowed: true},
		{
			name: "schemeless host on an https page does not match http ancestor", header: fa("app.hubspot.com"),
			ancestors: []string{"http://app.hubspot.com"}, blocker: BlockerCSP, reason: "takes the page's scheme https",
		},
		{name: "scheme case-insensitive", header: fa("HTTPS:"), allowed: true},
		// Ports (CSP3 §6.7.2.11).
		{name: "explicit default port matches", header: fa("https://app.hubspot.com:443"), allowed: true},
		{name: "leading zeros are a decimal port", header: fa("https://app.hubspot.com:0443"), allowed: true},
		{name: "other port does not match default", header: fa("https://app.hubspot.com:8443"), blocker: BlockerCSP, reason: "port 8443"},
		{name: "no port does not match explicit port", header: fa("https://app.hubspot.com"), ancestors: []string{"https://app.hubspot.com:8443"}, blocker: BlockerCSP},
		{name: "explicit port matches", header: fa("https://app.hubspot.com:8443"), ancestors: []string{"https://app.hubspot.com:8443"}, allowed: true},
		{name: "port * matches any port", header: fa("https://app.hubspot.com:*"), ancestors: []string{"https://app.hubspot.com:8443"}, allowed: true},
		{name: "ancestor's explicit default port is dropped", header: fa("https://app.hubspot.com"), ancestors: []string{"https://app.hubspot.com:443"}, allowed: true},
		{name: "http port 80 does not match https 443", header: fa("http://app.hubspot.com:80"), blocker: BlockerCSP, note: "names port 80"},
		{
			name: "http port 80 of another host: no port note", header: fa("'self' http://other.example:80"), ancestors: []string{"https://partner.example"},
			allowed: true, noNote: "names port 80",
		},
		// * (CSP3 §6.7.2.8 step 1).
		{name: "* matches https", header: fa("*"), allowed: true, source: "*"},
		{name: "* does not match a non-http scheme of another page", header: fa("*"), ancestors: []string{"ftp://files.example"}, blocker: BlockerCSP},
	})
}

func TestEvaluateReportOnlyAndMeta(t *testing.T) {
	const metaNone = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="frame-ancestors 'none'"></head><body>hi</body></html>`
	runEvalCases(t, []evalCase{
		{
			name: "report-only only", header: hdr(HeaderCSPReportOnly, "frame-ancestors 'none'"), allowed: true,
			note: "would block ancestor https://app.hubspot.com, but a report-only policy only reports",
		},
		{
			name: "report-only and XFO DENY", header: hdr(HeaderCSPReportOnly, "frame-ancestors https://app.hubspot.com", HeaderXFO, "DENY"),
			blocker: BlockerXFO, hdrName: HeaderXFO, value: "DENY", note: "report-only frame-ancestors does not make browsers ignore X-Frame-Options",
			fix: "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com",
		},
		{
			name: "enforced frame-ancestors and XFO DENY", header: hdr(HeaderCSP, example, HeaderXFO, "DENY"), allowed: true,
			hdrName: HeaderCSP, note: "X-Frame-Options: DENY is ignored because an enforced Content-Security-Policy has frame-ancestors",
		},
		{name: "enforced frame-ancestors and XFO SAMEORIGIN", header: hdr(HeaderCSP, "frame-ancestors https://app.hubspot.com", HeaderXFO, "SAMEORIGIN"), allowed: true},
		{
			name: "enforced frame-ancestors blocks though XFO would allow", header: hdr(HeaderCSP, "frame-ancestors 'self'", HeaderXFO, "ALLOW-FROM https://app.hubspot.com"),
			blocker: BlockerCSP,
		},
		{name: "enforced policy without frame-ancestors does not suppress XFO", header: hdr(HeaderCSP, "default-src 'self'", HeaderXFO, "DENY"), blocker: BlockerXFO},
		{name: "meta frame-ancestors ignored", body: metaNone, allowed: true, note: "browsers ignore in <meta>"},
		{name: "meta frame-ancestors does not suppress XFO", body: metaNone, header: hdr(HeaderXFO, "DENY"), blocker: BlockerXFO, note: "browsers ignore in <meta>"},
		{
			name: "meta frame-ancestors in body ignored too", body: `<body><meta http-equiv="content-security-policy" content="frame-ancestors 'none'">`,
			allowed: true, note: "browsers ignore in <meta>",
		},
		{
			name: "meta X-Frame-Options ignored", body: `<head><meta http-equiv="X-Frame-Options" content="DENY"></head>`, allowed: true,
			note: `<meta http-equiv="X-Frame-Options"> is ignored`,
		},
		{
			name: "meta report-only ignored", body: `<head><meta http-equiv="Content-Security-Policy-Report-Only" content="frame-ancestors 'none'"></head>`,
			allowed: true, note: "not supported",
		},
	})
}

func TestEvaluateXFrameOptions(t *testing.T) {
	xfo := func(values ...string) http.Header {
		h := http.Header{}
		for _, v := range values {
			h.Add(HeaderXFO, v)
		}
		return h
	}
	runEvalCases(t, []evalCase{
		{name: "DENY", header: xfo("DENY"), blocker: BlockerXFO, hdrName: HeaderXFO, value: "DENY", reason: "forbids framing by any page"},
		{name: "deny lower-case with spaces", header: xfo("  deny\t"), blocker: BlockerXFO},
		{
			name: "SAMEORIGIN, cross-origin ancestor", header: xfo("SAMEORIGIN"), blocker: BlockerXFO,
			reason: "ancestor https://app.hubspot.com is a different origin", fix: "frame-ancestors 'self' https://app.hubspot.com",
		},
		{name: "SAMEORIGIN, same-origin ancestor", header: xfo("SameOrigin"), ancestors: []string{"https://partner.example"}, allowed: true},
		{
			name: "SAMEORIGIN, same-origin parent but cross-origin top", header: xfo("SAMEORIGIN"),
			ancestors: []string{"https://partner.example", hubOrigin}, blocker: BlockerXFO, ancestor: hubOrigin,
		},
		{name: "SAMEORIGIN, http ancestor of an https page", header: xfo("SAMEORIGIN"), ancestors: []string{"http://partner.example"}, blocker: BlockerXFO},
		{name: "ALLOWALL", header: xfo("ALLOWALL"), allowed: true, note: "ALLOWALL is not a standard value"},
		{name: "ALLOW-FROM ignored", header: xfo("ALLOW-FROM https://app.hubspot.com"), allowed: true, note: "ALLOW-FROM is ignored"},
		{name: "ALLOW-FROM for another origin ignored too", header: xfo("ALLOW-FROM https://other.example"), allowed: true, note: "ALLOW-FROM is ignored"},
		{name: "DENY, SAMEORIGIN in one value", header: xfo("DENY, SAMEORIGIN"), blocker: BlockerXFO, reason: "carries 2 different values"},
		{name: "DENY and SAMEORIGIN in two headers", header: xfo("DENY", "SAMEORIGIN"), blocker: BlockerXFO, value: "DENY, SAMEORIGIN"},
		{name: "SAMEORIGIN twice is one value", header: xfo("SAMEORIGIN", "sameorigin"), ancestors: []string{"https://partner.example"}, allowed: true},
		{name: "allowall with an unknown value blocks", header: xfo("allowall, foo"), blocker: BlockerXFO},
		{name: "two unknown values are ignored", header: xfo("foo, bar"), allowed: true, note: "browsers ignore it"},
		{name: "trailing comma adds an empty value", header: xfo("DENY,"), blocker: BlockerXFO},
		{name: "empty value", header: xfo(""), allowed: true, note: "empty"},
		{name: "quoted value is not recognised", header: xfo(`"DENY"`), allowed: true, note: `"\"DENY\""`},
		{name: "unknown value", header: xfo("NONE"), allowed: true, note: "neither DENY nor SAMEORIGIN"},
	})
}

func TestEvaluateAncestorChains(t *testing.T) {
	runEvalCases(t, []evalCase{
		{
			name: "every ancestor allowed", header: hdr(HeaderCSP, "frame-ancestors 'self' https://app.hubspot.com"),
			ancestors: []string{"https://partner.example", hubOrigin}, allowed: true, source: "'self'", reason: "and https://app.hubspot.com (matched by https://app.hubspot.com)",
		},
		{
			name: "top ancestor not allowed", header: hdr(HeaderCSP, "frame-ancestors https://app.hubspot.com"),
			ancestors: []string{hubOrigin, "https://evil.example"}, blocker: BlockerCSP, ancestor: "https://evil.example",
		},
		{
			name: "direct parent not allowed", header: hdr(HeaderCSP, "frame-ancestors https://app.hubspot.com"),
			ancestors: []string{"https://evil.example", hubOrigin}, blocker: BlockerCSP, ancestor: "https://evil.example",
		},
		{
			name: "XFO SAMEORIGIN with a chain of same origins", header: hdr(HeaderXFO, "SAMEORIGIN"),
			ancestors: []string{"https://partner.example", "https://partner.example:443"}, allowed: true,
		},
	})
}

func TestEvaluateBadInput(t *testing.T) {
	cases := []struct {
		name      string
		url       *url.URL
		ancestors []string
		want      string
	}{
		{name: "nil URL", ancestors: []string{hubOrigin}, want: "input URL is missing"},
		{name: "relative URL", url: &url.URL{Path: "/install"}, ancestors: []string{hubOrigin}, want: "not an absolute URL"},
		{name: "ancestor without scheme", url: mustURL(t, partnerURL), ancestors: []string{"app.hubspot.com"}, want: `"app.hubspot.com"`},
		{name: "ancestor with path", url: mustURL(t, partnerURL), ancestors: []string{"https://app.hubspot.com/apps"}, want: "an ancestor is an origin"},
		{name: "ancestor with query", url: mustURL(t, partnerURL), ancestors: []string{"https://app.hubspot.com/?x=1"}, want: "an ancestor is an origin"},
		{name: "ancestor not ASCII", url: mustURL(t, partnerURL), ancestors: []string{"https://b\u00fccher.example"}, want: "Punycode"},
		{name: "ancestor port out of range", url: mustURL(t, partnerURL), ancestors: []string{"https://app.hubspot.com:70000"}, want: "port"},
		{name: "ancestor bad IPv6", url: mustURL(t, partnerURL), ancestors: []string{"https://[::zz]"}, want: "ancestor"},
		{name: "second ancestor bad", url: mustURL(t, partnerURL), ancestors: []string{hubOrigin, "%%"}, want: `"%%"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := Evaluate(Input{URL: tc.url, Header: hdr(HeaderCSP, "frame-ancestors *"), Ancestors: tc.ancestors})
			if !errors.Is(v.Err, ErrInvalidInput) {
				t.Fatalf("Evaluate: Err = %v; want one wrapping ErrInvalidInput", v.Err)
			}
			if v.Allowed {
				t.Errorf("Evaluate: Allowed = true with an input error; want false")
			}
			if strings.Contains(v.Reason, ErrInvalidInput.Error()) {
				t.Errorf("Evaluate: Reason = %q; want the message without the sentinel's text", v.Reason)
			}
			if !strings.Contains(v.Err.Error(), tc.want) || !strings.Contains(strings.ToLower(v.Reason), strings.ToLower(tc.want)) {
				t.Errorf("Evaluate: Err = %q, Reason = %q; want both to contain %q", v.Err, v.Reason, tc.want)
			}
		})
	}
}

func TestEvaluateAll(t *testing.T) {
	in := Input{URL: mustURL(t, partnerURL), Header: hdr(HeaderCSP, example)}

	t.Run("HubSpot example against all HubSpot origins", func(t *testing.T) {
		v := EvaluateAll(in, HubSpotOrigins)
		if v.Allowed || v.Blocker != BlockerCSP || v.Ancestor != "https://app-na2.hubspot.com" {
			t.Fatalf("EvaluateAll: Allowed, Blocker, Ancestor = %v, %q, %q; want false, %q, %q", v.Allowed, v.Blocker, v.Ancestor, BlockerCSP, "https://app-na2.hubspot.com")
		}
	})
	t.Run("HubSpot example against its own origins", func(t *testing.T) {
		v := EvaluateAll(in, []string{hubOrigin, "https://app-eu1.hubspot.com"})
		if !v.Allowed {
			t.Fatalf("EvaluateAll: Allowed = false (%s); want true", v.Reason)
		}
		want := []string{hubOrigin, "https://app-eu1.hubspot.com"}
		if !slices.Equal(v.Checked, want) {
			t.Errorf("EvaluateAll: Checked = %q; want %q", v.Checked, want)
		}
		if !strings.Contains(v.Reason, strings.Join(want, ", ")) {
			t.Errorf("EvaluateAll: Reason = %q; want it to name %q", v.Reason, want)
		}
	})
	t.Run("no origins means HubSpotOrigins", func(t *testing.T) {
		v := EvaluateAll(Input{URL: mustURL(t, partnerURL), Header: hdr(HeaderCSP, "frame-ancestors https://*.hubspot.com")}, nil)
		if !v.Allowed || !slices.Equal(v.Checked, HubSpotOrigins) {
			t.Fatalf("EvaluateAll: Allowed, Checked = %v, %q; want true, %q", v.Allowed, v.Checked, HubSpotOrigins)
		}
	})
	t.Run("notes merged without repeats", func(t *testing.T) {
		v := EvaluateAll(Input{URL: mustURL(t, partnerURL), Header: hdr(HeaderCSP, "frame-ancestors https://*.hubspot.com 'unsafe-inline'")}, nil)
		if len(v.Notes) != 1 {
			t.Fatalf("EvaluateAll: Notes = %q; want exactly one note about 'unsafe-inline'", v.Notes)
		}
	})
	t.Run("bad origin is an error", func(t *testing.T) {
		v := EvaluateAll(in, []string{hubOrigin, "app-eu1.hubspot.com"})
		if !errors.Is(v.Err, ErrInvalidInput) {
			t.Fatalf("EvaluateAll: Err = %v; want one wrapping ErrInvalidInput", v.Err)
		}
	})
}

func TestEvaluateFix(t *testing.T) {
	cases := []struct {
		name   string
		header http.Header
		want   string
	}{
		{
			name: "keeps working sources and adds the ancestor", header: hdr(HeaderCSP, "frame-ancestors 'self' https://partner-admin.example"),
			want: "send Content-Security-Policy: frame-ancestors 'self' https://partner-admin.example https://app.hubspot.com (HubSpot's documented example",
		},
		{
			name: "drops paths and 'none'", header: hdr(HeaderCSP, "frame-ancestors 'none' https://app.hubspot.com/install"),
			want: "frame-ancestors https://app.hubspot.com (",
		},
		{
			name: "'none' alone suggests HubSpot's origins", header: hdr(HeaderCSP, "frame-ancestors 'none'"),
			want: "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com https://app-na2.hubspot.com https://app-na3.hubspot.com https://app-ap1.hubspot.com (",
		},
		{
			name: "XFO suggests frame-ancestors", header: hdr(HeaderXFO, "SAMEORIGIN"),
			want: "Remove X-Frame-Options: SAMEORIGIN, or send Content-Security-Policy: frame-ancestors 'self' https://app.hubspot.com",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := Evaluate(Input{URL: mustURL(t, partnerURL), Header: tc.header, Ancestors: []string{hubOrigin}})
			if v.Allowed {
				t.Fatalf("Evaluate: Allowed = true; want blocked")
			}
			if !strings.Contains(v.Fix, tc.want) {
				t.Errorf("Evaluate: Fix = %q; want it to contain %q", v.Fix, tc.want)
			}
		})
	}
}
