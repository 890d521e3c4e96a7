package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/html"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// This file holds the robust checks (CHECKS.md, "robust"): bad input sent to the install
// endpoint of every install flow. Every probe that could complete an install carries a code
// minted for it, so any exchange is attributed by its code and these scenarios need not run alone.

// Sources of the robust checks.
const (
	srcRFC9700OpenRedirect = "RFC 9700 §4.11.1 (https://www.rfc-editor.org/rfc/rfc9700#section-4.11.1)"
	srcOWASPXSS            = "OWASP Cross Site Scripting Prevention Cheat Sheet, output encoding (https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html); HTML Standard §13.1.2.6 attribute values"
)

// Sizes of the oversized-params probe (CHECKS.md): an 8 KiB returnUrl and a 4 KiB state.
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

// openRedirectProbes are CHECKS.md's robust/open-redirect returnUrls: another host, a look-alike
// host, a scheme-relative URL, HubSpot's host as user information, and a javascript: URL.
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
func (s *Session) robustBrowser() Engine {
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

// originKey is scheme://host:port, lower-cased, with the scheme's default port made explicit.
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

// robustProbe is one request of a robust scenario.
type robustProbe struct {
	name      string
	authorize bool // step=authorize in a new window (else framed, as finalize is)
	params    [][2]string
	code      string
	ret       *url.URL // the returnUrl it carries when that is a URL, for the report
	signIn    bool     // sign in when the endpoint shows its sign-in form
}

// open runs the probe in b: the request, then, for sign-in probes, the sign-in form as the
// target fills it.
func (s *Session) openProbe(b Engine, p robustProbe) *Step {
	bc := browser.FramedBy(emulator.WebOrigin)
	if p.authorize {
		bc = browser.OpenedBy(emulator.WebOrigin)
	}
	raw := s.installURL(p.params)
	if !p.signIn {
		return s.Open(b, p.name, raw, bc, p.code, p.ret)
	}
	st := s.begin(p.name, bc, raw)
	st.Return = p.ret
	defer s.end(st)
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
	return st
}

// mintProbeCode mints a code for a robust probe, so an exchange it provokes is attributed.
func (s *Session) mintProbeCode() (string, error) {
	code, err := s.MintCode(nil)
	if err != nil {
		return "", fmt.Errorf("mint a code for the probe: %w", err)
	}
	return code, nil
}

// finalizeParams are a finalize request's parameters with returnUrl ret and step: code, a
// state when the target serves the partner flow (a random one: these probes are about the
// other parameters), returnUrl, step. An empty step or ret leaves the parameter out.
func (s *Session) finalizeParams(code, ret, step string) [][2]string {
	p := [][2]string{{"code", code}}
	if s.target.hasFlow(Partner) {
		p = append(p, [2]string{"state", randomHex(32)})
	}
	if ret != "" {
		p = append(p, [2]string{"returnUrl", ret})
	}
	if step != "" {
		p = append(p, [2]string{"step", step})
	}
	return p
}

// runProbes mints a code for each finalize probe made by mk and runs them all, with the
// authorize probes when the target serves the partner flow.
func (s *Session) runProbes(finalize []func(code string) robustProbe, authorize []robustProbe) error {
	for _, mk := range finalize {
		code, err := s.mintProbeCode()
		if err != nil {
			return err
		}
		p := mk(code)
		p.code = code
		s.openProbe(s.robustBrowser(), p)
	}
	if s.target.hasFlow(Partner) {
		for _, p := range authorize {
			p.authorize = true
			s.openProbe(s.robustBrowser(), p)
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
func (s *Session) paddedReturnURL(n int) string {
	base := s.ReturnURL("finalize").String() + "&pad="
	if len(base) >= n {
		return base
	}
	return base + strings.Repeat("a", n-len(base))
}

// reflectedReturnURLs carry xssPayload: one on HubSpot's host (accepted by an allow-list, then
// perhaps echoed on a page) and one on another host (refused, then perhaps echoed on the error page).
func (s *Session) reflectedReturnURLs() [][2]string {
	return [][2]string{
		{"HubSpot returnUrl", s.ReturnURL("finalize").String() + "&x=" + xssPayload},
		{"foreign returnUrl", "https://evil.example/" + xssPayload},
	}
}

func robustScenarios() []Scenario {
	return []Scenario{
		{
			ID: "robust/unknown-step", Flow: Robust, Title: "An unknown step, and no step", Applies: appliesToInstallFlows,
			Provokes: "the install URL with a fresh code and returnUrl, once with step=bogus and once with no step",
			Run: func(s *Session) error {
				ret := s.ReturnURL("finalize")
				return s.runProbes([]func(string) robustProbe{
					func(code string) robustProbe {
						return robustProbe{name: "unknown step (step=bogus)", params: s.finalizeParams(code, ret.String(), "bogus"), ret: ret}
					},
					func(code string) robustProbe {
						return robustProbe{name: "unknown step (no step)", params: s.finalizeParams(code, ret.String(), ""), ret: ret}
					},
				}, nil)
			},
		},
		{
			ID: "robust/missing-return-url", Flow: Robust, Title: "No returnUrl", Applies: appliesToInstallFlows,
			Provokes: "step=finalize with a code but no returnUrl (and step=authorize without one, for the partner flow)",
			Run: func(s *Session) error {
				return s.runProbes([]func(string) robustProbe{
					func(code string) robustProbe {
						return robustProbe{name: "no returnUrl (finalize)", params: s.finalizeParams(code, "", "finalize")}
					},
				}, []robustProbe{{name: "no returnUrl (authorize)", params: [][2]string{{"step", "authorize"}}}})
			},
		},
		{
			ID: "robust/duplicate-params", Flow: Robust, Title: "Every parameter twice", Applies: appliesToInstallFlows,
			Provokes: "step=finalize (and step=authorize, for the partner flow) with each parameter given twice",
			Run: func(s *Session) error {
				ret := s.ReturnURL("finalize")
				return s.runProbes([]func(string) robustProbe{
					func(code string) robustProbe {
						var twice [][2]string
						for _, p := range s.finalizeParams(code, ret.String(), "finalize") {
							twice = append(twice, p, p)
						}
						return robustProbe{name: "duplicated parameters (finalize)", params: twice, ret: ret}
					},
				}, []robustProbe{{
					name: "duplicated parameters (authorize)",
					params: [][2]string{
						{"returnUrl", s.ReturnURL("authorize").String()}, {"returnUrl", s.ReturnURL("authorize").String()},
						{"step", "authorize"}, {"step", "authorize"},
					},
				}})
			},
		},
		{
			ID: "robust/oversized-params", Flow: Robust, Title: "Oversized returnUrl and state", Applies: appliesToInstallFlows,
			Provokes: fmt.Sprintf("a %d KiB returnUrl, and for the partner flow a %d KiB state", oversizedReturnURLBytes>>10, oversizedStateBytes>>10),
			Run: func(s *Session) error {
				long := s.paddedReturnURL(oversizedReturnURLBytes)
				ret := s.ReturnURL("finalize")
				fin := []func(string) robustProbe{
					func(code string) robustProbe {
						return robustProbe{name: "oversized returnUrl (finalize)", params: s.finalizeParams(code, long, "finalize"), ret: parsedOrNil(long)}
					},
				}
				if s.target.hasFlow(Partner) {
					// Only the partner flow reads state; a seamless endpoint rightly ignores it
					// and completes the install, which is the within-budget checks' business.
					fin = append(fin, func(code string) robustProbe {
						return robustProbe{name: "oversized state (finalize)", ret: ret, params: [][2]string{
							{"code", code}, {"state", randomHex(oversizedStateBytes / 2)}, {"returnUrl", ret.String()}, {"step", "finalize"},
						}}
					})
				}
				return s.runProbes(fin, []robustProbe{{
					name:   "oversized returnUrl (authorize)",
					params: [][2]string{{"returnUrl", s.paddedReturnURL(oversizedReturnURLBytes)}, {"step", "authorize"}},
				}})
			},
		},
		{
			ID: "robust/open-redirect", Flow: Robust, Title: "returnUrls that are not HubSpot's", Applies: appliesToInstallFlows,
			Provokes: "step=finalize (and step=authorize with the sign-in, for the partner flow) with a returnUrl on evil.example, app.hubspot.com.evil.example, //evil.example, https://app.hubspot.com@evil.example and javascript:; the browser stops before leaving the endpoint, so evil.example is never contacted",
			Run: func(s *Session) error {
				var fin []func(string) robustProbe
				var auth []robustProbe
				for _, p := range openRedirectProbes {
					fin = append(fin, func(code string) robustProbe {
						return robustProbe{name: "open redirect (finalize, " + p.label + ")", params: s.finalizeParams(code, p.value, "finalize")}
					})
					auth = append(auth, robustProbe{
						name:   "open redirect (authorize, " + p.label + ")",
						params: [][2]string{{"returnUrl", p.value}, {"step", "authorize"}},
						signIn: true,
					})
				}
				return s.runProbes(fin, auth)
			},
		},
		{
			ID: "robust/reflected-return-url", Flow: Robust, Title: "A returnUrl carrying markup", Applies: appliesToInstallFlows,
			Provokes: "step=finalize (and step=authorize, for the partner flow) with a returnUrl carrying " + xssPayload + ", on HubSpot's host and on another",
			Run: func(s *Session) error {
				var fin []func(string) robustProbe
				var auth []robustProbe
				for _, r := range s.reflectedReturnURLs() {
					fin = append(fin, func(code string) robustProbe {
						return robustProbe{name: "reflected (finalize, " + r[0] + ")", params: s.finalizeParams(code, r[1], "finalize"), ret: parsedOrNil(r[1])}
					})
					auth = append(auth, robustProbe{
						name:   "reflected (authorize, " + r[0] + ")",
						params: [][2]string{{"returnUrl", r[1]}, {"step", "authorize"}},
					})
				}
				return s.runProbes(fin, auth)
			},
		},
	}
}

// robustWant is what a robust judge asks of every probe besides "no 5xx".
type robustWant struct {
	noExchange   bool // no token request for the probe's code
	withinBudget bool // each hop within the hop budget
}

// judgeRobust is the robust checks' common judge: for every step named with prefix, no 5xx,
// no hang or loop, and what want adds.
func judgeRobust(o *Observation, prefix string, want robustWant) Outcome {
	steps := o.StepsNamed(prefix)
	if len(steps) == 0 {
		return o.missing(prefix)
	}
	for _, st := range steps {
		if h, ok := serverError(st); ok {
			return fail("no 5xx: bad input gets a 4xx page or a return to HubSpot", fmt.Sprintf("%s: the endpoint answered HTTP %d at %s", st.Name, h.Status, excerpt(h.URL.String(), 160)), h.Seq)
		}
		if st.Err != nil && (errors.Is(st.Err, browser.ErrHopTimeout) || errors.Is(st.Err, browser.ErrLoop) || errors.Is(st.Err, browser.ErrTooManyHops)) {
			return fail("an answer (an error page or a return to HubSpot), not a hang or a loop", st.Name+": "+st.Err.Error())
		}
		if want.noExchange {
			if exs := codeExchanges(st.Exchanges); len(exs) > 0 {
				return fail("no token exchange for a request that is not step=finalize", fmt.Sprintf("%s: the endpoint exchanged the code (%s)", st.Name, outcomes(exs)))
			}
		}
		if want.withinBudget {
			for _, h := range st.Hops {
				if !h.Stopped && h.Duration > o.Options.HopBudget {
					return fail(fmt.Sprintf("each answer within the hop budget (%s)", o.Options.HopBudget),
						fmt.Sprintf("%s: %s took %s", st.Name, excerpt(h.URL.String(), 120), h.Duration.Round(1e6)), h.Seq)
				}
			}
		}
	}
	return pass(fmt.Sprintf("%d probe(s): no 5xx, no hang", len(steps)))
}

// offSite reports whether a destination is where the open-redirect probes point: evil.example
// (or a host under it) or a script URL.
func offSite(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "javascript", "data", "vbscript":
		return true
	}
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	return h == "evil.example" || strings.HasSuffix(h, ".evil.example")
}

// destination is where a hop would send the user: a redirect, a refresh, or a link back.
type destination struct {
	how string
	url *url.URL
	seq int
}

// destinations lists where the hops of st send (or offer to send) the browser: Location and
// Refresh headers, meta refreshes, and the links of the pages shown. Each is resolved against
// the URL of the hop that names it, as the browser would.
func destinations(st *Step) []destination {
	var out []destination
	add := func(how, raw string, base *url.URL, seq int) {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			return
		}
		u, err := base.Parse(raw)
		if err != nil {
			// An unparsable script URL still runs when followed from a link.
			if l := strings.ToLower(raw); strings.HasPrefix(l, "javascript:") || strings.HasPrefix(l, "data:") {
				out = append(out, destination{how, &url.URL{Scheme: "javascript", Opaque: raw}, seq})
			}
			return
		}
		out = append(out, destination{how, u, seq})
	}
	for _, h := range st.Hops {
		if h.Stopped {
			out = append(out, destination{"the browser was about to load", h.URL, h.Seq})
			continue
		}
		if h.ResponseHeader == nil {
			continue
		}
		if loc := h.ResponseHeader.Get("Location"); loc != "" && h.Status >= 300 && h.Status < 400 {
			add(fmt.Sprintf("a %d redirect", h.Status), loc, h.URL, h.Seq)
		}
		if ref := h.ResponseHeader.Get("Refresh"); ref != "" {
			add("a Refresh header", refreshURL(ref), h.URL, h.Seq)
		}
		if len(h.Body) > 0 && isHTMLish(h.ResponseHeader.Get("Content-Type")) {
			for _, l := range pageLinks(h.Body) {
				add(l[0], l[1], h.URL, h.Seq)
			}
		}
	}
	return out
}

// refreshURL is the URL of a refresh value "5; url=…" (HTML Standard §4.2.5.3), or "".
func refreshURL(v string) string {
	_, rest, ok := strings.Cut(v, ";")
	if !ok {
		_, rest, ok = strings.Cut(v, ",")
	}
	if !ok {
		return ""
	}
	rest = strings.TrimSpace(rest)
	if len(rest) >= 4 && strings.EqualFold(rest[:4], "url=") {
		rest = rest[4:]
	}
	return strings.Trim(strings.TrimSpace(rest), `"'`)
}

func isHTMLish(ct string) bool {
	ct = strings.ToLower(ct)
	return ct == "" || strings.Contains(ct, "html") || strings.Contains(ct, "xml")
}

// pageLinks finds the meta refreshes and links of a page, as [how, raw URL] pairs.
func pageLinks(body []byte) [][2]string {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	var out [][2]string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "meta":
				if strings.EqualFold(nodeAttr(n, "http-equiv"), "refresh") {
					out = append(out, [2]string{"a meta refresh", refreshURL(nodeAttr(n, "content"))})
				}
			case "a":
				out = append(out, [2]string{"a link on the page", nodeAttr(n, "href")})
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func nodeAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// judgeOpenRedirect: no probe sends the browser, or offers to send it, off HubSpot.
func judgeOpenRedirect(o *Observation) Outcome {
	steps := o.StepsNamed("open redirect (")
	if len(steps) == 0 {
		return o.missing("open redirect")
	}
	for _, st := range steps {
		for _, d := range destinations(st) {
			if offSite(d.url) {
				return fail("never sent to a returnUrl that is not HubSpot's: \"Clients … MUST NOT expose URLs that forward the user's browser to arbitrary URIs obtained from a query parameter\"",
					fmt.Sprintf("%s: %s to %s", st.Name, d.how, excerpt(d.url.String(), 120)), d.seq)
			}
		}
	}
	return pass(fmt.Sprintf("%d probe(s): the browser was never sent off HubSpot", len(steps)))
}

// judgeReflected: no page shows the returnUrl's markup unescaped.
func judgeReflected(o *Observation) Outcome {
	steps := o.StepsNamed("reflected (")
	if len(steps) == 0 {
		return o.missing("reflected")
	}
	pages := 0
	for _, st := range steps {
		for _, h := range st.Hops {
			if h.Stopped || len(h.Body) == 0 || isHubSpotURL(h.URL) || !isHTMLish(h.ResponseHeader.Get("Content-Type")) {
				continue
			}
			pages++
			body := bytes.ToLower(h.Body)
			if i := bytes.Index(body, []byte(xssMarker)); i >= 0 {
				from := max(0, i-40)
				to := min(len(h.Body), i+len(xssMarker)+20)
				return fail("the returnUrl never echoed into HTML unescaped (escape it for where it lands)",
					fmt.Sprintf("%s: the page %s (HTTP %d) contains the script from the returnUrl: …%s…", st.Name, excerpt(h.URL.Path, 80), h.Status, excerpt(string(h.Body[from:to]), 100)), h.Seq)
			}
		}
	}
	return pass(fmt.Sprintf("%d probe(s), %d page(s): the markup never appeared unescaped", len(steps), pages))
}

func robustChecks() []Check {
	return []Check{
		{
			ID: "robust/unknown-step", Level: Must, Flow: Robust, Scenario: "robust/unknown-step",
			Title:       "An unknown step is refused",
			Provokes:    "step=bogus, and no step, with a fresh code",
			Requirement: "HubSpot sends step=authorize (partner sign-in) and step=finalize; any other step, or none, is bad input: no error page from the server, and no token exchange.",
			Source:      srcInstallFlow,
			Fix:         "Switch on step explicitly; for any other value answer a 400 page (or redirect to a checked returnUrl) without exchanging the code.",
			Judge:       func(o *Observation) Outcome { return judgeRobust(o, "unknown step", robustWant{noExchange: true}) },
		},
		{
			ID: "robust/missing-return-url", Level: Must, Flow: Robust, Scenario: "robust/missing-return-url",
			Title:       "A request without returnUrl gets an answer",
			Provokes:    "no returnUrl",
			Requirement: "Without a returnUrl the endpoint cannot send the user back; it answers with an error page, never a 5xx and never a hang.",
			Source:      srcInstallFlow,
			Fix:         "Check returnUrl before using it; when it is missing, answer a 400 page that says so.",
			Judge:       func(o *Observation) Outcome { return judgeRobust(o, "no returnUrl", robustWant{}) },
		},
		{
			ID: "robust/duplicate-params", Level: Must, Flow: Robust, Scenario: "robust/duplicate-params",
			Title:       "Repeated parameters do not crash",
			Provokes:    "each parameter twice",
			Requirement: "A parameter given twice is bad input, not a server error: no 5xx.",
			Source:      srcInstallFlow + "; RFC 6749 §3.1 (parameters must not be included more than once)",
			Fix:         "Read parameters with a function that handles repeats (take one when the values agree, answer 400 when they differ), never by indexing an array that may hold two.",
			Judge:       func(o *Observation) Outcome { return judgeRobust(o, "duplicated parameters", robustWant{}) },
		},
		{
			ID: "robust/oversized-params", Level: Must, Flow: Robust, Scenario: "robust/oversized-params",
			Title:       "Oversized parameters are answered promptly",
			Provokes:    "an 8 KiB returnUrl and a 4 KiB state",
			Requirement: "Long parameters are bad input: no 5xx, and an answer within the hop budget.",
			Source:      srcInstallFlow + "; hsemu hop budget (DESIGN.md)",
			Fix:         "Bound the length of returnUrl and state before storing or parsing them (a column too short is a 500); refuse longer ones with a 400 page.",
			Judge: func(o *Observation) Outcome {
				return judgeRobust(o, "oversized", robustWant{withinBudget: true})
			},
		},
		{
			ID: "robust/open-redirect", Level: Should, Flow: Robust, Scenario: "robust/open-redirect",
			Title:       "No open redirect through returnUrl",
			Provokes:    "returnUrls on evil.example, app.hubspot.com.evil.example, //evil.example, https://app.hubspot.com@evil.example and javascript:",
			Requirement: "Clients MUST NOT expose URLs that forward the user's browser to arbitrary URIs obtained from a query parameter (open redirectors); redirect only to allowed targets.",
			Source:      srcRFC9700OpenRedirect,
			Fix:         "Parse returnUrl with a URL parser and redirect only when its scheme is https, it has no user information and its host is exactly app.hubspot.com or app-<hublet>.hubspot.com; otherwise answer a 400 page without a link to it.",
			Judge:       judgeOpenRedirect,
		},
		{
			ID: "robust/reflected-return-url", Level: Must, Flow: Robust, Scenario: "robust/reflected-return-url",
			Title:       "returnUrl is never echoed unescaped",
			Provokes:    "a returnUrl carrying " + xssPayload,
			Requirement: "Untrusted input echoed into a page is encoded for where it lands; a returnUrl carrying markup must not become markup.",
			Source:      srcOWASPXSS,
			Fix:         "Render pages with a template engine that escapes by context (Go html/template, React, Jinja autoescape); never concatenate returnUrl into HTML.",
			Judge:       judgeReflected,
		},
	}
}
