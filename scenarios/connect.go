package scenarios

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// This file holds the connect checks (CHECKS.md, "connect"): HubSpot's classic "Connect with
// HubSpot" OAuth install, started from the app's own connect URL (seeds/001 and 003).

// Sources of the connect checks.
const (
	srcOAuthQuickstart = "https://developers.hubspot.com/docs/apps/legacy-apps/authentication/oauth-quickstart-guide"
	srcRFC6749Redirect = "RFC 6749 §4.1.3 (https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)"
	srcRFC6749Error    = "RFC 6749 §4.1.2.1 (https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1)"
)

// authorizePath matches HubSpot's authorization paths: /oauth/authorize and
// /oauth/{hubId}/authorize (HUBSPOT.md §1).
var authorizePath = regexp.MustCompile(`^/oauth/(\d+/)?authorize$`)

func appliesToConnect(t Target, _ Options) bool { return t.ConnectURL != "" }

// connectBrowser is a browser for the connect flow. It goes through HubSpot's authorization page
// (the emulator) and never leaves for a host that is neither HubSpot's nor the endpoint's. While
// catching, it also stops before the endpoint's callback (a URL with code or error), so the code
// is attributed before the endpoint sees it.
type connectBrowser struct {
	Engine
	catching bool
}

func (s *Session) connectBrowser() *connectBrowser {
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

// authorizeHop finds the request to HubSpot's authorization page among a step's hops.
func authorizeHop(st *Step) (HopRecord, bool) {
	if st == nil {
		return HopRecord{}, false
	}
	for _, h := range st.Hops {
		if isHubSpotURL(h.URL) && authorizePath.MatchString(h.URL.Path) {
			return h, true
		}
	}
	return HopRecord{}, false
}

// connectStart opens the connect URL as step name and follows it to HubSpot's consent page.
// The state the app sent to HubSpot is kept in st.State and in the observation's States.
func (s *Session) connectStart(b *connectBrowser, name string) *Step {
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
func (s *Session) connectApprove(b *connectBrowser, start *Step) (*url.URL, string, error) {
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
	st := s.begin("approve", start.Context, form.Action.String())
	b.catching = true
	page, err := b.Submit(s.ctx, p, form, map[string]string{"hub_id": strconv.FormatInt(s.portal.HubID, 10), "action": "grant"})
	b.catching = false
	st.Page, st.Err = page, err
	s.end(st)
	if err != nil {
		return nil, "", fmt.Errorf("grant access on HubSpot's consent page: %w", err)
	}
	if page == nil || !page.Stopped || !page.URL.Query().Has("code") {
		return nil, "", fmt.Errorf("HubSpot's consent page did not send the browser back with a code")
	}
	code := page.URL.Query().Get("code")
	s.disp.expect(code, s.target.label(), s.sc.ID)
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
func (s *Session) codelessCallback(name string, extra url.Values) error {
	b := s.connectBrowser()
	start := s.connectStart(b, "start")
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
func (s *Session) mintConnectCode(cb *url.URL) (string, error) {
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
	s.disp.expect(code, s.target.label(), s.sc.ID)
	return code, nil
}

// connectToCallback runs a start and an approval and returns the callback URL with its code.
func (s *Session) connectToCallback(b *connectBrowser) (*Step, *url.URL, string, error) {
	start := s.connectStart(b, "start")
	cb, code, err := s.connectApprove(b, start)
	return start, cb, code, err
}

func connectScenarios() []Scenario {
	return []Scenario{
		{
			ID: "connect/install", Flow: Connect, Title: "Connect with HubSpot", Applies: appliesToConnect,
			Provokes: "the connect URL, HubSpot's consent page (access granted), then the callback with code and state",
			Run: func(s *Session) error {
				b := s.connectBrowser()
				_, cb, code, err := s.connectToCallback(b)
				var skipped *skipError
				if errors.As(err, &skipped) {
					// The start is judged all the same (connect/authorize-url says why).
					s.obs.Halt = skipped.why
					return nil
				}
				if err != nil {
					return err
				}
				s.Open(b.Engine, "callback", cb.String(), browser.TopLevel, code, nil)
				return nil
			},
		},
		{
			ID: "connect/state", Flow: Connect, Title: "Several connects, to compare their states", Applies: appliesToConnect,
			Provokes: "the connect URL opened several times, each in a fresh browser",
			Run: func(s *Session) error {
				for i := 0; i < s.opts.StateSamples; i++ {
					s.connectStart(s.connectBrowser(), fmt.Sprintf("start #%d", i+1))
				}
				return nil
			},
		},
		{
			ID: "connect/callback-bad-state", Flow: Connect, Title: "A callback with a state the app did not send", Applies: appliesToConnect,
			Provokes: "a real start and approval, then the callback with its state replaced",
			Run: func(s *Session) error {
				b := s.connectBrowser()
				_, cb, code, err := s.connectToCallback(b)
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
				s.Open(b.Engine, "callback (wrong state)", bad.String(), browser.TopLevel, code, nil)
				return nil
			},
		},
		{
			ID: "connect/state-replayed", Flow: Connect, Title: "A callback reusing the state of a finished connect", Applies: appliesToConnect,
			Provokes: "a complete connect, then the callback again with the same state and a new code for the same redirect_uri",
			Run: func(s *Session) error {
				b := s.connectBrowser()
				_, cb, code, err := s.connectToCallback(b)
				if err != nil {
					return err
				}
				first := s.Open(b.Engine, "callback", cb.String(), browser.TopLevel, code, nil)
				if len(codeExchanges(first.Exchanges)) == 0 {
					return &skipError{why: "the first callback did not exchange its code, so there is no finished connect to replay (see connect/callback)"}
				}
				code2, err := s.mintConnectCode(cb)
				if err != nil {
					return err
				}
				replay := *cb
				q := replay.Query()
				q.Set("code", code2)
				replay.RawQuery = q.Encode()
				s.Open(b.Engine, "callback (state replayed)", replay.String(), browser.TopLevel, code2, nil)
				return nil
			},
		},
		{
			ID: "connect/callback-no-code", Flow: Connect, Title: "A callback with neither code nor error", Applies: appliesToConnect, Solo: true,
			Provokes: "a real start, then the callback with the start's state and no code",
			Run:      func(s *Session) error { return s.codelessCallback("callback (no code)", nil) },
		},
		{
			ID: "connect/callback-error", Flow: Connect, Title: "HubSpot reports an error on the callback", Applies: appliesToConnect, Solo: true,
			Provokes: "a real start, then the callback with error=access_denied&error_description=… and the start's state, no code",
			Run: func(s *Session) error {
				return s.codelessCallback("callback (error)", url.Values{
					"error": {"access_denied"}, "error_description": {"The user denied access."}})
			},
		},
	}
}

// authorizeURLProblem checks the authorization request by HubSpot's rules (HUBSPOT.md §1) and
// says what is wrong, in HubSpot's words where HubSpot has them, or "".
func authorizeURLProblem(u *url.URL, app emulator.App) string {
	if !authorizePath.MatchString(u.Path) {
		return fmt.Sprintf("the path %s is not /oauth/authorize or /oauth/{hubId}/authorize", u.Path)
	}
	q := u.Query()
	for k, vs := range q {
		if len(vs) > 1 {
			return fmt.Sprintf("%s is given %d times; HubSpot refuses repeated parameters (RFC 6749 §3.1)", k, len(vs))
		}
	}
	if id := q.Get("client_id"); id != app.ClientID {
		return fmt.Sprintf("client_id is %q, not the app's %q", id, app.ClientID)
	}
	if p := redirectURIProblem(q.Get("redirect_uri"), app.RedirectURLs); p != "" {
		return p
	}
	in := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	scope, optional := strings.Fields(q.Get("scope")), strings.Fields(q.Get("optional_scope"))
	for _, r := range app.RequiredScopes {
		if !in(scope, r) {
			return fmt.Sprintf("the required scope %s is not in scope (%q): HubSpot shows %q", r, q.Get("scope"), emulator.TextScopesInsufficient)
		}
	}
	for _, sc := range scope {
		switch {
		case in(app.RequiredScopes, sc), in(app.ConditionallyRequiredScopes, sc):
		case in(app.OptionalScopes, sc):
			return fmt.Sprintf("the optional scope %s is in scope, not in optional_scope: HubSpot shows %q", sc, emulator.TextScopesMismatch)
		default:
			return fmt.Sprintf("the scope %s is not configured on the app: HubSpot shows %q", sc, emulator.TextScopesMismatch)
		}
	}
	for _, sc := range optional {
		switch {
		case in(app.OptionalScopes, sc):
		case in(app.RequiredScopes, sc):
			return fmt.Sprintf("the required scope %s is in optional_scope: HubSpot shows %q", sc, emulator.TextScopesInsufficient)
		default:
			return fmt.Sprintf("optional_scope names %s, which is not an optional scope of the app: HubSpot shows %q", sc, emulator.TextScopesMismatch)
		}
	}
	return ""
}

// redirectURIProblem checks a redirect_uri: present, one of the app's redirect URLs, https
// unless on localhost, and a domain rather than an IP address (HUBSPOT.md §1).
func redirectURIProblem(raw string, registered []string) string {
	if raw == "" {
		return "redirect_uri is missing"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("redirect_uri %q is not an absolute URL", raw)
	}
	host := u.Hostname()
	switch {
	case net.ParseIP(host) != nil:
		return fmt.Sprintf("redirect_uri %q names an IP address; HubSpot: \"You also must use a domain, as IP addresses are not supported\"", raw)
	case u.Scheme != "https" && !(u.Scheme == "http" && strings.EqualFold(host, "localhost")):
		return fmt.Sprintf("redirect_uri %q is not https (http is allowed only for localhost)", raw)
	}
	for _, r := range registered {
		if r == raw {
			return ""
		}
	}
	return fmt.Sprintf("redirect_uri %q is not one of the app's redirect URLs %v (they must match exactly)", raw, registered)
}

func connectChecks() []Check {
	return []Check{
		{
			ID: "connect/authorize-url", Level: Must, Flow: Connect, Scenario: "connect/install",
			Title:       "Sends the user to HubSpot's authorization page correctly",
			Provokes:    "the connect URL",
			Requirement: "Redirect to https://app.hubspot.com/oauth/authorize (or /oauth/{hubId}/authorize) with the app's client_id, a registered redirect_uri (https unless localhost, a domain not an IP), every required scope in scope and optional scopes only in optional_scope.",
			Source:      srcWorkingOAuth + "; " + srcOAuthQuickstart + "; " + srcScopesKB,
			Fix:         "Build the URL with HubSpot's SDK (getAuthorizationUrl) or a URL API: client_id, redirect_uri exactly as registered, scope = the required scopes separated by spaces, optional_scope = the optional ones, and state.",
			Judge: func(o *Observation) Outcome {
				st := o.Step("start")
				if st == nil {
					return o.missing("start")
				}
				h, ok := authorizeHop(st)
				if !ok {
					got := "the connect URL never sent the browser to HubSpot's /oauth/authorize"
					if p := st.Page; p != nil {
						got += fmt.Sprintf("; it ended at %s (HTTP %d)", p.URL, p.Status)
					}
					if st.Err != nil {
						got += ": " + st.Err.Error()
					}
					return fail("a redirect to https://app.hubspot.com/oauth/authorize", got)
				}
				if p := authorizeURLProblem(h.URL, o.Target.App); p != "" {
					return fail("an authorization URL HubSpot accepts", p, h.Seq)
				}
				return pass("sent to " + h.URL.Path + " with the app's client_id, a registered redirect_uri and the right scopes")
			},
		},
		{
			ID: "connect/state", Level: Must, Flow: Connect, Scenario: "connect/state",
			Title:       "A fresh, unguessable state on every connect",
			Provokes:    "several starts, comparing the state sent to HubSpot",
			Requirement: "Send a state that binds the callback to this browser: present, at least 128 bits from a CSPRNG, never repeated (it is the callback's CSRF protection).",
			Source:      srcWorkingOAuth + "; " + srcRFC9700State,
			Fix:         "Generate state from a CSPRNG (32 bytes, base64url), store it with the user's session, and send it on the authorization URL.",
			Judge: func(o *Observation) Outcome {
				starts := o.StepsNamed("start #")
				if len(starts) == 0 {
					return o.missing("start")
				}
				for _, st := range starts {
					if _, ok := authorizeHop(st); !ok {
						return skip("the connect URL never reached HubSpot's /oauth/authorize (see connect/authorize-url)")
					}
					if st.State == "" {
						return fail("a state on the authorization URL", st.Name+": the authorization URL carries no state")
					}
				}
				seen := map[string]bool{}
				for _, s := range o.States {
					if seen[s] {
						return fail("a new state for every connect", fmt.Sprintf("the state %q was sent twice", excerpt(s, 40)))
					}
					seen[s] = true
				}
				if bits := stateBits(o.States); bits < 128 {
					return fail("at least 128 bits of randomness", fmt.Sprintf("about %.0f bits (estimated from %d states, e.g. %q)", bits, len(o.States), excerpt(o.States[0], 40)))
				}
				return pass(fmt.Sprintf("%d distinct states, about %.0f bits each (estimated)", len(o.States), stateBits(o.States)))
			},
		},
		{
			ID: "connect/callback", Level: Must, Flow: Connect, Scenario: "connect/install",
			Title:       "The callback exchanges the code and shows a page",
			Provokes:    "access granted on HubSpot's consent page; the callback with code and state",
			Requirement: "Exchange the code on HubSpot's token endpoint with the same redirect_uri as the authorization request (\"must exactly match the redirect_uri used when initiating the OAuth 2.0 connection\"), then show the user a page: no 5xx.",
			Source:      srcWorkingOAuth + "; " + srcRFC6749Redirect,
			Fix:         "POST grant_type=authorization_code, client_id, client_secret, redirect_uri (byte for byte the one in the authorization URL) and code to /oauth/v3/token; then render a success page or redirect into your app.",
			Judge: func(o *Observation) Outcome {
				st := o.Step("callback")
				if st == nil {
					return o.missing("callback")
				}
				var sent string
				if h, ok := authorizeHop(o.Step("start")); ok {
					sent = h.URL.Query().Get("redirect_uri")
				}
				exs := codeExchanges(st.Exchanges)
				if len(exs) == 0 {
					return fail("a token request for the code", "the callback never exchanged the code")
				}
				e := exs[0]
				if e.RedirectURI != sent {
					return fail("the exchange's redirect_uri exactly the authorization request's", fmt.Sprintf("the exchange sent redirect_uri %q; the authorization request had %q", e.RedirectURI, sent))
				}
				if e.Outcome != "" {
					return fail("an exchange HubSpot accepts", fmt.Sprintf("HubSpot answered %d %s: %s", e.Status, e.Outcome, e.Message))
				}
				if h, ok := serverError(st); ok {
					return fail("a success page, no 5xx", fmt.Sprintf("HTTP %d at %s", h.Status, h.URL), h.Seq)
				}
				if st.Err != nil {
					return fail("a success page", "the browser could not finish: "+st.Err.Error())
				}
				if p := st.Page; p != nil && !p.Stopped && p.Status >= 400 {
					return fail("a success page", fmt.Sprintf("the callback ended on HTTP %d at %s (%q)", p.Status, p.URL, p.Title))
				}
				return pass("the code was exchanged on " + e.Path + " with the same redirect_uri, and the user saw a page")
			},
		},
		{
			ID: "connect/callback-bad-state", Level: Must, Flow: Connect, Scenario: "connect/callback-bad-state",
			Title:       "A callback with the wrong state is refused",
			Provokes:    "the callback with a state the app never sent",
			Requirement: "The client MUST implement CSRF protection for its redirection endpoint: a callback whose state does not match the one sent is refused, and its code is not exchanged.",
			Source:      "RFC 6749 §10.12 (https://www.rfc-editor.org/rfc/rfc6749#section-10.12); " + srcRFC9700State,
			Fix:         "Compare the callback's state with the one stored for this user before anything else; on a mismatch show an error and do not exchange the code.",
			Judge: func(o *Observation) Outcome {
				st := o.Step("callback (wrong state)")
				if st == nil {
					return o.missing("callback (wrong state)")
				}
				if exs := codeExchanges(st.Exchanges); len(exs) > 0 {
					return fail("no token exchange for a callback with the wrong state", fmt.Sprintf("the endpoint exchanged the code (%s)", outcomes(exs)))
				}
				return pass("the code of a callback with the wrong state was not exchanged")
			},
		},
		{
			ID: "connect/state-single-use", Level: Must, Flow: Connect, Scenario: "connect/state-replayed",
			Title:       "A state works once",
			Provokes:    "the callback again, after a finished connect, with the same state and a new code",
			Requirement: "The state value SHOULD be invalidated by the client after its first use at the redirection endpoint: a replayed callback must not connect another code.",
			Source:      srcRFC9700Replay,
			Fix:         "Delete (or mark used) the stored state when the callback accepts it, atomically with the lookup.",
			Judge: func(o *Observation) Outcome {
				st := o.Step("callback (state replayed)")
				if st == nil {
					return o.missing("callback (state replayed)")
				}
				if h, ok := serverError(st); ok {
					return fail("no 5xx for a replayed callback", fmt.Sprintf("HTTP %d at %s", h.Status, h.URL), h.Seq)
				}
				if exs := codeExchanges(st.Exchanges); len(exs) > 0 {
					return fail("no token exchange for a callback whose state was already used", fmt.Sprintf("the endpoint exchanged the new code (%s)", outcomes(exs)))
				}
				return pass("the state of a finished connect was not accepted again")
			},
		},
		{
			ID: "connect/callback-no-code", Level: Must, Flow: Connect, Scenario: "connect/callback-no-code",
			Title:       "A callback without code is handled",
			Provokes:    "the callback with a valid state and neither code nor error",
			Requirement: "A callback that carries no code cannot connect anything: a page saying so, no 5xx, no token request.",
			Source:      srcWorkingOAuth + "; RFC 6749 §4.1.2 (https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2)",
			Fix:         "Check that code is present before exchanging; without it, show an error page and offer to start again.",
			Judge: func(o *Observation) Outcome {
				return judgeCodelessCallback(o, "callback (no code)", "a callback without code")
			},
		},
		{
			ID: "connect/callback-error", Level: Must, Flow: Connect, Scenario: "connect/callback-error",
			Title:       "A callback with error= is handled",
			Provokes:    "the callback with error=access_denied&error_description=… and no code",
			Requirement: "HubSpot may send the user back with ?error=error_code&error_description=…: show a page saying so, with no 5xx and no token request.",
			Source:      srcWorkingOAuth + "; " + srcRFC6749Error,
			Fix:         "Look for the error parameter before reading code; when it is there, show what HubSpot said and offer to start again.",
			Judge: func(o *Observation) Outcome {
				return judgeCodelessCallback(o, "callback (error)", "error=access_denied")
			},
		},
	}
}

// judgeCodelessCallback judges a callback that carries no code (an error, or nothing): a page,
// no 5xx, no token request. Its scenario runs alone, so any token request is its orphan.
func judgeCodelessCallback(o *Observation, step, what string) Outcome {
	st := o.Step(step)
	if st == nil {
		return o.missing(step)
	}
	if h, ok := serverError(st); ok {
		return fail("no 5xx for "+what, fmt.Sprintf("HTTP %d at %s", h.Status, h.URL), h.Seq)
	}
	if exs := codeExchanges(st.Orphans); len(exs) > 0 {
		return fail("no token request for a callback without a code", fmt.Sprintf("%d token request(s) arrived (%s)", len(exs), outcomes(exs)))
	}
	if st.Err != nil {
		return fail("a page, not a hang or a loop", st.Err.Error())
	}
	return pass(what + " got a page, no 5xx and no token request")
}
