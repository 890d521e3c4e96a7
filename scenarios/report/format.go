package report

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/hsemu/hsemu/scenarios"
)

// Format is a report format.
type Format string

// The report formats, each with the writer that produces it.
const (
	FormatText     Format = "text"     // for people, on a terminal (Text)
	FormatJSON     Format = "json"     // for machines (JSON, described by JSONSchema)
	FormatJUnit    Format = "junit"    // JUnit XML for CI test reporters (JUnit)
	FormatMarkdown Format = "markdown" // GitHub-flavoured Markdown for CI job summaries (Markdown)
)

// Formats lists every format, in the order help texts show them.
var Formats = []Format{FormatText, FormatJSON, FormatJUnit, FormatMarkdown}

// ParseFormat reads a format name; "md" and "xml" are accepted for markdown and junit.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "text", "txt":
		return FormatText, nil
	case "json":
		return FormatJSON, nil
	case "junit", "xml":
		return FormatJUnit, nil
	case "markdown", "md":
		return FormatMarkdown, nil
	}
	return "", fmt.Errorf("unknown report format %q: use text, json, junit or markdown", s)
}

// FormatForPath infers a format from a file name's extension: .json, .xml (JUnit), .md or
// .markdown, .txt or .log (text). It reports false for any other name.
func FormatForPath(path string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return FormatJSON, true
	case ".xml":
		return FormatJUnit, true
	case ".md", ".markdown":
		return FormatMarkdown, true
	case ".txt", ".log", ".text":
		return FormatText, true
	}
	return "", false
}

// Options tune Write.
type Options struct {
	Text     TextOptions
	Markdown MarkdownOptions
}

// Write renders rep, judged under v (the zero Verdict when there is no expect-fail file), in
// format f. The text format is Text followed by ExpectationsText.
func Write(w io.Writer, f Format, rep *scenarios.RunReport, v Verdict, opts Options) error {
	switch f {
	case FormatText:
		opts.Text.Expect = v
		if err := Text(w, rep, opts.Text); err != nil {
			return err
		}
		return ExpectationsText(w, rep, v)
	case FormatJSON:
		return JSON(w, rep, v)
	case FormatJUnit:
		return JUnit(w, rep, v)
	case FormatMarkdown:
		return Markdown(w, rep, v, opts.Markdown)
	}
	return fmt.Errorf("unknown report format %q: use text, json, junit or markdown", f)
}

// List writes the checks a run would decide, without running them — what `hsemu check --list`
// shows after --profile, --only and --skip have selected them. Text is one line per check
// (level, ID, title) grouped by the catalogue's groups, with a total; JSON is an array of {id,
// level, flow (the group), scenario, title}; Markdown is a table. JUnit has no shape for a plan
// and is refused.
func List(w io.Writer, f Format, checks []scenarios.Check) error {
	ew := &errWriter{w: w}
	switch f {
	case FormatText:
		group := scenarios.Group("")
		for _, c := range checks {
			if c.Group != group {
				group = c.Group
				ew.printf("%s\n", group)
			}
			ew.printf("  %-6s %-48s %s\n", c.Level, c.ID, c.Title)
		}
		ew.printf("%d checks would run\n", len(checks))
	case FormatMarkdown:
		ew.printf("| level | check | flow | title |\n|---|---|---|---|\n")
		for _, c := range checks {
			ew.printf("| %s | %s | %s | %s |\n", mdText(string(c.Level)), mdCode(c.ID, true), mdText(string(c.Group)), mdText(c.Title))
		}
		ew.printf("\n%d checks would run.\n", len(checks))
	case FormatJSON:
		type item struct {
			ID       string `json:"id"`
			Level    string `json:"level"`
			Flow     string `json:"flow"`
			Scenario string `json:"scenario"`
			Title    string `json:"title"`
		}
		items := make([]item, 0, len(checks)) // never nil: an empty list is [] in JSON
		for _, c := range checks {
			items = append(items, item{c.ID, string(c.Level), string(c.Group), string(c.Scenario), c.Title})
		}
		enc := json.NewEncoder(ew)
		enc.SetIndent("", "  ")
		if err := enc.Encode(items); err != nil && ew.err == nil {
			return fmt.Errorf("writing the check list: %w", err)
		}
	default:
		return fmt.Errorf("--list writes text, json or markdown, not %s", f)
	}
	return ew.err
}
