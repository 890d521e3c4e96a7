package main

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

// TestCheckNothingListening: a port where nothing listens is one set-up error naming the URL,
// printed once, and exit 2, never PASS; --only a connect check too.
func TestCheckNothingListening(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	base := "http://localhost:" + strconv.Itoa(port)
	for _, only := range []string{"connect/callback-no-code", "seamless/"} {
		t.Run(only, func(t *testing.T) {
			code, out, errOut := runArgs(t, "check", "--install-url", base+"/install", "--connect-url", base+"/connect",
				"--flow", "seamless", "--client-id", "a", "--client-secret", "b", "--addr", "127.0.0.1:0", "--only", only, "--hop-timeout", "2s")
			if code != exitUsage {
				t.Fatalf("exit %d; want 2\n%s\n%s", code, out, errOut)
			}
			if strings.Contains(out, "PASS") {
				t.Errorf("a check passed against nothing:\n%s", out)
			}
			if n := strings.Count(out, "connection refused"); n != 1 {
				t.Errorf("the set-up error appears %d times; want once:\n%s", n, out)
			}
			if !strings.Contains(out, "setup error: could not reach "+base) {
				t.Errorf("the report does not name the URL as a set-up error:\n%s", out)
			}
			if !strings.Contains(errOut, "could not be checked") {
				t.Errorf("stderr does not say the endpoint could not be checked:\n%s", errOut)
			}
		})
	}
}
