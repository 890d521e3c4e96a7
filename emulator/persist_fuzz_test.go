package emulator

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzLoadState feeds the state loader a state file and a journal: it must refuse or load them,
// never panic, and what it loads must load again once saved as a snapshot. (The loader alone:
// New's compaction at start would fsync on every input.)
func FuzzLoadState(f *testing.F) {
	f.Add([]byte(`{"version":1}`), []byte(nil))
	f.Add([]byte(`{"version":2,"generation":1,"key":"AAAAAAAAAAAAAAAAAAAAAA==","nextHubId":1234568,"portals":[{"HubID":1234567,"Domain":"d","UserEmail":"u@e","UserID":9,"Hublet":"na1","Scopes":null}]}`),
		[]byte(`{"codes":{"na1-0000-0000-0000-0000-000000000000":{"clientId":"c","hubId":1234567,"userId":9,"redirectUri":"http://localhost:3000/cb","scopes":["oauth"],"issued":"2026-03-10T12:00:00Z","expires":"2026-03-10T12:10:00Z"}}}`+"\n"))
	f.Add([]byte(`{"version":1,"codes":{"c":null}}`), []byte(nil))
	f.Add([]byte(`{"version":1,"grants":{"x":null}}`), []byte(nil))
	f.Add([]byte(`{"version":2,"generation":1}`), []byte(`{"grants":{"0000000000000001":null}}`+"\n"+`{"installs":{"c/1`))
	f.Add([]byte(`{"version":3,"generation":1,"codes":{},"spent":{"000102030405060708090a0b0c0d0e0f":{"clientId":"c","hubId":1,"expires":"2026-03-10T12:10:00Z","grantId":"0000000000000001"}}}`),
		[]byte(`{"codes":{"na1-x":null},"spent":{"0f0102030405060708090a0b0c0d0e0f":{"clientId":"c","hubId":1,"expires":"2026-03-10T12:00:00Z"}}}`+"\n\x00\x00\x00"))
	f.Add([]byte(`{"version":2,"generation":1,"codes":{"c":{"clientId":"c","hubId":1,"expires":"2026-03-10T12:10:00Z","grantId":"0000000000000001"}}}`), []byte("{}\n\x00{}\n"))
	f.Fuzz(func(t *testing.T, snapshot, journal []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "state.json")
		if err := os.WriteFile(path, snapshot, 0o600); err != nil {
			t.Fatal(err)
		}
		if journal != nil {
			if err := os.WriteFile(journalFile(path, 1), journal, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		clk := func() time.Time { return time.Date(2026, 3, 10, 12, 5, 0, 0, time.UTC) }
		c := &core{cfg: Config{StatePath: path, AccessTTL: DefaultAccessTTL}, now: clk, log: slog.New(slog.DiscardHandler)}
		st, _, err := c.loadState()
		if err != nil {
			return // refused, with a reason
		}
		// What was loaded must save and load again (the snapshot compaction writes).
		st.Version, st.Generation = stateVersion, 7
		data, err := json.Marshal(st)
		if err != nil {
			t.Fatalf("encode a loaded state: %v", err)
		}
		again := filepath.Join(dir, "again.json")
		if err := os.WriteFile(again, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c2 := &core{cfg: Config{StatePath: again, AccessTTL: DefaultAccessTTL}, now: clk, log: slog.New(slog.DiscardHandler)}
		if _, _, err := c2.loadState(); err != nil {
			t.Fatalf("a state hsemu loaded does not load again once saved: %v\n%s", err, data)
		}
	})
}
