// Package chromium is hsemu's chromium engine: the user's browser played by a real headless
// Chromium, driven through the DevTools protocol (https://chromedevtools.github.io/devtools-protocol/),
// which also enforces CSP framing for real.
//
// One Chromium process serves a Pool, started once per run; each Engine the pool makes gets its
// own isolated browser context (Target.createBrowserContext), so cookies stay with one
// scenario's browser, and one tab in it. An engine done with (Engine.Close, or garbage) gives
// its tab back cleared, and the next engine reuses it: a new browser context costs Chromium
// far more than a scenario's navigations. Every document request of the tab, and every
// request to HubSpot's hosts, goes through the Fetch domain: a URL for which Options.StopAt
// answers true is recorded and never sent; requests to HubSpot's hosts
// (hubspot.IsHubSpotHost) are fetched by Go from the emulator and fulfilled, so nothing
// resolves a real HubSpot host; every other request goes out from Chromium itself, and a
// document's response is read at the Fetch response stage to record the hop.
//
// A navigation ends when the page has settled, by events rather than a fixed wait: the followed
// frame has loaded (or Chromium refused to display it), no navigation is pending (a meta
// refresh or Refresh header still to fire is waited for, however late), and the tab's network
// has been idle for Config.Quiet, then the page's event loop has run one more turn, so that a
// script that fetches and then navigates (a single-page app handing the user back), or
// navigates from a timer, is followed. A hop's Duration is Chromium's own measure of the
// exchange (Network.Response.timing), which leaves out the interception's round trips.
//
// What a real browser adds is recorded on the hops: the script that started a navigation
// (Hop.Script), and a response Chromium refused to display in its frame (Hop.Blocked, with
// Chromium's reason). Config.ArtifactsDir keeps a screenshot of the page each navigation
// ended on.
package chromium

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// DefaultQuiet is how long a loaded page's network must stay idle, with no navigation pending,
// before the engine asks the page's event loop for one more turn and, if the page did nothing
// meanwhile, takes its navigation as ended. A script run on load, a zero-delay meta refresh or
// a form submitted from script asks for its navigation within microseconds of the event that
// triggers it, and a timer with no delay runs before that turn; the page's own events reach the
// engine before the turn's answer, in order on the same DevTools session. The quiet period only
// has to outlast the delivery of the events of Chromium's browser process. (It was 20 ms: the
// scenarios that run one at a time wait it once per page.)
const DefaultQuiet = 5 * time.Millisecond

// PathEnv is the environment variable that names the Chromium executable.
const PathEnv = "HSEMU_CHROMIUM_PATH"

// ErrNotFound is returned by NewPool when no Chromium executable is found.
var ErrNotFound = errors.New("hsemu's chromium engine needs Chromium: apt-get install chromium (or set " + PathEnv + ")")

// execCandidates are the executables NewPool looks for, in order, when neither Config.ExecPath
// nor PathEnv names one.
var execCandidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Config configures a Pool.
type Config struct {
	// ExecPath is the Chromium executable; "" takes $HSEMU_CHROMIUM_PATH, else finds
	// /usr/bin/chromium, chromium, chromium-browser or google-chrome on PATH.
	ExecPath string
	// Quiet is how long a loaded page's network must stay idle, with no navigation pending,
	// before its navigation ends (default DefaultQuiet).
	Quiet time.Duration
	// ArtifactsDir, when set, receives a PNG screenshot of the page each navigation ended on,
	// named by the engine's scenario and step (Engine.SetStep). The directory is created.
	ArtifactsDir string
	// StartTimeout bounds Chromium's start (default 30 s).
	StartTimeout time.Duration
}

// FindChromium returns the path of the Chromium executable NewPool would use for path ("" for
// $HSEMU_CHROMIUM_PATH, else the usual names), or an error wrapping ErrNotFound.
func FindChromium(path string) (string, error) {
	if path == "" {
		path = os.Getenv(PathEnv)
	}
	if path != "" {
		p, err := exec.LookPath(path)
		if err != nil {
			return "", fmt.Errorf("chromium at %q: %v: %w", path, err, ErrNotFound)
		}
		return p, nil
	}
	for _, c := range execCandidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// Pool is one running Chromium. Its Factory makes engines for the scenarios; Close ends the
// process and every engine made from it.
type Pool struct {
	cfg         Config
	userDataDir string
	allocCancel context.CancelFunc
	browserCtx  context.Context // the browser's own chromedp context: new tabs derive from it
	cancel      context.CancelFunc

	engineSeq atomic.Int64 // numbers the engines, for the screenshots' names

	mu        sync.Mutex
	tabs      map[*tab]bool
	free      []*tab     // started tabs engines gave back (see reuse)
	releasing int        // tabs being cleared for the free list
	back      *sync.Cond // signalled when a tab is given back, or the pool closes
	closed    bool
}

// NewPool starts Chromium headless, as root-safe as this machine needs (--no-sandbox) and
// quiet on the network (no background networking, component updates or sync; the closed
// network of a CI machine refuses those connections), with a new empty profile. Site
// isolation is off so that an iframe under app.hubspot.com stays in its page's renderer and
// its requests go through the page's interception; Chromium still enforces CSP
// frame-ancestors and X-Frame-Options, which are checked in the browser process.
func NewPool(ctx context.Context, cfg Config) (*Pool, error) {
	path, err := FindChromium(cfg.ExecPath)
	if err != nil {
		return nil, err
	}
	if cfg.Quiet <= 0 {
		cfg.Quiet = DefaultQuiet
	}
	if cfg.ArtifactsDir != "" {
		if err := os.MkdirAll(cfg.ArtifactsDir, 0o750); err != nil {
			return nil, fmt.Errorf("chromium: create the artifacts directory: %w", err)
		}
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 30 * time.Second
	}
	dir, err := os.MkdirTemp("", "hsemu-chromium-")
	if err != nil {
		return nil, fmt.Errorf("chromium: create a profile directory: %w", err)
	}
	// The engines' browser contexts are off the record, where Chrome blocks third-party cookies
	// as in its incognito windows (cookie controls mode "incognito only"); a normal Chrome
	// window allows them. Mode "off" in the profile, which off-the-record contexts read
	// through, makes Chrome's default the engines' default; the blocking mode is set per
	// engine (Network.setCookieControls).
	if err := os.MkdirAll(filepath.Join(dir, "Default"), 0o700); err == nil {
		_ = os.WriteFile(filepath.Join(dir, "Default", "Preferences"), []byte(`{"profile":{"cookie_controls_mode":0}}`), 0o600)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-popup-blocking", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-site-isolation-trials", true),
		// One renderer process per browser context: a navigation to another site (about:blank
		// to the endpoint, the endpoint to HubSpot's launcher page) reuses the context's
		// process rather than starting a new one and ending the old (about 80 ms of CPU each,
		// a fifth of Chromium's CPU over a catalogue run). A process never serves two
		// contexts, so the engines stay apart.
		chromedp.Flag("renderer-process-limit", "1"),
		// RenderDocument (a new RenderFrameHost for every document) is off: Chromium then keeps a
		// frame's host across same-process navigations, as it long did, which spares a tenth of
		// its CPU per page; what a page sees is the same.
		// Local Network Access (formerly Private Network Access) would refuse the loopback endpoint
		// to a page of app.hubspot.com; a deployed endpoint is public, so it does not apply.
		chromedp.Flag("disable-features", "IsolateOrigins,site-per-process,Translate,OptimizationHints,MediaRouter,HttpsUpgrades,"+
			"LazyFrameLoading,LazyImageLoading,BackForwardCache,ProactivelySwapBrowsingInstance,SpareRendererForSitePerProcess,AutomaticLazyFrameLoadingToEmbeds,AutomaticLazyFrameLoadingToAds,RenderDocument,LocalNetworkAccessChecks,LocalNetworkAccessChecksWebSockets,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.UserAgent(browser.DefaultUserAgent),
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.WithoutCancel(ctx), opts...)
	browserCtx, cancel := chromedp.NewContext(allocCtx)
	if err := within(cfg.StartTimeout, cancel, func() error { return chromedp.Do(browserCtx) }); err != nil {
		cancel()
		allocCancel()
		_ = os.RemoveAll(dir) // best effort: the start error is the one to report
		return nil, fmt.Errorf("chromium: start %s: %w", path, err)
	}
	p := &Pool{cfg: cfg, userDataDir: dir, allocCancel: allocCancel, browserCtx: browserCtx, cancel: cancel, tabs: map[*tab]bool{}}
	p.back = sync.NewCond(&p.mu)
	return p, nil
}

// Factory returns the engine factory for scenarios.Options.Engine: each call makes an engine
// with its own cookies.
func (p *Pool) Factory() scenarios.EngineFactory {
	return func(o browser.Options) scenarios.Engine { return p.NewEngine(o) }
}

// Close ends every engine's tab and Chromium itself, and removes its profile directory.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	tabs := p.tabs
	p.tabs, p.free = nil, nil
	p.back.Broadcast()
	p.mu.Unlock()
	for t := range tabs {
		t.close()
	}
	p.cancel()
	p.allocCancel()
	if err := os.RemoveAll(p.userDataDir); err != nil {
		return fmt.Errorf("chromium: remove the profile: %w", err)
	}
	return nil
}

// within runs f, which uses a chromedp context, and cancels that context (cancel) when f takes
// longer than d. A chromedp context's first action starts its browser or tab, which lives as
// long as that context: a deadline on a derived context would end them when it expires.
func within(d time.Duration, cancel context.CancelFunc, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		cancel()
		<-done //nolint:errcheck // after cancel, f only fails with "context canceled"; the timeout is the error
		return fmt.Errorf("not ready within %s", d)
	}
}
