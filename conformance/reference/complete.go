package reference

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// completion is an install request that passed its flow's own checks and carries a code.
type completion struct {
	flow               string
	installPath        string   // SeamlessPath or PartnerPath
	code               string   // may be empty only in the seamless-exchange-without-code variant
	returnURL          *url.URL // this request's returnUrl
	user               *User    // the signed-in user named by the state; nil for seamless
	authorizeReturnURL *url.URL // the authorize step's returnUrl (R1), partner only
}

// complete exchanges the code, links the portal and returns the browser to HubSpot. Whatever
// happens, the browser goes back to returnUrl: HubSpot (the install-flow page): "Redirecting back
// to HubSpot is required to avoid an infinite login loop", also when the install cannot complete.
func (s *Server) complete(w http.ResponseWriter, r *http.Request, c completion) {
	tokenPath := tokenPathV3
	if s.has(c.flow, defectV1Endpoint) {
		tokenPath = tokenPathV1
	}
	// The redirect_uri must "exactly match the redirect_uri used when initiating the OAuth 2.0
	// connection"
	// (https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/guide):
	// for the marketplace flow, the install URL itself.
	redirectURI := s.installURL(r, c.installPath)
	switch {
	case s.has(c.flow, defectRedirectURISlash):
		redirectURI += "/"
	case s.has(c.flow, defectRedirectURILogin):
		redirectURI = s.installURL(r, LoginPath)
	}

	tokens, err := s.exchange(r.Context(), tokenPath, redirectURI, c.code)
	if err != nil {
		if s.has(c.flow, defectExchangeCrash) && !refused(err) {
			s.renderError(w, http.StatusInternalServerError, "Installation failed",
				"the token exchange failed: "+err.Error(), "try again later", nil)
			return
		}
		if s.has(c.flow, defectErrorInterstitialXFO) {
			w.Header().Del("Content-Security-Policy")
			w.Header().Set("X-Frame-Options", "DENY")
			s.render(w, http.StatusOK, "interstitial", pageData{Title: "Something went wrong, taking you back…", Refresh: c.returnURL.String()})
			return
		}
		// The install-flow page: "If you are not able to … complete the installation … Redirect the
		// customer to the returnUrl."
		s.returnTo(w, r, c.returnURL)
		return
	}
	if s.has(c.flow, defectDoubleExchange) {
		_, _ = s.exchange(r.Context(), tokenPath, redirectURI, c.code) // "verify" the code; the error is ignored
	}

	rec := installRecord{
		Install: Install{
			HubID: tokens.HubID, Flow: c.flow, Scopes: tokens.Scopes, At: s.clock(),
			AccessTokenHint: redact(tokens.AccessToken), RefreshTokenHint: redact(tokens.RefreshToken),
		},
		accessToken: tokens.AccessToken, refreshToken: tokens.RefreshToken,
	}
	if c.user != nil {
		rec.UserID, rec.UserEmail = c.user.ID, c.user.Email
	}
	s.installs.link(rec)
	spaMarkInstalled(r)

	if s.has(c.flow, defectSlow) {
		s.sleep(r, s.slowDelay) // the initial data sync, run inline
	}
	back := c.returnURL
	if s.has(c.flow, defectReturnToR1) && c.authorizeReturnURL != nil {
		back = c.authorizeReturnURL
	}
	switch {
	case s.has(c.flow, defectNoReturn):
		s.render(w, http.StatusOK, "done", pageData{Title: "You're all set!"})
	case s.has(c.flow, defectInterstitialXFO):
		w.Header().Del("Content-Security-Policy")
		w.Header().Set("X-Frame-Options", "SAMEORIGIN")
		s.render(w, http.StatusOK, "interstitial", pageData{Title: "Installing…", Refresh: back.String()})
	case s.has(c.flow, defectLandingBlocked):
		landing := url.Values{"returnUrl": {back.String()}}
		http.Redirect(w, r, s.installURL(r, landingPath)+"?"+landing.Encode(), http.StatusFound)
	case s.has(c.flow, defectTokenInURL):
		welcome := url.Values{"access_token": {tokens.AccessToken}, "returnUrl": {back.String()}}
		http.Redirect(w, r, s.installURL(r, welcomePath)+"?"+welcome.Encode(), http.StatusSeeOther)
	default:
		s.returnTo(w, r, back)
	}
}

// returnTo sends the browser to HubSpot's returnUrl with 303 See Other, its query untouched.
func (s *Server) returnTo(w http.ResponseWriter, r *http.Request, u *url.URL) {
	flow := FlowSeamless
	if r.URL.Path == PartnerPath {
		flow = FlowPartner
	}
	switch {
	case s.has(flow, defectJSReturn):
		// HubSpot's doc sample: window.location.href = returnUrl, and nothing else.
		target, _ := json.Marshal(u.String()) // escapes <, > and &: safe in a script element
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, "<!doctype html><title>Returning to HubSpot…</title><script>window.location.href = %s;</script>", target)
		return
	case s.has(flow, defectRedirectXFO):
		// Helmet's defaults, on every response.
		w.Header().Set("Content-Security-Policy", "frame-ancestors 'self'")
		w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	}
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// handleWelcome is the *-token-in-url variants' landing page: it returns to HubSpot. The
// reference does not serve it.
func (s *Server) handleWelcome(w http.ResponseWriter, r *http.Request) {
	if s.bug.defect != defectTokenInURL {
		s.handleNotFound(w, r)
		return
	}
	_, back, ok := s.queryReturn(w, r)
	if !ok {
		return
	}
	s.returnTo(w, r, back)
}

// handleLanding is the *-landing-blocked variants' "Installed!" page: it forbids every frame
// (CSP frame-ancestors 'none', a common hardening default) and returns to HubSpot with a meta
// refresh, which a browser never runs in HubSpot's frame, where it refuses to show the page. The
// reference does not serve it.
func (s *Server) handleLanding(w http.ResponseWriter, r *http.Request) {
	if s.bug.defect != defectLandingBlocked {
		s.handleNotFound(w, r)
		return
	}
	_, back, ok := s.queryReturn(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Security-Policy", "frame-ancestors 'none'")
	s.render(w, http.StatusOK, "interstitial", pageData{Title: "Installed!", Refresh: back.String()})
}
