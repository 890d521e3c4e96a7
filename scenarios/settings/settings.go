// Package settings is hsemu's one settings table: every setting once, with its flag, its
// HSEMU_* variable, its usage text, its parser and its default, and one precedence for all of
// them:
//
//	flag > environment variable > app config file > default
//
// Every subcommand of hsemu, the TUI's target form and `go test ./conformance` resolve their
// settings here, so a variable means the same wherever it is read, booleans accept the same
// words everywhere, and an error names the flag, the variable or the form field that was wrong.
// (The opencontainers distribution-spec conformance suite documents its env configuration the
// same way: one list, one precedence.)
package settings

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// Setting is one setting: where it comes from (a flag, an HSEMU_* variable), what it means, how
// its text is parsed into a Config, and its default.
type Setting struct {
	// Name tells settings apart; it is the flag unless two settings share a flag (hsemu
	// reference's --addr is not hsemu serve's).
	Name string
	// Flag is the command-line flag, without dashes.
	Flag string
	// Env is the environment variable; "" when only the flag sets it.
	Env string
	// Label names the setting in a form (the TUI's target form) and in errors from it.
	Label string
	// Usage says what the setting does, for -h.
	Usage string
	// Default is the value, as text, used when nothing else sets the setting; "" for none.
	Default string
	// Shown is the default as -h tells it, when another layer applies it (the run options'
	// own defaults); "" means Default.
	Shown string
	// Bool marks a boolean flag: a bare --strict means true.
	Bool bool
	// Repeat marks a flag that may be given more than once; each value is kept.
	Repeat bool
	// App marks a field of the app under test, which the app config file may set.
	App bool

	// apply parses the values into c. env is true when they come from the variable, whose
	// syntax can differ from the repeated flag's (HSEMU_LOGIN is a query string).
	apply func(c *Config, vals []string, env bool) error
}

// WithDefault returns a copy of s with another default, for a command whose default differs
// (hsemu scenarios lists the listing profile; hsemu reference speaks for the demo app).
func (s *Setting) WithDefault(v string) *Setting {
	c := *s
	c.Default, c.Shown = v, ""
	return &c
}

// WithShown returns a copy of s whose -h tells this default, for a command that applies its own
// (hsemu serve generates the client ID and secret).
func (s *Setting) WithShown(text string) *Setting {
	c := *s
	c.Shown = text
	return &c
}

// help is the flag's usage line: the usage, the variable and the default.
func (s *Setting) help() string {
	var extra []string
	if s.Env != "" {
		extra = append(extra, "env "+s.Env)
	}
	def := s.Shown
	if def == "" {
		def = s.Default
	}
	if def != "" {
		extra = append(extra, "default "+def)
	}
	if len(extra) == 0 {
		return s.Usage
	}
	return s.Usage + " (" + strings.Join(extra, ", ") + ")"
}

// From says where a value came from.
type From int

// Where a value came from, lowest precedence first: the default, the app config, an HSEMU_*
// variable, a flag, or the TUI's form.
const (
	FromDefault From = iota
	FromAppConfig
	FromEnv
	FromFlag
	FromForm
)

// Error is a setting whose value could not be used. Its text names the flag, the variable or
// the form field, the value, what is wrong and how to fix it.
type Error struct {
	Setting *Setting
	From    From
	Value   string
	Err     error
}

func (e *Error) Error() string {
	switch e.From {
	case FromFlag:
		return fmt.Sprintf("--%s: %v", e.Setting.Flag, e.Err)
	case FromEnv:
		return fmt.Sprintf("%s=%q: %v (fix the variable, unset it, or override it with --%s)", e.Setting.Env, e.Value, e.Err, e.Setting.Flag)
	case FromForm:
		return fmt.Sprintf("%s: %v", e.Setting.Label, e.Err)
	default: // FromDefault (the app config's errors are LoadAppConfig's)
		return fmt.Sprintf("%s (default %q): %v", e.Setting.Name, e.Value, e.Err)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// Source is where Resolve reads values besides the defaults.
type Source struct {
	// Given answers a setting's values from the command line (or a form) and whether it was
	// given at all: a flag given as "" is given.
	Given func(s *Setting) ([]string, bool)
	// Form marks Given's values as typed into a form: errors name its fields by Label.
	Form bool
	// Getenv reads the environment; nil reads none. An empty variable is not set.
	Getenv func(string) string
}

// Resolve fills c from src for the settings set, each by the one precedence: flag (or form) >
// environment > app config file > default. Values already in c stay where none of those sets
// a setting. The app config file (--app-config / HSEMU_APP_CONFIG), when one of set, is read
// first, after the config profile it reads (--hs-profile): it replaces c.App, and the app
// settings given by flag or variable override its fields.
func Resolve(c *Config, src Source, set []*Setting) error {
	first := func(s *Setting) bool { return s.Name == HsProfile.Name || s.Name == AppConfig.Name }
	for _, f := range []*Setting{HsProfile, AppConfig} {
		for _, s := range set {
			if s.Name != f.Name {
				continue
			}
			if err := resolveOne(c, src, s); err != nil {
				return err
			}
		}
	}
	appConfig := c.AppConfig != ""
	for _, s := range set {
		if first(s) {
			continue
		}
		if err := resolveOne(c, src, s); err != nil {
			return err
		}
		if appConfig && s.App && c.from[s.Name] == FromDefault {
			c.from[s.Name] = FromAppConfig
		}
	}
	return nil
}

// resolveOne applies the first of flag, variable and default that sets s.
func resolveOne(c *Config, src Source, s *Setting) error {
	if c.from == nil {
		c.from = map[string]From{}
	}
	if src.Given != nil {
		if vals, ok := src.Given(s); ok {
			from := FromFlag
			if src.Form {
				from = FromForm
			}
			c.from[s.Name] = from
			return wrap(s, from, strings.Join(vals, " "), s.apply(c, vals, false))
		}
	}
	if s.Env != "" && src.Getenv != nil {
		if v := src.Getenv(s.Env); v != "" {
			c.from[s.Name] = FromEnv
			return wrap(s, FromEnv, v, s.apply(c, []string{v}, true))
		}
	}
	c.from[s.Name] = FromDefault
	if s.Default == "" || (s.App && c.AppConfig != "") {
		return nil
	}
	return wrap(s, FromDefault, s.Default, s.apply(c, []string{s.Default}, false))
}

func wrap(s *Setting, from From, v string, err error) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	return &Error{Setting: s, From: from, Value: v, Err: err}
}

// Flags are the settings declared on a flag.FlagSet, holding what the command line gave.
type Flags struct {
	given map[string][]string
}

// Register declares the settings' flags on fs, with usage lines that name each variable and
// default. Resolve with Source{Given: flags.Given, Getenv: os.Getenv} after fs.Parse.
func Register(fs *flag.FlagSet, set ...*Setting) *Flags {
	f := &Flags{given: map[string][]string{}}
	for _, s := range set {
		fs.Var(&flagValue{f: f, s: s}, s.Flag, s.help())
	}
	return f
}

// Given answers what the command line gave for s.
func (f *Flags) Given(s *Setting) ([]string, bool) {
	v, ok := f.given[s.Name]
	return v, ok
}

// flagValue records a flag's text; Resolve parses it, so a flag and its variable share a parser.
type flagValue struct {
	f *Flags
	s *Setting
}

func (v *flagValue) String() string {
	if v == nil || v.f == nil {
		return ""
	}
	return strings.Join(v.f.given[v.s.Name], ",")
}

func (v *flagValue) Set(x string) error {
	if v.s.Repeat {
		v.f.given[v.s.Name] = append(v.f.given[v.s.Name], x)
	} else {
		v.f.given[v.s.Name] = []string{x}
	}
	if v.s.Bool {
		if _, err := ParseBool(x); err != nil {
			return err
		}
	}
	return nil
}

func (v *flagValue) IsBoolFlag() bool { return v.s.Bool }

// ParseBool reads a boolean the same way for every flag and variable: 1, true, yes or on; 0,
// false, no or off; in any case.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean: use 1, true, yes or on to turn it on; 0, false, no or off to turn it off", s)
}

// SplitList splits on commas and white space, dropping empty items.
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}
