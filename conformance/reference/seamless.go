package reference

import (
	"fmt"
	"net/http"
	"strings"
)

// handleSeamless serves HubSpot's install request without partner sign-in,
// GET {install URL}?code=…&returnUrl=…&step=finalize (the install-flow page, "Understand the
// install flow without partner sign in"): get code and returnUrl, exchange the code, store the
// tokens, and redirect back to returnUrl.
//
// A returnUrl that is missing or not HubSpot's is answered with a 400 page and no redirect (no
// open redirector, RFC 9700 §4.11.1). So is a step other than finalize, without any exchange.
// A missing code, and a failed exchange, still return the browser to HubSpot.
func (s *Server) handleSeamless(w http.ResponseWriter, r *http.Request) {
	q, back, ok := s.queryReturn(w, r)
	if !ok {
		return
	}
	step, err := param(q, "step")
	if err != nil {
		s.renderBadInput(w, err, back)
		return
	}
	if step != stepFinalize {
		s.renderBadInput(w, stepError(step, stepFinalize), back)
		return
	}
	code, err := param(q, "code")
	if err != nil {
		s.renderBadInput(w, err, back)
		return
	}
	if s.has(FlowSeamless, defectReflectsCode) && strings.Trim(code, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, "<!doctype html><title>Installation failed</title><p>The code %s is not valid.</p>", code)
		return
	}
	if code == "" && !s.has(FlowSeamless, defectExchangeWithoutCode) {
		s.returnTo(w, r, back) // nothing to exchange, but HubSpot needs the browser back
		return
	}
	if s.has(FlowSeamless, defectReloadCrash) && s.codes.insert(code) {
		s.renderError(w, http.StatusInternalServerError, "Internal Server Error",
			`pq: duplicate key value violates unique constraint "installs_code_key"`, "", nil)
		return
	}
	w = s.sharedReturn(w, FlowSeamless, back) // seamless-shared-return
	s.complete(w, r, completion{flow: FlowSeamless, installPath: SeamlessPath, code: code, returnURL: back})
}

// stepError explains a step the endpoint does not handle.
func stepError(step string, want string) error {
	const fix = "HubSpot sends step=authorize (partner sign-in) and then step=finalize; the seamless install sends only step=finalize"
	if step == "" {
		return refuse("the step parameter is missing (this endpoint expects step=%s)", fix, want)
	}
	return refuse("step=%q is not a step of HubSpot's install flow (this endpoint expects step=%s)", fix, step, want)
}
