package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// lineWriter hands each written line to a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func newLineWriter() *lineWriter { return &lineWriter{lines: make(chan string, 1000)} }

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for {
		line, err := l.buf.ReadString('\n')
		if err != nil {
			l.buf.WriteString(line)
			return len(p), nil
		}
		l.lines <- strings.TrimRight(line, "\n")
	}
}

// banner collects serve's banner up to the env line.
type banner struct {
	base, clientID, secretLine, env string
}

func startServe(t *testing.T, args []string, env map[string]string) (banner, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := newLineWriter()
	done := make(chan error, 1)
	go func() { done <- serve(ctx, args, func(k string) string { return env[k] }, out, io.Discard) }()
	var b banner
	for b.env == "" {
		select {
		case line := <-out.lines:
			switch {
			case strings.HasPrefix(line, "hsemu serve: fake HubSpot listening on "):
				b.base = strings.TrimPrefix(line, "hsemu serve: fake HubSpot listening on ")
			case strings.HasPrefix(line, "  client ID"):
				b.clientID = strings.TrimSpace(strings.TrimPrefix(line, "  client ID"))
			case strings.HasPrefix(line, "  client secret"):
				b.secretLine = line
			case strings.HasPrefix(line, "  HUBSPOT_API_BASE="):
				b.env = line
			}
		case err := <-done:
			cancel()
			t.Fatalf("serve ended before printing its banner: %v", err)
		}
	}
	stop := func() error {
		cancel()
		return <-done
	}
	return b, stop
}

func TestServe(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	args := []string{"--addr", "127.0.0.1:0", "--state", state, "--auto-approve", "--redirect-url", "http://localhost:3000/cb"}
	b, stop := startServe(t, args, nil)
	if !strings.HasPrefix(b.base, "http://127.0.0.1:") || b.clientID == "" {
		t.Fatalf("banner %+v", b)
	}
	if !strings.Contains(b.secretLine, "generated") {
		t.Errorf("secret line %q; want the generated secret shown once", b.secretLine)
	}
	secret := strings.Fields(strings.TrimPrefix(b.secretLine, "  client secret"))[0]
	if !strings.Contains(b.env, "HUBSPOT_API_BASE="+b.base) || !strings.Contains(b.env, "HUBSPOT_CLIENT_ID="+b.clientID) ||
		!strings.Contains(b.env, "HUBSPOT_CLIENT_SECRET="+secret) {
		t.Errorf("env line %q", b.env)
	}

	// An install through the running server: authorize (auto-approve) then exchange.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"client_id": {b.clientID}, "redirect_uri": {"http://localhost:3000/cb"}, "scope": {"oauth crm.objects.contacts.read"}}
	req, _ := http.NewRequest(http.MethodGet, b.base+"/oauth/authorize?"+q.Encode(), nil)
	req.Host = "app.hubspot.com"
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = http.PostForm(b.base+"/oauth/v3/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {"http://localhost:3000/cb"}, "client_id": {b.clientID}, "client_secret": {secret},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || tok["refresh_token"] == nil {
		t.Fatalf("token: %d %v", resp.StatusCode, tok)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}

	// A restart on the same state: same client, secret not shown, refresh token still good.
	b2, stop2 := startServe(t, args, nil)
	defer stop2()
	if b2.clientID != b.clientID || strings.Contains(b2.secretLine, secret) {
		t.Errorf("restart: client %q secret line %q; want the same client and the secret hidden", b2.clientID, b2.secretLine)
	}
	resp, err = http.PostForm(b2.base+"/oauth/v3/token", url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {tok["refresh_token"].(string)}, "client_id": {b.clientID}, "client_secret": {secret},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("refresh after restart: %d", resp.StatusCode)
	}
}

func TestServeUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown flag", []string{"--nope"}, nil, "nope"},
		{"argument", []string{"extra"}, nil, `unexpected argument "extra"`},
		{"bad addr", []string{"--addr", "nowhere"}, nil, "--addr"},
		{"bad addr env", nil, map[string]string{"HSEMU_ADDR": "nowhere"}, "--addr"},
		{"bad redirect", []string{"--ephemeral", "--addr", "127.0.0.1:0", "--redirect-url", "http://10.0.0.1/cb"}, nil, "IP address"},
		{"bad scope", []string{"--ephemeral", "--scopes", "nope"}, nil, "not a HubSpot scope"},
		{"bad app config", []string{"--ephemeral", "--app-config", "/nonexistent"}, nil, "/nonexistent"},
		{"bad state file", []string{"--state", "/dev/null/x/state.json", "--addr", "127.0.0.1:0"}, nil, "state"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := serve(context.Background(), c.args, func(k string) string { return c.env[k] }, io.Discard, io.Discard)
			if err == nil || exitCode(err) != exitUsage || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v (exit %d); want a usage error (exit 2) mentioning %q", err, exitCode(err), c.want)
			}
		})
	}
	if err := serve(context.Background(), []string{"-h"}, func(string) string { return "" }, io.Discard, io.Discard); err != nil {
		t.Errorf("-h: %v; want nil", err)
	}
}

func TestServeBadPortal(t *testing.T) {
	code, _, errOut := runArgs(t, "serve", "--ephemeral", "--addr", "127.0.0.1:0", "--portal", "hub=x")
	if code != exitUsage || !strings.Contains(errOut, "not a positive number") {
		t.Errorf("exit %d, %q; want a usage error (exit 2) saying the hub is not a positive number", code, errOut)
	}
}
