package scenarios

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// Scenario is one scripted install that provokes one behaviour. Its run fills an Observation,
// from which each of its checks is judged.
type Scenario struct {
	ID       string
	Flow     Flow
	Title    string
	Provokes string
	// Solo scenarios run alone, after the others: they attribute token requests that carry no
	// code (or an unknown one), which only works when nothing else is installing.
	Solo bool
	// Applies reports whether the scenario runs against a target; nil means when the target
	// serves Flow.
	Applies func(t Target, o Options) bool `json:"-"`
	Run     func(s *Session) error         `json:"-"`
}

// applies reports whether sc runs against t.
func (sc Scenario) applies(t Target, o Options) bool {
	if sc.Applies != nil {
		return sc.Applies(t, o)
	}
	return t.hasFlow(sc.Flow)
}

// Observation is what a scenario saw: the steps it took, every hop, every token request it
// caused. Checks are judged from it.
type Observation struct {
	Target   Target
	Scenario string
	Options  Options
	Steps    []*Step
	Hops     []HopRecord
	// Secrets that must never appear where the browser can see them: the client secret and
	// every token issued during the scenario.
	Secrets []string
	// States collects the states the endpoint returned (partner flow).
	States []string
	// Halt says why the scenario stopped before its last step, if it did.
	Halt string
	// Started and Duration of the whole scenario.
	Started  time.Time
	Duration time.Duration
}

// Step returns the first step with that name, or nil.
func (o *Observation) Step(name string) *Step {
	for _, s := range o.Steps {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// missing is the verdict of a check whose step never ran: skipped, saying why.
func (o *Observation) missing(step string) Outcome {
	if o.Halt != "" {
		return skip("the " + step + " step never ran: " + o.Halt)
	}
	return skip("the " + step + " step never ran")
}

// StepsNamed returns the steps whose name starts with prefix.
func (o *Observation) StepsNamed(prefix string) []*Step {
	var out []*Step
	for _, s := range o.Steps {
		if strings.HasPrefix(s.Name, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// Step is one user-visible part of an install: opening a URL in some browsing context and
// following it to its end.
type Step struct {
	Name    string
	Context browser.Context
	URL     string   // what was opened
	Code    string   // the authorization code it carried, if any
	Return  *url.URL // the returnUrl it carried, if any
	Page    *browser.Page
	Err     error
	Hops    []HopRecord
	// Exchanges are the token requests for Code seen by the end of the observe window.
	Exchanges []emulator.Event
	// Orphans are token requests with no known code seen during the step (solo scenarios only).
	Orphans []emulator.Event
	// State and Scope returned to HubSpot at the end of a sign-in.
	State, Scope string
	// CredentialHop is the Seq of the hop that answered the sign-in form's POST, if any.
	CredentialHop int
	// Note explains how the step ended when it ended early.
	Note     string
	Started  time.Time
	Duration time.Duration
}

// Session runs one scenario against one target: its own portal, codes and browsers.
type Session struct {
	ctx    context.Context
	h      *Harness
	disp   *dispatcher
	opts   Options
	target Target
	sc     Scenario
	sink   func(Event)
	portal emulator.Portal
	obs    *Observation

	mu      sync.Mutex
	current *Step
	seq     int
}

func newSession(ctx context.Context, h *Harness, d *dispatcher, opts Options, t Target, sc Scenario, sink func(Event)) *Session {
	return &Session{
		ctx: ctx, h: h, disp: d, opts: opts, target: t, sc: sc, sink: sink,
		obs: &Observation{Target: t, Scenario: sc.ID, Options: opts, Secrets: []string{t.App.ClientSecret}},
	}
}

func (s *Session) run() error {
	s.obs.Started = time.Now()
	defer func() { s.obs.Duration = time.Since(s.obs.Started) }()
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.InstallBudget+2*s.opts.HopTimeout+s.opts.SlowExchange)
	defer cancel()
	s.ctx = ctx
	p, err := s.h.Emulator.CreatePortal(emulator.Portal{})
	if err != nil {
		return fmt.Errorf("create a portal for the install: %w", err)
	}
	s.portal = p
	return s.sc.Run(s)
}

// Options returns the run's options.
func (s *Session) Options() Options { return s.opts }

// Target returns the target under test.
func (s *Session) Target() Target { return s.target }

// Observation returns what the session saw so far.
func (s *Session) Observation() *Observation { return s.obs }

// NewBrowser gives the scenario a fresh browser (empty cookie jar) that stops when it is about
// to leave for HubSpot, so arriving at a returnUrl is seen without fetching it.
func (s *Session) NewBrowser(policy browser.CookiePolicy) Engine {
	b := s.newEngine(browser.Options{
		ThirdPartyCookies: policy,
		StopAt:            func(u *url.URL) bool { return browser.IsHubSpotHost(u.Hostname()) },
	})
	return b
}

func (s *Session) recordHop(h browser.Hop) {
	s.mu.Lock()
	s.seq++
	h.Seq = s.seq
	step := ""
	rec := HopRecord{Scenario: s.sc.ID, Hop: h}
	if s.current != nil {
		step = s.current.Name
		rec.Step = step
		s.current.Hops = append(s.current.Hops, rec)
	}
	s.obs.Hops = append(s.obs.Hops, rec)
	s.mu.Unlock()
	if s.sink != nil {
		s.sink(HopDone{Target: s.target.label(), Hop: rec})
	}
}

func (s *Session) begin(name string, bc browser.Context, rawURL string) *Step {
	st := &Step{Name: name, Context: bc, URL: rawURL, Started: time.Now()}
	s.mu.Lock()
	s.current = st
	s.obs.Steps = append(s.obs.Steps, st)
	s.mu.Unlock()
	return st
}

func (s *Session) end(st *Step) {
	st.Duration = time.Since(st.Started)
	s.mu.Lock()
	if s.current == st {
		s.current = nil
	}
	s.mu.Unlock()
}

// HTTPClient is a plain client for requests that are not the browser's (webhook deliveries,
// TLS probes): no redirects followed, the hop timeout as its deadline.
func (s *Session) HTTPClient() *http.Client {
	return &http.Client{
		Timeout:       s.opts.HopTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Context is the scenario's context: it ends at the install deadline or when the run is cancelled.
func (s *Session) Context() context.Context { return s.ctx }

// Portal is the portal the scenario installs into.
func (s *Session) Portal() emulator.Portal { return s.portal }

// Emulator is HubSpot's side of the scenario.
func (s *Session) Emulator() *emulator.Emulator { return s.h.Emulator }

// Step records a step that is not a browser navigation (a webhook delivery, a TLS probe): call
// the returned function when it is done.
func (s *Session) Step(name string) (*Step, func()) {
	st := s.begin(name, browser.TopLevel, "")
	return st, func() { s.end(st) }
}

// ReturnURL mints a returnUrl the way HubSpot's marketplace would: on app.hubspot.com, with
// its own query parameters (which an endpoint must keep). HubSpot's real format is
// UNCONFIRMED (HUBSPOT.md §8); this one is plausible and, on purpose, already has a query.
func (s *Session) ReturnURL(stage string) *url.URL {
	u := &url.URL{
		Scheme: "https",
		Host:   "app.hubspot.com",
		Path:   fmt.Sprintf("/ecosystem/%d/marketplace/apps/%d/install/return", s.portal.HubID, s.target.App.ID),
	}
	q := url.Values{}
	q.Set("installId", randomHex(8))
	q.Set("stage", stage)
	u.RawQuery = q.Encode()
	return u
}

// MintCode is the user clicking "Connect app" in HubSpot's dialog: the emulator mints a code for
// this portal, bound to the install URL, with the app's required scopes plus the conditionally
// required ones the partner returned.
func (s *Session) MintCode(conditional []string) (string, error) {
	app := s.target.App
	scopes := append(append([]string(nil), app.RequiredScopes...), conditional...)
	code, err := s.h.Emulator.IssueCode(emulator.CodeRequest{
		ClientID:       app.ClientID,
		HubID:          s.portal.HubID,
		RedirectURI:    s.target.InstallURL,
		Scopes:         scopes,
		OptionalScopes: app.OptionalScopes,
	})
	if err != nil {
		return "", err
	}
	s.disp.expect(code, s.target.label(), s.sc.ID)
	return code, nil
}

// Fault makes the emulator's token endpoint misbehave for one code.
func (s *Session) Fault(f emulator.Fault) { s.h.Emulator.SetFault(f) }

// installURL builds the install URL with HubSpot's parameters in the order of HubSpot's own
// examples (seeds/000): code, state, returnUrl, step. A value of "\x00" drops the parameter.
func (s *Session) installURL(params [][2]string) string {
	var b strings.Builder
	b.WriteString(s.target.InstallURL)
	sep := "?"
	for _, p := range params {
		b.WriteString(sep)
		b.WriteString(url.QueryEscape(p[0]))
		b.WriteString("=")
		b.WriteString(url.QueryEscape(p[1]))
		sep = "&"
	}
	return b.String()
}

// Finalize opens the install URL with step=finalize inside HubSpot's frame, follows it to its
// end, then collects the token requests for code within the observe window.
func (s *Session) Finalize(b Engine, name, code, state string, withState bool, ret *url.URL) *Step {
	var params [][2]string
	if code != "" {
		params = append(params, [2]string{"code", code})
	}
	if withState {
		params = append(params, [2]string{"state", state})
	}
	params = append(params, [2]string{"returnUrl", ret.String()}, [2]string{"step", "finalize"})
	return s.Open(b, name, s.installURL(params), browser.FramedBy(emulator.WebOrigin), code, ret)
}

// Open navigates b to rawURL in context bc as step name and waits the observe window for token
// requests for code (or, in solo scenarios, for token requests that carry no known code).
func (s *Session) Open(b Engine, name, rawURL string, bc browser.Context, code string, ret *url.URL) *Step {
	st := s.begin(name, bc, rawURL)
	st.Code, st.Return = code, ret
	mark := s.disp.orphanMark()
	st.Page, st.Err = b.Navigate(s.ctx, rawURL, bc)
	s.end(st)
	s.collect(st, mark)
	return st
}

func (s *Session) collect(st *Step, mark int) {
	if st.Code != "" {
		st.Exchanges = s.disp.exchanges(s.ctx, st.Code, s.opts.ObserveWindow)
		s.obs.Secrets = append(s.obs.Secrets, s.h.Emulator.TokensIssuedFor(st.Code)...)
	}
	if s.sc.Solo {
		st.Orphans = s.disp.orphansSince(s.ctx, mark, s.opts.ObserveWindow)
	}
}

// SeamlessInstall is HubSpot's install without partner sign-in: mint a code, send the browser
// framed to {install URL}?code=…&returnUrl=…&step=finalize.
func (s *Session) SeamlessInstall(b Engine, name string, fault *emulator.Fault) (*Step, error) {
	code, err := s.MintCode(nil)
	if err != nil {
		return nil, fmt.Errorf("mint a code for the install: %w", err)
	}
	if fault != nil {
		f := *fault
		f.Code = code
		s.Fault(f)
	}
	return s.Finalize(b, name, code, "", false, s.ReturnURL("finalize")), nil
}

// SignIn runs step=authorize in a new top-level window and signs in the way the target says,
// until the browser is about to return to HubSpot. It returns the step; st.State and st.Scope
// hold what came back. A sign-in that never returns ends with st.Note saying where it got stuck.
func (s *Session) SignIn(b Engine, name string) *Step {
	ret := s.ReturnURL("authorize")
	start := s.installURL([][2]string{{"returnUrl", ret.String()}, {"step", "authorize"}})
	// HubSpot opens step=authorize in a new window from its own page (seeds/000, step 5).
	bc := browser.OpenedBy(emulator.WebOrigin)
	st := s.begin(name, bc, start)
	st.Return = ret
	defer s.end(st)
	page, err := b.Navigate(s.ctx, start, bc)
	st.Page, st.Err = page, err
	for submits := 0; err == nil && page != nil && !page.Stopped; submits++ {
		if submits >= 3 {
			st.Note = fmt.Sprintf("the sign-in did not return to HubSpot after %d form submissions; it is stuck at %s", submits, page.URL)
			return st
		}
		form, ok := loginForm(page, s.target.Login.Fields)
		if !ok {
			st.Note = stuckNote(page, s.target.Login.Fields)
			return st
		}
		before := len(st.Hops)
		page, err = b.Submit(s.ctx, page, form, s.target.Login.Fields)
		st.Page, st.Err = page, err
		if len(st.Hops) > before {
			st.CredentialHop = st.Hops[before].Seq
		}
	}
	if err != nil || page == nil {
		return st
	}
	q := page.URL.Query()
	st.State = q.Get("state")
	st.Scope = q.Get("scope")
	if st.State != "" {
		s.obs.States = append(s.obs.States, st.State)
	}
	return st
}

// loginForm finds the form that has every field the target signs in with.
func loginForm(p *browser.Page, fields map[string]string) (browser.Form, bool) {
	if len(fields) == 0 {
		return browser.Form{}, false
	}
	for _, f := range p.Forms {
		names := map[string]bool{}
		for _, fl := range f.Fields {
			names[fl.Name] = true
		}
		all := true
		for n := range fields {
			if !names[n] {
				all = false
			}
		}
		if all {
			return f, true
		}
	}
	return browser.Form{}, false
}

// stuckNote explains a sign-in that found no form to fill.
func stuckNote(p *browser.Page, fields map[string]string) string {
	var want []string
	for n := range fields {
		want = append(want, n)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the sign-in got stuck at %s (HTTP %d", p.URL, p.Status)
	if p.Title != "" {
		fmt.Fprintf(&b, ", %q", p.Title)
	}
	b.WriteString(")")
	if len(fields) == 0 {
		b.WriteString(": no --login fields were given to fill a sign-in form")
	} else {
		fmt.Fprintf(&b, ": no form on the page has the fields %s", strings.Join(sortedCopy(want), ", "))
	}
	if len(p.Forms) > 0 {
		b.WriteString("; forms found:")
		for _, f := range p.Forms {
			var names []string
			for _, fl := range f.Fields {
				if fl.Name != "" {
					names = append(names, fl.Name)
				}
			}
			fmt.Fprintf(&b, " [%s %s: %s]", f.Method, f.Action, strings.Join(names, ", "))
		}
	}
	if p.JSRedirect {
		b.WriteString("; the page redirects with JavaScript only, which hsemu's http engine does not run: redirect with HTTP 302/303 or a meta refresh")
	}
	if t := strings.TrimSpace(p.Text); t != "" {
		fmt.Fprintf(&b, "; the page says: %q", excerpt(t, 160))
	}
	return b.String()
}

// SignedIn runs a sign-in and ends the scenario as skipped when it did not return a state:
// the checks that need one cannot run (partner/authorize/* say why).
func (s *Session) SignedIn(b Engine, name string) (*Step, error) {
	st := s.SignIn(b, name)
	if st.State == "" {
		return st, &skipError{why: st.noState() + " (see partner/authorize/signs-in and partner/authorize/returns-state)"}
	}
	return st, nil
}

// noState explains a sign-in step that returned no state to HubSpot.
func (st *Step) noState() string {
	why := "the partner sign-in did not return a state to HubSpot"
	switch {
	case st.Note != "":
		why += ": " + st.Note
	case st.Err != nil:
		why += ": " + st.Err.Error()
	}
	return why
}

// Connect is the user clicking "Connect app" after signing in: HubSpot checks the returned
// scopes and mints the code. A scope HubSpot refuses ends the scenario as skipped (the
// conditional-scopes check reports it).
func (s *Session) Connect(signIn *Step) (string, error) {
	code, err := s.MintCode(strings.Fields(signIn.Scope))
	if err != nil {
		var se *emulator.ScopeError
		if errors.As(err, &se) {
			return "", &skipError{why: "HubSpot refused the install: " + se.Text + " (see partner/authorize/conditional-scopes)"}
		}
		return "", fmt.Errorf("mint a code after sign-in: %w", err)
	}
	return code, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
