package reference

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Install is a HubSpot portal the endpoint linked after a successful token exchange. Tokens are
// never exposed in full.
type Install struct {
	HubID  int64
	Flow   string // FlowSeamless or FlowPartner
	UserID string // the app user linked to the portal; "" for a seamless install
	// UserEmail is the linked user's email, when known.
	UserEmail string
	Scopes    []string
	At        time.Time
	// AccessTokenHint and RefreshTokenHint are redacted: the first 6 characters and the length.
	AccessTokenHint  string
	RefreshTokenHint string
}

// installRecord is what the endpoint keeps per portal; the tokens stay here.
type installRecord struct {
	Install
	accessToken  string
	refreshToken string
}

// installStore keeps the latest install per portal (hub ID), up to a bound.
type installStore struct {
	mu    sync.Mutex
	max   int
	byHub map[int64]installRecord
}

func newInstallStore(limit int) *installStore {
	return &installStore{max: limit, byHub: make(map[int64]installRecord)}
}

func (st *installStore) link(rec installRecord) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.byHub[rec.HubID]; !ok && len(st.byHub) >= st.max {
		var oldest int64
		first := true
		for k, v := range st.byHub {
			if first || v.At.Before(st.byHub[oldest].At) {
				oldest, first = k, false
			}
		}
		delete(st.byHub, oldest)
	}
	st.byHub[rec.HubID] = rec
}

func (st *installStore) list() []Install {
	st.mu.Lock()
	out := make([]Install, 0, len(st.byHub))
	for _, r := range st.byHub {
		in := r.Install
		in.Scopes = slices.Clone(in.Scopes)
		out = append(out, in)
	}
	st.mu.Unlock()
	slices.SortFunc(out, func(a, b Install) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		switch {
		case a.HubID < b.HubID:
			return -1
		case a.HubID > b.HubID:
			return 1
		}
		return 0
	})
	return out
}

// Installs returns the portals linked so far, oldest first, with redacted tokens.
func (s *Server) Installs() []Install {
	return s.installs.list()
}

// redact shows the first 6 characters of a token and its length, as hsemu's events do; short
// tokens show only their length.
func redact(tok string) string {
	if len(tok) <= 12 {
		return fmt.Sprintf("…(%d chars)", len(tok))
	}
	return fmt.Sprintf("%s…(%d chars)", tok[:6], len(tok))
}

// codeLog remembers codes seen, for the seamless-reload-crash variant's "unique index".
type codeLog struct {
	mu   sync.Mutex
	max  int
	seen map[string]bool
}

func newCodeLog(limit int) *codeLog {
	return &codeLog{max: limit, seen: make(map[string]bool)}
}

// insert records code and reports whether it was already there.
func (l *codeLog) insert(code string) (duplicate bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen[code] {
		return true
	}
	if len(l.seen) >= l.max {
		clear(l.seen)
	}
	l.seen[code] = true
	return false
}
