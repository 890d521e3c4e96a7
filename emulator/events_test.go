package emulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestEventsOfTokenRequest(t *testing.T) {
	e, _ := newTest(t)
	events, cancel := e.Subscribe()
	defer cancel()
	code := issue(t, e)
	hub := defaultHub(t, e)
	w := postForm(e, "/oauth/v3/token", codeForm(code))
	if w.Code != 200 {
		t.Fatal(w.Body)
	}
	at := decode(t, w)["access_token"].(string)
	f := codeForm(code)
	postForm(e, "/oauth/v3/token", f) // replay

	ok := <-events
	if ok.Seq != 1 || ok.Route != "POST /oauth/v3/token" || ok.Side != "api" || ok.Status != 200 || ok.Outcome != "" ||
		ok.ClientID != testClientID || ok.HubID != hub || ok.GrantType != "authorization_code" || ok.Code != code ||
		ok.RedirectURI != testRedirect || !strings.HasPrefix(ok.ContentType, "application/x-www-form-urlencoded") {
		t.Errorf("first event %+v", ok)
	}
	if ok.TokenHint != redact(at) || strings.Contains(ok.TokenHint, at) {
		t.Errorf("TokenHint %q; want the redacted access token", ok.TokenHint)
	}
	bad := <-events
	if bad.Seq != 2 || bad.Status != 400 || bad.Outcome != "BAD_AUTH_CODE" || !strings.Contains(bad.Message, "already redeemed") {
		t.Errorf("replay event %+v", bad)
	}
}

func TestEventsRedactSecrets(t *testing.T) {
	e, _ := newTest(t)
	events, cancel := e.Subscribe()
	defer cancel()
	tok := exchange(t, e)
	<-events
	rt := tok["refresh_token"].(string)
	do(e, httptest.NewRequest(http.MethodGet, "/oauth/v1/refresh-tokens/"+rt, nil))
	ev := <-events
	if strings.Contains(ev.Path, rt) || ev.Route != "GET /oauth/v1/refresh-tokens/{token}" {
		t.Errorf("path %q route %q; want the token redacted", ev.Path, ev.Route)
	}
	postForm(e, "/oauth/v1/token?client_secret="+testSecret, refreshForm(rt))
	ev = <-events
	if got := ev.Query.Get("client_secret"); got == testSecret || got == "" {
		t.Errorf("query client_secret %q; want redacted", got)
	}
}

// TestSubscribeNeverBlocks publishes many events with a subscriber that reads nothing, then
// reads them all in order.
func TestSubscribeNeverBlocks(t *testing.T) {
	e, _ := newTest(t)
	slow, cancelSlow := e.Subscribe()
	const n = 500
	for i := 0; i < n; i++ {
		do(e, httptest.NewRequest(http.MethodGet, "/_hsemu/health", nil))
	}
	for i := 1; i <= n; i++ {
		ev := <-slow
		if ev.Seq != uint64(i) || ev.Side != "admin" {
			t.Fatalf("event %d: Seq %d side %q", i, ev.Seq, ev.Side)
		}
	}
	cancelSlow()
	cancelSlow() // idempotent
	if _, open := <-slow; open {
		t.Error("channel open after cancel")
	}
}

func TestCloseEndsSubscriptions(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	ch, cancel := e.Subscribe()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for range ch {
	}
	cancel()
	ch2, cancel2 := e.Subscribe()
	if _, open := <-ch2; open {
		t.Error("subscription after Close is open")
	}
	cancel2()
}

func TestEventsConcurrentOrder(t *testing.T) {
	e, _ := newTest(t)
	ch, cancel := e.Subscribe()
	defer cancel()
	done := make(chan struct{})
	const workers, each = 4, 50
	for w := 0; w < workers; w++ {
		go func() {
			for i := 0; i < each; i++ {
				do(e, httptest.NewRequest(http.MethodGet, "/_hsemu/health", nil))
			}
			done <- struct{}{}
		}()
	}
	for w := 0; w < workers; w++ {
		<-done
	}
	var last uint64
	for i := 0; i < workers*each; i++ {
		ev := <-ch
		if ev.Seq != last+1 {
			t.Fatalf("Seq %d after %d", ev.Seq, last)
		}
		last = ev.Seq
	}
}
