package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hsemu/hsemu/emulator"
)

// The state store's cost per change, against how much the state already holds. An install
// here is what each "Grant access" plus code exchange leaves in the state: a code (single-use,
// kept until it expires) and a grant with its refresh token. Run with
//
//	go test -run '^$' -bench StoreChange ./emulator
//
// Each sub-benchmark fills a state file with N installs through the exported API (IssueCode,
// then POST /oauth/v3/token through the handler), then times one more change: IssueCode, which
// returns only once the new code is on disk. A store whose cost per change does not grow with
// the state shows the same ns/op at 1k and at 100k; "state-MB" is the file's size after the
// fill.

const (
	storeBenchClient   = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
	storeBenchSecret   = "store-bench-secret-9d8c7b6a"
	storeBenchRedirect = "http://localhost:3000/oauth-callback"
)

func BenchmarkStoreChange(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("installs=%dk", n/1000), func(b *testing.B) { benchStoreChange(b, n) })
	}
}

func benchStoreChange(b *testing.B, installs int) {
	path := filepath.Join(b.TempDir(), "state.json")
	em, err := emulator.New(emulator.Config{
		StatePath: path,
		Apps: []emulator.App{{
			Name: "store bench", ClientID: storeBenchClient, ClientSecret: storeBenchSecret,
			RedirectURLs: []string{storeBenchRedirect}, RequiredScopes: []string{"oauth", "crm.objects.contacts.read"},
		}},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { em.Close() })
	req := emulator.CodeRequest{
		ClientID: storeBenchClient, HubID: em.Portals()[0].HubID,
		RedirectURI: storeBenchRedirect, Scopes: []string{"oauth", "crm.objects.contacts.read"},
	}

	fillInstalls(b, em, req, installs)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}

	b.ReportAllocs()
	for b.Loop() {
		if _, err := em.IssueCode(req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(fi.Size())/1e6, "state-MB")
}

// fillInstalls makes n installs from many goroutines at once, so that the store's group
// commit writes the file once per batch rather than once per change (else the fill alone
// would take hours at 100k with a store that rewrites the whole file).
func fillInstalls(b *testing.B, em *emulator.Emulator, req emulator.CodeRequest, n int) {
	b.Helper()
	workers := min(n, 4096)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := install(em, req); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// install is one "Grant access" and its code exchange.
func install(em *emulator.Emulator, req emulator.CodeRequest) error {
	code, err := em.IssueCode(req)
	if err != nil {
		return fmt.Errorf("issue code: %w", err)
	}
	form := url.Values{
		"grant_type": {"authorization_code"}, "client_id": {req.ClientID},
		"client_secret": {storeBenchSecret}, "redirect_uri": {req.RedirectURI}, "code": {code},
	}
	r := httptest.NewRequest(http.MethodPost, "/oauth/v3/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	em.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		return fmt.Errorf("exchange: status %d: %s", w.Code, w.Body)
	}
	return nil
}
