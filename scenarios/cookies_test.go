package scenarios

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/scenarios/browser"
)

func TestCookieJudging(t *testing.T) {
	install, _ := url.Parse("https://app.example.com/hubspot/install")
	login, _ := url.Parse("https://app.example.com/hubspot/login")
	other, _ := url.Parse("https://auth.example.com/login")
	tests := []struct {
		name     string
		c        *http.Cookie
		setBy    *url.URL
		deletion bool
		sent     bool
	}{
		{"session on /", &http.Cookie{Name: "sid", Value: "x", Path: "/"}, login, false, true},
		{"res.clearCookie", &http.Cookie{Name: "old", Path: "/", Expires: time.Unix(0, 0)}, login, true, true},
		{"Max-Age=0", &http.Cookie{Name: "old", Path: "/", MaxAge: -1}, login, true, true},
		{"another path", &http.Cookie{Name: "p", Value: "x", Path: "/admin"}, login, false, false},
		{"default path of /hubspot/login", &http.Cookie{Name: "d", Value: "x"}, login, false, true},
		{"another host", &http.Cookie{Name: "a", Value: "x", Path: "/"}, other, false, false},
		{"a parent domain", &http.Cookie{Name: "a", Value: "x", Path: "/", Domain: ".example.com"}, other, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deletion(tt.c); got != tt.deletion {
				t.Errorf("deletion = %v; want %v", got, tt.deletion)
			}
			if got := sentTo(tt.c, tt.setBy, install); got != tt.sent {
				t.Errorf("sentTo = %v; want %v", got, tt.sent)
			}
		})
	}
}

func TestDroppedCookies(t *testing.T) {
	u := func(s string) *url.URL { p, _ := url.Parse(s); return p }
	signIn := &Step{Name: stepAuthorize, Hops: []HopRecord{{Hop: browser.Hop{Seq: 1, URL: u("https://app.example.com/hubspot/login"),
		SetCookies: []*http.Cookie{{Name: "sid", Value: "x", Path: "/", SameSite: http.SameSiteLaxMode}, {Name: "gone", Path: "/", MaxAge: -1}}}}}}
	fin := &Step{Name: stepFinalize, Hops: []HopRecord{{Hop: browser.Hop{Seq: 1, URL: u("https://app.example.com/hubspot/install?step=finalize")}}}}
	o := &Observation{Target: Target{InstallURL: "https://app.example.com/hubspot/install"}, Steps: []*Step{signIn, fin}}
	if got := droppedCookies(o, fin); !strings.Contains(got, `"sid"`) || strings.Contains(got, "gone") {
		t.Errorf("droppedCookies = %q; want sid named, not the deletion", got)
	}
	fin.Hops[0].SentCookies = []string{"sid"}
	if got := droppedCookies(o, fin); got != "" {
		t.Errorf("droppedCookies with the cookie sent = %q; want none", got)
	}
}
