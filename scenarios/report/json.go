package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/hsemu/hsemu/scenarios"
)

// JSON writes the report for machines. The document is one object, versioned by schemaVersion
// (scenarios.SchemaVersion); a field's meaning never changes within a version, and new fields
// may be added. JSONSchema describes it. Field by field:
//
//	schemaVersion  integer  scenarios.SchemaVersion (1)
//	tool           string   "hsemu"
//	started        string   when the run started, RFC 3339 with nanoseconds
//	finished       string   when it finished, RFC 3339 with nanoseconds
//	durationMs     integer  finished − started, in milliseconds
//	profile        string   "dev" or "listing"
//	strict         boolean  SHOULD failures fail the run (--strict)
//	targets        [string] the targets' names (install URLs unless named)
//	verdict        string   "pass", "fail" or "error" — the exit code's meaning
//	exitCode       integer  0 pass, 1 fail, 2 error (see ExitCode)
//	counts         object   total, pass, fail, warn, error, skip, expectedFailures (integers);
//	                        a SHOULD failure counts as warn unless strict; an expected failure
//	                        counts only as expectedFailures
//	results        [object] one per check and target, in catalogue order:
//	  target       string   the target's name
//	  id           string   the check ID, stable across versions (partner/state/tampered)
//	  title        string   one line saying what the check checks
//	  level        string   "MUST", "SHOULD" or "MANUAL"
//	  flow         string   the check's group (scenarios.Group): seamless, partner, connect,
//	                        webhooks, robust or listing
//	  scenario     string   the ID of the scenario whose run decided the check
//	  status       string   pass, fail, error or skip (pending/running only if the run was cut short)
//	  label        string   what the text report shows: PASS, FAIL, WARN, ERROR, SKIP, MANUAL or XFAIL
//	  failsRun     boolean  this result alone makes the run fail (a failed MUST, or SHOULD under
//	                        strict, not an expected failure)
//	  requirement  string   the sentence the check enforces
//	  source       string   where the requirement comes from (URL, RFC section)
//	  fix          string   what to change when it fails: the check's fix, or the result's own
//	                        when its cause is not the endpoint (a set-up mistake has its own)
//	  cause        string   only when the verdict is not the endpoint's doing: "setup" (hsemu's
//	                        or the app's configuration), "engine" (the browser engine cannot
//	                        decide), "down" (the endpoint stopped answering earlier in the run)
//	                        or "emulator" (the app called an API the emulator lacks)
//	  expected     string   what HubSpot expects (may be empty)
//	  got          string   what happened; for a skip or an error, why
//	  hops         [int]    the hop numbers that show the verdict (empty: all of the transcript)
//	  durationMs   integer  how long the deciding scenario ran
//	  expectation  object   only for XFAIL: {line, until (YYYY-MM-DD), reason} from the file
//	  transcript   [object] only for results that are not PASS or SKIP: the scenario's hops,
//	                        each {seq, step, context ("window" or "frame"), how, method, url,
//	                        status (0 when no response), location, durationMs, error, cut,
//	                        script, blocked}: script is what the page's script did on that hop
//	                        and blocked why the browser refused to show it (chromium engine)
//	                        Texts an endpoint can make long are cut, ending in "… [cut: 8.9 MB
//	                        more]": expected and got past 4 KiB, a hop's url, location and
//	                        error past 2 KiB. A hop whose record the browser kept short has
//	                        cut, saying what it left out ("body 8.9 MB, headers 120 KB").
//	expectations   object   only with --expect-fail: {expected: [entry], problems: [entry with
//	                        kind ("expired", "stale" or "unknown") and message], unexercised:
//	                        [entry]}; an entry is {id, line, until, reason}
func JSON(w io.Writer, rep *scenarios.RunReport, v Verdict) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(jsonOf(rep, v)); err != nil {
		return fmt.Errorf("writing the JSON report: %w", err)
	}
	return nil
}

type jsonReport struct {
	SchemaVersion int               `json:"schemaVersion"`
	Tool          string            `json:"tool"`
	Started       string            `json:"started"`
	Finished      string            `json:"finished"`
	DurationMs    int64             `json:"durationMs"`
	Profile       string            `json:"profile"`
	Strict        bool              `json:"strict"`
	Targets       []string          `json:"targets"`
	Verdict       string            `json:"verdict"`
	ExitCode      int               `json:"exitCode"`
	Counts        jsonCounts        `json:"counts"`
	Results       []jsonResult      `json:"results"`
	Expectations  *jsonExpectations `json:"expectations,omitempty"`
}

type jsonCounts struct {
	Total            int `json:"total"`
	Pass             int `json:"pass"`
	Fail             int `json:"fail"`
	Warn             int `json:"warn"`
	Error            int `json:"error"`
	Skip             int `json:"skip"`
	ExpectedFailures int `json:"expectedFailures"`
}

type jsonResult struct {
	Target      string     `json:"target"`
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Level       string     `json:"level"`
	Flow        string     `json:"flow"`
	Scenario    string     `json:"scenario"`
	Status      string     `json:"status"`
	Label       string     `json:"label"`
	FailsRun    bool       `json:"failsRun"`
	Requirement string     `json:"requirement"`
	Source      string     `json:"source"`
	Fix         string     `json:"fix"`
	Cause       string     `json:"cause,omitempty"`
	Expected    string     `json:"expected"`
	Got         string     `json:"got"`
	Hops        []int      `json:"hops"`
	DurationMs  int64      `json:"durationMs"`
	Expectation *jsonEntry `json:"expectation,omitempty"`
	Transcript  []jsonHop  `json:"transcript,omitempty"`
}

type jsonHop struct {
	Seq        int    `json:"seq"`
	Step       string `json:"step"`
	Context    string `json:"context"`
	How        string `json:"how"`
	Method     string `json:"method"`
	URL        string `json:"url"`
	Status     int    `json:"status"`
	Location   string `json:"location,omitempty"`
	DurationMs int64  `json:"durationMs"`
	Error      string `json:"error,omitempty"`
	Cut        string `json:"cut,omitempty"`
	// Script is what the page's script did on this hop (a real-browser engine only).
	Script string `json:"script,omitempty"`
	// Blocked is why the browser refused to show the page (a real-browser engine only).
	Blocked string `json:"blocked,omitempty"`
}

type jsonEntry struct {
	ID      string `json:"id"`
	Line    int    `json:"line"`
	Until   string `json:"until"`
	Reason  string `json:"reason"`
	Kind    string `json:"kind,omitempty"`
	Message string `json:"message,omitempty"`
}

type jsonExpectations struct {
	Expected    []jsonEntry `json:"expected"`
	Problems    []jsonEntry `json:"problems"`
	Unexercised []jsonEntry `json:"unexercised"`
}

func jsonOf(rep *scenarios.RunReport, v Verdict) jsonReport {
	code := ExitCode(rep, v, rep.Strict)
	t := Count(rep, v)
	out := jsonReport{
		SchemaVersion: rep.SchemaVersion,
		Tool:          "hsemu",
		Started:       rep.Started.Format(time.RFC3339Nano),
		Finished:      rep.Finished.Format(time.RFC3339Nano),
		DurationMs:    rep.Finished.Sub(rep.Started).Milliseconds(),
		Profile:       string(rep.Profile),
		Strict:        rep.Strict,
		Targets:       append([]string{}, rep.Targets...),
		Verdict:       map[int]string{ExitPass: "pass", ExitFail: "fail", ExitError: "error"}[code],
		ExitCode:      code,
		Counts: jsonCounts{
			Total: t.Total, Pass: t.Pass, Fail: t.Fail, Warn: t.Warn, Error: t.Error,
			Skip: t.Skip, ExpectedFailures: t.XFail,
		},
		Results: []jsonResult{},
	}
	if out.SchemaVersion == 0 {
		out.SchemaVersion = scenarios.SchemaVersion
	}
	if out.Profile == "" {
		out.Profile = string(scenarios.ProfileDev)
	}
	for _, res := range rep.Results {
		label := Label(res, rep.Strict, v)
		jr := jsonResult{
			Target: res.Target, ID: res.Check.ID, Title: res.Check.Title, Level: string(res.Check.Level),
			Flow: string(res.Check.Group), Scenario: string(res.Check.Scenario), Status: res.Outcome.Status.String(),
			Label: label, FailsRun: res.Failing(rep.Strict) && label != "XFAIL",
			Requirement: res.Check.Requirement, Source: res.Check.Source, Fix: Fix(res), Cause: string(res.Outcome.Cause),
			Expected: clip(res.Outcome.Expected, maxGotBytes), Got: clip(res.Outcome.Got, maxGotBytes), Hops: append([]int{}, res.Outcome.Hops...),
			DurationMs: res.Duration.Milliseconds(),
		}
		if e, ok := v.Expectation(res); ok {
			je := entryJSON(e)
			jr.Expectation = &je
		}
		if label != "PASS" && label != "SKIP" {
			for _, h := range res.Transcript {
				jr.Transcript = append(jr.Transcript, hopJSON(h))
			}
		}
		out.Results = append(out.Results, jr)
	}
	if len(v.Expected)+len(v.Problems)+len(v.Unexercised) > 0 {
		x := &jsonExpectations{Expected: []jsonEntry{}, Problems: []jsonEntry{}, Unexercised: []jsonEntry{}}
		for _, e := range v.Expected {
			x.Expected = append(x.Expected, entryJSON(e))
		}
		for _, p := range v.Problems {
			je := entryJSON(p.Entry)
			je.Kind, je.Message = string(p.Kind), p.Message
			x.Problems = append(x.Problems, je)
		}
		for _, e := range v.Unexercised {
			x.Unexercised = append(x.Unexercised, entryJSON(e))
		}
		out.Expectations = x
	}
	return out
}

func entryJSON(e Expectation) jsonEntry {
	return jsonEntry{ID: e.ID, Line: e.Line, Until: e.Date(), Reason: e.Reason}
}

func hopJSON(h scenarios.HopRecord) jsonHop {
	j := jsonHop{
		Seq: h.Seq, Step: h.Step, Context: "window", How: string(h.How), Method: h.Method,
		Status: h.Status, DurationMs: h.Duration.Milliseconds(),
	}
	if h.Context.Framed {
		j.Context = "frame"
	}
	j.Script, j.Blocked = clip(h.Script, maxHopFieldBytes), clip(h.Blocked, maxHopFieldBytes)
	if h.URL != nil {
		j.URL = clip(h.URL.String(), maxHopFieldBytes)
	}
	if h.ResponseHeader != nil {
		j.Location = clip(h.ResponseHeader.Get("Location"), maxHopFieldBytes)
	}
	if h.Err != nil {
		j.Error = clip(h.Err.Error(), maxHopFieldBytes)
	}
	j.Cut = h.Cut.String()
	return j
}

// JSONSchema is the JSON Schema (draft 2020-12) of the JSON report, schema version 1.
const JSONSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://github.com/hsemu/hsemu/scenarios/report/schema/v1.json",
  "title": "hsemu check report",
  "type": "object",
  "required": ["schemaVersion", "tool", "started", "finished", "durationMs", "profile", "strict",
    "targets", "verdict", "exitCode", "counts", "results"],
  "properties": {
    "schemaVersion": {"type": "integer", "const": 1},
    "tool": {"type": "string", "const": "hsemu"},
    "started": {"type": "string", "format": "date-time"},
    "finished": {"type": "string", "format": "date-time"},
    "durationMs": {"type": "integer", "minimum": 0},
    "profile": {"type": "string", "enum": ["dev", "listing"]},
    "strict": {"type": "boolean"},
    "targets": {"type": "array", "items": {"type": "string"}},
    "verdict": {"type": "string", "enum": ["pass", "fail", "error"]},
    "exitCode": {"type": "integer", "enum": [0, 1, 2]},
    "counts": {
      "type": "object",
      "required": ["total", "pass", "fail", "warn", "error", "skip", "expectedFailures"],
      "properties": {
        "total": {"type": "integer", "minimum": 0},
        "pass": {"type": "integer", "minimum": 0},
        "fail": {"type": "integer", "minimum": 0},
        "warn": {"type": "integer", "minimum": 0},
        "error": {"type": "integer", "minimum": 0},
        "skip": {"type": "integer", "minimum": 0},
        "expectedFailures": {"type": "integer", "minimum": 0}
      }
    },
    "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
    "expectations": {
      "type": "object",
      "required": ["expected", "problems", "unexercised"],
      "properties": {
        "expected": {"type": "array", "items": {"$ref": "#/$defs/entry"}},
        "problems": {"type": "array", "items": {"$ref": "#/$defs/problem"}},
        "unexercised": {"type": "array", "items": {"$ref": "#/$defs/entry"}}
      }
    }
  },
  "$defs": {
    "result": {
      "type": "object",
      "required": ["target", "id", "title", "level", "flow", "scenario", "status", "label",
        "failsRun", "requirement", "source", "fix", "expected", "got", "hops", "durationMs"],
      "properties": {
        "target": {"type": "string"},
        "id": {"type": "string", "minLength": 1},
        "title": {"type": "string"},
        "level": {"type": "string", "enum": ["MUST", "SHOULD", "MANUAL"]},
        "flow": {"type": "string"},
        "scenario": {"type": "string"},
        "status": {"type": "string", "enum": ["pass", "fail", "error", "skip", "pending", "running"]},
        "label": {"type": "string", "enum": ["PASS", "FAIL", "WARN", "ERROR", "SKIP", "MANUAL", "XFAIL", "PENDING", "RUNNING"]},
        "failsRun": {"type": "boolean"},
        "requirement": {"type": "string"},
        "source": {"type": "string"},
        "fix": {"type": "string"},
        "cause": {"type": "string", "enum": ["setup", "engine", "down", "emulator"]},
        "expected": {"type": "string"},
        "got": {"type": "string"},
        "hops": {"type": "array", "items": {"type": "integer"}},
        "durationMs": {"type": "integer", "minimum": 0},
        "expectation": {"$ref": "#/$defs/entry"},
        "transcript": {"type": "array", "items": {"$ref": "#/$defs/hop"}}
      }
    },
    "hop": {
      "type": "object",
      "required": ["seq", "step", "context", "how", "method", "url", "status", "durationMs"],
      "properties": {
        "seq": {"type": "integer", "minimum": 0},
        "step": {"type": "string"},
        "context": {"type": "string", "enum": ["window", "frame"]},
        "how": {"type": "string"},
        "method": {"type": "string"},
        "url": {"type": "string"},
        "status": {"type": "integer", "minimum": 0},
        "location": {"type": "string"},
        "durationMs": {"type": "integer", "minimum": 0},
        "error": {"type": "string"},
        "cut": {"type": "string"},
        "script": {"type": "string"},
        "blocked": {"type": "string"}
      }
    },
    "entry": {
      "type": "object",
      "required": ["id", "line", "until", "reason"],
      "properties": {
        "id": {"type": "string", "minLength": 1},
        "line": {"type": "integer", "minimum": 1},
        "until": {"type": "string", "format": "date"},
        "reason": {"type": "string", "minLength": 1}
      }
    },
    "problem": {
      "type": "object",
      "required": ["id", "line", "until", "reason", "kind", "message"],
      "properties": {
        "id": {"type": "string", "minLength": 1},
        "line": {"type": "integer", "minimum": 1},
        "until": {"type": "string", "format": "date"},
        "reason": {"type": "string", "minLength": 1},
        "kind": {"type": "string", "enum": ["expired", "stale", "unknown"]},
        "message": {"type": "string", "minLength": 1}
      }
    }
  }
}
`
