package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestLinksNoTestCode keeps test code out of the binary: no package hsemu imports may import
// package testing (the in-process reference lives in conformance/inprocess, not in the
// `go test` face, package conformance).
func TestLinksNoTestCode(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to list the binary's packages")
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, bad := range []string{"testing", "github.com/hsemu/hsemu/conformance"} {
		if slices.Contains(deps, bad) {
			t.Errorf("hsemu links %s; want no test code in the binary (go list -deps ./cmd/hsemu)", bad)
		}
	}
}
