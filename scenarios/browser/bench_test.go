package browser

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkNavigate3Hops measures a navigation of three hops on loopback: a 302, a page with a
// meta refresh, and the final page, with a cookie set on the way.
func BenchmarkNavigate3Hops(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("/install", func(rw http.ResponseWriter, r *http.Request) {
		http.SetCookie(rw, &http.Cookie{Name: "sid", Value: "0123456789abcdef", Path: "/", Secure: true, SameSite: http.SameSiteNoneMode})
		http.Redirect(rw, r, "/wait", http.StatusFound)
	})
	mux.HandleFunc("/wait", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/html")
		_, _ = rw.Write([]byte(`<html><head><meta http-equiv="refresh" content="0; url=/done"></head><body>Installing…</body></html>`))
	})
	mux.HandleFunc("/done", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/html")
		_, _ = rw.Write([]byte(`<html><head><title>Installed</title></head><body><p>Done.</p></body></html>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		br := New(Options{})
		p, err := br.Navigate(ctx, srv.URL+"/install?code=c&returnUrl=x", FramedBy("https://app.hubspot.com"))
		if err != nil || len(p.Hops) != 3 {
			b.Fatalf("navigate: %v", err)
		}
	}
}

// BenchmarkHostileNavigate measures a navigation against the worst hostile endpoints of
// TestHostileEndpoints: what the browser allocates while it refuses or cuts what they send.
func BenchmarkHostileNavigate(b *testing.B) {
	worst := map[string]bool{
		"9 MB of headers on every redirect":                          true,
		"9 MB of headers through a transport without Chrome's limit": true,
		"4 KB cookies under the header limit on every redirect":      true,
		"8000 tiny cookies":          true,
		"endless gzip bomb":          true,
		"200 KB Locations, each new": true,
		"endless 1xx":                true,
	}
	for _, tc := range hostileCases() {
		if !worst[tc.name] {
			continue
		}
		b.Run(strings.ReplaceAll(tc.name, " ", "_"), func(b *testing.B) {
			u, stop := tc.start(b)
			defer stop()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				_, _ = New(tc.opts).Navigate(ctx, u, TopLevel)
			}
		})
	}
}
