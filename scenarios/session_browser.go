package scenarios

import (
	"context"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// newEngine makes the scenario's browser with the run's settings filled in: HubSpot's hosts
// mapped to the emulator, the hop timeout, and every hop recorded in the session. It starts
// with the target's cookies (--cookie): the user is already signed in to the app.
func (s *Session) newEngine(o browser.Options) Engine {
	o.HubSpotAddr = s.h.Addr
	o.HopTimeout = s.opts.HopTimeout
	o.OnHop = s.recordHop
	if o.Transport == nil {
		o.Transport = tlsTransport(s.opts.TLSRootCAs) // --ca-file: every browser trusts it
	}
	var e Engine
	if s.opts.Engine != nil {
		e = s.opts.Engine(o)
	} else {
		e = browser.New(o)
	}
	if len(s.target.Login.Cookies) > 0 {
		if u, err := url.Parse(s.target.InstallURL); err == nil {
			e.SetCookies(u, s.target.Login.Cookies)
		}
	}
	s.mu.Lock()
	s.engines = append(s.engines, e)
	s.mu.Unlock()
	return e
}

// stepNamer is an engine that names what it records by scenario and step (the chromium
// engine's screenshots, --artifacts).
type stepNamer interface{ SetStep(scenario, step string) }

// NewBrowser gives the scenario a fresh browser (empty cookie jar) that stops when it is about
// to leave for HubSpot, so arriving at a returnUrl is seen without fetching it.
func (s *Session) NewBrowser(policy browser.CookiePolicy) Engine {
	b := s.newEngine(browser.Options{
		ThirdPartyCookies: policy,
		StopAt:            func(u *url.URL) bool { return browser.IsHubSpotHost(u.Hostname()) },
	})
	return b
}

// Open navigates b to rawURL in context bc as step name and waits the observe window for token
// requests for code (or, in solo scenarios, for token requests that carry no known code). In a
// crash-prone scenario the window is left to observeLate, which waits it once for every step.
func (s *Session) Open(b Engine, name StepName, rawURL string, bc browser.Context, code string, ret *url.URL) *Step {
	st, done := s.Step(name, bc, rawURL)
	st.Code, st.Return = code, ret
	if n, ok := b.(stepNamer); ok {
		n.SetStep(string(s.sc.ID), string(name))
	}
	mark := s.disp.orphanMark()
	st.Page, st.Err = b.Navigate(s.ctx, rawURL, bc)
	done()
	if st.Code != "" {
		if s.sc.CrashProne && !s.sc.Solo {
			// The probes' scripts never read a step's exchanges: one observe window after the
			// last probe serves them all (observeLate), so the probes follow each other at the
			// endpoint's own pace.
			s.mu.Lock()
			s.late = append(s.late, st)
			s.mu.Unlock()
		} else {
			st.Exchanges = s.disp.exchanges(s.ctx, st.Code, s.opts.ObserveWindow)
			s.obs.Secrets = append(s.obs.Secrets, s.h.Emulator.TokensIssuedFor(st.Code)...)
		}
	}
	if s.sc.Solo {
		st.Orphans = s.disp.orphansSince(s.ctx, mark, s.opts.ObserveWindow)
	}
	return st
}

// originKey is scheme://host:port, lower-cased, with the scheme's default port made explicit.
// The browsers that must not leave the endpoint (robust, connect) compare origins by it.
func originKey(u *url.URL) string {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		default:
			port = "80"
		}
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(host, port)
}

// observeLate waits out the observe window after the last step Open left open and fills in the
// token requests of the steps whose window Open left open (crash-prone scenarios). A token
// request carries its code, so it is attributed to its step however late it comes, while the
// next probe already runs. ctx is the run's: the scenario's own deadline has ended with it.
func (s *Session) observeLate(ctx context.Context) {
	s.mu.Lock()
	late := s.late
	s.late = nil
	s.mu.Unlock()
	if len(late) == 0 {
		return
	}
	// The last step's window ends last: the earlier ones have had more time already.
	last := late[len(late)-1]
	waitWindow(ctx, s.opts.ObserveWindow-time.Since(last.Started.Add(last.Duration)))
	for _, st := range late {
		st.Exchanges = s.disp.exchangesSoFar(ctx, st.Code)
		s.obs.Secrets = append(s.obs.Secrets, s.h.Emulator.TokensIssuedFor(st.Code)...)
	}
}
