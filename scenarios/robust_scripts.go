package scenarios

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// The robust scenarios send bad input to the install endpoint of every install flow. Every
// probe that could complete an install carries a code minted for it, so any exchange is
// attributed by its code and these scenarios need not run alone.
const (
	scenarioRobustUnknownStep        ScenarioID = "robust/unknown-step"
	scenarioRobustMissingReturnURL   ScenarioID = "robust/missing-return-url"
	scenarioRobustDuplicateParams    ScenarioID = "robust/duplicate-params"
	scenarioRobustOversizedParams    ScenarioID = "robust/oversized-params"
	scenarioRobustOpenRedirect       ScenarioID = "robust/open-redirect"
	scenarioRobustReflectedReturnURL ScenarioID = "robust/reflected-return-url"
)

// The robust probes' steps begin with these, which their judges select them by:
// "unknown step (no step)", "oversized state (finalize)", "open redirect (authorize, //evil.example)".
const (
	stepProbeUnknownStep  StepName = "unknown step"
	stepProbeNoReturnURL  StepName = "no returnUrl"
	stepProbeDuplicated   StepName = "duplicated parameters"
	stepProbeOversized    StepName = "oversized"
	stepProbeOpenRedirect StepName = "open redirect"
	stepProbeReflected    StepName = "reflected"
)

// Sizes of the oversized-params probe (docs/checks.md): an 8 KiB returnUrl and a 4 KiB state.
const (
	oversizedReturnURLBytes = 8 << 10
	oversizedStateBytes     = 4 << 10
)

// xssMarker is the script the reflected-return-url probe smuggles into a returnUrl; finding it
// unescaped in a page means the page would run it.
const (
	xssPayload = `"><script>hsemu_xss()</script>`
	xssMarker  = `<script>hsemu_xss`
)

// openRedirectProbe is a returnUrl that is not HubSpot's, dressed up to pass naive checks.
type openRedirectProbe struct {
	label, value string
}

// openRedirectProbes are robust/open-redirect's returnUrls (docs/checks.md): another host, a
// look-alike host, a scheme-relative URL, HubSpot's host as user information, and a javascript:
// URL.
var openRedirectProbes = []openRedirectProbe{
	{"evil.example", "https://evil.example/ecosystem/return?installId=1"},
	{"app.hubspot.com.evil.example", "https://app.hubspot.com.evil.example/ecosystem/return"},
	{"//evil.example", "//evil.example/ecosystem/return"},
	{"app.hubspot.com@evil.example", "https://app.hubspot.com@evil.example/ecosystem/return"},
	{"javascript:", "javascript:alert(document.domain)//https://app.hubspot.com/"},
}

// appliesToInstallFlows runs the robust scenarios against every target with an install flow.
func appliesToInstallFlows(t Target, _ Options) bool {
	return t.hasFlow(Seamless) || t.hasFlow(Partner)
}

// robustBrowser is a browser that never leaves the endpoint's own origin: it stops before any
// other host (HubSpot's, or evil.example in the open-redirect probes), recording where it was
// about to go, so nothing beyond the endpoint and loopback is ever contacted.
func robustBrowser(s *Session) Engine {
	own := ""
	if u, err := url.Parse(s.target.InstallURL); err == nil {
		own = originKey(u)
	}
	b := s.newEngine(browser.Options{
		ThirdPartyCookies: s.opts.ThirdPartyCookies,
		StopAt:            func(u *url.URL) bool { return originKey(u) != own },
	})
	return b
}

// robustProbe is one request of a robust scenario.
type robustProbe struct {
	name      StepName
	authorize bool // step=authorize in a new window (else framed, as finalize is)
	params    [][2]string
	code      string
	ret       *url.URL // the returnUrl it carries when that is a URL, for the report
	signIn    bool     // sign in when the endpoint shows its sign-in form
}

// openProbe runs the probe in b: the request, then, for sign-in probes, the sign-in form as the
// target fills it.
func openProbe(s *Session, b Engine, p robustProbe) {
	bc := browser.FramedBy(emulator.WebOrigin)
	if p.authorize {
		bc = browser.OpenedBy(emulator.WebOrigin)
	}
	raw := s.installURL(p.params)
	if !p.signIn {
		s.Open(b, p.name, raw, bc, p.code, p.ret)
		return
	}
	st, done := s.Step(p.name, bc, raw)
	st.Return = p.ret
	defer done()
	page, err := b.Navigate(s.ctx, raw, bc)
	st.Page, st.Err = page, err
	for submits := 0; err == nil && page != nil && !page.Stopped && submits < 3; submits++ {
		form, ok := loginForm(page, s.target.Login.Fields)
		if !ok {
			break
		}
		page, err = b.Submit(s.ctx, page, form, s.target.Login.Fields)
		st.Page, st.Err = page, err
	}
}

// mintProbeCode mints a code for a robust probe, so an exchange it provokes is attributed.
func mintProbeCode(s *Session) (string, error) {
	code, err := s.MintCode(nil)
	if err != nil {
		return "", fmt.Errorf("mint a code for the probe: %w", err)
	}
	return code, nil
}

// finalizeParams are a finalize request's parameters with returnUrl ret and step: code, a
// state when the target serves the partner flow (a random one: these probes are about the
// other parameters), returnUrl, step. An empty step or ret leaves the parameter out.
func finalizeParams(s *Session, code, ret, step string) [][2]string {
	p := [][2]string{{"code", code}}
	if s.target.hasFlow(Partner) {
		p = append(p, [2]string{"state", randomHex(32)})
	}
	if ret != "" {
		p = append(p, [2]string{paramReturnURL, ret})
	}
	if step != "" {
		p = append(p, [2]string{"step", step})
	}
	return p
}

// runProbes mints a code for each finalize probe made by mk and runs them all, with the
// authorize probes when the target serves the partner flow.
func runProbes(s *Session, finalize []func(code string) robustProbe, authorize []robustProbe) error {
	for _, mk := range finalize {
		code, err := mintProbeCode(s)
		if err != nil {
			return err
		}
		p := mk(code)
		p.code = code
		b := robustBrowser(s)
		openProbe(s, b, p)
		s.Done(b)
	}
	if s.target.hasFlow(Partner) {
		for _, p := range authorize {
			p.authorize = true
			b := robustBrowser(s)
			openProbe(s, b, p)
			s.Done(b)
		}
	}
	return nil
}

func parsedOrNil(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil
	}
	return u
}

// paddedReturnURL is a HubSpot returnUrl grown to n bytes by a padding query parameter.
func paddedReturnURL(s *Session, n int) string {
	base := s.ReturnURL(hubspot.StepFinalize).String() + "&pad="
	if len(base) >= n {
		return base
	}
	return base + strings.Repeat("a", n-len(base))
}

// reflectedReturnURLs carry xssPayload: one on HubSpot's host (accepted by an allow-list, then
// perhaps echoed on a page) and one on another host (refused, then perhaps echoed on the error page).
func reflectedReturnURLs(s *Session) [][2]string {
	return [][2]string{
		{"HubSpot returnUrl", s.ReturnURL(hubspot.StepFinalize).String() + "&x=" + xssPayload},
		{"foreign returnUrl", "https://evil.example/" + xssPayload},
	}
}

func robustScenarios() []Scenario {
	return []Scenario{
		{
			ID: scenarioRobustUnknownStep, Group: GroupRobust, Applies: appliesToInstallFlows, CrashProne: true,
			Title:    "An unknown step, and no step",
			Provokes: "the install URL with a fresh code and returnUrl, once with step=bogus and once with no step",
			Run: func(s *Session) error {
				ret := s.ReturnURL(hubspot.StepFinalize)
				return runProbes(s, []func(string) robustProbe{
					func(code string) robustProbe {
						return robustProbe{name: stepProbeUnknownStep + " (step=bogus)", params: finalizeParams(s, code, ret.String(), "bogus"), ret: ret}
					},
					func(code string) robustProbe {
						return robustProbe{name: stepProbeUnknownStep + " (no step)", params: finalizeParams(s, code, ret.String(), ""), ret: ret}
					},
				}, nil)
			},
		},
		{
			ID: scenarioRobustMissingReturnURL, Group: GroupRobust, Applies: appliesToInstallFlows, CrashProne: true,
			Title:    "No returnUrl",
			Provokes: "step=finalize with a code but no returnUrl (and step=authorize without one, for the partner flow)",
			Run: func(s *Session) error {
				return runProbes(s, []func(string) robustProbe{
					func(code string) robustProbe {
						return robustProbe{name: stepProbeNoReturnURL + " (finalize)", params: finalizeParams(s, code, "", hubspot.StepFinalize)}
					},
				}, []robustProbe{{name: stepProbeNoReturnURL + " (authorize)", params: [][2]string{{"step", hubspot.StepAuthorize}}}})
			},
		},
		{
			ID: scenarioRobustDuplicateParams, Group: GroupRobust, Applies: appliesToInstallFlows, CrashProne: true,
			Title:    "Every parameter twice",
			Provokes: "step=finalize (and step=authorize, for the partner flow) with each parameter given twice",
			Run: func(s *Session) error {
				ret := s.ReturnURL(hubspot.StepFinalize)
				return runProbes(s, []func(string) robustProbe{
					func(code string) robustProbe {
						params := finalizeParams(s, code, ret.String(), hubspot.StepFinalize)
						twice := make([][2]string, 0, 2*len(params))
						for _, p := range params {
							twice = append(twice, p, p)
						}
						return robustProbe{name: stepProbeDuplicated + " (finalize)", params: twice, ret: ret}
					},
				}, []robustProbe{{
					name: stepProbeDuplicated + " (authorize)",
					params: [][2]string{
						{paramReturnURL, s.ReturnURL(hubspot.StepAuthorize).String()},
						{paramReturnURL, s.ReturnURL(hubspot.StepAuthorize).String()},
						{"step", hubspot.StepAuthorize},
						{"step", hubspot.StepAuthorize},
					},
				}})
			},
		},
		{
			ID: scenarioRobustOversizedParams, Group: GroupRobust, Applies: appliesToInstallFlows, CrashProne: true,
			Title:    "Oversized returnUrl and state",
			Provokes: fmt.Sprintf("a %d KiB returnUrl, and for the partner flow a %d KiB state", oversizedReturnURLBytes>>10, oversizedStateBytes>>10),
			Run: func(s *Session) error {
				long := paddedReturnURL(s, oversizedReturnURLBytes)
				ret := s.ReturnURL(hubspot.StepFinalize)
				fin := []func(string) robustProbe{
					func(code string) robustProbe {
						return robustProbe{name: stepProbeOversized + " returnUrl (finalize)", params: finalizeParams(s, code, long, hubspot.StepFinalize), ret: parsedOrNil(long)}
					},
				}
				if s.target.hasFlow(Partner) {
					// Only the partner flow reads state; a seamless endpoint rightly ignores it
					// and completes the install, which is the within-budget checks' business.
					fin = append(fin, func(code string) robustProbe {
						return robustProbe{name: stepProbeOversized + " state (finalize)", ret: ret, params: [][2]string{
							{"code", code}, {"state", randomHex(oversizedStateBytes / 2)}, {paramReturnURL, ret.String()}, {"step", hubspot.StepFinalize},
						}}
					})
				}
				return runProbes(s, fin, []robustProbe{{
					name:   stepProbeOversized + " returnUrl (authorize)",
					params: [][2]string{{paramReturnURL, paddedReturnURL(s, oversizedReturnURLBytes)}, {"step", hubspot.StepAuthorize}},
				}})
			},
		},
		{
			ID: scenarioRobustOpenRedirect, Group: GroupRobust, Applies: appliesToInstallFlows, CrashProne: true,
			Title:    "returnUrls that are not HubSpot's",
			Provokes: "step=finalize (and step=authorize with the sign-in, for the partner flow) with a returnUrl on evil.example, app.hubspot.com.evil.example, //evil.example, https://app.hubspot.com@evil.example and javascript:; the browser stops before leaving the endpoint, so evil.example is never contacted",
			Run: func(s *Session) error {
				fin := make([]func(string) robustProbe, 0, len(openRedirectProbes))
				auth := make([]robustProbe, 0, len(openRedirectProbes))
				for _, p := range openRedirectProbes {
					fin = append(fin, func(code string) robustProbe {
						return robustProbe{name: stepProbeOpenRedirect + " (finalize, " + StepName(p.label) + ")", params: finalizeParams(s, code, p.value, hubspot.StepFinalize)}
					})
					auth = append(auth, robustProbe{
						name:   stepProbeOpenRedirect + " (authorize, " + StepName(p.label) + ")",
						params: [][2]string{{paramReturnURL, p.value}, {"step", hubspot.StepAuthorize}},
						signIn: true,
					})
				}
				return runProbes(s, fin, auth)
			},
		},
		{
			ID: scenarioRobustReflectedReturnURL, Group: GroupRobust, Applies: appliesToInstallFlows, CrashProne: true,
			Title:    "A returnUrl carrying markup",
			Provokes: "step=finalize (and step=authorize, for the partner flow) with a returnUrl carrying " + xssPayload + ", on HubSpot's host and on another",
			Run: func(s *Session) error {
				returnURLs := reflectedReturnURLs(s)
				fin := make([]func(string) robustProbe, 0, len(returnURLs))
				auth := make([]robustProbe, 0, len(returnURLs))
				for _, r := range returnURLs {
					fin = append(fin, func(code string) robustProbe {
						return robustProbe{name: stepProbeReflected + " (finalize, " + StepName(r[0]) + ")", params: finalizeParams(s, code, r[1], hubspot.StepFinalize), ret: parsedOrNil(r[1])}
					})
					auth = append(auth, robustProbe{
						name:   stepProbeReflected + " (authorize, " + StepName(r[0]) + ")",
						params: [][2]string{{paramReturnURL, r[1]}, {"step", hubspot.StepAuthorize}},
					})
				}
				return runProbes(s, fin, auth)
			},
		},
	}
}
