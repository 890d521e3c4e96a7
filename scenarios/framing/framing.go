// Package framing decides whether a browser following the specifications would render a
// response inside a frame under a given chain of ancestor origins, and says why.
//
// HubSpot runs an app's install endpoint (step=finalize) inside an iframe under
// app.hubspot.com: "ensure that the endpoint handling the install flow can be framed by
// HubSpot in an embedded browser context"
// (https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow).
// An endpoint whose Content-Security-Policy frame-ancestors or X-Frame-Options forbids that
// leaves the user stuck.
//
// The evaluator implements the specifications, not one browser's quirks:
//   - CSP Level 3 (https://w3c.github.io/webappsec-csp/, draft of 2026-04-19): parsing §2.2.1
//     and §2.2.2, frame-ancestors §6.4.2 and its navigation response check §6.4.2.1, and URL
//     matching §6.7.2.7–§6.7.2.12;
//   - the HTML Standard's "check a navigation response's adherence to X-Frame-Options", which
//     defers to any enforced frame-ancestors (CSP3 §6.4.2.2).
package framing

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// HubSpotOrigins are the origins HubSpot frames install pages from, the default ancestors.
// HubSpot documents none of them as such: its install-flow page shows
// "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com" as an example,
// and the HubSpot CLI trusts the app, app-eu1, app-na2, app-na3 and app-ap1 hosts under
// hubspot.com (HUBSPOT.md §8). The exact list HubSpot uses is UNCONFIRMED; callers should let
// users configure it.
var HubSpotOrigins = []string{
	"https://app.hubspot.com",
	"https://app-eu1.hubspot.com",
	"https://app-na2.hubspot.com",
	"https://app-na3.hubspot.com",
	"https://app-ap1.hubspot.com",
}

// hubSpotExample is the policy HubSpot's install-flow page gives as its example.
const hubSpotExample = "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com"

// Blockers name what blocked a page in Verdict.Blocker.
const (
	BlockerCSP = "csp" // an enforced Content-Security-Policy frame-ancestors directive
	BlockerXFO = "xfo" // the X-Frame-Options header
)

// ErrInvalidInput is wrapped by Verdict.Err when the input itself is unusable.
var ErrInvalidInput = errors.New("invalid framing input")

// Input is one framed response and where it is framed.
type Input struct {
	URL    *url.URL    // the framed response's URL; its origin is 'self' and SAMEORIGIN's origin
	Header http.Header // all response headers: every CSP, CSP-Report-Only and X-Frame-Options value
	Body   []byte      // the HTML body, to notice <meta http-equiv> policies browsers ignore for framing
	// Ancestors are the ancestor origins from the direct parent up to the top, e.g.
	// ["https://app.hubspot.com"]. Each is an origin's serialization (scheme://host[:port]) or
	// "null" for an opaque origin. No ancestors means a top-level page, which is never blocked.
	Ancestors []string
}

// Verdict says whether the response would render in the frame, and why.
type Verdict struct {
	Allowed bool
	Blocker string // "", BlockerCSP or BlockerXFO
	// Header and Value are the header that decided and its exact field value.
	Header string
	Value  string
	// Directive is the deciding directive, e.g. "frame-ancestors 'self' https://app.hubspot.com";
	// for X-Frame-Options it is the deciding value as sent, e.g. "SAMEORIGIN".
	Directive string
	// Source is the source expression that matched the direct parent, when CSP allowed it.
	Source string
	// Ancestor is the ancestor origin that failed, when blocked.
	Ancestor string
	// Checked are the ancestor origins that were evaluated, serialised.
	Checked []string
	Reason  string   // one plain sentence: why allowed or blocked
	Notes   []string // warnings that did not decide the verdict but deserve a look
	Fix     string   // what to change, when blocked
	// Err is set when the input could not be evaluated; then Allowed is false and Reason
	// says what to fix in the input.
	Err error
}

// Evaluate decides whether a browser would render in.URL's response framed under
// in.Ancestors. Enforced Content-Security-Policy frame-ancestors directives decide first: every
// one must match every ancestor (CSP3 §4.2.5 and §6.4.2.1). When none exists,
// X-Frame-Options decides (HTML Standard). Report-only policies and <meta> policies never block
// framing; they produce notes.
func Evaluate(in Input) Verdict {
	if in.URL == nil {
		return invalid(fmt.Errorf("input URL is missing: set Input.URL to the framed response's URL: %w", ErrInvalidInput))
	}
	if isLocalScheme(asciiLower(in.URL.Scheme)) {
		return Verdict{Allowed: true, Reason: fmt.Sprintf("%s has a local scheme, and frame-ancestors always allows local-scheme responses (CSP3 §6.4.2.1 step 1).", in.URL.Scheme)}
	}
	self, err := originOf(in.URL)
	if err != nil {
		return invalid(fmt.Errorf("input URL: %w", err))
	}
	e := evaluation{self: self}
	for _, a := range in.Ancestors {
		o, err := parseAncestor(a)
		if err != nil {
			return invalid(err)
		}
		e.ancestors = append(e.ancestors, o)
		e.v.Checked = append(e.v.Checked, o.String())
	}
	metas := metaElements(in.Body)
	e.policies = parsePolicies(in.Header, metas)
	e.xfo = headerValues(in.Header, HeaderXFO)
	e.noteMeta(metas)
	e.notePolicies()
	e.decide()
	return e.v
}

// EvaluateAll runs Evaluate for each of origins as the single ancestor (in.Ancestors is
// ignored) and returns the first blocking verdict, or an allowed one naming all origins that
// were checked. With no origins it checks HubSpotOrigins.
func EvaluateAll(in Input, origins []string) Verdict {
	if len(origins) == 0 {
		origins = HubSpotOrigins
	}
	var all Verdict
	for i, o := range origins {
		in.Ancestors = []string{o}
		v := Evaluate(in)
		if v.Err != nil || !v.Allowed {
			return v
		}
		if i == 0 {
			all = v
			all.Checked, all.Notes = nil, nil
		}
		all.Checked = append(all.Checked, v.Checked...)
		for _, n := range v.Notes {
			if !slices.Contains(all.Notes, n) {
				all.Notes = append(all.Notes, n)
			}
		}
	}
	if len(origins) > 1 {
		all.Reason = fmt.Sprintf("Every checked origin (%s) may frame the page; for %s: %s", strings.Join(all.Checked, ", "), all.Checked[0], all.Reason)
	}
	return all
}

// invalid is the verdict for unusable input: Err wraps ErrInvalidInput, and Reason is its
// message as a sentence.
func invalid(err error) Verdict {
	msg := strings.TrimSuffix(err.Error(), ": "+ErrInvalidInput.Error())
	return Verdict{Err: err, Reason: upperFirst(msg) + "."}
}

// evaluation carries one Evaluate call's parsed input and the verdict being built.
type evaluation struct {
	self      origin
	ancestors []origin
	policies  []Policy
	xfo       []string // X-Frame-Options field values
	v         Verdict
}

func (e *evaluation) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if !slices.Contains(e.v.Notes, n) {
		e.v.Notes = append(e.v.Notes, n)
	}
}

// decide fills in the verdict: top-level, then enforced frame-ancestors, then X-Frame-Options.
func (e *evaluation) decide() {
	if len(e.ancestors) == 0 {
		// CSP3 §6.4.2.1 step 4 and HTML X-Frame-Options step 1.
		e.v.Allowed = true
		e.v.Reason = "There are no ancestors, so this is a top-level page, and neither frame-ancestors nor X-Frame-Options applies; pass the framing origins (e.g. HubSpotOrigins) to check framing."
		return
	}
	e.reportOnly()
	var enforced []Policy
	for _, p := range e.policies {
		if p.Disposition == DispositionEnforce && p.Source != SourceMeta {
			if _, ok := p.Directive("frame-ancestors"); ok {
				enforced = append(enforced, p)
			}
		}
	}
	if len(enforced) > 0 {
		e.decideCSP(enforced)
		return
	}
	e.decideXFO()
}

// decideCSP decides by the enforced policies that have frame-ancestors: each must match every
// ancestor (CSP3 §4.2.5), and X-Frame-Options is ignored (CSP3 §6.4.2.2).
func (e *evaluation) decideCSP(enforced []Policy) {
	if len(e.xfo) > 0 {
		e.note("X-Frame-Options: %s is ignored because an enforced Content-Security-Policy has frame-ancestors (CSP3 §6.4.2.2; HTML X-Frame-Options step 2); some older browsers still obey it, so keep the two consistent.", strings.Join(e.xfo, ", "))
	}
	var firstMatched []string // for each ancestor, the source of enforced[0] that matched it
	for i, p := range enforced {
		d, _ := p.Directive("frame-ancestors")
		failed, why, matched := matchChain(d.Values, e.ancestors, e.self)
		if i == 0 {
			firstMatched = matched
		}
		if failed >= 0 {
			e.v.Blocker = BlockerCSP
			e.v.Header, e.v.Value, e.v.Directive = p.Source, p.Value, d.String()
			e.v.Ancestor = e.ancestors[failed].String()
			e.v.Reason = fmt.Sprintf("%s %q does not allow ancestor %s: %s.", p.Source, d.String(), e.v.Ancestor, why)
			e.v.Fix = cspFix(p.Source, d, e.ancestors[failed])
			return
		}
	}
	p := enforced[0]
	d, _ := p.Directive("frame-ancestors")
	e.v.Allowed = true
	e.v.Header, e.v.Value, e.v.Directive, e.v.Source = p.Source, p.Value, d.String(), firstMatched[0]
	var by []string
	for i, a := range e.ancestors {
		by = append(by, fmt.Sprintf("%s (matched by %s)", a, firstMatched[i]))
	}
	subject := fmt.Sprintf("%s %q", p.Source, d.String())
	if len(enforced) > 1 {
		subject = fmt.Sprintf("All %d enforced frame-ancestors directives, the first being %s,", len(enforced), subject)
	}
	e.v.Reason = fmt.Sprintf("%s allow%s %s.", subject, pluralS(len(enforced) == 1), strings.Join(by, " and "))
}

// decideXFO decides by X-Frame-Options, following the HTML Standard, when no enforced policy
// has frame-ancestors.
func (e *evaluation) decideXFO() {
	x := checkXFO(e.xfo, e.ancestors, e.self)
	for _, n := range x.notes {
		e.note("%s", n)
	}
	if !x.present {
		e.v.Allowed = true
		e.v.Reason = "The response has neither an enforced frame-ancestors directive nor X-Frame-Options, so any page may frame it."
		return
	}
	e.v.Header, e.v.Value, e.v.Directive = HeaderXFO, x.value, x.decided
	if !x.blocked {
		e.v.Allowed = true
		e.v.Reason = upperFirst(x.reason) + "."
		return
	}
	e.v.Blocker = BlockerXFO
	e.v.Ancestor = e.ancestors[0].String()
	if x.failed != (origin{}) {
		e.v.Ancestor = x.failed.String()
	}
	e.v.Reason = upperFirst(x.reason) + "."
	e.v.Fix = fmt.Sprintf("Remove X-Frame-Options: %s, or send Content-Security-Policy: %s as well, which browsers obey instead of X-Frame-Options (CSP3 §6.4.2.2).", x.value, suggestedDirective(nil, e.ancestors...))
}

// reportOnly notes what each report-only frame-ancestors would do: report-only policies never
// block (CSP3 §4.2.5 step 2.1.5) and do not make browsers ignore X-Frame-Options.
func (e *evaluation) reportOnly() {
	for _, p := range e.policies {
		if p.Disposition != DispositionReport {
			continue
		}
		d, ok := p.Directive("frame-ancestors")
		if !ok {
			continue
		}
		if failed, _, _ := matchChain(d.Values, e.ancestors, e.self); failed >= 0 {
			e.note("%s %q would block ancestor %s, but a report-only policy only reports and never blocks (CSP3 §4.2.5).", p.Source, d.String(), e.ancestors[failed])
		} else {
			e.note("%s %q allows the ancestors, but a report-only policy never blocks or allows anything by itself (CSP3 §4.2.5).", p.Source, d.String())
		}
		if len(e.xfo) > 0 {
			e.note("A report-only frame-ancestors does not make browsers ignore X-Frame-Options; only an enforced one does (HTML X-Frame-Options step 2).")
		}
	}
}

// noteMeta notes <meta> elements that try to control framing: browsers ignore frame-ancestors
// in a <meta> policy (CSP3 §6.4.2), report-only policies in <meta> (CSP3 §3.3) and
// X-Frame-Options in <meta> altogether.
func (e *evaluation) noteMeta(metas []metaElement) {
	for _, m := range metas {
		switch {
		case strings.EqualFold(m.httpEquiv, HeaderCSP):
			p := parseSerializedPolicy(m.content, SourceMeta, DispositionEnforce)
			if _, ok := p.Directive("frame-ancestors"); ok {
				e.note("<meta http-equiv=\"Content-Security-Policy\"> declares frame-ancestors, which browsers ignore in <meta> (CSP3 §6.4.2): send it as a Content-Security-Policy response header.")
			}
		case strings.EqualFold(m.httpEquiv, HeaderCSPReportOnly):
			e.note("<meta http-equiv=\"Content-Security-Policy-Report-Only\"> is not supported and is ignored (CSP3 §3.3).")
		case strings.EqualFold(m.httpEquiv, HeaderXFO):
			e.note("<meta http-equiv=\"X-Frame-Options\"> is ignored by browsers: send X-Frame-Options (or better, Content-Security-Policy frame-ancestors) as a response header.")
		}
	}
}

// notePolicies notes parts of header policies that do not do what their author likely meant.
func (e *evaluation) notePolicies() {
	for _, p := range e.policies {
		if p.Source == SourceMeta {
			continue
		}
		for _, d := range p.Ignored {
			if d.Name == "frame-ancestors" {
				first, _ := p.Directive("frame-ancestors")
				e.note("%s repeats frame-ancestors: browsers use the first (%q) and ignore %q (CSP3 §2.2.1).", p.Source, first.String(), d.String())
			}
		}
		d, ok := p.Directive("frame-ancestors")
		if !ok {
			if _, hasDefault := p.Directive("default-src"); hasDefault && p.Disposition == DispositionEnforce {
				e.note("%s has default-src but no frame-ancestors; frame-ancestors never falls back to default-src, so this policy does not restrict framing (CSP3 §6.4.2).", p.Source)
			}
			continue
		}
		e.noteSources(p.Source, d)
	}
}

// noteSources notes source expressions of a frame-ancestors directive that can never match as
// their author probably meant.
func (e *evaluation) noteSources(header string, d Directive) {
	hasHostSource := false
	for _, raw := range d.Values {
		s := parseSource(raw)
		switch s.kind {
		case sourceNone:
			if len(d.Values) > 1 {
				e.note("%s %q lists 'none' with other sources; 'none' then has no effect (CSP3 §6.7.2.7).", header, d.String())
			}
		case sourceInvalid:
			e.note("%s frame-ancestors source %s is not an ancestor-source (only scheme-sources like https:, host-sources, 'self' and 'none' are; CSP3 §6.4.2) and never matches.", header, raw)
		case sourceHost:
			hasHostSource = true
			if s.path != "" && s.path != "/" {
				e.note("%s frame-ancestors source %s has a path; an ancestor is compared as an origin whose path is /, so this source never matches (CSP3 §6.7.2.12): write it without the path.", header, raw)
			}
			if s.port == "80" && (s.scheme == "http" || s.scheme == "") {
				for _, a := range e.ancestors {
					if hostMatches, _ := hostPartMatch(s.host, a); hostMatches && a.scheme == "https" && a.port == noPort {
						e.note("%s frame-ancestors source %s names port 80, which does not match an https ancestor on port 443 under CSP3's port matching (§6.7.2.11), though the draft's change list and Chromium say it should: name the https origin instead.", header, raw)
						break
					}
				}
			}
		}
	}
	if len(d.Values) == 0 {
		e.note("%s has frame-ancestors with no sources, which is the same as 'none' (CSP3 §6.7.2.7).", header)
	}
	if hasHostSource {
		for _, a := range e.ancestors {
			if a.ip {
				e.note("Ancestor %s is an IP address, and host-sources never match IP-address ancestors (CSP3 §6.7.2.10): serve the framing page from a host name (for a local fake HubSpot, a *.localhost name).", a)
			}
		}
	}
}

// matchChain runs CSP3 §6.7.2.7 "Does url match source list in origin with redirect count?" for
// each ancestor, direct parent first, as §6.4.2.1 step 6 does. It returns the index of the
// first ancestor that does not match (or -1) with why, and for each matched ancestor the
// source expression that matched it.
func matchChain(list []string, ancestors []origin, self origin) (failed int, why string, matched []string) {
	if len(list) == 0 {
		return 0, "an empty frame-ancestors is the same as 'none' and forbids framing by any page", nil
	}
	if len(list) == 1 && asciiLower(list[0]) == "'none'" {
		return 0, "'none' forbids framing by any page, same-origin or not", nil
	}
	sources := make([]source, len(list))
	for i, raw := range list {
		sources[i] = parseSource(raw)
	}
	for i, a := range ancestors {
		var misses []string
		hit := ""
		for _, s := range sources {
			ok, miss := s.match(a, self)
			if ok {
				hit = s.raw
				break
			}
			misses = append(misses, miss)
		}
		if hit == "" {
			return i, "no source matches it (" + strings.Join(misses, "; ") + ")", matched
		}
		matched = append(matched, hit)
	}
	return -1, "", matched
}

// cspFix suggests a frame-ancestors directive that keeps the policy's working sources and
// allows the failed ancestor.
func cspFix(header string, d Directive, failed origin) string {
	if failed.opaque {
		return "The framing page has an opaque origin (for example a sandboxed iframe without allow-same-origin), which no frame-ancestors source matches; frame the page from a document with a real origin."
	}
	if failed.ip {
		return fmt.Sprintf("Host-sources never match an IP-address ancestor such as %s (CSP3 §6.7.2.10): serve the framing page from a host name (for a local fake HubSpot, a *.localhost name), or allow it by 'self' if it is the page's own origin.", failed)
	}
	return fmt.Sprintf("Allow %s as a frame ancestor: send %s: %s (HubSpot's documented example is %q).", failed, header, suggestedDirective(d.Values, failed), hubSpotExample)
}

// suggestedDirective returns a frame-ancestors directive built from the sources of current
// that can match something (paths dropped, 'none' removed) plus need, or, when current has no
// such source, 'self' with HubSpotOrigins and need.
func suggestedDirective(current []string, need ...origin) string {
	var keep []string
	add := func(s string) {
		if !slices.ContainsFunc(keep, func(k string) bool { return strings.EqualFold(k, s) }) {
			keep = append(keep, s)
		}
	}
	for _, raw := range current {
		s := parseSource(raw)
		switch s.kind {
		case sourceNone, sourceInvalid:
		case sourceHost:
			if s.path != "" {
				add(strings.TrimSuffix(raw, s.path))
			} else {
				add(raw)
			}
		default:
			add(raw)
		}
	}
	if len(keep) == 0 {
		add("'self'")
		for _, o := range HubSpotOrigins {
			add(o)
		}
	}
	for _, o := range need {
		add(o.String())
	}
	return "frame-ancestors " + strings.Join(keep, " ")
}

func pluralS(singular bool) string {
	if singular {
		return "s"
	}
	return ""
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
