package emulator

import "sync"

// issuedLog remembers, in memory only, the access tokens recently minted for each grant, so a
// test harness can look for them where they must never be (URLs, pages). Access tokens are
// signed, not stored (accesstoken.go), so without this log nobody could name them later. It is
// bounded: the oldest grants are forgotten first.
type issuedLog struct {
	mu     sync.Mutex
	tokens map[string][]string // grant ID → access tokens
	order  []string            // grant IDs, oldest first
}

const (
	issuedGrants   = 4096 // grants remembered
	issuedPerGrant = 16   // access tokens remembered per grant
)

func (l *issuedLog) add(grantID, token string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tokens == nil {
		l.tokens = map[string][]string{}
	}
	ts, seen := l.tokens[grantID]
	if !seen {
		l.order = append(l.order, grantID)
		if len(l.order) > issuedGrants {
			delete(l.tokens, l.order[0])
			l.order = l.order[1:]
		}
	}
	if len(ts) < issuedPerGrant {
		l.tokens[grantID] = append(ts, token)
	}
}

func (l *issuedLog) of(grantID string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.tokens[grantID]...)
}

// TokensIssuedFor returns the tokens HubSpot handed out for an authorization code: the refresh
// token and the access tokens minted for its grant (those still remembered). It returns nil for a
// code never redeemed. These are secrets: callers look for them, they never print them.
func (e *Emulator) TokensIssuedFor(code string) []string {
	var grantID, refresh string
	e.c.view(func() {
		if sc, ok := e.c.st.Spent[hashCode(code)]; ok && sc.GrantID != (grantRef{}) {
			if g := e.c.st.Grants[sc.GrantID.String()]; g != nil {
				grantID, refresh = g.ID, g.RefreshToken
			}
		}
	})
	if grantID == "" {
		return nil
	}
	out := e.c.issued.of(grantID)
	if refresh != "" {
		out = append(out, refresh)
	}
	return out
}
