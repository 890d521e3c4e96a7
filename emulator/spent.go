package emulator

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// A code HubSpot handed out is kept whole only while it can still be redeemed. Once redeemed,
// or once expired, what its answers still need is kept instead, a tombstone (spentCode) under a
// hash of the code: its app and portal (a code presented by another app is unknown to it), its
// expiry (EXPIRED_AUTH_CODE says how long ago) and the grant its redemption created (a replay
// revokes it, switch revoke-on-code-reuse). Tombstones are dropped codeGrace after the code's
// expiry, as whole codes were; after that a code answers BAD_AUTH_CODE.
//
// Memory (BenchmarkCodeMemory): a live code costs about its record, its key and its place in
// codeOrder; a tombstone a fixed 16-byte key and 40-byte value in a map without code strings.

// codeHash names a spent code: the first 16 bytes of the code's SHA-256. Written as 32 hex
// digits in the state file.
type codeHash [16]byte

func hashCode(code string) codeHash {
	sum := sha256.Sum256([]byte(code))
	return codeHash(sum[:16])
}

func (h codeHash) MarshalText() ([]byte, error) { return hex.AppendEncode(nil, h[:]), nil }

func (h *codeHash) UnmarshalText(b []byte) error { return unmarshalHex(h[:], b, "code hash") }

// unmarshalHex decodes b, exactly 2*len(dst) hex digits, into dst; what names it in errors.
func unmarshalHex(dst, b []byte, what string) error {
	if len(b) != 2*len(dst) {
		return fmt.Errorf("%s %q is not %d hex digits", what, b, 2*len(dst))
	}
	if _, err := hex.Decode(dst, b); err != nil {
		return fmt.Errorf("%s %q: %w", what, b, err)
	}
	return nil
}

// spentCode is the tombstone of a redeemed or expired code.
type spentCode struct {
	ClientID string   `json:"clientId"` // the app's own string, shared by its tombstones
	HubID    int64    `json:"hubId"`
	Expires  unixNano `json:"expires"`
	// GrantID is the grant the redemption created; zero for a code that expired unredeemed.
	GrantID grantRef `json:"grantId,omitzero"`
}

// unixNano is a time as nanoseconds since 1970, written as time.Time writes itself (in UTC):
// 8 bytes where a time.Time takes 24. The zero time.Time reads as 0.
type unixNano int64

func (t unixNano) time() time.Time { return time.Unix(0, int64(t)).UTC() }

func (t unixNano) MarshalJSON() ([]byte, error) {
	b, err := t.time().MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("time: %w", err)
	}
	return b, nil
}

func (t *unixNano) UnmarshalJSON(b []byte) error {
	var tt time.Time
	if err := json.Unmarshal(b, &tt); err != nil {
		return fmt.Errorf("time: %w", err)
	}
	if tt.IsZero() {
		*t = 0
		return nil
	}
	if y := tt.Year(); y < 1678 || y > 2261 { // what nanoseconds since 1970 hold in an int64
		return fmt.Errorf("time %s is out of range", tt.Format(time.RFC3339))
	}
	*t = unixNano(tt.UnixNano())
	return nil
}

// grantRef is a grant ID (16 hex digits) as its 8 bytes.
type grantRef [8]byte

func (g grantRef) String() string { return hex.EncodeToString(g[:]) }

func (g grantRef) MarshalText() ([]byte, error) { return hex.AppendEncode(nil, g[:]), nil }

func (g *grantRef) UnmarshalText(b []byte) error { return unmarshalHex(g[:], b, "grant id") }

func parseGrantRef(id string) (grantRef, error) {
	var g grantRef
	return g, g.UnmarshalText([]byte(id))
}

// spendCode replaces live code c (record r) by its tombstone; grantID is the grant its
// redemption created, "" for an expired code. The caller journals the change (touchCode,
// touchSpent) where it is one.
func (s *state) spendCode(c string, r *codeRecord, grantID string) (codeHash, error) {
	sc := spentCode{ClientID: r.ClientID, HubID: r.HubID, Expires: r.Expires}
	if grantID != "" {
		g, err := parseGrantRef(grantID)
		if err != nil {
			return codeHash{}, err
		}
		sc.GrantID = g
	}
	if a := s.appByClientID(r.ClientID); a != nil {
		sc.ClientID = a.ClientID // one copy of the string for all of the app's tombstones
	}
	h := hashCode(c)
	delete(s.Codes, c)
	s.Spent[h] = sc
	s.spentOrder = append(s.spentOrder, h)
	return h, nil
}

// trimCodeOrder drops spent codes from codeOrder once they are most of it: codeOrder would
// keep a redeemed code's string until its expiry reaches the front.
func (s *state) trimCodeOrder() {
	if n := len(s.codeOrder); n > 1024 && n > 2*len(s.Codes) {
		s.codeOrder = slices.DeleteFunc(s.codeOrder, func(c string) bool { return s.Codes[c] == nil })
	}
}

// pruneCodes turns expired codes into tombstones and drops tombstones codeGrace past their
// code's expiry. Tombstones are dropped in the order they were made: one not yet due holds
// back those behind it, at most a code's lifetime (a code redeemed early expires late).
func (s *state) pruneCodes(now time.Time) {
	n := 0
	for _, c := range s.codeOrder {
		r := s.Codes[c]
		if r != nil {
			if now.Before(r.Expires.time()) {
				break
			}
			if _, err := s.spendCode(c, r, ""); err != nil {
				break // no grant: never fails
			}
		}
		n++
	}
	if n > 0 {
		s.codeOrder = slices.Delete(s.codeOrder, 0, min(n, len(s.codeOrder)))
	}
	m := 0
	for _, h := range s.spentOrder {
		if sc, ok := s.Spent[h]; ok && !now.After(sc.Expires.time().Add(codeGrace)) {
			break
		}
		delete(s.Spent, h)
		m++
	}
	if m > 0 {
		s.spentOrder = slices.Delete(s.spentOrder, 0, m)
	}
}

// indexCodes rebuilds codeOrder and spentOrder after a load, and turns the redeemed codes of
// a state file of version 2 (kept whole, with their grant) into tombstones.
func (s *state) indexCodes() {
	s.codeOrder = make([]string, 0, len(s.Codes))
	for c, r := range s.Codes {
		if r.GrantID != "" {
			if _, err := s.spendCode(c, r, r.GrantID); err == nil {
				continue
			}
		}
		s.codeOrder = append(s.codeOrder, c)
	}
	s.codeOrder = slices.DeleteFunc(s.codeOrder, func(c string) bool { return s.Codes[c] == nil })
	slices.SortFunc(s.codeOrder, func(a, b string) int { return cmp.Compare(s.Codes[a].Expires, s.Codes[b].Expires) })
	s.spentOrder = make([]codeHash, 0, len(s.Spent))
	for h := range s.Spent {
		s.spentOrder = append(s.spentOrder, h)
	}
	slices.SortFunc(s.spentOrder, func(a, b codeHash) int {
		if c := cmp.Compare(s.Spent[a].Expires, s.Spent[b].Expires); c != 0 {
			return c
		}
		return bytes.Compare(a[:], b[:])
	})
}

func checkSpent(h codeHash, sc *spentCode) error {
	switch {
	case sc == nil:
		return fmt.Errorf("spent[%x] is null", h)
	case sc.ClientID == "":
		return fmt.Errorf("spent[%x].clientId is empty", h)
	case sc.HubID <= 0:
		return fmt.Errorf("spent[%x].hubId is %d; want a positive number", h, sc.HubID)
	case sc.Expires == 0:
		return fmt.Errorf("spent[%x].expires is missing", h)
	}
	return nil
}
