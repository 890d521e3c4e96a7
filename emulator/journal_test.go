package emulator

import (
	"path/filepath"
	"sync"
	"testing"
)

// TestConcurrentFlushesAcrossCompactions: installs from many goroutines at once, with a
// compaction after nearly every change, so that flushes overlap each other and the switch to a
// new journal file; every change acknowledged must be there after a restart, and no flush may
// fail on a file the switch closed. Both ways of acknowledging (Config.StateSync).
func TestConcurrentFlushesAcrossCompactions(t *testing.T) {
	defer func(m, f int64) { compactMin, compactFactor = m, f }(compactMin, compactFactor)
	compactMin, compactFactor = 0, 1
	for _, mode := range []SyncMode{SyncWrite, SyncFlush} {
		t.Run(string(mode), func(t *testing.T) { concurrentFlushes(t, mode) })
	}
}

func concurrentFlushes(t *testing.T, mode SyncMode) {
	path := filepath.Join(t.TempDir(), "state.json")
	e, _ := newTest(t, func(c *Config) { c.StatePath, c.StateSync = path, mode })
	var (
		mu     sync.Mutex
		tokens []string
		wg     sync.WaitGroup
	)
	for range 8 {
		wg.Go(func() {
			for range 15 {
				code, err := e.IssueCode(CodeRequest{
					ClientID: testClientID, HubID: e.Portals()[0].HubID, RedirectURI: testRedirect,
					Scopes: []string{"oauth", "crm.objects.contacts.read"},
				})
				if err != nil {
					t.Error(err)
					return
				}
				w := postForm(e, "/oauth/v3/token", codeForm(code))
				if w.Code != 200 {
					t.Errorf("exchange: %d %s", w.Code, w.Body)
					return
				}
				mu.Lock()
				tokens = append(tokens, decode(t, w)["refresh_token"].(string))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	e.Close()
	e2, _ := newTest(t, func(c *Config) { c.StatePath = path })
	for i, tok := range tokens {
		if w := postForm(e2, "/oauth/v3/token", refreshForm(tok)); w.Code != 200 {
			t.Errorf("refresh token %d of %d after restart: %d %s", i+1, len(tokens), w.Code, w.Body)
		}
	}
}
