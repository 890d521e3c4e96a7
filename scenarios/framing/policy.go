package framing

import (
	"net/http"
	"sort"
	"strings"
)

// Header names and policy sources.
const (
	HeaderCSP           = "Content-Security-Policy"
	HeaderCSPReportOnly = "Content-Security-Policy-Report-Only"
	HeaderXFO           = "X-Frame-Options"
	SourceMeta          = "meta" // Policy.Source of a policy from <meta http-equiv>
)

// Policy dispositions (CSP3 §2.2, https://w3c.github.io/webappsec-csp/#policy-disposition).
const (
	DispositionEnforce = "enforce"
	DispositionReport  = "report"
)

// Policy is one parsed Content Security Policy, as CSP3 §2.2.1 "parse a serialized CSP"
// produces it.
type Policy struct {
	Disposition string      // DispositionEnforce or DispositionReport
	Directives  []Directive // in order, names lower-cased, duplicates removed
	Source      string      // HeaderCSP, HeaderCSPReportOnly or SourceMeta
	// Value is the whole header field value (or <meta> content) the policy came from; one
	// header value may hold several comma-separated policies.
	Value string
	// Ignored holds directives a browser parses but ignores: a repeated directive (the first
	// wins, CSP3 §2.2.1 step 3.5) and, in a <meta> policy, frame-ancestors, report-uri and
	// sandbox (CSP3 §3.3; HTML's Content Security Policy state).
	Ignored []Directive
}

// Directive is one directive of a policy: its lower-cased name and its value split on ASCII
// whitespace.
type Directive struct {
	Name   string
	Values []string
}

// String serialises the directive the way hsemu quotes it, e.g. "frame-ancestors 'self'".
func (d Directive) String() string {
	if len(d.Values) == 0 {
		return d.Name
	}
	return d.Name + " " + strings.Join(d.Values, " ")
}

// Directive returns the policy's directive named name (lower-case) and whether it has one.
func (p Policy) Directive(name string) (Directive, bool) {
	for _, d := range p.Directives {
		if d.Name == name {
			return d, true
		}
	}
	return Directive{}, false
}

// ParsePolicies returns the policies a browser would parse from a response: every
// comma-separated part of every Content-Security-Policy header (enforce), then of every
// Content-Security-Policy-Report-Only header (report), as CSP3 §2.2.2 "parse a response's
// Content Security Policies" does, then one policy per <meta http-equiv="Content-Security-Policy">
// in the document's <head> (enforce, source "meta"). Parts with no directives are dropped.
// Header names are matched case-insensitively, so a hand-built http.Header works too.
func ParsePolicies(h http.Header, body []byte) []Policy {
	return parsePolicies(h, metaElements(body))
}

// parsePolicies is ParsePolicies with the body's <meta http-equiv> elements already found.
func parsePolicies(h http.Header, metas []metaElement) []Policy {
	var policies []Policy
	for _, hv := range []struct{ name, disposition string }{
		{HeaderCSP, DispositionEnforce},
		{HeaderCSPReportOnly, DispositionReport},
	} {
		for _, value := range headerValues(h, hv.name) {
			// "Extracting header list values" splits on the commas of the #rule; no CSP
			// directive value may contain a comma (CSP3 §2.2.1 grammar).
			for _, part := range strings.Split(value, ",") {
				p := parseSerializedPolicy(part, hv.name, hv.disposition)
				p.Value = value
				if len(p.Directives) > 0 {
					policies = append(policies, p)
				}
			}
		}
	}
	for _, m := range metas {
		if !m.inHead || !strings.EqualFold(m.httpEquiv, HeaderCSP) || m.content == "" {
			continue // HTML: only a <meta> in <head>, with content, counts.
		}
		p := parseSerializedPolicy(m.content, SourceMeta, DispositionEnforce)
		p.Value = m.content
		kept := p.Directives[:0:0]
		for _, d := range p.Directives {
			switch d.Name {
			case "frame-ancestors", "report-uri", "sandbox":
				p.Ignored = append(p.Ignored, d)
			default:
				kept = append(kept, d)
			}
		}
		p.Directives = kept
		policies = append(policies, p)
	}
	return policies
}

// parseSerializedPolicy implements CSP3 §2.2.1 "parse a serialized CSP".
func parseSerializedPolicy(serialized, source, disposition string) Policy {
	p := Policy{Disposition: disposition, Source: source}
	seen := map[string]bool{}
	for _, token := range strings.Split(serialized, ";") {
		token = trimASCIIWhitespace(token)
		if token == "" || !isASCII(token) {
			continue
		}
		fields := splitASCIIWhitespace(token)
		d := Directive{Name: asciiLower(fields[0])}
		if len(fields) > 1 {
			d.Values = fields[1:]
		}
		if seen[d.Name] {
			p.Ignored = append(p.Ignored, d)
			continue
		}
		seen[d.Name] = true
		p.Directives = append(p.Directives, d)
	}
	return p
}

// headerValues returns every value of the header field name, matching the name
// case-insensitively; canonical keys come first, so the order is deterministic.
func headerValues(h http.Header, name string) []string {
	var keys []string
	for k := range h {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var values []string
	for _, k := range keys {
		values = append(values, h[k]...)
	}
	return values
}

// isASCIIWhitespace reports whether c is ASCII whitespace (TAB, LF, FF, CR, SPACE;
// https://infra.spec.whatwg.org/#ascii-whitespace).
func isASCIIWhitespace(c byte) bool {
	return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func trimASCIIWhitespace(s string) string {
	start, end := 0, len(s)
	for start < end && isASCIIWhitespace(s[start]) {
		start++
	}
	for end > start && isASCIIWhitespace(s[end-1]) {
		end--
	}
	return s[start:end]
}

func splitASCIIWhitespace(s string) []string {
	var fields []string
	for i := 0; i < len(s); {
		for i < len(s) && isASCIIWhitespace(s[i]) {
			i++
		}
		j := i
		for j < len(s) && !isASCIIWhitespace(s[j]) {
			j++
		}
		if j > i {
			fields = append(fields, s[i:j])
		}
		i = j
	}
	return fields
}
