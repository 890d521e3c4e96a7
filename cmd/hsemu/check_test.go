package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/conformance/reference"
)

// runArgs runs hsemu with args in-process, with no HSEMU_* variables set, and returns its exit
// code and output.
func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runEnv(t, nil, args...)
}

// runEnv is runArgs with the environment env.
func runEnv(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, system{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return env[k] },
	})
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return exitCode(err), out.String(), errOut.String()
}

// generous timings (inprocess.TestOptions): verdicts must not depend on the machine's load.
var generous = []string{"--hop-budget", "3s", "--slow-exchange", "1600ms", "--hop-timeout", "20s", "--observe-window", "100ms"}

func TestCheckReferencePasses(t *testing.T) {
	code, out, errOut := runArgs(t, append([]string{"check", "--reference", "--strict"}, generous...)...)
	if code != exitOK {
		t.Fatalf("hsemu check --reference --strict: exit %d; want 0\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "— PASS") {
		t.Errorf("the report does not end in PASS:\n%s", out)
	}
}

// TestCheckEveryVariant: hsemu check against a broken variant exits 1 and names the checks its
// bug must fail (--strict, so the SHOULD checks fail the run too); a variant the http engine
// cannot decide exits 2, and one that guards against a false alarm exits 0. The CLI's wiring is
// what it tests: one variant of each flow and of each exit code (conformance's TestMatrix holds
// every variant to its checks).
func TestCheckEveryVariant(t *testing.T) {
	for _, bug := range cliVariants(reference.Bugs()) {
		t.Run(bug.Name, func(t *testing.T) {
			t.Parallel()
			variantSlots <- struct{}{} // a few at a time: each variant is a whole catalogue run
			defer func() { <-variantSlots }()
			// The http engine: what it cannot decide is exit 2 (auto would ask Chromium; see
			// TestCheckEngineAuto).
			code, out, errOut := runArgs(t, append([]string{"check", "--reference", "--bug", bug.Name, "--strict", "--engine", "http"}, generous...)...)
			// A variant that fails checks exits 1; one whose only finding is a page the http
			// engine cannot decide exits 2; one that guards against a false alarm exits 0.
			want := exitFailed
			switch {
			case len(bug.Fails) > 0:
			case len(bug.Errors) > 0:
				want = exitUsage
			default:
				want = exitOK
			}
			if code != want {
				t.Fatalf("exit %d; want %d\n%s\n%s", code, want, out, errOut)
			}
			for _, id := range bug.Fails {
				if !strings.Contains(out, "FAIL  ") || !containsLine(out, "FAIL", id) {
					t.Errorf("the report does not name %s as failed:\n%s", id, out)
				}
			}
		})
	}
}

var variantSlots = make(chan struct{}, 8)

func containsLine(out, label, id string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == label && f[2] == id {
			return true
		}
	}
	return false
}

func TestCheckUsageErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no install URL", []string{"check", "--client-id", "a", "--client-secret", "b"}, "no install URL"},
		{"install URL with a query", []string{"check", "--install-url", "http://localhost:3000/install?x=1", "--client-id", "a", "--client-secret", "b"}, "no query"},
		{"no credentials", []string{"check", "--install-url", "http://localhost:3000/install"}, "--client-id"},
		{"partner without login", []string{"check", "--install-url", "http://localhost:3000/install", "--flow", "partner", "--client-id", "a", "--client-secret", "b"}, "--login"},
		{"bad flow", []string{"check", "--reference", "--flow", "sideways"}, `unknown flow "sideways"`},
		{"bad profile", []string{"check", "--reference", "--profile", "prod"}, "use dev or listing"},
		{"bad cookie policy", []string{"check", "--reference", "--third-party-cookies", "maybe"}, "use allow or block"},
		{"unknown bug", []string{"check", "--reference", "--bug", "no-such-bug"}, "no-such-bug"},
		{"reference and URL", []string{"check", "--reference", "--install-url", "http://localhost:3000/install"}, "exclude each other"},
		{"bad CA file", []string{"check", "--reference", "--ca-file", bad}, "no PEM certificate"},
		{"stray argument", []string{"check", "extra"}, "unexpected argument"},
		{"unknown command", []string{"bogus"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runArgs(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d; want 2 (%s)", code, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q does not say %q", errOut, tt.want)
			}
		})
	}
}

// TestCheckListShowsTheRun: --list with a target shows exactly the checks the run decides for
// it: --connect-url alone lists the connect checks, --flow seamless no partner check, and
// --login is not asked for when no partner check is selected.
func TestCheckListShowsTheRun(t *testing.T) {
	creds := []string{"--client-id", "a", "--client-secret", "b", "--list"}
	tests := []struct {
		name      string
		args      []string
		has, hasn string
	}{
		{"connect alone", []string{"check", "--connect-url", "http://localhost:3000/connect"}, "connect/callback-bad-state", "seamless/"},
		{"seamless", []string{"check", "--install-url", "http://localhost:3000/install", "--flow", "seamless"}, "seamless/install/exchanges-code", "partner/"},
		{"partner skipped", []string{"check", "--install-url", "http://localhost:3000/install", "--flow", "partner", "--skip", "partner/"}, "robust/", "partner/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runArgs(t, append(tt.args, creds...)...)
			if code != exitOK || !strings.Contains(out, tt.has) || strings.Contains(out, tt.hasn) {
				t.Errorf("exit %d; want 0, listing %s and no %s:\n%s%s", code, tt.has, tt.hasn, out, errOut)
			}
		})
	}
}

func TestScenariosLists(t *testing.T) {
	code, out, _ := runArgs(t, "scenarios", "partner/state")
	if code != exitOK || !strings.Contains(out, "partner/state/tampered") || strings.Contains(out, "seamless/") {
		t.Errorf("hsemu scenarios partner/state: exit %d\n%s", code, out)
	}
}

// freeAddr finds a free loopback port for a server that must be known before it starts (the
// emulator, whose address the separately started reference is configured with).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestCheckAgainstSeparateReference: `hsemu reference` started on its own, and `hsemu check`
// pointed at it with the flags a developer would use, pass for both install flows.
func TestCheckAgainstSeparateReference(t *testing.T) {
	emu := freeAddr(t)
	_, addr, _ := startReference(t, []string{"--addr", "127.0.0.1:0", "--api-base", "http://" + emu, "--exchange-timeout", "600ms"}, nil)
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	common := []string{
		"check", "--addr", emu, "--client-id", reference.DemoClientID, "--client-secret", reference.DemoClientSecret,
		"--scopes", "oauth crm.objects.contacts.read", "--conditional-scopes", "crm.objects.companies.read",
		"--slow-exchange", "1600ms", "--hop-budget", "3s", "--hop-timeout", "20s", "--strict",
	}
	for _, tc := range []struct {
		flow  string
		extra []string
	}{
		{"seamless", nil},
		{"partner", []string{"--login", "email=demo@example.com", "--login", "password=hsemu-demo"}},
	} {
		args := append(append(append([]string(nil), common...), "--flow", tc.flow, "--install-url", "http://localhost:"+port+"/"+tc.flow+"/install"), tc.extra...)
		code, out, errOut := runArgs(t, args...)
		if code != exitOK {
			t.Errorf("%s: exit %d; want 0\n%s\n%s", tc.flow, code, out, errOut)
		}
	}
}

// cliVariants picks, in registry order, the first variant of each flow and of each exit class
// (fails, undecided, fails nothing).
func cliVariants(bugs []reference.Bug) []reference.Bug {
	seen := map[string]bool{}
	var out []reference.Bug
	for _, b := range bugs {
		class := "fails"
		switch {
		case len(b.Fails) > 0:
		case len(b.Errors) > 0:
			class = "undecided"
		default:
			class = "nothing"
		}
		flow, cls := "flow "+fmt.Sprint(b.Flow), "class "+class
		if seen[flow] && seen[cls] {
			continue
		}
		seen[flow], seen[cls] = true, true
		out = append(out, b)
	}
	return out
}
