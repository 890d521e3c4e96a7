package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
)

// refOutput hands each line written to it to a channel.
type refOutput struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func (o *refOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	for {
		line, err := o.buf.ReadString('\n')
		if err != nil {
			o.buf.WriteString(line)
			return len(p), nil
		}
		o.lines <- strings.TrimRight(line, "\n")
	}
}

// startReference runs `hsemu reference` with args and env until the test ends; it returns the
// banner's lines and the listening address.
func startReference(t *testing.T, args []string, env map[string]string) (banner []string, addr string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &refOutput{lines: make(chan string, 100)}
	done := make(chan error, 1)
	go func() { done <- serveReference(ctx, args, func(k string) string { return env[k] }, out, io.Discard) }()
	for {
		select {
		case line := <-out.lines:
			banner = append(banner, line)
			if _, rest, ok := strings.Cut(line, ", listening on "); ok {
				addr = rest
			}
			if line == "Stop with Ctrl-C." {
				var once sync.Once
				var err error
				stop = func() error {
					once.Do(func() {
						cancel()
						err = <-done
						for len(out.lines) > 0 {
							banner = append(banner, <-out.lines)
						}
					})
					return err
				}
				t.Cleanup(func() { _ = stop() })
				return banner, addr, stop
			}
		case err := <-done:
			cancel()
			t.Fatalf("hsemu reference ended before its banner: %v", err)
		}
	}
}

// emulatorAPI is the emulator, HubSpot's API for the reference, on a loopback port.
func emulatorAPI(t *testing.T) (*emulator.Emulator, *httptest.Server) {
	t.Helper()
	em, err := emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(em)
	t.Cleanup(func() {
		ts.Close()
		_ = em.Close()
	})
	return em, ts
}

func noRedirects() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestReferenceServes(t *testing.T) {
	em, api := emulatorAPI(t)
	banner, addr, stop := startReference(t, []string{"--addr", "127.0.0.1:0", "--api-base", api.URL}, nil)
	text := strings.Join(banner, "\n")
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	for _, want := range []string{
		"the reference install endpoints",
		"http://localhost:" + port + reference.SeamlessPath,
		"http://localhost:" + port + reference.PartnerPath,
		"demo@example.com / hsemu-demo",
		"hsemu check --install-url http://localhost:" + port + reference.SeamlessPath + " --flow seamless",
		"--login email=demo@example.com --login password=hsemu-demo",
		"--addr " + strings.TrimPrefix(api.URL, "http://"),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}

	// HubSpot grants the demo app a code for the seamless install URL (HubSpot refuses IP
	// addresses in redirect URLs, so the endpoint is reached as localhost).
	install := "http://localhost:" + port + reference.SeamlessPath
	app := inprocess.ReferenceApp()
	app.RedirectURLs = []string{install}
	if _, err := em.AddApp(app); err != nil {
		t.Fatal(err)
	}
	code, err := em.IssueCode(emulator.CodeRequest{
		ClientID: app.ClientID, HubID: em.Portals()[0].HubID, RedirectURI: install,
		Scopes: app.RequiredScopes, OptionalScopes: app.OptionalScopes,
	})
	if err != nil {
		t.Fatal(err)
	}
	events, cancel := em.Subscribe()
	defer cancel()

	ret := "https://app.hubspot.com/ecosystem/1/marketplace/apps/2/install/return?installId=x&stage=finalize"
	resp, err := noRedirects().Get(install + "?step=finalize&code=" + code + "&returnUrl=" + url.QueryEscape(ret))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != ret {
		t.Fatalf("install: status %d, Location %q; want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), ret)
	}
	// The reference exchanged the code before it answered, so the emulator has the exchange.
	exchanged := false
	for ev := range events {
		if ev.Route != "POST /oauth/v3/token" {
			continue
		}
		exchanged = true
		if ev.Status != http.StatusOK || ev.RedirectURI != install || ev.ClientID != reference.DemoClientID || ev.Code != code {
			t.Errorf("exchange: status %d, redirect_uri %q, client_id %q, code %q; want 200 for %q, the demo client and the code granted",
				ev.Status, ev.RedirectURI, ev.ClientID, ev.Code, install)
		}
		break
	}
	if !exchanged {
		t.Error("the emulator saw no code exchange")
	}

	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/"); err == nil {
		t.Error("still serving after the context ended")
	}
}

func TestReferenceFlagsAndEnvironment(t *testing.T) {
	_, api := emulatorAPI(t)
	// The environment picks the bug; a flag wins over it.
	env := map[string]string{"HSEMU_API_BASE": api.URL, "HSEMU_REFERENCE_BUG": "seamless-no-return", "HSEMU_REFERENCE_ADDR": "127.0.0.1:0"}
	banner, _, _ := startReference(t, nil, env)
	if !strings.Contains(strings.Join(banner, "\n"), "the broken variant seamless-no-return") {
		t.Errorf("HSEMU_REFERENCE_BUG ignored:\n%s", strings.Join(banner, "\n"))
	}
	banner, addr, _ := startReference(t, []string{"--bug", "partner-login-307", "--conditional-scopes", "none", "--client-secret", "my-own-secret"}, env)
	text := strings.Join(banner, "\n")
	if !strings.Contains(text, "the broken variant partner-login-307") || !strings.Contains(text, "--reference --bug partner-login-307") {
		t.Errorf("--bug did not win over HSEMU_REFERENCE_BUG:\n%s", text)
	}
	if strings.Contains(text, "my-own-secret") || strings.Contains(text, "--conditional-scopes") {
		t.Errorf("banner shows the client secret or conditional scopes that are off:\n%s", text)
	}
	form := url.Values{"email": {"demo@example.com"}, "password": {"hsemu-demo"}, "returnUrl": {"https://app.hubspot.com/r?a=1"}}
	resp, err := noRedirects().PostForm("http://"+addr+reference.LoginPath, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusTemporaryRedirect || loc.Query().Has("scope") || loc.Query().Get("state") == "" {
		t.Errorf("sign-in: status %d, Location %q; want 307 with a state and no scope", resp.StatusCode, loc)
	}
}

func TestReferenceListBugs(t *testing.T) {
	var out bytes.Buffer
	if err := serveReference(context.Background(), []string{"--list-bugs"}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, b := range reference.Bugs() {
		for _, ids := range [][]string{b.Fails, b.Errors, b.BrowserFails()} {
			if !strings.Contains(out.String(), b.Name) || !strings.Contains(out.String(), strings.Join(ids, " ")) {
				t.Errorf("--list-bugs lacks %s and its checks %v:\n%s", b.Name, ids, out.String())
			}
		}
	}
}

func TestReferenceUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--bug", "nope"}, nil, "known bugs are seamless-wrong-redirect-uri"},
		{[]string{"--addr", "0.0.0.0:7431"}, nil, "not a loopback address"},
		{[]string{"--addr", ":7431"}, nil, "not a loopback address"},
		{[]string{"--addr", "7431"}, nil, "want host:port"},
		{nil, map[string]string{"HSEMU_REFERENCE_ADDR": "192.0.2.1:7431"}, "not a loopback address"},
		{[]string{"--api-base", "127.0.0.1:7430"}, nil, "absolute http or https URL"},
		{[]string{"--return-origin", "https://x.example/path"}, nil, "must be an origin"},
		{[]string{"serve"}, nil, "unexpected argument"},
		{[]string{"--no-such-flag"}, nil, "flag provided but not defined"},
	}
	for _, tt := range tests {
		err := serveReference(context.Background(), tt.args, func(k string) string { return tt.env[k] }, io.Discard, io.Discard)
		var ee *exitError
		if !errors.As(err, &ee) || exitCode(err) != exitUsage || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: %v (exit %d); want a usage error saying %q", tt.args, tt.env, err, exitCode(err), tt.want)
		}
	}
}

func TestReferenceAddressInUse(t *testing.T) {
	taken := httptest.NewServer(http.NotFoundHandler())
	defer taken.Close()
	err := serveReference(context.Background(), []string{"--addr", strings.TrimPrefix(taken.URL, "http://")}, func(string) string { return "" }, io.Discard, io.Discard)
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "choose another --addr") {
		t.Errorf("%v; want a usage error suggesting another --addr", err)
	}
}
