package main

import (
	"strings"
	"testing"

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
