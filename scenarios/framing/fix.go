package framing

import (
	"fmt"
	"slices"
	"strings"
)

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
