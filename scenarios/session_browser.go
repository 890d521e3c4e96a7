package scenarios

import (
	"net"
	"net/url"
	"strings"

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
// requests for code (or, in solo scenarios, for token requests that carry no known code).
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
		st.Exchanges = s.disp.exchanges(s.ctx, st.Code, s.opts.ObserveWindow)
		s.obs.Secrets = append(s.obs.Secrets, s.h.Emulator.TokensIssuedFor(st.Code)...)
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
