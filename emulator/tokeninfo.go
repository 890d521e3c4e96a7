package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// accessTokenInfo is GET /oauth/v1/access-tokens/{token} (the OpenAPI spec's
// AccessTokenInfoResponse; the example on the v1 tokens page). token_type is "access" and
// expires_in counts down.
type accessTokenInfo struct {
	Token             string             `json:"token"`
	User              string             `json:"user,omitempty"`
	HubDomain         string             `json:"hub_domain,omitempty"`
	Scopes            []string           `json:"scopes"`
	SignedAccessToken *signedAccessToken `json:"signed_access_token,omitempty"`
	HubID             int64              `json:"hub_id"`
	AppID             int64              `json:"app_id"`
	ExpiresIn         int64              `json:"expires_in"`
	UserID            int64              `json:"user_id"`
	TokenType         string             `json:"token_type"`
	// IsPrivateDistribution: the app is privately distributed (the spec's optional
	// is_private_distribution).
	IsPrivateDistribution bool `json:"is_private_distribution"`
}

// signedAccessToken is the spec's SignedAccessToken, every required field present
// (PublicApiSpecs/Auth/Oauth/Rollouts/279897/2026-03/oauth.json; the v1 tokens page's example).
// Its values are placeholders of the right types: apps should not depend on them. audience's
// value is UNCONFIRMED (hsemu puts the client ID); appInstallId is a stable ID per app and
// account.
type signedAccessToken struct {
	AppInstallID              string `json:"appInstallId"`
	Audience                  string `json:"audience"`
	InstallingUserID          int64  `json:"installingUserId"`
	IsPrivateDistribution     bool   `json:"isPrivateDistribution"`
	IsServiceAccount          bool   `json:"isServiceAccount"`
	ExpiresAt                 int64  `json:"expiresAt"`
	Scopes                    string `json:"scopes"`
	HubID                     int64  `json:"hubId"`
	UserID                    int64  `json:"userId"`
	AppID                     int64  `json:"appId"`
	Signature                 string `json:"signature"`
	ScopeToScopeGroupPks      string `json:"scopeToScopeGroupPks"`
	NewSignature              string `json:"newSignature"`
	Hublet                    string `json:"hublet"`
	TrialScopes               string `json:"trialScopes"`
	TrialScopeToScopeGroupPks string `json:"trialScopeToScopeGroupPks"`
	IsUserLevel               bool   `json:"isUserLevel"`
}

// refreshTokenInfo is GET /oauth/v1/refresh-tokens/{token} (the OpenAPI spec's
// RefreshTokenInfoResponse).
type refreshTokenInfo struct {
	Token     string   `json:"token"`
	User      string   `json:"user,omitempty"`
	HubDomain string   `json:"hub_domain,omitempty"`
	Scopes    []string `json:"scopes"`
	HubID     int64    `json:"hub_id"`
	ClientID  string   `json:"client_id"`
	UserID    int64    `json:"user_id"`
	TokenType string   `json:"token_type"`
}

// introspection is the answer of POST /oauth/v3/token/introspect (the OpenAPI spec's
// PublicAccessTokenInfoResponse / PublicRefreshTokenInfoResponse, whose required fields are
// always present, hub_id and user_id of an app's client-credentials token included, as 0). Only
// `active` is sent for a token hsemu does not know (RFC 7662 §2.2; community report, usertour
// PR #490; UNCONFIRMED officially).
type introspection struct {
	Active                bool               `json:"active"`
	AppID                 int64              `json:"app_id"`
	ClientID              string             `json:"client_id"`
	ExpiresIn             *int64             `json:"expires_in,omitempty"`
	HubID                 int64              `json:"hub_id"`
	HubDomain             string             `json:"hub_domain,omitempty"`
	IsPrivateDistribution *bool              `json:"is_private_distribution,omitempty"`
	Scopes                []string           `json:"scopes"`
	SignedAccessToken     *signedAccessToken `json:"signed_access_token,omitempty"`
	Token                 string             `json:"token"`
	TokenType             string             `json:"token_type"`
	TokenUse              string             `json:"token_use"`
	User                  string             `json:"user,omitempty"`
	UserID                int64              `json:"user_id"`
}

// MarshalJSON sends only `active` for an inactive token.
func (in introspection) MarshalJSON() ([]byte, error) {
	if !in.Active {
		return []byte(`{"active":false}`), nil
	}
	type plain introspection
	b, err := json.Marshal(plain(in))
	if err != nil {
		return nil, fmt.Errorf("encode introspection: %w", err)
	}
	return b, nil
}

// Errors of the metadata endpoints for unknown tokens. HubSpot's exact answer is
// UNCONFIRMED; the token endpoint's 400 shape is used with the matching status.
func errBadAccessToken() *Error {
	return hubspot.OAuthError(hubspot.StatusBadAccessToken)
}

func (ti *tokenInfo) signed(g *grant, app *App, p *Portal, exp time.Time) *signedAccessToken {
	sum := sha256.Sum256([]byte(g.ID + "/" + exp.String()))
	sig := base64.StdEncoding.EncodeToString(sum[:])
	install := sha256.Sum256([]byte(installKey(g.ClientID, g.HubID)))
	s := &signedAccessToken{
		AppInstallID: strconv.FormatUint(binary.BigEndian.Uint64(install[:8])>>12, 10),
		Audience:     g.ClientID, InstallingUserID: g.UserID,
		ExpiresAt: exp.UnixMilli(), Scopes: base64.StdEncoding.EncodeToString([]byte(g.ID)),
		HubID: g.HubID, UserID: g.UserID, Signature: sig, NewSignature: sig, Hublet: "na1",
	}
	if app != nil {
		s.AppID = app.ID
		s.IsPrivateDistribution = app.Distribution == hubspot.DistributionPrivate
	}
	if p != nil {
		s.Hublet = p.Hublet
	}
	return s
}

func expiresIn(exp, now time.Time) int64 {
	n := int64(exp.Sub(now) / time.Second)
	if n < 0 {
		return 0
	}
	return n
}

// handleAccessTokenInfo serves GET /oauth/v1/access-tokens/{token}.
func (ti *tokenInfo) handleAccessTokenInfo(w http.ResponseWriter, r *http.Request) {
	ev := eventOf(r)
	tok := r.PathValue("token")
	ev.TokenHint = redact(tok)
	now := ti.now()
	var (
		info accessTokenInfo
		err  error
	)
	ti.view(func() {
		var g *grant
		var at accessToken
		if g, at, err = ti.lookupAccess(tok, now); err != nil {
			return
		}
		app, p := ti.st.appByClientID(g.ClientID), ti.st.portal(g.HubID)
		info = accessTokenInfo{
			Token: tok, Scopes: slices.Clone(g.Scopes), HubID: g.HubID, UserID: g.UserID,
			ExpiresIn: expiresIn(at.Expires, now), TokenType: "access",
			SignedAccessToken: ti.signed(g, app, p, at.Expires),
		}
		if app != nil {
			info.AppID = app.ID
			info.IsPrivateDistribution = app.Distribution == hubspot.DistributionPrivate
		}
		if p != nil {
			info.User, info.HubDomain = p.UserEmail, p.Domain
		}
		ev.ClientID = g.ClientID
	})
	if err != nil {
		if errors.Is(err, errTokenMalformed) {
			ti.writeAPIError(w, ev, &APIError{HTTPStatus: http.StatusBadRequest, Message: hubspot.TextAccessTokenFormat})
			return
		}
		ti.writeOAuthError(w, ev, errBadAccessToken())
		return
	}
	ev.HubID = info.HubID
	noStore(w)
	writeJSON(w, http.StatusOK, info)
}

// handleRefreshTokenInfo serves GET /oauth/v1/refresh-tokens/{token}.
func (ti *tokenInfo) handleRefreshTokenInfo(w http.ResponseWriter, r *http.Request) {
	ev := eventOf(r)
	tok := r.PathValue("token")
	ev.TokenHint = redact(tok)
	var (
		info  refreshTokenInfo
		found bool
	)
	ti.view(func() {
		g := ti.st.refresh[tok]
		if g == nil || g.RefreshRevoked {
			return
		}
		found = true
		info = refreshTokenInfo{
			Token: tok, Scopes: slices.Clone(g.Scopes), HubID: g.HubID,
			ClientID: g.ClientID, UserID: g.UserID, TokenType: "refresh",
		}
		if p := ti.st.portal(g.HubID); p != nil {
			info.User, info.HubDomain = p.UserEmail, p.Domain
		}
	})
	if !found {
		ti.writeOAuthError(w, ev, errBadRefreshToken())
		return
	}
	ev.ClientID, ev.HubID = info.ClientID, info.HubID
	noStore(w)
	writeJSON(w, http.StatusOK, info)
}

// handleRefreshTokenDelete serves DELETE /oauth/v1/refresh-tokens/{token}: 204 (OpenAPI spec).
// "This will only delete the refresh token. Access tokens generated with the refresh token will not
// be deleted. Additionally, this will not uninstall the application" (v1 tokens page).
func (ti *tokenInfo) handleRefreshTokenDelete(w http.ResponseWriter, r *http.Request) {
	ev := eventOf(r)
	tok := r.PathValue("token")
	ev.TokenHint = redact(tok)
	found := false
	v, _ := ti.update(func() error {
		g := ti.st.refresh[tok]
		if g == nil || g.RefreshRevoked {
			return nil
		}
		found = true
		g.RefreshRevoked, g.RevokedAt = true, ti.now()
		ti.touchGrant(g.ID)
		ev.ClientID, ev.HubID = g.ClientID, g.HubID
		return nil
	})
	if !found {
		ti.writeOAuthError(w, ev, errBadRefreshToken())
		return
	}
	if err := ti.sync(v); err != nil {
		ti.writeAPIError(w, ev, &APIError{HTTPStatus: http.StatusServiceUnavailable, Message: err.Error(), Category: hubspot.CategoryInternalError})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// presentedToken returns the token of an introspect or revoke request: `token` (the OpenAPI
// spec and https://github.com/HubSpot/hubspot-sdk-typescript), or `refresh_token` /
// `access_token` as the v3 guide's text names it; the two sources disagree, so both are
// accepted.
func presentedToken(form url.Values) (tok, hint string) {
	hint = form.Get("token_type_hint")
	switch {
	case form.Get("token") != "":
		return form.Get("token"), hint
	case form.Get(hubspot.TokenRefresh) != "":
		return form.Get(hubspot.TokenRefresh), hubspot.TokenRefresh
	case form.Get(hubspot.TokenAccess) != "":
		return form.Get(hubspot.TokenAccess), hubspot.TokenAccess
	}
	return "", hint
}

// tokenForm reads the form of an introspect or revoke request and the token it presents,
// recording both in the event; it answers HubSpot's 400 itself (missing says what to send) and
// reports false when the request cannot go on.
func (ti *tokenInfo) tokenForm(w http.ResponseWriter, r *http.Request, ev *Event, missing string) (form url.Values, tok, hint string, ok bool) {
	form, oe := readForm(w, r, false)
	if oe == nil {
		oe = ti.basicAuth(r, form)
	}
	if oe != nil {
		ti.writeOAuthError(w, ev, oe)
		return nil, "", "", false
	}
	ev.ClientID = short(form.Get("client_id"))
	tok, hint = presentedToken(form)
	ev.TokenHint = redact(tok)
	if tok == "" {
		ti.writeOAuthError(w, ev, errBadRequest(missing))
		return nil, "", "", false
	}
	return form, tok, hint, true
}

// handleIntrospect serves POST /oauth/v3/token/introspect and its dated twins. The client
// authenticates with client_id and client_secret; a token hsemu does not know, or one of
// another app, answers 200 {"active": false} (RFC 7662 §2.2). The token is found whatever
// token_type_hint says: "If the server is unable to locate the token using the given hint, it
// MUST extend its search across all of its supported token types" (RFC 7662 §2.1).
func (ti *tokenInfo) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	ev := eventOf(r)
	form, tok, hint, ok := ti.tokenForm(w, r, ev, "missing token: send the token to introspect in the token field, with token_type_hint access_token or refresh_token")
	if !ok {
		return
	}
	now := ti.now()
	var (
		resp introspection
		oe   *Error
	)
	ti.view(func() { resp, oe = ti.introspectLocked(form, tok, hint, now) })
	if oe != nil {
		ti.writeOAuthError(w, ev, oe)
		return
	}
	ev.HubID = resp.HubID
	noStore(w)
	writeJSON(w, http.StatusOK, resp)
}

// introspectLocked does handleIntrospect's work; ti.mu is held for reading.
func (ti *tokenInfo) introspectLocked(form url.Values, tok, hint string, now time.Time) (introspection, *Error) {
	app, oe := ti.authClient(form)
	if oe != nil {
		return introspection{}, oe
	}
	_ = hint // a hint only orders the search, and both lookups are cheap (RFC 7662 §2.1)
	resp := introspection{Active: false}
	if g, at, err := ti.lookupAccess(tok, now); err == nil && g.ClientID == app.ClientID {
		resp = ti.introspectGrant(g, app, tok)
		n := expiresIn(at.Expires, now)
		resp.ExpiresIn = &n
		resp.TokenUse = hubspot.TokenAccess
		private := app.Distribution == hubspot.DistributionPrivate
		resp.IsPrivateDistribution = &private
		resp.SignedAccessToken = ti.signed(g, app, ti.st.portal(g.HubID), at.Expires)
	} else if g := ti.st.refresh[tok]; g != nil && !g.RefreshRevoked && g.ClientID == app.ClientID {
		resp = ti.introspectGrant(g, app, tok)
		resp.TokenUse = hubspot.TokenRefresh
	}
	return resp, nil
}

func (ti *tokenInfo) introspectGrant(g *grant, app *App, tok string) introspection {
	out := introspection{
		Active: true, AppID: app.ID, ClientID: app.ClientID, HubID: g.HubID,
		Scopes: slices.Clone(g.Scopes), Token: tok, TokenType: "Bearer", UserID: g.UserID,
	}
	if p := ti.st.portal(g.HubID); p != nil {
		out.User, out.HubDomain = p.UserEmail, p.Domain
	}
	return out
}

// handleRevoke serves POST /oauth/v3/token/revoke and its dated twins: "Deletes/Revokes provided
// Refresh Token" (OpenAPI spec). An access token is revoked alone. HubSpot's success status is
// UNCONFIRMED; hsemu follows RFC 7009 §2.2: "The authorization server responds with HTTP status
// code 200 if the token has been revoked successfully or if the client submitted an invalid token",
// with an empty body.
func (ti *tokenInfo) handleRevoke(w http.ResponseWriter, r *http.Request) {
	ev := eventOf(r)
	form, tok, hint, ok := ti.tokenForm(w, r, ev, "missing token: send the token to revoke in the token field")
	if !ok {
		return
	}
	now := ti.now()
	v, err := ti.update(func() error {
		app, oe := ti.authClient(form)
		if oe != nil {
			return oe
		}
		// RFC 7009 §2.1: a server that cannot find the token by the hint "MUST extend its
		// search across all of its supported token types".
		_ = hint
		if g := ti.st.refresh[tok]; g != nil && g.ClientID == app.ClientID && !g.RefreshRevoked {
			g.RefreshRevoked, g.RevokedAt = true, now
			ti.touchGrant(g.ID)
			ev.HubID = g.HubID
		} else if g, at, err := ti.lookupAccess(tok, now); err == nil && g.ClientID == app.ClientID {
			ti.st.RevokedAccess[at.ID] = at.Expires
			ti.touchRevoked(at.ID)
			ev.HubID = g.HubID
		}
		return nil
	})
	var oe *Error
	if errors.As(err, &oe) {
		ti.writeOAuthError(w, ev, oe)
		return
	}
	if err := ti.sync(v); err != nil {
		ti.writeAPIError(w, ev, &APIError{HTTPStatus: http.StatusServiceUnavailable, Message: err.Error(), Category: hubspot.CategoryInternalError})
		return
	}
	noStore(w)
	w.WriteHeader(http.StatusOK)
}

// tokenInfo serves token metadata, introspection and revocation.
type tokenInfo struct{ *core }
