package emulator

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// Choices are hsemu's answers where HubSpot does not document what it does (docs/hubspot.md,
// "Unconfirmed items"; README.md, "How faithful the emulator is"). Each default is the reading an app is least likely to
// be surprised by, never the strictest one, and no verdict of the catalogue depends on any of
// them. The zero value is the defaults.
type Choices struct {
	// RevokeOnCodeReuse revokes every token of a code's first redemption when the code is
	// redeemed again. RFC 6749 §4.1.2: the server "SHOULD revoke (when possible) all tokens
	// previously issued based on that authorization code"; HubSpot documents only that the code
	// "cannot be reused". Default off: the second redemption fails with BAD_AUTH_CODE either way,
	// and an app whose callback ran twice keeps the tokens HubSpot is not known to revoke.
	RevokeOnCodeReuse bool
	// RefuseBasicAuth refuses HTTP Basic client authentication on the token, introspect and
	// revoke endpoints. HubSpot documents client_id and client_secret in the form body only;
	// RFC 6749 §2.3.1 says servers MUST support Basic. Default off (Basic accepted), so clients
	// that try Basic first (golang.org/x/oauth2 AuthStyleAutoDetect) work at once.
	RefuseBasicAuth bool
	// RefuseQueryOnV1 refuses parameters in the URL query of the deprecated /oauth/v1/token.
	// HubSpot's v3 guide says v1 "accepted them as query parameters"; whether it still does is
	// not documented. Default off (accepted). The v3 and dated endpoints always refuse them
	// ("require that parameters are included in the request body").
	RefuseQueryOnV1 bool
	// RefuseLowercaseBearer refuses `Authorization: bearer …` on API calls. RFC 7235 §2.1 makes
	// the scheme case-insensitive; HubSpot's handling is not documented. Default off (accepted).
	RefuseLowercaseBearer bool
}

// Switch is one of Choices as `hsemu serve` prints it.
type Switch struct {
	Name    string // e.g. "revoke-on-code-reuse"
	On      bool   // what this emulator does
	Default bool   // what it does unless told otherwise
	Doc     string // one sentence: what being on means
}

// choiceField is one switch: its name, the field of Choices behind it, and whether the field
// is the switch's negation (RefuseBasicAuth is basic-auth off). Every field's zero value is
// the default, so a negated switch is on by default.
type choiceField struct {
	name    string
	field   *bool
	negated bool
	doc     string
}

// fields lists the switches, each once: Switches, Set and SwitchNames read it.
func (c *Choices) fields() []choiceField {
	return []choiceField{
		{"revoke-on-code-reuse", &c.RevokeOnCodeReuse, false, "a code redeemed twice revokes the tokens of its first redemption (RFC 6749 §4.1.2 SHOULD; HubSpot: UNCONFIRMED)"},
		{"basic-auth", &c.RefuseBasicAuth, true, "token endpoints accept HTTP Basic client authentication besides the form body (HubSpot: UNCONFIRMED)"},
		{"v1-query-params", &c.RefuseQueryOnV1, true, "/oauth/v1/token accepts parameters in the URL query (HubSpot: documented for the past, UNCONFIRMED now)"},
		{"lowercase-bearer", &c.RefuseLowercaseBearer, true, "API calls accept the lower-case scheme `bearer` (RFC 7235 §2.1; HubSpot: UNCONFIRMED)"},
	}
}

// Switches lists the choices in their positive form ("accept Basic", not "refuse Basic").
func (c Choices) Switches() []Switch {
	fs := c.fields()
	out := make([]Switch, 0, len(fs))
	for _, f := range fs {
		out = append(out, Switch{Name: f.name, On: *f.field != f.negated, Default: f.negated, Doc: f.doc})
	}
	return out
}

// SwitchNames lists the switches' names, comma-separated, for usage texts and errors.
func SwitchNames() string {
	fs := (&Choices{}).fields()
	names := make([]string, 0, len(fs))
	for _, f := range fs {
		names = append(names, f.name)
	}
	return strings.Join(names, ", ")
}

// Set turns the switch named name (as Switches names it) on or off.
func (c *Choices) Set(name string, on bool) error {
	for _, f := range c.fields() {
		if f.name == name {
			*f.field = on != f.negated
			return nil
		}
	}
	return fmt.Errorf("no switch %q: the switches are %s", name, SwitchNames())
}

// Switches lists the emulator's choices where HubSpot is not documented, for `hsemu serve` to
// print which are on.
func (e *Emulator) Switches() []Switch { return e.c.cfg.Choices.Switches() }

// bearerToken returns the token of an `Authorization: Bearer …` header; the lower-case scheme
// counts unless Choices.RefuseLowercaseBearer.
func (e *core) bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || tok == "" {
		return "", false
	}
	switch {
	case scheme == hubspot.BearerScheme:
	case strings.EqualFold(scheme, hubspot.BearerScheme) && !e.cfg.Choices.RefuseLowercaseBearer:
	default:
		return "", false
	}
	return tok, true
}
