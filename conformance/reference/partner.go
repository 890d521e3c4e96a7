package reference

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
)

// handlePartner serves HubSpot's install requests with partner sign-in (the install-flow page,
// "Understand the install flow with partner sign in"): step=authorize shows the sign-in form,
// step=finalize completes the install. Any other step, or none, is answered with a 400 page and no
// exchange.
func (s *Server) handlePartner(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r)
	if err != nil {
		s.renderBadInput(w, err, nil)
		return
	}
	step, err := param(q, "step")
	if err != nil {
		s.renderBadInput(w, err, nil)
		return
	}
	switch step {
	case stepAuthorize:
		if s.has(FlowPartner, defectAuthorizeAsFinalize) {
			// The handler was written for finalize only.
			s.renderError(w, http.StatusBadRequest, "Installation failed", "missing code", "", nil)
			return
		}
		s.authorize(w, q)
	case stepFinalize:
		s.finalize(w, r, q)
	default:
		if code := q.Get("code"); code != "" && s.has(FlowPartner, defectUnknownStepAsSeamless) {
			// The bug: "no step we know, so it must be the seamless install".
			if back, err := s.returnURL(q); err == nil {
				s.complete(w, r, completion{flow: FlowPartner, installPath: PartnerPath, code: code, returnURL: back})
				return
			}
		}
		s.renderBadInput(w, stepError(step, "authorize or step=finalize"), nil)
	}
}

// authorize shows the sign-in form at the install URL itself, so it must be frameable by HubSpot
// like every page of the install URL (the install-flow page: "ensure that the endpoint handling the
// install flow can be framed by HubSpot").
func (s *Server) authorize(w http.ResponseWriter, q url.Values) {
	back, ok := s.returnOrRefuse(w, q)
	if !ok {
		return
	}
	if s.has(FlowPartner, defectAuthorizeXFO) {
		w.Header().Del("Content-Security-Policy")
		w.Header().Set("X-Frame-Options", "DENY")
	}
	s.renderSignIn(w, http.StatusOK, back.String(), "", "")
}

// handleLogin checks the sign-in form. Wrong credentials show the form again; right ones issue the
// state, start the app's session and return to HubSpot's returnUrl with state and the conditional
// scopes added (the install-flow page, "Generate security token" to "Redirect back to HubSpot").
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.renderBadInput(w, refuse("the sign-in form could not be read (%v)", "submit the form on the sign-in page (application/x-www-form-urlencoded, at most 16 KiB)", err), nil)
		return
	}
	form := r.PostForm
	back, err := s.returnURL(form)
	if err != nil {
		s.renderBadInput(w, err, nil)
		return
	}
	email, errE := param(form, "email")
	password, errP := param(form, "password")
	user, ok := s.authenticate(email, password)
	if errE != nil || errP != nil || !ok {
		s.renderSignIn(w, http.StatusOK, back.String(), email,
			"That email and password do not match an account. Try one of the demo users listed below.")
		return
	}

	state, err := s.mintState(user, back)
	if err != nil {
		s.renderError(w, http.StatusInternalServerError, "Sign-in failed", err.Error(), "try again", nil)
		return
	}
	// HubSpot (the install-flow page): "If you are using cookies, tag the cookies with
	// SameSite=none."
	cookie := &http.Cookie{
		Name: sessionCookie, Value: randomString(32), Path: "/",
		MaxAge: int(sessionTTL.Seconds()), HttpOnly: true, Secure: true, SameSite: http.SameSiteNoneMode,
	}
	if s.has(FlowPartner, defectCookieLax) {
		cookie.SameSite = http.SameSiteLaxMode
	}
	s.sessions.put(cookie.Value, user.ID, s.clock())
	if s.has(FlowPartner, defectClearCookie) {
		// Express's res.clearCookie: an empty value that expired in 1970, no SameSite; and
		// Go's MaxAge -1 (Max-Age=0). Both delete; neither needs to cross into the frame.
		w.Header().Add("Set-Cookie", "legacy_prefs=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
		http.SetCookie(w, &http.Cookie{Name: "legacy_session", Value: "", Path: "/", MaxAge: -1}) //nolint:gosec // G124: a deletion, as the variant means to send
	}
	http.SetCookie(w, cookie)

	scopes := s.scopes
	if s.has(FlowPartner, defectRequiredScope) {
		scopes = append(scopes[:len(scopes):len(scopes)], "crm.objects.contacts.read")
	}
	var location string
	if s.has(FlowPartner, defectStateConcat) {
		// HubSpot's prose, taken literally: "${returnUrl}?state=${state}".
		location = back.String() + "?state=" + state
		if len(scopes) > 0 {
			location += "&scope=" + url.QueryEscape(strings.Join(scopes, " "))
		}
	} else {
		// HubSpot's example code: returnUrlObj.searchParams.set('state', state), which keeps
		// the returnUrl's own query.
		u := *back
		v := u.Query()
		v.Set("state", state)
		if len(scopes) > 0 {
			v.Set("scope", strings.Join(scopes, " "))
		}
		u.RawQuery = v.Encode()
		location = u.String()
	}
	// RFC 9700 §4.12: after a request that may carry credentials, never 307 (the browser would
	// re-post the password); 303 makes the browser GET the returnUrl.
	status := http.StatusSeeOther
	if s.has(FlowPartner, defectLogin307) {
		status = http.StatusTemporaryRedirect
	}
	if s.has(FlowPartner, defectJSSignInReturn) {
		// HubSpot's sample: window.location.href = returnUrlObj.toString().
		target, _ := json.Marshal(location) // escapes <, > and &: safe in a script element
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, "<!doctype html><title>Signed in</title><script>window.location.href = %s;</script>", target)
		return
	}
	// location is the returnUrl returnURL accepted (an app host or a configured return origin).
	http.Redirect(w, r, location, status) //nolint:gosec // G710: the returnUrl was checked by returnURL
}

// finalize completes a partner install. It verifies the state and takes the user from the state's
// record on the server, not from a cookie: finalize runs framed under app.hubspot.com, where
// third-party cookies may be blocked (the install-flow page: "Retrieve the user account associated
// with the state token"). An unverifiable state installs nothing and returns to HubSpot (the
// install-flow page: "If you are not able to verify the state token, do not complete the
// installation. Redirect the customer to the returnUrl").
func (s *Server) finalize(w http.ResponseWriter, r *http.Request, q url.Values) {
	back, ok := s.returnOrRefuse(w, q)
	if !ok {
		return
	}
	code, errC := param(q, "code")
	state, errS := param(q, "state")
	if errC != nil || errS != nil {
		s.renderBadInput(w, firstError(errC, errS), back)
		return
	}
	c := completion{flow: FlowPartner, installPath: PartnerPath, code: code, returnURL: back}
	if state != "" || !s.has(FlowPartner, defectMissingStateOK) {
		rec, err := s.redeemState(state)
		if err != nil && s.has(FlowPartner, defectReflectsState) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = fmt.Fprintf(w, `<!doctype html><meta http-equiv="refresh" content="0;url=%s"><title>Returning to HubSpot</title><p>Could not verify state %s.</p>`,
				html.EscapeString(back.String()), state)
			return
		}
		if err != nil {
			s.returnTo(w, r, back)
			return
		}
		if s.has(FlowPartner, defectStateInCookie) && !s.sessionNames(r, rec.userID) {
			s.returnTo(w, r, back)
			return
		}
		if u, ok := s.userByID(rec.userID); ok {
			c.user = &u
		}
		c.authorizeReturnURL = rec.returnURL
	}
	if code == "" {
		s.returnTo(w, r, back) // a verified state but nothing to exchange
		return
	}
	w = s.sharedReturn(w, FlowPartner, back) // partner-shared-return
	s.complete(w, r, c)
}

// sessionNames reports whether the request's session cookie belongs to userID.
func (s *Server) sessionNames(r *http.Request, userID string) bool {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return false
	}
	id, ok := s.sessions.user(ck.Value, s.clock())
	return ok && id == userID
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
