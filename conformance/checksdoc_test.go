package conformance_test

import (
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/scenarios"
)

// changedRules are the rules that changed since the catalogue's first edition, by check ID
// (added checks are found by comparing the catalogue with the first edition). Append; never
// rewrite history.
var changedRules = []struct{ id, change string }{
	{"robust/unknown-step", "Asks only for an answer (no 5xx, no hang). It no longer asks a seamless endpoint to refuse an unknown step: HubSpot says of `step` in that flow \"You do not need to do anything with this parameter\". The \"no exchange\" rule moved to `robust/unknown-step-no-exchange` (SHOULD, partner sign-in only)."},
	{"partner/authorize/cookies-cross-site", "Judges only the cookies HubSpot's frame would send back to the install URL at finalize: a deletion (Max-Age=0 or an Expires in the past, as `res.clearCookie` sends) and a cookie for another host or path never fail it."},
	{"seamless/install/returns-to-hubspot", "A return made only by JavaScript (`window.location.href = returnUrl`, HubSpot's own sample) is an error of the http engine (\"cannot decide with this engine\"; run with a browser engine that runs JavaScript, `--engine chromium`), never a failure. So for partner/finalize/returns-to-hubspot, the exchange-fails, missing-code and reload checks and partner/state/*."},
	{"seamless/exchange-fails", "Also judges for framing every page shown in HubSpot's frame on the way back (an error page the frame may not show is a blank dialog); so do seamless/missing-code, seamless/reload, partner/exchange-fails and partner/state/*. The error page of bad input is judged by `robust/error-page-frameable`."},
	{"partner/state/tampered", "Needs evidence that the refusal was about the state: a control finalize with the genuine state of a fresh sign-in must exchange its code; an endpoint that refuses every state gets an error saying so, not a pass. A refused state whose user is not sent back gets the fix for the return, not for the lookup. So for partner/state/missing and partner/state/foreign (partner/state/replayed's control is its first install)."},
	{"partner/authorize/state-strength", "Entropy estimated by kind, and said to be an estimate: a UUIDv4 has 122 bits (not 144), a UUIDv7 74; a JWT counts only its claims that vary between samples (not its length). The 128-bit floor cites RFC 6749 §10.10. So for connect/state."},
	{"seamless/install/exchanges-code", "Marked as hsemu's inference (\"redirect_uri exactly the install URL\": HubSpot does not name the value in the install flow); its failing verdict says so. Every check now says whether its rule is HubSpot's words or hsemu's inference."},
	{"partner/state/replayed", "Marked as hsemu's inference (kept a MUST): HubSpot recommends a short expiry; RFC 9700 §4.2.4 says a used state SHOULD be invalidated. So for connect/state-single-use."},
	{"partner/authorize/returns-state", "Marked as hsemu's inference: HubSpot's text shows `${returnUrl}?state=${state}` while its code sample keeps returnUrl's own query; hsemu follows the code sample, and the verdict says the two disagree."},
}

// firstEditionIDs are the check IDs (or globs) of the first edition's tables; a row "a/b/c, /d"
// names a/b/c and a/b/d.
func firstEditionIDs(doc string) []string {
	var ids []string
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		first := strings.TrimSpace(strings.Split(line, "|")[1])
		if first == "ID" || first == "" || !strings.Contains(first, "/") {
			continue
		}
		parts := strings.Split(first, ", ")
		dir := path.Dir(parts[0])
		for i, p := range parts {
			if i > 0 && strings.HasPrefix(p, "/") {
				p = dir + p
			}
			ids = append(ids, strings.Trim(p, "`"))
		}
	}
	return ids
}

func inFirstEdition(id string, first []string) bool {
	for _, f := range first {
		if f == id {
			return true
		}
		if ok, _ := path.Match(f, id); ok {
			return true
		}
	}
	return false
}

// checksDoc is docs/checks.md: every check of the catalogue in full, then the changes since the
// first edition.
func checksDoc(first []string) string {
	var b strings.Builder
	b.WriteString(`<!-- Generated from the catalogue by go test ./conformance -run TestChecksDoc -update-readme; do not edit. -->

# The check catalogue

Every check hsemu decides, generated from the catalogue itself (a test keeps this file true).
The first edition, the design the catalogue started from, is docs/checks-first-edition.md; the
changes since are at the end. Check IDs never change meaning once released: checks are added,
never renamed.

- **Level**: MUST fails the run; SHOULD warns (fails under ` + "`--strict`" + `); MANUAL is for you to confirm.
- **Rule**: *documented* rules are HubSpot's words, or the cited RFC's or standard's;
  *hsemu's inference* is hsemu's reading where HubSpot's pages are silent or disagree. A failing
  verdict on an inferred rule says so and quotes what HubSpot documents.
- **Returns to HubSpot** means the browser ends at this request's returnUrl, by an HTTP redirect
  or a meta refresh, with the returnUrl's own query intact. A page that returns only by
  JavaScript cannot be decided by the http engine: such a verdict is an error of the engine
  ("run with --engine chromium"), never a failure of the endpoint.
- **No exchange** means no token request for that code reaches the emulator before the
  endpoint's last response, nor within the observe window after it.
`)
	group := scenarios.Group("")
	for _, c := range scenarios.Catalogue(scenarios.ProfileListing) {
		if c.Group != group {
			group = c.Group
			fmt.Fprintf(&b, "\n## %s\n", group)
		}
		fmt.Fprintf(&b, "\n### `%s`: %s\n\n", c.ID, c.Title)
		fmt.Fprintf(&b, "- **level**: %s; **rule**: %s\n", c.Level, basisWords(c.Basis))
		if d := scenarios.HubSpotDocuments(c.ID); d != "" {
			fmt.Fprintf(&b, "- **HubSpot documents**: %s\n", oneLine(d))
		}
		fmt.Fprintf(&b, "- **provokes**: %s\n", oneLine(c.Provokes))
		fmt.Fprintf(&b, "- **requirement**: %s\n", oneLine(c.Requirement))
		fmt.Fprintf(&b, "- **source**: %s\n", oneLine(c.Source))
		fmt.Fprintf(&b, "- **fix**: %s\n", oneLine(c.Fix))
	}
	b.WriteString("\n## Changes since the first edition\n\n### Added checks\n\n")
	for _, c := range scenarios.Catalogue(scenarios.ProfileListing) {
		if !inFirstEdition(c.ID, first) {
			fmt.Fprintf(&b, "- `%s` (%s, %s): %s\n", c.ID, c.Level, basisWords(c.Basis), c.Title)
		}
	}
	b.WriteString("\n### Changed rules\n\n")
	for _, c := range changedRules {
		fmt.Fprintf(&b, "- `%s`: %s\n", c.id, c.change)
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestEveryCheckHasABasis: every check says whose words its rule is, and an inferred rule what
// HubSpot documents instead.
func TestEveryCheckHasABasis(t *testing.T) {
	for _, c := range scenarios.Catalogue(scenarios.ProfileListing) {
		if c.Basis != scenarios.Documented && c.Basis != scenarios.Inferred {
			t.Errorf("%s: Basis %q; want documented or inferred", c.ID, c.Basis)
		}
		if (c.Basis == scenarios.Inferred) != (scenarios.HubSpotDocuments(c.ID) != "") {
			t.Errorf("%s: Basis %q but HubSpotDocuments %q", c.ID, c.Basis, scenarios.HubSpotDocuments(c.ID))
		}
	}
}
