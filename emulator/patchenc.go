package emulator

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// A journal line is written on every change, under the state lock, so its encoding is on the
// path of every request: the records a flow touches (codes, grants, installs, revocations,
// lifecycle entries) are encoded here by hand, without reflection, into the bytes json.Marshal
// would write for the same statePatch (TestPatchEncodingMatchesJSON), so replay decodes them as
// before. The rarely changed meta part still goes through json.Marshal.

// appendPatch appends the journal line (newline included) of the records d names in st.
func appendPatch(buf []byte, st *state, d *change) []byte {
	buf = append(buf, '{')
	first := true
	field := func(name string) {
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(buf, '"')
		buf = append(buf, name...)
		buf = append(buf, '"', ':')
	}
	if d.meta {
		field("meta")
		m, err := json.Marshal(&patchMeta{Key: st.Key, NextAppID: st.NextAppID, NextHubID: st.NextHubID, Apps: st.Apps, Portals: st.Portals})
		if err != nil { // the state's types always encode
			panic(fmt.Sprintf("encode state change: %v", err))
		}
		buf = append(buf, m...)
	}
	if len(d.codes) > 0 {
		field("codes")
		buf = appendRecords(buf, d.codes, st.Codes, appendCode)
	}
	if len(d.spent) > 0 {
		field("spent")
		buf = appendSpent(buf, d.spent, st.Spent)
	}
	if len(d.grants) > 0 {
		field("grants")
		buf = appendRecords(buf, d.grants, st.Grants, appendGrant)
	}
	if len(d.installs) > 0 {
		field("installs")
		buf = appendRecords(buf, d.installs, st.Installs, appendInstall)
	}
	if len(d.revoked) > 0 {
		field("revokedAccess")
		buf = append(buf, '{')
		for i, k := range sortedKeys(d.revoked) {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, k)
			buf = append(buf, ':')
			if t, ok := st.RevokedAccess[k]; ok {
				buf = appendJSONTime(buf, t)
			} else {
				buf = append(buf, "null"...)
			}
		}
		buf = append(buf, '}')
	}
	if n := min(d.journal, len(st.Journal)); n > 0 {
		field("journal")
		buf = append(buf, '[')
		for i, je := range st.Journal[len(st.Journal)-n:] {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJournalEntry(buf, je)
		}
		buf = append(buf, ']')
	}
	return append(buf, '}', '\n')
}

// sortedKeys sorts keys in place and drops repeats: json.Marshal writes a map's keys sorted.
func sortedKeys(keys []string) []string {
	slices.Sort(keys)
	return slices.Compact(keys)
}

// appendRecords appends the object {key: record or null} of keys, sorted.
func appendRecords[V any](buf []byte, keys []string, m map[string]*V, enc func([]byte, *V) []byte) []byte {
	buf = append(buf, '{')
	for i, k := range sortedKeys(keys) {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, k)
		buf = append(buf, ':')
		if r := m[k]; r != nil {
			buf = enc(buf, r)
		} else {
			buf = append(buf, "null"...)
		}
	}
	return append(buf, '}')
}

func appendCode(buf []byte, r *codeRecord) []byte {
	buf = append(buf, `{"clientId":`...)
	buf = appendJSONString(buf, r.ClientID)
	buf = append(buf, `,"hubId":`...)
	buf = strconv.AppendInt(buf, r.HubID, 10)
	buf = append(buf, `,"userId":`...)
	buf = strconv.AppendInt(buf, r.UserID, 10)
	buf = append(buf, `,"redirectUri":`...)
	buf = appendJSONString(buf, r.RedirectURI)
	buf = append(buf, `,"scopes":`...)
	buf = appendJSONStrings(buf, r.Scopes)
	buf = append(buf, `,"issued":`...)
	buf = appendJSONTime(buf, r.Issued.time())
	buf = append(buf, `,"expires":`...)
	buf = appendJSONTime(buf, r.Expires.time())
	if r.GrantID != "" {
		buf = append(buf, `,"grantId":`...)
		buf = appendJSONString(buf, r.GrantID)
	}
	return append(buf, '}')
}

// appendSpent appends the object {hash: tombstone or null} of hs, sorted (in place).
func appendSpent(buf []byte, hs []codeHash, m map[codeHash]spentCode) []byte {
	slices.SortFunc(hs, func(a, b codeHash) int { return bytes.Compare(a[:], b[:]) })
	hs = slices.Compact(hs)
	buf = append(buf, '{')
	for i, h := range hs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '"')
		buf = hex.AppendEncode(buf, h[:])
		buf = append(buf, '"', ':')
		sc, ok := m[h]
		if !ok {
			buf = append(buf, "null"...)
			continue
		}
		buf = append(buf, `{"clientId":`...)
		buf = appendJSONString(buf, sc.ClientID)
		buf = append(buf, `,"hubId":`...)
		buf = strconv.AppendInt(buf, sc.HubID, 10)
		buf = append(buf, `,"expires":`...)
		buf = appendJSONTime(buf, sc.Expires.time())
		if sc.GrantID != (grantRef{}) {
			buf = append(buf, `,"grantId":"`...)
			buf = hex.AppendEncode(buf, sc.GrantID[:])
			buf = append(buf, '"')
		}
		buf = append(buf, '}')
	}
	return append(buf, '}')
}

func appendGrant(buf []byte, g *grant) []byte {
	buf = append(buf, `{"id":`...)
	buf = appendJSONString(buf, g.ID)
	buf = append(buf, `,"clientId":`...)
	buf = appendJSONString(buf, g.ClientID)
	if g.HubID != 0 {
		buf = append(buf, `,"hubId":`...)
		buf = strconv.AppendInt(buf, g.HubID, 10)
	}
	if g.UserID != 0 {
		buf = append(buf, `,"userId":`...)
		buf = strconv.AppendInt(buf, g.UserID, 10)
	}
	buf = append(buf, `,"scopes":`...)
	buf = appendJSONStrings(buf, g.Scopes)
	buf = append(buf, `,"created":`...)
	buf = appendJSONTime(buf, g.Created)
	if g.ClientCredentials {
		buf = append(buf, `,"clientCredentials":true`...)
	}
	if g.RefreshToken != "" {
		buf = append(buf, `,"refreshToken":`...)
		buf = appendJSONString(buf, g.RefreshToken)
	}
	if g.RefreshRevoked {
		buf = append(buf, `,"refreshRevoked":true`...)
	}
	if g.AccessRevoked {
		buf = append(buf, `,"accessRevoked":true`...)
	}
	if !g.RevokedAt.IsZero() {
		buf = append(buf, `,"revokedAt":`...)
		buf = appendJSONTime(buf, g.RevokedAt)
	}
	return append(buf, '}')
}

func appendInstall(buf []byte, in *install) []byte {
	buf = append(buf, `{"clientId":`...)
	buf = appendJSONString(buf, in.ClientID)
	buf = append(buf, `,"hubId":`...)
	buf = strconv.AppendInt(buf, in.HubID, 10)
	buf = append(buf, `,"scopes":`...)
	buf = appendJSONStrings(buf, in.Scopes)
	buf = append(buf, `,"installedAt":`...)
	buf = appendJSONTime(buf, in.InstalledAt)
	return append(buf, '}')
}

func appendJournalEntry(buf []byte, je *journalEntry) []byte {
	if je == nil {
		return append(buf, "null"...)
	}
	buf = append(buf, `{"offset":`...)
	buf = appendJSONString(buf, je.Offset)
	buf = append(buf, `,"action":`...)
	buf = appendJSONString(buf, je.Action)
	buf = append(buf, `,"clientId":`...)
	buf = appendJSONString(buf, je.ClientID)
	buf = append(buf, `,"appId":`...)
	buf = strconv.AppendInt(buf, je.AppID, 10)
	buf = append(buf, `,"hubId":`...)
	buf = strconv.AppendInt(buf, je.HubID, 10)
	buf = append(buf, `,"occurredAt":`...)
	buf = appendJSONTime(buf, je.OccurredAt)
	return append(buf, '}')
}

func appendJSONStrings(buf []byte, ss []string) []byte {
	if ss == nil {
		return append(buf, "null"...)
	}
	buf = append(buf, '[')
	for i, s := range ss {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, s)
	}
	return append(buf, ']')
}

// appendJSONString appends s quoted as json.Marshal quotes it: printable ASCII other than
// the characters it escapes is copied; anything else goes through json.Marshal.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(buf, q...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

// encodeError is the panic of appendJSONTime for a time JSON cannot hold, turned back into an
// error by encodeState. A change never makes one: its times come from the clock.
type encodeError struct{ err error }

// appendJSONTime appends t as time.Time's MarshalJSON does (RFC 3339 with nanoseconds).
func appendJSONTime(buf []byte, t time.Time) []byte {
	if y := t.Year(); y < 0 || y >= 10000 { // MarshalJSON refuses these; keep its error
		q, err := json.Marshal(t)
		if err != nil {
			panic(encodeError{err})
		}
		return append(buf, q...)
	}
	buf = append(buf, '"')
	buf = t.AppendFormat(buf, time.RFC3339Nano)
	return append(buf, '"')
}

// encodeState encodes a snapshot as json.Marshal would (TestStateEncodingMatchesJSON), with
// the maps of records, which make up nearly all of it, encoded by hand.
func encodeState(s *state) (data []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			ee, ok := r.(encodeError)
			if !ok {
				panic(r)
			}
			data, err = nil, fmt.Errorf("encode state: %w", ee.err)
		}
	}()
	head, err := json.Marshal(struct {
		Version    int       `json:"version"`
		Generation uint64    `json:"generation,omitempty"`
		Key        []byte    `json:"key"`
		NextAppID  int64     `json:"nextAppId"`
		NextHubID  int64     `json:"nextHubId"`
		Apps       []*App    `json:"apps"`
		Portals    []*Portal `json:"portals"`
	}{s.Version, s.Generation, s.Key, s.NextAppID, s.NextHubID, s.Apps, s.Portals})
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	buf := make([]byte, 0, len(head)+200*(len(s.Codes)+len(s.Grants)+len(s.Installs)+len(s.Journal))+64*len(s.RevokedAccess)+64)
	buf = append(buf, head[:len(head)-1]...) // without its closing brace
	buf = append(buf, `,"codes":`...)
	buf = appendMap(buf, s.Codes, appendCode)
	if len(s.Spent) > 0 {
		buf = append(buf, `,"spent":`...)
		buf = appendSpent(buf, slices.Collect(maps.Keys(s.Spent)), s.Spent)
	}
	buf = append(buf, `,"grants":`...)
	buf = appendMap(buf, s.Grants, appendGrant)
	buf = append(buf, `,"revokedAccess":`...)
	if s.RevokedAccess == nil {
		buf = append(buf, "null"...)
	} else {
		keys := make([]string, 0, len(s.RevokedAccess))
		for k := range s.RevokedAccess {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		buf = append(buf, '{')
		for i, k := range keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, k)
			buf = append(buf, ':')
			buf = appendJSONTime(buf, s.RevokedAccess[k])
		}
		buf = append(buf, '}')
	}
	buf = append(buf, `,"installs":`...)
	buf = appendMap(buf, s.Installs, appendInstall)
	if len(s.Journal) > 0 {
		buf = append(buf, `,"journal":[`...)
		for i, je := range s.Journal {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJournalEntry(buf, je)
		}
		buf = append(buf, ']')
	}
	return append(buf, '}'), nil
}

// appendMap appends a whole map of records, keys sorted; nil is null.
func appendMap[V any](buf []byte, m map[string]*V, enc func([]byte, *V) []byte) []byte {
	if m == nil {
		return append(buf, "null"...)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return appendRecords(buf, keys, m, enc)
}
