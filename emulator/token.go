package emulator

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// maxFormBody caps a form body; a larger one gets HTTP 413.
const maxFormBody = 64 << 10

// maxEventValue caps how much of a presented value an event keeps.
const maxEventValue = 128

// tokenResponse is HubSpot's token success JSON (the OpenAPI spec's AccessTokenResponse; the
// v3 guide's example), fields in the documented order.
type tokenResponse struct {
	TokenType    string   `json:"token_type"`
	RefreshToken string   `json:"refresh_token,omitempty"`
	AccessToken  string   `json:"access_token"`
	HubID        int64    `json:"hub_id,omitempty"`
	Scopes       []string `json:"scopes"`
	ExpiresIn    int64    `json:"expires_in"`
	TokenUse     string   `json:"token_use"`
}

// readForm reads an OAuth request's parameters: an application/x-www-form-urlencoded body of
// at most maxFormBody bytes, each parameter at most once (RFC 6749 §3.2: "Request and response
// parameters MUST NOT be included more than once"). With allowQuery (the v1 token endpoint
// only), query parameters count too; otherwise any query is refused: the v3 endpoints "require
// that parameters are included in the request body" (v3 guide).
func readForm(w http.ResponseWriter, r *http.Request, allowQuery bool) (url.Values, *Error) {
	if !allowQuery && r.URL.RawQuery != "" {
		q, _ := url.ParseQuery(r.URL.RawQuery)
		names := make([]string, 0, len(q))
		for k := range q {
			names = append(names, k)
		}
		sort.Strings(names)
		return nil, errBadRequest(fmt.Sprintf("this endpoint requires parameters in the request body, not the URL query (found %s): send them as an application/x-www-form-urlencoded body", strings.Join(names, ", ")))
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, errBadRequest("missing Content-Type: send the parameters as an application/x-www-form-urlencoded body")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, errBadRequest(fmt.Sprintf("Content-Type %q is not supported: send the parameters as an application/x-www-form-urlencoded body", ct))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			e := errBadRequest(fmt.Sprintf("request body is larger than %d bytes", maxFormBody))
			e.HTTPStatus = http.StatusRequestEntityTooLarge
			return nil, e
		}
		return nil, errBadRequest("could not read the request body: " + err.Error())
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errBadRequest("the body is not valid application/x-www-form-urlencoded data: " + err.Error())
	}
	if allowQuery && r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, errBadRequest("the URL query is not valid: " + err.Error())
		}
		for k, vs := range q {
			form[k] = append(form[k], vs...)
		}
	}
	for k, vs := range form {
		if len(vs) > 1 {
			return nil, errBadRequest(fmt.Sprintf("parameter %s is given %d times; send it once (RFC 6749 §3.2)", k, len(vs)))
		}
	}
	return form, nil
}

// short cuts a presented value down for an event.
func short(s string) string {
	if len(s) > maxEventValue {
		return s[:maxEventValue] + "…"
	}
	return s
}

// tokenHandler serves the token endpoint of version v: POST /oauth/v1/token (parameters in
// the query too, unless Choices.RefuseQueryOnV1) and the v3 and dated ones. Each accepts the
// grant types hubspot.TokenGrants lists for it.
func (tk *tokenService) tokenHandler(v string) http.HandlerFunc {
	allowQuery := v == hubspot.DeprecatedTokenVersion && !tk.cfg.Choices.RefuseQueryOnV1
	grants := hubspot.TokenGrants(v)
	use := strings.Join(grants, ", ")
	return func(w http.ResponseWriter, r *http.Request) {
		ev := eventOf(r)
		form, oe := readForm(w, r, allowQuery)
		if oe == nil {
			oe = tk.basicAuth(r, form)
		}
		if oe != nil {
			tk.writeOAuthError(w, ev, oe)
			return
		}
		clientID, grantType := form.Get("client_id"), form.Get("grant_type")
		ev.ClientID = short(clientID)
		ev.GrantType = short(grantType)
		ev.Code = short(form.Get("code"))
		ev.RedirectURI = short(form.Get("redirect_uri"))
		ev.TokenHint = redact(form.Get("refresh_token"))
		if f, id, ok := tk.faults.take(clientID, form.Get("code")); ok {
			if tk.applyFault(w, r, ev, f, id) {
				return
			}
		}
		var (
			resp *tokenResponse
			err  error
		)
		switch {
		case grantType == "":
			err = errBadGrantType("missing grant_type: use " + use)
		case !slices.Contains(grants, grantType):
			err = errBadGrantType(fmt.Sprintf("unsupported grant_type %q on %s: use %s", short(grantType), hubspot.TokenPath(v), use))
		case grantType == hubspot.GrantAuthorizationCode:
			resp, err = tk.grantCode(form, ev)
		case grantType == hubspot.GrantRefreshToken:
			resp, err = tk.grantRefresh(form, ev)
		case grantType == hubspot.GrantClientCredentials:
			resp, err = tk.grantClientCredentials(form)
		}
		var oauthErr *Error
		switch {
		case errors.As(err, &oauthErr):
			if oauthErr.Status == hubspot.StatusBadClientID && clientID == "" && strings.HasPrefix(r.Header.Get("Authorization"), "Basic ") {
				ev.Message = oauthErr.Message + " (hsemu: HubSpot documents client_id and client_secret in the form body; HTTP Basic is refused by the basic-auth switch)"
			}
			tk.writeOAuthError(w, ev, oauthErr)
		case err != nil:
			tk.writeAPIError(w, ev, &APIError{
				HTTPStatus: http.StatusServiceUnavailable,
				Message:    "hsemu could not complete the request: " + err.Error(), Category: hubspot.CategoryInternalError,
			})
		default:
			ev.TokenHint = redact(resp.AccessToken)
			noStore(w)
			writeJSON(w, http.StatusOK, resp)
		}
	}
}

// basicAuth moves HTTP Basic client credentials into the form, as RFC 6749 §2.3.1 allows
// ("The authorization server MUST support the HTTP Basic authentication scheme for
// authenticating clients that were issued a client password"; the name and password are
// form-encoded first), unless Choices.RefuseBasicAuth. A request that carries both must carry
// the same client: "The client MUST NOT use more than one authentication method in each
// request" (RFC 6749 §2.3).
func (e *core) basicAuth(r *http.Request, form url.Values) *Error {
	user, pass, ok := r.BasicAuth()
	if !ok || e.cfg.Choices.RefuseBasicAuth {
		return nil
	}
	id, err1 := url.QueryUnescape(user)
	secret, err2 := url.QueryUnescape(pass)
	if err1 != nil || err2 != nil {
		return errBadRequest("the HTTP Basic credentials are not form-encoded (RFC 6749 §2.3.1)")
	}
	if (form.Has("client_id") && form.Get("client_id") != id) || (form.Has("client_secret") && form.Get("client_secret") != secret) {
		return hubspot.OAuthErrorf(hubspot.StatusBadClientID, "the client is named twice, in HTTP Basic and in the form body, differently; use one (RFC 6749 §2.3)")
	}
	form.Set("client_id", id)
	form.Set("client_secret", secret)
	return nil
}

// authClient checks client_id and client_secret (form body; HubSpot's OpenAPI spec declares no
// other authentication on the token endpoints). e.mu is held.
func (e *core) authClient(form url.Values) (*App, *Error) {
	app := e.st.appByClientID(form.Get("client_id"))
	if app == nil {
		return nil, errBadClientID()
	}
	secret := form.Get("client_secret")
	if subtle.ConstantTimeCompare([]byte(secret), []byte(app.ClientSecret)) != 1 {
		return nil, errBadClientSecret()
	}
	return app, nil
}

// grantCode redeems an authorization code (RFC 6749 §4.1.3). A code is single-use: "If an
// authorization code is used more than once, the authorization server MUST deny the request
// and SHOULD revoke (when possible) all tokens previously issued based on that authorization
// code" (RFC 6749 §4.1.2); the revocation is Choices.RevokeOnCodeReuse. redirect_uri must "exactly match the redirect_uri used when
// initiating the OAuth 2.0 connection" (v1 reference).
func (tk *tokenService) grantCode(form url.Values, ev *Event) (*tokenResponse, error) {
	now := tk.now()
	var (
		g        *grant
		access   string
		replayed bool
	)
	v, err := tk.update(func() error {
		app, oe := tk.authClient(form)
		if oe != nil {
			return oe
		}
		code := form.Get("code")
		rec := tk.st.Codes[code]
		if rec == nil {
			if code == "" {
				return errBadAuthCode()
			}
			var err error
			replayed, err = tk.spentCodeLocked(hashCode(code), app, ev, now)
			return err
		}
		if rec.ClientID != app.ClientID {
			return errBadAuthCode()
		}
		ev.HubID = rec.HubID
		if !now.Before(rec.Expires.time()) {
			ev.Message = tk.expiredMessage(now, rec.Expires.time())
			return errExpiredAuthCode()
		}
		redirect := form.Get("redirect_uri")
		if redirect == "" {
			return errBadRedirect("missing redirect_uri: send the redirect_uri used in the authorization URL")
		}
		if redirect != rec.RedirectURI {
			ev.Message = fmt.Sprintf("redirect_uri %q differs from %q used at authorization; it must match exactly", short(redirect), rec.RedirectURI)
			return errMismatchRedirect()
		}
		var err error
		if g, err = tk.newGrantLocked(app, rec.HubID, rec.UserID, rec.Scopes, now); err != nil {
			return err
		}
		h, err := tk.st.spendCode(code, rec, g.ID)
		if err != nil {
			return err
		}
		tk.st.trimCodeOrder()
		tk.touchCode(code)
		tk.touchSpent(h)
		key := installKey(app.ClientID, rec.HubID)
		if tk.st.Installs[key] == nil {
			if err := tk.journalLocked(actionAppInstall, app, rec.HubID, now); err != nil {
				return err
			}
		}
		tk.st.Installs[key] = &install{
			ClientID: app.ClientID, HubID: rec.HubID, Scopes: slices.Clone(rec.Scopes), InstalledAt: now,
		}
		tk.touchInstall(key)
		access, err = tk.mintAccess(g, now.Add(tk.cfg.AccessTTL))
		return err
	})
	if err != nil && !replayed {
		return nil, err
	}
	if serr := tk.sync(v); serr != nil {
		return nil, serr
	}
	if err != nil {
		return nil, err
	}
	return tk.userTokenResponse(g, access), nil
}

// spentCodeLocked answers a code that is not live from its tombstone (spent.go): a code of
// another app or without one is unknown (BAD_AUTH_CODE); an expired one is EXPIRED_AUTH_CODE;
// a redeemed one is BAD_AUTH_CODE too, and reported as replayed: with switch
// revoke-on-code-reuse, the grant of its first redemption is revoked. e.mu is held for writing.
func (tk *tokenService) spentCodeLocked(h codeHash, app *App, ev *Event, now time.Time) (replayed bool, err error) {
	sc, ok := tk.st.Spent[h]
	if !ok || sc.ClientID != app.ClientID {
		return false, errBadAuthCode()
	}
	ev.HubID = sc.HubID
	if sc.GrantID == (grantRef{}) {
		ev.Message = tk.expiredMessage(now, sc.Expires.time())
		return false, errExpiredAuthCode()
	}
	ev.Message = "missing or unknown auth code (hsemu: this code was already redeemed; the tokens of its first redemption stay valid: switch revoke-on-code-reuse is off)"
	if tk.cfg.Choices.RevokeOnCodeReuse {
		if g := tk.st.Grants[sc.GrantID.String()]; g != nil && (!g.AccessRevoked || !g.RefreshRevoked) {
			g.AccessRevoked, g.RefreshRevoked, g.RevokedAt = true, true, now
			tk.touchGrant(g.ID)
		}
		ev.Message = "missing or unknown auth code (hsemu: this code was already redeemed; the tokens of its first redemption are now revoked, RFC 6749 §4.1.2, switch revoke-on-code-reuse)"
	}
	return true, errBadAuthCode()
}

// expiredMessage explains EXPIRED_AUTH_CODE for a code that expired at exp.
func (tk *tokenService) expiredMessage(now, exp time.Time) string {
	return fmt.Sprintf("auth code is expired (hsemu: it expired %s ago; codes live %s)", now.Sub(exp).Round(time.Second), tk.cfg.CodeTTL)
}

// newGrantLocked creates a grant with a fresh refresh token. e.mu is held.
func (e *core) newGrantLocked(app *App, hubID, userID int64, scopes []string, now time.Time) (*grant, error) {
	hublet := "na1"
	if p := e.st.portal(hubID); p != nil {
		hublet = p.Hublet
	}
	id, err := e.ids.hexID(8)
	if err != nil {
		return nil, err
	}
	refresh, err := e.ids.hubletToken(hublet)
	if err != nil {
		return nil, err
	}
	g := &grant{
		ID: id, ClientID: app.ClientID, HubID: hubID, UserID: userID,
		Scopes: slices.Clone(scopes), Created: now, RefreshToken: refresh,
	}
	e.st.addGrant(g)
	e.touchGrant(id)
	return g, nil
}

func (tk *tokenService) userTokenResponse(g *grant, access string) *tokenResponse {
	return &tokenResponse{
		TokenType:    "bearer",
		RefreshToken: g.RefreshToken,
		AccessToken:  access,
		HubID:        g.HubID,
		Scopes:       slices.Clone(g.Scopes),
		ExpiresIn:    int64(tk.cfg.AccessTTL / time.Second),
		TokenUse:     hubspot.TokenAccess,
	}
}

// grantRefresh mints a new access token from a refresh token (RFC 6749 §6). The refresh token
// stays the same and valid until revoked: HubSpot does not rotate them (community reports;
// not documented). A refresh changes no stored state, so it costs no
// disk write.
func (tk *tokenService) grantRefresh(form url.Values, ev *Event) (*tokenResponse, error) {
	now := tk.now()
	tk.mu.RLock()
	defer tk.mu.RUnlock()
	app, oe := tk.authClient(form)
	if oe != nil {
		return nil, oe
	}
	g := tk.st.refresh[form.Get("refresh_token")]
	if g == nil || g.RefreshRevoked || g.ClientID != app.ClientID {
		return nil, errBadRefreshToken()
	}
	ev.HubID = g.HubID
	access, err := tk.mintAccess(g, now.Add(tk.cfg.AccessTTL))
	if err != nil {
		return nil, err
	}
	return tk.userTokenResponse(g, access), nil
}

// grantClientCredentials mints an app-level token (the OpenAPI spec's
// ClientCredentialsTokenResponse, token_use "client_credentials"), used by the webhooks journal.
// `scope`, when given, must be known scope names; otherwise the app's required scopes are granted.
// The response has no refresh token and no hub_id.
func (tk *tokenService) grantClientCredentials(form url.Values) (*tokenResponse, error) {
	now := tk.now()
	var (
		g       *grant
		access  string
		scopes  []string
		changed bool
	)
	v, err := tk.update(func() error {
		app, oe := tk.authClient(form)
		if oe != nil {
			return oe
		}
		scopes = splitScopes(form.Get("scope"))
		for _, s := range scopes {
			if !KnownScope(s) {
				return hubspot.OAuthErrorf(hubspot.StatusBadScopes, fmt.Sprintf("unknown scope %q", short(s)))
			}
		}
		if len(scopes) == 0 {
			scopes = slices.Clone(app.RequiredScopes)
		}
		// One grant per app and scope set would grow the state; client-credentials grants are
		// reused per app and scope set.
		g = tk.st.appGrant[appGrantKey(app.ClientID, scopes)]
		if g == nil {
			id, err := tk.ids.hexID(8)
			if err != nil {
				return err
			}
			g = &grant{ID: id, ClientID: app.ClientID, Scopes: scopes, Created: now, ClientCredentials: true}
			tk.st.addGrant(g)
			tk.touchGrant(id)
			changed = true
		}
		var err error
		access, err = tk.mintAccess(g, now.Add(tk.cfg.AccessTTL))
		return err
	})
	if err != nil {
		return nil, err
	}
	if changed {
		if err := tk.sync(v); err != nil {
			return nil, err
		}
	}
	return &tokenResponse{
		TokenType:   "bearer",
		AccessToken: access,
		Scopes:      slices.Clone(scopes),
		ExpiresIn:   int64(tk.cfg.AccessTTL / time.Second),
		TokenUse:    "client_credentials",
	}, nil
}

// tokenService serves the token endpoint of every version: code and refresh-token grants, the
// client-credentials grant, and the faults injected into them.
type tokenService struct{ *core }
