package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// installApp exchanges a fresh code and returns the refresh and access tokens.
func installApp(t *testing.T, e *Emulator) (refresh, access string) {
	t.Helper()
	tok := exchange(t, e)
	return tok["refresh_token"].(string), tok["access_token"].(string)
}

func TestUninstall(t *testing.T) {
	tests := []struct {
		name     string
		clientID string
		hub      func(e *Emulator) int64
		install  bool
		want     error
	}{
		{name: "installed", clientID: testClientID, hub: func(e *Emulator) int64 { return e.Portals()[0].HubID }, install: true},
		{name: "not installed", clientID: testClientID, hub: func(e *Emulator) int64 { return e.Portals()[0].HubID }, want: ErrNotInstalled},
		{name: "unknown app", clientID: "nope", hub: func(e *Emulator) int64 { return e.Portals()[0].HubID }, install: true, want: ErrUnknownClient},
		{name: "unknown portal", clientID: testClientID, hub: func(*Emulator) int64 { return 99 }, install: true, want: ErrUnknownPortal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newTest(t)
			var rt string
			if tt.install {
				rt, _ = installApp(t, e)
			}
			err := e.Uninstall(tt.clientID, tt.hub(e))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Uninstall = %v; want %v", err, tt.want)
			}
			if tt.install && tt.want != nil {
				if w := postForm(e, "/oauth/v3/token", refreshForm(rt)); w.Code != http.StatusOK {
					t.Errorf("a failed uninstall broke the refresh token: %d %s", w.Code, w.Body)
				}
			}
		})
	}
}

func TestUninstallRevokesTokens(t *testing.T) {
	e, _ := newTest(t)
	rt, at := installApp(t, e)
	hub := defaultHub(t, e)
	if !e.Installed(testClientID, hub) {
		t.Fatal("not installed after the exchange")
	}
	if err := e.Uninstall(testClientID, hub); err != nil {
		t.Fatal(err)
	}
	if e.Installed(testClientID, hub) {
		t.Error("still installed after Uninstall")
	}
	w := postForm(e, "/oauth/v3/token", refreshForm(rt))
	if m := decode(t, w); w.Code != http.StatusBadRequest || m["status"] != "BAD_REFRESH_TOKEN" || m["error"] != "invalid_grant" {
		t.Errorf("refresh after uninstall: %d %v; want 400 BAD_REFRESH_TOKEN invalid_grant", w.Code, m)
	}
	if w := do(e, bearer("/account-info/v3/details", at)); w.Code != http.StatusUnauthorized {
		t.Errorf("access token after uninstall: %d; want 401", w.Code)
	}
	if err := e.Uninstall(testClientID, hub); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("second Uninstall = %v; want ErrNotInstalled", err)
	}
	// A new install works again.
	rt2, _ := installApp(t, e)
	if w := postForm(e, "/oauth/v3/token", refreshForm(rt2)); w.Code != http.StatusOK {
		t.Errorf("refresh after reinstall: %d %s", w.Code, w.Body)
	}
	if !e.Installed(testClientID, hub) {
		t.Error("not installed after the reinstall")
	}
	if j := e.c.journalOf(testClientID, hub); len(j) != 3 || j[2].Action != "APP_INSTALL" {
		t.Errorf("journal after reinstall = %+v; want APP_INSTALL, APP_UNINSTALL, APP_INSTALL", j)
	}
}

func TestExternalUninstall(t *testing.T) {
	for _, path := range []string{"/appinstalls/v3/external-install", "/appinstalls/2026-03/external-install"} {
		t.Run(path, func(t *testing.T) {
			e, _ := newTest(t)
			rt, at := installApp(t, e)
			req := bearer(path, at)
			req.Method = http.MethodDelete
			if w := do(e, req); w.Code != http.StatusNoContent || w.Body.Len() != 0 {
				t.Fatalf("DELETE: %d %q; want 204 with no body", w.Code, w.Body)
			}
			if w := postForm(e, "/oauth/v3/token", refreshForm(rt)); w.Code != http.StatusBadRequest {
				t.Errorf("refresh after uninstall: %d; want 400", w.Code)
			}
			again := bearer(path, at)
			again.Method = http.MethodDelete
			if w := do(e, again); w.Code != http.StatusUnauthorized {
				t.Errorf("second DELETE with the revoked token: %d; want 401", w.Code)
			}
			none := bearer(path, "")
			none.Method = http.MethodDelete
			if w := do(e, none); w.Code != http.StatusUnauthorized {
				t.Errorf("DELETE without a token: %d; want 401", w.Code)
			}
		})
	}
}

func TestAdminUninstall(t *testing.T) {
	e, _ := newTest(t)
	installApp(t, e)
	hub := defaultHub(t, e)
	tests := []struct {
		name, body string
		want       int
		wantInMsg  string
	}{
		{"empty", ``, http.StatusBadRequest, "empty body"},
		{"not JSON", `clientId=x`, http.StatusBadRequest, "not valid JSON"},
		{"unknown field", `{"client":"x"}`, http.StatusBadRequest, "unknown field"},
		{"no client", `{"hubId":` + itoa(hub) + `}`, http.StatusBadRequest, "clientId is missing"},
		{"no hub", `{"clientId":"` + testClientID + `"}`, http.StatusBadRequest, "hubId"},
		{"unknown client", `{"clientId":"nope","hubId":` + itoa(hub) + `}`, http.StatusNotFound, "unknown client_id"},
		{"ok", `{"clientId":"` + testClientID + `","hubId":` + itoa(hub) + `}`, http.StatusNoContent, ""},
		{"again", `{"clientId":"` + testClientID + `","hubId":` + itoa(hub) + `}`, http.StatusNotFound, "not installed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/_hsemu/uninstall", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			w := do(e, req)
			if w.Code != tt.want {
				t.Fatalf("status %d %s; want %d", w.Code, w.Body, tt.want)
			}
			if tt.wantInMsg != "" {
				if msg, _ := decode(t, w)["message"].(string); !strings.Contains(msg, tt.wantInMsg) {
					t.Errorf("message %q; want it to contain %q", msg, tt.wantInMsg)
				}
			}
		})
	}
}

// appToken returns a client-credentials token with scope (none when "").
func appToken(t *testing.T, e *Emulator, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {testClientID}, "client_secret": {testSecret}}
	if scope != "" {
		form.Set("scope", scope)
	}
	w := postForm(e, "/oauth/v3/token", form)
	if w.Code != http.StatusOK {
		t.Fatalf("client credentials: %d %s", w.Code, w.Body)
	}
	return decode(t, w)["access_token"].(string)
}

func TestJournal(t *testing.T) {
	e, _ := newTest(t)
	_, userToken := installApp(t, e)
	hub := defaultHub(t, e)
	if err := e.Uninstall(testClientID, hub); err != nil {
		t.Fatal(err)
	}
	tok := appToken(t, e, "developer.webhooks_journal.read")

	fetch := func(path, tok string) (*httptest.ResponseRecorder, map[string]any) {
		w := do(e, bearer(path, tok))
		if w.Code != http.StatusOK {
			return w, nil
		}
		return w, decode(t, w)
	}
	entry := func(m map[string]any) map[string]any {
		u, err := url.Parse(m["url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		w := do(e, httptest.NewRequest(http.MethodGet, u.RequestURI(), nil))
		if w.Code != http.StatusOK {
			t.Fatalf("journal file: %d %s", w.Code, w.Body)
		}
		var got []map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || len(got) != 1 {
			t.Fatalf("journal file %s: %v", w.Body, err)
		}
		return got[0]
	}

	w, latest := fetch("/webhooks-journal/journal/2026-03/latest", tok)
	if latest == nil {
		t.Fatalf("latest: %d %s", w.Code, w.Body)
	}
	for _, k := range []string{"currentOffset", "expiresAt", "url"} {
		if _, ok := latest[k]; !ok {
			t.Errorf("latest has no %s: %v", k, latest)
		}
	}
	if got := entry(latest); got["action"] != "APP_UNINSTALL" || got["eventTypeId"] != "4-1916193" || got["subscriptionType"] != "APP_LIFECYCLE_EVENT" || got["portalId"] != float64(hub) {
		t.Errorf("latest entry %v; want APP_UNINSTALL of hub %d", got, hub)
	}

	// The install came before: it is not "next" after the uninstall, and nothing is.
	if w, _ := fetch("/webhooks-journal/journal/2026-03/offset/"+latest["currentOffset"].(string)+"/next", tok); w.Code != http.StatusNotFound {
		t.Errorf("next after the latest: %d; want 404", w.Code)
	}
	entries := e.c.journalOf(testClientID, 0)
	if len(entries) != 2 || entries[0].Action != "APP_INSTALL" {
		t.Fatalf("journal = %+v; want APP_INSTALL then APP_UNINSTALL", entries)
	}
	w, next := fetch("/webhooks-journal/journal/2026-03/offset/"+entries[0].Offset+"/next", tok)
	if next == nil || next["currentOffset"] != latest["currentOffset"] {
		t.Errorf("next after the install: %d %v; want the uninstall", w.Code, next)
	}
	w = do(e, httptest.NewRequest(http.MethodGet, "/_hsemu/webhooks-journal/files/"+entries[0].Offset, nil))
	var installed []map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &installed); err != nil || len(installed) != 1 || installed[0]["eventTypeId"] != "4-1909196" {
		t.Errorf("install entry: %d %s; want eventTypeId 4-1909196", w.Code, w.Body)
	}

	denied := []struct {
		name, tok string
		want      int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"user token", userToken, http.StatusUnauthorized}, // revoked by the uninstall
		{"app token without the journal scope", appToken(t, e, ""), http.StatusForbidden},
	}
	for _, d := range denied {
		if w, _ := fetch("/webhooks-journal/journal/2026-03/latest", d.tok); w.Code != d.want {
			t.Errorf("%s: %d; want %d", d.name, w.Code, d.want)
		}
	}
	if w, _ := fetch("/webhooks-journal/journal/2026-03/latest?installPortalId=abc", tok); w.Code != http.StatusBadRequest {
		t.Errorf("bad installPortalId: %d; want 400", w.Code)
	}
	if w, _ := fetch("/webhooks-journal/journal/2026-03/latest?installPortalId=99", tok); w.Code != http.StatusNotFound {
		t.Errorf("portal without entries: %d; want 404", w.Code)
	}
	if w := do(e, httptest.NewRequest(http.MethodGet, "/_hsemu/webhooks-journal/files/nope", nil)); w.Code != http.StatusNotFound {
		t.Errorf("unknown journal file: %d; want 404", w.Code)
	}
}

func TestUninstallPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e, _ := newTest(t, func(c *Config) { c.StatePath = path })
	rt, _ := installApp(t, e)
	hub := defaultHub(t, e)
	if err := e.Uninstall(testClientID, hub); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	again, _ := newTest(t, func(c *Config) { c.StatePath = path })
	if again.Installed(testClientID, hub) {
		t.Error("installed again after a restart")
	}
	if w := postForm(again, "/oauth/v3/token", refreshForm(rt)); w.Code != http.StatusBadRequest {
		t.Errorf("refresh after restart: %d; want 400 BAD_REFRESH_TOKEN", w.Code)
	}
	if got := again.c.journalOf(testClientID, hub); len(got) != 2 || got[1].Action != "APP_UNINSTALL" {
		t.Errorf("journal after restart = %+v; want APP_INSTALL, APP_UNINSTALL", got)
	}
}
