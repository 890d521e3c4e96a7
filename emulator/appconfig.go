package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// maxAppConfigSize bounds the app config file read by LoadAppConfig.
const maxAppConfigSize = 1 << 20

// hsmeta is the shape of an app component's *-hsmeta.json (developer platform 2025.2+; the
// official template is HubSpot/hubspot-project-components
// 2025.2/components/app/oauth-marketplace/src/app/app-hsmeta.json). Pointers tell a missing
// field from an empty one. Fields hsemu does not use (permittedUrls, support, logo) are ignored.
type hsmeta struct {
	UID    *string       `json:"uid"`
	Type   *string       `json:"type"`
	Config *hsmetaConfig `json:"config"`
}

type hsmetaConfig struct {
	Name         *string     `json:"name"`
	Description  *string     `json:"description"`
	Distribution *string     `json:"distribution"`
	Auth         *hsmetaAuth `json:"auth"`
}

type hsmetaAuth struct {
	Type                        *string  `json:"type"`
	RedirectURLs                []string `json:"redirectUrls"`
	RequiredScopes              []string `json:"requiredScopes"`
	OptionalScopes              []string `json:"optionalScopes"`
	ConditionallyRequiredScopes []string `json:"conditionallyRequiredScopes"`
}

var uidPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// LoadAppConfig reads an app from a HubSpot project: path is either an app component file
// (src/app/app-hsmeta.json) or a directory — a project root (its hsproject.json srcDir, default
// "src", then app/*-hsmeta.json) or the app directory itself — in which exactly one
// *-hsmeta.json has type "app". Field rules are those of the app-configuration docs
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/app-configuration):
// uid (≤64 of [A-Za-z0-9_.-]), type "app", config.name (≤200, no surrounding space),
// config.description (≤8192), config.distribution (marketplace|private), config.auth.type
// (oauth|static), redirect URLs by HubSpot's rules and known scope names. Every error names
// the file, the field and what is wrong. The returned App has no credentials.
//
// profile names a config profile, as HubSpot's CLI reads them (`hs project upload --profile`):
// every ${KEY} in the file's string values is replaced by the variable KEY of
// hsprofile.<profile>.json, looked for in the project's srcDir, then at its root. A file with
// ${…} and no profile is refused. The App records the profile and the platformVersion of
// hsproject.json.
func LoadAppConfig(path, profile string) (App, error) {
	file, err := findAppConfig(path)
	if err != nil {
		return App{}, err
	}
	data, err := readBounded(file, maxAppConfigSize)
	if err != nil {
		return App{}, fmt.Errorf("app config %s: %w", file, err)
	}
	proj := findProject(file)
	vars, err := proj.profile(profile)
	if err != nil {
		return App{}, fmt.Errorf("app config %s: %w", file, err)
	}
	app, err := parseAppConfig(data, vars)
	if err != nil {
		return App{}, fmt.Errorf("app config %s: %w", file, err)
	}
	app.PlatformVersion, app.HsProfile = proj.platformVersion, profile
	return app, nil
}

func readBounded(file string, limit int64) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file is larger than %d bytes; is it really an app config?", limit)
	}
	return data, nil
}

// findAppConfig resolves path to one *-hsmeta.json file of type "app".
func findAppConfig(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("app config: %w", err)
	}
	if !st.IsDir() {
		return path, nil
	}
	srcDir := readProject(path).srcDir
	var candidates []string
	for _, dir := range []string{filepath.Join(path, srcDir, "app"), path} {
		matches, _ := filepath.Glob(filepath.Join(dir, "*-hsmeta.json"))
		for _, m := range matches {
			data, err := readBounded(m, maxAppConfigSize)
			if err != nil {
				continue
			}
			var head struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(data, &head) == nil && head.Type == "app" {
				candidates = append(candidates, m)
			}
		}
		if len(candidates) > 0 {
			break
		}
	}
	switch len(candidates) {
	case 0:
		return "", fmt.Errorf("app config: no %s/app/*-hsmeta.json with \"type\": \"app\" in %s: pass the file itself or a HubSpot project directory", srcDir, path)
	case 1:
		return candidates[0], nil
	default:
		return "", fmt.Errorf("app config: %d app components in %s (%s): pass the file to use", len(candidates), path, strings.Join(candidates, ", "))
	}
}

// parseAppConfig decodes and validates one app component file, its ${KEY} values replaced by
// vars' (nil: no profile was given).
func parseAppConfig(data []byte, vars *profileVars) (App, error) {
	data, err := substituteVars(data, vars)
	if err != nil {
		return App{}, err
	}
	var m hsmeta
	if err := json.Unmarshal(data, &m); err != nil {
		return App{}, describeJSONError(data, err)
	}
	if m.UID == nil {
		return App{}, errors.New(`field uid: missing; add "uid": "my_app" (≤64 letters, digits, _ . -)`)
	}
	if !uidPattern.MatchString(*m.UID) {
		return App{}, fmt.Errorf("field uid: %q must be 1 to 64 characters of letters, digits, _ . -", *m.UID)
	}
	if m.Type == nil {
		return App{}, errors.New(`field type: missing; an app component needs "type": "app"`)
	}
	if *m.Type != "app" {
		return App{}, fmt.Errorf(`field type: %q is not "app"; this file is not an app component`, *m.Type)
	}
	c := m.Config
	if c == nil {
		return App{}, errors.New(`field config: missing; an app component needs a "config" object with name, description, distribution and auth`)
	}
	app := App{UID: *m.UID}
	switch {
	case c.Name == nil || *c.Name == "":
		return App{}, errors.New("field config.name: missing; give the app a name (≤200 characters)")
	case len(*c.Name) > 200:
		return App{}, fmt.Errorf("field config.name: %d characters; the limit is 200", len(*c.Name))
	case strings.TrimSpace(*c.Name) != *c.Name:
		return App{}, fmt.Errorf("field config.name: %q has leading or trailing whitespace; remove it", *c.Name)
	}
	app.Name = *c.Name
	switch {
	case c.Description == nil || *c.Description == "":
		return App{}, errors.New("field config.description: missing; describe the app (≤8192 characters)")
	case len(*c.Description) > 8192:
		return App{}, fmt.Errorf("field config.description: %d characters; the limit is 8192", len(*c.Description))
	}
	app.Description = *c.Description
	if c.Distribution == nil {
		return App{}, errors.New(`field config.distribution: missing; use "marketplace" or "private"`)
	}
	if d := *c.Distribution; d != hubspot.DistributionMarketplace && d != hubspot.DistributionPrivate {
		return App{}, fmt.Errorf(`field config.distribution: %q is not "marketplace" or "private"`, d)
	}
	app.Distribution = *c.Distribution
	a := c.Auth
	if a == nil {
		return App{}, errors.New(`field config.auth: missing; add {"type": "oauth", "redirectUrls": [...], "requiredScopes": ["oauth"]}`)
	}
	if a.Type == nil {
		return App{}, errors.New(`field config.auth.type: missing; use "oauth" or "static"`)
	}
	if t := *a.Type; t != hubspot.AuthTypeOAuth && t != hubspot.AuthTypeStatic {
		return App{}, fmt.Errorf(`field config.auth.type: %q is not "oauth" or "static"`, t)
	}
	app.AuthType = *a.Type
	if app.AuthType == hubspot.AuthTypeOAuth && len(a.RedirectURLs) == 0 {
		return App{}, errors.New(`field config.auth.redirectUrls: missing or empty; OAuth apps need at least one, e.g. ["http://localhost:3000/oauth-callback"]`)
	}
	for i, r := range a.RedirectURLs {
		if err := hubspot.CheckRedirectURL(r); err != nil {
			return App{}, fmt.Errorf("field config.auth.redirectUrls[%d]: %w", i, err)
		}
	}
	app.RedirectURLs = a.RedirectURLs
	seen := map[string]string{}
	for _, list := range []struct {
		field  string
		scopes []string
	}{
		{"requiredScopes", a.RequiredScopes},
		{"optionalScopes", a.OptionalScopes},
		{"conditionallyRequiredScopes", a.ConditionallyRequiredScopes},
	} {
		for i, s := range list.scopes {
			if !KnownScope(s) {
				return App{}, fmt.Errorf("field config.auth.%s[%d]: %q is not a HubSpot scope; check the spelling against %s", list.field, i, s, hubspot.ScopesURL)
			}
			if prev, ok := seen[s]; ok {
				return App{}, fmt.Errorf("field config.auth.%s[%d]: %q is already in %s; a scope belongs to one list", list.field, i, s, prev)
			}
			seen[s] = list.field
		}
	}
	if app.AuthType == hubspot.AuthTypeStatic {
		if app.Distribution != hubspot.DistributionPrivate {
			return App{}, errors.New(`field config.distribution: static-auth apps must be "private"`)
		}
		if len(a.OptionalScopes)+len(a.ConditionallyRequiredScopes) > 0 {
			return App{}, errors.New("field config.auth.optionalScopes: static-auth apps can only define required scopes")
		}
	}
	app.RequiredScopes = a.RequiredScopes
	app.OptionalScopes = a.OptionalScopes
	app.ConditionallyRequiredScopes = a.ConditionallyRequiredScopes
	return app, nil
}

// describeJSONError turns a decoding error into one that names the line and column or the
// field.
func describeJSONError(data []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		// Offset counts the bytes read, the offending one included.
		line, col := lineCol(data, syn.Offset-1)
		return fmt.Errorf("line %d, column %d: invalid JSON: %w", line, col, err)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		field := typ.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("field %s: is a JSON %s, want %s", field, typ.Value, jsonKind(typ.Type.String()))
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array of strings"
	case goType == "string" || goType == "*string":
		return "a string"
	default:
		return "an object"
	}
}

func lineCol(data []byte, offset int64) (line, col int) {
	offset = max(0, min(offset, int64(len(data))))
	line, col = 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
