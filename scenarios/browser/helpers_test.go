package browser

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// testWeb is a small web of named hosts served by one httptest server on 127.0.0.1: its
// transport dials that server whatever the host, so tests can use distinct sites such as
// a.localhost and b.localhost (loopback, so secure contexts) or example.test (not one).
type testWeb struct {
	t         *testing.T
	srv       *httptest.Server
	port      string
	transport *http.Transport

	mu       sync.Mutex
	handlers map[string]http.Handler // host without port → handler
	requests []*http.Request         // every request received, in order (bodies read into seenBody)
	bodies   []string
}

func newTestWeb(t *testing.T) *testWeb {
	t.Helper()
	w := &testWeb{t: t, handlers: map[string]http.Handler{}}
	w.srv = httptest.NewServer(http.HandlerFunc(w.serve))
	t.Cleanup(w.srv.Close)
	_, w.port, _ = net.SplitHostPort(w.srv.Listener.Addr().String())
	addr := w.srv.Listener.Addr().String()
	w.transport = &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	t.Cleanup(w.transport.CloseIdleConnections)
	return w
}

func (w *testWeb) serve(rw http.ResponseWriter, r *http.Request) {
	body := new(strings.Builder)
	if r.Body != nil {
		buf := make([]byte, 4096)
		for {
			n, err := r.Body.Read(buf)
			body.Write(buf[:n])
			if err != nil {
				break
			}
		}
	}
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	w.mu.Lock()
	w.requests = append(w.requests, r)
	w.bodies = append(w.bodies, body.String())
	h := w.handlers[host]
	w.mu.Unlock()
	if h == nil {
		http.Error(rw, "no such host in the test web: "+host, http.StatusBadGateway)
		return
	}
	h.ServeHTTP(rw, r)
}

// handle serves host (no port) with mux patterns to handlers.
func (w *testWeb) handle(host string, routes map[string]http.HandlerFunc) {
	mux := http.NewServeMux()
	for pattern, h := range routes {
		mux.HandleFunc(pattern, h)
	}
	w.mu.Lock()
	w.handlers[host] = mux
	w.mu.Unlock()
}

// url is http://host:port + path.
func (w *testWeb) url(host, path string) string {
	return "http://" + net.JoinHostPort(host, w.port) + path
}

// origin is http://host:port.
func (w *testWeb) origin(host string) string { return w.url(host, "") }

// received returns the requests the web got for path (any host), in order.
func (w *testWeb) received(path string) (reqs []*http.Request, bodies []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, r := range w.requests {
		if r.URL.Path == path {
			reqs = append(reqs, r)
			bodies = append(bodies, w.bodies[i])
		}
	}
	return reqs, bodies
}

// browser returns a Browser on the test web with opts.
func (w *testWeb) browser(opts Options) *Browser {
	opts.Transport = w.transport
	return New(opts)
}

// redirectTo answers with status and a Location.
func redirectTo(status int, loc string) http.HandlerFunc {
	return func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Location", loc)
		rw.WriteHeader(status)
	}
}

// page answers 200 with an HTML body.
func page(body string) http.HandlerFunc {
	return func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = rw.Write([]byte(body))
	}
}

// setCookies answers 200 with Set-Cookie headers.
func setCookies(lines ...string) http.HandlerFunc {
	return func(rw http.ResponseWriter, _ *http.Request) {
		for _, l := range lines {
			rw.Header().Add("Set-Cookie", l)
		}
		rw.Header().Set("Content-Type", "text/html")
		_, _ = rw.Write([]byte("<title>set</title>"))
	}
}

// mustURL parses s or fails the test.
func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", s, err)
	}
	return u
}

// ctxT is a context for one test, ended with it.
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// cookieNames lists the names of cs.
func cookieNames(cs []*http.Cookie) []string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return names
}

// hopPaths lists "How URL-path" for each hop.
func hopPaths(hops []Hop) []string {
	var out []string
	for _, h := range hops {
		out = append(out, string(h.How)+" "+h.Method+" "+h.URL.Path)
	}
	return out
}
