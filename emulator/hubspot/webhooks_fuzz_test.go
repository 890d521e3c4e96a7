package hubspot

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

// FuzzWebhookSignature signs fuzzed deliveries and verifies them: what the signer made always
// verifies (v1, v2, v3 within MaxWebhookAge); a changed byte of the body, the secret or the
// signature never does; a v3 timestamp older than MaxWebhookAge is stale; arbitrary signature and
// timestamp headers never panic and verify only when they are the signer's.
func FuzzWebhookSignature(f *testing.F) {
	f.Add("66666666-7777-4888-9999-000000000000", "POST", "https://app.example.com/webhooks?x=a%3Ab%20c", []byte(`[{"eventId":1}]`), int64(1773144000000), int64(0), uint16(3), "", "")
	f.Add("s", "GET", "http://localhost:3000/%2F%3f%40", []byte{}, int64(0), int64(300000), uint16(0), "sig", "0")
	f.Add("", "", "", []byte("\x00\xff"), int64(-1), int64(300001), uint16(65535), "+1773144000000", "AAAA")
	f.Add("k", "POST", "https://a/b", []byte("body"), int64(9223372036854775807), int64(-5), uint16(7), "9223372036854775808", "==")
	f.Fuzz(func(t *testing.T, secret, method, uri string, body []byte, ms, ageMs int64, at uint16, sigHeader, tsHeader string) {
		ts := time.UnixMilli(ms)
		now := ts.Add(time.Duration(ageMs) * time.Millisecond)
		tsText := strconv.FormatInt(ts.UnixMilli(), 10)
		v1, v2, v3 := SignatureV1(secret, body), SignatureV2(secret, method, uri, body), SignatureV3(secret, method, uri, body, ts)

		if err := VerifyWebhookV1(secret, body, v1); err != nil {
			t.Fatalf("v1: the signer's signature does not verify: %v", err)
		}
		if err := VerifyWebhookV2(secret, method, uri, body, v2); err != nil {
			t.Fatalf("v2: the signer's signature does not verify: %v", err)
		}
		err := VerifyWebhookV3(secret, method, uri, body, v3, tsText, now)
		stale := now.Sub(ts) > MaxWebhookAge
		switch {
		case stale && !errors.Is(err, ErrStaleTimestamp):
			t.Fatalf("v3: a timestamp %s old: got %v; want stale", now.Sub(ts), err)
		case !stale && err != nil:
			t.Fatalf("v3: the signer's signature does not verify at age %s: %v", now.Sub(ts), err)
		}
		if h := SignWebhook(secret, method, uri, body, ts); h.Get(HeaderSignatureV3) != v3 || h.Get(HeaderRequestTimestamp) != tsText || h.Get(HeaderSignature) != v1 {
			t.Fatalf("SignWebhook headers differ from the signatures: %v", h)
		}

		// One changed byte never verifies.
		flip := func(s []byte) []byte {
			c := append([]byte(nil), s...)
			c[int(at)%len(c)] ^= 1 + byte(at>>8)%255
			return c
		}
		if len(body) > 0 {
			b := flip(body)
			if VerifyWebhookV1(secret, b, v1) == nil || VerifyWebhookV2(secret, method, uri, b, v2) == nil || (!stale && VerifyWebhookV3(secret, method, uri, b, v3, tsText, now) == nil) {
				t.Fatalf("a changed body byte verifies: %q", b)
			}
		}
		if secret != "" {
			s := string(flip([]byte(secret)))
			if VerifyWebhookV1(s, body, v1) == nil || VerifyWebhookV2(s, method, uri, body, v2) == nil || (!stale && VerifyWebhookV3(s, method, uri, body, v3, tsText, now) == nil) {
				t.Fatalf("a changed secret byte verifies: %q", s)
			}
		}
		for _, sig := range []string{v1, v2, v3} {
			bad := string(flip([]byte(sig)))
			if VerifyWebhookV1(secret, body, bad) == nil || VerifyWebhookV2(secret, method, uri, body, bad) == nil || VerifyWebhookV3(secret, method, uri, body, bad, tsText, now) == nil {
				t.Fatalf("a changed signature byte verifies: %q", bad)
			}
		}

		// Arbitrary headers: only the signer's signature for the same instant verifies.
		if VerifyWebhookV1(secret, body, sigHeader) == nil && sigHeader != v1 {
			t.Fatalf("v1: %q verifies; want only %q", sigHeader, v1)
		}
		if VerifyWebhookV2(secret, method, uri, body, sigHeader) == nil && sigHeader != v2 {
			t.Fatalf("v2: %q verifies; want only %q", sigHeader, v2)
		}
		if VerifyWebhookV3(secret, method, uri, body, sigHeader, tsHeader, now) == nil {
			got, perr := strconv.ParseInt(tsHeader, 10, 64)
			if perr != nil || sigHeader != SignatureV3(secret, method, uri, body, time.UnixMilli(got)) {
				t.Fatalf("v3: signature %q at timestamp %q verifies", sigHeader, tsHeader)
			}
		}
	})
}
