package browser

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// rawServer is a TCP server on 127.0.0.1 whose handler speaks whatever it likes.
type rawServer struct {
	ln    net.Listener
	done  chan struct{} // closed when the server stops
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
}

// newRawServer serves each connection with handle, which should return once done is closed.
func newRawServer(t testing.TB, handle func(c net.Conn, done <-chan struct{})) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln, done: make(chan struct{}), conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns[c] = true
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				handle(c, s.done)
			}()
		}
	}()
	t.Cleanup(s.close)
	return s
}

// url is http://127.0.0.1:port + path.
func (s *rawServer) url(path string) string { return "http://" + s.ln.Addr().String() + path }

// close stops the server and waits for its handlers.
func (s *rawServer) close() {
	select {
	case <-s.done:
		return
	default:
	}
	close(s.done)
	_ = s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// readRequest reads one request's head from c, or reports false.
func readRequest(c net.Conn) (*http.Request, bool) {
	r, err := http.ReadRequest(bufio.NewReader(c))
	return r, err == nil
}

// writeForever writes chunk to c until the peer goes away or done closes.
func writeForever(c net.Conn, done <-chan struct{}, chunk []byte) {
	for {
		select {
		case <-done:
			return
		default:
		}
		if _, err := c.Write(chunk); err != nil {
			return
		}
	}
}

// dripForever writes chunk to c on every tick until the peer goes away or done closes.
func dripForever(c net.Conn, done <-chan struct{}, every time.Duration, chunk []byte) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	}
}

// hostileCase is one hostile endpoint and what the browser must make of it.
type hostileCase struct {
	name string
	// start starts the endpoint and returns the URL to navigate to and a function stopping it.
	start func(t testing.TB) (url string, stop func())
	opts  Options
	// wantErr is the sentinel the error must match (nil: the navigation may succeed);
	// wantMsg a phrase the error must contain.
	wantErr error
	wantMsg string
	check   func(t *testing.T, p *Page, ne *NavError, b *Browser)
}

// raw adapts a raw handler to hostileCase.start.
func raw(handle func(c net.Conn, done <-chan struct{})) func(t testing.TB) (string, func()) {
	return func(t testing.TB) (string, func()) {
		s := newRawServer(t, handle)
		return s.url("/install"), s.close
	}
}

// served adapts an http.Handler to hostileCase.start; the handler must return once the
// request's context ends.
func served(h http.Handler) func(t testing.TB) (string, func()) {
	return func(t testing.TB) (string, func()) {
		srv := httptest.NewServer(h)
		srv.Config.ErrorLog = nil
		return srv.URL + "/install", srv.Close
	}
}

// answerRaw reads a request and writes resp, then closes.
func answerRaw(resp string) func(c net.Conn, done <-chan struct{}) {
	return func(c net.Conn, _ <-chan struct{}) {
		if _, ok := readRequest(c); ok {
			_, _ = c.Write([]byte(resp))
		}
	}
}
