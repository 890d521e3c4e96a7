package reference

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
)

// varcharLimit is the column size the seamless-long-return-url-crash variant stores returnUrl in.
const varcharLimit = 2048

// robustDefects are the defects robustVariant plays.
var robustDefects = []defect{
	defectAnyStep, defectMissingReturnURLCrash, defectDuplicateParamsCrash,
	defectLongReturnURLCrash, defectOpenRedirect, defectReflectedReturnURL, defectUnknownStepCrash,
}

// robustVariant wraps the seamless install handler with the robust variants' defects. The
// reference, and every other variant, goes straight to next.
func (s *Server) robustVariant(next http.HandlerFunc) http.HandlerFunc {
	if s.bug.Flow != FlowSeamless || !slices.Contains(robustDefects, s.bug.defect) {
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
			if q.Get("code") != "" && q.Get("step") != stepFinalize {
				q.Set("step", stepFinalize)
				r2 := r.Clone(r.Context())
				r2.URL.RawQuery = q.Encode()
				next(w, r2)
				return
			}
		case defectUnknownStepCrash:
			if q.Get("step") != stepFinalize {
				s.renderError(w, http.StatusInternalServerError, "Internal Server Error",
					fmt.Sprintf("Error: unknown step %q", q.Get("step")), "", nil)
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
					http.Redirect(w, r, raw, http.StatusSeeOther) //nolint:gosec // G710: this variant is an open redirect on purpose, for the checks to catch
					return
				}
			}
		case defectReflectedReturnURL:
			if raw != "" {
				if _, err := s.checkReturnURL(raw); err != nil {
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					w.WriteHeader(http.StatusBadRequest)
					// The bug: the returnUrl goes into the page as it came.
					//nolint:gosec // G705: this variant reflects the returnUrl on purpose, for the checks to catch
					fmt.Fprintf(w, "<!doctype html><title>Installation failed</title><h1>Installation failed</h1><p>The return URL %s is not allowed: %s.</p>",
						raw, html.EscapeString(err.Error()))
					return
				}
			}
		default:
			// Not a robust defect: robustDefects keeps the others out.
		}
		next(w, r)
	}
}
