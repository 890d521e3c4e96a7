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

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// HubSpotOrigins are the origins HubSpot frames install pages from, the default ancestors:
// hubspot.FrameOrigins. HubSpot documents none of them as such (its example policy names
// app.hubspot.com and app-eu1.hubspot.com); callers should let users configure them.
var HubSpotOrigins = hubspot.FrameOrigins()

// hubSpotExample is the policy HubSpot's install-flow page gives as its example.
const hubSpotExample = hubspot.FrameAncestorsExample

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

// notef adds a note to the verdict, once.
func (e *evaluation) notef(format string, args ...any) {
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
		e.notef("X-Frame-Options: %s is ignored because an enforced Content-Security-Policy has frame-ancestors (CSP3 §6.4.2.2; HTML X-Frame-Options step 2); some older browsers still obey it, so keep the two consistent.", strings.Join(e.xfo, ", "))
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
		e.notef("%s", n)
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
