package hubspot

import (
	"errors"
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
		{
			"v1 webhook batch", SignatureV1(docSecret, []byte(docBody)),
			"232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de",
		},
		{
			"v2 GET, empty body", SignatureV2(docSecret, "GET", "https://www.example.com/webhook_uri", nil),
			"eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e",
		},
		{
			"v2 POST with body", SignatureV2(docSecret, "POST", "https://www.example.com/webhook_uri", []byte(`{"example_field":"example_value"}`)),
			"9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900",
		},
		{
			"v3 POST", SignatureV3(docSecret, "POST", "https://www.example.com/webhook_uri", []byte(`{'example_field':'example_value'}`), time.UnixMilli(1693657560000)),
			"K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=",
		},
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
		{
			name: "stale", secret: "secret", body: string(body), sig: SignatureV3("secret", "POST", uri, body, now.Add(-6*time.Minute)),
			ts: "1693657200000", wantErr: ErrStaleTimestamp,
		},
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

func TestVerifyWebhookV1V2(t *testing.T) {
	const secret, uri = "secret", "https://hooks.example/hs"
	body := []byte(`[{"eventId":1}]`)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"v1 valid", VerifyWebhookV1(secret, body, SignatureV1(secret, body)), nil},
		{"v1 wrong secret", VerifyWebhookV1("other", body, SignatureV1(secret, body)), ErrBadSignature},
		{"v1 tampered body", VerifyWebhookV1(secret, []byte("[]"), SignatureV1(secret, body)), ErrBadSignature},
		{"v2 valid", VerifyWebhookV2(secret, "POST", uri, body, SignatureV2(secret, "POST", uri, body)), nil},
		{"v2 other method", VerifyWebhookV2(secret, "GET", uri, body, SignatureV2(secret, "POST", uri, body)), ErrBadSignature},
		{"v2 other URI", VerifyWebhookV2(secret, "POST", uri+"?x=1", body, SignatureV2(secret, "POST", uri, body)), ErrBadSignature},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) || (tt.want == nil && tt.err != nil) {
			t.Errorf("%s: got %v; want %v", tt.name, tt.err, tt.want)
		}
	}
}
