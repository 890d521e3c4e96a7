package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/scenarios/chromium"
	"github.com/hsemu/hsemu/scenarios/chromium/chromiumtest"
)

// TestCheckEngineAuto: a variant whose return to HubSpot is JavaScript only is "cannot decide"
// under the http engine (exit 2), and auto re-runs those checks in Chromium, which decides them:
// the reference's JavaScript return works, so the run passes.
func TestCheckEngineAuto(t *testing.T) {
	chromiumtest.Need(t)
	args := append([]string{"check", "--reference", "--bug", "seamless-js-return", "--only", "seamless/"}, generous...)
	code, out, errOut := runArgs(t, append(args, "--engine", "http")...)
	if code != exitUsage || !strings.Contains(out, "cannot decide with this engine") {
		t.Fatalf("--engine http: exit %d; want 2 with checks it cannot decide\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runArgs(t, append(args, "--engine", "auto")...)
	if code != exitOK {
		t.Fatalf("--engine auto: exit %d; want 0 (Chromium decides what http could not)\n%s\n%s", code, out, errOut)
	}
}

// TestCheckEngineChromiumMissing: asking for the chromium engine without Chromium is a usage
// error that says how to install it.
func TestCheckEngineChromiumMissing(t *testing.T) {
	t.Setenv(chromium.PathEnv, "/nonexistent/chromium")
	code, _, errOut := runArgs(t, "check", "--reference", "--engine", "chromium", "--only", "seamless/install/exchanges-code")
	if code != exitUsage || !strings.Contains(errOut, "apt-get install chromium") {
		t.Fatalf("exit %d, stderr %q; want 2 and how to install Chromium", code, errOut)
	}
}

func TestCheckEngineUnknown(t *testing.T) {
	code, _, errOut := runArgs(t, "check", "--reference", "--engine", "firefox")
	if code != exitUsage || !strings.Contains(errOut, "use http, chromium or auto") {
		t.Fatalf("exit %d, stderr %q; want 2 naming the engines", code, errOut)
	}
}

// TestCheckEngineChromiumWholeCatalogue: `hsemu check --engine chromium` runs the whole
// catalogue in Chromium against the reference (every check passes), and against a broken
// variant that a real browser fails otherwise than the http engine: it fails exactly the checks
// it declares for Chromium. (TestAgreement holds every variant to its checks in Chromium.)
func TestCheckEngineChromiumWholeCatalogue(t *testing.T) {
	chromiumtest.Need(t)
	for _, name := range []string{"", "partner-landing-blocked"} {
		label := name
		if label == "" {
			label = "reference"
		}
		t.Run(label, func(t *testing.T) {
			t.Parallel()
			variantSlots <- struct{}{}
			defer func() { <-variantSlots }()
			args := []string{"check", "--reference", "--strict", "--engine", "chromium"}
			var want []string
			if name != "" {
				args = append(args, "--bug", name)
				i := slices.IndexFunc(reference.Bugs(), func(b reference.Bug) bool { return b.Name == name })
				if i < 0 {
					t.Fatalf("no variant %q", name)
				}
				want = reference.Bugs()[i].BrowserFails()
			}
			code, out, errOut := runArgs(t, append(args, generous...)...)
			if wantCode := map[bool]int{true: exitOK, false: exitFailed}[len(want) == 0]; code != wantCode {
				t.Fatalf("exit %d; want %d\n%s\n%s", code, wantCode, out, errOut)
			}
			var failed []string
			for _, line := range strings.Split(out, "\n") {
				// "  FAIL   MUST   <check> — <title>"; the summary's lines name no level.
				if f := strings.Fields(line); len(f) >= 3 && (f[0] == "FAIL" || f[0] == "ERROR") && slices.Contains([]string{"MUST", "SHOULD", "MAY"}, f[1]) {
					failed = append(failed, f[2])
				}
			}
			slices.Sort(failed)
			slices.Sort(want)
			if !slices.Equal(failed, want) {
				t.Errorf("failed %v; want exactly %v\n%s", failed, want, out)
			}
		})
	}
}
