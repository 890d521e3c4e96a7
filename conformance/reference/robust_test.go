package reference

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestOversizedAndGarbageInput sends what the catalogue's robust/* checks send; nothing may answer
// 5xx or redirect off HubSpot.
func TestOversizedAndGarbageInput(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	state, _ := fx.signIn()
	long := "https://app.hubspot.com/return?x=" + strings.Repeat("a", 8<<10)
	for _, target := range []string{
		SeamlessPath + "?step=finalize&code=c&returnUrl=" + url.QueryEscape(long),
		PartnerPath + "?step=authorize&returnUrl=" + url.QueryEscape(long),
		PartnerPath + "?step=finalize&code=c&returnUrl=" + url.QueryEscape(testR2) + "&state=" + strings.Repeat("x", 4<<10),
		PartnerPath + "?step=finalize&code=c&returnUrl=" + url.QueryEscape(testR2) + "&state=" + state + "." + strings.Repeat("x", 4<<10),
		SeamlessPath + "?%00=%00&returnUrl=%ff%fe",
		PartnerPath + "?step=%E2%80%AE&returnUrl=" + url.QueryEscape(testR2),
		PartnerPath + "?;;;",
		"/nope",
		"/installs?x=" + strings.Repeat("y", 1000),
	} {
		resp := fx.getRaw(target)
		requireNot5xx(t, resp)
		requireFrameable(t, resp)
	}
	requireNoCalls(t, fx)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		rec := httptest.NewRecorder()
		fx.srv.ServeHTTP(rec, httptest.NewRequest(m, SeamlessPath, nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") == "" {
			t.Errorf("%s %s: status %d, Allow %q; want 405 with Allow", m, SeamlessPath, rec.Code, rec.Header().Get("Allow"))
		}
	}
}

// FuzzInstallEndpoints throws arbitrary queries and sign-in forms at the reference: it must
// never answer 5xx, never redirect anywhere but HubSpot, and never exchange without a verified
// state in the partner flow.
func FuzzInstallEndpoints(f *testing.F) {
	for _, seed := range []string{
		"step=finalize&code=c&returnUrl=" + url.QueryEscape(testR2),
		"step=authorize&returnUrl=" + url.QueryEscape(testR1),
		"step=finalize&code=c&state=a.b.c&returnUrl=" + url.QueryEscape(testR2),
		"returnUrl=//evil.example&step=finalize&code=x",
		"returnUrl=https://app.hubspot.com@evil.example&step=finalize",
		"step=finalize&step=authorize&returnUrl=%zz",
	} {
		f.Add(seed, "email=demo%40example.com&password=hsemu-demo&returnUrl="+url.QueryEscape(testR1))
	}
	fx := newFixture(f, "", PartnerPath, func(c *Config) { c.ExchangeTimeout = 50 * time.Millisecond })
	f.Fuzz(func(t *testing.T, query, form string) {
		check := func(resp *http.Response, what string) {
			if resp.StatusCode >= 500 {
				t.Fatalf("%s: status %d", what, resp.StatusCode)
			}
			if loc := resp.Header.Get("Location"); loc != "" {
				u, err := url.Parse(loc)
				if err != nil || u.Scheme != "https" || !hubspotAppHost.MatchString(strings.ToLower(u.Host)) || u.User != nil || u.Port() != "" {
					t.Fatalf("%s: redirected off HubSpot to %q", what, loc)
				}
			}
		}
		before := len(fx.tokenRequests())
		check(serveGet(fx.srv, PartnerPath+"?"+query), "partner "+query)
		if len(fx.tokenRequests()) != before {
			t.Fatalf("partner %s: exchanged without a state this server issued", query)
		}
		check(serveGet(fx.srv, SeamlessPath+"?"+query), "seamless "+query)
		req := httptest.NewRequest(http.MethodPost, LoginPath, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		fx.srv.ServeHTTP(rec, req)
		check(rec.Result(), "login "+form)
	})
}

// TestConcurrentInstalls runs many partner installs at once; under -race it checks the stores.
func TestConcurrentInstalls(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	const n = 32
	states := make([]string, n)
	for i := range states {
		states[i], _ = fx.signIn()
	}
	var wg sync.WaitGroup
	codes := make(chan int, n)
	for i := range n {
		wg.Add(2)
		go func() { // the install and a racing replay of its state
			defer wg.Done()
			resp := fx.finalize("code-"+string(rune('A'+i)), states[i])
			codes <- resp.StatusCode
		}()
		go func() {
			defer wg.Done()
			fx.finalize("replay-"+string(rune('A'+i)), states[i])
		}()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusSeeOther {
			t.Errorf("status %d; want 303", c)
		}
	}
	if got := len(fx.tokenRequests()); got != n {
		t.Errorf("%d token requests for %d states each sent twice; want %d (each state used once)", got, n, n)
	}
}

func TestStoresStayBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := newStateStore(100)
	ss := newSessionStore(100)
	for i := range 1000 {
		id := strconv.Itoa(i)
		st.put(id, &stateRecord{token: id, expires: now.Add(time.Minute)}, now)
		ss.put(id, "u", now)
		if len(st.byID) > 100 || len(ss.byID) > 100 {
			t.Fatalf("after %d puts: %d states, %d sessions; want at most 100", i+1, len(st.byID), len(ss.byID))
		}
	}
	// The newest entry always survives.
	if _, err := st.redeem("999", true, func(*stateRecord) error { return nil }); err != nil {
		t.Errorf("newest state forgotten: %v", err)
	}
	if _, ok := ss.user("999", now); !ok {
		t.Error("newest session forgotten")
	}
	is := newInstallStore(10)
	for i := range 50 {
		is.link(installRecord{Install: Install{HubID: int64(i), At: now.Add(time.Duration(i) * time.Second)}})
	}
	if got := is.list(); len(got) != 10 || got[0].HubID != 40 {
		t.Errorf("installs kept %d, oldest hub %d; want the 10 newest (40…49)", len(got), got[0].HubID)
	}
	cl := newCodeLog(10)
	for i := range 50 {
		cl.insert(strconv.Itoa(i))
	}
	if len(cl.seen) > 10 || !cl.insert("49") {
		t.Errorf("code log holds %d codes or forgot the newest", len(cl.seen))
	}
}
