package browser

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// signedIn are the four SameSite kinds, set first-party on the endpoint.
var signedIn = []*http.Cookie{
	{Name: "strict", Value: "s", Path: "/", SameSite: http.SameSiteStrictMode},
	{Name: "lax", Value: "l", Path: "/", SameSite: http.SameSiteLaxMode},
	{Name: "dflt", Value: "d", Path: "/"},
	{Name: "none", Value: "n", Path: "/", SameSite: http.SameSiteNoneMode, Secure: true},
}

func TestSameSiteSendMatrix(t *testing.T) {
	w := newTestWeb(t)
	all := []string{"strict", "lax", "dflt", "none"}
	tests := []struct {
		name   string
		bc     Context
		allow  []string // sent under ThirdPartyAllow
		block  []string // sent under ThirdPartyBlock
		secFet string   // Sec-Fetch-Site of the request
	}{
		{"top-level typed", TopLevel, all, all, "none"},
		{"top-level opened cross-site", OpenedBy("https://app.hubspot.com"), []string{"lax", "dflt", "none"}, []string{"lax", "dflt", "none"}, "cross-site"},
		{"top-level opened same-site", OpenedBy(w.origin("x.a.localhost")), all, all, "same-site"},
		{"frame same-origin", FramedBy(w.origin("a.localhost")), all, all, "same-origin"},
		{"frame same-site", FramedBy(w.origin("x.a.localhost")), all, all, "same-site"},
		{"frame cross-site", FramedBy("https://app.hubspot.com"), []string{"none"}, nil, "cross-site"},
	}
	for _, policy := range []CookiePolicy{ThirdPartyAllow, ThirdPartyBlock} {
		for _, tt := range tests {
			t.Run(policy.String()+"/"+tt.name, func(t *testing.T) {
				want := tt.allow
				if policy == ThirdPartyBlock {
					want = tt.block
				}
				var gotWire []string
				var fetchSite string
				w.handle("a.localhost", map[string]http.HandlerFunc{
					"/echo": func(rw http.ResponseWriter, r *http.Request) {
						for _, c := range r.Cookies() {
							gotWire = append(gotWire, c.Name)
						}
						fetchSite = r.Header.Get("Sec-Fetch-Site")
					},
				})
				b := w.browser(Options{ThirdPartyCookies: policy})
				u := mustURL(t, w.url("a.localhost", "/echo"))
				b.SetCookies(u, signedIn)

				if got := cookieNames(b.Cookies(u, tt.bc)); !slices.Equal(got, want) {
					t.Errorf("Cookies = %q; want %q", got, want)
				}
				p, err := b.Navigate(ctxT(t), u.String(), tt.bc)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(gotWire, want) {
					t.Errorf("sent on the wire %q; want %q", gotWire, want)
				}
				if !slices.Equal(p.Hops[0].SentCookies, want) {
					t.Errorf("hop SentCookies %q; want %q", p.Hops[0].SentCookies, want)
				}
				if fetchSite != tt.secFet {
					t.Errorf("Sec-Fetch-Site = %q; want %q", fetchSite, tt.secFet)
				}
			})
		}
	}
}

func TestLaxNotSentOnCrossSitePost(t *testing.T) {
	w := newTestWeb(t)
	var got []string
	w.handle("b.localhost", map[string]http.HandlerFunc{
		"/form": page(`<form method=post action="` + w.url("a.localhost", "/login") + `"><input name=u></form>`),
	})
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/login": func(_ http.ResponseWriter, r *http.Request) {
			for _, c := range r.Cookies() {
				got = append(got, c.Name)
			}
		},
	})
	b := w.browser(Options{})
	b.SetCookies(mustURL(t, w.url("a.localhost", "/")), signedIn)
	p, err := b.Navigate(ctxT(t), w.url("b.localhost", "/form"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Submit(ctxT(t), p, p.Forms[0], map[string]string{"u": "x"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"none"}; !slices.Equal(got, want) {
		t.Errorf("cross-site top-level POST sent %q; want %q", got, want)
	}
}

func TestCookiesSetInCrossSiteFrame(t *testing.T) {
	set := []string{
		"lax=1; SameSite=Lax; Path=/",
		"dflt=1; Path=/",
		"strict=1; SameSite=Strict; Path=/",
		"none=1; SameSite=None; Secure; Path=/",
		"insecure=1; SameSite=None; Path=/",
		"chips=1; SameSite=None; Secure; Partitioned; Path=/",
	}
	tests := []struct {
		policy                   CookiePolicy
		inFrame, topLevel, other []string
	}{
		{ThirdPartyAllow, []string{"none", "chips"}, []string{"none"}, []string{"none"}},
		{ThirdPartyBlock, []string{"none", "chips"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.policy.String(), func(t *testing.T) {
			w := newTestWeb(t)
			w.handle("a.localhost", map[string]http.HandlerFunc{"/finalize": setCookies(set...)})
			b := w.browser(Options{ThirdPartyCookies: tt.policy})
			hubspot := FramedBy("https://app.hubspot.com")
			p, err := b.Navigate(ctxT(t), w.url("a.localhost", "/finalize"), hubspot)
			if err != nil {
				t.Fatal(err)
			}
			hop := p.Hops[0]
			if len(hop.SetCookies) != len(set) || hop.SetCookies[0].Raw != set[0] {
				t.Errorf("hop SetCookies: %d parsed; want %d with raw text kept", len(hop.SetCookies), len(set))
			}
			reasons := map[string]string{}
			for _, r := range hop.RejectedCookies {
				reasons[r.Name] = r.Reason
			}
			for name, want := range map[string]string{
				"lax": "cross-site frame", "dflt": "SameSite is missing", "strict": "SameSite=Strict", "insecure": "without Secure",
			} {
				if !strings.Contains(reasons[name], want) {
					t.Errorf("rejection of %s = %q; want it to mention %q", name, reasons[name], want)
				}
			}
			if len(reasons) != 4 {
				t.Errorf("rejected %v; want exactly lax, dflt, strict, insecure", reasons)
			}
			u := mustURL(t, w.url("a.localhost", "/x"))
			if got := cookieNames(b.Cookies(u, hubspot)); !slices.Equal(got, tt.inFrame) {
				t.Errorf("in the frame again: %q; want %q", got, tt.inFrame)
			}
			if got := cookieNames(b.Cookies(u, TopLevel)); !slices.Equal(got, tt.topLevel) {
				t.Errorf("top-level: %q; want %q", got, tt.topLevel)
			}
			if got := cookieNames(b.Cookies(u, FramedBy("https://other.example"))); !slices.Equal(got, tt.other) {
				t.Errorf("framed by another site: %q; want %q", got, tt.other)
			}
		})
	}
}

func TestSecureContexts(t *testing.T) {
	w := newTestWeb(t)
	for _, host := range []string{"127.0.0.1", "localhost", "app.localhost", "example.test"} {
		w.handle(host, map[string]http.HandlerFunc{
			"/set": setCookies("sec=1; Secure; Path=/", "plain=1; Path=/", "__Secure-p=1; Secure; Path=/", "__Host-h=1; Secure; Path=/"),
		})
	}
	for host, secure := range map[string]bool{"127.0.0.1": true, "localhost": true, "app.localhost": true, "example.test": false} {
		t.Run(host, func(t *testing.T) {
			b := w.browser(Options{})
			p, err := b.Navigate(ctxT(t), w.url(host, "/set"), TopLevel)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"plain"}
			if secure {
				want = []string{"sec", "plain", "__Secure-p", "__Host-h"}
			}
			if got := cookieNames(b.Cookies(p.URL, TopLevel)); !slices.Equal(got, want) {
				t.Errorf("stored and sent %q; want %q", got, want)
			}
			if !secure {
				if len(p.Hops[0].RejectedCookies) != 3 || !strings.Contains(p.Hops[0].RejectedCookies[0].Reason, "not a secure context") {
					t.Errorf("rejections %+v; want the 3 Secure ones, for want of a secure context", p.Hops[0].RejectedCookies)
				}
			}
		})
	}

	// A Secure cookie of https://example.test is not sent to http://example.test, and that
	// insecure origin cannot overwrite it.
	b := w.browser(Options{})
	b.SetCookies(mustURL(t, "https://example.test/"), []*http.Cookie{{Name: "sec", Value: "1", Secure: true}})
	if got := b.Cookies(mustURL(t, "http://example.test/"), TopLevel); len(got) != 0 {
		t.Errorf("Secure cookie sent over http: %q", cookieNames(got))
	}
	w.handle("example.test", map[string]http.HandlerFunc{"/set": setCookies("sec=2; Path=/")})
	p, err := b.Navigate(ctxT(t), w.url("example.test", "/set"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Hops[0].RejectedCookies; len(r) != 1 || !strings.Contains(r[0].Reason, "may not overwrite") {
		t.Errorf("rejections %+v; want the overwrite of the Secure cookie refused", r)
	}
}

func TestCookieStorageRules(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		setURL  string
		cookie  string
		sendURL string
		sent    bool
		reject  string // substring of the rejection reason; "" when stored
	}{
		{"host-only", "http://a.localhost/", "c=1", "http://a.localhost/", true, ""},
		{"host-only not to subdomain", "http://a.localhost/", "c=1", "http://x.a.localhost/", false, ""},
		{"domain to subdomain", "http://x.a.localhost/", "c=1; Domain=a.localhost", "http://y.a.localhost/", true, ""},
		{"domain with dot", "http://x.a.localhost/", "c=1; Domain=.a.localhost", "http://a.localhost/", true, ""},
		{"foreign domain", "http://a.localhost/", "c=1; Domain=b.localhost", "", false, "does not cover the host"},
		{"top-level domain", "http://a.example/", "c=1; Domain=example", "", false, "top-level domain"},
		{"IP domain", "http://127.0.0.1/", "c=1; Domain=127.0.0.1", "http://127.0.0.1/", true, ""},
		{"IP other domain", "http://127.0.0.1/", "c=1; Domain=0.0.1", "", false, "IP address"},
		{"default path", "http://a.localhost/app/login", "c=1", "http://a.localhost/app/x", true, ""},
		{"default path excludes sibling", "http://a.localhost/app/login", "c=1", "http://a.localhost/application", false, ""},
		{"default path excludes root", "http://a.localhost/app/login", "c=1", "http://a.localhost/", false, ""},
		{"explicit path", "http://a.localhost/app/login", "c=1; Path=/", "http://a.localhost/", true, ""},
		{"max-age", "http://a.localhost/", "c=1; Max-Age=60", "http://a.localhost/", true, ""},
		{"max-age 0", "http://a.localhost/", "c=1; Max-Age=0", "http://a.localhost/", false, ""},
		{"expired", "http://a.localhost/", "c=1; Expires=Thu, 01 Jan 2026 00:00:00 GMT", "http://a.localhost/", false, ""},
		{"future expiry", "http://a.localhost/", "c=1; Expires=Fri, 01 Jan 2027 00:00:00 GMT", "http://a.localhost/", true, ""},
		{"none needs secure", "http://a.localhost/", "c=1; SameSite=None", "", false, "SameSite=None without Secure"},
		{"__Host- with domain", "http://x.a.localhost/", "__Host-c=1; Secure; Path=/; Domain=a.localhost", "", false, "__Host-"},
		{"__Host- without path", "http://a.localhost/x/y", "__Host-c=1; Secure", "", false, "__Host-"},
		{"__Secure- without secure", "http://a.localhost/", "__Secure-c=1", "", false, "__Secure-"},
		{"partitioned without secure", "http://a.localhost/", "c=1; Partitioned", "", false, "Partitioned"},
		{"too big", "http://a.localhost/", "c=" + strings.Repeat("v", 4096), "", false, "4096-byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var j jar
			c, err := http.ParseSetCookie(tt.cookie)
			if err != nil {
				t.Fatalf("ParseSetCookie(%q): %v", tt.cookie, err)
			}
			u := mustURL(t, tt.setURL)
			reason := j.store(cookieScope{url: u, method: "GET", topLevel: true, topSite: site(u)}, c, now)
			if tt.reject != "" {
				if !strings.Contains(reason, tt.reject) {
					t.Errorf("rejection %q; want it to mention %q", reason, tt.reject)
				}
				return
			}
			if reason != "" {
				t.Fatalf("rejected: %s", reason)
			}
			su := mustURL(t, tt.sendURL)
			got := j.matching(cookieScope{url: su, method: "GET", topLevel: true, topSite: site(su)}, now)
			if (len(got) == 1) != tt.sent {
				t.Errorf("sent to %s: %d cookies; want sent = %v", tt.sendURL, len(got), tt.sent)
			}
		})
	}
}

func TestCookieLifecycle(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	u := mustURL(t, "http://a.localhost/app/page")
	sc := cookieScope{url: u, method: "GET", topLevel: true, topSite: site(u)}
	var j jar
	store := func(line string, at time.Time) {
		t.Helper()
		c, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatal(err)
		}
		if reason := j.store(sc, c, at); reason != "" {
			t.Fatalf("%q rejected: %s", line, reason)
		}
	}
	header := func(at time.Time) string { return cookieHeader(j.matching(sc, at)) }

	store("a=1; Path=/", now)
	store("b=2; Path=/app", now.Add(time.Second))
	store("c=3; Path=/", now.Add(2*time.Second))
	if got, want := header(now), "b=2; a=1; c=3"; got != want {
		t.Errorf("Cookie = %q; want %q (longer path first, then oldest)", got, want)
	}
	store("a=9; Path=/", now.Add(3*time.Second)) // replaces a, keeps its place
	if got, want := header(now), "b=2; a=9; c=3"; got != want {
		t.Errorf("after replace: %q; want %q", got, want)
	}
	store("b=; Path=/app; Max-Age=0", now.Add(4*time.Second))
	if got, want := header(now), "a=9; c=3"; got != want {
		t.Errorf("after delete: %q; want %q", got, want)
	}
	store(`q="quoted"; Max-Age=60; Path=/`, now)
	if got := header(now.Add(59 * time.Second)); !strings.Contains(got, `q="quoted"`) {
		t.Errorf("before expiry: %q; want the quoted cookie", got)
	}
	if got := header(now.Add(61 * time.Second)); strings.Contains(got, "q=") {
		t.Errorf("after expiry: %q; want it gone", got)
	}
	for i := range maxCookiesPerHost + 5 {
		store(fmt.Sprintf("n%d=1; Path=/", i), now.Add(time.Duration(i)*time.Millisecond))
	}
	if n := len(j.cookies); n != maxCookiesPerHost {
		t.Errorf("%d cookies kept for one host; want the limit, %d", n, maxCookiesPerHost)
	}
	if slices.ContainsFunc(j.cookies, func(c *storedCookie) bool { return c.name == "a" || c.name == "n4" }) {
		t.Errorf("the oldest cookies survived eviction")
	}
	if !slices.ContainsFunc(j.cookies, func(c *storedCookie) bool { return c.name == "n5" }) {
		t.Errorf("evicted more than the oldest")
	}
}

func TestCookieRedactedInHop(t *testing.T) {
	w := newTestWeb(t)
	var wire string
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/": func(_ http.ResponseWriter, r *http.Request) { wire = r.Header.Get("Cookie") },
	})
	b := w.browser(Options{})
	b.SetCookies(mustURL(t, w.url("a.localhost", "/")), []*http.Cookie{{Name: "sid", Value: "secret"}, {Name: "x", Value: "y"}})
	p, err := b.Navigate(ctxT(t), w.url("a.localhost", "/"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if wire != "sid=secret; x=y" {
		t.Errorf("wire Cookie = %q; want the real values", wire)
	}
	if got := p.Hops[0].RequestHeader.Get("Cookie"); got != "sid=…; x=…" {
		t.Errorf("recorded Cookie = %q; want values redacted", got)
	}
}

func TestSetCookieUnparsable(t *testing.T) {
	w := newTestWeb(t)
	w.handle("a.localhost", map[string]http.HandlerFunc{"/": setCookies("=novalue", "ok=1")})
	p, err := w.browser(Options{}).Navigate(ctxT(t), w.url("a.localhost", "/"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	h := p.Hops[0]
	if len(h.SetCookies) != 1 || len(h.RejectedCookies) != 1 || h.RejectedCookies[0].Raw != "=novalue" {
		t.Errorf("parsed %d, rejected %+v; want 1 parsed and the bad line rejected with its raw text", len(h.SetCookies), h.RejectedCookies)
	}
}
