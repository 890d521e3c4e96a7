package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/scenarios"
)

// schemaValidator checks a document against the subset of JSON Schema that JSONSchema uses:
// type, required, properties, items, enum, const, minimum, minLength, format (date, date-time)
// and $ref into $defs. It refuses schema keywords it does not know, so that the schema cannot
// grow a rule this test silently ignores. With closed set, properties the schema does not declare
// are errors too: every field the report writes must be documented.
type schemaValidator struct {
	root   map[string]any
	closed bool
}

var knownKeywords = map[string]bool{
	"$schema": true, "$id": true, "title": true, "$defs": true, "type": true, "required": true,
	"properties": true, "items": true, "enum": true, "const": true, "minimum": true,
	"minLength": true, "format": true, "$ref": true,
}

func (sv schemaValidator) validate(schema map[string]any, doc any, at string) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	for k := range schema {
		if !knownKeywords[k] {
			return []string{fmt.Sprintf("%s: the schema uses %q, which this validator does not implement", at, k)}
		}
	}
	if ref, ok := schema["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/$defs/")
		def, ok := sv.root["$defs"].(map[string]any)[name].(map[string]any)
		if !found || !ok {
			return []string{fmt.Sprintf("%s: $ref %q does not resolve", at, ref)}
		}
		return sv.validate(def, doc, at)
	}
	if typ, ok := schema["type"]; ok && !hasType(typ, doc) {
		bad("%T %v is not of type %v", doc, doc, typ)
		return errs
	}
	if c, ok := schema["const"]; ok && !jsonEqual(c, doc) {
		bad("%v is not the constant %v", doc, c)
	}
	if enum, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || jsonEqual(e, doc)
		}
		if !found {
			bad("%v is not one of %v", doc, enum)
		}
	}
	if min, ok := schema["minimum"].(json.Number); ok {
		if n, ok := doc.(json.Number); ok {
			nf, _ := n.Float64()
			mf, _ := min.Float64()
			if nf < mf {
				bad("%v is below the minimum %v", n, min)
			}
		}
	}
	if s, ok := doc.(string); ok {
		if ml, ok := schema["minLength"].(json.Number); ok {
			if n, _ := ml.Int64(); int64(len([]rune(s))) < n {
				bad("%q is shorter than %d", s, n)
			}
		}
		switch schema["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				bad("%q is not an RFC 3339 date-time", s)
			}
		case "date":
			if _, err := time.Parse("2006-01-02", s); err != nil {
				bad("%q is not a date", s)
			}
		}
	}
	if obj, ok := doc.(map[string]any); ok {
		for _, r := range asSlice(schema["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				bad("required field %q is missing", r)
			}
		}
		props, _ := schema["properties"].(map[string]any)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if sv.closed {
					bad("field %q is not declared in the schema", k)
				}
				continue
			}
			errs = append(errs, sv.validate(ps, obj[k], at+"."+k)...)
		}
	}
	if arr, ok := doc.([]any); ok {
		if items, ok := schema["items"].(map[string]any); ok {
			for i, el := range arr {
				errs = append(errs, sv.validate(items, el, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func hasType(typ any, doc any) bool {
	if list, ok := typ.([]any); ok {
		for _, t := range list {
			if hasType(t, doc) {
				return true
			}
		}
		return false
	}
	switch typ {
	case "object":
		_, ok := doc.(map[string]any)
		return ok
	case "array":
		_, ok := doc.([]any)
		return ok
	case "string":
		_, ok := doc.(string)
		return ok
	case "boolean":
		_, ok := doc.(bool)
		return ok
	case "null":
		return doc == nil
	case "number":
		_, ok := doc.(json.Number)
		return ok
	case "integer":
		n, ok := doc.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Int64()
		return err == nil
	}
	return false
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func decodeJSON(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	return v
}

func loadSchema(t *testing.T) schemaValidator {
	t.Helper()
	root, ok := decodeJSON(t, []byte(JSONSchema)).(map[string]any)
	if !ok {
		t.Fatal("JSONSchema is not an object")
	}
	return schemaValidator{root: root, closed: true}
}

// jsonReports are the reports the schema test renders: every status, a strict run, several
// targets, expectations with every problem kind, and an empty run.
func jsonReports() map[string]struct {
	rep *scenarios.RunReport
	v   Verdict
} {
	mixed := mixedReport()
	strict := mixedReport()
	strict.Strict = true
	multi := mixedReport()
	multi.Targets = append(multi.Targets, "https://b.example.com/install")
	multi.Results = append(multi.Results, result("https://b.example.com/install", cReturns, passed("returned")))
	xf := mixedReport()
	xv := applyExpectations(xf, Expectations{
		entry(cReturns.ID, day(2026, 12, 31), 1),
		entry(cSingle.ID, day(2026, 1, 1), 2),
		entry(cExchanges.ID, day(2026, 12, 31), 3),
		entry("no/such", day(2026, 12, 31), 4),
		entry(cBudget.ID, day(2026, 12, 31), 5),
	}, day(2026, 6, 1), catalogue(cReturns.ID, cSingle.ID, cExchanges.ID, cBudget.ID))
	return map[string]struct {
		rep *scenarios.RunReport
		v   Verdict
	}{
		"mixed":        {mixed, Verdict{}},
		"strict":       {strict, Verdict{}},
		"two targets":  {multi, Verdict{}},
		"expectations": {xf, xv},
		"empty":        {&scenarios.RunReport{}, Verdict{}},
		"causes":       {causeReport(), Verdict{}},
	}
}

func TestJSONMatchesSchema(t *testing.T) {
	sv := loadSchema(t)
	for name, tc := range jsonReports() {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JSON(&b, tc.rep, tc.v); err != nil {
				t.Fatal(err)
			}
			doc := decodeJSON(t, b.Bytes())
			if errs := sv.validate(sv.root, doc, "$"); len(errs) > 0 {
				t.Errorf("the report breaks its schema:\n%s\n%s", strings.Join(errs, "\n"), b.String())
			}
		})
	}
}

// TestSchemaValidatorRejects proves the validator can fail: each broken document must be
// refused with the error named.
func TestSchemaValidatorRejects(t *testing.T) {
	sv := loadSchema(t)
	var b bytes.Buffer
	if err := JSON(&b, mixedReport(), Verdict{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		break_ func(doc map[string]any)
		want   string
	}{
		{"missing schemaVersion", func(d map[string]any) { delete(d, "schemaVersion") }, `required field "schemaVersion" is missing`},
		{"wrong version", func(d map[string]any) { d["schemaVersion"] = json.Number("2") }, "not the constant 1"},
		{"string count", func(d map[string]any) { d["counts"].(map[string]any)["fail"] = "1" }, "$.counts.fail: string"},
		{"fractional exit code", func(d map[string]any) { d["exitCode"] = json.Number("1.5") }, "$.exitCode"},
		{"bad status", func(d map[string]any) {
			d["results"].([]any)[0].(map[string]any)["status"] = "ok"
		}, `$.results[0].status: ok is not one of`},
		{"missing id in a result", func(d map[string]any) { delete(d["results"].([]any)[1].(map[string]any), "id") }, `$.results[1]: required field "id"`},
		{"undocumented field", func(d map[string]any) { d["extra"] = true }, `field "extra" is not declared`},
		{"bad timestamp", func(d map[string]any) { d["started"] = "yesterday" }, "not an RFC 3339 date-time"},
		{"hop without url", func(d map[string]any) {
			delete(d["results"].([]any)[1].(map[string]any)["transcript"].([]any)[0].(map[string]any), "url")
		}, `transcript[0]: required field "url"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := decodeJSON(t, b.Bytes()).(map[string]any)
			tt.break_(doc)
			errs := sv.validate(sv.root, doc, "$")
			if !strings.Contains(strings.Join(errs, "\n"), tt.want) {
				t.Errorf("errors %q do not say %q", errs, tt.want)
			}
		})
	}
	if errs := sv.validate(map[string]any{"oneOf": []any{}}, nil, "$"); len(errs) == 0 {
		t.Error("an unknown schema keyword was accepted")
	}
}

func TestJSONContent(t *testing.T) {
	rep := mixedReport()
	v := applyExpectations(rep, Expectations{entry(cReturns.ID, day(2026, 12, 31), 7)}, day(2026, 6, 1), catalogue(cReturns.ID))
	var b bytes.Buffer
	if err := JSON(&b, rep, v); err != nil {
		t.Fatal(err)
	}
	var got jsonReport
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.SchemaVersion != scenarios.SchemaVersion || got.Profile != "listing" || got.DurationMs != 1500 {
		t.Errorf("header = version %d profile %s duration %d; want %d listing 1500", got.SchemaVersion, got.Profile, got.DurationMs, scenarios.SchemaVersion)
	}
	if got.Started != "2026-03-14T09:26:53Z" {
		t.Errorf("started = %s; want 2026-03-14T09:26:53Z", got.Started)
	}
	// The MUST failure is expected; the error decides the run.
	if got.Verdict != "error" || got.ExitCode != ExitError {
		t.Errorf("verdict %s exit %d; want error 2", got.Verdict, got.ExitCode)
	}
	wantCounts := jsonCounts{Total: 6, Pass: 1, Fail: 0, Warn: 1, Error: 1, Skip: 2, ExpectedFailures: 1}
	if got.Counts != wantCounts {
		t.Errorf("counts = %+v; want %+v", got.Counts, wantCounts)
	}
	byID := map[string]jsonResult{}
	for _, r := range got.Results {
		byID[r.ID] = r
	}
	x := byID[cReturns.ID]
	if x.Label != "XFAIL" || x.Status != "fail" || x.FailsRun || x.Expectation == nil || x.Expectation.Line != 7 || x.Expectation.Until != "2026-12-31" {
		t.Errorf("expected failure = %+v; want label XFAIL, status fail, not failing the run, its entry", x)
	}
	if len(x.Transcript) != 3 || x.Transcript[0].Context != "frame" || x.Transcript[0].Location != "https://app.example.com/install?step=finalize" ||
		x.Transcript[2].Error != "hop timed out" || x.Transcript[2].Status != 0 {
		t.Errorf("transcript = %+v", x.Transcript)
	}
	if p := byID[cExchanges.ID]; p.Transcript != nil || p.Label != "PASS" {
		t.Errorf("a pass = %+v; want PASS without a transcript", p)
	}
	if w := byID[cSingle.ID]; w.Label != "WARN" || w.FailsRun {
		t.Errorf("a SHOULD failure = %+v; want WARN, not failing the run", w)
	}
	if got.Expectations == nil || len(got.Expectations.Expected) != 1 || len(got.Expectations.Problems) != 0 {
		t.Errorf("expectations = %+v; want one expected entry", got.Expectations)
	}
}

// TestJSONFieldsDocumented holds the JSON doc comment to the schema: every property the
// schema declares is named in the comment above JSON.
func TestJSONFieldsDocumented(t *testing.T) {
	src, err := os.ReadFile("json.go")
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(src, []byte("// JSON writes the report"))
	end := bytes.Index(src, []byte("func JSON("))
	if start < 0 || end < start {
		t.Fatal("cannot find the JSON doc comment in json.go")
	}
	comment := string(src[start:end])
	var walk func(schema map[string]any)
	walk = func(schema map[string]any) {
		props, _ := schema["properties"].(map[string]any)
		for name, p := range props {
			if !strings.Contains(comment, name) {
				t.Errorf("field %q is in the schema but not in JSON's doc comment", name)
			}
			if m, ok := p.(map[string]any); ok {
				walk(m)
			}
		}
	}
	sv := loadSchema(t)
	walk(sv.root)
	for _, def := range sv.root["$defs"].(map[string]any) {
		walk(def.(map[string]any))
	}
}
