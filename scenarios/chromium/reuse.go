package chromium

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/storage"

	"golang.org/x/net/publicsuffix"

	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// This file holds the reuse of tabs: a new browser context costs Chromium a network context
// and a renderer process, much more than the scenario's navigations; an engine done with its
// tab gives it back, cleared, for the next engine.

// maxFree bounds the tabs kept for reuse; each keeps a renderer process. The runner's
// concurrency is well below it.
const maxFree = 32

// reuse returns a started tab an engine gave back, reset for a new engine, or nil. A tab still
// being cleared is waited for: a new tab costs Chromium a renderer process and far more time.
func (p *Pool) reuse() *tab {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.free) == 0 && p.releasing > 0 && !p.closed {
		p.back.Wait()
	}
	n := len(p.free)
	if n == 0 || p.closed {
		return nil
	}
	// A tab on a launcher spares the engine's first framed or opened navigation a page.
	i := n - 1
	for j := i; j >= 0; j-- {
		if p.free[j].stand != "" {
			i = j
			break
		}
	}
	t := p.free[i]
	p.free = slices.Delete(p.free, i, i+1)
	return t
}

// giveBack releases the tab in the background (see release).
func (t *tab) giveBack() {
	t.pool.mu.Lock()
	t.pool.releasing++
	t.pool.mu.Unlock()
	go func() {
		t.release()
		t.pool.mu.Lock()
		t.pool.releasing--
		t.pool.back.Broadcast()
		t.pool.mu.Unlock()
	}()
}

// release gives the tab back to the pool: its page left for about:blank (or, on a launcher, the
// launcher emptied of its frames, see unframe), its cookies and the data of every origin the
// engine visited (storage, service workers, cache) cleared, the engine's state dropped. (A
// tab's sessionStorage outlives this; an endpoint that keeps state there for the same origin
// across scenarios would see it.) A tab that cannot be cleared is closed instead.
func (t *tab) release() {
	t.pool.mu.Lock()
	closed := t.pool.closed
	t.pool.mu.Unlock()
	if closed || t.ctx == nil || t.startErr != nil {
		t.close()
		return
	}
	ctx, cancel := context.WithTimeout(t.ctx, t.pool.cfg.StartTimeout)
	defer cancel()
	if err := t.clear(ctx); err != nil {
		t.close()
		return
	}
	t.drop(ctx)                                              // what the last page reported
	t.opts, t.rt, t.prepared = browser.Options{}, nil, false // drop the old engine's hooks
	t.seq, t.frame, t.last = 0, "", nil
	clear(t.inflight)
	clear(t.origins)
	clear(t.partitions)
	t.shots.reset()

	t.pool.mu.Lock()
	defer t.pool.mu.Unlock()
	if t.pool.closed || len(t.pool.free) >= maxFree {
		go t.close()
		return
	}
	t.pool.free = append(t.pool.free, t)
}

// errOpenedWindows is why a tab whose pages opened windows is not reused.
var errOpenedWindows = errors.New("chromium: the engine's pages opened windows")

// clear empties the tab for the next engine.
func (t *tab) clear(ctx context.Context) error {
	if !t.unframe(ctx) && !t.standOn(ctx, hubspot.WebOrigin) {
		if _, err := cdp.Call(ctx, t.target, page.Navigate, page.NavigateParams{URL: "about:blank"}); err != nil {
			return fmt.Errorf("chromium: blank the tab: %w", err)
		}
	}
	// The engine's page is gone: what it reported to the end tells whether it opened windows
	// (window.open: popups are not blocked). They live in the tab's browser context, and a
	// closed window's page may still write into it for a moment: the tab is not reused, and
	// closing it disposes of the context with every window in it.
	t.drop(ctx)
	if t.popups {
		return errOpenedWindows
	}
	// The renderer the page ran in, asked once more, has sent all it still wrote (a cookie,
	// local storage flushed as it unloaded) before it answers: the clearing comes after.
	yes := true
	if _, err := cdp.Call(ctx, t.target, cdpruntime.Evaluate, cdpruntime.EvaluateParams{Expression: "0", ReturnByValue: &yes}); err != nil {
		return fmt.Errorf("chromium: reach the tab's page: %w", err)
	}
	if _, err := cdp.Call(ctx, t.target, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		return fmt.Errorf("chromium: clear the cookies: %w", err)
	}
	for k := range t.partitions {
		if _, err := cdp.Call(ctx, t.target, storage.ClearDataForStorageKey, storage.ClearDataForStorageKeyParams{StorageKey: k, StorageTypes: "all"}); err != nil {
			return fmt.Errorf("chromium: clear the data of %s: %w", k, err)
		}
	}
	for o := range t.origins {
		if _, err := cdp.Call(ctx, t.target, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: o, StorageTypes: "all"}); err != nil {
			return fmt.Errorf("chromium: clear the data of %s: %w", o, err)
		}
	}
	return nil
}

// visited notes the origin of u, whose data the tab's reuse clears. HubSpot's hosts, served
// by the emulator, keep nothing in a browser's storage but cookies (cleared for every origin
// at once): clearing them would cost Chromium a storage sweep each for nothing. (An endpoint
// framed by HubSpot keeps its data under its own origin, which its hop notes.)
func (t *tab) visited(u *url.URL) {
	if u == nil || u.Host == "" || t.opts.HubSpotAddr != "" && hubspot.IsHubSpotHost(u.Host) {
		return
	}
	t.origins[u.Scheme+"://"+u.Host] = true
}

// partitioned notes the storage key of a page framed by another site: Chrome partitions a
// frame's storage by the site of the page that frames it, and clearing the frame's origin
// (Storage.clearDataForOrigin) leaves that partition untouched. The key is Chromium's
// serialization of a third-party storage key, "<origin>/^0<top-level site>" (asking Chromium,
// Storage.getStorageKey, at the frame's commit sometimes answers with the top frame's key).
func (n *nav) partitioned(f *cdp.Frame) {
	if !n.bc.Framed || f.SecurityOrigin == "" || f.SecurityOrigin == "null" {
		return
	}
	top, err := url.Parse(n.bc.Ancestor)
	if err != nil {
		return
	}
	o, err := url.Parse(f.SecurityOrigin)
	if err != nil || o.Host == "" {
		return
	}
	if n.t.opts.HubSpotAddr != "" && hubspot.IsHubSpotHost(o.Host) {
		return // no storage, as in visited
	}
	if site := topSite(top); site != topSite(o) {
		n.t.partitions[strings.TrimSuffix(f.SecurityOrigin, "/")+"/^0"+site] = true
	}
}

// topSite is the site of u (HTML Standard §7.1.1 "obtain a site"): its scheme and registrable
// domain, or its host when it has none (an IP address, localhost).
func topSite(u *url.URL) string {
	h := u.Hostname()
	if d, err := publicsuffix.EffectiveTLDPlusOne(h); err == nil {
		h = d
	}
	return u.Scheme + "://" + h
}
