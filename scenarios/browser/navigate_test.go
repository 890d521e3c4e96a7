package browser

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRedirectMethodAndBody(t *testing.T) {
	tests := []struct {
		status     int
		wantMethod string
		wantBody   bool
	}{
		{http.StatusMovedPermanently, http.MethodGet, false},
		{http.StatusFound, http.MethodGet, false},
		{http.StatusSeeOther, http.MethodGet, false},
		{http.StatusTemporaryRedirect, http.MethodPost, true},
		{http.StatusPermanentRedirect, http.MethodPost, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			w := newTestWeb(t)
			w.handle("a.localhost", map[string]http.HandlerFunc{
				"/form":  page(`<form method=post action=/start><input name=user value=ann></form>`),
				"/start": redirectTo(tt.status, "/end"),
				"/end":   page("<title>done</title>"),
				"/get":   redirectTo(tt.status, "/end"),
			})
			b := w.browser(Options{})
			ctx := ctxT(t)

			// A GET stays a GET whatever the status.
			p, err := b.Navigate(ctx, w.url("a.localhost", "/get"), TopLevel)
			if err != nil {
				t.Fatalf("Navigate: %v", err)
			}
			if got, want := hopPaths(p.Hops), []string{"navigate GET /get", fmt.Sprintf("redirect %d GET /end", tt.status)}; !slices.Equal(got, want) {
				t.Errorf("GET hops = %q; want %q", got, want)
			}

			form, err := b.Navigate(ctx, w.url("a.localhost", "/form"), TopLevel)
			if err != nil {
				t.Fatalf("Navigate /form: %v", err)
			}
			f, err := form.Form("")
			if err != nil {
				t.Fatal(err)
			}
			p, err = b.Submit(ctx, form, f, nil)
			if err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if p.Title != "done" || p.Status != http.StatusOK {
				t.Errorf("ended on %d %q; want 200 \"done\"", p.Status, p.Title)
			}
			if got := p.Hops[1].Method; got != tt.wantMethod {
				t.Errorf("method after %d = %s; want %s", tt.status, got, tt.wantMethod)
			}
			reqs, bodies := w.received("/end")
			last := len(reqs) - 1
			if reqs[last].Method != tt.wantMethod {
				t.Errorf("server saw %s; want %s", reqs[last].Method, tt.wantMethod)
			}
			if gotBody := bodies[last] == "user=ann"; gotBody != tt.wantBody {
				t.Errorf("body after %d = %q; want body kept: %v", tt.status, bodies[last], tt.wantBody)
			}
			if ct := reqs[last].Header.Get("Content-Type"); (ct != "") != tt.wantBody {
				t.Errorf("Content-Type after %d = %q; want present: %v", tt.status, ct, tt.wantBody)
			}
		})
	}
}

func TestRedirectEdgeCases(t *testing.T) {
	w := newTestWeb(t)
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/no-location":  func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusFound) },
		"/js-scheme":    redirectTo(http.StatusFound, "javascript:alert(1)"),
		"/bad":          redirectTo(http.StatusFound, "http://[::1"),
		"/dir/relative": redirectTo(http.StatusFound, "next?x=1"),
		"/dir/next":     page("<title>next</title>"),
		"/frag":         redirectTo(http.StatusFound, "/dir/next"),
		"/not-followed": redirectTo(http.StatusMultipleChoices, "/dir/next"),
	})
	b := w.browser(Options{})
	ctx := ctxT(t)

	p, err := b.Navigate(ctx, w.url("a.localhost", "/no-location"), TopLevel)
	if err != nil || p.Status != http.StatusFound {
		t.Errorf("302 without Location: page %v, err %v; want the 302 page, no error", p, err)
	}
	p, err = b.Navigate(ctx, w.url("a.localhost", "/not-followed"), TopLevel)
	if err != nil || p.Status != http.StatusMultipleChoices || len(p.Hops) != 1 {
		t.Errorf("300: %d hops, status %v, err %v; want the 300 page itself", len(p.Hops), p.Status, err)
	}

	for _, path := range []string{"/js-scheme", "/bad"} {
		p, err = b.Navigate(ctx, w.url("a.localhost", path), TopLevel)
		if !errors.Is(err, ErrBadRedirect) {
			t.Errorf("%s: err = %v; want ErrBadRedirect", path, err)
			continue
		}
		if !strings.Contains(err.Error(), "hop ") {
			t.Errorf("%s: error %q does not say which hop", path, err)
		}
		if p == nil || p.Status != http.StatusFound {
			t.Errorf("%s: page = %v; want the 302 response alongside the error", path, p)
		}
	}

	p, err = b.Navigate(ctx, w.url("a.localhost", "/dir/relative"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if p.URL.Path != "/dir/next" || p.URL.RawQuery != "x=1" || p.Title != "next" {
		t.Errorf("relative Location: ended at %s %q; want /dir/next?x=1", p.URL, p.Title)
	}

	p, err = b.Navigate(ctx, w.url("a.localhost", "/frag#section"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.URL.Fragment; got != "section" {
		t.Errorf("fragment after redirect = %q; want it inherited: \"section\"", got)
	}
}

func TestMetaRefreshFollowed(t *testing.T) {
	tests := []struct {
		name string
		html string
		want string // path reached; "" for no refresh
	}{
		{"plain", `<meta http-equiv="refresh" content="0; url=/next">`, "/next"},
		{"upper case", `<META HTTP-EQUIV="Refresh" CONTENT="0;URL=/next">`, "/next"},
		{"single quoted", `<meta http-equiv=refresh content="0; url='/next?a=1&b=2'">`, "/next"},
		{"double quoted", `<meta http-equiv=refresh content='0; URL="/next"'>`, "/next"},
		{"relative", `<meta http-equiv=refresh content="0;url=next">`, "/dir/next"},
		{"delay", `<meta http-equiv=refresh content="3, url=/next">`, "/next"},
		{"no url= prefix", `<meta http-equiv=refresh content="0; /next">`, "/next"},
		{"in body", `<body><p>wait<meta http-equiv=refresh content="0;url=/next"></body>`, "/next"},
		{"base href", `<base href="/other/"><meta http-equiv=refresh content="0;url=next">`, "/other/next"},
		{"in noscript", `<noscript><meta http-equiv=refresh content="0;url=/next"></noscript>`, ""},
		{"not refresh", `<meta http-equiv=content-type content="0;url=/next">`, ""},
		{"invalid content", `<meta http-equiv=refresh content="soon; url=/next">`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWeb(t)
			w.handle("a.localhost", map[string]http.HandlerFunc{
				"/dir/page":   page(tt.html),
				"/next":       page("<title>next</title>"),
				"/dir/next":   page("<title>next</title>"),
				"/other/next": page("<title>next</title>"),
			})
			p, err := w.browser(Options{}).Navigate(ctxT(t), w.url("a.localhost", "/dir/page"), TopLevel)
			if err != nil {
				t.Fatalf("Navigate: %v", err)
			}
			if tt.want == "" {
				if len(p.Hops) != 1 || p.URL.Path != "/dir/page" {
					t.Errorf("hops %q; want no refresh followed", hopPaths(p.Hops))
				}
				return
			}
			if got, want := hopPaths(p.Hops), []string{"navigate GET /dir/page", "meta refresh GET " + tt.want}; !slices.Equal(got, want) {
				t.Errorf("hops = %q; want %q", got, want)
			}
			if p.Title != "next" {
				t.Errorf("title = %q; want next", p.Title)
			}
		})
	}
}

func TestRefreshHeaderFollowed(t *testing.T) {
	w := newTestWeb(t)
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/page": func(rw http.ResponseWriter, _ *http.Request) {
			rw.Header().Set("Refresh", "0; url=/next")
			_, _ = rw.Write([]byte("moving"))
		},
		"/next": page("<title>next</title>"),
	})
	p, err := w.browser(Options{}).Navigate(ctxT(t), w.url("a.localhost", "/page"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hopPaths(p.Hops), []string{"navigate GET /page", "refresh header GET /next"}; !slices.Equal(got, want) {
		t.Errorf("hops = %q; want %q", got, want)
	}
}

func TestLoopDetected(t *testing.T) {
	w := newTestWeb(t)
	var n atomic.Int32
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/a":    redirectTo(http.StatusFound, "/b"),
		"/b":    redirectTo(http.StatusFound, "/a"),
		"/self": page(`<meta http-equiv=refresh content="0">`),
		"/spin": func(rw http.ResponseWriter, r *http.Request) {
			http.SetCookie(rw, &http.Cookie{Name: "sid", Value: fmt.Sprint(n.Add(1))})
			http.Redirect(rw, r, "/login", http.StatusFound)
		},
		"/login": redirectTo(http.StatusFound, "/spin"),
	})
	ctx := ctxT(t)

	b := w.browser(Options{})
	p, err := b.Navigate(ctx, w.url("a.localhost", "/a"), TopLevel)
	var ne *NavError
	if !errors.As(err, &ne) || !errors.Is(err, ErrLoop) {
		t.Fatalf("err = %v; want a *NavError with ErrLoop", err)
	}
	if errors.Is(err, ErrTooManyHops) {
		t.Errorf("exact loop reported as too many hops: %v", err)
	}
	wantCycle := []string{w.url("a.localhost", "/a"), w.url("a.localhost", "/b"), w.url("a.localhost", "/a")}
	if !slices.Equal(ne.Cycle, wantCycle) {
		t.Errorf("cycle = %q; want %q", ne.Cycle, wantCycle)
	}
	if len(ne.Hops) != 2 {
		t.Errorf("%d hops; want 2 (the repeat is not sent)", len(ne.Hops))
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "infinite login loop: the browser went ") || !strings.Contains(msg, "/a → ") {
		t.Errorf("message %q; want it to name the loop and its URLs", msg)
	}
	if p == nil || p.Status != http.StatusFound {
		t.Errorf("page = %v; want the last response (302)", p)
	}

	_, err = b.Navigate(ctx, w.url("a.localhost", "/self"), TopLevel)
	if !errors.Is(err, ErrLoop) {
		t.Errorf("self-refreshing page: err = %v; want ErrLoop", err)
	}

	// Cookies that change on every pass hide the repeat until the hop limit.
	b = w.browser(Options{MaxHops: 6})
	_, err = b.Navigate(ctx, w.url("a.localhost", "/spin"), TopLevel)
	if !errors.Is(err, ErrLoop) || !errors.Is(err, ErrTooManyHops) {
		t.Errorf("err = %v; want both ErrLoop and ErrTooManyHops", err)
	}
	if errors.As(err, &ne) && len(ne.Hops) != 6 {
		t.Errorf("%d hops; want MaxHops = 6", len(ne.Hops))
	}
}

func TestCookieCheckRedirectIsNoLoop(t *testing.T) {
	// A common pattern: set a cookie, redirect to the same URL, see it arrive.
	w := newTestWeb(t)
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/install": func(rw http.ResponseWriter, r *http.Request) {
			if _, err := r.Cookie("probe"); err != nil {
				http.SetCookie(rw, &http.Cookie{Name: "probe", Value: "1", Path: "/"})
				http.Redirect(rw, r, "/install", http.StatusFound)
				return
			}
			page("<title>ok</title>")(rw, r)
		},
	})
	p, err := w.browser(Options{}).Navigate(ctxT(t), w.url("a.localhost", "/install"), TopLevel)
	if err != nil {
		t.Fatalf("Navigate: %v", err)
	}
	if p.Title != "ok" || len(p.Hops) != 2 {
		t.Errorf("title %q after %d hops; want ok after 2", p.Title, len(p.Hops))
	}
}

func TestHopCap(t *testing.T) {
	w := newTestWeb(t)
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/n/{i}": func(rw http.ResponseWriter, r *http.Request) {
			var i int
			fmt.Sscan(r.PathValue("i"), &i)
			http.Redirect(rw, r, fmt.Sprintf("/n/%d", i+1), http.StatusFound)
		},
	})
	for _, max := range []int{1, 5} {
		_, err := w.browser(Options{MaxHops: max}).Navigate(ctxT(t), w.url("a.localhost", "/n/0"), TopLevel)
		var ne *NavError
		if !errors.As(err, &ne) || !errors.Is(err, ErrTooManyHops) || errors.Is(err, ErrLoop) {
			t.Fatalf("MaxHops %d: err = %v; want ErrTooManyHops only", max, err)
		}
		if len(ne.Hops) != max {
			t.Errorf("MaxHops %d: %d hops made", max, len(ne.Hops))
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("within %d hops", max)) {
			t.Errorf("message %q does not name the limit", err)
		}
	}
	if got := New(Options{}).opts.MaxHops; got != DefaultMaxHops {
		t.Errorf("default MaxHops = %d; want %d", got, DefaultMaxHops)
	}
}

func TestBodyCap(t *testing.T) {
	w := newTestWeb(t)
	big := strings.Repeat("x", 1000)
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/big":   page(big),
		"/small": page(big[:100]),
	})
	b := w.browser(Options{BodyLimit: 100})
	p, err := b.Navigate(ctxT(t), w.url("a.localhost", "/big"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Body) != 100 || !p.Truncated || !p.Hops[0].Truncated {
		t.Errorf("body %d bytes, truncated %v/%v; want 100, true", len(p.Body), p.Truncated, p.Hops[0].Truncated)
	}
	p, err = b.Navigate(ctxT(t), w.url("a.localhost", "/small"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Body) != 100 || p.Truncated {
		t.Errorf("body of exactly the limit: %d bytes, truncated %v; want 100, false", len(p.Body), p.Truncated)
	}
}

func TestHopDeadline(t *testing.T) {
	w := newTestWeb(t)
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/start": redirectTo(http.StatusFound, "/hang"),
		"/hang":  func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
		"/slow-body": func(rw http.ResponseWriter, r *http.Request) {
			rw.WriteHeader(http.StatusOK)
			_, _ = rw.Write([]byte("<p>partial"))
			rw.(http.Flusher).Flush()
			<-r.Context().Done()
		},
	})
	var streamed []Hop
	b := w.browser(Options{HopTimeout: 500 * time.Millisecond, OnHop: func(h Hop) { streamed = append(streamed, h) }})

	p, err := b.Navigate(ctxT(t), w.url("a.localhost", "/start"), TopLevel)
	var ne *NavError
	if !errors.As(err, &ne) || !errors.Is(err, ErrHopTimeout) {
		t.Fatalf("err = %v; want ErrHopTimeout", err)
	}
	if !strings.Contains(err.Error(), "hop 2: GET ") || !strings.Contains(err.Error(), "/hang") {
		t.Errorf("message %q; want it to name hop 2 and its URL", err)
	}
	if len(ne.Hops) != 2 || ne.Hops[1].Err == nil || ne.Hops[1].Status != 0 {
		t.Errorf("hops %v; want 2, the second with Err and no status", hopPaths(ne.Hops))
	}
	if p == nil || p.Status != http.StatusFound {
		t.Errorf("page = %v; want the last response (the 302)", p)
	}
	if len(streamed) != 2 || streamed[1].Err == nil {
		t.Errorf("OnHop got %d hops; want both, the failed one included", len(streamed))
	}

	p, err = b.Navigate(ctxT(t), w.url("a.localhost", "/slow-body"), TopLevel)
	if !errors.Is(err, ErrHopTimeout) {
		t.Errorf("slow body: err = %v; want ErrHopTimeout", err)
	}
	if p == nil || p.Status != http.StatusOK || string(p.Body) != "<p>partial" {
		t.Errorf("slow body: page %+v; want the 200 with the partial body", p)
	}
}

func TestNavigationContext(t *testing.T) {
	w := newTestWeb(t)
	ctx, cancel := context.WithCancel(ctxT(t))
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/hang": func(_ http.ResponseWriter, r *http.Request) {
			cancel()
			<-r.Context().Done()
		},
	})
	_, err := w.browser(Options{}).Navigate(ctx, w.url("a.localhost", "/hang"), TopLevel)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrHopTimeout) {
		t.Errorf("err = %v; want context.Canceled, not a hop timeout", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	_, err := New(Options{}).Navigate(ctxT(t), addr+"/install", TopLevel)
	var ne *NavError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "is the endpoint running") {
		t.Errorf("err = %v; want a NavError asking whether the endpoint runs", err)
	}
}

func TestBadInput(t *testing.T) {
	b := New(Options{})
	ctx := ctxT(t)
	for _, raw := range []string{"", "ftp://x/y", "/relative", "http://", "::"} {
		if _, err := b.Navigate(ctx, raw, TopLevel); err == nil || !strings.Contains(err.Error(), "not an absolute http or https URL") {
			t.Errorf("Navigate(%q): err = %v; want a clear URL error", raw, err)
		}
	}
	if _, err := b.Navigate(ctx, "http://127.0.0.1:1/", FramedBy("app.hubspot.com")); err == nil || !strings.Contains(err.Error(), "want scheme://host") {
		t.Errorf("FramedBy without a scheme: err = %v; want an origin error", err)
	}
	if _, err := b.Navigate(ctx, "http://127.0.0.1:1/", OpenedBy("nope")); err == nil || !strings.Contains(err.Error(), "opener") {
		t.Errorf("OpenedBy(nope): err = %v; want an opener error", err)
	}
	if b.Cookies(mustURL(t, "http://127.0.0.1/"), FramedBy("bad")) != nil {
		t.Errorf("Cookies with a bad context returned cookies")
	}
}

func TestJSRedirectDetected(t *testing.T) {
	tests := []struct {
		name, html string
		want       string // a substring of the snippet; "" for none
	}{
		{"location.href", `<script>window.location.href = "https://app.hubspot.com/x";</script>`, `window.location.href = "https://app.hubspot.com/x"`},
		{"location =", `<script>var u = r; window.location=u</script>`, "window.location=u"},
		{"replace", `<script>location.replace(returnUrl)</script>`, "location.replace(returnUrl)"},
		{"assign", `<script type="module">document.location.assign(u)</script>`, "location.assign(u)"},
		{"top", `<script>top.location.href='x'</script>`, "top.location.href='x'"},
		{"auto-submit", `<form action=/x></form><script>document.forms[0].submit()</script>`, ".submit()"},
		{"onload", `<body onload="location.href='/next'">`, "location.href='/next'"},
		{"onclick", `<button onclick="location.href='/next'">Go</button>`, ""},
		{"comparison", `<script>if (location.href == x) {}</script>`, ""},
		{"json data", `<script type="application/json">{"js":"location.href = 1"}</script>`, ""},
		{"external", `<script src="/app.js"></script>`, ""},
		{"text only", `<p>set location.href = x to move</p>`, ""},
		{"other name", `<script>mylocation = 1; xlocation.href = 2</script>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWeb(t)
			w.handle("a.localhost", map[string]http.HandlerFunc{"/p": page(tt.html)})
			p, err := w.browser(Options{}).Navigate(ctxT(t), w.url("a.localhost", "/p"), TopLevel)
			if err != nil {
				t.Fatal(err)
			}
			if p.JSRedirect != (tt.want != "") || !strings.Contains(p.JSRedirectSnippet, tt.want) {
				t.Errorf("JSRedirect %v, snippet %q; want %v containing %q", p.JSRedirect, p.JSRedirectSnippet, tt.want != "", tt.want)
			}
		})
	}

	// A meta refresh is followed; the script beside it does not make the final page a JS one.
	w := newTestWeb(t)
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/p":    page(`<meta http-equiv=refresh content="0;url=/next"><script>location.href="/next"</script>`),
		"/next": page("<title>next</title>"),
	})
	p, err := w.browser(Options{}).Navigate(ctxT(t), w.url("a.localhost", "/p"), TopLevel)
	if err != nil || p.JSRedirect || p.Title != "next" {
		t.Errorf("meta refresh beside script: title %q, JSRedirect %v, err %v; want next, false", p.Title, p.JSRedirect, err)
	}
}
