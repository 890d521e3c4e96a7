package browser

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzCookieJar stores fuzzed Set-Cookie headers, received from a fuzzed URL in a fuzzed
// browsing context, and reads back the Cookie header of a fuzzed request: no panic; a rejection
// always says why; the jar keeps a browser's limits and rules (size, Secure from a secure
// context only, SameSite=None only with Secure, the __Host- and __Secure- prefixes); a cookie
// just stored goes back to the URL that set it unless its Path or SameSite says otherwise; and
// the Cookie header the browser sends parses, cookie for cookie, as the server reads it.
func FuzzCookieJar(f *testing.F) {
	f.Add("sid=abc; Path=/; HttpOnly; SameSite=Lax\nnone=1; SameSite=None; Secure\n__Host-x=1; Path=/; Secure", "http://localhost:3000/oauth/callback", "http://localhost:3000/install", uint8(0))
	f.Add("a=b; Domain=.example.com; Max-Age=60\nb=\"q v\"; Expires=Wed, 21 Oct 2015 07:28:00 GMT\nc=d; Max-Age=-1", "http://app.example.com/a/b", "http://x.app.example.com/a/b/c", uint8(1))
	f.Add("chips=1; Partitioned; Secure; SameSite=None; Path=/p\n__Secure-y=2\nlax=1", "https://partner.example/p/q", "https://partner.example/p", uint8(6))
	f.Add("=nameless\n;\nx=\x00\nbig="+strings.Repeat("v", 4096)+"\nip=1; Domain=127.0.0.2", "http://127.0.0.1/", "http://127.0.0.1/", uint8(2))
	f.Add("t=1; Domain=com\nu=2; Domain=localhost\nv=3; Domain=evil.example", "http://LOCALHOST./%2e%2e/", "http://localhost/%2E%2E/x", uint8(3))
	f.Add("s=1; Secure\ns=2", "https://a.example/", "http://a.example/", uint8(4))
	f.Fuzz(func(t *testing.T, setCookies, from, to string, flags uint8) {
		now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
		src, dst := fuzzURL(from), fuzzURL(to)
		sc := cookieScope{
			url: src, method: http.MethodGet, topLevel: flags&1 == 0, crossSite: flags&2 != 0,
			policy: CookiePolicy(flags >> 2 % 2),
		}
		sc.topSite = site(src)
		if !sc.topLevel && flags&8 != 0 {
			sc.topSite = "https://app.hubspot.com"
		}
		h := http.Header{}
		for line := range strings.SplitSeq(setCookies, "\n") {
			h.Add("Set-Cookie", line)
		}
		cs, bad := parseSetCookies(h)
		for _, b := range bad {
			if b.Reason == "" {
				t.Fatalf("rejection of %q says no reason", b.Raw)
			}
		}
		j := &jar{}
		for i, c := range cs {
			reason := j.store(sc, c, now)
			if reason != "" || i >= 64 { // past 64, a flood: only the limits at the end are checked
				continue
			}
			checkJar(t, j)
			deleted := c.MaxAge < 0 || (c.MaxAge == 0 && !c.Expires.IsZero() && !c.Expires.After(now))
			pathOK := !strings.HasPrefix(c.Path, "/") || pathMatch(requestPath(src), c.Path)
			strict := c.SameSite == http.SameSiteStrictMode && sc.crossSite
			sent := false
			for _, m := range j.matching(sc, now) {
				sent = sent || (m.name == c.Name && m.value == c.Value)
			}
			if !deleted && pathOK && !strict && !sent {
				t.Fatalf("%q stored from %s is not sent back there", c.Raw, src)
			}
		}
		checkJar(t, j)

		for _, req := range []cookieScope{sc, {url: dst, method: http.MethodPost, topLevel: true, topSite: site(dst)}} {
			sent := j.matching(req, now)
			header := cookieHeader(sent)
			if header == "" {
				continue
			}
			got, err := http.ParseCookie(header)
			if err != nil {
				t.Fatalf("the Cookie header %q does not parse: %v", header, err)
			}
			if len(got) != len(sent) {
				t.Fatalf("the Cookie header %q reads as %d cookies; sent %d", header, len(got), len(sent))
			}
			for i, c := range got {
				if c.Name != sent[i].name || c.Value != sent[i].value {
					t.Fatalf("cookie %d reads as %s=%q; sent %s=%q", i, c.Name, c.Value, sent[i].name, sent[i].value)
				}
			}
		}
	})
}

// fuzzURL parses a fuzzed URL, or a default one when it is not an absolute http(s) URL with a
// host.
func fuzzURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		u, _ = url.Parse("http://localhost:3000/oauth/callback")
	}
	return u
}

// requestPath is the path a request for u matches cookie paths with.
func requestPath(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// checkJar asserts the rules every stored cookie obeys.
func checkJar(t *testing.T, j *jar) {
	t.Helper()
	if len(j.cookies) > maxCookiesTotal {
		t.Fatalf("%d cookies in the jar", len(j.cookies))
	}
	perDomain := map[string]int{}
	for _, c := range j.cookies {
		perDomain[c.domain]++
		lname := strings.ToLower(c.name)
		switch {
		case perDomain[c.domain] > maxCookiesPerHost:
			t.Fatalf("more than %d cookies for %s", maxCookiesPerHost, c.domain)
		case c.name == "" || len(c.name)+len(c.value) > maxCookieBytes:
			t.Fatalf("stored cookie %q of %d bytes", c.name, len(c.name)+len(c.value))
		case !strings.HasPrefix(c.path, "/"):
			t.Fatalf("stored cookie %s with path %q", c.name, c.path)
		case strings.HasPrefix(c.domain, ".") || c.domain != strings.ToLower(c.domain):
			t.Fatalf("stored cookie %s with domain %q", c.name, c.domain)
		case c.sameSite == http.SameSiteNoneMode && !c.secure:
			t.Fatalf("stored SameSite=None cookie %s without Secure", c.name)
		case (c.partitioned || strings.HasPrefix(lname, "__secure-")) && !c.secure:
			t.Fatalf("stored cookie %s without Secure", c.name)
		case strings.HasPrefix(lname, "__host-") && (!c.secure || !c.hostOnly || c.path != "/"):
			t.Fatalf("stored __Host- cookie %+v", c)
		}
	}
}
