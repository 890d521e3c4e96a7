package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The known-answer vectors of HubSpot's request-validation page
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation)
// and of the Python SDK's tests (https://github.com/HubSpot/hubspot-api-python).
func TestSignatureKnownAnswers(t *testing.T) {
	const docSecret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
	const docBody = `[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]`
	tests := []struct {
		name, got, want string
	}{
		{"v1 webhook batch", SignatureV1(docSecret, []byte(docBody)),
			"232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"},
		{"v2 GET, empty body", SignatureV2(docSecret, "GET", "https://www.example.com/webhook_uri", nil),
			"eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"},
		{"v2 POST with body", SignatureV2(docSecret, "POST", "https://www.example.com/webhook_uri", []byte(`{"example_field":"example_value"}`)),
			"9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900"},
		{"v3 POST", SignatureV3(docSecret, "POST", "https://www.example.com/webhook_uri", []byte(`{'example_field':'example_value'}`), time.UnixMilli(1693657560000)),
			"K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s; want %s", tt.got, tt.want)
			}
		})
	}
}

func TestV3URI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://www.example.com/webhook_uri", "https://www.example.com/webhook_uri"},
		{"https://x.example/a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm", "https://x.example/a:b/c?d@e!f$g'h(i)j*k,l;m"},
		{"https://x.example/a%3ab%2fc", "https://x.example/a:b/c"},
		{"https://x.example/hook?q=a%20b&r=%26", "https://x.example/hook?q=a%20b&r=%26"},
	}
	for _, tt := range tests {
		if got := V3URI(tt.in); got != tt.want {
			t.Errorf("V3URI(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	// The signature covers the decoded URI: both spellings sign alike.
	ts := time.UnixMilli(1693657560000)
	if SignatureV3("s", "POST", "https://x.example/a%3Ab", nil, ts) != SignatureV3("s", "POST", "https://x.example/a:b", nil, ts) {
		t.Error("v3 signatures of an encoded and a decoded colon differ")
	}
}

func TestSignWebhookHeaders(t *testing.T) {
	body := []byte(`[{"eventId":1}]`)
	ts := time.UnixMilli(1693657560000)
	h := SignWebhook("secret", "POST", "https://hooks.example/hs", body, ts)
	want := map[string]string{
		"X-Hubspot-Signature":         SignatureV1("secret", body),
		"X-Hubspot-Signature-Version": "v1",
		"X-Hubspot-Signature-V3":      SignatureV3("secret", "POST", "https://hooks.example/hs", body, ts),
		"X-Hubspot-Request-Timestamp": "1693657560000",
	}
	if len(h) != len(want) {
		t.Errorf("got %d headers %v; want %d", len(h), h, len(want))
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q; want %q", k, got, v)
		}
	}
	if got := len(h.Get(HeaderSignatureV3)); got != 44 {
		t.Errorf("v3 signature has %d characters; want 44 (base64 of 32 bytes)", got)
	}
}

func TestVerifyWebhookV3(t *testing.T) {
	now := time.UnixMilli(1693657560000)
	const uri = "https://hooks.example/hs"
	body := []byte(`[{"eventId":1}]`)
	sig := SignatureV3("secret", "POST", uri, body, now.Add(-time.Minute))
	tsOK := "1693657500000"
	tests := []struct {
		name      string
		secret    string
		body      string
		sig, ts   string
		wantErr   error
		wantInErr string
	}{
		{name: "valid", secret: "secret", body: string(body), sig: sig, ts: tsOK},
		{name: "wrong secret", secret: "other", body: string(body), sig: sig, ts: tsOK, wantErr: ErrBadSignature},
		{name: "tampered body", secret: "secret", body: `[{"eventId":2}]`, sig: sig, ts: tsOK, wantErr: ErrBadSignature},
		{name: "timestamp changed", secret: "secret", body: string(body), sig: sig, ts: "1693657500001", wantErr: ErrBadSignature},
		{name: "stale", secret: "secret", body: string(body), sig: SignatureV3("secret", "POST", uri, body, now.Add(-6*time.Minute)),
			ts: "1693657200000", wantErr: ErrStaleTimestamp},
		{name: "timestamp not a number", secret: "secret", body: string(body), sig: sig, ts: "yesterday", wantInErr: "not milliseconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyWebhookV3(tt.secret, "POST", uri, []byte(tt.body), tt.sig, tt.ts, now)
			switch {
			case tt.wantErr == nil && tt.wantInErr == "":
				if err != nil {
					t.Errorf("got %v; want nil", err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("got %v; want %v", err, tt.wantErr)
				}
			default:
				if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
					t.Errorf("got %v; want an error containing %q", err, tt.wantInErr)
				}
			}
		})
	}
}

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
		return do(e, httptest.NewRequest(http.MethodPost, "/_hsemu/webhooks/send", strings.NewReader(body)))
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
