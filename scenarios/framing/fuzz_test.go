package framing

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func FuzzEvaluate(f *testing.F) {
	f.Add("https://partner.example/install", "frame-ancestors 'self' https://app.hubspot.com", "", "DENY", "", "https://app.hubspot.com")
	f.Add("http://127.0.0.1:3000/", "frame-ancestors *.hubspot.com:* http: 'none'", "frame-ancestors 'none'", "SAMEORIGIN, x", "", "http://[::1]:80")
	f.Add("https://a.example/", "FRAME-ANCESTORS https://a.example/x/, script-src 'self'", "", `"allowall", foo`,
		`<head><meta http-equiv="Content-Security-Policy" content="frame-ancestors 'none'"><script>"</script>`, "null")
	f.Add("about:blank", ";;,", "frame-ancestors", "", "<!--", "https://0x7f.1.")
	f.Fuzz(func(t *testing.T, page, csp, cspRO, xfo, body, ancestor string) {
		u, err := url.Parse(page)
		if err != nil {
			return
		}
		h := http.Header{}
		for _, kv := range [][2]string{{HeaderCSP, csp}, {HeaderCSPReportOnly, cspRO}, {HeaderXFO, xfo}} {
			if kv[1] != "" {
				h.Add(kv[0], kv[1])
			}
		}
		in := Input{URL: u, Header: h, Body: []byte(body), Ancestors: []string{ancestor, "https://app.hubspot.com"}}
		v := Evaluate(in)
		if again := Evaluate(in); !reflect.DeepEqual(v, again) {
			t.Fatalf("Evaluate is not deterministic:\n%+v\n%+v", v, again)
		}
		if v.Err != nil {
			if v.Allowed || !errors.Is(v.Err, ErrInvalidInput) || v.Reason == "" {
				t.Fatalf("Evaluate: bad input gave Allowed %v, Err %v, Reason %q; want false, an ErrInvalidInput, a reason", v.Allowed, v.Err, v.Reason)
			}
			return
		}
		if v.Reason == "" || v.Allowed != (v.Blocker == "") {
			t.Fatalf("Evaluate: Allowed %v, Blocker %q, Reason %q; want a reason and a blocker exactly when blocked", v.Allowed, v.Blocker, v.Reason)
		}
		if !v.Allowed && (v.Ancestor == "" || v.Fix == "" || v.Header == "") {
			t.Fatalf("Evaluate: blocked with Ancestor %q, Header %q, Fix %q; want all three", v.Ancestor, v.Header, v.Fix)
		}
		// Policies only further restrict (CSP3 §8.1): another enforced policy never unblocks a
		// page that an enforced frame-ancestors blocked.
		if v.Blocker == BlockerCSP {
			more := in
			more.Header = h.Clone()
			more.Header.Add(HeaderCSP, "frame-ancestors *")
			if w := Evaluate(more); w.Allowed {
				t.Fatalf("Evaluate: adding a policy unblocked a CSP-blocked page: %s", w.Reason)
			}
		}
	})
}

func FuzzParsePolicies(f *testing.F) {
	f.Add("frame-ancestors 'self'; FRAME-ancestors 'none', script-src x", "<meta http-equiv=content-security-policy content='a b; a c'>")
	f.Add("\x00;\xff,\t", "<head><meta http-equiv='Content-Security-Policy' content=\"sandbox; report-uri /x\">")
	f.Fuzz(func(t *testing.T, header, body string) {
		for _, p := range ParsePolicies(http.Header{HeaderCSP: {header}}, []byte(body)) {
			if p.Source != SourceMeta && len(p.Directives) == 0 {
				t.Fatalf("ParsePolicies: header policy without directives: %+v", p)
			}
			var names []string
			for _, d := range append(slices.Clone(p.Directives), p.Ignored...) {
				if d.Name == "" || d.Name != asciiLower(d.Name) || strings.ContainsAny(d.Name, " \t\n\f\r") || !isASCII(d.Name) {
					t.Fatalf("ParsePolicies: bad directive name %q", d.Name)
				}
				for _, v := range d.Values {
					if v == "" || strings.ContainsAny(v, " \t\n\f\r;") {
						t.Fatalf("ParsePolicies: bad directive value %q in %q", v, d)
					}
				}
			}
			for _, d := range p.Directives {
				if slices.Contains(names, d.Name) {
					t.Fatalf("ParsePolicies: directive %q twice in %+v", d.Name, p)
				}
				names = append(names, d.Name)
			}
		}
	})
}
