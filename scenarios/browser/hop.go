package browser

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// How says what made the browser fetch a URL.
type How string

const (
	// HowNavigate is the first request of Navigate.
	HowNavigate How = "navigate"
	// HowMetaRefresh follows a <meta http-equiv="refresh"> (HTML Standard §4.2.5.3).
	HowMetaRefresh How = "meta refresh"
	// HowRefreshHeader follows a Refresh response header, which browsers treat as a meta
	// refresh (HTML Standard §7.4.6 "Refresh" header).
	HowRefreshHeader How = "refresh header"
	// HowFormSubmit is the first request of Submit.
	HowFormSubmit How = "form submit"
)

// HowRedirect is the How of a request that follows an HTTP redirect with the given status:
// "redirect 302".
func HowRedirect(status int) How { return How("redirect " + strconv.Itoa(status)) }

// IsRedirect reports whether the request followed an HTTP redirect.
func (h How) IsRedirect() bool { return strings.HasPrefix(string(h), "redirect ") }

// Hop is one request the browser made (or, with Stopped, was about to make) and what came
// back.
type Hop struct {
	Seq     int // 1, 2, 3, … over the Browser's life
	Context Context
	How     How
	Method  string
	URL     *url.URL // as the browser sees it: https://app.hubspot.com/… even when mapped to the emulator
	// RequestHeader is what the browser sent, with cookie values redacted to name=….
	RequestHeader http.Header
	// RequestBody is the form body sent, with password fields' values redacted.
	RequestBody []byte
	// SentCookies are the names of the cookies sent, in the order of the Cookie header.
	SentCookies []string

	Status         int // 0 when no response arrived
	ResponseHeader http.Header
	// SetCookies are the response's Set-Cookie headers, parsed; each keeps its header in Raw.
	SetCookies []*http.Cookie
	// RejectedCookies are the Set-Cookie headers the browser did not store, and why.
	RejectedCookies []RejectedCookie
	// Body is the response body as kept: at most KeptBodyBytes (fewer past a navigation's
	// budget, see KeptNavigationBytes) of the Options.BodyLimit bytes read.
	Body []byte
	// Truncated is true when Body is not the whole body: it was longer than Options.BodyLimit,
	// or than what the record keeps (Cut.Body says how much was left out).
	Truncated bool
	Duration  time.Duration
	// Cut says what this record left out to stay small (see the Kept* limits); URL, headers,
	// bodies and cookies cut short end in CutMark.
	Cut Cut

	// Stopped is true when Options.StopAt matched URL: the request was not sent.
	Stopped bool
	// Err is the network error or deadline that ended the hop; the navigation fails with it.
	Err error
	// Script (a real browser only) is what the page's script did to start this hop, e.g.
	// "script navigated to https://… (at https://…/app.js:12)".
	Script string
	// Blocked (a real browser only) is why the browser refused to display the response in its
	// frame, e.g. "net::ERR_BLOCKED_BY_RESPONSE" for X-Frame-Options or CSP frame-ancestors.
	Blocked string
}

// Errors a navigation can fail with, to test with errors.Is. The error returned is a
// *NavError that also carries the hops.
var (
	// ErrLoop is an infinite login loop: the browser came back to a request it had already
	// made (same method, URL and cookies), or kept circling between the same URLs until the
	// hop limit.
	ErrLoop = errors.New("infinite login loop")
	// ErrTooManyHops is a navigation that did not end within Options.MaxHops requests.
	ErrTooManyHops = errors.New("too many hops")
	// ErrHopTimeout is a hop that got no complete response within Options.HopTimeout.
	ErrHopTimeout = errors.New("hop timed out")
	// ErrBadRedirect is a redirect a browser refuses to follow: a Location that is not a valid
	// http or https URL.
	ErrBadRedirect = errors.New("redirect not followed")
	// ErrHeadersTooBig is a response whose headers (with any 1xx responses before it) are over
	// MaxResponseHeaderBytes: Chrome fails the page with ERR_RESPONSE_HEADERS_TOO_BIG.
	ErrHeadersTooBig = errors.New("ERR_RESPONSE_HEADERS_TOO_BIG")
	// ErrProtocol is an endpoint that did not answer HTTP: garbage, an HTTP/0.9 answer, TLS on
	// an http URL or plain HTTP on an https URL.
	ErrProtocol = errors.New("not an HTTP answer")
)

// NavError is a failed navigation: what went wrong, the hops made, and for a loop the URLs of
// the cycle.
type NavError struct {
	Hops  []Hop
	Cycle []string // for ErrLoop: the URLs from the first visit of the repeated request back to it
	Err   error
}

// Error says what happened and where.
func (e *NavError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error, so errors.Is finds ErrLoop and the others.
func (e *NavError) Unwrap() error { return e.Err }

// maxURLInMessage bounds the URLs quoted in error messages.
const maxURLInMessage = 160

// shortURL renders u for an error message, cut to maxURLInMessage characters.
func shortURL(u *url.URL) string {
	return truncateRunes(u.Redacted(), maxURLInMessage)
}

// redactCookieHeader turns "a=1; b=2" into "a=…; b=…" for the hop record.
func redactCookieHeader(v string) (redacted string, names []string) {
	parts := strings.Split(v, "; ")
	for i, p := range parts {
		name, _, _ := strings.Cut(p, "=")
		names = append(names, strings.Clone(name)) // not a slice of v, which holds every value
		parts[i] = name + "=…"
	}
	return strings.Join(parts, "; "), names
}
