package framing

import (
	"fmt"
	"slices"
	"strings"
)

// xfoOutcome is the result of HTML's "check a navigation response's adherence to
// X-Frame-Options" for one response and ancestor chain.
type xfoOutcome struct {
	present bool   // the response has an X-Frame-Options header
	value   string // the combined header value, as "get" returns it
	blocked bool
	decided string // the value (as sent) that decided, when one did
	failed  origin // the ancestor that is not same-origin, for SAMEORIGIN
	reason  string // why blocked or why ignored
	notes   []string
}

// checkXFO implements steps 3–10 of the HTML Standard's "check a navigation response's
// adherence to X-Frame-Options"
// (https://html.spec.whatwg.org/multipage/document-lifecycle.html#the-x-frame-options-header).
// Steps 1 (top-level) and 2 (an enforced frame-ancestors wins) are the caller's. values are
// the header's field values in order; ancestors run from the direct parent to the top.
func checkXFO(values []string, ancestors []origin, self origin) xfoOutcome {
	out := xfoOutcome{}
	if len(values) == 0 {
		return out
	}
	out.present = true
	out.value = strings.Join(values, ", ")
	raw := splitHeaderValue(out.value)

	// Steps 4–5: an ordered set of the lower-cased values.
	var set, asSent []string
	for _, v := range raw {
		lower := asciiLower(v)
		if !slices.Contains(set, lower) {
			set, asSent = append(set, lower), append(asSent, v)
		}
	}

	if len(set) > 1 {
		for _, v := range set {
			if v == "deny" || v == "allowall" || v == "sameorigin" {
				// Step 6.
				out.blocked = true
				out.reason = fmt.Sprintf("X-Frame-Options: %s carries %d different values, and the HTML Standard blocks any page whose X-Frame-Options has more than one value when one of them is DENY, SAMEORIGIN or ALLOWALL", out.value, len(set))
				return out
			}
		}
		// Step 7.
		out.reason = fmt.Sprintf("X-Frame-Options: %s carries several values, none of them DENY, SAMEORIGIN or ALLOWALL, so browsers ignore it", out.value)
		out.notes = append(out.notes, out.reason+" (HTML Standard, X-Frame-Options step 7).")
		return out
	}

	out.decided = asSent[0]
	switch v := set[0]; {
	case v == "deny":
		// Step 8.
		out.blocked = true
		out.reason = fmt.Sprintf("X-Frame-Options: %s forbids framing by any page, same-origin or not", out.decided)
	case v == "sameorigin":
		// Step 9: every container document up the chain must be same origin with the response.
		for _, a := range ancestors {
			if !sameOrigin(a, self) {
				out.blocked, out.failed = true, a
				out.reason = fmt.Sprintf("X-Frame-Options: %s allows only ancestors with the page's own origin %s, and ancestor %s is a different origin", out.decided, self, a)
				return out
			}
		}
		out.reason = fmt.Sprintf("X-Frame-Options: %s allows same-origin ancestors, and every ancestor is %s", out.decided, self)
	case strings.HasPrefix(v, "allow-from"):
		out.reason = fmt.Sprintf("X-Frame-Options: %s is obsolete and ignored, so it does not restrict framing", out.decided)
		out.notes = append(out.notes, "X-Frame-Options ALLOW-FROM is ignored by the HTML Standard and by current browsers: it neither allows nor forbids anything; use Content-Security-Policy frame-ancestors to name allowed origins.")
	case v == "allowall":
		out.reason = fmt.Sprintf("X-Frame-Options: %s is not a standard value and is ignored", out.decided)
		out.notes = append(out.notes, "X-Frame-Options ALLOWALL is not a standard value; browsers ignore it (it matters only when combined with other values, which blocks).")
	case v == "":
		out.reason = "X-Frame-Options is empty and is ignored"
		out.notes = append(out.notes, "X-Frame-Options is present but empty; browsers ignore it.")
	default:
		out.reason = fmt.Sprintf("X-Frame-Options: %s is neither DENY nor SAMEORIGIN and is ignored", out.decided)
		out.notes = append(out.notes, fmt.Sprintf("X-Frame-Options value %q is neither DENY nor SAMEORIGIN (ASCII case-insensitive, without quotes); browsers ignore it.", out.decided))
	}
	return out
}

// splitHeaderValue implements Fetch's "split" of a header value
// (https://fetch.spec.whatwg.org/#header-value-get-decode-and-split): split on commas outside
// HTTP quoted strings, trimming spaces and tabs. Quoted strings keep their quotes, and empty
// values are kept, so "DENY," yields "DENY" and "".
func splitHeaderValue(input string) []string {
	var values []string
	var temporary strings.Builder
	pos := 0
	for {
		for pos < len(input) && input[pos] != '"' && input[pos] != ',' {
			temporary.WriteByte(input[pos])
			pos++
		}
		if pos < len(input) && input[pos] == '"' {
			start := pos
			pos = skipQuotedString(input, pos)
			temporary.WriteString(input[start:pos])
			if pos < len(input) {
				continue
			}
		}
		values = append(values, strings.Trim(temporary.String(), " \t"))
		temporary.Reset()
		if pos >= len(input) {
			return values
		}
		pos++ // the comma
	}
}

// skipQuotedString implements Fetch's "collect an HTTP quoted string" with extract-value
// false: input[pos] is '"'; it returns the position just past the closing quote (or the end).
func skipQuotedString(input string, pos int) int {
	pos++
	for pos < len(input) {
		switch input[pos] {
		case '\\':
			pos += 2
			if pos > len(input) {
				return len(input)
			}
		case '"':
			return pos + 1
		default:
			pos++
		}
	}
	return pos
}
