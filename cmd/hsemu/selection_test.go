package main

import (
	"strings"
	"testing"
)

// TestCheckOnlyThatSelectsNothing: an --only pattern that selects no check of the run is a usage
// error saying what would select it, for a run and for --list alike.
func TestCheckOnlyThatSelectsNothing(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--only", "seamless/install/concurrent"}, "--repeat 2 or more"},
		{[]string{"--only", "listing/*"}, "--profile listing"},
		{[]string{"--only", "no/such/check"}, "matches no check ID"},
	} {
		for _, list := range []bool{false, true} {
			args := append([]string{"check", "--reference"}, tc.args...)
			if list {
				args = append(args, "--list")
			}
			code, _, errOut := runArgs(t, args...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("%v: exit %d, stderr %q; want 2 and %q", args, code, errOut, tc.want)
			}
		}
	}
}

// TestCheckListWithRepeat: --list shows the concurrent installs' checks when --repeat adds them.
func TestCheckListWithRepeat(t *testing.T) {
	code, out, errOut := runArgs(t, "check", "--reference", "--list", "--repeat", "4")
	if code != exitOK || !strings.Contains(out, "seamless/install/concurrent") || !strings.Contains(out, "partner/finalize/concurrent") {
		t.Fatalf("exit %d; want the concurrent checks listed\n%s\n%s", code, out, errOut)
	}
	_, out, _ = runArgs(t, "check", "--reference", "--list")
	if strings.Contains(out, "/concurrent") {
		t.Fatalf("without --repeat the list shows concurrent checks:\n%s", out)
	}
}
