package emulator

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// routes builds the one route table: web side, API side and admin, regardless of Host (the
// virtual browser sends app.hubspot.com requests here, apps send API calls here).
func (e *Emulator) routes() {
	c := e.c
	authz, tokens, info := &authorizer{c}, &tokenService{c}, &tokenInfo{c}
	life, api, adm := &lifecycle{c}, &apiService{core: c, limits: &rateWindows{}}, &admin{c}
	m := http.NewServeMux()
	// Web side (app.hubspot.com).
	for _, p := range []string{hubspot.AuthorizePath, hubspot.AccountAuthorizePath} {
		m.HandleFunc("GET "+p, authz.handleAuthorize)
		m.HandleFunc("POST "+p, authz.handleConsent)
	}
	// The marketplace: listing, install dialog and returnUrl (marketplace.go).
	mk := newMarketplace(e)
	m.HandleFunc("GET "+hubspot.MarketplaceAppPath, mk.handleListing)
	m.HandleFunc("GET "+hubspot.MarketplaceInstallPath, mk.handleDialog)
	m.HandleFunc("POST "+hubspot.MarketplaceConnectPath, mk.handleConnect)
	m.HandleFunc("GET "+hubspot.MarketplaceReturnPath, mk.handleReturn)

	// API side (api.hubapi.com): the token endpoints of every version (hubspot.TokenVersions);
	// v1 alone takes parameters in the query, and has no introspect or revoke.
	m.HandleFunc("POST "+hubspot.TokenPath(hubspot.DeprecatedTokenVersion), tokens.tokenHandler(hubspot.DeprecatedTokenVersion))
	for _, v := range hubspot.CurrentTokenVersions {
		m.HandleFunc("POST "+hubspot.TokenPath(v), tokens.tokenHandler(v))
		m.HandleFunc("POST "+hubspot.IntrospectPath(v), info.handleIntrospect)
		m.HandleFunc("POST "+hubspot.RevokePath(v), info.handleRevoke)
	}
	// Token metadata.
	m.HandleFunc("GET "+hubspot.AccessTokenInfoPrefix+"{token}", info.handleAccessTokenInfo)
	m.HandleFunc("GET "+hubspot.RefreshTokenInfoPrefix+"{token}", info.handleRefreshTokenInfo)
	m.HandleFunc("DELETE "+hubspot.RefreshTokenInfoPrefix+"{token}", info.handleRefreshTokenDelete)
	// A little API, so a token can be tried.
	m.HandleFunc("GET "+hubspot.AccountInfoPath, api.handleAccountInfo)
	m.HandleFunc("GET "+hubspot.ContactsPath, api.handleContacts)
	m.HandleFunc("GET "+hubspot.AuthServerMetadataPath, api.handleAuthServerMetadata)
	// App uninstall and the webhooks journal's lifecycle entries (uninstall.go).
	for _, v := range hubspot.UninstallVersions {
		m.HandleFunc("DELETE "+hubspot.UninstallPath(v), life.handleExternalUninstall)
	}
	m.HandleFunc("GET "+hubspot.JournalLatestPath, life.handleJournalLatest)
	m.HandleFunc("GET "+hubspot.JournalNextPath, life.handleJournalNext)

	// Admin.
	m.HandleFunc("GET /_hsemu/health", adm.handleHealth)
	m.HandleFunc("GET /_hsemu/events", adm.handleEvents)
	m.HandleFunc("GET /_hsemu/faults", adm.handleListFaults)
	m.HandleFunc("POST /_hsemu/faults", adm.handleSetFault)
	m.HandleFunc("DELETE /_hsemu/faults", adm.handleClearFaults)
	m.HandleFunc("POST /_hsemu/uninstall", life.handleAdminUninstall)
	m.HandleFunc("POST /_hsemu/webhooks/send", life.handleSendWebhook)
	m.HandleFunc("GET /_hsemu/webhooks-journal/files/{offset}", life.handleJournalFile)

	m.HandleFunc("/", api.handleNotFound(m))
	e.mux = m
}

type eventKey struct{}

// eventOf returns the Event the current request is recorded in.
func eventOf(r *http.Request) *Event {
	if ev, ok := r.Context().Value(eventKey{}).(*Event); ok {
		return ev
	}
	return &Event{}
}

// statusRecorder remembers the status a handler wrote, and calls onHeader once, just before
// the response's header goes out.
type statusRecorder struct {
	http.ResponseWriter
	status   int
	onHeader func(status int)
}

func (s *statusRecorder) header(code int) {
	if s.status == 0 {
		s.status = code
		if s.onHeader != nil {
			s.onHeader(code)
		}
	}
}

func (s *statusRecorder) WriteHeader(code int) {
	s.header(code)
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.header(http.StatusOK)
	return s.ResponseWriter.Write(b) //nolint:wrapcheck // a ResponseWriter passes its writer's errors through unchanged, as net/http's own wrappers do
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// ServeHTTP serves the web side, the API side and the /_hsemu/ admin endpoints, and records
// every request as one Event, published as the response's header is written — before the client
// can read a byte of it, so a subscriber never learns of a request later than its client learns
// the answer. (Handlers fill the event before they answer.)
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ev := &Event{
		Time:        e.c.now(),
		Method:      r.Method,
		Path:        redactPath(r.URL.Path),
		Query:       redactQuery(r.URL.Query()),
		Remote:      r.RemoteAddr,
		UA:          r.UserAgent(),
		ContentType: r.Header.Get("Content-Type"),
	}
	r = r.WithContext(context.WithValue(r.Context(), eventKey{}, ev))
	published := false
	publish := func(status int) {
		if published {
			return
		}
		published = true
		ev.Status = status
		ev.Route = r.Pattern
		ev.Message = redactText(ev.Message)
		ev.Side = sideOf(r.URL.Path)
		ev.Duration = time.Since(start)
		e.c.events.publish(*ev)
	}
	rec := &statusRecorder{ResponseWriter: w, onHeader: publish}
	defer func() {
		if p := recover(); p != nil {
			e.c.log.Error("hsemu: handler panicked", "method", r.Method, "path", ev.Path, "panic", redactText(fmt.Sprint(p)))
			if rec.status == 0 {
				e.c.writeAPIError(rec, ev, &APIError{
					HTTPStatus: http.StatusInternalServerError,
					Status:     "error", Message: "hsemu failed internally; please report this", Category: hubspot.CategoryInternalError,
				})
			}
		}
		publish(http.StatusOK) // a handler that wrote nothing answered 200
	}()
	if ae := adminRefusal(r); ae != nil {
		e.c.writeAPIError(rec, ev, ae)
		return
	}
	e.mux.ServeHTTP(rec, r)
}

func sideOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/_hsemu/"):
		return "admin"
	case hubspot.IsWebPath(path):
		return "web"
	}
	return "api"
}

// redactPath hides tokens carried in metadata paths (/oauth/v1/access-tokens/{token}), and
// any code or token elsewhere in the path.
func redactPath(p string) string {
	for _, prefix := range hubspot.TokenInfoPrefixes {
		if tok, ok := strings.CutPrefix(p, prefix); ok && tok != "" {
			return prefix + redact(tok)
		}
	}
	return redactText(p)
}

// secretShape matches the codes, refresh tokens (hubletToken: na1-xxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)
// and access tokens (mintAccess: 55 base64url characters from "C") hsemu hands out.
var secretShape = regexp.MustCompile(`[a-z]{2,4}[0-9]{1,2}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|C[A-Za-z0-9_-]{54}`)

// redactText redacts every code and token in a text (an event's message, a path, a value).
func redactText(s string) string {
	if !hasSecretRun(s) {
		return s // no run of characters as long as any code or token
	}
	return secretShape.ReplaceAllStringFunc(s, redact)
}

// hasSecretRun reports whether s has 36 consecutive characters of [A-Za-z0-9_-], as every
// match of secretShape is (the shortest, a code, is 36 long): most texts (URLs, messages) have
// none and skip the regexp.
func hasSecretRun(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			run++
			if run >= 36 {
				return true
			}
		default:
			run = 0
		}
	}
	return false
}

// secretParams are never recorded in full.
var secretParams = []string{"client_secret", "refresh_token", "access_token", "token", "client_assertion", "code_verifier"}

func redactQuery(q url.Values) url.Values {
	if len(q) == 0 {
		return nil
	}
	for k, vs := range q {
		secret := slices.Contains(secretParams, k)
		for i := range vs {
			if secret {
				vs[i] = redact(vs[i])
			} else {
				vs[i] = redactText(vs[i])
			}
		}
	}
	return q
}

// writeOAuthError writes an OAuth error and records it in the event.
func (e *core) writeOAuthError(w http.ResponseWriter, ev *Event, oe *Error) {
	ev.Outcome = oe.Status
	if ev.Message == "" {
		ev.Message = oe.Message
	}
	noStore(w)
	writeJSON(w, oe.HTTPStatus, oe)
}

// writeAPIError writes HubSpot's generic API error and records it in the event.
func (e *core) writeAPIError(w http.ResponseWriter, ev *Event, ae *APIError) {
	if ae.CorrelationID == "" {
		ae.CorrelationID, _ = e.ids.uuid()
	}
	if ae.Status == "" {
		ae.Status = "error"
	}
	ev.Outcome = ae.Category
	ev.Message = ae.Message
	w.Header().Set("X-HubSpot-Correlation-Id", ae.CorrelationID)
	writeJSON(w, ae.HTTPStatus, ae)
}

// noStore marks a response as not cacheable: RFC 6749 §5.1 "The authorization server MUST
// include the HTTP "Cache-Control" response header field with a value of "no-store"".
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// handleNotFound answers unknown routes with HubSpot's generic error: 405 when the path
// exists with another method, else 404.
func (ap *apiService) handleNotFound(m *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ev := eventOf(r)
		var allowed []string
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			if method == r.Method {
				continue
			}
			probe := &http.Request{Method: method, URL: r.URL, Host: r.Host, Header: http.Header{}}
			if _, pattern := m.Handler(probe); pattern != "" && pattern != "/" {
				allowed = append(allowed, method)
			}
		}
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			ap.writeAPIError(w, ev, &APIError{
				HTTPStatus: http.StatusMethodNotAllowed,
				Message:    r.Method + " is not allowed on " + redactPath(r.URL.Path) + "; use " + strings.Join(allowed, " or "),
				Category:   "METHOD_NOT_ALLOWED",
			})
			return
		}
		// HubSpot's body for an unknown route is UNCONFIRMED; its generic error shape is used.
		ap.writeAPIError(w, ev, &APIError{
			HTTPStatus: http.StatusNotFound,
			Message:    "no route " + r.Method + " " + redactPath(r.URL.Path) + " in hsemu's HubSpot emulator", Category: hubspot.CategoryObjectNotFound,
		})
	}
}
