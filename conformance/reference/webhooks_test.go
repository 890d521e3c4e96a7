package reference

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/emulator"
)

// webhookFixture is the reference (or a variant) receiving webhooks at a fixed public URL, with
// the tests' clock.
type webhookFixture struct {
	*testClock
	srv     *Server
	url     string
	stalled []time.Duration
}

func newWebhookFixture(t *testing.T, bug string) *webhookFixture {
	t.Helper()
	fx := &webhookFixture{testClock: newTestClock(), url: testPublicURL + WebhooksPath}
	srv, err := New(Config{
		APIBase: "http://127.0.0.1:7430", ClientID: DemoClientID, ClientSecret: DemoClientSecret,
		PublicURL: testPublicURL, Bug: bug, Clock: fx.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.sleep = func(_ *http.Request, d time.Duration) { fx.stalled = append(fx.stalled, d) }
	fx.srv = srv
	return fx
}

// deliver sends body with hdr to the receiver and returns the status.
func (fx *webhookFixture) deliver(t *testing.T, body []byte, hdr http.Header) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, fx.url, bytes.NewReader(body))
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	http.HandlerFunc(fx.srv.handleWebhook).ServeHTTP(w, req)
	if w.Code != http.StatusNoContent {
		var e map[string]string
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e["error"] == "" {
			t.Errorf("status %d with body %q; want a JSON error that says why", w.Code, w.Body)
		}
	}
	return w.Code
}

// webhookDeliveries are the deliveries of the webhook scenarios, built with the emulator's
// signer for the fixture's URL and clock.
func webhookDeliveries(t *testing.T, fx *webhookFixture) map[string]func() ([]byte, http.Header) {
	t.Helper()
	events := emulator.SampleWebhookEvents(1, testHubID, fx.Now())
	body, err := emulator.WebhookBatch(events)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(secret string, b []byte, ts time.Time) http.Header {
		return emulator.SignWebhook(secret, http.MethodPost, fx.url, b, ts)
	}
	return map[string]func() ([]byte, http.Header){
		"signed":       func() ([]byte, http.Header) { return body, sign(DemoClientSecret, body, fx.Now()) },
		"wrong secret": func() ([]byte, http.Header) { return body, sign("other", body, fx.Now()) },
		"re-stamped": func() ([]byte, http.Header) {
			h := sign(DemoClientSecret, body, fx.Now().Add(-time.Minute))
			h.Set("X-HubSpot-Request-Timestamp", strconv.FormatInt(fx.Now().UnixMilli(), 10))
			return body, h
		},
		"values changed": func() ([]byte, http.Header) {
			changed := bytes.Replace(body, []byte(`"Ada"`), []byte(`"Eve"`), 1)
			return changed, sign(DemoClientSecret, body, fx.Now())
		},
		"re-formatted": func() ([]byte, http.Header) {
			var b bytes.Buffer
			if err := json.Indent(&b, body, "", "  "); err != nil {
				t.Fatal(err)
			}
			return b.Bytes(), sign(DemoClientSecret, body, fx.Now())
		},
		"6 min old": func() ([]byte, http.Header) {
			return body, sign(DemoClientSecret, body, fx.Now().Add(-6*time.Minute))
		},
		"4 min old": func() ([]byte, http.Header) {
			return body, sign(DemoClientSecret, body, fx.Now().Add(-4*time.Minute))
		},
		"unsigned": func() ([]byte, http.Header) { return body, http.Header{} },
		"signed, not JSON": func() ([]byte, http.Header) {
			return []byte("hello"), sign(DemoClientSecret, []byte("hello"), fx.Now())
		},
	}
}

func TestWebhookReceiver(t *testing.T) {
	// want[bug][delivery] is the status the receiver answers; deliveries not listed answer as
	// the reference does.
	reference := map[string]int{
		"signed": 204, "4 min old": 204, "wrong secret": 401, "re-stamped": 401, "values changed": 401,
		"re-formatted": 401, "6 min old": 401, "unsigned": 401, "signed, not JSON": 400,
	}
	tests := []struct {
		bug  string
		diff map[string]int
	}{
		{"", nil},
		{"webhooks-no-verification", map[string]int{
			"wrong secret": 204, "re-stamped": 204, "values changed": 204,
			"re-formatted": 204, "6 min old": 204, "unsigned": 204,
		}},
		{"webhooks-no-timestamp-check", map[string]int{"6 min old": 204}},
		{"webhooks-v1-only", map[string]int{"re-stamped": 204}},
		{"webhooks-hashes-parsed-body", map[string]int{"re-formatted": 204}},
		{"webhooks-path-only-uri", map[string]int{"signed": 401, "4 min old": 401, "signed, not JSON": 401}},
		{"webhooks-slow", nil},
	}
	if len(tests) != len(WebhookBugs())+1 {
		t.Errorf("%d cases for %d webhook bugs", len(tests)-1, len(WebhookBugs()))
	}
	for _, tt := range tests {
		name := tt.bug
		if name == "" {
			name = "reference"
		}
		t.Run(name, func(t *testing.T) {
			fx := newWebhookFixture(t, tt.bug)
			for delivery, build := range webhookDeliveries(t, fx) {
				want, ok := tt.diff[delivery]
				if !ok {
					want = reference[delivery]
				}
				body, hdr := build()
				if got := fx.deliver(t, body, hdr); got != want {
					t.Errorf("%s: status %d; want %d", delivery, got, want)
				}
			}
			if tt.bug == "webhooks-slow" && len(fx.stalled) != 2 {
				t.Errorf("stalled %d times; want 2 (once per verified batch)", len(fx.stalled))
			}
			if tt.bug != "webhooks-slow" && len(fx.stalled) != 0 {
				t.Errorf("stalled %v; only webhooks-slow stalls", fx.stalled)
			}
		})
	}
}

func TestWebhookReceiverURI(t *testing.T) {
	fx := newWebhookFixture(t, "")
	fx.url = testPublicURL + WebhooksPath + "?portal=1&tag=a%3Ab%20c"
	body := []byte(`[{"eventId":1}]`)
	// HubSpot signs the full URL with %3A decoded; the receiver must agree.
	if got := fx.deliver(t, body, emulator.SignWebhook(DemoClientSecret, http.MethodPost, fx.url, body, fx.Now())); got != http.StatusNoContent {
		t.Errorf("delivery to a URL with a query: %d; want 204", got)
	}
	// A signature over another URL does not verify.
	other := emulator.SignWebhook(DemoClientSecret, http.MethodPost, "https://elsewhere.example"+WebhooksPath, body, fx.Now())
	if got := fx.deliver(t, body, other); got != http.StatusUnauthorized {
		t.Errorf("signature over another URL: %d; want 401", got)
	}
}

func TestWebhookReceiverLimits(t *testing.T) {
	fx := newWebhookFixture(t, "")
	big := []byte("[" + strings.Repeat(`{"eventId":1},`, maxWebhookBody/14) + `{"eventId":1}]`)
	if got := fx.deliver(t, big, emulator.SignWebhook(DemoClientSecret, http.MethodPost, fx.url, big, fx.Now())); got != http.StatusRequestEntityTooLarge {
		t.Errorf("a %d-byte batch: %d; want 413", len(big), got)
	}
	body := []byte(`[{"eventId":1}]`)
	h := emulator.SignWebhook(DemoClientSecret, http.MethodPost, fx.url, body, fx.Now())
	h.Set("X-HubSpot-Request-Timestamp", "noon")
	if got := fx.deliver(t, body, h); got != http.StatusUnauthorized {
		t.Errorf("a timestamp that is not a number: %d; want 401", got)
	}
}

func TestWebhookBugsAreKnown(t *testing.T) {
	for _, b := range WebhookBugs() {
		if !strings.HasPrefix(b.Name, FlowWebhooks+"-") || b.Flow != FlowWebhooks || len(b.Fails) == 0 {
			t.Errorf("bug %+v: want a webhooks- name, flow webhooks and the checks it fails", b)
		}
		for _, id := range b.Fails {
			if !strings.HasPrefix(id, "webhooks/") {
				t.Errorf("bug %s fails %s, not a webhook check", b.Name, id)
			}
		}
		if _, err := New(Config{APIBase: "http://127.0.0.1:7430", ClientID: DemoClientID, ClientSecret: DemoClientSecret, Bug: b.Name}); err != nil {
			t.Errorf("New(Bug %s): %v", b.Name, err)
		}
	}
	WebhookBugs()[0].Fails[0] = "changed"
	if WebhookBugs()[0].Fails[0] == "changed" {
		t.Error("WebhookBugs shares its slices with the caller")
	}
}
