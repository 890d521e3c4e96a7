package emulator

import (
	"maps"
	"strings"
	"time"
)

// state is everything the emulator remembers, in the shape of the state file. Access tokens
// are not stored: they are signed with Key and carry their grant, expiry and ID (see
// token_format.go), so the file stays small however many tokens are handed out, and every
// access token still works after a restart.
type state struct {
	Version int `json:"version"`
	// Generation names the journal that continues this snapshot (journal.go): the state is
	// this file plus the changes of journal Generation, Generation+1, … (version 2).
	Generation uint64                 `json:"generation,omitempty"`
	Key        []byte                 `json:"key"`
	NextAppID  int64                  `json:"nextAppId"`
	NextHubID  int64                  `json:"nextHubId"`
	Apps       []*App                 `json:"apps"`
	Portals    []*Portal              `json:"portals"`
	Codes      map[string]*codeRecord `json:"codes"`
	// Spent holds the tombstones of redeemed and expired codes (spent.go; version 3).
	Spent  map[codeHash]spentCode `json:"spent,omitempty"`
	Grants map[string]*grant      `json:"grants"`
	// RevokedAccess holds the IDs of single access tokens revoked before they expire, with
	// their expiry (after which the entry is dropped).
	RevokedAccess map[string]time.Time `json:"revokedAccess"`
	Installs      map[string]*install  `json:"installs"`
	// Journal holds the app lifecycle entries (APP_INSTALL, APP_UNINSTALL) of the webhooks
	// journal, oldest first, at most maxJournal of them (see uninstall.go).
	Journal []*journalEntry `json:"journal,omitempty"`

	// Indexes, rebuilt on load (index), so that no change costs the number of grants.
	refresh  map[string]*grant            // refresh token → grant
	grantsOf map[string]map[string]*grant // installKey → grant ID → the install's user grants
	appGrant map[string]*grant            // appGrantKey → the live client-credentials grant
	// codeOrder lists the codes by expiry, oldest first (codes expire in the order they are
	// issued), so pruning costs what it drops, not the number of codes. Rebuilt on load.
	codeOrder []string
	// spentOrder lists the tombstones in the order they were made (by expiry after a load).
	spentOrder []codeHash
}

// stateVersion is the state file format written: 2 is a snapshot continued by a journal, 3 keeps
// tombstones of spent codes (spent.go) where 2 kept redeemed codes whole. Versions 1 (the whole
// state in one file, rewritten on each change) and 2 are read and migrated at start.
const (
	stateVersion    = 3
	oldStateVersion = 1
)

func newState() *state {
	return &state{
		Version:       stateVersion,
		Codes:         map[string]*codeRecord{},
		Spent:         map[codeHash]spentCode{},
		Grants:        map[string]*grant{},
		RevokedAccess: map[string]time.Time{},
		Installs:      map[string]*install{},
		refresh:       map[string]*grant{},
		grantsOf:      map[string]map[string]*grant{},
		appGrant:      map[string]*grant{},
	}
}

// codeRecord is an authorization code HubSpot handed out.
type codeRecord struct {
	ClientID    string   `json:"clientId"`
	HubID       int64    `json:"hubId"`
	UserID      int64    `json:"userId"`
	RedirectURI string   `json:"redirectUri"`
	Scopes      []string `json:"scopes"`
	Issued      unixNano `json:"issued"`
	Expires     unixNano `json:"expires"`
	// GrantID was set once the code was redeemed, in state files of version 2: such a code is
	// turned into a tombstone at load (spent.go).
	GrantID string `json:"grantId,omitempty"`
}

// grant is what one code redemption (or an app's client credentials) created: a refresh token
// and the right to mint access tokens.
type grant struct {
	ID       string    `json:"id"` // 16 hex digits, embedded in access tokens
	ClientID string    `json:"clientId"`
	HubID    int64     `json:"hubId,omitempty"`
	UserID   int64     `json:"userId,omitempty"`
	Scopes   []string  `json:"scopes"`
	Created  time.Time `json:"created"`
	// ClientCredentials marks an app-level grant (grant_type=client_credentials).
	ClientCredentials bool `json:"clientCredentials,omitempty"`
	// RefreshToken is empty for client-credentials grants.
	RefreshToken string `json:"refreshToken,omitempty"`
	// RefreshRevoked: the refresh token was deleted or revoked. "This will only delete the
	// refresh token. Access tokens generated with the refresh token will not be deleted."
	RefreshRevoked bool `json:"refreshRevoked,omitempty"`
	// AccessRevoked: every access token of the grant is revoked (a replayed code, RFC 6749
	// §4.1.2).
	AccessRevoked bool      `json:"accessRevoked,omitempty"`
	RevokedAt     time.Time `json:"revokedAt,omitzero"`
}

// install records that an app was installed in a portal: HubSpot lists an app in Connected
// Apps "only after the initial tokens are generated" (creating-an-app docs).
type install struct {
	ClientID    string    `json:"clientId"`
	HubID       int64     `json:"hubId"`
	Scopes      []string  `json:"scopes"`
	InstalledAt time.Time `json:"installedAt"`
}

func installKey(clientID string, hubID int64) string {
	return clientID + "/" + itoa(hubID)
}

func (s *state) appByClientID(id string) *App {
	for _, a := range s.Apps {
		if a.ClientID == id {
			return a
		}
	}
	return nil
}

func (s *state) appByUID(uid string) *App {
	for _, a := range s.Apps {
		if a.UID == uid {
			return a
		}
	}
	return nil
}

func (s *state) putApp(a App) {
	for i, old := range s.Apps {
		if old.ClientID == a.ClientID {
			s.Apps[i] = &a
			return
		}
	}
	s.Apps = append(s.Apps, &a)
}

func (s *state) portal(hubID int64) *Portal {
	for _, p := range s.Portals {
		if p.HubID == hubID {
			return p
		}
	}
	return nil
}

func (s *state) putPortal(p Portal) {
	for i, old := range s.Portals {
		if old.HubID == p.HubID {
			s.Portals[i] = &p
			return
		}
	}
	s.Portals = append(s.Portals, &p)
}

// pruneInterval is how often expired codes, grants and revocations are dropped.
const pruneInterval = time.Minute

// codeGrace is how long a code's tombstone is kept after it expired, so that presenting it
// still says "expired" (EXPIRED_AUTH_CODE) and replaying a redeemed one still revokes its
// tokens; after that it is forgotten and answers BAD_AUTH_CODE. Codes live DefaultCodeTTL (10
// minutes), so the state holds the codes of the last CodeTTL and the tombstones of about the
// last CodeTTL+codeGrace, whatever the number of installs.
const codeGrace = 10 * time.Minute

// pruneLocked drops what can no longer matter, at most once per pruneInterval: expired codes
// (for a tombstone, spent.go), tombstones codeGrace past expiry, revoked grants whose access
// tokens have all expired (refresh tokens of live grants are kept until revoked or
// uninstalled), and revocations of expired access tokens. Access tokens themselves are signed,
// never stored (accesstoken.go). Drops are not journaled: replaying the journal then pruning at
// load gives the same state. e.mu is held.
func (e *core) pruneLocked(now time.Time) {
	if now.Sub(e.lastPrune) < pruneInterval && !e.lastPrune.After(now) {
		return
	}
	e.lastPrune = now
	e.st.prune(now, e.cfg.AccessTTL)
}

func (s *state) prune(now time.Time, accessTTL time.Duration) {
	s.pruneCodes(now)
	for _, g := range s.Grants {
		if (g.RefreshRevoked || g.AccessRevoked) && now.After(g.RevokedAt.Add(accessTTL)) {
			s.dropGrant(g)
		}
	}
	for id, exp := range s.RevokedAccess {
		if now.After(exp) {
			delete(s.RevokedAccess, id)
		}
	}
}

// clone returns a deep copy of the records of s, for a snapshot written without the lock.
// Scopes slices are shared: they are never changed in place once stored.
func (s *state) clone() *state {
	c := *s
	c.refresh, c.grantsOf, c.appGrant, c.codeOrder, c.spentOrder = nil, nil, nil, nil, nil
	c.Spent = maps.Clone(s.Spent)
	c.Apps = make([]*App, len(s.Apps))
	for i, a := range s.Apps {
		a := cloneApp(*a)
		c.Apps[i] = &a
	}
	c.Portals = make([]*Portal, len(s.Portals))
	for i, p := range s.Portals {
		p := clonePortal(*p)
		c.Portals[i] = &p
	}
	c.Codes = make(map[string]*codeRecord, len(s.Codes))
	for k, r := range s.Codes {
		r := *r
		c.Codes[k] = &r
	}
	c.Grants = make(map[string]*grant, len(s.Grants))
	for k, g := range s.Grants {
		g := *g
		c.Grants[k] = &g
	}
	c.RevokedAccess = make(map[string]time.Time, len(s.RevokedAccess))
	for k, t := range s.RevokedAccess {
		c.RevokedAccess[k] = t
	}
	c.Installs = make(map[string]*install, len(s.Installs))
	for k, in := range s.Installs {
		in := *in
		c.Installs[k] = &in
	}
	c.Journal = make([]*journalEntry, len(s.Journal))
	for i, en := range s.Journal {
		en := *en
		c.Journal[i] = &en
	}
	return &c
}

// addCode stores a new code. Codes are issued with the same lifetime, so appending keeps
// codeOrder sorted by expiry.
func (s *state) addCode(code string, r *codeRecord) {
	s.Codes[code] = r
	s.codeOrder = append(s.codeOrder, code)
}

// addGrant stores a new grant and indexes it.
func (s *state) addGrant(g *grant) {
	s.Grants[g.ID] = g
	s.indexGrant(g)
}

func (s *state) indexGrant(g *grant) {
	if g.RefreshToken != "" {
		s.refresh[g.RefreshToken] = g
	}
	if g.ClientCredentials {
		if !g.AccessRevoked {
			s.appGrant[appGrantKey(g.ClientID, g.Scopes)] = g
		}
		return
	}
	k := installKey(g.ClientID, g.HubID)
	if s.grantsOf[k] == nil {
		s.grantsOf[k] = map[string]*grant{}
	}
	s.grantsOf[k][g.ID] = g
}

// dropGrant forgets a grant and its index entries.
func (s *state) dropGrant(g *grant) {
	delete(s.Grants, g.ID)
	if g.RefreshToken != "" && s.refresh[g.RefreshToken] == g {
		delete(s.refresh, g.RefreshToken)
	}
	if g.ClientCredentials {
		if k := appGrantKey(g.ClientID, g.Scopes); s.appGrant[k] == g {
			delete(s.appGrant, k)
		}
		return
	}
	k := installKey(g.ClientID, g.HubID)
	delete(s.grantsOf[k], g.ID)
	if len(s.grantsOf[k]) == 0 {
		delete(s.grantsOf, k)
	}
}

// appGrantKey names an app's client-credentials grant for a set of scopes.
func appGrantKey(clientID string, scopes []string) string {
	return clientID + "\x00" + strings.Join(scopes, " ")
}

// index rebuilds the indexes after a load.
func (s *state) index() {
	s.refresh = make(map[string]*grant, len(s.Grants))
	s.grantsOf = make(map[string]map[string]*grant, len(s.Installs))
	s.appGrant = map[string]*grant{}
	for _, g := range s.Grants {
		s.indexGrant(g)
	}
	s.indexCodes()
}

// change is what one update touched: the keys whose records its journal line carries (the
// record as it is now, or null when it is gone).
type change struct {
	meta     bool // key, apps, portals, next IDs
	codes    []string
	spent    []codeHash
	grants   []string
	installs []string
	revoked  []string
	journal  int // lifecycle entries appended
}

func (c *change) empty() bool {
	return !c.meta && len(c.codes) == 0 && len(c.spent) == 0 && len(c.grants) == 0 && len(c.installs) == 0 &&
		len(c.revoked) == 0 && c.journal == 0
}
