package emulator

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// TestHelperStateWriter is not a test: TestKillWriterMidWrite runs it in a subprocess that
// redeems codes in a loop and prints each refresh token once it is handed out.
func TestHelperStateWriter(t *testing.T) {
	path := os.Getenv("HSEMU_TEST_STATE_WRITER")
	if path == "" {
		t.Skip("helper process for TestKillWriterMidWrite")
	}
	e, err := New(Config{StatePath: path, Apps: []App{testApp()}})
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

func TestKillWriterMidWrite(t *testing.T) {
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
	waited := false
	t.Cleanup(func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	sc := bufio.NewScanner(out)
	var last string
	for n := 0; n < 40 && sc.Scan(); {
		line := sc.Text()
		if strings.HasPrefix(line, "error:") {
			t.Fatalf("writer: %s", line)
		}
		if tok, ok := strings.CutPrefix(line, "token "); ok {
			last = tok
			n++
		}
	}
	if last == "" {
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
	if w := postForm(e, "/oauth/v3/token", refreshForm(last)); w.Code != 200 {
		t.Errorf("last refresh token handed out before the kill: %d %s; want 200", w.Code, w.Body)
	}
	if left, _ := filepath.Glob(path + ".tmp-*"); len(left) != 0 {
		t.Errorf("temp files left after load: %v", left)
	}
}
