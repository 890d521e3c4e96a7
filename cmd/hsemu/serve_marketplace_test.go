package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServeMarketplace: with --install-url, hsemu serve prints the listing's URL on its own
// address, and the listing offers Install (with Sign in for --partner-sign-in).
func TestServeMarketplace(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := newLineWriter()
	done := make(chan error, 1)
	args := []string{"--addr", "127.0.0.1:0", "--ephemeral", "--install-url", "https://install.example.com/install", "--partner-sign-in"}
	go func() { done <- serve(ctx, args, func(string) string { return "" }, out, io.Discard) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	const prefix = "click through an install in your browser: "
	var listing string
	for listing == "" {
		select {
		case line := <-out.lines:
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				listing = rest
			}
		case err := <-done:
			t.Fatalf("serve ended before printing the marketplace URL: %v", err)
		}
	}
	if !strings.HasPrefix(listing, "http://127.0.0.1:") || !strings.Contains(listing, "/ecosystem/1234567/marketplace/apps/") {
		t.Fatalf("marketplace URL %q", listing)
	}
	resp, err := http.Get(listing) //nolint:noctx // a loopback test server
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `id="hsemu-install"`) || !strings.Contains(string(page), "Partner sign-in</dt><dd>yes") {
		t.Errorf("listing: got %d\n%s", resp.StatusCode, page)
	}
}
