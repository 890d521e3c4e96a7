package framing

import "strings"

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
			e.notef("%s %q would block ancestor %s, but a report-only policy only reports and never blocks (CSP3 §4.2.5).", p.Source, d.String(), e.ancestors[failed])
		} else {
			e.notef("%s %q allows the ancestors, but a report-only policy never blocks or allows anything by itself (CSP3 §4.2.5).", p.Source, d.String())
		}
		if len(e.xfo) > 0 {
			e.notef("A report-only frame-ancestors does not make browsers ignore X-Frame-Options; only an enforced one does (HTML X-Frame-Options step 2).")
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
				e.notef("<meta http-equiv=\"Content-Security-Policy\"> declares frame-ancestors, which browsers ignore in <meta> (CSP3 §6.4.2): send it as a Content-Security-Policy response header.")
			}
		case strings.EqualFold(m.httpEquiv, HeaderCSPReportOnly):
			e.notef("<meta http-equiv=\"Content-Security-Policy-Report-Only\"> is not supported and is ignored (CSP3 §3.3).")
		case strings.EqualFold(m.httpEquiv, HeaderXFO):
			e.notef("<meta http-equiv=\"X-Frame-Options\"> is ignored by browsers: send X-Frame-Options (or better, Content-Security-Policy frame-ancestors) as a response header.")
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
				e.notef("%s repeats frame-ancestors: browsers use the first (%q) and ignore %q (CSP3 §2.2.1).", p.Source, first.String(), d.String())
			}
		}
		d, ok := p.Directive("frame-ancestors")
		if !ok {
			if _, hasDefault := p.Directive("default-src"); hasDefault && p.Disposition == DispositionEnforce {
				e.notef("%s has default-src but no frame-ancestors; frame-ancestors never falls back to default-src, so this policy does not restrict framing (CSP3 §6.4.2).", p.Source)
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
		case sourceStar, sourceSelf, sourceScheme:
			// Nothing to note about these.
		case sourceNone:
			if len(d.Values) > 1 {
				e.notef("%s %q lists 'none' with other sources; 'none' then has no effect (CSP3 §6.7.2.7).", header, d.String())
			}
		case sourceInvalid:
			e.notef("%s frame-ancestors source %s is not an ancestor-source (only scheme-sources like https:, host-sources, 'self' and 'none' are; CSP3 §6.4.2) and never matches.", header, raw)
		case sourceHost:
			hasHostSource = true
			if s.path != "" && s.path != "/" {
				e.notef("%s frame-ancestors source %s has a path; an ancestor is compared as an origin whose path is /, so this source never matches (CSP3 §6.7.2.12): write it without the path.", header, raw)
			}
			if s.port == "80" && (s.scheme == "http" || s.scheme == "") {
				for _, a := range e.ancestors {
					if hostMatches, _ := hostPartMatch(s.host, a); hostMatches && a.scheme == "https" && a.port == noPort {
						e.notef("%s frame-ancestors source %s names port 80, which does not match an https ancestor on port 443 under CSP3's port matching (§6.7.2.11), though the draft's change list and Chromium say it should: name the https origin instead.", header, raw)
						break
					}
				}
			}
		}
	}
	if len(d.Values) == 0 {
		e.notef("%s has frame-ancestors with no sources, which is the same as 'none' (CSP3 §6.7.2.7).", header)
	}
	if hasHostSource {
		for _, a := range e.ancestors {
			if a.ip {
				e.notef("Ancestor %s is an IP address, and host-sources never match IP-address ancestors (CSP3 §6.7.2.10): serve the framing page from a host name (for a local fake HubSpot, a *.localhost name).", a)
			}
		}
	}
}
