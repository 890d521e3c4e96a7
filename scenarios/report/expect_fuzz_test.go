package report

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzParseExpectations reads fuzzed expect-fail files: no panic; an accepted entry has an ID
// that is no pattern, a date, a reason and its line, no ID twice; the entries written back one
// per line read the same. And an entry written from a fuzzed ID and reason reads back with that
// reason exactly, unless the reason holds what the format reserves (a '#' after white space).
func FuzzParseExpectations(f *testing.F) {
	f.Add([]byte("# known failures\npartner/state/replayed      2026-12-31  replay protection ships in v2.3 (JIRA-123)\n\nseamless/install/within-budget 2026-09-30 staging is slow # a comment\n"), "listing/app/has-icon", "fixed in v2.3#4 (see  #5)")
	f.Add([]byte("a 2026-02-30 bad date\nb\t2026-01-01\tno\ttabs\r\n"), "a/b/c", "reason")
	f.Add([]byte("x 2026-01-01 one\nx 2026-01-02 two\n"), "x", "Å#not a comment")
	f.Add([]byte("partner/* 2026-01-01 pattern\n#only\n   \n"), "p?", "\u00a0#nbsp")
	f.Add([]byte("id 2026-01-01\nid2 20260101 r\n\xff\xfe 2026-01-01 \x00"), "\xff", "\x85#")
	f.Fuzz(func(t *testing.T, data []byte, id, reason string) {
		exp, err := ParseExpectations(strings.NewReader(string(data)))
		if err == nil {
			checkExpectations(t, exp)
			var b strings.Builder
			for _, e := range exp {
				fmt.Fprintf(&b, "%s %s %s\n", e.ID, e.Date(), e.Reason)
			}
			again, err := ParseExpectations(strings.NewReader(b.String()))
			if err != nil {
				t.Fatalf("accepted entries do not read back: %v\n%s", err, b.String())
			}
			if len(again) != len(exp) {
				t.Fatalf("%d entries read back from %d", len(again), len(exp))
			}
			for i := range exp {
				a, e := again[i], exp[i]
				if a.ID != e.ID || !a.Until.Equal(e.Until) || a.Reason != e.Reason || a.Line != i+1 {
					t.Fatalf("entry %d reads back as %+v; want %+v", i, a, e)
				}
			}
		} else if !strings.HasPrefix(err.Error(), "line ") {
			t.Fatalf("error %q names no line", err)
		}

		// A single entry from its parts.
		reason = strings.TrimSpace(reason)
		if id == "" || reason == "" || strings.ContainsAny(id+reason, "\n\r") || len(strings.Fields(id)) != 1 || id != strings.TrimSpace(id) ||
			strings.ContainsAny(id, "*?[#") || reservedHash(reason) {
			return
		}
		line := id + "  2026-12-31\t" + reason
		one, err := ParseExpectations(strings.NewReader(line))
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if len(one) != 1 || one[0].ID != id || one[0].Reason != reason || one[0].Date() != "2026-12-31" {
			t.Fatalf("%q reads as %+v; want ID %q, reason %q", line, one, id, reason)
		}
	})
}

// reservedHash reports whether s holds a '#' that follows white space: the start of a comment.
func reservedHash(s string) bool {
	prev := ' '
	for _, r := range s {
		if r == '#' && isWhite(prev) {
			return true
		}
		prev = r
	}
	return false
}

// isWhite is the white space that separates the fields of an entry (strings.Fields).
func isWhite(r rune) bool { return len(strings.Fields(string(r))) == 0 }

// checkExpectations asserts what ParseExpectations promises of the entries it accepts.
func checkExpectations(t *testing.T, exp Expectations) {
	t.Helper()
	seen := map[string]bool{}
	last := 0
	for _, e := range exp {
		switch {
		case e.ID == "" || strings.ContainsAny(e.ID, "*?[") || len(strings.Fields(e.ID)) != 1:
			t.Fatalf("accepted ID %q", e.ID)
		case seen[e.ID]:
			t.Fatalf("accepted %s twice", e.ID)
		case e.Reason == "" || e.Reason != strings.TrimSpace(e.Reason):
			t.Fatalf("accepted reason %q", e.Reason)
		case e.Until.Format(dateLayout) != e.Date() || e.Until.Location() != time.UTC:
			t.Fatalf("accepted date %v", e.Until)
		case e.Line <= last:
			t.Fatalf("line %d after line %d", e.Line, last)
		}
		seen[e.ID], last = true, e.Line
	}
}
