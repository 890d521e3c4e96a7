package emulator

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// Default lifetimes.
const (
	// DefaultCodeTTL is how long an authorization code can be redeemed. HubSpot says only
	// "short window" (v3 guide); the exact TTL is UNCONFIRMED. Ten minutes is the maximum
	// RFC 6749 §4.1.2 recommends ("A maximum authorization code lifetime of 10 minutes is
	// RECOMMENDED").
	DefaultCodeTTL = 10 * time.Minute
	// DefaultAccessTTL is an access token's lifetime: "expires after 30 minutes", expires_in
	// 1800 (v3 guide).
	DefaultAccessTTL = hubspot.AccessTokenLifetime
)

// Sentinel errors of IssueCode and AddApp, besides *ScopeError.
var (
	ErrUnknownClient = errors.New("unknown client_id")
	ErrUnknownPortal = errors.New("unknown hub id")
	ErrRedirectURI   = errors.New("redirect_uri is not one of the app's redirect URLs")
	ErrClosed        = errors.New("emulator is closed")
)

// Config configures an Emulator. The zero value is a working in-memory emulator with one
// default portal and no apps.
type Config struct {
	Apps []App
	// Portals to create (or update, by HubID). If empty and the state holds no portal, one
	// default portal is created.
	Portals []Portal
	// StatePath is the state file; "" keeps everything in memory only. Each change is
	// appended to a journal next to it (StatePath.journal-N) before the response that hands
	// out a code or token, so a kill of hsemu at any moment loses nothing acknowledged; the
	// file itself is a snapshot, rewritten atomically in the background when the journal
	// outgrows it (journal.go). State files of older formats are migrated.
	StatePath string
	// StateSync is when a change is acknowledged: SyncWrite (the default, "") once it is
	// written to the journal file, which a kill of hsemu cannot undo, the flush to the disk
	// following in the background; SyncFlush once it is flushed to the disk (fdatasync), which
	// a power cut cannot undo either.
	StateSync SyncMode
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Rand is the source of every random value (IDs, codes, tokens, the signing key); nil
	// means crypto/rand.
	Rand io.Reader
	// CodeTTL is how long an authorization code stays redeemable; 0 means DefaultCodeTTL.
	CodeTTL time.Duration
	// AccessTTL is an access token's lifetime; 0 means DefaultAccessTTL (expires_in 1800).
	AccessTTL time.Duration
	// AutoApprove makes /oauth/authorize grant at once, for the portal named in the path or
	// the first portal that can grant the requested scopes, instead of showing the consent
	// page.
	AutoApprove bool
	// Choices are hsemu's answers where HubSpot is not documented (switches.go).
	Choices Choices
	// Logger receives state write failures and recovered panics; nil discards them.
	Logger *slog.Logger
}

// Emulator is the fake HubSpot: web side, API side and admin endpoints on one http.Handler.
// It is safe for concurrent use.
//
// Its handlers are split by concern, as ory/fosite keeps the halves of a flow apart: the
// authorize page (authorizer, authorize.go), the token endpoint (tokenService, token.go), token
// metadata, introspection and revocation (tokenInfo, tokeninfo.go), uninstall, the journal and
// webhook deliveries (lifecycle, uninstall.go and webhooks.go), a little CRM API (apiService,
// api.go) and the admin endpoints (admin, admin.go). They share one core: the stored state, the
// clock, the ID source, the event hub and the faults.
type Emulator struct {
	c   *core
	mux *http.ServeMux
}

// core is the state every concern of the Emulator shares.
type core struct {
	cfg    Config
	now    func() time.Time
	ids    *idSource
	log    *slog.Logger
	events *eventHub
	faults faultList
	disk   *journal  // nil when in memory only
	issued issuedLog // access tokens recently minted, per grant (TokensIssuedFor)

	mu sync.RWMutex
	st *state
	// version counts changes; the journal records the version each line holds.
	version uint64
	dirty   change // what the change in progress touched
	lineBuf []byte // the journal line of the change in progress (patchLocked)
	// scopeSets holds the scope lists of codes by their joined text (internScopes).
	scopeSets map[string][]string
	// compactStep, when set, is called after each step of a compaction (tests copy the files
	// there: what a kill at that instant would leave).
	compactStep func(step string)
	lastPrune   time.Time
	closed      bool
}

// New builds an emulator from cfg, loading cfg.StatePath if it exists. Apps and portals of cfg
// are added on top of the loaded state (replacing those with the same ClientID or HubID).
func New(cfg Config) (_ *Emulator, err error) {
	if cfg.CodeTTL <= 0 {
		cfg.CodeTTL = DefaultCodeTTL
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = DefaultAccessTTL
	}
	e := &core{
		compactStep: func(string) {},
		cfg:         cfg,
		now:         cfg.Clock,
		ids:         newIDSource(cfg.Rand),
		log:         cfg.Logger,
		events:      newEventHub(),
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	st, compactNow, err := e.loadState()
	if err != nil {
		return nil, err
	}
	e.st = st
	defer func() {
		if err != nil && e.disk != nil {
			_ = e.disk.close() // releases the state lock; the open failed already
		}
	}()
	if len(st.Key) == 0 {
		st.Key = make([]byte, 32)
		if err := e.ids.read(st.Key); err != nil {
			return nil, err
		}
		e.touchMeta()
	}
	for _, a := range cfg.Apps {
		if _, err := e.addApp(a); err != nil {
			return nil, fmt.Errorf("app %q: %w", appLabel(a), err)
		}
	}
	for _, p := range cfg.Portals {
		if _, err := e.createPortal(p); err != nil {
			return nil, fmt.Errorf("portal %d: %w", p.HubID, err)
		}
	}
	if len(st.Portals) == 0 {
		if _, err := e.createPortal(Portal{}); err != nil {
			return nil, err
		}
	}
	v := e.commitLocked()
	if compactNow {
		if err := e.compact(); err != nil {
			return nil, fmt.Errorf("state file %s: %w", cfg.StatePath, err)
		}
	} else if err := e.sync(v); err != nil {
		return nil, err
	}
	em := &Emulator{c: e}
	em.routes()
	return em, nil
}

func appLabel(a App) string {
	switch {
	case a.UID != "":
		return a.UID
	case a.Name != "":
		return a.Name
	}
	return a.ClientID
}

// Close waits for a running compaction, makes sure every change is on disk, releases the
// state file and ends every subscription. Requests served after Close still work in memory but
// are no longer saved.
func (e *Emulator) Close() error {
	closed := false
	_, _ = e.c.update(func() error { closed, e.c.closed = e.c.closed, true; return nil }) // fn never fails
	if closed {
		return nil
	}
	var err error
	if e.c.disk != nil {
		err = e.c.disk.close()
	}
	e.c.events.close()
	return err
}

// AddApp validates a and registers it, filling ID, ClientID and ClientSecret when empty. An
// app with the same ClientID is replaced; an app without ClientID whose UID matches a stored
// app takes over that app's ID and credentials, so `hsemu serve` keeps generated credentials
// across restarts.
func (e *Emulator) AddApp(a App) (App, error) {
	var out App
	v, err := e.c.update(func() (err error) {
		out, err = e.c.addApp(a)
		return err
	})
	if err != nil {
		return App{}, err
	}
	return out, e.c.sync(v)
}

// addApp does AddApp's work; e.mu is held (or e is not shared yet).
func (e *core) addApp(a App) (App, error) {
	e.touchMeta()
	a = cloneApp(a)
	if err := validateApp(&a); err != nil {
		return App{}, err
	}
	var prev *App
	if a.ClientID != "" {
		prev = e.st.appByClientID(a.ClientID)
	} else if a.UID != "" {
		prev = e.st.appByUID(a.UID)
	}
	if prev != nil {
		if a.ID == 0 {
			a.ID = prev.ID
		}
		if a.ClientID == "" {
			a.ClientID = prev.ClientID
		}
		if a.ClientSecret == "" {
			a.ClientSecret = prev.ClientSecret
		}
	}
	var err error
	if a.ClientID == "" {
		if a.ClientID, err = e.ids.uuid(); err != nil {
			return App{}, err
		}
	}
	if a.ClientSecret == "" {
		if a.ClientSecret, err = e.ids.uuid(); err != nil {
			return App{}, err
		}
	}
	if a.ID == 0 {
		e.st.NextAppID++
		a.ID = e.st.NextAppID
	}
	e.st.putApp(a)
	return cloneApp(a), nil
}

// App returns the app with the given client ID.
func (e *Emulator) App(clientID string) (App, bool) {
	return e.c.app(clientID)
}

// app does App's work.
func (e *core) app(clientID string) (App, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if a := e.st.appByClientID(clientID); a != nil {
		return cloneApp(*a), true
	}
	return App{}, false
}

// AppByUID returns the stored app with the given app-hsmeta.json uid.
func (e *Emulator) AppByUID(uid string) (App, bool) {
	e.c.mu.RLock()
	defer e.c.mu.RUnlock()
	if a := e.c.st.appByUID(uid); a != nil {
		return cloneApp(*a), true
	}
	return App{}, false
}

// Apps returns every registered app.
func (e *Emulator) Apps() []App {
	e.c.mu.RLock()
	defer e.c.mu.RUnlock()
	out := make([]App, 0, len(e.c.st.Apps))
	for _, a := range e.c.st.Apps {
		out = append(out, cloneApp(*a))
	}
	return out
}

// Portals returns every portal, in the order they were created.
func (e *Emulator) Portals() []Portal {
	return e.c.portals()
}

// portals does Portals's work.
func (e *core) portals() []Portal {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]Portal, 0, len(e.st.Portals))
	for _, p := range e.st.Portals {
		out = append(out, clonePortal(*p))
	}
	return out
}

// Portal returns the portal with the given hub ID.
func (e *Emulator) Portal(hubID int64) (Portal, bool) {
	return e.c.portal(hubID)
}

// portal does Portal's work.
func (e *core) portal(hubID int64) (Portal, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if p := e.st.portal(hubID); p != nil {
		return clonePortal(*p), true
	}
	return Portal{}, false
}

// CreatePortal registers a portal, filling zero fields: a unique HubID, Domain, UserEmail,
// UserID and Hublet "na1". A portal with the same HubID is replaced. Scopes are checked
// against the known scope names.
func (e *Emulator) CreatePortal(p Portal) (Portal, error) {
	var out Portal
	v, err := e.c.update(func() (err error) {
		out, err = e.c.createPortal(p)
		return err
	})
	if err != nil {
		return Portal{}, err
	}
	return out, e.c.sync(v)
}

func (e *core) createPortal(p Portal) (Portal, error) {
	e.touchMeta()
	p = clonePortal(p)
	if p.HubID < 0 {
		return Portal{}, fmt.Errorf("hub id %d is negative", p.HubID)
	}
	for _, s := range p.Scopes {
		if !KnownScope(s) {
			return Portal{}, fmt.Errorf("portal scope %q is not a HubSpot scope", s)
		}
	}
	if p.HubID == 0 {
		if e.st.NextHubID == 0 {
			e.st.NextHubID = firstHubID
		}
		for e.st.portal(e.st.NextHubID) != nil {
			e.st.NextHubID++
		}
		p.HubID = e.st.NextHubID
		e.st.NextHubID++
	}
	id := strconv.FormatInt(p.HubID, 10)
	if p.Domain == "" {
		p.Domain = "hsemu-" + id + ".example.com"
	}
	if p.UserEmail == "" {
		p.UserEmail = "user-" + id + "@example.com"
	}
	if p.UserID == 0 {
		p.UserID = 900000000 + p.HubID%100000000
	}
	if p.Hublet == "" {
		p.Hublet = "na1"
	}
	if !hubspot.IsHublet(p.Hublet) {
		return Portal{}, fmt.Errorf("hublet %q is not like na1 or eu1", p.Hublet)
	}
	e.st.putPortal(p)
	return clonePortal(p), nil
}

// firstHubID is the first hub ID handed out; HubSpot's docs use 1234567 and 123456.
const firstHubID = 1234567

// IssueCode does what HubSpot does when the user clicks "Grant access": it checks the app,
// the redirect URI (one of the app's redirect URLs, exactly) and the scopes by HubSpot's rules
// (see grantScopes; failures are a *ScopeError with HubSpot's exact text), drops the optional
// scopes the portal lacks, and mints a single-use code bound to RedirectURI that expires after
// Config.CodeTTL. The code is saved before IssueCode returns.
func (e *Emulator) IssueCode(req CodeRequest) (string, error) {
	return e.c.issueCode(req)
}

// issueCode does IssueCode's work.
func (e *core) issueCode(req CodeRequest) (string, error) {
	var code string
	v, err := e.update(func() (err error) {
		code, err = e.issueCodeLocked(req)
		return err
	})
	if err != nil {
		return "", err
	}
	if err := e.sync(v); err != nil {
		return "", err
	}
	return code, nil
}

func (e *core) issueCodeLocked(req CodeRequest) (string, error) {
	app := e.st.appByClientID(req.ClientID)
	if app == nil {
		return "", fmt.Errorf("client_id %q: %w", req.ClientID, ErrUnknownClient)
	}
	ri := slices.Index(app.RedirectURLs, req.RedirectURI)
	if ri < 0 {
		return "", fmt.Errorf("%q: %w (%v)", req.RedirectURI, ErrRedirectURI, app.RedirectURLs)
	}
	portal := e.st.portal(req.HubID)
	if portal == nil {
		return "", fmt.Errorf("hub id %d: %w", req.HubID, ErrUnknownPortal)
	}
	granted, serr := grantScopes(app, portal, req.Scopes, req.OptionalScopes)
	if serr != nil {
		return "", serr
	}
	code, err := e.ids.hubletToken(portal.Hublet)
	if err != nil {
		return "", err
	}
	now := e.now()
	e.st.addCode(code, &codeRecord{
		ClientID:    app.ClientID,
		HubID:       portal.HubID,
		UserID:      portal.UserID,
		RedirectURI: app.RedirectURLs[ri], // the app's copy: the request's is dropped with it
		Scopes:      e.internScopes(granted),
		Issued:      unixNano(now.UnixNano()),
		Expires:     unixNano(now.Add(e.cfg.CodeTTL).UnixNano()),
	})
	e.touchCode(code)
	return code, nil
}

// internScopes returns the stored slice equal to scopes, so that the codes of an app share
// one copy of their scope list (stored scope slices are never changed in place). At most
// maxScopeSets lists are kept. e.mu is held for writing.
func (e *core) internScopes(scopes []string) []string {
	key := strings.Join(scopes, " ")
	if s, ok := e.scopeSets[key]; ok {
		return s
	}
	if e.scopeSets == nil {
		e.scopeSets = map[string][]string{}
	}
	if len(e.scopeSets) < maxScopeSets {
		e.scopeSets[key] = scopes
	}
	return scopes
}

const maxScopeSets = 256
