package chromium

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// HowScript is the How of a navigation a page's script started (location.href =,
// location.replace(…), …), which the chromium engine follows.
const HowScript browser.How = "script"

// Engine is one user's browser in the pool's Chromium: an isolated browser context (its own
// cookies) with one tab. It implements scenarios.Engine. Like the http engine, it is meant for
// one goroutine at a time.
type Engine struct {
	*tab // the Engine wrapper is what a cleanup watches: the tab stays reachable from chromedp

	cleanup runtime.Cleanup // gives the tab back when the engine is garbage
	closed  atomic.Bool
}

// tab is an engine's state, reachable from chromedp's listeners.
type tab struct {
	pool *Pool
	opts browser.Options
	rt   http.RoundTripper // for HubSpot's hosts, mapped to the emulator

	startOnce  sync.Once
	startErr   error
	prepared   bool            // the engine's settings are applied to the tab
	origins    map[string]bool // the origins the engine visited, whose data a reuse clears
	partitions map[string]bool // the storage keys of the framed pages it showed, cleared too
	ctx        context.Context // the tab's chromedp context
	cancel     context.CancelFunc
	target     *chromedp.Target

	mu     sync.Mutex
	events []any
	signal chan struct{} // has an element when events is not empty

	seq      int         // hops over the engine's life
	frame    cdp.FrameID // the frame the last page is in
	stand    string      // the origin of the launcher the tab's top frame shows, or "" (see launchIn)
	popups   bool        // a page of the tab opened a window: the tab is not reused (see clear)
	last     *browser.Page
	inflight map[network.RequestID]bool // the tab's requests still out (see track)
	shots    shots                      // the screenshots' names (see SetStep)
}

// defaultTransport carries the requests to the emulator when Options.Transport is nil.
var defaultTransport = &http.Transport{
	Proxy:               nil,
	DialContext:         (&net.Dialer{Timeout: browser.DefaultHopTimeout}).DialContext,
	MaxIdleConnsPerHost: 16,
	IdleConnTimeout:     90 * time.Second,
}

// NewEngine makes an engine with its own cookies, taking Options as the http engine does
// (browser.New): HubSpotAddr, HopTimeout, MaxHops, BodyLimit, ThirdPartyCookies, StopAt and
// OnHop are honoured. Options.Transport carries only the requests to HubSpot's hosts, which
// the engine makes itself; Chromium's own requests use Chromium's trust store. Chromium starts
// the engine's tab at its first navigation.
func (p *Pool) NewEngine(o browser.Options) *Engine {
	if o.HopTimeout <= 0 {
		o.HopTimeout = browser.DefaultHopTimeout
	}
	if o.MaxHops <= 0 {
		o.MaxHops = browser.DefaultMaxHops
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = browser.DefaultBodyLimit
	}
	rt := o.Transport
	if rt == nil {
		rt = defaultTransport
	}
	t := p.reuse()
	if t == nil {
		t = &tab{pool: p, signal: make(chan struct{}, 1), inflight: map[network.RequestID]bool{}, origins: map[string]bool{}, partitions: map[string]bool{}}
	}
	t.opts, t.rt = o, rt
	t.shots.engine = p.engineSeq.Add(1)
	e := &Engine{tab: t}
	// The scenarios drop an engine without closing it: its tab goes back to the pool when the
	// engine is garbage, or at the latest closes with the pool.
	e.cleanup = runtime.AddCleanup(e, func(t *tab) { t.giveBack() }, t)
	return e
}

// Close gives the engine's tab back to the pool at once, its cookies and the data of the
// origins it visited cleared (in the background: the pool's next engine waits for it rather
// than opening a new tab), for another engine to reuse; without Close, that happens when the
// engine is garbage. The engine must not be used after Close.
func (e *Engine) Close() error {
	if e.closed.Swap(true) {
		return nil
	}
	e.cleanup.Stop()
	e.giveBack()
	return nil
}

// start opens the tab in a new browser context and enables what the engine listens to, once
// per tab, then applies the engine's settings, once per engine.
func (t *tab) start() error {
	t.startOnce.Do(func() {
		t.pool.mu.Lock()
		if t.pool.closed {
			t.pool.mu.Unlock()
			t.startErr = fmt.Errorf("chromium: the pool is closed")
			return
		}
		t.pool.tabs[t] = true
		t.pool.mu.Unlock()

		t.ctx, t.cancel = chromedp.NewContext(t.pool.browserCtx, chromedp.WithNewBrowserContext())
		err := within(t.pool.cfg.StartTimeout, t.cancel, func() error {
			return chromedp.Do(t.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				t.target = tg
				if err := chromedp.Listen(t.ctx, t.push); err != nil {
					return fmt.Errorf("listen to the tab's events: %w", err)
				}
				// chromedp enabled what its own actions need; the engine needs none of it, and
				// each costs every navigation: DOM and CSS events (chromedp answers each
				// document update with DOM.getDocument), every target of the browser reported to
				// every tab (target discovery), and sessions for child targets (auto-attach),
				// which chromedp would not route anyway.
				if _, err := cdp.Call(ctx, tg, target.SetDiscoverTargets, target.SetDiscoverTargetsParams{Discover: false}); err != nil {
					return fmt.Errorf("stop target discovery: %w", err)
				}
				if _, err := cdp.Call(ctx, tg, target.SetAutoAttach, target.SetAutoAttachParams{AutoAttach: false}); err != nil {
					return fmt.Errorf("stop auto-attach: %w", err)
				}
				if _, err := cdp.Call(ctx, tg, css.Disable, cdp.Empty{}); err != nil {
					return fmt.Errorf("disable CSS events: %w", err)
				}
				if _, err := cdp.Call(ctx, tg, dom.Disable, cdp.Empty{}); err != nil {
					return fmt.Errorf("disable DOM events: %w", err)
				}
				if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
					return fmt.Errorf("enable network events: %w", err)
				}
				if _, err := cdp.Call(ctx, tg, page.Enable, page.EnableParams{}); err != nil {
					return fmt.Errorf("enable page events: %w", err)
				}
				// No favicons: Chromium asks each page's origin for /favicon.ico after it loads,
				// a request (and, for HubSpot's hosts, a round trip to the emulator) that is no
				// hop and that the http engine does not make either.
				if _, err := cdp.Call(ctx, tg, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{{URLPattern: "*://*:*/favicon.ico", Block: true}}}); err != nil {
					return fmt.Errorf("block favicons: %w", err)
				}
				// No HTTP cache: every hop goes to the endpoint, as with a new profile, and
				// nothing one engine fetched is served to the next one that reuses the tab.
				if _, err := cdp.Call(ctx, tg, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
					return fmt.Errorf("disable the cache: %w", err)
				}
				_, err := cdp.Call(ctx, tg, fetch.Enable, fetch.EnableParams{Patterns: interceptPatterns()})
				if err != nil {
					return fmt.Errorf("intercept requests: %w", err)
				}
				return nil
			}))
		})
		if err != nil {
			t.startErr = fmt.Errorf("chromium: open a tab: %w", err)
		}
	})
	if t.startErr != nil || t.prepared {
		return t.startErr
	}
	// Third-party cookies (Network.setCookieControls): blocked as Safari and Firefox do, or
	// allowed as Chrome does by default. The engine's browser context is off the record, where
	// Chrome would block them as in its incognito windows: Chrome's default is asked for.
	ctx, cancel := context.WithTimeout(t.ctx, t.pool.cfg.StartTimeout)
	defer cancel()
	block := t.opts.ThirdPartyCookies == browser.ThirdPartyBlock
	if _, err := cdp.Call(ctx, t.target, network.SetCookieControls, network.SetCookieControlsParams{EnableThirdPartyCookieRestriction: block}); err != nil {
		return fmt.Errorf("chromium: set the third-party cookie policy: %w", err)
	}
	t.prepared = true
	return nil
}

// close ends the tab and disposes its browser context.
func (t *tab) close() {
	if t.cancel != nil {
		t.cancel()
	}
	t.pool.mu.Lock()
	if t.pool.tabs != nil {
		delete(t.pool.tabs, t)
	}
	t.pool.mu.Unlock()
}

// push queues an event from chromedp's reader; it never blocks.
func (t *tab) push(ev any) {
	switch ev.(type) {
	case *fetch.EventRequestPaused, *network.EventRequestWillBeSentExtraInfo, *network.EventResponseReceivedExtraInfo,
		*page.EventFrameRequestedNavigation, *page.EventFrameStoppedLoading, *page.EventFrameNavigated, *page.EventNavigatedWithinDocument, *page.EventWindowOpen,
		*network.EventRequestWillBeSent, *network.EventResponseReceived, *network.EventLoadingFinished, *network.EventLoadingFailed:
	default:
		return
	}
	t.mu.Lock()
	t.events = append(t.events, ev)
	t.mu.Unlock()
	select {
	case t.signal <- struct{}{}:
	default:
	}
}

// take returns the queued events.
func (t *tab) take() []any {
	t.mu.Lock()
	defer t.mu.Unlock()
	evs := t.events
	t.events = nil
	return evs
}

// Navigate loads rawURL in the browsing context bc and follows it, redirects, refreshes and
// script navigations included, until the page settles (loaded, nothing pending, its network
// quiet for Config.Quiet), StopAt matches, or an error. For browser.FramedBy the engine first shows a page of the ancestor's
// origin, which it serves itself, whose only content is an iframe with rawURL: Chromium then
// applies CSP frame-ancestors and X-Frame-Options to the frame for real. For browser.OpenedBy
// the ancestor page navigates itself to rawURL from script, so the first request is initiated
// by that origin.
func (e *Engine) Navigate(ctx context.Context, rawURL string, bc browser.Context) (*browser.Page, error) {
	// The caller may drop the engine while it navigates (its last navigation): the cleanup
	// that closes the tab must not run before the navigation ends.
	defer runtime.KeepAlive(e)
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("navigate: %q is not an absolute http or https URL", rawURL)
	}
	launcherOrigin := ""
	switch {
	case bc.Framed:
		launcherOrigin = bc.Ancestor
	case bc.Opener != "":
		launcherOrigin = bc.Opener
	}
	if launcherOrigin != "" {
		o, err := url.Parse(launcherOrigin)
		if err != nil || (o.Scheme != "http" && o.Scheme != "https") || o.Host == "" || (o.Path != "" && o.Path != "/") {
			return nil, fmt.Errorf("navigate to %s: origin %q is not valid: want scheme://host[:port], e.g. %s", rawURL, launcherOrigin, hubspot.WebOrigin)
		}
	}
	if err := e.start(); err != nil {
		return nil, err
	}
	n := e.newNav(ctx, bc, browser.HowNavigate)
	start := rawURL
	if launcherOrigin != "" {
		if n.launchIn(launcherOrigin, rawURL, bc.Framed) {
			return n.run()
		}
		n.launcher = launcherOrigin + launchPath + nonce()
		n.launcherHTML = launcherPage(rawURL, bc.Framed)
		start = n.launcher
	}
	go func() {
		// Page.navigate answers once the first response is committed, or with an error for a
		// request the engine failed (StopAt); either way the events tell the story.
		_, _ = cdp.Call(n.ctx, e.target, page.Navigate, page.NavigateParams{URL: start})
	}()
	return n.run()
}

// SetCookies stores cookies as if u had set them (Network.setCookies), the way to start a
// browser signed in.
func (e *Engine) SetCookies(u *url.URL, cs []*http.Cookie) {
	defer runtime.KeepAlive(e)
	if e.start() != nil {
		return
	}
	var params []*network.CookieParam
	for _, c := range cs {
		p := &network.CookieParam{Name: c.Name, Value: c.Value, URL: u.String(), Domain: c.Domain, Path: c.Path, Secure: c.Secure, HTTPOnly: c.HttpOnly}
		switch c.SameSite {
		case http.SameSiteStrictMode:
			p.SameSite = network.CookieSameSiteStrict
		case http.SameSiteLaxMode:
			p.SameSite = network.CookieSameSiteLax
		case http.SameSiteNoneMode:
			p.SameSite = network.CookieSameSiteNone
		case http.SameSiteDefaultMode:
			// No attribute: Chromium's default (Lax) applies.
		}
		params = append(params, p)
	}
	ctx, cancel := context.WithTimeout(e.ctx, e.opts.HopTimeout)
	defer cancel()
	_, _ = cdp.Call(ctx, e.target, network.SetCookies, network.SetCookiesParams{Cookies: params})
}

// interceptPatterns are the requests the engine pauses (Fetch.enable): every document at the
// request stage (each may be a hop) and at the response stage (to record it), and every
// request to HubSpot's hosts at the request stage (the emulator answers them). The endpoint's
// other requests (its scripts, styles, a single-page app's fetch() calls) go out unpaused.
func interceptPatterns() []*fetch.RequestPattern {
	ps := make([]*fetch.RequestPattern, 0, 2+2*(1+len(hubspot.AppHosts)))
	ps = append(ps,
		&fetch.RequestPattern{URLPattern: "*", ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageRequest},
		&fetch.RequestPattern{URLPattern: "*", ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageResponse},
	)
	for _, h := range append([]string{hubspot.APIHost}, hubspot.AppHosts...) {
		ps = append(ps,
			&fetch.RequestPattern{URLPattern: "*://" + h + "/*", RequestStage: fetch.RequestStageRequest},
			&fetch.RequestPattern{URLPattern: "*://" + h + ":*", RequestStage: fetch.RequestStageRequest})
	}
	return ps
}

// nonce is a random path segment for the engine's own pages.
func nonce() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
