package emulator

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// App uninstall and the app lifecycle entries of the webhooks journal.
//
// HubSpot has no push webhook for uninstalls; lifecycle events (APP_INSTALL, APP_UNINSTALL) are
// only in the webhooks journal, polled with a client-credentials token (the OpenAPI spec's
// Webhooks Journal 2026-03, https://developers.hubspot.com/docs/api-reference/webhooks-journal).
// The event type IDs are the spec's (hubspot.EventTypeAppInstall, hubspot.EventTypeAppUninstall);
// the journal entry's JSON shape is UNCONFIRMED: hsemu's entries are an approximation, marked so
// in their docs. An app uninstalled and installed again gets an APP_INSTALL entry again.

// Journal actions (the OpenAPI spec's Webhooks Journal `actions` enum).
const (
	actionAppInstall   = hubspot.ActionAppInstall
	actionAppUninstall = hubspot.ActionAppUninstall
)

// maxJournal bounds the journal kept in the state file; older entries are dropped, as
// HubSpot's journal offsets expire.
const maxJournal = 1000

// journalFileTTL is how long the URL of a journal fetch stays valid (expiresAt). HubSpot's
// value is UNCONFIRMED.
const journalFileTTL = time.Hour

// ErrNotInstalled is Uninstall's error for an app that is not installed in the portal.
var ErrNotInstalled = errors.New("the app is not installed in this portal")

// journalEntry is one app lifecycle entry of the webhooks journal.
type journalEntry struct {
	Offset     string    `json:"offset"` // a UUID, as HubSpot's currentOffset
	Action     string    `json:"action"`
	ClientID   string    `json:"clientId"`
	AppID      int64     `json:"appId"`
	HubID      int64     `json:"hubId"`
	OccurredAt time.Time `json:"occurredAt"`
}

// journalLocked appends a lifecycle entry. e.mu is held.
func (e *core) journalLocked(action string, app *App, hubID int64, now time.Time) error {
	off, err := e.ids.uuid()
	if err != nil {
		return err
	}
	e.st.Journal = append(e.st.Journal, &journalEntry{
		Offset: off, Action: action,
		ClientID: app.ClientID, AppID: app.ID, HubID: hubID, OccurredAt: now,
	})
	if n := len(e.st.Journal); n > maxJournal {
		e.st.Journal = slices.Clone(e.st.Journal[n-maxJournal:])
	}
	e.touchJournal()
	return nil
}

// Uninstall removes an app from a portal as HubSpot does when a user (or the developer, through
// DELETE /appinstalls/v3/external-install) uninstalls it: the install's refresh tokens stop
// working with BAD_REFRESH_TOKEN, its access tokens stop working too (hsemu's choice; HubSpot
// documents only that uninstalling "removes any app features"), and an APP_UNINSTALL entry is
// added to the webhooks journal. It fails with ErrUnknownClient, ErrUnknownPortal or
// ErrNotInstalled.
func (e *Emulator) Uninstall(clientID string, hubID int64) error {
	return e.c.uninstall(clientID, hubID)
}

// uninstall does Uninstall's work.
func (e *core) uninstall(clientID string, hubID int64) error {
	now := e.now()
	v, err := e.update(func() error { return e.uninstallLocked(clientID, hubID, now) })
	if err != nil {
		return err
	}
	return e.sync(v)
}

func (e *core) uninstallLocked(clientID string, hubID int64, now time.Time) error {
	app := e.st.appByClientID(clientID)
	if app == nil {
		return fmt.Errorf("client_id %q: %w", clientID, ErrUnknownClient)
	}
	if e.st.portal(hubID) == nil {
		return fmt.Errorf("hub id %d: %w", hubID, ErrUnknownPortal)
	}
	key := installKey(clientID, hubID)
	if e.st.Installs[key] == nil {
		return fmt.Errorf("app %s in hub %d: %w", clientID, hubID, ErrNotInstalled)
	}
	if err := e.journalLocked(actionAppUninstall, app, hubID, now); err != nil {
		return err
	}
	delete(e.st.Installs, key)
	e.touchInstall(key)
	for _, g := range e.st.grantsOf[key] {
		if !g.RefreshRevoked || !g.AccessRevoked {
			g.RefreshRevoked, g.AccessRevoked, g.RevokedAt = true, true, now
			e.touchGrant(g.ID)
		}
	}
	return nil
}

// Installed reports whether the app is installed in the portal (its code was exchanged and it
// was not uninstalled since).
func (e *Emulator) Installed(clientID string, hubID int64) bool {
	e.c.mu.RLock()
	defer e.c.mu.RUnlock()
	return e.c.st.Installs[installKey(clientID, hubID)] != nil
}

// handleExternalUninstall serves DELETE /appinstalls/v3/external-install (and 2026-03): the
// developer uninstalls the app from the account of the Bearer access token (scope oauth);
// 204 with no body (the OpenAPI spec's App Uninstalls; changelog
// https://developers.hubspot.com/changelog/public-beta-new-api-for-uninstalling-a-public-app-from-a-hubspot-account).
func (lc *lifecycle) handleExternalUninstall(w http.ResponseWriter, r *http.Request) {
	g, ok := lc.authenticate(w, r, "oauth")
	if !ok {
		return
	}
	if err := lc.uninstall(g.ClientID, g.HubID); err != nil {
		lc.writeUninstallError(w, eventOf(r), err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeUninstallError maps Uninstall's errors to HubSpot's generic API error.
func (lc *lifecycle) writeUninstallError(w http.ResponseWriter, ev *Event, err error) {
	ae := &APIError{HTTPStatus: http.StatusNotFound, Category: hubspot.CategoryObjectNotFound, Message: err.Error()}
	if !errors.Is(err, ErrUnknownClient) && !errors.Is(err, ErrUnknownPortal) && !errors.Is(err, ErrNotInstalled) {
		ae = &APIError{
			HTTPStatus: http.StatusServiceUnavailable, Category: hubspot.CategoryInternalError,
			Message: "hsemu could not complete the uninstall: " + err.Error(),
		}
	}
	lc.writeAPIError(w, ev, ae)
}

// uninstallJSON is the body of POST /_hsemu/uninstall.
type uninstallJSON struct {
	ClientID string `json:"clientId"`
	HubID    int64  `json:"hubId"`
}

// handleAdminUninstall serves POST /_hsemu/uninstall {"clientId":"…","hubId":123}: 204, or 404
// naming what is unknown or not installed.
func (lc *lifecycle) handleAdminUninstall(w http.ResponseWriter, r *http.Request) {
	ev := eventOf(r)
	bad := func(msg string) {
		lc.writeAPIError(w, ev, &APIError{
			HTTPStatus: http.StatusBadRequest, Category: categoryValidation,
			Message: msg + `; send JSON like {"clientId":"…","hubId":1234567}`,
		})
	}
	var body uninstallJSON
	if err := decodeAdminJSON(w, r, &body); err != nil {
		if errors.Is(err, io.EOF) {
			bad("empty body")
		} else {
			bad("uninstall request is not valid JSON: " + err.Error())
		}
		return
	}
	switch {
	case body.ClientID == "":
		bad("clientId is missing")
		return
	case body.HubID <= 0:
		bad("hubId is missing or not a positive number")
		return
	}
	ev.ClientID, ev.HubID = short(body.ClientID), body.HubID
	if err := lc.uninstall(body.ClientID, body.HubID); err != nil {
		lc.writeUninstallError(w, ev, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// authenticateApp checks the bearer token of a webhooks-journal call: an app token
// (grant_type=client_credentials) with scope developer.webhooks_journal.read ("When using each
// of these endpoints, you'll need to ensure your client credentials token was generated with
// the developer.webhooks_journal.read scope", journal guide).
func (lc *lifecycle) authenticateApp(w http.ResponseWriter, r *http.Request) (*grant, bool) {
	ev := eventOf(r)
	fail := func(ae *APIError) (*grant, bool) {
		if ae.HTTPStatus == http.StatusUnauthorized {
			w.Header().Set("X-HubSpot-Auth-Failure", "401 Unauthorized")
		}
		lc.writeAPIError(w, ev, ae)
		return nil, false
	}
	tok, ok := lc.bearerToken(r)
	if !ok || tok == "" {
		return fail(&APIError{HTTPStatus: http.StatusUnauthorized, Message: msgNoCredentials, Category: hubspot.CategoryInvalidAuthentication})
	}
	ev.TokenHint = redact(tok)
	var (
		c   grant
		err error
	)
	lc.view(func() {
		var g *grant
		if g, _, err = lc.lookupAccess(tok, lc.now()); g != nil {
			c = *g
			c.Scopes = slices.Clone(g.Scopes)
		}
	})
	if err != nil {
		return fail(&APIError{HTTPStatus: http.StatusUnauthorized, Message: msgNoCredentials, Category: hubspot.CategoryInvalidAuthentication})
	}
	ev.ClientID = c.ClientID
	const scope = hubspot.JournalReadScope
	if !c.ClientCredentials || !slices.Contains(c.Scopes, scope) {
		msg := "The webhooks journal needs a client credentials token with scope " + scope +
			": POST grant_type=client_credentials&scope=" + scope + " to " + hubspot.TokenPathV3 + "."
		return fail(&APIError{
			HTTPStatus: http.StatusForbidden, Category: hubspot.CategoryMissingScopes, Message: msg,
			Errors: []APIErrorDetail{{
				Message: hubspot.TextScopesNeeded,
				Context: map[string][]string{"requiredGranularScopes": {scope}},
			}},
		})
	}
	return &c, true
}

// journalFetch is HubSpot's JournalFetchResponse: where to download the entries of an offset.
type journalFetch struct {
	CurrentOffset string    `json:"currentOffset"`
	ExpiresAt     time.Time `json:"expiresAt"`
	URL           string    `json:"url"`
}

// handleJournalLatest serves GET /webhooks-journal/journal/2026-03/latest: the newest entry of
// the app's journal, as a JournalFetchResponse whose url serves the entry.
func (lc *lifecycle) handleJournalLatest(w http.ResponseWriter, r *http.Request) {
	lc.serveJournal(w, r, func(entries []*journalEntry) int { return len(entries) - 1 })
}

// handleJournalNext serves GET /webhooks-journal/journal/2026-03/offset/{offset}/next: the entry
// after offset. An unknown offset is a 404 ("Fails with a 404 if the offset has expired or
// doesn't exist", OpenAPI spec); so is an offset with no entry after it yet (UNCONFIRMED).
func (lc *lifecycle) handleJournalNext(w http.ResponseWriter, r *http.Request) {
	off := r.PathValue("offset")
	lc.serveJournal(w, r, func(entries []*journalEntry) int {
		for i, en := range entries {
			if en.Offset == off {
				return i + 1
			}
		}
		return -1
	})
}

// serveJournal answers with the app's entry at the index pick chooses among its entries.
func (lc *lifecycle) serveJournal(w http.ResponseWriter, r *http.Request, pick func([]*journalEntry) int) {
	g, ok := lc.authenticateApp(w, r)
	if !ok {
		return
	}
	var portal int64
	if s := r.URL.Query().Get("installPortalId"); s != "" {
		if _, err := fmt.Sscan(s, &portal); err != nil || portal <= 0 {
			lc.writeAPIError(w, eventOf(r), &APIError{
				HTTPStatus: http.StatusBadRequest, Category: categoryValidation,
				Message: fmt.Sprintf("installPortalId %q is not a hub ID", short(s)),
			})
			return
		}
	}
	entries := lc.journalOf(g.ClientID, portal)
	i := pick(entries)
	if i < 0 || i >= len(entries) {
		lc.writeAPIError(w, eventOf(r), &APIError{
			HTTPStatus: http.StatusNotFound, Category: hubspot.CategoryObjectNotFound,
			Message: "no journal entry there: the offset is unknown or has no entry after it yet",
		})
		return
	}
	en := entries[i]
	writeJSON(w, http.StatusOK, journalFetch{
		CurrentOffset: en.Offset,
		ExpiresAt:     lc.now().Add(journalFileTTL).UTC(),
		URL:           "http://" + r.Host + "/_hsemu/webhooks-journal/files/" + en.Offset,
	})
}

// journalOf returns the entries of an app, of one portal when hubID is not 0.
func (e *core) journalOf(clientID string, hubID int64) []*journalEntry {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []*journalEntry
	for _, en := range e.st.Journal {
		if en.ClientID == clientID && (hubID == 0 || en.HubID == hubID) {
			c := *en
			out = append(out, &c)
		}
	}
	return out
}

// journalEventJSON is an app lifecycle entry as hsemu serves it from a journal URL. HubSpot's
// exact shape is not documented: the field names follow the OpenAPI spec's
// AppLifecycleEventSubscriptionUpsertRequest (subscriptionType APP_LIFECYCLE_EVENT) and the
// journal's `actions` enum, and the portal/app/time fields follow webhook events.
type journalEventJSON struct {
	Offset           string `json:"offset"`
	SubscriptionType string `json:"subscriptionType"`
	Action           string `json:"action"`
	EventTypeID      string `json:"eventTypeId"`
	PortalID         int64  `json:"portalId"`
	AppID            int64  `json:"appId"`
	OccurredAt       int64  `json:"occurredAt"`
	Approximate      bool   `json:"hsemuApproximate"`
}

// handleJournalFile serves GET /_hsemu/webhooks-journal/files/{offset}, the download a
// JournalFetchResponse's url points at: a JSON array holding the entry. Offsets are random
// UUIDs, standing in for the pre-signed download URL of the real journal.
func (lc *lifecycle) handleJournalFile(w http.ResponseWriter, r *http.Request) {
	off := r.PathValue("offset")
	var found *journalEntry
	lc.view(func() {
		for _, en := range lc.st.Journal {
			if en.Offset == off {
				c := *en
				found = &c
			}
		}
	})
	if found == nil {
		lc.writeAPIError(w, eventOf(r), &APIError{
			HTTPStatus: http.StatusNotFound, Category: hubspot.CategoryObjectNotFound,
			Message: "no journal entry with offset " + short(off),
		})
		return
	}
	writeJSON(w, http.StatusOK, []journalEventJSON{{
		Offset: found.Offset, SubscriptionType: hubspot.SubscriptionAppLifecycle,
		Action: found.Action, EventTypeID: hubspot.LifecycleEventTypeID(found.Action), PortalID: found.HubID, AppID: found.AppID,
		OccurredAt: found.OccurredAt.UnixMilli(), Approximate: true,
	}})
}

// lifecycle serves what happens to an installed app besides its tokens: uninstall, the webhooks
// journal's lifecycle entries and webhook deliveries (webhooks.go).
type lifecycle struct{ *core }
