package scenarios

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hsemu/hsemu/emulator"
)

// Harness is a running emulator: HubSpot's web and API side on one loopback listener.
type Harness struct {
	Emulator *emulator.Emulator
	// Addr is host:port of the listener; the browser resolves HubSpot's hosts there and the
	// endpoint under test sends its token requests there.
	Addr string
	srv  *http.Server
	done chan error

	mu       sync.Mutex
	fresh    map[net.Conn]bool // connections that have not sent a request yet
	stopping bool
}

// URL is the emulator's base URL, the API base an app under test is configured with.
func (h *Harness) URL() string { return "http://" + h.Addr }

// StartHarness starts an emulator with cfg on addr ("127.0.0.1:0" for any free port).
func StartHarness(cfg emulator.Config, addr string) (*Harness, error) {
	em, err := emulator.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("start the emulator: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		_ = em.Close() // it never served; the listen error is the one to report
		return nil, fmt.Errorf("start the emulator on %s: %w (is another hsemu running? choose another with --addr)", addr, err)
	}
	h := &Harness{
		Emulator: em,
		Addr:     ln.Addr().String(),
		srv: &http.Server{
			Handler:           em,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       60 * time.Second,
		},
		done:  make(chan error, 1),
		fresh: map[net.Conn]bool{},
	}
	h.srv.ConnState = h.track
	go func() { h.done <- h.srv.Serve(ln) }()
	return h, nil
}

// track remembers connections that have not sent a request yet. http.Server.Shutdown waits up
// to 5 s for such connections, and HTTP clients leave them behind routinely (a connection
// dialled for a request that another, idle one then served).
func (h *Harness) track(c net.Conn, s http.ConnState) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch s {
	case http.StateNew:
		if h.stopping {
			_ = c.Close() // it sent no request: nothing is lost, and no one to tell
			return
		}
		h.fresh[c] = true
	default:
		delete(h.fresh, c)
	}
}

// Close stops the listener and the emulator. Requests under way get 5 s to finish.
func (h *Harness) Close() error {
	h.mu.Lock()
	h.stopping = true
	for c := range h.fresh {
		_ = c.Close() // it sent no request: nothing is lost, and no one to tell
	}
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := h.srv.Shutdown(ctx)
	if serr := <-h.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if cerr := h.Emulator.Close(); err == nil {
		err = cerr
	}
	return err
}
