package browser

import (
	"net/http"
	"testing"
)

func TestNavigationHeaders(t *testing.T) {
	w := newTestWeb(t)
	a := func(p string) string { return w.url("a.localhost", p) }
	hubspot := FramedBy("https://app.hubspot.com")
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/start":   redirectTo(http.StatusFound, "/end"),
		"/to-b":    redirectTo(http.StatusFound, w.url("b.localhost", "/end")),
		"/to-x":    page(`<meta http-equiv=refresh content="0;url=` + w.url("x.a.localhost", "/end") + `">`),
		"/refresh": page(`<meta http-equiv=refresh content="0;url=/end?q=1">`),
		"/no-ref": func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Referrer-Policy", "no-referrer")
			page(`<meta http-equiv=refresh content="0;url=/end">`)(rw, r)
		},
		"/meta-ref": page(`<meta name=referrer content=unsafe-url><meta http-equiv=refresh content="0;url=` + w.url("b.localhost", "/end") + `">`),
		"/redir-pol": func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Referrer-Policy", "no-referrer")
			redirectTo(http.StatusFound, "/end")(rw, r)
		},
		"/end": page("end"),
	})
	w.handle("b.localhost", map[string]http.HandlerFunc{"/end": page("end"), "/back": redirectTo(http.StatusFound, a("/end"))})
	w.handle("x.a.localhost", map[string]http.HandlerFunc{"/end": page("end")})
	w.handle("example.test", map[string]http.HandlerFunc{"/end": page("end")})

	type want struct{ dest, site, user, referer string }
	tests := []struct {
		name string
		url  string
		bc   Context
		want want // the headers of the last request
	}{
		{"typed", a("/end"), TopLevel, want{"document", "none", "?1", ""}},
		{"typed then redirected cross-site", a("/to-b"), TopLevel, want{"document", "none", "?1", ""}},
		{"opened by HubSpot", a("/end"), OpenedBy("https://app.hubspot.com"), want{"document", "cross-site", "?1", "https://app.hubspot.com/"}},
		{"framed by HubSpot", a("/end"), hubspot, want{"iframe", "cross-site", "", "https://app.hubspot.com/"}},
		{"framed, same-origin redirect", a("/start"), hubspot, want{"iframe", "cross-site", "", "https://app.hubspot.com/"}},
		{"framed same-origin", a("/end"), FramedBy(w.origin("a.localhost")), want{"iframe", "same-origin", "", w.origin("a.localhost") + "/"}},
		{"opened by a, redirected via b back to a", w.url("b.localhost", "/back"), OpenedBy(w.origin("a.localhost")), want{"document", "cross-site", "?1", w.origin("a.localhost") + "/"}},
		{"meta refresh same-origin", a("/refresh"), TopLevel, want{"document", "same-origin", "", a("/refresh")}},
		{"meta refresh same-site", a("/to-x"), TopLevel, want{"document", "same-site", "", w.origin("a.localhost") + "/"}},
		{"Referrer-Policy header", a("/no-ref"), TopLevel, want{"document", "same-origin", "", ""}},
		{"meta referrer", a("/meta-ref"), TopLevel, want{"document", "cross-site", "", a("/meta-ref")}},
		{"opened by b, redirected to a", w.url("b.localhost", "/back"), OpenedBy(w.origin("b.localhost")), want{"document", "cross-site", "?1", w.origin("b.localhost") + "/"}},
		{"not potentially trustworthy", w.url("example.test", "/end"), OpenedBy("https://app.hubspot.com"), want{"", "", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := w.browser(Options{UserAgent: "test-agent"})
			p, err := b.Navigate(ctxT(t), tt.url, tt.bc)
			if err != nil {
				t.Fatal(err)
			}
			reqs, _ := w.received("/end")
			r := reqs[len(reqs)-1]
			got := want{r.Header.Get("Sec-Fetch-Dest"), r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Sec-Fetch-User"), r.Header.Get("Referer")}
			if got != tt.want {
				t.Errorf("dest, site, user, referer = %q; want %q", got, tt.want)
			}
			if tt.want.dest != "" && r.Header.Get("Sec-Fetch-Mode") != "navigate" {
				t.Errorf("Sec-Fetch-Mode = %q; want navigate", r.Header.Get("Sec-Fetch-Mode"))
			}
			for k, v := range map[string]string{"User-Agent": "test-agent", "Upgrade-Insecure-Requests": "1", "Accept-Language": acceptLanguage, "Accept": acceptNavigation} {
				if r.Header.Get(k) != v {
					t.Errorf("%s = %q; want %q", k, r.Header.Get(k), v)
				}
			}
			last := p.Hops[len(p.Hops)-1]
			if last.RequestHeader.Get("Referer") != tt.want.referer {
				t.Errorf("recorded Referer %q; want %q", last.RequestHeader.Get("Referer"), tt.want.referer)
			}
			if last.Context != tt.bc {
				t.Errorf("hop context %v; want %v", last.Context, tt.bc)
			}
		})
	}

	// The Referrer-Policy of a redirect response applies to the request it redirects.
	b := w.browser(Options{})
	if _, err := b.Navigate(ctxT(t), a("/redir-pol"), OpenedBy(w.origin("a.localhost"))); err != nil {
		t.Fatal(err)
	}
	reqs, _ := w.received("/end")
	if got := reqs[len(reqs)-1].Header.Get("Referer"); got != "" {
		t.Errorf("Referer after a no-referrer redirect = %q; want none", got)
	}
}

func TestOriginAfterCrossOriginRedirect(t *testing.T) {
	w := newTestWeb(t)
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/form": page(`<form method=post action=/post><input name=x value=1></form>`),
		"/post": redirectTo(http.StatusTemporaryRedirect, w.url("b.localhost", "/post")),
	})
	w.handle("b.localhost", map[string]http.HandlerFunc{"/post": page("ok")})
	b := w.browser(Options{})
	p, err := b.Navigate(ctxT(t), w.url("a.localhost", "/form"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Submit(ctxT(t), p, p.Forms[0], nil); err != nil {
		t.Fatal(err)
	}
	reqs, bodies := w.received("/post")
	if got := reqs[0].Header.Get("Origin"); got != w.origin("a.localhost") {
		t.Errorf("first POST Origin = %q; want the form's origin", got)
	}
	if got := reqs[1].Header.Get("Origin"); got != "null" {
		t.Errorf("POST after a 307 to another origin: Origin = %q; want null", got)
	}
	if bodies[1] != "x=1" || reqs[1].Header.Get("Sec-Fetch-Site") != "cross-site" {
		t.Errorf("307 kept body %q, Sec-Fetch-Site %q; want x=1, cross-site", bodies[1], reqs[1].Header.Get("Sec-Fetch-Site"))
	}
}

func TestReferrerFor(t *testing.T) {
	src := mustURL(t, "https://user:pw@a.test/p?q=1#frag")
	same := mustURL(t, "https://a.test/other")
	cross := mustURL(t, "https://b.test/")
	down := mustURL(t, "http://b.test/")
	loop := mustURL(t, "http://127.0.0.1:8080/")
	tests := []struct {
		policy                  referrerPolicy
		same, cross, down, loop string
	}{
		{"strict-origin-when-cross-origin", "https://a.test/p?q=1", "https://a.test/", "", "https://a.test/"},
		{"no-referrer", "", "", "", ""},
		{"origin", "https://a.test/", "https://a.test/", "https://a.test/", "https://a.test/"},
		{"unsafe-url", "https://a.test/p?q=1", "https://a.test/p?q=1", "https://a.test/p?q=1", "https://a.test/p?q=1"},
		{"strict-origin", "https://a.test/", "https://a.test/", "", "https://a.test/"},
		{"same-origin", "https://a.test/p?q=1", "", "", ""},
		{"origin-when-cross-origin", "https://a.test/p?q=1", "https://a.test/", "https://a.test/", "https://a.test/"},
		{"no-referrer-when-downgrade", "https://a.test/p?q=1", "https://a.test/p?q=1", "", "https://a.test/p?q=1"},
	}
	for _, tt := range tests {
		got := [4]string{referrerFor(tt.policy, src, same), referrerFor(tt.policy, src, cross), referrerFor(tt.policy, src, down), referrerFor(tt.policy, src, loop)}
		if want := [4]string{tt.same, tt.cross, tt.down, tt.loop}; got != want {
			t.Errorf("%s: same, cross, downgrade, loopback = %q; want %q", tt.policy, got, want)
		}
	}
	if got := parseReferrerPolicyHeader([]string{"no-referrer, bogus", "never"}); got != "no-referrer" {
		t.Errorf("header policy = %q; want the last valid token, legacy keywords ignored", got)
	}
}

func TestNames(t *testing.T) {
	for got, want := range map[string]string{
		TopLevel.String(): "top-level",
		OpenedBy("https://app.hubspot.com").String(): "top-level (opened by https://app.hubspot.com)",
		FramedBy("https://app.hubspot.com").String(): "framed by https://app.hubspot.com",
		CookiePolicy(7).String():                     "CookiePolicy(7)",
		string(HowRedirect(http.StatusSeeOther)):     "redirect 303",
	} {
		if got != want {
			t.Errorf("got %q; want %q", got, want)
		}
	}
	if !HowRedirect(307).IsRedirect() || HowMetaRefresh.IsRedirect() || HowFormSubmit.IsRedirect() {
		t.Errorf("IsRedirect is wrong for redirect 307, meta refresh or form submit")
	}
}
