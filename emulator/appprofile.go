package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// project is what hsemu reads of a HubSpot project's hsproject.json
// (`{"name": …, "srcDir": "src", "platformVersion": "2026.03"}`).
type project struct {
	root            string // the directory of hsproject.json; "" when none was found
	srcDir          string // default "src"
	platformVersion string
}

// readProject reads dir/hsproject.json; a missing or unreadable one gives the defaults.
func readProject(dir string) project {
	p := project{srcDir: "src"}
	data, err := readBounded(filepath.Join(dir, "hsproject.json"), maxAppConfigSize)
	if err != nil {
		return p
	}
	var raw struct {
		SrcDir          string `json:"srcDir"`
		PlatformVersion string `json:"platformVersion"`
	}
	if json.Unmarshal(data, &raw) != nil {
		return p
	}
	p.root, p.platformVersion = dir, raw.PlatformVersion
	if raw.SrcDir != "" {
		p.srcDir = raw.SrcDir
	}
	return p
}

// findProject finds the project an app component file belongs to: the nearest directory above
// it with an hsproject.json.
func findProject(file string) project {
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return project{srcDir: "src"}
	}
	for {
		if p := readProject(dir); p.root != "" {
			if !filepath.IsAbs(file) {
				p.root = relToWorkDir(p.root)
			}
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return project{srcDir: "src"}
		}
		dir = parent
	}
}

// relToWorkDir names dir relative to the working directory when it can, as the user gave it.
func relToWorkDir(dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	if rel, err := filepath.Rel(wd, dir); err == nil {
		return rel
	}
	return dir
}

// profileDirs are where hsprofile.<name>.json files are looked for: the srcDir (HubSpot's
// build-with-config-profiles docs), then the project root.
func (p project) profileDirs() []string {
	if p.root == "" {
		return nil
	}
	return []string{filepath.Join(p.root, p.srcDir), p.root}
}

// profileFiles lists the hsprofile.*.json files of the project.
func (p project) profileFiles() []string {
	var files []string
	for _, dir := range p.profileDirs() {
		matches, _ := filepath.Glob(filepath.Join(dir, "hsprofile.*.json"))
		files = append(files, matches...)
	}
	return files
}

// profileVars are a config profile's variables, or (name "") the profiles a file could use.
type profileVars struct {
	name  string
	file  string
	vars  map[string]string
	found []string // with no profile: the hsprofile.*.json files of the project
}

var profileName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// profile reads hsprofile.<name>.json; with name "" it lists the profiles found.
func (p project) profile(name string) (*profileVars, error) {
	if name == "" {
		return &profileVars{found: p.profileFiles()}, nil
	}
	if !profileName.MatchString(name) {
		return nil, fmt.Errorf("config profile %q: a profile name is letters, digits, _ and -", name)
	}
	if p.root == "" {
		return nil, fmt.Errorf("config profile %q: no hsproject.json above the app config; a profile belongs to a HubSpot project", name)
	}
	base := "hsprofile." + name + ".json"
	for _, dir := range p.profileDirs() {
		file := filepath.Join(dir, base)
		data, err := readBounded(file, maxAppConfigSize)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("config profile %s: %w", file, err)
		}
		vars, err := parseProfile(data)
		if err != nil {
			return nil, fmt.Errorf("config profile %s: %w", file, err)
		}
		return &profileVars{name: name, file: file, vars: vars}, nil
	}
	return nil, fmt.Errorf("config profile %q: no %s in %s; profiles found: %s", name, base, strings.Join(p.profileDirs(), " or "), listOrNone(p.profileFiles()))
}

// parseProfile decodes an hsprofile.<name>.json: `{"accountId": 123, "variables": {"KEY":
// "value"}}`. Variables are strings, numbers or booleans.
func parseProfile(data []byte) (map[string]string, error) {
	var raw struct {
		Variables map[string]json.RawMessage `json:"variables"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, describeJSONError(data, err)
	}
	vars := make(map[string]string, len(raw.Variables))
	for k, v := range raw.Variables {
		var s string
		if json.Unmarshal(v, &s) == nil {
			vars[k] = s
			continue
		}
		t := string(bytes.TrimSpace(v))
		if _, err := strconv.ParseFloat(t, 64); err == nil || t == "true" || t == "false" {
			vars[k] = t
			continue
		}
		return nil, fmt.Errorf("field variables.%s: is %s, want a string, number or boolean", k, t)
	}
	return vars, nil
}

func listOrNone(files []string) string {
	if len(files) == 0 {
		return "none"
	}
	return strings.Join(files, ", ")
}

var varRef = regexp.MustCompile(`\$\{([^}]*)\}`)

// substituteVars replaces ${KEY} in every string value of the JSON document data by vars'
// values (JSON-aware: keys and non-string values are left alone, escapes are decoded first).
// Data with nothing to replace is returned as is, so its errors keep their positions.
func substituteVars(data []byte, vars *profileVars) ([]byte, error) {
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, describeJSONError(data, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, describeJSONError(data, err)
	}
	changed, err := substituteIn(&doc, "", vars)
	if err != nil || !changed {
		return data, err
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	return out, nil
}

// substituteIn walks v, replacing ${KEY} in strings; field is v's path (config.auth.redirectUrls[0]).
func substituteIn(v *any, field string, vars *profileVars) (bool, error) {
	switch x := (*v).(type) {
	case string:
		s, err := substituteString(x, field, vars)
		if err != nil || s == x {
			return false, err
		}
		*v = s
		return true, nil
	case []any:
		changed := false
		for i := range x {
			c, err := substituteIn(&x[i], fmt.Sprintf("%s[%d]", field, i), vars)
			if err != nil {
				return false, err
			}
			changed = changed || c
		}
		return changed, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		changed := false
		for _, k := range keys {
			sub := k
			if field != "" {
				sub = field + "." + k
			}
			e := x[k]
			c, err := substituteIn(&e, sub, vars)
			if err != nil {
				return false, err
			}
			x[k] = e
			changed = changed || c
		}
		return changed, nil
	}
	return false, nil
}

func substituteString(s, field string, vars *profileVars) (string, error) {
	if field == "" {
		field = "(top level)"
	}
	var err error
	out := varRef.ReplaceAllStringFunc(s, func(ref string) string {
		if err != nil {
			return ref
		}
		key := ref[2 : len(ref)-1]
		switch {
		case vars == nil || vars.name == "":
			var found []string
			if vars != nil {
				found = vars.found
			}
			err = fmt.Errorf("field %s: %s needs a config profile: pass --hs-profile NAME (or HSEMU_HS_PROFILE) for hsprofile.NAME.json; profiles found: %s", field, ref, listOrNone(found))
		default:
			v, ok := vars.vars[key]
			if !ok {
				err = fmt.Errorf("field %s: %s is not a variable of profile %q (%s); add %q to its \"variables\"", field, ref, vars.name, vars.file, key)
				return ref
			}
			return v
		}
		return ref
	})
	return out, err
}
