package chromium

import (
	"context"
	"fmt"
	"net/url"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/storage"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// This file holds the reuse of tabs: a new browser context costs Chromium a network context
// and a renderer process, much more than the scenario's navigations; an engine done with its
// tab gives it back, cleared, for the next engine.

// maxFree bounds the tabs kept for reuse; each keeps a renderer process. The runner's
// concurrency is well below it.
const maxFree = 32

// reuse returns a started tab an engine gave back, reset for a new engine, or nil.
func (p *Pool) reuse() *tab {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.free)
	if n == 0 || p.closed {
		return nil
	}
	t := p.free[n-1]
	p.free = p.free[:n-1]
	return t
}

// release gives the tab back to the pool: its page left for about:blank, its cookies and the
// data of every origin the engine visited (storage, service workers, cache) cleared, the
// engine's state dropped. (A tab's sessionStorage outlives this; an endpoint that keeps
// state there for the same origin across scenarios would see it.) A tab that cannot be cleared is closed instead.
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
	t.take()                                                 // what the last page and about:blank reported
	t.opts, t.rt, t.prepared = browser.Options{}, nil, false // drop the old engine's hooks
	t.seq, t.frame, t.last = 0, "", nil
	clear(t.inflight)
	clear(t.origins)
	t.shots.reset()

	t.pool.mu.Lock()
	defer t.pool.mu.Unlock()
	if t.pool.closed || len(t.pool.free) >= maxFree {
		go t.close()
		return
	}
	t.pool.free = append(t.pool.free, t)
}

// clear empties the tab for the next engine.
func (t *tab) clear(ctx context.Context) error {
	if _, err := cdp.Call(ctx, t.target, page.Navigate, page.NavigateParams{URL: "about:blank"}); err != nil {
		return fmt.Errorf("chromium: blank the tab: %w", err)
	}
	if _, err := cdp.Call(ctx, t.target, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		return fmt.Errorf("chromium: clear the cookies: %w", err)
	}
	for o := range t.origins {
		if _, err := cdp.Call(ctx, t.target, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: o, StorageTypes: "all"}); err != nil {
			return fmt.Errorf("chromium: clear the data of %s: %w", o, err)
		}
	}
	return nil
}

// visited notes the origin of u, whose data the tab's reuse clears.
func (t *tab) visited(u *url.URL) {
	if u != nil && u.Host != "" {
		t.origins[u.Scheme+"://"+u.Host] = true
	}
}
