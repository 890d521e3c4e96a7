package emulator

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestRestartKeepsState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "state.json")
	clk := newFakeClock()
	generated := App{UID: "gen", Name: "generated", RedirectURLs: []string{testRedirect}, RequiredScopes: []string{"oauth"}}
	open := func() *Emulator {
		e, err := New(Config{StatePath: path, Clock: clk.Now, Apps: []App{testApp(), generated}})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return e
	}
	e1 := open()
	genApp, _ := e1.AppByUID("gen")
	tok := exchange(t, e1)
	replayed := issue(t, e1)
	if w := postForm(e1, "/oauth/v3/token", codeForm(replayed)); w.Code != 200 {
		t.Fatal(w.Body)
	}
	pending := issue(t, e1)
	hub := defaultHub(t, e1)
	// No Close: a crash right after the responses must lose nothing.

	e2 := open()
	defer e2.Close()
	if got := e2.Portals(); len(got) != 1 || got[0].HubID != hub {
		t.Errorf("portals after restart %v; want the one portal %d (no second default)", got, hub)
	}
	if again, _ := e2.AppByUID("gen"); again.ClientID != genApp.ClientID || again.ClientSecret != genApp.ClientSecret || again.ID != genApp.ID {
		t.Errorf("generated app after restart %+v; want the same credentials as %+v", again, genApp)
	}
	w := postForm(e2, "/oauth/v3/token", refreshForm(tok["refresh_token"].(string)))
	if w.Code != 200 || decode(t, w)["refresh_token"] != tok["refresh_token"] {
		t.Errorf("refresh after restart: %d %s", w.Code, w.Body)
	}
	if w := do(e2, bearer("/account-info/v3/details", tok["access_token"].(string))); w.Code != 200 {
		t.Errorf("access token after restart: %d %s", w.Code, w.Body)
	}
	if w := postForm(e2, "/oauth/v3/token", codeForm(pending)); w.Code != 200 {
		t.Errorf("code issued before restart: %d %s", w.Code, w.Body)
	}
	if w := postForm(e2, "/oauth/v3/token", codeForm(replayed)); w.Code != 400 {
		t.Errorf("code redeemed before restart: %d; want 400 BAD_AUTH_CODE", w.Code)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v (%v); want 0600, it holds secrets", st.Mode(), err)
	}
	e1.Close()
}

func TestCorruptStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	for _, content := range []string{`{"version":1,"apps":[`, `{"version":99}`, `not json`} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := New(Config{StatePath: path})
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("state %q: error %v; want one naming %s", content, err, path)
		}
	}
}

// TestHelperStateWriter is not a test: TestKillWriter runs it in a subprocess that redeems
// codes in a loop and prints each refresh token once it is handed out. With
// HSEMU_TEST_COMPACT=1 it compacts whenever the journal outgrows the snapshot, so the kill often
// lands during a compaction.
func TestHelperStateWriter(t *testing.T) {
	path := os.Getenv("HSEMU_TEST_STATE_WRITER")
	if path == "" {
		t.Skip("helper process for TestKillWriter")
	}
	if os.Getenv("HSEMU_TEST_COMPACT") == "1" {
		compactMin, compactFactor = 0, 1
	}
	e, err := New(Config{StatePath: path, StateSync: SyncMode(os.Getenv("HSEMU_TEST_SYNC")), Apps: []App{testApp()}})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	for {
		code, err := e.IssueCode(CodeRequest{
			ClientID: testClientID, HubID: e.Portals()[0].HubID, RedirectURI: testRedirect,
			Scopes: []string{"oauth", "crm.objects.contacts.read"},
		})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		w := postForm(e, "/oauth/v3/token", codeForm(code))
		if w.Code != http.StatusOK {
			fmt.Println("error:", w.Body.String())
			os.Exit(3)
		}
		fmt.Println("token", decode(t, w)["refresh_token"])
	}
}

// TestKillWriter kills a process that is saving changes as fast as it can, with SIGKILL, then
// checks that every refresh token it handed out before still works: once plainly (the kill
// lands in a journal append) and once compacting constantly (the kill lands in a snapshot
// write, between the snapshot and the journal switch, or in the deletion of old journals). Both
// ways of acknowledging (Config.StateSync): once written, and once flushed.
func TestKillWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	for _, tc := range []struct {
		name    string
		compact bool
		sync    SyncMode
	}{{"journal", false, SyncWrite}, {"compacting", true, SyncWrite}, {"journal-flush", false, SyncFlush}, {"compacting-flush", true, SyncFlush}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HSEMU_TEST_SYNC", string(tc.sync))
			path := filepath.Join(t.TempDir(), "state.json")
			var tokens []string
			for round := range 3 { // the same files, killed again and again
				tokens = killWriterOnce(t, path, tc.compact, tokens, 30+round*17)
			}
			if tc.compact {
				var snap struct{ Generation uint64 }
				data, _ := os.ReadFile(path)
				if err := json.Unmarshal(data, &snap); err != nil || snap.Generation < 4 {
					t.Errorf("snapshot generation %d (%v); want several compactions", snap.Generation, err)
				}
			}
		})
	}
}

// killWriterOnce runs the writer on path until it handed out `after` tokens, kills it, and
// checks that the tokens of this run and of earlier ones work; it returns them all.
func killWriterOnce(t *testing.T, path string, compact bool, earlier []string, after int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStateWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), "HSEMU_TEST_STATE_WRITER="+path)
	if compact {
		cmd.Env = append(cmd.Env, "HSEMU_TEST_COMPACT=1")
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := false
	t.Cleanup(func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	sc := bufio.NewScanner(out)
	tokens := earlier
	for len(tokens) < len(earlier)+after && sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "error:") {
			t.Fatalf("writer: %s", line)
		}
		if tok, ok := strings.CutPrefix(line, "token "); ok {
			tokens = append(tokens, tok)
		}
	}
	if len(tokens) == len(earlier) {
		t.Fatalf("writer printed no token: %v", sc.Err())
	}
	// The writer is busy writing; kill it without warning.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waited = true

	e, err := New(Config{StatePath: path, Apps: []App{testApp()}})
	if err != nil {
		t.Fatalf("state after SIGKILL does not load: %v", err)
	}
	defer e.Close()
	for i, tok := range tokens {
		if w := postForm(e, "/oauth/v3/token", refreshForm(tok)); w.Code != 200 {
			t.Errorf("refresh token %d of %d handed out before the kill: %d %s; want 200", i+1, len(tokens), w.Code, w.Body)
		}
	}
	if left, _ := filepath.Glob(path + ".tmp-*"); len(left) != 0 {
		t.Errorf("temp files left after load: %v", left)
	}
	return tokens
}

// TestKillAtEachCompactionStep copies the state files after each step of background
// compactions, as a kill at that instant would leave them, and checks that every copy loads
// with every refresh token handed out before the copy began.
func TestKillAtEachCompactionStep(t *testing.T) {
	defer func(m, f int64) { compactMin, compactFactor = m, f }(compactMin, compactFactor)
	compactMin, compactFactor = 0, 1
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	e, _ := newTest(t, func(c *Config) { c.StatePath = path; c.Clock = nil })

	type copyAt struct {
		step, dir string
		acked     int // tokens handed out before the copy began
	}
	var (
		mu     sync.Mutex
		tokens []string
		copies []copyAt
	)
	e.c.compactStep = func(step string) {
		mu.Lock()
		acked := len(tokens)
		mu.Unlock()
		to := t.TempDir()
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue // deleted meanwhile
			}
			if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), data, 0o600); err != nil {
				t.Error(err)
			}
		}
		mu.Lock()
		copies = append(copies, copyAt{step, to, acked})
		mu.Unlock()
	}
	for range 40 {
		rt := exchange(t, e)["refresh_token"].(string)
		mu.Lock()
		tokens = append(tokens, rt)
		mu.Unlock()
	}
	e.Close() // waits for a running compaction

	steps := map[string]int{}
	for _, c := range copies {
		steps[c.step]++
		e2, err := New(Config{StatePath: filepath.Join(c.dir, "state.json"), Apps: []App{testApp()}})
		if err != nil {
			t.Errorf("files copied after %q do not load: %v", c.step, err)
			continue
		}
		for i, rt := range tokens[:c.acked] {
			if w := postForm(e2, "/oauth/v3/token", refreshForm(rt)); w.Code != 200 {
				t.Errorf("after %q: refresh token %d of %d: %d %s", c.step, i+1, c.acked, w.Code, w.Body)
				break
			}
		}
		e2.Close()
	}
	if len(steps) != 4 {
		t.Errorf("compaction steps seen %v; want all four", steps)
	}
}

// TestUninstallAfterRestart: the grants of an install are found again after a restart (the
// index is rebuilt from the state), so uninstalling revokes tokens handed out before it.
func TestUninstallAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e, _ := newTest(t, func(c *Config) { c.StatePath = path })
	rt := exchange(t, e)["refresh_token"].(string)
	e.Close()
	e2, _ := newTest(t, func(c *Config) { c.StatePath = path })
	if err := e2.Uninstall(testClientID, defaultHub(t, e2)); err != nil {
		t.Fatal(err)
	}
	if w := postForm(e2, "/oauth/v3/token", refreshForm(rt)); w.Code != 400 {
		t.Errorf("refresh token of an install uninstalled after a restart: %d; want 400", w.Code)
	}
}

// TestStateInUse: a second hsemu process refuses a state file another one is using, rather
// than appending to (and compacting) the same journal.
func TestStateInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	path := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStateWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), "HSEMU_TEST_STATE_WRITER="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	sc := bufio.NewScanner(out)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "token ") {
		t.Fatalf("writer: %q %v", sc.Text(), sc.Err())
	}
	_, err = New(Config{StatePath: path, Apps: []App{testApp()}})
	if err == nil || !strings.Contains(err.Error(), "in use by another hsemu") {
		t.Errorf("New on a state file another process uses: %v; want it refused", err)
	}
}
