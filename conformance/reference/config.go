package reference

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// The install URL's step parameter, as HubSpot sends it (the install-flow page): the partner
// flow's sign-in first, then finalize with the code.
const (
	stepAuthorize = "authorize"
	stepFinalize  = "finalize"
)

// Paths the reference endpoints serve. The install URLs HubSpot calls are PublicURL+SeamlessPath
// and PublicURL+PartnerPath.
const (
	SeamlessPath = "/seamless/install"
	PartnerPath  = "/partner/install"
	LoginPath    = "/partner/login"
	InstallsPath = "/installs"
	// welcomePath is only served by the *-token-in-url variants.
	welcomePath = "/welcome"
	// landingPath is only served by the *-landing-blocked variants.
	landingPath = "/installed"
)

// DemoClientID and DemoClientSecret are the fixed credentials of hsemu's demo app, used by
// `hsemu reference` and the in-process suite. They are not secret.
const (
	DemoClientID     = "6a1f3c2e-7b4d-4e8f-9a0b-1c2d3e4f5a6b"
	DemoClientSecret = "0f6b2d8e-3c1a-4b5d-9e7f-a1b2c3d4e5f6" //nolint:gosec // G101: the demo app's published secret, not a real one
)

// Defaults for the zero values of Config.
const (
	// DefaultExchangeTimeout bounds the token exchange.
	DefaultExchangeTimeout = 10 * time.Second
	// DefaultSlowDelay is how long the *-slow variants stall.
	DefaultSlowDelay = 3 * time.Second
	// DefaultAppName is shown on the sign-in page ("Sign in to …").
	DefaultAppName = "hsemu reference app"
)

// DefaultConditionalScopes is the `scope` the partner flow adds when Config.ConditionalScopes is
// nil. HubSpot (the install-flow page, "Add scopes"): "If you need to specify conditional scopes,
// it's recommended to include them in the scope query parameter."
var DefaultConditionalScopes = []string{"crm.objects.companies.read"}

// frameAncestors lets HubSpot's app origins frame every page. HubSpot's example (the install-flow
// page): "Content-Security-Policy: frame-ancestors 'self' https://app.hubspot.com
// https://app-eu1.hubspot.com;", widened to the other app-* hubs because HubSpot does not publish
// the exact list; the HubSpot CLI trusts app, app-na2, app-na3, app-ap1 and app-eu1
// (https://github.com/HubSpot/hubspot-cli, lib/CLIWebSocketServer.ts).
const frameAncestors = "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com" +
	" https://app-na2.hubspot.com https://app-na3.hubspot.com https://app-ap1.hubspot.com"

// Config configures a Server.
type Config struct {
	// APIBase is HubSpot's API base (the emulator), e.g. "http://127.0.0.1:7430". The code is
	// exchanged at APIBase + "/oauth/v3/token".
	APIBase string
	// ClientID and ClientSecret are the app's credentials (DemoClientID and DemoClientSecret for
	// hsemu's demo app).
	ClientID, ClientSecret string
	// PublicURL is the endpoint's own origin as the browser sees it, e.g.
	// "https://install.example.com". Empty means "http://" + the request's Host. The
	// redirect_uri of the exchange is PublicURL + the install path.
	PublicURL string
	// Bug selects a broken variant by name (one of Bugs); empty is the reference.
	Bug string
	// AppName is shown on the sign-in page; empty means DefaultAppName.
	AppName string
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// HTTPClient makes the token exchange; nil means a client with ExchangeTimeout that never
	// follows redirects.
	HTTPClient *http.Client
	// ExchangeTimeout bounds the token exchange; 0 means DefaultExchangeTimeout.
	ExchangeTimeout time.Duration
	// SlowDelay is how long the *-slow variants stall; 0 means DefaultSlowDelay.
	SlowDelay time.Duration
	// ConditionalScopes are sent in `scope` when partner sign-in returns to HubSpot. Nil means
	// ["crm.objects.companies.read"]; an empty, non-nil slice sends no `scope`.
	ConditionalScopes []string
	// ExtraReturnOrigins are origins, besides https://app.hubspot.com and
	// https://app-<hublet>.hubspot.com, that a returnUrl may point at, e.g.
	// "http://127.0.0.1:7430" for a real browser against `hsemu serve`.
	ExtraReturnOrigins []string
	// Users who can sign in at the partner flow; nil means DemoUsers.
	Users []User
}

// Server serves the reference install endpoints, or one broken variant of them. It is safe for
// concurrent use.
type Server struct {
	bug             Bug
	apiBase         string
	publicURL       string
	clientID        string
	clientSecret    string
	appName         string
	clock           func() time.Time
	client          *http.Client
	exchangeTimeout time.Duration
	slowDelay       time.Duration
	scopes          []string
	returnOrigins   map[string]bool
	users           []User

	// sleep stalls the *-slow variants; tests replace it to observe the stall without waiting.
	sleep func(r *http.Request, d time.Duration)

	mux      *http.ServeMux
	stateKey []byte
	signer   jose.Signer
	states   *stateStore
	sessions *sessionStore
	installs *installStore
	counter  atomic.Uint64 // partner-weak-state
	codes    *codeLog      // seamless-reload-crash
}

// New checks cfg and returns a Server. It fails for an unknown Bug (naming the known ones), a
// missing or malformed APIBase or PublicURL, missing credentials and malformed scopes or origins.
func New(cfg Config) (*Server, error) {
	s := &Server{
		clientID:        cfg.ClientID,
		clientSecret:    cfg.ClientSecret,
		appName:         orDefault(cfg.AppName, DefaultAppName),
		clock:           cfg.Clock,
		client:          cfg.HTTPClient,
		exchangeTimeout: cfg.ExchangeTimeout,
		slowDelay:       cfg.SlowDelay,
		scopes:          slices.Clone(cfg.ConditionalScopes),
		users:           slices.Clone(cfg.Users),
		sleep:           stall,
		states:          newStateStore(maxStates),
		sessions:        newSessionStore(maxSessions),
		installs:        newInstallStore(maxInstalls),
		codes:           newCodeLog(maxCodes),
	}
	if cfg.Bug != "" {
		b, ok := lookupBug(cfg.Bug)
		if !ok {
			return nil, fmt.Errorf("unknown bug %q: known bugs are %s", cfg.Bug, strings.Join(BugNames(), ", "))
		}
		s.bug = b
	}
	var err error
	if s.apiBase, err = parseBase("APIBase", cfg.APIBase, true); err != nil {
		return nil, err
	}
	if s.publicURL, err = parseBase("PublicURL", cfg.PublicURL, false); err != nil {
		return nil, err
	}
	if s.clientID == "" || s.clientSecret == "" {
		return nil, errors.New("client ID or secret is empty: set both to the app's credentials (DemoClientID and DemoClientSecret for hsemu's demo app)")
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	switch {
	case s.exchangeTimeout < 0:
		return nil, fmt.Errorf("exchange timeout %v is negative: use 0 for the default (%v) or a positive duration", s.exchangeTimeout, DefaultExchangeTimeout)
	case s.exchangeTimeout == 0:
		s.exchangeTimeout = DefaultExchangeTimeout
	}
	switch {
	case s.slowDelay < 0:
		return nil, fmt.Errorf("slow delay %v is negative: use 0 for the default (%v) or a positive duration", s.slowDelay, DefaultSlowDelay)
	case s.slowDelay == 0:
		s.slowDelay = DefaultSlowDelay
	}
	if cfg.ConditionalScopes == nil {
		s.scopes = slices.Clone(DefaultConditionalScopes)
	}
	for _, sc := range s.scopes {
		if sc == "" || strings.ContainsAny(sc, " \t\r\n,") {
			return nil, fmt.Errorf("conditional scope %q is malformed: give one scope name per entry, e.g. crm.objects.companies.read", sc)
		}
	}
	if s.returnOrigins, err = parseOrigins(cfg.ExtraReturnOrigins); err != nil {
		return nil, err
	}
	if s.users == nil {
		s.users = slices.Clone(DemoUsers)
	}
	for _, u := range s.users {
		if u.Email == "" || u.Password == "" || u.ID == "" {
			return nil, fmt.Errorf("user %q is incomplete: every user needs an email, a password and an ID", u.Email)
		}
	}
	if s.client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		s.client = &http.Client{
			Transport: t,
			Timeout:   s.exchangeTimeout,
			// The token endpoint answers directly; following a redirect would re-post the
			// client secret somewhere else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	// The state is an HS256 JWS under a key that lives only in this process (the install-flow
	// page: "Generate a cryptographically secure, randomized token unique to this user").
	s.stateKey = make([]byte, 32)
	_, _ = rand.Read(s.stateKey) // crypto/rand.Read never fails (Go 1.24+).
	s.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: s.stateKey},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("create the state signer: %w", err)
	}
	s.routes()
	return s, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// parseBase checks a base URL (scheme, host, nothing else but an optional path for APIBase)
// and returns it without a trailing slash.
func parseBase(name, raw string, required bool) (string, error) {
	if raw == "" {
		if required {
			return "", fmt.Errorf("%s is empty: set it to HubSpot's API base, e.g. http://127.0.0.1:7430 (the emulator's default address)", name)
		}
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%s %q is not a URL (%w): give an absolute http or https URL, e.g. http://127.0.0.1:7430", name, raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s %q must be an absolute http or https URL, e.g. http://127.0.0.1:7430", name, raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s %q must not carry credentials, a query or a fragment", name, raw)
	}
	if name == "PublicURL" && strings.Trim(u.Path, "/") != "" {
		return "", fmt.Errorf("%s %q must be an origin without a path, e.g. https://install.example.com", name, raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// parseOrigins checks Config.ExtraReturnOrigins: each an exact scheme://host[:port].
func parseOrigins(raw []string) (map[string]bool, error) {
	out := make(map[string]bool, len(raw))
	for _, o := range raw {
		u, err := url.Parse(o)
		if err != nil {
			return nil, fmt.Errorf("extra return origin %q is not a URL: %w", o, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("extra return origin %q must be an origin like http://127.0.0.1:7430 (scheme and host, optional port, nothing else)", o)
		}
		out[u.Scheme+"://"+strings.ToLower(u.Host)] = true
	}
	return out, nil
}

// Bug returns the broken variant this server runs, or the zero Bug for the reference.
func (s *Server) Bug() Bug {
	b := s.bug
	b.Fails = slices.Clone(b.Fails)
	b.Errors = slices.Clone(b.Errors)
	b.Browser = cloneBrowser(b.Browser)
	return b
}

// has reports whether this server runs a broken variant with defect d in flow.
func (s *Server) has(flow string, d defect) bool {
	return s.bug.defect == d && s.bug.Flow == flow
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.handleIndex)
	if !s.spa(FlowSeamless) {
		m.HandleFunc("GET "+SeamlessPath, s.robustVariant(s.handleSeamless))
	}
	if !s.spa(FlowPartner) {
		m.HandleFunc("GET "+PartnerPath, s.handlePartner)
	}
	if s.spa(s.bug.Flow) {
		s.spaRoutes(m)
	}
	m.HandleFunc("POST "+LoginPath, s.handleLogin)
	m.HandleFunc("GET "+InstallsPath, s.handleInstalls)
	m.HandleFunc("GET "+welcomePath, s.handleWelcome)
	m.HandleFunc("GET "+landingPath, s.handleLanding)
	m.HandleFunc("POST "+WebhooksPath, s.handleWebhook)
	m.HandleFunc("GET "+ConnectStartPath, s.handleConnectStart)
	m.HandleFunc("GET "+ConnectCallbackPath, s.handleConnectCallback)
	m.HandleFunc("/", s.handleNotFound)
	s.mux = m
}

// ServeHTTP answers every request. Every response carries HubSpot's frame-ancestors policy (the
// install-flow page), Referrer-Policy: no-referrer (RFC 9700 §4.2.4: suppress the Referer of pages
// rendered from an authorization response) and is never cached.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", frameAncestors)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

// installURL is the URL HubSpot calls for path, and so the exact redirect_uri of the exchange.
func (s *Server) installURL(r *http.Request, path string) string {
	if s.publicURL != "" {
		return s.publicURL + path
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// stall waits d, or until the browser goes away.
func stall(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}
