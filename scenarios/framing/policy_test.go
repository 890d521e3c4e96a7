package framing

import (
	"net/http"
	"reflect"
	"testing"
)

func TestParsePolicies(t *testing.T) {
	fa := func(values ...string) Directive { return Directive{Name: "frame-ancestors", Values: values} }
	cases := []struct {
		name   string
		header http.Header
		body   string
		want   []Policy
	}{
		{name: "nothing", want: nil},
		{
			name: "one enforced policy", header: hdr(HeaderCSP, "default-src 'self'; frame-ancestors 'self' https://app.hubspot.com"),
			want: []Policy{{
				Disposition: DispositionEnforce, Source: HeaderCSP, Value: "default-src 'self'; frame-ancestors 'self' https://app.hubspot.com",
				Directives: []Directive{{Name: "default-src", Values: []string{"'self'"}}, fa("'self'", "https://app.hubspot.com")},
			}},
		},
		{
			name: "names lower-cased, values kept, whitespace collapsed", header: hdr(HeaderCSP, " \tFRAME-Ancestors\t HTTPS://App.HubSpot.com \f 'SELF' ;;"),
			want: []Policy{{
				Disposition: DispositionEnforce, Source: HeaderCSP, Value: " \tFRAME-Ancestors\t HTTPS://App.HubSpot.com \f 'SELF' ;;",
				Directives: []Directive{fa("HTTPS://App.HubSpot.com", "'SELF'")},
			}},
		},
		{
			name: "comma splits one header into policies", header: hdr(HeaderCSP, "frame-ancestors 'none', , frame-ancestors 'self'"),
			want: []Policy{
				{Disposition: DispositionEnforce, Source: HeaderCSP, Value: "frame-ancestors 'none', , frame-ancestors 'self'", Directives: []Directive{fa("'none'")}},
				{Disposition: DispositionEnforce, Source: HeaderCSP, Value: "frame-ancestors 'none', , frame-ancestors 'self'", Directives: []Directive{fa("'self'")}},
			},
		},
		{
			name: "enforced before report-only, each in header order", header: hdr(HeaderCSPReportOnly, "frame-ancestors 'none'", HeaderCSP, "frame-ancestors *", HeaderCSP, "frame-ancestors 'self'"),
			want: []Policy{
				{Disposition: DispositionEnforce, Source: HeaderCSP, Value: "frame-ancestors *", Directives: []Directive{fa("*")}},
				{Disposition: DispositionEnforce, Source: HeaderCSP, Value: "frame-ancestors 'self'", Directives: []Directive{fa("'self'")}},
				{Disposition: DispositionReport, Source: HeaderCSPReportOnly, Value: "frame-ancestors 'none'", Directives: []Directive{fa("'none'")}},
			},
		},
		{
			name: "duplicate directive ignored", header: hdr(HeaderCSP, "frame-ancestors 'self'; Frame-Ancestors 'none'"),
			want: []Policy{{
				Disposition: DispositionEnforce, Source: HeaderCSP, Value: "frame-ancestors 'self'; Frame-Ancestors 'none'",
				Directives: []Directive{fa("'self'")}, Ignored: []Directive{fa("'none'")},
			}},
		},
		{
			name: "non-ASCII token skipped", header: hdr(HeaderCSP, "frame-ancestors h\u00e9.example; script-src 'self'"),
			want: []Policy{{
				Disposition: DispositionEnforce, Source: HeaderCSP, Value: "frame-ancestors h\u00e9.example; script-src 'self'",
				Directives: []Directive{{Name: "script-src", Values: []string{"'self'"}}},
			}},
		},
		{name: "empty header dropped", header: hdr(HeaderCSP, " ; ;"), want: nil},
		{
			name: "meta: frame-ancestors, report-uri and sandbox ignored", body: `<head><meta http-equiv="content-security-policy" content="frame-ancestors 'none'; script-src 'self'; sandbox; report-uri /r">`,
			want: []Policy{{
				Disposition: DispositionEnforce, Source: SourceMeta, Value: "frame-ancestors 'none'; script-src 'self'; sandbox; report-uri /r",
				Directives: []Directive{{Name: "script-src", Values: []string{"'self'"}}},
				Ignored:    []Directive{fa("'none'"), {Name: "sandbox"}, {Name: "report-uri", Values: []string{"/r"}}},
			}},
		},
		{
			name: "meta: character references decoded", body: `<meta http-equiv=Content-Security-Policy content="script-src &#39;self&#39;">`,
			want: []Policy{{
				Disposition: DispositionEnforce, Source: SourceMeta, Value: "script-src 'self'",
				Directives: []Directive{{Name: "script-src", Values: []string{"'self'"}}},
			}},
		},
		{name: "meta: outside head ignored", body: `<html><body><meta http-equiv="Content-Security-Policy" content="script-src 'self'"></body>`, want: nil},
		{name: "meta: without content ignored", body: `<head><meta http-equiv="Content-Security-Policy"></head>`, want: nil},
		{name: "meta: report-only not supported", body: `<head><meta http-equiv="Content-Security-Policy-Report-Only" content="script-src 'self'"></head>`, want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ParsePolicies(tc.header, []byte(tc.body))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParsePolicies:\ngot  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestMetaElements(t *testing.T) {
	const csp = `<meta http-equiv="Content-Security-Policy" content="x">`
	cases := []struct {
		name string
		body string
		want []metaElement
	}{
		{name: "no http-equiv", body: `<head><meta charset="utf-8"></head>`, want: nil},
		{
			name: "in head", body: `<!DOCTYPE html><html lang=en><head><title>a <meta http-equiv=x></title>` + csp,
			want: []metaElement{{httpEquiv: "Content-Security-Policy", content: "x", inHead: true}},
		},
		{name: "implied head", body: csp, want: []metaElement{{httpEquiv: "Content-Security-Policy", content: "x", inHead: true}}},
		{name: "after text", body: "hello " + csp, want: []metaElement{{httpEquiv: "Content-Security-Policy", content: "x"}}},
		{name: "after </head>", body: `<head></head>` + csp, want: []metaElement{{httpEquiv: "Content-Security-Policy", content: "x"}}},
		{name: "after a body element", body: `<div></div>` + csp, want: []metaElement{{httpEquiv: "Content-Security-Policy", content: "x"}}},
		{name: "in a comment", body: `<!-- ` + csp + ` -->`, want: nil},
		{name: "in a script", body: `<script>document.write('` + csp + `')</script>`, want: nil},
		{
			name: "after a script", body: `<script>var a = "<b>";</SCRIPT>` + csp,
			want: []metaElement{{httpEquiv: "Content-Security-Policy", content: "x", inHead: true}},
		},
		{name: "attribute forms", body: `<meta  HTTP-EQUIV = 'a' content=b/ content="c">`, want: []metaElement{{httpEquiv: "a", content: "b/", inHead: true}}},
		{name: "duplicate attribute keeps the first", body: `<meta http-equiv="a" http-equiv="b" content="c">`, want: []metaElement{{httpEquiv: "a", content: "c", inHead: true}}},
		{name: "unterminated tag", body: `<meta http-equiv="a" content="b`, want: nil},
		{name: "unterminated comment", body: `<!-- <meta http-equiv="a">`, want: nil},
		{name: "plaintext stops markup", body: `<plaintext>` + csp, want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := metaElements([]byte(tc.body))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("metaElements(%q):\ngot  %+v\nwant %+v", tc.body, got, tc.want)
			}
		})
	}
}

func TestHeaderValuesCaseInsensitive(t *testing.T) {
	h := http.Header{"X-Frame-Options": {"DENY"}, "x-frame-options": {"SAMEORIGIN"}}
	got := headerValues(h, HeaderXFO)
	want := []string{"DENY", "SAMEORIGIN"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("headerValues = %q; want %q", got, want)
	}
}
