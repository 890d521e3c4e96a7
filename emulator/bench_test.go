package emulator

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// benchPost serves one form POST without httptest's per-request parsing overhead.
func benchPost(b *testing.B, e *Emulator, path string, body string) {
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := &discardWriter{h: http.Header{}}
	e.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		b.Fatalf("status %d", w.status)
	}
}

type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = 200
	}
	return len(p), nil
}
func (d *discardWriter) WriteHeader(s int) { d.status = s }

func benchRefresh(b *testing.B, statePath string) {
	e, _ := newTest(b, func(c *Config) { c.StatePath = statePath; c.Clock = nil })
	rt := exchange(b, e)["refresh_token"].(string)
	body := refreshForm(rt).Encode()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchPost(b, e, "/oauth/v3/token", body)
		}
	})
}

func benchCode(b *testing.B, statePath string) {
	e, _ := newTest(b, func(c *Config) { c.StatePath = statePath; c.Clock = nil })
	hub := defaultHub(b, e)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			code, err := e.IssueCode(CodeRequest{
				ClientID: testClientID, HubID: hub, RedirectURI: testRedirect,
				Scopes: []string{"oauth", "crm.objects.contacts.read"},
			})
			if err != nil {
				b.Fatal(err)
			}
			benchPost(b, e, "/oauth/v3/token", url.Values(codeForm(code)).Encode())
		}
	})
}

// BenchmarkTokenRefresh measures POST /oauth/v3/token with grant_type=refresh_token, the
// request an installed app makes most. A refresh writes nothing, so the state file costs
// nothing here.
func BenchmarkTokenRefresh(b *testing.B) { benchRefresh(b, "") }

func BenchmarkTokenRefreshPersisted(b *testing.B) {
	benchRefresh(b, filepath.Join(b.TempDir(), "state.json"))
}

// BenchmarkTokenCode measures one install: IssueCode plus the authorization_code exchange.
func BenchmarkTokenCode(b *testing.B) { benchCode(b, "") }

// BenchmarkTokenCodePersisted is the same with the state file: each code and each exchange
// waits for its journal line to be fsynced (one write and fsync shared by concurrent requests).
func BenchmarkTokenCodePersisted(b *testing.B) {
	benchCode(b, filepath.Join(b.TempDir(), "state.json"))
}
