package emulator

import (
	"encoding/json"
	"testing"
	"time"
)

// TestPatchEncodingMatchesJSON: the hand-written journal line is byte for byte what
// json.Marshal writes for the same statePatch, so replay reads it as before.
func TestPatchEncodingMatchesJSON(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 22, 40, 1, 123456789, time.UTC)
	east := time.FixedZone("x", 5*3600+1800)
	st := newState()
	st.Key, st.NextAppID, st.NextHubID = []byte("k\x00y"), 7, 9
	st.Codes["c1"] = &codeRecord{ClientID: "cid", HubID: 1, UserID: 2, RedirectURI: "http://localhost:3000/cb?a=1&b=<2>", Scopes: []string{"oauth", "crm\"x"}, Issued: unixNano(t0.UnixNano()), Expires: unixNano(t0.Add(time.Minute).UnixNano())}
	st.Codes["c\u2028é"] = &codeRecord{ClientID: "cid\n", Issued: unixNano(t0.In(east).UnixNano()), GrantID: "g1"}
	st.Spent[codeHash{1, 2}] = spentCode{ClientID: "cid<", HubID: 5, Expires: unixNano(t0.UnixNano()), GrantID: grantRef{0xab, 1}}
	st.Spent[codeHash{0xff}] = spentCode{ClientID: "cid", HubID: 6, Expires: 1}
	st.Grants["g1"] = &grant{ID: "g1", ClientID: "cid", HubID: 3, UserID: 4, Scopes: []string{}, Created: t0, RefreshToken: "na1-x", RefreshRevoked: true, AccessRevoked: true, RevokedAt: t0}
	st.Grants["g2"] = &grant{ID: "g2", ClientID: "c", ClientCredentials: true, Created: t0}
	st.Installs["cid/1"] = &install{ClientID: "cid", HubID: 1, Scopes: []string{"a"}, InstalledAt: t0}
	st.RevokedAccess["r1"] = t0
	st.Journal = []*journalEntry{{Offset: "o1", Action: "APP_INSTALL", ClientID: "cid", AppID: 1, HubID: 2, OccurredAt: t0}, {Offset: "o2", Action: "APP_UNINSTALL", OccurredAt: t0}}
	cases := map[string]change{
		"code":     {codes: []string{"c1"}},
		"codes":    {codes: []string{"c\u2028é", "c1", "c1", "gone"}},
		"grants":   {grants: []string{"g2", "g1", "nope"}},
		"spent":    {spent: []codeHash{{0xff}, {1, 2}, {1, 2}, {3}}},
		"install":  {installs: []string{"cid/1", "x/2"}},
		"revoked":  {revoked: []string{"r1", "r2"}},
		"journal":  {journal: 2},
		"meta":     {meta: true},
		"all":      {meta: true, codes: []string{"c1"}, spent: []codeHash{{1, 2}}, grants: []string{"g1"}, installs: []string{"cid/1"}, revoked: []string{"r1"}, journal: 1},
		"journal5": {journal: 5},
	}
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			want := legacyPatch(st, d)
			got := string(appendPatch(nil, st, &d))
			if got != want {
				t.Errorf("line\n got %s\nwant %s", got, want)
			}
			var p statePatch
			if err := decodeStrict([]byte(got), &p); err != nil {
				t.Errorf("decode: %v", err)
			}
		})
	}
}

// legacyPatch is the line json.Marshal writes for the records d names.
func legacyPatch(st *state, d change) string {
	var p statePatch
	if d.meta {
		p.Meta = &patchMeta{Key: st.Key, NextAppID: st.NextAppID, NextHubID: st.NextHubID, Apps: st.Apps, Portals: st.Portals}
	}
	if len(d.codes) > 0 {
		p.Codes = map[string]*codeRecord{}
		for _, k := range d.codes {
			p.Codes[k] = st.Codes[k]
		}
	}
	if len(d.spent) > 0 {
		p.Spent = map[codeHash]*spentCode{}
		for _, h := range d.spent {
			if sc, ok := st.Spent[h]; ok {
				p.Spent[h] = &sc
			} else {
				p.Spent[h] = nil
			}
		}
	}
	if len(d.grants) > 0 {
		p.Grants = map[string]*grant{}
		for _, k := range d.grants {
			p.Grants[k] = st.Grants[k]
		}
	}
	if len(d.installs) > 0 {
		p.Installs = map[string]*install{}
		for _, k := range d.installs {
			p.Installs[k] = st.Installs[k]
		}
	}
	if len(d.revoked) > 0 {
		p.RevokedAccess = map[string]*time.Time{}
		for _, k := range d.revoked {
			if v, ok := st.RevokedAccess[k]; ok {
				p.RevokedAccess[k] = &v
			} else {
				p.RevokedAccess[k] = nil
			}
		}
	}
	if n := min(d.journal, len(st.Journal)); n > 0 {
		p.Journal = st.Journal[len(st.Journal)-n:]
	}
	b, err := json.Marshal(&p)
	if err != nil {
		panic(err)
	}
	return string(b) + "\n"
}

// TestStateEncodingMatchesJSON: a snapshot is byte for byte what json.Marshal writes.
func TestStateEncodingMatchesJSON(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 22, 40, 1, 5, time.UTC)
	for _, st := range []*state{newState(), {Version: 2}} {
		if len(st.Codes) == 0 && st.Codes != nil {
			st.Generation, st.Key = 3, []byte("key")
			st.Apps = []*App{{ID: 1}}
			st.Codes["b"] = &codeRecord{ClientID: "c", Scopes: []string{"s"}, Issued: unixNano(t0.UnixNano()), Expires: unixNano(t0.UnixNano())}
			st.Codes["a"] = &codeRecord{ClientID: "c&", Expires: unixNano(t0.UnixNano()), GrantID: "g"}
			st.Grants["g"] = &grant{ID: "g", ClientID: "c", Created: t0, RefreshToken: "r"}
			st.Spent[codeHash{9}] = spentCode{ClientID: "c", HubID: 1, Expires: unixNano(t0.UnixNano()), GrantID: grantRef{1}}
			st.Spent[codeHash{0, 9}] = spentCode{ClientID: "c", HubID: 1, Expires: unixNano(t0.UnixNano())}
			st.RevokedAccess["z"], st.RevokedAccess["y"] = t0, t0.Add(time.Hour)
			st.Installs["c/1"] = &install{ClientID: "c", HubID: 1, InstalledAt: t0}
			st.Journal = []*journalEntry{{Offset: "o", Action: "APP_INSTALL", OccurredAt: t0}}
		}
		want, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeState(st)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("snapshot\n got %s\nwant %s", got, want)
		}
	}
	bad := newState()
	bad.Grants["x"] = &grant{ID: "x", Created: time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := encodeState(bad); err == nil {
		t.Error("a year past 9999 encoded; want the error json.Marshal gives")
	}
}
