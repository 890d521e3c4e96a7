package emulator

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMalformedStateRefused: a state file that decodes but holds a bad record is refused at
// start with the field that is wrong, never loaded to fail (or panic) later.
func TestMalformedStateRefused(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"null code", `{"version":1,"codes":{"c":null}}`, `codes["c"] is null`},
		{"null grant", `{"version":1,"grants":{"x":null}}`, `grants["x"] is null`},
		{"grant id not its key", `{"version":1,"grants":{"0000000000000001":{"id":"0000000000000002","clientId":"a","hubId":1,"refreshToken":"r"}}}`, `grants["0000000000000001"].id`},
		{"code without client", `{"version":1,"codes":{"c":{"hubId":1,"expires":"2026-01-01T00:00:00Z"}}}`, `codes["c"].clientId`},
		{"null install", `{"version":2,"installs":{"a/1":null}}`, `installs["a/1"] is null`},
		{"null app", `{"version":1,"apps":[null]}`, `apps[0] is null`},
		{"null portal", `{"version":1,"portals":[null]}`, `portals[0] is null`},
		{"portal without hub", `{"version":1,"portals":[{"HubID":0,"Hublet":"na1"}]}`, `portals[0].HubID`},
		{"null journal entry", `{"version":1,"journal":[null]}`, `journal[0] is null`},
		{"short key", `{"version":1,"key":"AAAA"}`, `key has 3 bytes`},
		{"unknown field", `{"version":1,"codez":{}}`, `unknown field "codez"`},
		{"trailing garbage", `{"version":1} x`, `after the JSON value`},
		{"second value", `{"version":1}{"version":1}`, `after the JSON value`},
		{"wrong type", `{"version":1,"codes":[]}`, `codes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := New(Config{StatePath: path})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("New with %s: %v; want an error naming %s and %q", tc.content, err, path, tc.want)
			}
		})
	}
}

// TestLoadOldFormat: a state file written by hsemu before the journal (version 1, the whole
// state rewritten on each change) loads, and is migrated to a snapshot of version 2.
func TestLoadOldFormat(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	writeInstalls(t, path, 3)
	var old state
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &old); err != nil || old.Version != oldStateVersion {
		t.Fatalf("fixture version %d (%v); want the old format", old.Version, err)
	}
	e, err := New(Config{StatePath: path, Apps: []App{testApp()}})
	if err != nil {
		t.Fatalf("old state file: %v", err)
	}
	for _, g := range old.Grants {
		if w := postForm(e, "/oauth/v3/token", refreshForm(g.RefreshToken)); w.Code != 200 {
			t.Errorf("refresh token of the old file: %d %s", w.Code, w.Body)
		}
	}
	tok := exchange(t, e)["refresh_token"].(string)
	e.Close()
	var snap state
	data, _ = os.ReadFile(path)
	if err := json.Unmarshal(data, &snap); err != nil || snap.Version != stateVersion || len(snap.Grants) != 3 {
		t.Errorf("after start: version %d with %d grants (%v); want version %d with the 3 old grants", snap.Version, len(snap.Grants), err, stateVersion)
	}
	e2, err := New(Config{StatePath: path, Apps: []App{testApp()}})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if w := postForm(e2, "/oauth/v3/token", refreshForm(tok)); w.Code != 200 {
		t.Errorf("token handed out after the migration: %d %s", w.Code, w.Body)
	}
}

// TestJournalTornTail: a last journal line cut short by a kill (never acknowledged) is dropped;
// a bad line before the last one is refused with its file and line.
func TestJournalTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e, _ := newTest(t, func(c *Config) { c.StatePath = path })
	tok := exchange(t, e)["refresh_token"].(string)
	e.Close()
	files := journalFiles(path)
	if len(files) != 1 {
		t.Fatalf("journal files %v; want one", files)
	}
	var jf string
	for _, f := range files {
		jf = f
	}
	appendFile(t, jf, `{"codes":{"na1-x":{"clientId":`)
	e2, err := New(Config{StatePath: path, Apps: []App{testApp()}})
	if err != nil {
		t.Fatalf("journal with a torn tail: %v", err)
	}
	if w := postForm(e2, "/oauth/v3/token", refreshForm(tok)); w.Code != 200 {
		t.Errorf("refresh token before the torn line: %d %s", w.Code, w.Body)
	}
	e2.Close()

	for f := range journalFiles(path) {
		jf = journalFiles(path)[f]
	}
	appendFile(t, jf, "{\"bogus\":1}\n{}\n")
	if _, err := New(Config{StatePath: path, Apps: []App{testApp()}}); err == nil || !strings.Contains(err.Error(), jf) || !strings.Contains(err.Error(), "line") {
		t.Errorf("bad journal line: %v; want an error naming %s and the line", err, jf)
	}
}

func appendFile(t *testing.T, name, s string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// TestCompactionKeepsState: with compaction after every few changes, every token survives a
// restart and at most two journals are left.
func TestCompactionKeepsState(t *testing.T) {
	defer func(m, f int64) { compactMin, compactFactor = m, f }(compactMin, compactFactor)
	compactMin, compactFactor = 0, 1
	path := filepath.Join(t.TempDir(), "state.json")
	e, _ := newTest(t, func(c *Config) { c.StatePath = path })
	var tokens []string
	for range 60 {
		tokens = append(tokens, exchange(t, e)["refresh_token"].(string))
	}
	if err := e.Uninstall(testClientID, defaultHub(t, e)); err != nil {
		t.Fatal(err)
	}
	e.Close()
	if n := len(journalFiles(path)); n > 2 {
		t.Errorf("%d journal files after compaction; want at most 2", n)
	}
	e2, err := New(Config{StatePath: path, Apps: []App{testApp()}})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	for _, tok := range tokens {
		if w := postForm(e2, "/oauth/v3/token", refreshForm(tok)); w.Code != 400 {
			t.Fatalf("refresh token after uninstall and restart: %d; want 400", w.Code)
		}
	}
	if e2.Installed(testClientID, defaultHub(t, e2)) {
		t.Error("installed after uninstall and restart")
	}
}

// TestPruneBoundsState: expired codes and revocations of expired access tokens are dropped,
// refresh tokens of live grants are kept.
func TestPruneBoundsState(t *testing.T) {
	e, clk := newTest(t)
	tok := exchange(t, e)
	for range 100 {
		issue(t, e)
	}
	w := postForm(e, "/oauth/v3/token/revoke", url.Values{
		"client_id": {testClientID}, "client_secret": {testSecret},
		"token": {tok["access_token"].(string)}, "token_type_hint": {"access_token"},
	})
	if w.Code != 200 {
		t.Fatalf("revoke: %d %s", w.Code, w.Body)
	}
	clk.Advance(DefaultCodeTTL + codeGrace + DefaultAccessTTL + time.Minute)
	issue(t, e) // any change prunes
	var codes, revoked int
	e.c.view(func() { codes, revoked = len(e.c.st.Codes), len(e.c.st.RevokedAccess) })
	if codes != 1 || revoked != 0 {
		t.Errorf("after expiry: %d codes, %d revocations; want 1 (the new code) and 0", codes, revoked)
	}
	if w := postForm(e, "/oauth/v3/token", refreshForm(tok["refresh_token"].(string))); w.Code != 200 {
		t.Errorf("refresh token after pruning: %d %s; want it kept", w.Code, w.Body)
	}
}
