package scenarios

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRefreshURL checks the open-redirect judge's reading of Refresh headers and meta refreshes:
// no panic, and a URL written in any spelling the HTML Standard allows (§4.2.5.3: "URL" in any
// case, white space around "=", quotes, a space instead of ";") is read back as written, as the
// browser follows it. The judge once read `0; URL = https://evil.example/` as a relative path
// on the endpoint's own host, and `0 url=https://evil.example/` as no URL.
func FuzzRefreshURL(f *testing.F) {
	f.Add("https://evil.example/")
	f.Add("/relative?next=%2F")
	f.Add("//other.example")
	f.Add("javascript:alert(1)")
	f.Fuzz(func(t *testing.T, target string) {
		_ = refreshURL(target)
		_ = pageLinks([]byte(`<meta http-equiv=refresh content="` + target + `">`))
		if target == "" || strings.ContainsAny(target, "'\"\t\n\f\r ") || strings.ContainsAny(target[:1], ";,") ||
			strings.HasPrefix(strings.ToLower(target), "url") {
			return
		}
		// (Surrounding white space, \v included, is trimmed first: the URL parser strips it.)
		if target != strings.TrimSpace(target) {
			return
		}
		if _, err := url.Parse(target); err != nil {
			if got := refreshURL("0;url=" + target); got != "" {
				t.Errorf("refreshURL reads %q, which does not parse and the browser does not follow", got)
			}
			return
		}
		for _, v := range []string{"0;url=" + target, "0; URL = " + target, "5 , Url='" + target + "' trailing", "0 url=\"" + target + "\"", "1.5 " + target} {
			if got := refreshURL(v); got != target {
				t.Errorf("refreshURL(%q) = %q; want %q", v, got, target)
			}
		}
		if !strings.ContainsAny(target, "&<>\x00") && utf8.ValidString(target) {
			links := pageLinks([]byte(`<meta http-equiv="refresh" content="0; URL='` + target + `'">`))
			if len(links) != 1 || links[0][1] != target {
				t.Errorf("the meta refresh to %q reads as %q", target, links)
			}
		}
	})
}
