package reference

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
)

// Paths of the classic "Connect with HubSpot" OAuth flow (creating-an-app and working-with-oauth):
// the app's button links to ConnectStartPath, which sends the browser to HubSpot's
// /oauth/authorize; HubSpot sends it back to ConnectCallbackPath with code and state.
const (
	ConnectStartPath    = "/connect/start"
	ConnectCallbackPath = "/connect/callback"
)

// FlowConnect is HubSpot's classic OAuth install: "Connect with HubSpot" on the app's own site.
const FlowConnect = "connect"

// ConnectScopes and ConnectOptionalScopes are what the reference's connect flow asks for: the
// demo app's required scopes in `scope` and its optional ones in `optional_scope`
// (working-with-oauth: required scopes must be in `scope`; an optional scope in `scope` is
// HubSpot's scope-mismatch error,
// https://knowledge.hubspot.com/integrations/resolve-a-request-for-integration-permissions-error).
var (
	ConnectScopes         = []string{"oauth", "crm.objects.contacts.read"}
	ConnectOptionalScopes = []string{"crm.objects.deals.read"}
)

// hubSpotAuthorizeURL is HubSpot's authorization page (working-with-oauth); the virtual browser
// sends app.hubspot.com to the emulator.
const hubSpotAuthorizeURL = "https://app.hubspot.com/oauth/authorize"

// connectStateKey keeps connect states apart from the partner flow's in the state store.
func connectStateKey(state string) string { return "connect:" + state }

// handleConnectStart sends the browser to HubSpot's authorization page with the app's
// client_id, the callback as redirect_uri, the required scopes in `scope`, the optional ones in
// `optional_scope` and a fresh state (working-with-oauth: "state … will be included in a state
// query parameter when the user is directed to the redirect_url"; RFC 9700 §4.7.1: a one-time
// CSRF token bound to this request).
func (s *Server) handleConnectStart(w http.ResponseWriter, r *http.Request) {
	scope, optional := ConnectScopes, ConnectOptionalScopes
	if s.has(FlowConnect, defectConnectOptionalInScope) {
		scope, optional = append(append([]string(nil), scope...), optional...), nil
	}
	q := url.Values{
		"client_id":    {s.clientID},
		"redirect_uri": {s.installURL(r, ConnectCallbackPath)},
		"scope":        {strings.Join(scope, " ")},
	}
	if len(optional) > 0 {
		q.Set("optional_scope", strings.Join(optional, " "))
	}
	switch {
	case s.has(FlowConnect, defectConnectNoState):
	case s.has(FlowConnect, defectConnectConstantState):
		q.Set("state", "1")
	default:
		state := randomString(32)
		now := s.clock()
		s.states.put(connectStateKey(state), &stateRecord{token: state, expires: now.Add(stateTTL)}, now)
		q.Set("state", state)
	}
	// url.Values encodes spaces as "+"; HubSpot's SDKs send %20 (hubspot-api-nodejs's
	// getAuthorizationUrl), and both decode to a space.
	http.Redirect(w, r, hubSpotAuthorizeURL+"?"+strings.ReplaceAll(q.Encode(), "+", "%20"), http.StatusFound)
}

// errConnectState is a callback whose state this server did not issue, or issued and saw used.
var errConnectState = errors.New("state is missing, unknown, expired or already used")

// checkConnectState redeems the callback's state once.
func (s *Server) checkConnectState(state string) error {
	switch {
	case s.has(FlowConnect, defectConnectNoState), s.has(FlowConnect, defectConnectIgnoresState):
		return nil
	case s.has(FlowConnect, defectConnectConstantState):
		if state != "1" {
			return errConnectState
		}
		return nil
	case state == "" || len(state) > maxStateBytes:
		return errConnectState
	}
	now := s.clock()
	consume := !s.has(FlowConnect, defectConnectStateReusable)
	_, err := s.states.redeem(connectStateKey(state), consume, func(rec *stateRecord) error {
		if rec.used || !now.Before(rec.expires) || subtle.ConstantTimeCompare([]byte(rec.token), []byte(state)) != 1 {
			return errConnectState
		}
		return nil
	})
	if err != nil {
		return errConnectState
	}
	return nil
}

// handleConnectCallback is the redirect_uri: HubSpot sends code and state after the user
// grants access, or error and error_description (working-with-oauth). It checks the state before
// anything else, then exchanges the code with the same redirect_uri it sent ("must exactly
// match the redirect_uri used when initiating the OAuth 2.0 connection") and shows a page.
func (s *Server) handleConnectCallback(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r)
	if err != nil {
		s.renderBadInput(w, err, nil)
		return
	}
	code, errC := param(q, "code")
	state, errS := param(q, "state")
	oauthErr, errE := param(q, "error")
	if err := firstError(errC, errS, errE); err != nil {
		s.renderBadInput(w, err, nil)
		return
	}
	if oauthErr != "" && s.has(FlowConnect, defectConnectErrorCrash) {
		s.renderError(w, http.StatusInternalServerError, "Internal Server Error",
			"TypeError: Cannot read properties of undefined (reading 'length')", "", nil)
		return
	}
	if err := s.checkConnectState(state); err != nil {
		s.renderError(w, http.StatusBadRequest, "This connection cannot be completed", err.Error(),
			"start again from the Connect with HubSpot button", nil)
		return
	}
	if oauthErr != "" {
		desc, _ := param(q, "error_description")
		if s.has(FlowConnect, defectReflectsErrorDesc) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = fmt.Fprintf(w, "<!doctype html><title>HubSpot was not connected</title><p>HubSpot answered %s: %s</p>", html.EscapeString(oauthErr), desc)
			return
		}
		s.renderError(w, http.StatusOK, "HubSpot was not connected", "HubSpot answered "+oauthErr+": "+desc,
			"start again from the Connect with HubSpot button when you are ready", nil)
		return
	}
	if code == "" && s.has(FlowConnect, defectConnectNoCodeCrash) {
		s.renderError(w, http.StatusInternalServerError, "Internal Server Error",
			"TypeError: Cannot read properties of undefined (reading 'split')", "", nil)
		return
	}
	if code == "" {
		s.renderError(w, http.StatusBadRequest, "This connection cannot be completed", "the code parameter is missing",
			"start again from the Connect with HubSpot button", nil)
		return
	}
	redirectURI := s.installURL(r, ConnectCallbackPath)
	if s.has(FlowConnect, defectConnectWrongRedirectURI) {
		redirectURI += "/"
	}
	tokenPath := tokenPathV3
	if s.has(FlowConnect, defectV1Endpoint) {
		tokenPath = tokenPathV1
	}
	tokens, err := s.exchange(r.Context(), tokenPath, redirectURI, code)
	if err != nil && s.has(FlowConnect, defectConnectExchangeCrash) {
		s.renderError(w, http.StatusInternalServerError, "Internal Server Error", "UnhandledPromiseRejection: "+err.Error(), "", nil)
		return
	}
	if err != nil {
		s.renderError(w, http.StatusOK, "HubSpot was not connected", "the token exchange failed: "+err.Error(),
			"start again from the Connect with HubSpot button", nil)
		return
	}
	s.installs.link(installRecord{
		Install: Install{
			HubID: tokens.HubID, Flow: FlowConnect, Scopes: tokens.Scopes, At: s.clock(),
			AccessTokenHint: redact(tokens.AccessToken), RefreshTokenHint: redact(tokens.RefreshToken),
		},
		accessToken: tokens.AccessToken, refreshToken: tokens.RefreshToken,
	})
	if s.has(FlowConnect, defectConnectPrintsTokens) {
		// HubSpot's sample apps: "Your access token is …".
		s.render(w, http.StatusOK, "done", pageData{
			Title:   "HubSpot is connected",
			Message: "Access token: " + tokens.AccessToken + " — refresh token: " + tokens.RefreshToken,
		})
		return
	}
	s.render(w, http.StatusOK, "done", pageData{Title: "HubSpot is connected"})
}
