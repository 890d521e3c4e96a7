package browser

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestStopAt(t *testing.T) {
	emu := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		t.Errorf("the emulator was fetched: %s %s", r.Method, r.URL)
	}))
	defer emu.Close()
	w := newTestWeb(t)
	ret := "https://app.hubspot.com/marketplace/install-success?portalId=1&x=a%20b"
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/install": redirectTo(http.StatusFound, ret),
	})
	var streamed []Hop
	b := w.browser(Options{
		HubSpotAddr: strings.TrimPrefix(emu.URL, "http://"),
		StopAt:      func(u *url.URL) bool { return IsHubSpotHost(u.Host) },
		OnHop:       func(h Hop) { streamed = append(streamed, h) },
	})
	p, err := b.Navigate(ctxT(t), w.url("a.localhost", "/install"), FramedBy("https://app.hubspot.com"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Stopped || p.URL.String() != ret || p.Status != 0 {
		t.Errorf("page: stopped %v at %s status %d; want stopped at %s unfetched", p.Stopped, p.URL, p.Status, ret)
	}
	if len(p.Hops) != 2 || !p.Hops[1].Stopped || p.Hops[1].How != HowRedirect(302) {
		t.Errorf("hops %q; want the navigate and a stopped redirect hop", hopPaths(p.Hops))
	}
	if len(streamed) != 2 || streamed[0].Seq != 1 || streamed[1].Seq != 2 {
		t.Errorf("OnHop saw %d hops; want 2 numbered 1, 2", len(streamed))
	}
	if all := b.Hops(); len(all) != 2 {
		t.Errorf("Hops() = %d; want 2", len(all))
	}
}

func TestHubSpotHostMapping(t *testing.T) {
	type seen struct{ host, proto, path, query string }
	got := make(chan seen, 4)
	emu := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		got <- seen{r.Host, r.Header.Get("X-Forwarded-Proto"), r.URL.Path, r.URL.RawQuery}
		http.SetCookie(rw, &http.Cookie{Name: "hubspotutk", Value: "u", Secure: true, SameSite: http.SameSiteNoneMode, Path: "/"})
		rw.Header().Set("Content-Type", "text/html")
		_, _ = rw.Write([]byte("<title>HubSpot</title>"))
	}))
	defer emu.Close()
	w := newTestWeb(t)
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/connect": redirectTo(http.StatusFound, "https://app-eu1.hubspot.com/oauth/authorize?client_id=c&scope=oauth"),
	})
	// The test web's transport dials the test web for any address; the mapping rewrites
	// HubSpot URLs to the emulator's address, which splitTransport sends there.
	b := New(Options{HubSpotAddr: strings.TrimPrefix(emu.URL, "http://"), Transport: splitTransport{web: w.transport, emuAddr: strings.TrimPrefix(emu.URL, "http://")}})
	p, err := b.Navigate(ctxT(t), w.url("a.localhost", "/connect"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	s := <-got
	if s.host != "app-eu1.hubspot.com" || s.proto != "https" || s.path != "/oauth/authorize" || s.query != "client_id=c&scope=oauth" {
		t.Errorf("emulator saw %+v; want Host app-eu1.hubspot.com, X-Forwarded-Proto https, the path and query", s)
	}
	if got := p.URL.String(); got != "https://app-eu1.hubspot.com/oauth/authorize?client_id=c&scope=oauth" {
		t.Errorf("page URL = %s; want the https HubSpot URL", got)
	}
	if h := p.Hops[1].RequestHeader.Get("X-Forwarded-Proto"); h != "" {
		t.Errorf("recorded hop carries X-Forwarded-Proto %q; want only what a browser sends", h)
	}
	if cs := b.Cookies(mustURL(t, "https://app-eu1.hubspot.com/"), TopLevel); len(cs) != 1 {
		t.Errorf("Secure cookie from the mapped https host: %v; want it stored", cookieNames(cs))
	}
}

// splitTransport sends requests for the emulator's address to it and the rest to the test web.
type splitTransport struct {
	web     http.RoundTripper
	emuAddr string
}

func (s splitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == s.emuAddr {
		return sharedTransport.RoundTrip(r)
	}
	return s.web.RoundTrip(r)
}

func TestIsHubSpotHost(t *testing.T) {
	for host, want := range map[string]bool{
		"app.hubspot.com": true, "APP.HubSpot.com": true, "app.hubspot.com:443": true,
		"app-eu1.hubspot.com": true, "app-na2.hubspot.com": true, "app-na3.hubspot.com": true,
		"app-ap1.hubspot.com": true, "api.hubapi.com": true, "app.hubspot.com.": true,
		"app.hubspot.com.evil.example": false, "evil.example": false, "hubspot.com": false,
		"www.hubspot.com": false, "": false,
	} {
		if got := IsHubSpotHost(host); got != want {
			t.Errorf("IsHubSpotHost(%q) = %v; want %v", host, got, want)
		}
	}
}
