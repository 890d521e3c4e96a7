package browser

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Hostile endpoints: each test points the browser at a server that misbehaves on purpose and
// checks that the navigation ends within its hop budget or hop timeout, with an error that
// names what happened, that what it kept is bounded, and that no goroutine is left behind.

// maxKeptPerNavigation bounds what one hostile navigation may leave on the heap: its hop
// records and the last page.
const maxKeptPerNavigation = 8 << 20

func hostileCases() []hostileCase {
	short := Options{HopTimeout: 300 * time.Millisecond}
	counter := func(next func(i int) string) http.HandlerFunc {
		var mu sync.Mutex
		n := 0
		return func(rw http.ResponseWriter, r *http.Request) {
			mu.Lock()
			n++
			i := n
			mu.Unlock()
			http.Redirect(rw, r, next(i), http.StatusFound)
		}
	}
	return []hostileCase{
		{
			name: "redirect loop",
			start: served(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/install" {
					http.Redirect(rw, r, "/other", http.StatusFound)
					return
				}
				http.Redirect(rw, r, "/install", http.StatusFound)
			})),
			wantErr: ErrLoop, wantMsg: "infinite login loop",
		},
		{
			name: "loop through 20 KB URLs, the cookies changing on every pass",
			start: served(func() http.HandlerFunc {
				var mu sync.Mutex
				n := 0
				return func(rw http.ResponseWriter, r *http.Request) {
					mu.Lock()
					n++
					http.SetCookie(rw, &http.Cookie{Name: "n", Value: fmt.Sprint(n), Path: "/"})
					mu.Unlock()
					if r.URL.Path == "/install" {
						http.Redirect(rw, r, "/big?x="+strings.Repeat("u", 20_000), http.StatusFound)
						return
					}
					http.Redirect(rw, r, "/install", http.StatusFound)
				}
			}()),
			wantErr: ErrLoop, wantMsg: "the cookies changed on every pass",
		},
		{
			name:    "endless distinct redirects",
			start:   served(counter(func(i int) string { return fmt.Sprintf("/r/%d", i) })),
			wantErr: ErrTooManyHops, wantMsg: "did not end within 20 hops",
			check: func(t *testing.T, _ *Page, ne *NavError, _ *Browser) {
				if len(ne.Hops) != DefaultMaxHops {
					t.Errorf("%d hops; want %d", len(ne.Hops), DefaultMaxHops)
				}
			},
		},
		{
			name: "endless meta refreshes",
			start: served(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				rw.Header().Set("Content-Type", "text/html")
				fmt.Fprintf(rw, `<meta http-equiv="refresh" content="0; url=/m%s">`, strings.TrimPrefix(r.URL.Path, "/"))
			})),
			wantErr: ErrTooManyHops, wantMsg: "each redirect or refresh is a hop",
		},
		{
			name: "slow-drip body",
			start: served(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				rw.Header().Set("Content-Type", "text/html")
				tick := time.NewTicker(5 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-r.Context().Done():
						return
					case <-tick.C:
						_, _ = rw.Write([]byte("x"))
						rw.(http.Flusher).Flush()
					}
				}
			})),
			opts: short, wantErr: ErrHopTimeout, wantMsg: "no complete response within 300ms",
			check: func(t *testing.T, p *Page, _ *NavError, _ *Browser) {
				if p == nil || p.Status != http.StatusOK || len(p.Body) == 0 {
					t.Errorf("page %v; want the 200 with the body dripped so far", p)
				}
			},
		},
		{
			name: "slowloris headers",
			start: raw(func(c net.Conn, done <-chan struct{}) {
				if _, ok := readRequest(c); !ok {
					return
				}
				_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\n"))
				dripForever(c, done, 5*time.Millisecond, []byte("X-Slow: a\r\n"))
			}),
			opts: short, wantErr: ErrHopTimeout, wantMsg: "no complete response within 300ms",
		},
		{
			name: "connection reset",
			start: raw(func(c net.Conn, _ <-chan struct{}) {
				if _, ok := readRequest(c); ok {
					_ = c.(*net.TCPConn).SetLinger(0) // close with RST
				}
			}),
			wantMsg: "the endpoint reset the connection",
		},
		{
			name:    "EOF mid-headers",
			start:   raw(answerRaw("HTTP/1.1 200 OK\r\nContent-Type: text/ht")),
			wantMsg: "closed the connection before a complete response (EOF)",
		},
		{
			name:    "garbage answer",
			start:   raw(answerRaw("\x00\x01\x02 not http at all\r\n\r\n")),
			wantErr: ErrProtocol, wantMsg: "did not answer HTTP/1.x",
		},
		{
			name:    "HTTP/0.9 answer",
			start:   raw(answerRaw("<html><body>hello from 1991</body></html>")),
			wantErr: ErrProtocol, wantMsg: "did not answer HTTP/1.x",
		},
		{
			name: "TLS on an http URL",
			// A TLS server that got a plain request answers with an alert record.
			start:   raw(answerRaw("\x15\x03\x03\x00\x02\x02\x46")),
			wantErr: ErrProtocol, wantMsg: "the endpoint answered TLS on an http URL",
		},
		{
			name: "plain HTTP on an https URL",
			start: func(t testing.TB) (string, func()) {
				s := newRawServer(t, func(c net.Conn, _ <-chan struct{}) {
					_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
				})
				return "https://" + s.ln.Addr().String() + "/install", s.close
			},
			wantErr: ErrProtocol, wantMsg: "the endpoint answered plain HTTP on an https URL",
		},
		{
			name: "9 MB of headers on every redirect",
			start: raw(func(c net.Conn, done <-chan struct{}) {
				if _, ok := readRequest(c); !ok {
					return
				}
				_, _ = c.Write([]byte("HTTP/1.1 302 Found\r\nLocation: /install2\r\n"))
				line := []byte("X-Big: " + strings.Repeat("b", 1<<20-9) + "\r\n")
				for range 9 {
					if _, err := c.Write(line); err != nil {
						return
					}
				}
				_, _ = c.Write([]byte("\r\n"))
			}),
			wantErr: ErrHeadersTooBig, wantMsg: "fails the page with ERR_RESPONSE_HEADERS_TOO_BIG",
		},
		{
			name: "9 MB of headers through a transport without Chrome's limit",
			start: served(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				for i := range 9 {
					rw.Header().Set(fmt.Sprintf("X-Big-%d", i), strings.Repeat("b", 1<<20-16))
				}
				http.Redirect(rw, r, "/again", http.StatusFound)
			})),
			opts:    Options{Transport: &http.Transport{}},
			wantErr: ErrHeadersTooBig, wantMsg: "over Chrome's limit of 262 KB",
		},
		{
			name: "thousands of 4 KB cookies",
			start: raw(func(c net.Conn, done <-chan struct{}) {
				if _, ok := readRequest(c); !ok {
					return
				}
				_, _ = c.Write([]byte("HTTP/1.1 302 Found\r\nLocation: /next\r\n"))
				for i := range 3000 {
					if _, err := fmt.Fprintf(c, "Set-Cookie: c%d=%s; Path=/\r\n", i, strings.Repeat("v", 4000)); err != nil {
						return
					}
				}
				_, _ = c.Write([]byte("\r\n"))
			}),
			wantErr: ErrHeadersTooBig, wantMsg: "ERR_RESPONSE_HEADERS_TOO_BIG",
			check: func(t *testing.T, _ *Page, _ *NavError, b *Browser) {
				if n := len(b.Cookies(mustURL(t, "http://127.0.0.1/"), TopLevel)); n != 0 {
					t.Errorf("%d cookies stored from a refused response; want none", n)
				}
			},
		},
		{
			name: "4 KB cookies under the header limit on every redirect",
			start: served(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				for j := range 50 {
					rw.Header().Add("Set-Cookie", fmt.Sprintf("c%s_%d=%s; Path=/", strings.ReplaceAll(r.URL.Path, "/", "_"), j, strings.Repeat("v", 4000)))
				}
				http.Redirect(rw, r, r.URL.Path+"x", http.StatusFound)
			})),
			wantErr: ErrTooManyHops,
			check: func(t *testing.T, _ *Page, ne *NavError, b *Browser) {
				if n := len(b.Cookies(mustURL(t, "http://127.0.0.1/"), TopLevel)); n > maxCookiesPerHost {
					t.Errorf("the jar holds %d cookies for one host; want at most %d", n, maxCookiesPerHost)
				}
				if !ne.Hops[len(ne.Hops)-1].Cut.Any() {
					t.Errorf("the last hops kept everything; want them cut once the navigation's budget is spent")
				}
			},
		},
		{
			name: "8000 tiny cookies",
			start: served(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
				for i := range 8000 {
					rw.Header().Add("Set-Cookie", fmt.Sprintf("t%d=1", i))
				}
				rw.Header().Set("Content-Type", "text/html")
				_, _ = rw.Write([]byte("<title>crumbs</title>"))
			})),
			check: func(t *testing.T, p *Page, _ *NavError, b *Browser) {
				h := p.Hops[0]
				if len(h.SetCookies)+len(h.RejectedCookies) > KeptCookies || h.Cut.Cookies != 8000-KeptCookies {
					t.Errorf("kept %d+%d cookies, cut %d; want %d kept and the rest cut", len(h.SetCookies), len(h.RejectedCookies), h.Cut.Cookies, KeptCookies)
				}
				if n := len(b.Cookies(mustURL(t, "http://127.0.0.1/"), TopLevel)); n != maxCookiesPerHost {
					t.Errorf("the jar holds %d cookies; want Chrome's %d per host", n, maxCookiesPerHost)
				}
			},
		},
		{
			name: "endless gzip bomb",
			start: served(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				rw.Header().Set("Content-Type", "text/html")
				rw.Header().Set("Content-Encoding", "gzip")
				zw, _ := gzip.NewWriterLevel(rw, gzip.BestCompression)
				zeros := make([]byte, 1<<20)
				for r.Context().Err() == nil {
					if _, err := zw.Write(zeros); err != nil {
						return
					}
				}
			})),
			check: func(t *testing.T, p *Page, _ *NavError, _ *Browser) {
				h := p.Hops[0]
				if len(p.Body) != DefaultBodyLimit || !p.Truncated {
					t.Errorf("page body %d bytes, truncated %v; want the %d-byte limit after decompression", len(p.Body), p.Truncated, DefaultBodyLimit)
				}
				if len(h.Body) != KeptBodyBytes || !h.Truncated || h.Cut.Body != DefaultBodyLimit-KeptBodyBytes {
					t.Errorf("hop body %d bytes, cut %d; want %d kept", len(h.Body), h.Cut.Body, KeptBodyBytes)
				}
			},
		},
		{
			name: "900 KB Location",
			start: served(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				http.Redirect(rw, r, "/next?x="+strings.Repeat("l", 900_000), http.StatusFound)
			})),
			wantErr: ErrHeadersTooBig, wantMsg: "ERR_RESPONSE_HEADERS_TOO_BIG",
		},
		{
			name: "200 KB Locations, each new",
			start: served(counter(func(i int) string {
				return fmt.Sprintf("/l/%d?x=%s", i, strings.Repeat("l", 200_000))
			})),
			wantErr: ErrTooManyHops,
			check: func(t *testing.T, _ *Page, ne *NavError, _ *Browser) {
				h := ne.Hops[1]
				if h.Cut.URL == 0 || len(h.URL.String()) > 2*KeptURLBytes {
					t.Errorf("hop 2 URL kept %d bytes, cut %d; want it cut", len(h.URL.String()), h.Cut.URL)
				}
				if loc := h.ResponseHeader.Get("Location"); len(loc) > KeptHeaderValueBytes+64 || !strings.Contains(loc, "… [cut: ") {
					t.Errorf("hop 2 Location kept %d bytes; want it cut and marked", len(loc))
				}
				if len(ne.Error()) > 4<<10 {
					t.Errorf("the error is %d bytes long", len(ne.Error()))
				}
			},
		},
		{
			name: "endless 1xx",
			start: raw(func(c net.Conn, done <-chan struct{}) {
				readRequest(c)
				writeForever(c, done, []byte("HTTP/1.1 102 Processing\r\n\r\n"))
			}),
			wantErr: ErrHeadersTooBig, wantMsg: "with any 1xx responses before them",
		},
		{
			name: "redirect to an unreachable host",
			start: func(t testing.TB) (string, func()) {
				dead := httptest.NewServer(http.NotFoundHandler())
				deadURL := dead.URL
				dead.Close()
				srv := httptest.NewServer(http.RedirectHandler(deadURL+"/gone", http.StatusFound))
				return srv.URL + "/install", srv.Close
			},
			wantMsg: "hop 2: GET http://127.0.0.1:",
			check: func(t *testing.T, _ *Page, ne *NavError, _ *Browser) {
				if !strings.Contains(ne.Error(), "connection refused") {
					t.Errorf("error %q; want connection refused", ne)
				}
			},
		},
		badRedirect("file:///etc/passwd", "a file: URL that browsers do not follow"),
		badRedirect("javascript:alert(1)", "a javascript: URL that browsers do not follow"),
		badRedirect("data:text/html,<p>hi</p>", "a data: URL that browsers do not follow"),
	}
}

// badRedirect is an endpoint that redirects to loc, which is not http or https.
func badRedirect(loc, msg string) hostileCase {
	return hostileCase{
		name: "redirect to " + strings.SplitN(loc, ":", 2)[0] + ":",
		start: served(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
			rw.Header().Set("Location", loc)
			rw.WriteHeader(http.StatusFound)
		})),
		wantErr: ErrBadRedirect, wantMsg: msg,
	}
}

func TestHostileEndpoints(t *testing.T) {
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) { runHostile(t, tc) })
	}
}

// runHostile navigates to tc's endpoint and checks the bounds every hostile endpoint must keep.
func runHostile(t *testing.T, tc hostileCase) {
	t.Helper()
	goroutines := runtime.NumGoroutine()
	heapBefore := heapInUse()

	u, stop := tc.start(t)
	b := New(tc.opts)
	hopTimeout := b.opts.HopTimeout
	budget := time.Duration(b.opts.MaxHops)*hopTimeout + 5*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	started := time.Now()
	p, err := b.Navigate(ctx, u, TopLevel)
	took := time.Since(started)

	var ne *NavError
	switch {
	case tc.wantErr == nil && tc.wantMsg == "":
		if err != nil {
			t.Fatalf("err = %v; want a page", err)
		}
	case !errors.As(err, &ne):
		t.Fatalf("err = %v; want a *NavError", err)
	case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
		t.Errorf("err = %v; want %v", err, tc.wantErr)
	}
	if err != nil && !strings.Contains(err.Error(), tc.wantMsg) {
		t.Errorf("err = %q; want it to say %q", Clip(err.Error(), 500), tc.wantMsg)
	}
	if ctx.Err() != nil {
		t.Errorf("the navigation ran into the test's deadline (%s): the hop budget did not end it", budget)
	}
	if err != nil && len(err.Error()) > 4<<10 {
		t.Errorf("the error is %s long", Size(int64(len(err.Error()))))
	}
	if tc.check != nil {
		tc.check(t, p, ne, b)
	}
	hops := b.Hops()
	if n := recordSize(hops); n > maxKeptPerNavigation {
		t.Errorf("the hop records keep %s; want at most %s", Size(n), Size(maxKeptPerNavigation))
	}
	t.Logf("%d hops in %s; records %s; %v", len(hops), took.Round(time.Millisecond), Size(recordSize(hops)), Clip(fmt.Sprint(err), 300))

	stop()
	sharedTransport.CloseIdleConnections()
	if tr, ok := tc.opts.Transport.(*http.Transport); ok {
		tr.CloseIdleConnections()
	}
	if n := settleGoroutines(goroutines); n > goroutines {
		t.Errorf("%d goroutines after the navigation; %d before", n, goroutines)
	}
	// What the browser, its page and its error hold once the endpoint and the connections to
	// it are gone (a transport's read loop holds the last response until it ends).
	if grew := heapInUse() - heapBefore; grew > maxKeptPerNavigation {
		t.Errorf("the heap grew by %s after the navigation; want at most %s", Size(grew), Size(maxKeptPerNavigation))
	}
	runtime.KeepAlive(b)
	runtime.KeepAlive(p)
	runtime.KeepAlive(err)
}

// heapInUse is the live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// settleGoroutines waits, up to a deadline, for the goroutine count to come back to want, and
// returns the last count.
func settleGoroutines(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond) // polling the count on a deadline: nothing to wait on
	}
}

// recordSize is about how many bytes hops keep: URLs, headers, bodies and cookies.
func recordSize(hops []Hop) int64 {
	var n int64
	for _, h := range hops {
		if h.URL != nil {
			n += int64(len(h.URL.String()))
		}
		n += headerBytes(h.RequestHeader) + headerBytes(h.ResponseHeader)
		n += int64(len(h.Body) + len(h.RequestBody))
		for _, c := range h.SetCookies {
			n += int64(len(c.Raw) + len(c.Name) + len(c.Value))
		}
		for _, c := range h.RejectedCookies {
			n += int64(len(c.Raw) + len(c.Name) + len(c.Reason))
		}
		if h.Err != nil {
			n += int64(len(h.Err.Error()))
		}
	}
	return n
}
