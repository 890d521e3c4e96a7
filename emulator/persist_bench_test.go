package emulator

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// writeInstalls writes an old-format state file holding n installs of testApp (each a grant with a refresh
// token and an install record) in one portal, as `hsemu serve` would have after n installs.
func writeInstalls(tb testing.TB, path string, n int) {
	tb.Helper()
	st := newState()
	st.Version = oldStateVersion // as hsemu before the journal wrote it; New migrates it
	st.Key = make([]byte, 32)
	app := testApp()
	app.ID = 1
	st.NextAppID = 1
	st.Apps = []*App{&app}
	p := Portal{
		HubID: firstHubID, Domain: "hsemu.example.com", UserEmail: "u@example.com", UserID: 9, Hublet: "na1",
		Scopes: nil,
	}
	st.Portals = []*Portal{&p}
	st.NextHubID = firstHubID + 1
	now := time.Now()
	for i := range n {
		id := fmt.Sprintf("%016x", i+1)
		g := &grant{
			ID: id, ClientID: app.ClientID, HubID: p.HubID, UserID: p.UserID,
			Scopes: []string{"oauth", "crm.objects.contacts.read"}, Created: now,
			RefreshToken: fmt.Sprintf("na1-0000-0000-0000-0000-%012x", i+1),
		}
		st.Grants[id] = g
		// One install per portal and app in HubSpot; distinct keys stand in for distinct
		// portals so the map grows like the grants.
		st.Installs[installKey(app.ClientID, int64(i+2))] = &install{
			ClientID: app.ClientID,
			HubID:    int64(i + 2), Scopes: g.Scopes, InstalledAt: now,
		}
	}
	data, err := json.Marshal(st)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// benchChanges measures the cost of one change (an install is two: the code, then its
// exchange) on a persisted emulator that already holds n installs. The cost must not grow with
// n: compare the 1k and 100k results.
func benchChanges(b *testing.B, n int) {
	path := filepath.Join(b.TempDir(), "state.json")
	writeInstalls(b, path, n)
	e, err := New(Config{StatePath: path, Apps: []App{testApp()}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	hub := defaultHub(b, e)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		code, err := e.IssueCode(CodeRequest{
			ClientID: testClientID, HubID: hub, RedirectURI: testRedirect,
			Scopes: []string{"oauth", "crm.objects.contacts.read"},
		})
		if err != nil {
			b.Fatal(err)
		}
		benchPost(b, e, "/oauth/v3/token", codeForm(code).Encode())
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N), "ns/change")
}

func BenchmarkPersistedChange1k(b *testing.B)   { benchChanges(b, 1_000) }
func BenchmarkPersistedChange100k(b *testing.B) { benchChanges(b, 100_000) }

// BenchmarkCompactionPause100k measures how long a compaction holds the state lock with 100k
// installs: it copies the state (the encoding and the write happen without the lock).
func BenchmarkCompactionPause100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.json")
	writeInstalls(b, path, 100_000)
	e, err := New(Config{StatePath: path, Apps: []App{testApp()}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	b.ReportAllocs()
	for b.Loop() {
		e.c.view(func() { e.c.st.clone() })
	}
}

// BenchmarkInstallsPersisted32 runs installs (code, then exchange) from 32 goroutines at once,
// as wrk's 32 connections do against `hsemu serve`: concurrent changes share each journal
// write and fsync.
func BenchmarkInstallsPersisted32(b *testing.B) {
	e, _ := newTest(b, func(c *Config) { c.StatePath = filepath.Join(b.TempDir(), "state.json"); c.Clock = nil })
	hub := defaultHub(b, e)
	b.SetParallelism(32 / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			code, err := e.IssueCode(CodeRequest{
				ClientID: testClientID, HubID: hub, RedirectURI: testRedirect,
				Scopes: []string{"oauth", "crm.objects.contacts.read"},
			})
			if err != nil {
				b.Error(err)
				return
			}
			benchPost(b, e, "/oauth/v3/token", codeForm(code).Encode())
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "installs/s")
}
