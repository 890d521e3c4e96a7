package browser

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// request is one request of a navigation, with what the browser knows about its origin.
type request struct {
	how         How
	method      string
	url         *url.URL
	body        []byte
	contentType string
	recordBody  []byte // body as recorded on the hop (passwords redacted)

	initiator      *url.URL // origin of the document that started the request; nil: the user
	referrerSource *url.URL // the document whose URL is the referrer
	policy         referrerPolicy
	userActivated  bool
	urlList        []*url.URL // this request's URL and the redirects before it, oldest first
	taintedOrigin  bool       // a redirect crossed origins: Origin is "null" (Fetch §4.4 step 12)
}

// navigation is the state of one Navigate or Submit.
type navigation struct {
	bc       Context
	ancestor *url.URL
	hops     []Hop
	seen     map[[32]byte]int // request identity (requestKey) → index of its hop
	kept     int64            // bytes the hops' records keep, against KeptNavigationBytes
	// targets are the method and full URL of each hop (requestKey without cookies or body),
	// which the records may keep cut.
	targets [][32]byte
}

// response is what the browser read of one response, in full, for the page it makes; the hop
// record keeps less.
type response struct {
	header    http.Header
	body      []byte
	truncated bool // the body was longer than Options.BodyLimit
}

// run performs r and every request it leads to, until a page that stays, StopAt, or an error.
func (b *Browser) run(ctx context.Context, bc Context, r *request) (*Page, error) {
	ancestor, _, err := bc.validate()
	if err != nil {
		return nil, err
	}
	nav := &navigation{bc: bc, ancestor: ancestor, seen: map[[32]byte]int{}}
	var last *Page // the last response, returned alongside errors
	fail := func(err error, cycle []string) (*Page, error) {
		if last != nil {
			last.Hops = nav.hops
		}
		return last, &NavError{Hops: nav.hops, Cycle: cycle, Err: err}
	}
	for {
		r.urlList = append(r.urlList, r.url)
		if b.opts.StopAt != nil && b.opts.StopAt(r.url) {
			b.record(nav, Hop{Context: bc, How: r.how, Method: r.method, URL: r.url, Stopped: true})
			return &Page{URL: r.url, Stopped: true, Hops: nav.hops, Context: bc}, nil
		}
		if len(nav.hops) >= b.opts.MaxHops {
			cycle, err := b.tooManyHops(nav, r)
			return fail(err, cycle)
		}
		hreq, key, err := b.prepare(ctx, nav, r)
		if err != nil {
			return fail(err, nil)
		}
		if i, ok := nav.seen[key]; ok {
			cycle, err := loopError(nav, i, r, fmt.Errorf("hop %d would repeat hop %d with the same cookies", len(nav.hops)+1, nav.hops[i].Seq))
			return fail(err, cycle)
		}
		nav.seen[key] = len(nav.hops)

		hop, resp := b.fetch(ctx, nav, r, hreq)
		if hop.Status != 0 {
			last = &Page{
				URL: r.url, Status: hop.Status, Header: resp.header, Body: resp.body,
				Truncated: resp.truncated, Context: bc,
			}
		}
		if hop.Err != nil {
			return fail(hop.Err, nil)
		}
		next, err := b.follow(r, last)
		if err != nil {
			return fail(fmt.Errorf("hop %d: %w", hop.Seq, err), nil)
		}
		if next == nil {
			last.Hops = nav.hops
			return last, nil
		}
		r = next
	}
}

// prepare builds the wire request for r: headers as Chrome sends them on a navigation, and
// the cookies the jar lets through. It also returns r's identity for loop detection: method,
// URL, cookies and body.
func (b *Browser) prepare(ctx context.Context, nav *navigation, r *request) (*http.Request, [32]byte, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	hreq, err := http.NewRequestWithContext(ctx, r.method, r.url.String(), body)
	if err != nil {
		return nil, [32]byte{}, fmt.Errorf("hop %d: cannot build the request for %s: %w", len(nav.hops)+1, shortURL(r.url), err)
	}
	h := hreq.Header
	h.Set("User-Agent", b.opts.UserAgent)
	h.Set("Accept", acceptNavigation)
	h.Set("Accept-Language", acceptLanguage)
	h.Set("Upgrade-Insecure-Requests", "1")
	// Fetch Metadata (W3C Fetch Metadata Request Headers §2): only to potentially trustworthy
	// URLs.
	if PotentiallyTrustworthy(r.url) {
		dest := "document"
		if nav.bc.Framed {
			dest = "iframe"
		}
		h.Set("Sec-Fetch-Dest", dest)
		h.Set("Sec-Fetch-Mode", "navigate")
		h.Set("Sec-Fetch-Site", fetchSite(r.initiator, r.urlList))
		if r.userActivated {
			h.Set("Sec-Fetch-User", "?1")
		}
	}
	if ref := referrerFor(r.policy, r.referrerSource, r.url); ref != "" {
		h.Set("Referer", ref)
	}
	// Fetch §3.1 "append a request Origin header": navigations send Origin unless GET or HEAD.
	if r.method != http.MethodGet && r.method != http.MethodHead && r.initiator != nil {
		o := origin(r.initiator)
		if r.taintedOrigin {
			o = "null"
		}
		h.Set("Origin", o)
	}
	if r.contentType != "" {
		h.Set("Content-Type", r.contentType)
	}

	sc := b.scope(nav.bc, nav.ancestor, r)
	b.mu.Lock()
	sent := b.jar.matching(sc, b.now())
	b.mu.Unlock()
	cookie := cookieHeader(sent)
	if cookie != "" {
		h.Set("Cookie", cookie)
	}
	return hreq, requestKey(r.method, r.url.String(), cookie, r.body), nil
}

// scope is the cookie scope of r in the browsing context bc (RFC 6265bis §5.2 "same-site"
// and "cross-site" requests): a request is cross-site when its initiator is cross-site to its
// URL, and in a frame also when the URL is cross-site to the top level. Like Chrome (whose
// "SameSite considers redirect chain" is off by default), the sites a redirect passed through
// do not count; Sec-Fetch-Site does count them.
func (b *Browser) scope(bc Context, ancestor *url.URL, r *request) cookieScope {
	sc := cookieScope{url: r.url, method: r.method, topLevel: !bc.Framed, policy: b.opts.ThirdPartyCookies}
	sc.crossSite = r.initiator != nil && !sameSite(r.initiator, r.url)
	if bc.Framed {
		sc.topSite = site(ancestor)
		sc.crossSite = sc.crossSite || site(r.url) != sc.topSite
	} else {
		sc.topSite = site(r.url)
	}
	return sc
}

// fetch sends hreq under the hop deadline, reads the body up to the limit, stores the cookies
// the response sets, and records the hop. It returns the hop as recorded and the response as
// read.
func (b *Browser) fetch(ctx context.Context, nav *navigation, r *request, hreq *http.Request) (Hop, response) {
	hop := Hop{Context: nav.bc, How: r.how, Method: r.method, URL: r.url, RequestHeader: hreq.Header.Clone(), RequestBody: r.recordBody}
	if v := hop.RequestHeader.Get("Cookie"); v != "" {
		redacted, names := redactCookieHeader(v)
		hop.RequestHeader.Set("Cookie", redacted)
		hop.SentCookies = names
	}

	hopCtx, cancel := context.WithTimeout(ctx, b.opts.HopTimeout)
	defer cancel()
	hreq = hreq.WithContext(hopCtx)
	wireRequest(hreq, r.url, b.opts.HubSpotAddr)

	start := time.Now()
	resp, err := b.rt.RoundTrip(hreq)
	if err != nil {
		hop.Duration = time.Since(start)
		hop.Err = b.hopError(ctx, hopCtx, len(nav.hops)+1, r, err)
		return b.record(nav, hop), response{}
	}
	// A transport that lets more headers through than Chrome reads (the default
	// http.Transport reads 10 MB) is held to Chrome's limit here.
	if n := headerBytes(resp.Header); n > MaxResponseHeaderBytes {
		_ = resp.Body.Close() // the response is refused; an error closing it changes nothing
		hop.Duration = time.Since(start)
		hop.Err = b.hopError(ctx, hopCtx, len(nav.hops)+1, r, fmt.Errorf("%w: %s of response headers", ErrHeadersTooBig, Size(n)))
		return b.record(nav, hop), response{}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, b.opts.BodyLimit+1))
	_ = resp.Body.Close() // the body is read; an error closing it changes nothing
	hop.Duration = time.Since(start)
	hop.Status, hop.ResponseHeader = resp.StatusCode, resp.Header
	full := response{header: resp.Header}
	if int64(len(body)) > b.opts.BodyLimit {
		body, full.truncated, hop.Truncated = body[:b.opts.BodyLimit], true, true
	}
	hop.Body, full.body = body, body
	if err != nil {
		hop.Err = b.hopError(ctx, hopCtx, len(nav.hops)+1, r, fmt.Errorf("reading the body: %w", err))
	}

	var parsed []*http.Cookie
	parsed, hop.RejectedCookies = parseSetCookies(resp.Header)
	hop.SetCookies = parsed
	if len(parsed) > 0 {
		sc := b.scope(nav.bc, nav.ancestor, r)
		b.mu.Lock()
		now := b.now()
		for _, c := range parsed {
			if reason := b.jar.store(sc, c, now); reason != "" {
				hop.RejectedCookies = append(hop.RejectedCookies, RejectedCookie{Raw: c.Raw, Name: c.Name, Reason: reason})
			}
		}
		b.mu.Unlock()
	}
	return b.record(nav, hop), full
}

// hopError explains why hop n got no (complete) response.
func (b *Browser) hopError(navCtx, hopCtx context.Context, n int, r *request, err error) error {
	where := fmt.Sprintf("hop %d: %s %s", n, r.method, shortURL(r.url))
	switch {
	case navCtx.Err() != nil:
		return fmt.Errorf("%s: the navigation was stopped before a response arrived: %w", where, context.Cause(navCtx))
	case errors.Is(hopCtx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: no complete response within %s (the hop timeout); the endpoint must answer each browser request promptly: %w",
			where, b.opts.HopTimeout, ErrHopTimeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%s: connection refused; is the endpoint running at %s? %w", where, r.url.Host, err)
	}
	msg := err.Error()
	var rhe tls.RecordHeaderError
	switch {
	case errors.Is(err, ErrHeadersTooBig), strings.Contains(msg, "server response headers exceeded"),
		strings.Contains(msg, "header list too large"), strings.Contains(msg, "header list larger than"):
		return fmt.Errorf("%s: the response headers (with any 1xx responses before them) are over Chrome's limit of %s, so the browser fails the page with %w; send fewer or smaller headers and cookies",
			where, Size(MaxResponseHeaderBytes), ErrHeadersTooBig)
	case strings.Contains(msg, "connection error: PROTOCOL_ERROR"):
		// Go's HTTP/2 client ends the connection so when the headers are over the limit it
		// advertised (SETTINGS_MAX_HEADER_LIST_SIZE), as for any other protocol violation.
		return &hopErr{msg: fmt.Sprintf("%s: the endpoint broke the HTTP/2 protocol, which Chrome reports as ERR_HTTP2_PROTOCOL_ERROR; one cause is response headers over the %s the browser accepts", where, Size(MaxResponseHeaderBytes)), err: ErrProtocol, cause: err}
	case errors.As(err, &rhe):
		what := "something that is not TLS"
		if bytes.HasPrefix(rhe.RecordHeader[:], []byte("HTTP")) {
			what = "plain HTTP"
		}
		return &hopErr{msg: fmt.Sprintf("%s: the endpoint answered %s on an https URL: serve TLS on that port, or send the browser to http://", where, what), err: ErrProtocol, cause: err}
	case strings.Contains(msg, `malformed HTTP response "\x15\x03`), strings.Contains(msg, `malformed HTTP response "\x16\x03`):
		return &hopErr{msg: where + ": the endpoint answered TLS on an http URL: send the browser to https://, or serve plain HTTP on that port", err: ErrProtocol, cause: err}
	case strings.Contains(msg, "malformed HTTP"):
		return &hopErr{msg: fmt.Sprintf("%s: the endpoint did not answer HTTP/1.x (garbage or an HTTP/0.9 answer, which browsers refuse): %s", where, Clip(msg, 200)), err: ErrProtocol, cause: err}
	case errors.Is(err, syscall.ECONNRESET):
		return &hopErr{msg: where + ": the endpoint reset the connection before a complete response", cause: err}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &hopErr{msg: where + ": the endpoint closed the connection before a complete response (EOF)", cause: err}
	}
	return &hopErr{msg: where + ": " + Clip(msg, 1<<10), cause: err}
}

// hopErr is a hop's error with a message of bounded length: the error it wraps may quote
// whatever the endpoint sent.
type hopErr struct {
	msg   string
	err   error // a sentinel such as ErrProtocol, or nil
	cause error
}

func (e *hopErr) Error() string { return e.msg }

// Unwrap returns the sentinel and the underlying error, for errors.Is and errors.As.
func (e *hopErr) Unwrap() []error {
	if e.err == nil {
		return []error{e.cause}
	}
	return []error{e.err, e.cause}
}

// record cuts a hop to what its record keeps, numbers it, keeps it on the navigation and the
// Browser, and streams it to OnHop. It returns the hop as recorded.
func (b *Browser) record(nav *navigation, hop Hop) Hop {
	nav.targets = append(nav.targets, requestKey(hop.Method, hop.URL.String(), "", nil))
	hop = b.keep(nav, hop)
	b.mu.Lock()
	hop.Seq = len(b.hops) + 1
	b.hops = append(b.hops, hop)
	b.mu.Unlock()
	nav.hops = append(nav.hops, hop)
	if b.opts.OnHop != nil {
		b.opts.OnHop(hop)
	}
	return hop
}

// follow reads the page of the last response and returns the request it leads to: a redirect
// (Fetch §4.4 "HTTP-redirect fetch"), a Refresh header or a meta refresh. It returns nil when
// the page stays.
func (b *Browser) follow(r *request, p *Page) (*request, error) {
	if loc := p.Header.Get("Location"); loc != "" && isRedirectStatus(p.Status) {
		return redirect(r, p, loc)
	}
	var doc *document
	if isHTML(p.Header, p.Body) {
		doc = parseDocument(p.Body, p.URL)
		p.Forms, p.Title, p.Text = doc.forms, doc.title, doc.text
	}
	p.referrerPolicy = defaultReferrerPolicy
	if rp := parseReferrerPolicyHeader(p.Header.Values("Referrer-Policy")); rp != "" {
		p.referrerPolicy = rp
	}
	if doc != nil && doc.referrerPolicy != "" {
		p.referrerPolicy = doc.referrerPolicy
	}

	// The Refresh header is processed when the response arrives, before any meta element.
	how, ref := HowRefreshHeader, (*refresh)(nil)
	if v := p.Header.Get("Refresh"); v != "" {
		ref = parseRefresh(v, p.URL)
	}
	if ref == nil && doc != nil && doc.refresh != nil {
		how, ref = HowMetaRefresh, doc.refresh
	}
	if ref != nil && (ref.url.Scheme == "http" || ref.url.Scheme == "https") {
		return &request{
			how: how, method: http.MethodGet, url: ref.url,
			initiator: p.URL, referrerSource: p.URL, policy: p.referrerPolicy,
		}, nil
	}
	if doc != nil && doc.jsSnippet != "" {
		p.JSRedirect, p.JSRedirectSnippet = true, doc.jsSnippet
	}
	return nil, nil
}

// isRedirectStatus reports whether a browser follows status with its Location (Fetch §2.2.6
// "redirect status": 301, 302, 303, 307 and 308).
func isRedirectStatus(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirect builds the request that follows a redirect response p to loc (Fetch §4.4
// "HTTP-redirect fetch"): 303, and 301 or 302 after a POST, become a GET without a body;
// 307 and 308 keep the method and body. The URL's fragment carries over when loc has none.
func redirect(r *request, p *Page, loc string) (*request, error) {
	target, err := r.url.Parse(strings.TrimSpace(loc))
	if err != nil {
		return nil, fmt.Errorf("the %d response's Location %q is not a valid URL (%v): %w", p.Status, truncateRunes(loc, maxURLInMessage), err, ErrBadRedirect)
	}
	if target.Scheme != "http" && target.Scheme != "https" {
		return nil, fmt.Errorf("the %d response redirects to %q, a %s: URL that browsers do not follow from a redirect; redirect to an https URL: %w",
			p.Status, truncateRunes(loc, maxURLInMessage), target.Scheme, ErrBadRedirect)
	}
	if target.Fragment == "" && r.url.Fragment != "" {
		target.Fragment, target.RawFragment = r.url.Fragment, r.url.RawFragment
	}
	next := *r
	next.how, next.url = HowRedirect(p.Status), target
	if p.Status == http.StatusSeeOther && r.method != http.MethodHead ||
		(p.Status == http.StatusMovedPermanently || p.Status == http.StatusFound) && r.method == http.MethodPost {
		next.method, next.body, next.recordBody, next.contentType = http.MethodGet, nil, nil, ""
	}
	// Fetch §4.4 step 12: a redirect to another origin than both the current URL's and the
	// request's origin taints the request's origin.
	if r.initiator != nil && !sameOrigin(r.url, target) && !sameOrigin(r.initiator, target) {
		next.taintedOrigin = true
	}
	// Fetch §4.4 step 16: the redirect response's Referrer-Policy updates the request's.
	if rp := parseReferrerPolicyHeader(p.Header.Values("Referrer-Policy")); rp != "" {
		next.policy = rp
	}
	return &next, nil
}

// loopError reports the cycle from the hop at index i back to r's URL; why says how the
// repeat was recognised.
func loopError(nav *navigation, i int, r *request, why error) (cycle []string, err error) {
	n := len(nav.hops) - i + 1
	cycle, shown := make([]string, 0, n), make([]string, 0, n)
	for _, h := range nav.hops[i:] {
		cycle = append(cycle, h.URL.String()) // as recorded: already cut to KeptURLBytes
		shown = append(shown, shortURL(h.URL))
	}
	cycle = append(cycle, Clip(r.url.String(), KeptURLBytes))
	shown = append(shown, shortURL(r.url))
	return cycle, fmt.Errorf("%w: the browser went %s … (%w); the endpoint must send the browser on, in the end back to HubSpot's returnUrl",
		ErrLoop, strings.Join(shown, " → "), why)
}

// tooManyHops reports a navigation that hit MaxHops. When a URL came back with different
// cookies, it is still a loop: the error is both ErrLoop and ErrTooManyHops.
func (b *Browser) tooManyHops(nav *navigation, r *request) (cycle []string, err error) {
	target := requestKey(r.method, r.url.String(), "", nil)
	for i, t := range nav.targets {
		if t == target {
			return loopError(nav, i, r, fmt.Errorf("the cookies changed on every pass, so it ran into the limit of %d hops: %w", b.opts.MaxHops, ErrTooManyHops))
		}
	}
	return nil, fmt.Errorf("%w: the navigation from %s did not end within %d hops (next: %s); each redirect or refresh is a hop",
		ErrTooManyHops, shortURL(nav.hops[0].URL), b.opts.MaxHops, shortURL(r.url))
}
