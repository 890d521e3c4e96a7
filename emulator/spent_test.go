package emulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestSpentCodeAnswers: once pruning has replaced a code by its tombstone, presenting it gives
// the answers the whole code gave: EXPIRED_AUTH_CODE for an expired one (until codeGrace past
// expiry, then BAD_AUTH_CODE), BAD_AUTH_CODE for another app's.
func TestSpentCodeAnswers(t *testing.T) {
	e, clk := newTest(t)
	code := issue(t, e)
	clk.Advance(DefaultCodeTTL + pruneInterval + time.Second)
	issue(t, e) // any change prunes
	var live, spent int
	e.c.view(func() { live, spent = len(e.c.st.Codes), len(e.c.st.Spent) })
	if live != 1 || spent != 1 {
		t.Fatalf("after expiry: %d live codes, %d tombstones; want 1 and 1", live, spent)
	}
	w := postForm(e, "/oauth/v3/token", codeForm(code))
	if m := decode(t, w); w.Code != 400 || m["status"] != "EXPIRED_AUTH_CODE" || m["message"] != "auth code is expired" {
		t.Errorf("expired code from its tombstone: %d %v; want 400 EXPIRED_AUTH_CODE", w.Code, m)
	}
	other, err := e.AddApp(App{Name: "other", RedirectURLs: []string{testRedirect}, RequiredScopes: []string{"oauth"}})
	if err != nil {
		t.Fatal(err)
	}
	f := codeForm(code)
	f.Set("client_id", other.ClientID)
	f.Set("client_secret", other.ClientSecret)
	if m := decode(t, postForm(e, "/oauth/v3/token", f)); m["status"] != "BAD_AUTH_CODE" {
		t.Errorf("another app's tombstone: %v; want BAD_AUTH_CODE", m)
	}
	clk.Advance(codeGrace)
	issue(t, e)
	e.c.view(func() { spent = len(e.c.st.Spent) })
	if spent != 1 { // the second code's, expired now
		t.Errorf("after the grace: %d tombstones; want 1", spent)
	}
	if m := decode(t, postForm(e, "/oauth/v3/token", codeForm(code))); m["status"] != "BAD_AUTH_CODE" {
		t.Errorf("code past its grace: %v; want BAD_AUTH_CODE", m)
	}
}

// TestSpentCodeAfterRestart: a redeemed code's tombstone is saved (in the journal, then in a
// snapshot), so a replay after a restart still fails and revokes.
func TestSpentCodeAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	cfg := func(c *Config) { c.StatePath = path; c.Choices.RevokeOnCodeReuse = true }
	e, _ := newTest(t, cfg)
	code := issue(t, e)
	first := decode(t, postForm(e, "/oauth/v3/token", codeForm(code)))
	e.Close()
	for round := range 2 { // from the journal, then from a snapshot
		e2, _ := newTest(t, cfg)
		if got := e2.TokensIssuedFor(code); len(got) == 0 || got[len(got)-1] != first["refresh_token"] {
			t.Errorf("round %d: tokens issued for the code: %d; want its refresh token", round, len(got))
		}
		if round == 1 {
			if m := decode(t, postForm(e2, "/oauth/v3/token", codeForm(code))); m["status"] != "BAD_AUTH_CODE" {
				t.Errorf("replay after restart: %v; want BAD_AUTH_CODE", m)
			}
			if w := postForm(e2, "/oauth/v3/token", refreshForm(first["refresh_token"].(string))); w.Code != 400 {
				t.Errorf("refresh token after the replay: %d; want 400 (revoked)", w.Code)
			}
		} else if err := e2.c.compact(); err != nil {
			t.Fatal(err)
		}
		e2.Close()
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `"spent":{`) || strings.Contains(string(data), code) {
		t.Errorf("snapshot %s; want the tombstone, not the code", data)
	}
}

// TestLoadVersion2RedeemedCode: a state file of version 2 kept redeemed codes whole, with their
// grant; they load as tombstones.
func TestLoadVersion2RedeemedCode(t *testing.T) {
	e, _ := newTest(t)
	code := issue(t, e)
	first := decode(t, postForm(e, "/oauth/v3/token", codeForm(code)))
	var old *state
	e.c.view(func() { old = e.c.st.clone() })
	var sc spentCode
	for _, s := range old.Spent {
		sc = s
	}
	old.Version, old.Spent = 2, nil
	old.Codes[code] = &codeRecord{ClientID: sc.ClientID, HubID: sc.HubID, Expires: sc.Expires, GrantID: sc.GrantID.String()}
	data, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	e2, _ := newTest(t, func(c *Config) { c.StatePath = path; c.Choices.RevokeOnCodeReuse = true })
	if m := decode(t, postForm(e2, "/oauth/v3/token", codeForm(code))); m["status"] != "BAD_AUTH_CODE" {
		t.Errorf("replay of a version 2 redeemed code: %v; want BAD_AUTH_CODE", m)
	}
	if w := postForm(e2, "/oauth/v3/token", refreshForm(first["refresh_token"].(string))); w.Code != 400 {
		t.Errorf("refresh token after the replay: %d; want 400 (revoked)", w.Code)
	}
	e2.Close()
	var snap state
	data, _ = os.ReadFile(path)
	if err := json.Unmarshal(data, &snap); err != nil || snap.Version != stateVersion || len(snap.Spent) != 1 || len(snap.Codes) != 0 {
		t.Errorf("after start: version %d, %d tombstones, %d codes (%v); want %d, 1, 0", snap.Version, len(snap.Spent), len(snap.Codes), err, stateVersion)
	}
}

// BenchmarkCodeMemory reports the live heap a live code, a tombstone and a grant (a refresh
// token: access tokens are signed, never stored) cost, in memory, after a GC: b.N codes are
// issued, then redeemed (each leaves a tombstone, a grant and the install it updates).
func BenchmarkCodeMemory(b *testing.B) {
	e, _ := newTest(b)
	n := max(b.N, 10_000)
	codes := make([]string, n)
	heap := func() float64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc)
	}
	h0 := heap()
	for i := range codes {
		codes[i] = issue(b, e)
	}
	h1 := heap()
	for _, c := range codes {
		if w := postForm(e, "/oauth/v3/token", codeForm(c)); w.Code != 200 {
			b.Fatalf("exchange: %d %s", w.Code, w.Body)
		}
	}
	codes = nil
	h2 := heap()
	var spent int
	e.c.view(func() { spent = len(e.c.st.Spent) })
	// Tombstones alone: the grants dropped, as uninstalling does.
	e.c.mu.Lock()
	for _, g := range e.c.st.Grants {
		e.c.st.dropGrant(g)
	}
	e.c.mu.Unlock()
	h3 := heap()
	e.c.mu.Lock()
	clear(e.c.st.Spent)
	e.c.st.Spent, e.c.st.spentOrder = map[codeHash]spentCode{}, nil
	e.c.mu.Unlock()
	h4 := heap()
	b.ReportMetric((h1-h0)/float64(n), "B/live-code")
	b.ReportMetric((h3-h4)/float64(spent), "B/spent-code")
	b.ReportMetric((h2-h3)/float64(n), "B/grant")
}
