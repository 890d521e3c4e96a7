package browser

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHostileHeadersOverHTTP2 sends 1 MB of headers over HTTP/2, where the limit is the
// SETTINGS_MAX_HEADER_LIST_SIZE the transport advertises from MaxResponseHeaderBytes.
func TestHostileHeadersOverHTTP2(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		for _, k := range []string{"A", "B", "C", "D"} {
			rw.Header().Set("X-Big-"+k, strings.Repeat("b", 250_000))
		}
		rw.WriteHeader(http.StatusOK)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxResponseHeaderBytes = MaxResponseHeaderBytes
	tr.ForceAttemptHTTP2 = true
	t.Cleanup(tr.CloseIdleConnections)

	p, err := New(Options{Transport: tr}).Navigate(ctxT(t), srv.URL+"/install", TopLevel)
	if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "ERR_HTTP2_PROTOCOL_ERROR; one cause is response headers over the 262 KB") {
		t.Fatalf("err = %v (page %v); want ErrProtocol naming the header limit", err, p)
	}
	var ne *NavError
	if errors.As(err, &ne) && ne.Hops[0].Status != 0 {
		t.Errorf("hop status %d; want no response", ne.Hops[0].Status)
	}
}
