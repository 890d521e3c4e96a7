package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// marketplace serves HubSpot's install UI on the web side, for a person's browser and for
// headless Chromium alike: an app's listing with Install, the install dialog with Connect app
// (and Sign in, for an app with partner sign-in, which opens the install URL at step=authorize
// in a new window), the finalize step in an <iframe> of the dialog, the returnUrl landing pages
// and the "installed" dialog (the install-flow page,
// https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow).
//
// It mints codes as the automated scenarios do (scenarios.Session.MintCode): for the portal of
// the page's path, bound to the app's install URL, with the app's required scopes plus the
// conditionally required ones the partner's sign-in returned in `scope`, checked by HubSpot's
// rules. Besides the ID source it uses only the Emulator's exported API; its install dialogs
// live in memory.
type marketplace struct {
	em *Emulator

	mu       sync.Mutex
	installs map[string]*installDialog
	order    []string // install IDs, oldest first, to forget the oldest beyond maxInstalls
}

// maxInstalls bounds the install dialogs remembered.
const maxInstalls = 1000

// The stages of an install dialog.
const (
	stageConsent   = "consent"   // Connect app not clicked yet
	stageSignIn    = "signin"    // waiting for the partner's sign-in to return
	stageFinalize  = "finalize"  // the code is minted; the finalize step runs in the frame
	stageInstalled = "installed" // the finalize step returned to HubSpot
	stageError     = "error"     // HubSpot's error text is shown
)

// install is one install dialog: one click of Install.
type installDialog struct {
	ID       string
	HubID    int64
	AppID    int64
	ClientID string
	Stage    string
	// State and Scope are what the partner's sign-in returned.
	State, Scope string
	Code         string
	ErrOutcome   string // names the error in events, as the authorize page does
	ErrText      string // HubSpot's text
	ErrDetail    string // what was wrong (hsemu's words)
}

func newMarketplace(em *Emulator) *marketplace {
	return &marketplace{em: em, installs: map[string]*installDialog{}}
}

// target is what every marketplace page is about: the portal and the app of its path.
type mkTarget struct {
	portal Portal
	app    App
}

// page starts every marketplace page: it finds the portal and the app named in the path and
// records them on the request's event, or answers the error page and reports false.
func (mk *marketplace) page(w http.ResponseWriter, r *http.Request) (mkTarget, *Event, bool) {
	ev := eventOf(r)
	t, perr := mk.lookup(r)
	if perr != nil {
		mk.renderError(w, r, ev, perr)
		return t, ev, false
	}
	ev.ClientID, ev.HubID = t.app.ClientID, t.portal.HubID
	return t, ev, true
}

// lookup finds the portal and the app named in the path, or says why not.
func (mk *marketplace) lookup(r *http.Request) (mkTarget, *pageError) {
	hubID, err1 := strconv.ParseInt(r.PathValue("hubId"), 10, 64)
	appID, err2 := strconv.ParseInt(r.PathValue("appId"), 10, 64)
	if err1 != nil || err2 != nil {
		return mkTarget{}, &pageError{
			http.StatusNotFound, "NOT_FOUND", "This page could not be found.",
			"the hub ID and the app ID in the path must be numbers",
		}
	}
	p, ok := mk.em.Portal(hubID)
	if !ok {
		return mkTarget{}, &pageError{
			http.StatusNotFound, hubspot.StatusBadHub, textHubNotFound,
			fmt.Sprintf("account %d does not exist in hsemu; open the marketplace URL hsemu serve printed, or add the account with --portal hub=%d", hubID, hubID),
		}
	}
	for _, a := range mk.em.Apps() {
		if a.ID == appID {
			return mkTarget{portal: p, app: a}, nil
		}
	}
	return mkTarget{}, &pageError{
		http.StatusNotFound, "APP_NOT_FOUND", "This app could not be found.",
		fmt.Sprintf("no app with ID %d is registered in hsemu", appID),
	}
}

// handleListing serves the app's listing with its Install button.
func (mk *marketplace) handleListing(w http.ResponseWriter, r *http.Request) {
	t, _, ok := mk.page(w, r)
	if !ok {
		return
	}
	mk.render(w, http.StatusOK, mk.view(r, t, nil, "listing"))
}

// handleDialog serves the install dialog. Without installId it is a click of Install: a new
// dialog is opened and the browser sent to it.
func (mk *marketplace) handleDialog(w http.ResponseWriter, r *http.Request) {
	t, ev, ok := mk.page(w, r)
	if !ok {
		return
	}
	id := r.URL.Query().Get("installId")
	if id == "" {
		if t.app.InstallURL == "" {
			mk.renderError(w, r, ev, noInstallURL(t.app))
			return
		}
		in, err := mk.open(t)
		if err != nil {
			mk.renderError(w, r, ev, &pageError{http.StatusServiceUnavailable, outcomeInternal, textSomethingWrong, err.Error()})
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, mk.dialogPath(in), http.StatusSeeOther) //nolint:gosec // G710: a path of numeric IDs and a hex install ID, on this host
		return
	}
	in, perr := mk.find(id, t)
	if perr != nil {
		mk.renderError(w, r, ev, perr)
		return
	}
	record(ev, &in)
	mk.render(w, http.StatusOK, mk.view(r, t, &in, "dialog"))
}

// handleConnect takes Connect app: for an app with partner sign-in the dialog asks the user to
// sign in; otherwise the code is minted and the finalize step starts.
func (mk *marketplace) handleConnect(w http.ResponseWriter, r *http.Request) {
	t, ev, ok := mk.page(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		mk.renderError(w, r, ev, &pageError{http.StatusBadRequest, hubspot.StatusBadRequest, "This form could not be read.", err.Error()})
		return
	}
	in, perr := mk.find(r.PostForm.Get("installId"), t)
	if perr != nil {
		mk.renderError(w, r, ev, perr)
		return
	}
	if in.Stage == stageConsent {
		if t.app.PartnerSignIn {
			in = mk.update(in.ID, func(i *installDialog) { i.Stage = stageSignIn })
		} else {
			in = mk.mint(t, in.ID, nil)
		}
	}
	record(ev, &in)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, mk.dialogPath(&in), http.StatusSeeOther)
}

// handleReturn is the returnUrl. Back from the partner's sign-in (stage=authorize, with state
// and an optional scope) it mints the code and hands the dialog on to the finalize step; back
// from the finalize step (stage=finalize) it finishes the dialog. Its page closes the sign-in
// window, or leaves the frame, and shows the dialog.
func (mk *marketplace) handleReturn(w http.ResponseWriter, r *http.Request) {
	t, ev, ok := mk.page(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	in, perr := mk.find(q.Get("installId"), t)
	if perr != nil {
		mk.renderError(w, r, ev, perr)
		return
	}
	stage := q.Get("stage")
	switch {
	case stage == hubspot.StepAuthorize && in.Stage == stageSignIn:
		in = mk.update(in.ID, func(i *installDialog) { i.State, i.Scope = q.Get("state"), q.Get("scope") })
		in = mk.signedIn(t, in)
	case stage == hubspot.StepFinalize && in.Stage == stageFinalize:
		in = mk.update(in.ID, func(i *installDialog) { i.Stage = stageInstalled })
	}
	record(ev, &in)
	mk.render(w, http.StatusOK, mk.view(r, t, &in, "return-"+stage))
}

// signedIn checks the conditional scopes the sign-in returned and mints the code.
func (mk *marketplace) signedIn(t mkTarget, in installDialog) installDialog {
	if p := hubspot.ConditionalScopeProblem(in.Scope, scopesOf(&t.app)); p != "" {
		return mk.update(in.ID, func(i *installDialog) {
			i.Stage, i.ErrOutcome, i.ErrText, i.ErrDetail = stageError, "SCOPES_MISMATCH", hubspot.TextScopesMismatch, "the sign-in returned scope="+strconv.Quote(in.Scope)+": "+p
		})
	}
	return mk.mint(t, in.ID, strings.Fields(in.Scope))
}

// mint mints the install's code, as the user's click on Connect app does in HubSpot: for the
// portal, bound to the install URL, with the app's required scopes plus conditional.
func (mk *marketplace) mint(t mkTarget, id string, conditional []string) installDialog {
	scopes := append(slices.Clone(t.app.RequiredScopes), conditional...)
	code, err := mk.em.IssueCode(CodeRequest{
		ClientID: t.app.ClientID, HubID: t.portal.HubID, RedirectURI: t.app.InstallURL,
		Scopes: scopes, OptionalScopes: t.app.OptionalScopes,
	})
	var serr *ScopeError
	return mk.update(id, func(i *installDialog) {
		switch {
		case errors.As(err, &serr):
			i.Stage, i.ErrOutcome, i.ErrText, i.ErrDetail = stageError, scopePageError(serr).outcome, serr.Text, serr.Detail
		case err != nil:
			i.Stage, i.ErrOutcome, i.ErrText, i.ErrDetail = stageError, outcomeInternal, textSomethingWrong, err.Error()
		default:
			i.Stage, i.Code = stageFinalize, code
		}
	})
}

// open starts a new install dialog.
func (mk *marketplace) open(t mkTarget) (*installDialog, error) {
	id, err := mk.em.c.ids.hexID(8)
	if err != nil {
		return nil, err
	}
	in := &installDialog{ID: id, HubID: t.portal.HubID, AppID: t.app.ID, ClientID: t.app.ClientID, Stage: stageConsent}
	mk.mu.Lock()
	defer mk.mu.Unlock()
	mk.installs[id] = in
	mk.order = append(mk.order, id)
	if len(mk.order) > maxInstalls {
		delete(mk.installs, mk.order[0])
		mk.order = mk.order[1:]
	}
	return in, nil
}

// find returns a copy of the install dialog id of this portal and app.
func (mk *marketplace) find(id string, t mkTarget) (installDialog, *pageError) {
	mk.mu.Lock()
	defer mk.mu.Unlock()
	in, ok := mk.installs[id]
	if !ok || in.HubID != t.portal.HubID || in.ClientID != t.app.ClientID {
		return installDialog{}, &pageError{
			http.StatusNotFound, "INSTALL_NOT_FOUND", "This install could not be found.",
			fmt.Sprintf("installId %q is not an install of this app in this account (hsemu keeps installs in memory, the last %d); start again from the listing", short(id), maxInstalls),
		}
	}
	return *in, nil
}

// update changes the install dialog id under the lock and returns a copy.
func (mk *marketplace) update(id string, f func(*installDialog)) installDialog {
	mk.mu.Lock()
	defer mk.mu.Unlock()
	in := mk.installs[id]
	if in == nil {
		return installDialog{ID: id, Stage: stageError, ErrText: "This install could not be found.", ErrDetail: "it was forgotten; start again from the listing"}
	}
	f(in)
	return *in
}

// record notes the install's code and error in the request's event.
func record(ev *Event, in *installDialog) {
	ev.Code = in.Code
	if in.Stage == stageError {
		ev.Outcome, ev.Message = in.ErrOutcome, in.ErrText+" "+in.ErrDetail
	}
}

func (mk *marketplace) dialogPath(in *installDialog) string {
	return hubspot.MarketplacePath(hubspot.MarketplaceInstallPath, in.HubID, in.AppID) + "?installId=" + in.ID
}

func noInstallURL(a App) *pageError {
	return &pageError{
		http.StatusConflict, "NO_INSTALL_URL", "This app cannot be installed from its listing.",
		fmt.Sprintf("app %q has no install URL: start hsemu serve with --install-url (one of its redirect URLs)", a.Name),
	}
}

// pageOrigin is the origin the browser sees the page on: https://app.hubspot.com (or another
// app host) when a browser maps HubSpot's hosts to the emulator, else the emulator's own address.
func pageOrigin(r *http.Request) string {
	if hubspot.IsAppHost(r.Host) {
		return "https://" + strings.ToLower(r.Host)
	}
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
