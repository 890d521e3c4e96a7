package scenarios

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
)

// The entropy of the states an endpoint issued, as the state checks estimate it. It is an
// estimate from a few samples, and the verdicts say so: a state that looks random may still be
// predictable, and the estimate only rules out the obviously weak.

// stateEstimate estimates the bits of randomness of each of a set of states, and says how:
//   - UUIDs by their version: v4 has 122 random bits, v7 74 (the rest is a timestamp), v1 and v6
//     14 (a clock sequence; the node and time are guessable), v3 and v5 none (a hash of a name);
//   - JWTs (a JSON header and payload, base64url) by their claims that vary between samples,
//     each estimated as a string: not by their length, since a header, timestamps and a
//     signature over guessable claims add nothing an attacker must guess;
//   - anything else by the characters that vary between samples (a common prefix or suffix is
//     not counted) times the bits of the smallest usual alphabet (decimal, hex, base36,
//     base64url) that holds every sample's characters.
func stateEstimate(states []string) (bits float64, how string) {
	if len(states) == 0 {
		return 0, "no state"
	}
	if v, ok := uuidVersion(states); ok {
		switch v {
		case '4':
			return 122, "UUIDv4: 122 random bits"
		case '7':
			return 74, "UUIDv7: 74 random bits after a 48-bit timestamp"
		case '1', '6':
			return 14, fmt.Sprintf("UUIDv%c: a timestamp, a node and a 14-bit clock sequence", v)
		case '3', '5':
			return 0, fmt.Sprintf("UUIDv%c: a hash of a name, no randomness", v)
		}
	}
	if claims, ok := jwtClaims(states); ok {
		bits, varying := jwtBits(claims)
		if len(varying) == 0 {
			return 0, "a JWT whose claims never vary"
		}
		return bits, "a JWT, counting only its claims that vary (" + strings.Join(varying, ", ") + ")"
	}
	return charBits(states), "the characters that vary between samples"
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-([0-9a-fA-F])[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)

// uuidVersion is the version digit shared by states that are all RFC 9562 UUIDs.
func uuidVersion(states []string) (byte, bool) {
	var v byte
	for i, s := range states {
		m := uuidPattern.FindStringSubmatch(s)
		if m == nil || (i > 0 && m[1][0] != v) {
			return 0, false
		}
		v = m[1][0]
	}
	return v, true
}

// jwtClaims decodes the payloads of states that are all JWTs (header.payload.signature, the
// header JSON with "alg").
func jwtClaims(states []string) ([]map[string]any, bool) {
	var out []map[string]any
	for _, s := range states {
		parts := strings.Split(s, ".")
		if len(parts) != 3 {
			return nil, false
		}
		var header, payload map[string]any
		if !decodeSegment(parts[0], &header) || header["alg"] == nil || !decodeSegment(parts[1], &payload) {
			return nil, false
		}
		out = append(out, payload)
	}
	return out, true
}

func decodeSegment(seg string, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	return err == nil && json.Unmarshal(raw, v) == nil
}

// jwtBits adds up the entropy of the string claims that vary between the samples; numbers
// (exp, iat, a counter) and constant claims count nothing.
func jwtBits(claims []map[string]any) (float64, []string) {
	var (
		bits    float64
		varying []string
	)
	for name := range claims[0] {
		var values []string
		for _, c := range claims {
			s, ok := c[name].(string)
			if !ok {
				values = nil
				break
			}
			values = append(values, s)
		}
		if len(values) < 2 || allSame(values) {
			continue
		}
		bits += charBits(values)
		varying = append(varying, name)
	}
	return bits, sortedCopy(varying)
}

func allSame(values []string) bool {
	for _, v := range values[1:] {
		if v != values[0] {
			return false
		}
	}
	return true
}

// charBits is the least, over the samples, of the characters that vary between them times the
// bits of their alphabet.
func charBits(states []string) float64 {
	prefix, suffix := len(states[0]), len(states[0])
	for _, s := range states[1:] {
		prefix = min(prefix, commonPrefix(states[0], s))
		suffix = min(suffix, commonSuffix(states[0], s))
	}
	alphabet := alphabetBits(strings.Join(states, ""))
	least := math.Inf(1)
	for _, s := range states {
		end := max(len(s)-suffix, prefix)
		least = math.Min(least, float64(len(s[prefix:end]))*alphabet)
	}
	return least
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func commonSuffix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}

// alphabetBits is log2 of the smallest usual alphabet that holds every character of s.
func alphabetBits(s string) float64 {
	digits, lowerHex, upperHex, lower, upper, b64 := true, true, true, true, true, true
	for _, r := range s {
		isDigit := r >= '0' && r <= '9'
		digits = digits && isDigit
		lowerHex = lowerHex && (isDigit || (r >= 'a' && r <= 'f') || r == '-')
		upperHex = upperHex && (isDigit || (r >= 'A' && r <= 'F') || r == '-')
		lower = lower && (isDigit || (r >= 'a' && r <= 'z'))
		upper = upper && (isDigit || (r >= 'A' && r <= 'Z'))
		b64 = b64 && (isDigit || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || strings.ContainsRune("-_+/=.", r))
	}
	switch {
	case digits:
		return math.Log2(10)
	case lowerHex || upperHex:
		return 4
	case lower || upper:
		return math.Log2(36)
	case b64:
		return 6
	}
	return math.Log2(95)
}

// judgeStateSamples is the strength judge over several states of one endpoint: never repeated
// (expected names the rule, repeated says how a repeat was seen), and at least 128 bits by
// stateEstimate. It needs at least one state; the callers check they have enough.
func judgeStateSamples(states []string, expected, repeated string) Outcome {
	seen := map[string]bool{}
	for _, s := range states {
		if seen[s] {
			return fail(expected, fmt.Sprintf("the state %q %s", excerpt(s, 40), repeated))
		}
		seen[s] = true
	}
	bits, how := stateEstimate(states)
	if bits < 128 {
		return fail("at least 128 bits of randomness", fmt.Sprintf("about %.0f bits (an estimate from %d states, e.g. %q: %s)", bits, len(states), excerpt(states[0], 40), how))
	}
	return pass(fmt.Sprintf("%d distinct states, about %.0f bits each (an estimate: %s)", len(states), bits, how))
}
