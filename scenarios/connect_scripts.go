package scenarios

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// The connect scenarios: HubSpot's classic "Connect with HubSpot" OAuth install, started from
// the app's own connect URL
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth,
// https://developers.hubspot.com/docs/apps/legacy-apps/authentication/oauth-quickstart-guide).
const (
	scenarioConnectInstall          ScenarioID = "connect/install"
	scenarioConnectState            ScenarioID = "connect/state"
	scenarioConnectCallbackBadState ScenarioID = "connect/callback-bad-state"
	scenarioConnectStateReplayed    ScenarioID = "connect/state-replayed"
	scenarioConnectCallbackNoCode   ScenarioID = "connect/callback-no-code"
	scenarioConnectCallbackError    ScenarioID = "connect/callback-error"
	scenarioConnectExchangeFails    ScenarioID = "connect/exchange-fails"
	scenarioConnectReflected        ScenarioID = "connect/reflected-markup"
)

// Steps of the connect scenarios.
const (
	stepStart    StepName = "start"    // the connect URL, followed to HubSpot's consent page
	stepApprove  StepName = "approve"  // access granted on HubSpot's consent page
	stepCallback StepName = "callback" // the app's redirect_uri with code and state
	// stepStartNth begins the names of several starts: "start #2" (nthStart).
	stepStartNth           StepName = stepStart + " #"
	stepCallbackWrongState StepName = stepCallback + " (wrong state)"
	stepCallbackReplayed   StepName = stepCallback + " (state replayed)"
	stepCallbackNoCode     StepName = stepCallback + " (no code)"
	stepCallbackError      StepName = stepCallback + " (error)"
	// stepCallbackFaulted begins the names of callbacks whose token request HubSpot fails:
	// "callback (token endpoint 503)".
	stepCallbackFaulted StepName = stepCallback + " (token endpoint "
	// stepCallbackMarkup carries xssPayload as state, error_description and code.
	stepCallbackMarkup StepName = stepCallback + " (markup"
)

// nthStart names the i-th of several starts.
func nthStart(i int) StepName { return stepStartNth + StepName(strconv.Itoa(i)) }

func appliesToConnect(t Target, _ Options) bool { return t.ConnectURL != "" }

// connectBrowser is a browser for the connect flow. It goes through HubSpot's authorization page
// (the emulator) and never leaves for a host that is neither HubSpot's nor the endpoint's. While
// catching, it also stops before the endpoint's callback (a URL with code or error), so the code
// is attributed before the endpoint sees it.
type connectBrowser struct {
	Engine
	catching bool
}

func newConnectBrowser(s *Session) *connectBrowser {
	own := map[string]bool{}
	for _, raw := range []string{s.target.ConnectURL, s.target.InstallURL} {
		if u, err := url.Parse(raw); err == nil {
			own[originKey(u)] = true
		}
	}
	cb := &connectBrowser{}
	cb.Engine = s.newEngine(browser.Options{
		ThirdPartyCookies: s.opts.ThirdPartyCookies,
		StopAt: func(u *url.URL) bool {
			if browser.IsHubSpotHost(u.Hostname()) {
				return false
			}
			if !own[originKey(u)] {
				return true
			}
			q := u.Query()
			return cb.catching && (q.Has("code") || q.Has("error"))
		},
	})
	return cb
}

// connectStart opens the connect URL as step name and follows it to HubSpot's consent page.
// The state the app sent to HubSpot is kept in st.State and in the observation's States.
func connectStart(s *Session, b *connectBrowser, name StepName) *Step {
	st := s.Open(b.Engine, name, s.target.ConnectURL, browser.TopLevel, "", nil)
	if h, ok := authorizeHop(st); ok {
		st.State = h.URL.Query().Get("state")
		if st.State != "" {
			s.obs.States = append(s.obs.States, st.State)
		}
	}
	return st
}

// connectApprove is the user granting access on HubSpot's consent page, for this session's
// portal. It returns the callback URL HubSpot sends the browser to, with its code registered
// for this scenario; the callback itself is not loaded.
func connectApprove(s *Session, b *connectBrowser, start *Step) (*url.URL, string, error) {
	if _, ok := authorizeHop(start); !ok {
		return nil, "", &skipError{why: "the connect URL never reached HubSpot's /oauth/authorize (see connect/authorize-url)"}
	}
	p := start.Page
	if p == nil || p.Stopped || p.Status != 200 || !isHubSpotURL(p.URL) {
		why := "HubSpot did not show its consent page"
		if p != nil && p.Header != nil && p.Header.Get("X-Hsemu-Error") != "" {
			why = "HubSpot refused the authorization request: " + excerpt(p.Title+" "+p.Text, 240)
		}
		return nil, "", &skipError{why: why + " (see connect/authorize-url)"}
	}
	form, err := p.Form("")
	if err != nil {
		return nil, "", fmt.Errorf("read HubSpot's consent form: %w", err)
	}
	st, done := s.Step(stepApprove, start.Context, form.Action.String())
	b.catching = true
	page, err := b.Submit(s.ctx, p, form, map[string]string{"hub_id": strconv.FormatInt(s.portal.HubID, 10), "action": "grant"})
	b.catching = false
	st.Page, st.Err = page, err
	done()
	if err != nil {
		return nil, "", fmt.Errorf("grant access on HubSpot's consent page: %w", err)
	}
	if page == nil || !page.Stopped || !page.URL.Query().Has("code") {
		return nil, "", fmt.Errorf("HubSpot's consent page did not send the browser back with a code")
	}
	code := page.URL.Query().Get("code")
	s.watch(code)
	return page.URL, code, nil
}

// callbackURL is the redirect_uri the app sent to HubSpot's authorization page at start.
func callbackURL(start *Step) (*url.URL, error) {
	h, ok := authorizeHop(start)
	if !ok {
		return nil, &skipError{why: "the connect URL never reached HubSpot's /oauth/authorize, so its redirect_uri is unknown (see connect/authorize-url)"}
	}
	cb, err := url.Parse(h.URL.Query().Get("redirect_uri"))
	if err != nil || (cb.Scheme != "http" && cb.Scheme != "https") || cb.Host == "" {
		return nil, &skipError{why: "the authorization request has no usable redirect_uri (see connect/authorize-url)"}
	}
	return cb, nil
}

// codelessCallback starts a connect, then loads the app's callback (the redirect_uri it sent)
// with the start's state, the parameters in extra, and no code, as step name.
func codelessCallback(s *Session, name StepName, extra url.Values) error {
	b := newConnectBrowser(s)
	start := connectStart(s, b, stepStart)
	cb, err := callbackURL(start)
	if err != nil {
		return err
	}
	q := cb.Query()
	for k, vs := range extra {
		q[k] = vs
	}
	if start.State != "" {
		q.Set("state", start.State)
	}
	cb.RawQuery = q.Encode()
	s.Open(b.Engine, name, cb.String(), browser.TopLevel, "", nil)
	return nil
}

// mintConnectCode is HubSpot granting access a second time: a new code for this portal, bound
// to the callback's redirect_uri (its URL without query), registered for this scenario.
func mintConnectCode(s *Session, cb *url.URL) (string, error) {
	redirect := *cb
	redirect.RawQuery, redirect.Fragment = "", ""
	app := s.target.App
	code, err := s.h.Emulator.IssueCode(emulator.CodeRequest{
		ClientID: app.ClientID, HubID: s.portal.HubID, RedirectURI: redirect.String(),
		Scopes: app.RequiredScopes, OptionalScopes: app.OptionalScopes,
	})
	if err != nil {
		return "", fmt.Errorf("mint a second code for the callback: %w", err)
	}
	s.watch(code)
	return code, nil
}

// connectToCallback runs a start and an approval and returns the callback URL with its code.
func connectToCallback(s *Session, b *connectBrowser) (*url.URL, string, error) {
	start := connectStart(s, b, stepStart)
	return connectApprove(s, b, start)
}

func connectScenarios() []Scenario {
	return []Scenario{
		{
			ID: scenarioConnectInstall, Group: GroupConnect, Applies: appliesToConnect,
			Title:    "Connect with HubSpot",
			Provokes: "the connect URL, HubSpot's consent page (access granted), then the callback with code and state",
			Run: func(s *Session) error {
				b := newConnectBrowser(s)
				cb, code, err := connectToCallback(s, b)
				var skipped *skipError
				if errors.As(err, &skipped) {
					// The start is judged all the same (connect/authorize-url says why).
					s.obs.Halt = skipped.why
					return nil
				}
				if err != nil {
					return err
				}
				s.Open(b.Engine, stepCallback, cb.String(), browser.TopLevel, code, nil)
				return nil
			},
		},
		{
			ID: scenarioConnectState, Group: GroupConnect, Applies: appliesToConnect,
			Title:    "Several connects, to compare their states",
			Provokes: "the connect URL opened several times, each in a fresh browser",
			Run: func(s *Session) error {
				for i := 0; i < s.opts.StateSamples; i++ {
					b := newConnectBrowser(s)
					connectStart(s, b, nthStart(i+1))
					s.Done(b.Engine)
				}
				return nil
			},
		},
		{
			ID: scenarioConnectCallbackBadState, Group: GroupConnect, Applies: appliesToConnect,
			Title:    "A callback with a state the app did not send",
			Provokes: "a real start and approval, then the callback with its state replaced",
			Run: func(s *Session) error {
				b := newConnectBrowser(s)
				cb, code, err := connectToCallback(s, b)
				if err != nil {
					return err
				}
				q := cb.Query()
				if st := q.Get("state"); st != "" {
					q.Set("state", sameShape(st))
				} else {
					q.Set("state", randomHex(32))
				}
				bad := *cb
				bad.RawQuery = q.Encode()
				s.Open(b.Engine, stepCallbackWrongState, bad.String(), browser.TopLevel, code, nil)
				return nil
			},
		},
		{
			ID: scenarioConnectStateReplayed, Group: GroupConnect, Applies: appliesToConnect,
			Title:    "A callback reusing the state of a finished connect",
			Provokes: "a complete connect, then the callback again with the same state and a new code for the same redirect_uri",
			Run: func(s *Session) error {
				b := newConnectBrowser(s)
				cb, code, err := connectToCallback(s, b)
				if err != nil {
					return err
				}
				first := s.Open(b.Engine, stepCallback, cb.String(), browser.TopLevel, code, nil)
				if len(codeExchanges(first.Exchanges)) == 0 {
					return &skipError{why: "the first callback did not exchange its code, so there is no finished connect to replay (see connect/callback)"}
				}
				code2, err := mintConnectCode(s, cb)
				if err != nil {
					return err
				}
				replay := *cb
				q := replay.Query()
				q.Set("code", code2)
				replay.RawQuery = q.Encode()
				s.Open(b.Engine, stepCallbackReplayed, replay.String(), browser.TopLevel, code2, nil)
				return nil
			},
		},
		{
			ID: scenarioConnectExchangeFails, Group: GroupConnect, Applies: appliesToConnect, Waits: true,
			Title:    "HubSpot's token endpoint fails on the callback",
			Provokes: "three connects whose token request is answered 400 BAD_AUTH_CODE, 503, and only after a long stall",
			Run: func(s *Session) error {
				for _, f := range exchangeFaults(s.opts) {
					b := newConnectBrowser(s)
					cb, code, err := connectToCallback(s, b)
					if err != nil {
						return err
					}
					fault := f.fault
					fault.Code = code
					s.Fault(fault)
					s.Open(b.Engine, stepCallbackFaulted+StepName(f.label)+")", cb.String(), browser.TopLevel, code, nil)
					s.Done(b.Engine)
				}
				return nil
			},
		},
		{
			ID: scenarioConnectReflected, Group: GroupConnect, Applies: appliesToConnect, Solo: true,
			Title:    "Markup in the callback's parameters",
			Provokes: "a real start, then the callback with its state, error=access_denied and " + xssPayload + " as error_description; then with the markup as state and code",
			Run: func(s *Session) error {
				b := newConnectBrowser(s)
				start := connectStart(s, b, stepStart)
				cb, err := callbackURL(start)
				if err != nil {
					return err
				}
				for _, p := range []struct {
					name  StepName
					extra url.Values
				}{
					{stepCallbackMarkup + " in error_description)", url.Values{"error": {"access_denied"}, "error_description": {xssPayload}, "state": {start.State}}},
					{stepCallbackMarkup + " as state and code)", url.Values{"code": {xssPayload}, "state": {xssPayload}}},
				} {
					u := *cb
					q := u.Query()
					for k, vs := range p.extra {
						q[k] = vs
					}
					u.RawQuery = q.Encode()
					s.Open(b.Engine, p.name, u.String(), browser.TopLevel, "", nil)
				}
				return nil
			},
		},
		{
			ID: scenarioConnectCallbackNoCode, Group: GroupConnect, Applies: appliesToConnect,
			Title: "A callback with neither code nor error", Solo: true,
			Provokes: "a real start, then the callback with the start's state and no code",
			Run:      func(s *Session) error { return codelessCallback(s, stepCallbackNoCode, nil) },
		},
		{
			ID: scenarioConnectCallbackError, Group: GroupConnect, Applies: appliesToConnect,
			Title: "HubSpot reports an error on the callback", Solo: true,
			Provokes: "a real start, then the callback with error=access_denied&error_description=… and the start's state, no code",
			Run: func(s *Session) error {
				return codelessCallback(s, stepCallbackError, url.Values{
					"error": {"access_denied"}, "error_description": {"The user denied access."},
				})
			},
		},
	}
}
