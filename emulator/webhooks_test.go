package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestWebhookBatch(t *testing.T) {
	at := time.UnixMilli(1693657560000)
	events := SampleWebhookEvents(42, 1234567, at)
	events[1].PropertyValue = "Ada & <Bob>"
	b, err := WebhookBatch(events)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `[{"eventId":`) || strings.HasSuffix(string(b), "\n") {
		t.Errorf("batch %s is not a compact JSON array", b)
	}
	if !strings.Contains(string(b), `"Ada & <Bob>"`) {
		t.Errorf("batch %s escapes HTML characters; HubSpot sends them as they are", b)
	}
	var got []map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"objectId", "changeSource", "eventId", "subscriptionId", "portalId", "appId", "occurredAt", "subscriptionType", "attemptNumber"} {
		if _, ok := got[0][field]; !ok {
			t.Errorf("event has no %s: %v", field, got[0])
		}
	}
	for _, field := range []string{"propertyName", "propertyValue", "sourceId"} {
		if _, ok := got[1][field]; !ok {
			t.Errorf("property change has no %s: %v", field, got[1])
		}
	}
	if _, err := WebhookBatch(nil); err == nil {
		t.Error("an empty batch was accepted")
	}
	if _, err := WebhookBatch(make([]WebhookEvent, 101)); err == nil || !strings.Contains(err.Error(), "100") {
		t.Errorf("101 events: got %v; want an error naming the limit of 100", err)
	}
}

func TestNewWebhookRequest(t *testing.T) {
	body := []byte(`[{"eventId":1}]`)
	ts := time.UnixMilli(1693657560000)
	req, err := NewWebhookRequest(context.Background(), "secret", "https://hooks.example/hs?x=1", body, ts)
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(req.UserAgent(), "HubSpot") {
		t.Errorf("request %s %v is not HubSpot's POST of JSON", req.Method, req.Header)
	}
	got, _ := io.ReadAll(req.Body)
	if string(got) != string(body) {
		t.Errorf("body %s; want %s", got, body)
	}
	if err := VerifyWebhookV3("secret", "POST", "https://hooks.example/hs?x=1", body, req.Header.Get(HeaderSignatureV3), req.Header.Get(HeaderRequestTimestamp), ts); err != nil {
		t.Errorf("the request does not verify: %v", err)
	}
	for _, bad := range []string{"ftp://hooks.example/hs", "://nope"} {
		if _, err := NewWebhookRequest(context.Background(), "secret", bad, body, ts); err == nil {
			t.Errorf("URL %q was accepted", bad)
		}
	}
}

func BenchmarkSignWebhook(b *testing.B) {
	body, _ := WebhookBatch(SampleWebhookEvents(42, 1234567, time.UnixMilli(1693657560000)))
	ts := time.UnixMilli(1693657560000)
	b.ReportAllocs()
	for b.Loop() {
		SignWebhook("secret", "POST", "https://hooks.example/hs", body, ts)
	}
}

func TestSendWebhook(t *testing.T) {
	e, clk := newTest(t)
	type got struct {
		body []byte
		hdr  http.Header
		url  string
	}
	deliveries := make(chan got, 1)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		deliveries <- got{b, r.Header.Clone(), "http://" + r.Host + r.URL.RequestURI()}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()

	send := func(body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/_hsemu/webhooks/send", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return do(e, req)
	}
	w := send(`{"url":"` + rcv.URL + `/hooks?x=1","clientId":"` + testClientID + `"}`)
	if w.Code != http.StatusOK {
		t.Fatalf("send: %d %s", w.Code, w.Body)
	}
	if m := decode(t, w); m["status"] != float64(http.StatusNoContent) {
		t.Errorf("answer %v; want the receiver's status 204", m)
	}
	d := <-deliveries
	if err := VerifyWebhookV3(testSecret, http.MethodPost, d.url, d.body, d.hdr.Get(HeaderSignatureV3), d.hdr.Get(HeaderRequestTimestamp), clk.Now()); err != nil {
		t.Errorf("the delivery does not verify with the app's secret: %v", err)
	}
	if d.hdr.Get(HeaderSignature) != SignatureV1(testSecret, d.body) {
		t.Error("the v1 signature does not match the body")
	}

	bad := []struct{ name, body, want string }{
		{"not JSON", `nope`, "not valid JSON"},
		{"unknown app", `{"url":"` + rcv.URL + `","clientId":"nope"}`, "not a registered app"},
		{"bad URL", `{"url":"ftp://x","clientId":"` + testClientID + `"}`, "http:// or https://"},
	}
	for _, b := range bad {
		w := send(b.body)
		if msg, _ := decode(t, w)["message"].(string); w.Code != http.StatusBadRequest || !strings.Contains(msg, b.want) {
			t.Errorf("%s: %d %q; want 400 saying %q", b.name, w.Code, msg, b.want)
		}
	}
	rcv.Close()
	if w := send(`{"url":"` + rcv.URL + `/hooks","clientId":"` + testClientID + `"}`); w.Code != http.StatusBadGateway {
		t.Errorf("closed receiver: %d %s; want 502", w.Code, w.Body)
	}
}
