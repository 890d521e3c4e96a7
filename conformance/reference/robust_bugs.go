package reference

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
)

// Defects of the robust variants. They start at 100 so that they never collide with the
// defects of bugs.go, which grow from 1.
const (
	defectAnyStep               defect = iota + 100 // every request with a code is a finalize
	defectMissingReturnURLCrash                     // 500 when returnUrl is missing
	defectDuplicateParamsCrash                      // 500 when a parameter is repeated
	defectLongReturnURLCrash                        // 500 when returnUrl exceeds a VARCHAR(2048)
	defectOpenRedirect                              // any returnUrl is followed
	defectReflectedReturnURL                        // a refused returnUrl is echoed unescaped
)

// varcharLimit is the column size the seamless-long-return-url-crash variant stores returnUrl in.
const varcharLimit = 2048

// robustBugs are the broken variants of CHECKS.md's robust section. They break the seamless
// install URL; the robust checks run against every install flow with the same IDs.
var robustBugs = []Bug{
	{Name: "seamless-any-step", Flow: FlowSeamless, defect: defectAnyStep,
		Title: `treats every request that carries a code as step=finalize, whatever its step (or none)`,
		Fails: []string{"robust/unknown-step"}},
	{Name: "seamless-missing-return-url-crash", Flow: FlowSeamless, defect: defectMissingReturnURLCrash,
		Title: `dereferences the parsed returnUrl without checking it is there, answering 500 when it is missing`,
		Fails: []string{"robust/missing-return-url"}},
	{Name: "seamless-duplicate-params-crash", Flow: FlowSeamless, defect: defectDuplicateParamsCrash,
		Title: `expects each query parameter to be a string and answers 500 when one is repeated (an array, as Express's req.query gives)`,
		Fails: []string{"robust/duplicate-params"}},
	{Name: "seamless-long-return-url-crash", Flow: FlowSeamless, defect: defectLongReturnURLCrash,
		Title: `stores returnUrl in a VARCHAR(2048) column before checking it, answering 500 when it is longer`,
		Fails: []string{"robust/oversized-params"}},
	{Name: "seamless-open-redirect", Flow: FlowSeamless, defect: defectOpenRedirect,
		Title: `redirects to any returnUrl it is given, HubSpot's or not`,
		Fails: []string{"robust/open-redirect"}},
	{Name: "seamless-reflected-return-url", Flow: FlowSeamless, defect: defectReflectedReturnURL,
		Title: `shows a refused returnUrl on its error page without escaping it`,
		Fails: []string{"robust/reflected-return-url"}},
}

// robustVariant wraps the seamless install handler with the robust variants' defects. The
// reference, and every other variant, goes straight to next.
func (s *Server) robustVariant(next http.HandlerFunc) http.HandlerFunc {
	if s.bug.Flow != FlowSeamless || s.bug.defect < defectAnyStep || s.bug.defect > defectReflectedReturnURL {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			next(w, r)
			return
		}
		raw := q.Get("returnUrl")
		switch s.bug.defect {
		case defectAnyStep:
			if q.Get("code") != "" && q.Get("step") != "finalize" {
				q.Set("step", "finalize")
				r2 := r.Clone(r.Context())
				r2.URL.RawQuery = q.Encode()
				next(w, r2)
				return
			}
		case defectMissingReturnURLCrash:
			if raw == "" {
				s.renderError(w, http.StatusInternalServerError, "Internal Server Error",
					"TypeError: Cannot read properties of undefined (reading 'origin')", "", nil)
				return
			}
		case defectDuplicateParamsCrash:
			for name, vs := range q {
				if len(vs) > 1 {
					s.renderError(w, http.StatusInternalServerError, "Internal Server Error",
						fmt.Sprintf("TypeError: req.query.%s.trim is not a function", name), "", nil)
					return
				}
			}
		case defectLongReturnURLCrash:
			if len(raw) > varcharLimit {
				s.renderError(w, http.StatusInternalServerError, "Internal Server Error",
					"pq: value too long for type character varying(2048)", "", nil)
				return
			}
		case defectOpenRedirect:
			if raw != "" && len(raw) <= maxReturnURLBytes {
				if _, err := s.checkReturnURL(raw); err != nil {
					http.Redirect(w, r, raw, http.StatusSeeOther)
					return
				}
			}
		case defectReflectedReturnURL:
			if raw != "" {
				if _, err := s.checkReturnURL(raw); err != nil {
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					w.WriteHeader(http.StatusBadRequest)
					// The bug: the returnUrl goes into the page as it came.
					fmt.Fprintf(w, "<!doctype html><title>Installation failed</title><h1>Installation failed</h1><p>The return URL %s is not allowed: %s.</p>",
						raw, html.EscapeString(err.Error()))
					return
				}
			}
		}
		next(w, r)
	}
}

// allBugs are every variant New accepts by name, the ones Bugs returns.
func allBugs() []Bug { return slices.Concat(bugs, robustBugs, connectBugs, webhookBugs) }
