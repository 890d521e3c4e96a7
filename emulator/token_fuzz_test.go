package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// codePlaceholder in a fuzzed body is replaced by a fresh authorization code, so that the
// fuzzer reaches the grant paths past the code lookup.
const codePlaceholder = "CODE"

// FuzzTokenForm posts fuzzed forms to the token endpoints through the Emulator's ServeHTTP:
// any body, Content-Type, query and Authorization. With no fault injected the answer is never
// a 5xx; it is always one JSON value: a token on 200, HubSpot's OAuth error shape (error,
// status and message; no-store) or its API error shape on a 4xx.
func FuzzTokenForm(f *testing.F) {
	f.Add(uint8(1), "", "application/x-www-form-urlencoded", "", []byte("grant_type=authorization_code&client_id="+testClientID+"&client_secret="+testSecret+"&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Foauth-callback&code="+codePlaceholder))
	f.Add(uint8(0), "grant_type=authorization_code&code="+codePlaceholder, "application/x-www-form-urlencoded; charset=utf-8", "", []byte("client_id="+testClientID+"&client_secret="+testSecret+"&redirect_uri=http://localhost:3000/oauth-callback"))
	f.Add(uint8(2), "", "application/x-www-form-urlencoded", "Basic MTExMTExMTEtMjIyMi00MzMzLTg0NDQtNTU1NTU1NTU1NTU1OjY2NjY2NjY2LTc3NzctNDg4OC05OTk5LTAwMDAwMDAwMDAwMA==", []byte("grant_type=client_credentials&scope=oauth"))
	f.Add(uint8(1), "", "application/x-www-form-urlencoded", "", []byte("grant_type=refresh_token&client_id="+testClientID+"&client_secret="+testSecret+"&refresh_token=na1-xxxx"))
	f.Add(uint8(1), "x=1", "application/json", "", []byte(`{"grant_type":"authorization_code"}`))
	f.Add(uint8(3), "", "application/x-www-form-urlencoded", "Basic !!!", []byte("grant_type=authorization_code&grant_type=refresh_token&%zz=1;a=b"))
	f.Add(uint8(0), "%", "multipart/form-data; boundary=x", "Bearer x", []byte("--x\r\n\r\n--x--"))
	f.Add(uint8(1), "", "application/x-www-form-urlencoded; charset=\"", "", []byte("code=\x00\xff&client_id=&client_secret="))
	var (
		e     *Emulator
		calls int
	)
	f.Fuzz(func(t *testing.T, version uint8, query, contentType, authorization string, body []byte) {
		// A fresh emulator now and then keeps the state (every issued code and token) small.
		if e == nil || calls%500 == 0 {
			if e != nil {
				e.Close()
			}
			e = newFuzzEmulator(t)
		}
		calls++
		if bytes.Contains(body, []byte(codePlaceholder)) || strings.Contains(query, codePlaceholder) {
			code := issue(t, e)
			body = bytes.ReplaceAll(body, []byte(codePlaceholder), []byte(code))
			query = strings.ReplaceAll(query, codePlaceholder, code)
		}
		v := hubspot.TokenVersions[int(version)%len(hubspot.TokenVersions)]
		r := httptest.NewRequest(http.MethodPost, hubspot.TokenPath(v), bytes.NewReader(body))
		r.URL.RawQuery = query
		if ct := headerValue(contentType); ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		if a := headerValue(authorization); a != "" {
			r.Header.Set("Authorization", a)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		checkTokenAnswer(t, w)
	})
}

// newFuzzEmulator is newTest without the cleanup a fuzz target cannot register once.
func newFuzzEmulator(t *testing.T) *Emulator {
	t.Helper()
	e, err := New(Config{Apps: []App{testApp()}, Clock: newFakeClock().Now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// headerValue drops what a header value cannot carry on the wire.
func headerValue(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == 0 {
			return -1
		}
		return r
	}, s)
}

// checkTokenAnswer asserts the token endpoint's answer invariants.
func checkTokenAnswer(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	status, body := w.Code, w.Body.Bytes()
	if status >= 500 {
		t.Fatalf("HTTP %d with no fault injected: %s", status, body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("HTTP %d with Content-Type %q", status, ct)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("HTTP %d answer is not a JSON object: %v\n%s", status, err, body)
	}
	if dec.More() {
		t.Fatalf("HTTP %d answer has more than one JSON value: %s", status, body)
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	switch {
	case status == http.StatusOK:
		if str("access_token") == "" || !strings.EqualFold(str("token_type"), "bearer") {
			t.Fatalf("200 without a bearer access token: %s", body)
		}
		if n, _ := m["expires_in"].(float64); n <= 0 {
			t.Fatalf("200 with expires_in %v", m["expires_in"])
		}
		if w.Header().Get("Cache-Control") != "no-store" {
			t.Fatal("a token answer without Cache-Control: no-store")
		}
	case status >= 400:
		oauth := str("error") != "" && str("status") != "" && str("message") != ""
		api := str("status") == "error" && str("message") != "" && str("correlationId") != ""
		if !oauth && !api {
			t.Fatalf("HTTP %d is not HubSpot's error shape: %s", status, body)
		}
		if oauth && w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("HTTP %d OAuth error without Cache-Control: no-store", status)
		}
	default:
		t.Fatalf("HTTP %d from the token endpoint: %s", status, body)
	}
}
