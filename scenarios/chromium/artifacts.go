package chromium

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
)

// This file holds the screenshots the engine keeps in Config.ArtifactsDir, one per navigation.

// shots names an engine's screenshots: scenario and step as SetStep last named them, else the
// engine's number; a step that navigates more than once numbers its screenshots.
type shots struct {
	engine int64

	mu             sync.Mutex
	scenario, step string
	taken          map[string]int // per base name, the screenshots taken
}

// SetStep names the screenshots of the navigations that follow (Config.ArtifactsDir):
// <scenario>--<step>.png, then <scenario>--<step>-2.png, … for a step that navigates again.
// Without it, an engine's screenshots are engine-<n>--<k>.png.
func (e *Engine) SetStep(scenario, step string) {
	e.shots.mu.Lock()
	defer e.shots.mu.Unlock()
	e.shots.scenario, e.shots.step = scenario, step
}

// reset forgets the names of the engine that used the tab before.
func (s *shots) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scenario, s.step, s.taken = "", "", nil
}

// next returns the file name of the next screenshot.
func (s *shots) next() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taken == nil {
		s.taken = map[string]int{}
	}
	base := fmt.Sprintf("engine-%d", s.engine)
	if s.scenario != "" || s.step != "" {
		base = fileSafe(s.scenario) + "--" + fileSafe(s.step)
	}
	s.taken[base]++
	switch k := s.taken[base]; {
	case s.scenario == "" && s.step == "":
		return fmt.Sprintf("%s--%d.png", base, k)
	case k == 1:
		return base + ".png"
	default:
		return fmt.Sprintf("%s-%d.png", base, k)
	}
}

// fileSafe makes s usable in a file name: letters, digits, '-', '_' and '.' stay, the rest
// becomes '_'.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// screenshot saves the tab as the navigation ended, when Config.ArtifactsDir is set. A
// screenshot that cannot be taken or saved is no verdict's business: it is dropped.
func (n *nav) screenshot() {
	dir := n.t.pool.cfg.ArtifactsDir
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(n.ctx), n.t.opts.HopTimeout)
	defer cancel()
	res, err := cdp.Call(ctx, n.t.target, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng})
	if err != nil {
		return
	}
	// Screenshots are for the user to open (--artifacts); a failed write loses only a picture.
	_ = os.WriteFile(filepath.Join(dir, n.t.shots.next()), res.Data, 0o644) //nolint:gosec // the user's own report files, readable as any other
}
