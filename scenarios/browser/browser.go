// Package browser is hsemu's virtual browser: Go's HTTP client made to behave like the user's
// browser inside HubSpot's install flow.
//
// It records every hop instead of following redirects silently, follows meta refreshes,
// reports redirect loops as the infinite login loop they are ("Redirecting back to HubSpot is
// required to avoid an infinite login loop",
// https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow), bounds every hop by a deadline,
// every body by a size and the response headers by Chrome's 256 KiB, keeps in its hop
// records only so much of each (the Kept* limits, every cut marked), and keeps a cookie jar with Chrome's rules: SameSite (Lax when
// missing), Secure only over a secure context (loopback counts), and the third-party cookie
// rules of a page framed under app.hubspot.com. It does not run JavaScript: pages that only
// navigate from script are reported as such, for the chromium engine to handle.
package browser

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultHopTimeout = 10 * time.Second
	DefaultMaxHops    = 20
	DefaultBodyLimit  = 1 << 20
	// DefaultUserAgent is a current desktop Chrome's User-Agent.
	DefaultUserAgent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36"
)

// Headers a Chrome navigation sends.
const (
	acceptNavigation = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
	acceptLanguage   = "en-US,en;q=0.9"
)

// Options configure a Browser. The zero value is usable: no HubSpot mapping, Chrome's cookie
// policy and the defaults above.
type Options struct {
	// HubSpotAddr is the host:port HubSpot's hosts resolve to (see IsHubSpotHost), spoken to
	// over plain http with the original Host and X-Forwarded-Proto. "" sends them nowhere
	// special.
	HubSpotAddr string
	// Transport carries the requests; nil means a transport private to this package that
	// ignores proxy settings from the environment.
	Transport http.RoundTripper
	// HopTimeout bounds each request, body included (default DefaultHopTimeout).
	HopTimeout time.Duration
	// MaxHops bounds the requests of one navigation (default DefaultMaxHops).
	MaxHops int
	// BodyLimit caps each response body kept (default DefaultBodyLimit bytes).
	BodyLimit int64
	// ThirdPartyCookies is the cookie policy in cross-site frames (default ThirdPartyAllow).
	ThirdPartyCookies CookiePolicy
	// StopAt, when it returns true for a URL, ends the navigation before that URL is fetched:
	// the Page has Stopped set and URL that URL.
	StopAt func(u *url.URL) bool
	// OnHop receives each hop as it completes, on the navigating goroutine; it should return
	// quickly.
	OnHop func(Hop)
	// UserAgent replaces DefaultUserAgent.
	UserAgent string
}

// Browser is one user's browser: its cookies and the hops it made. Several Browsers may run at
// once; a Browser is meant for one goroutine at a time, though Hops and Cookies may be called
// from others.
type Browser struct {
	opts Options
	// rt carries each hop. It is used directly, not through an http.Client, so that no
	// redirect is followed and a malformed Location still yields its response.
	rt  http.RoundTripper
	now func() time.Time // the cookie clock

	mu   sync.Mutex
	jar  jar
	hops []Hop
	kept int64 // bytes the hops' records keep, against KeptBrowserBytes
}

// sharedTransport is the transport Browsers use when Options.Transport is nil: no proxy from
// the environment (the endpoint is usually on loopback), bounded dials and handshakes.
var sharedTransport = &http.Transport{
	Proxy:                  nil,
	DialContext:            (&net.Dialer{Timeout: DefaultHopTimeout, KeepAlive: 30 * time.Second}).DialContext,
	ForceAttemptHTTP2:      true,
	MaxIdleConns:           100,
	MaxIdleConnsPerHost:    16,
	IdleConnTimeout:        90 * time.Second,
	TLSHandshakeTimeout:    DefaultHopTimeout,
	ExpectContinueTimeout:  time.Second,
	MaxResponseHeaderBytes: MaxResponseHeaderBytes,
}

// New returns a Browser with an empty cookie jar. Zero or negative limits take their defaults.
func New(opts Options) *Browser {
	if opts.HopTimeout <= 0 {
		opts.HopTimeout = DefaultHopTimeout
	}
	if opts.MaxHops <= 0 {
		opts.MaxHops = DefaultMaxHops
	}
	if opts.BodyLimit <= 0 {
		opts.BodyLimit = DefaultBodyLimit
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	rt := opts.Transport
	if rt == nil {
		rt = sharedTransport
	}
	return &Browser{opts: opts, rt: rt, now: time.Now}
}

// Page is where a navigation ended: the last response, what the browser read from it, and the
// hops that led there.
type Page struct {
	URL       *url.URL
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool
	// Stopped is true when Options.StopAt matched URL, which was not fetched.
	Stopped bool
	Forms   []Form
	Title   string
	// Text is an excerpt of the visible text, for error messages.
	Text string
	// JSRedirect is true when the page navigates only from script (location.href =,
	// location.replace(…), a form submitted from script …), which this engine does not run;
	// the chromium engine does. JSRedirectSnippet quotes the script.
	JSRedirect        bool
	JSRedirectSnippet string
	// Hops are the hops of this navigation.
	Hops    []Hop
	Context Context

	referrerPolicy referrerPolicy // the document's policy, for navigations it starts
}

// Form returns the page's form whose id or name is key, or with key "" its only form.
func (p *Page) Form(key string) (Form, error) {
	var names []string
	for _, f := range p.Forms {
		if key == "" && len(p.Forms) == 1 || key != "" && (f.ID == key || f.Name == key) {
			return f, nil
		}
		names = append(names, f.label())
	}
	if len(p.Forms) == 0 {
		return Form{}, fmt.Errorf("page %s has no form (title %q, text %q)", shortURL(p.URL), p.Title, truncateRunes(p.Text, 200))
	}
	if key == "" {
		return Form{}, fmt.Errorf("page %s has %d forms (%v): name the one to use by id or name", shortURL(p.URL), len(p.Forms), names)
	}
	return Form{}, fmt.Errorf("page %s has no form with id or name %q; its forms are %v", shortURL(p.URL), key, names)
}

// Navigate loads rawURL in the browsing context bc, following redirects and refreshes, and
// returns the page it ends on. On failure it returns a *NavError, and the last page received
// when there was one.
func (b *Browser) Navigate(ctx context.Context, rawURL string, bc Context) (*Page, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("navigate: %q is not an absolute http or https URL", truncateRunes(rawURL, maxURLInMessage))
	}
	ancestor, opener, err := bc.validate()
	if err != nil {
		return nil, fmt.Errorf("navigate to %s: %w", shortURL(u), err)
	}
	r := &request{how: HowNavigate, method: http.MethodGet, url: u, policy: defaultReferrerPolicy}
	switch {
	case ancestor != nil: // the frame's src is set by the top-level page
		r.initiator, r.referrerSource = ancestor, withRootPath(ancestor)
	case opener != nil: // window.open from the opener
		r.initiator, r.referrerSource, r.userActivated = opener, withRootPath(opener), true
	default: // typed or clicked in the browser's UI
		r.userActivated = true
	}
	return b.run(ctx, bc, r)
}

// SetCookies stores cookies as if u had set them in a top-level page: the way to start a
// Browser signed in. They follow the same rules as Set-Cookie headers (a cookie the rules
// reject is dropped; check with Cookies).
func (b *Browser) SetCookies(u *url.URL, cs []*http.Cookie) {
	sc := cookieScope{url: u, method: http.MethodGet, topLevel: true, topSite: site(u), policy: b.opts.ThirdPartyCookies}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	for _, c := range cs {
		b.jar.store(sc, c, now)
	}
}

// Cookies returns the cookies a GET navigation to u in bc would send, in Cookie header order.
func (b *Browser) Cookies(u *url.URL, bc Context) []*http.Cookie {
	ancestor, opener, err := bc.validate()
	if err != nil {
		return nil
	}
	initiator := opener
	if ancestor != nil {
		initiator = ancestor
	}
	sc := b.scope(bc, ancestor, &request{method: http.MethodGet, url: u, initiator: initiator})
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*http.Cookie
	for _, c := range b.jar.matching(sc, b.now()) {
		out = append(out, c.httpCookie())
	}
	return out
}

// Hops returns every hop so far, in order.
func (b *Browser) Hops() []Hop {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.hops)
}

// withRootPath is an origin URL with the path "/", the referrer source of a page known only by
// its origin.
func withRootPath(o *url.URL) *url.URL {
	r := *o
	r.Path = "/"
	return &r
}
