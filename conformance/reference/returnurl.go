package reference

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Input bounds. Anything longer is refused with a 400 page before it is parsed further.
const (
	// maxReturnURLBytes bounds returnUrl; HubSpot's are a few hundred bytes.
	maxReturnURLBytes = 4096
	// maxStateBytes bounds state; the reference's are about 250 bytes.
	maxStateBytes = 1024
	// maxFormBytes bounds the sign-in POST body.
	maxFormBytes = 16 << 10
)

// hubspotAppHost matches HubSpot's web hosts: app.hubspot.com and the hublet ones such as
// app-eu1.hubspot.com (the install-flow page; HubSpot does not publish the returnUrl's format,
// so any app-<hublet> host is accepted).
var hubspotAppHost = regexp.MustCompile(`^app(-[a-z0-9]+)?\.hubspot\.com$`)

// badInput is a request the endpoint refuses with a 400 page: what was wrong, and how to fix it.
type badInput struct {
	what string
	fix  string
}

func (e *badInput) Error() string { return e.what + ": " + e.fix }

func refuse(what, fix string, args ...any) error {
	return &badInput{what: fmt.Sprintf(what, args...), fix: fix}
}

// parseQuery reads the request's query strictly: a malformed query is refused rather than
// partly dropped, as url.Values silently would.
func parseQuery(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, refuse("the query string is malformed (%v)", "send each parameter once as name=value, percent-encoded, joined by &", err)
	}
	return q, nil
}

// param returns the value of name in q, or "" when absent. A parameter given more than once
// with different values is refused: which one to trust would be a guess.
func param(q url.Values, name string) (string, error) {
	vs := q[name]
	if len(vs) == 0 {
		return "", nil
	}
	for _, v := range vs[1:] {
		if v != vs[0] {
			return "", refuse("the parameter %s is given %d times with different values", "send it once", name, len(vs))
		}
	}
	return vs[0], nil
}

// returnURL reads and checks the returnUrl parameter of q.
func (s *Server) returnURL(q url.Values) (*url.URL, error) {
	raw, err := param(q, "returnUrl")
	if err != nil {
		return nil, err
	}
	return s.checkReturnURL(raw)
}

// checkReturnURL accepts only returnUrls on HubSpot's app origins (or Config.ExtraReturnOrigins),
// so the endpoint is no open redirector. RFC 9700 §4.11.1: clients "MUST NOT expose URLs that
// forward the user's browser to arbitrary URIs obtained from a query parameter".
func (s *Server) checkReturnURL(raw string) (*url.URL, error) {
	const fix = "open the install from HubSpot, which sends a returnUrl such as https://app.hubspot.com/…"
	switch {
	case raw == "":
		return nil, refuse("returnUrl is missing", "HubSpot always sends one; "+fix)
	case len(raw) > maxReturnURLBytes:
		return nil, refuse("returnUrl is %d bytes long; at most %d are accepted", fix, len(raw), maxReturnURLBytes)
	case strings.ContainsAny(raw, "\\ \t\r\n"):
		return nil, refuse("returnUrl contains a backslash or white space", fix)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, refuse("returnUrl is not a URL (%v)", fix, unwrapURLError(err))
	}
	if u.Scheme == "" || u.Opaque != "" || u.Host == "" {
		return nil, refuse("returnUrl is not an absolute URL with a scheme and a host", fix)
	}
	if u.User != nil {
		return nil, refuse("returnUrl carries user information before its host", fix)
	}
	if _, err := url.ParseQuery(u.RawQuery); err != nil {
		return nil, refuse("returnUrl's own query is malformed (%v)", fix, err)
	}
	if s.returnOrigins[u.Scheme+"://"+strings.ToLower(u.Host)] {
		return u, nil
	}
	if u.Scheme != "https" {
		return nil, refuse("returnUrl does not use https", fix)
	}
	if strings.Contains(u.Host, ":") {
		return nil, refuse("returnUrl names a port", fix)
	}
	if !hubspotAppHost.MatchString(strings.ToLower(u.Host)) {
		return nil, refuse("returnUrl points at %s, which is not HubSpot", "only app.hubspot.com and app-<hublet>.hubspot.com are accepted (and the configured extra return origins); "+fix, u.Host)
	}
	return u, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// returnOrRefuse is q's returnUrl, or false once the 400 page refusing it is answered.
func (s *Server) returnOrRefuse(w http.ResponseWriter, q url.Values) (*url.URL, bool) {
	back, err := s.returnURL(q)
	if err != nil {
		s.renderBadInput(w, err, nil)
		return nil, false
	}
	return back, true
}

// queryReturn is r's query and its returnUrl, or false once the 400 page refusing either is
// answered.
func (s *Server) queryReturn(w http.ResponseWriter, r *http.Request) (url.Values, *url.URL, bool) {
	q, err := parseQuery(r)
	if err != nil {
		s.renderBadInput(w, err, nil)
		return nil, nil, false
	}
	back, ok := s.returnOrRefuse(w, q)
	return q, back, ok
}
