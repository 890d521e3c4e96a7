package conformance_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

// The independent endpoints (testdata/endpoints, see its README): install endpoints written from
// HubSpot's docs in Node/Express, plain Node http and Python's standard library, each with a
// correct variant and realistic broken ones. This test runs the catalogue against every variant,
// as `hsemu check` would, and holds each to what HubSpot's docs say: the correct ones get no
// failure and no error, the broken ones fail exactly the checks the README lists.

// endpointsDir holds the endpoints and their README.
var endpointsDir = filepath.Join("testdata", "endpoints")

// endpointCase is one variant of one endpoint and the checks it must fail (README.md, "Variants
// and the checks each should fail"), per HubSpot's docs.
type endpointCase struct {
	endpoint, variant string
	fails             []string
	// fixes are words the fix of a failing check must contain (the fix that applies to this
	// variant, not the check's generic one).
	fixes map[string]string
	// engineErrors allows errors whose cause is the browser engine (a JavaScript-only page the
	// http engine cannot decide); no other error is allowed.
	engineErrors bool
	// undecided are checks that must end in an error: the evidence cannot decide them (a state
	// check against an endpoint that refuses every state, the genuine one too).
	undecided []string
}

var endpointCases = []endpointCase{
	{endpoint: "express", variant: "correct"},
	{endpoint: "express", variant: "helmet-defaults", fails: []string{
		"partner/authorize/frameable",
		// frame-ancestors 'self' on every response: its redirects (SHOULD) and its 400 page for a
		// bad returnUrl, shown in HubSpot's frame, would be blocked.
		"seamless/install/redirects-frameable", "partner/finalize/redirects-frameable", "robust/error-page-frameable",
	}},
	{endpoint: "express", variant: "state-format-only", fails: []string{"partner/state/tampered", "partner/state/foreign", "partner/state/replayed"}},
	{endpoint: "express", variant: "session-state", fails: []string{"partner/authorize/cookies-cross-site", "partner/finalize/exchanges-code", "partner/finalize/no-cookie-needed"},
		fixes: map[string]string{"partner/finalize/exchanges-code": "Do not depend on a cookie at finalize"},
		// It refuses every state in HubSpot's frame (the Lax cookie is not sent), the genuine one
		// too, so refusing a bad one proves nothing.
		undecided: []string{"partner/state/tampered", "partner/state/missing", "partner/state/foreign"}},
	{endpoint: "express", variant: "hardcoded-return", fails: []string{
		"seamless/install/returns-to-hubspot", "seamless/exchange-fails", "seamless/missing-code", "seamless/reload",
		"partner/finalize/returns-to-hubspot", "partner/exchange-fails",
		"partner/state/tampered", "partner/state/missing", "partner/state/replayed", "partner/state/foreign",
	}},
	{endpoint: "nodehttp", variant: "correct"},
	{endpoint: "nodehttp", variant: "v1-token", fails: []string{"seamless/install/current-token-endpoint", "connect/current-token-endpoint"}},
	{endpoint: "nodehttp", variant: "exchange-500", fails: []string{"seamless/exchange-fails", "seamless/reload", "connect/exchange-fails"}},
	{endpoint: "nodehttp", variant: "connect-state-unchecked", fails: []string{"connect/callback-bad-state", "connect/state-single-use"}},
	{endpoint: "nodehttp", variant: "js-return", engineErrors: true},
	{endpoint: "python", variant: "correct"},
	{endpoint: "python", variant: "naive-concat", fails: []string{"partner/authorize/returns-state"}},
	{endpoint: "python", variant: "state-missing-ok", fails: []string{"partner/state/missing"}},
	{endpoint: "python", variant: "xfo-deny", fails: []string{
		"seamless/install/frameable", "partner/finalize/frameable", "partner/authorize/frameable",
		// The failure pages are shown in HubSpot's frame too, and DENY blocks them as well.
		"seamless/exchange-fails", "seamless/reload", "partner/exchange-fails", "robust/error-page-frameable",
	}},
	{endpoint: "python", variant: "unescaped", fails: []string{"robust/reflected-return-url", "seamless/reflected-markup"}},
}

// pendingFix lists, per "endpoint/variant" ("*" for every variant), checks whose verdict is
// known to disagree with HubSpot's docs: logged, not asserted. It is empty: keep it so.
var pendingFix = map[string][]string{}

// endpointCmd is how one endpoint is started (run.sh's commands, without its npm ci).
func endpointCmd(endpoint string) (name string, args []string, enable string) {
	switch endpoint {
	case "express":
		return "node", []string{filepath.Join(endpointsDir, "express", "server.js")}, "npm ci --prefix conformance/testdata/endpoints/express"
	case "nodehttp":
		return "node", []string{filepath.Join(endpointsDir, "nodehttp", "server.js")}, "install Node.js 20 or later"
	default:
		return "python3", []string{"-u", filepath.Join(endpointsDir, "python", "app.py")}, "install Python 3"
	}
}

// endpointTargets are the targets of an endpoint at base (README.md, "Checking them").
func endpointTargets(endpoint, base string, app emulator.App) []scenarios.Target {
	if endpoint == "nodehttp" {
		app.RedirectURLs = []string{base + "/oauth-callback"}
		return []scenarios.Target{{
			Name: "nodehttp", InstallURL: base + "/install", Flows: []scenarios.Flow{scenarios.Seamless},
			ConnectURL: base + "/connect", App: app,
		}}
	}
	// One app serves both install URLs: both are its redirect URLs.
	app.RedirectURLs = []string{base + "/hubspot/install", base + "/hubspot/seamless"}
	return []scenarios.Target{
		{
			Name: endpoint + " partner", InstallURL: base + "/hubspot/install", Flows: []scenarios.Flow{scenarios.Partner}, App: app,
			Login: scenarios.Login{Fields: map[string]string{"email": "demo@example.com", "password": "demo-password"}},
		},
		{Name: endpoint + " seamless", InstallURL: base + "/hubspot/seamless", Flows: []scenarios.Flow{scenarios.Seamless}, App: app},
	}
}

// endpointSlots bounds how many variants run at once: each is a process and a catalogue run.
var endpointSlots = make(chan struct{}, 4)

func TestIndependentEndpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Node and Python processes")
	}
	for _, tc := range endpointCases {
		t.Run(tc.endpoint+"/"+tc.variant, func(t *testing.T) {
			t.Parallel()
			endpointSlots <- struct{}{}
			defer func() { <-endpointSlots }()
			rep := runEndpoint(t, tc)
			judgeEndpoint(t, tc, rep)
		})
	}
}

// runEndpoint starts the variant against a fresh emulator and runs the catalogue against it.
func runEndpoint(t *testing.T, tc endpointCase) *scenarios.RunReport {
	t.Helper()
	h, base, app := startEndpoint(t, tc.endpoint, tc.variant, nil)
	r := &scenarios.Runner{Harness: h, Options: inprocess.TestOptions()}
	rep, err := r.Run(context.Background(), endpointTargets(tc.endpoint, base, app))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// startEndpoint starts a fresh emulator and the endpoint's variant configured against it (env
// overrides the endpoint's variables), stops both when the test ends, and returns the emulator,
// the endpoint's base URL and the app hsemu is to be given.
func startEndpoint(t *testing.T, endpoint, variant string, env map[string]string) (*scenarios.Harness, string, emulator.App) {
	t.Helper()
	name, args, enable := endpointCmd(endpoint)
	if _, err := exec.LookPath(name); err != nil {
		missing(t, name+" is not installed: "+enable)
	}
	if endpoint == "express" {
		if _, err := os.Stat(filepath.Join(endpointsDir, "express", "node_modules")); err != nil {
			missing(t, "the express endpoint's modules are not installed: run "+enable)
		}
	}
	// Read the endpoint's source here, so that Go's test cache, which tracks the files the test
	// opens, runs the test again when an endpoint changes.
	if _, err := os.ReadFile(args[len(args)-1]); err != nil {
		t.Fatal(err)
	}
	h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	app := emulator.App{ClientID: "independent-" + endpoint, ClientSecret: "secret-" + variant}

	vars := map[string]string{"PORT": "0", "VARIANT": variant, "HUBSPOT_API_BASE": h.URL(), "CLIENT_ID": app.ClientID, "CLIENT_SECRET": app.ClientSecret}
	maps.Copy(vars, env)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = os.Environ()
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.WaitDelay = 5 * time.Second
	var logs strings.Builder
	cmd.Stderr = &logs
	out := &firstLine{line: make(chan string, 1)}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			l := logs.String()
			if len(l) > 3000 {
				l = "…" + l[len(l)-3000:]
			}
			t.Logf("%s %s's log (its end):\n%s", endpoint, variant, l)
		}
	})
	base, err := out.listening(20 * time.Second)
	if err != nil {
		t.Fatalf("%s %s: %v", endpoint, variant, err)
	}
	return h, base, app
}

// TestSetupMistakes: set-up mistakes made with correct independent endpoints are errors of the
// set-up with their own fix, never failures of the endpoint.
func TestSetupMistakes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Node and Python processes")
	}
	login := scenarios.Login{Fields: map[string]string{"email": "demo@example.com", "password": "demo-password"}}
	tests := []struct {
		name, endpoint string
		env            map[string]string
		only           string
		target         func(base string, app emulator.App) scenarios.Target
		check, fix     string
	}{
		{
			name: "client secret differs", endpoint: "nodehttp", env: map[string]string{"CLIENT_SECRET": "the-apps-own-secret"},
			only:   "seamless/install/",
			target: func(base string, app emulator.App) scenarios.Target { return seamlessAt(base+"/install", app) },
			check:  "seamless/install/exchanges-code", fix: "--client-secret",
		},
		{
			name: "API base not the emulator", endpoint: "nodehttp", env: map[string]string{"HUBSPOT_API_BASE": "http://127.0.0.1:9"},
			only:   "seamless/install/",
			target: func(base string, app emulator.App) scenarios.Target { return seamlessAt(base+"/install", app) },
			check:  "seamless/install/exchanges-code", fix: "API base",
		},
		{
			name: "partner-only endpoint checked as seamless", endpoint: "python",
			only: "seamless/install/",
			target: func(base string, app emulator.App) scenarios.Target {
				return scenarios.Target{InstallURL: base + "/hubspot/install", Flows: []scenarios.Flow{scenarios.Seamless, scenarios.Partner}, App: app}
			},
			check: "seamless/install/exchanges-code", fix: "--flow partner",
		},
		{
			name: "express partner-only endpoint checked as seamless", endpoint: "express",
			only: "seamless/install/",
			target: func(base string, app emulator.App) scenarios.Target {
				return scenarios.Target{InstallURL: base + "/hubspot/install", Flows: []scenarios.Flow{scenarios.Seamless, scenarios.Partner}, App: app}
			},
			check: "seamless/install/exchanges-code", fix: "--flow partner",
		},
		{
			name: "express login refused", endpoint: "express", only: "partner/authorize/",
			target: func(base string, app emulator.App) scenarios.Target {
				wrong := scenarios.Login{Fields: maps.Clone(login.Fields)}
				wrong.Fields["password"] = "not-the-password"
				return scenarios.Target{InstallURL: base + "/hubspot/install", Flows: []scenarios.Flow{scenarios.Partner}, App: app, Login: wrong}
			},
			check: "partner/authorize/returns-state", fix: "--login",
		},
		{
			name: "login refused", endpoint: "python", only: "partner/authorize/",
			target: func(base string, app emulator.App) scenarios.Target {
				wrong := scenarios.Login{Fields: maps.Clone(login.Fields)}
				wrong.Fields["password"] = "not-the-password"
				return scenarios.Target{InstallURL: base + "/hubspot/install", Flows: []scenarios.Flow{scenarios.Partner}, App: app, Login: wrong}
			},
			check: "partner/authorize/returns-state", fix: "--login",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			endpointSlots <- struct{}{}
			defer func() { <-endpointSlots }()
			h, base, app := startEndpoint(t, tt.endpoint, "correct", tt.env)
			opts := inprocess.TestOptions()
			opts.Only = []string{tt.only}
			rep, err := (&scenarios.Runner{Harness: h, Options: opts}).Run(context.Background(), []scenarios.Target{tt.target(base, app)})
			if err != nil {
				t.Fatal(err)
			}
			res, ok := rep.Result("", tt.check)
			if !ok {
				t.Fatalf("%s was not decided", tt.check)
			}
			if o := res.Outcome; o.Status != scenarios.Error || o.Cause != scenarios.CauseSetup || !strings.Contains(o.Fix, tt.fix) {
				t.Errorf("%s: %s (cause %q) %q, fix %q; want a set-up error whose fix says %s", tt.check, o.Status, o.Cause, o.Got, o.Fix, tt.fix)
			}
			for _, r := range rep.Results {
				if r.Outcome.Status == scenarios.Fail {
					t.Errorf("%s fails (%s): a set-up mistake is never the endpoint's failure", r.Check.ID, r.Outcome.Got)
				}
			}
		})
	}
}

// TestConnectAlone: an app with only the connect flow is checked with its connect URL alone (no
// install URL), and its correct endpoint passes every connect check.
func TestConnectAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Node process")
	}
	h, base, app := startEndpoint(t, "nodehttp", "correct", nil)
	app.RedirectURLs = []string{base + "/oauth-callback"}
	tg := scenarios.Target{ConnectURL: base + "/connect", Flows: []scenarios.Flow{scenarios.Connect}, App: app}
	rep, err := (&scenarios.Runner{Harness: h, Options: inprocess.TestOptions()}).Run(context.Background(), []scenarios.Target{tg})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) == 0 {
		t.Fatal("no check was decided")
	}
	for _, res := range rep.Results {
		if !strings.HasPrefix(res.Check.ID, "connect/") || res.Outcome.Status != scenarios.Pass {
			t.Errorf("%s: %s %q; want only connect checks, passing", res.Check.ID, res.Outcome.Status, res.Outcome.Got)
		}
	}
}

func seamlessAt(installURL string, app emulator.App) scenarios.Target {
	return scenarios.Target{InstallURL: installURL, Flows: []scenarios.Flow{scenarios.Seamless}, App: app}
}

// missing skips a test whose tools are not installed, or fails it on CI (CI=true), where they
// must be.
func missing(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// firstLine is the endpoint's stdout: it hands on its first line, "listening on URL".
type firstLine struct {
	mu   sync.Mutex
	buf  []byte
	sent bool
	line chan string
}

func (f *firstLine) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.sent {
		f.buf = append(f.buf, p...)
		if i := slices.Index(f.buf, '\n'); i >= 0 {
			f.line <- strings.TrimSpace(string(f.buf[:i]))
			f.sent, f.buf = true, nil
		}
	}
	return len(p), nil
}

// listening waits for the listening line and returns the endpoint's base URL.
func (f *firstLine) listening(within time.Duration) (string, error) {
	timer := time.NewTimer(within)
	defer timer.Stop()
	select {
	case line := <-f.line:
		base, ok := strings.CutPrefix(line, "listening on ")
		if !ok {
			return "", errors.New("its first line is " + line + `, not "listening on URL"`)
		}
		return base, nil
	case <-timer.C:
		return "", errors.New("it did not print its listening line within " + within.String())
	}
}

// judgeEndpoint holds the report to the case: exactly its failures, no errors (but the engine's
// where allowed), except the checks pendingFix still exempts.
func judgeEndpoint(t *testing.T, tc endpointCase, rep *scenarios.RunReport) {
	t.Helper()
	pending := append(slices.Clone(pendingFix["*"]), pendingFix[tc.endpoint+"/"+tc.variant]...)
	failed := map[string]bool{}
	for _, res := range rep.Results {
		id, o := res.Check.ID, res.Outcome
		if slices.Contains(pending, id) {
			if o.Status == scenarios.Fail || o.Status == scenarios.Error {
				t.Logf("pendingFix %s %s: %s %s", res.Target, id, o.Status, o.Got)
			}
			continue
		}
		switch o.Status {
		case scenarios.Fail:
			failed[id] = true
			if !slices.Contains(tc.fails, id) {
				t.Errorf("%s %s fails, but HubSpot's docs do not fault %s %s for it: %s", res.Target, id, tc.endpoint, tc.variant, o.Got)
			}
			if want, ok := tc.fixes[id]; ok && !strings.Contains(o.Fix, want) {
				t.Errorf("%s %s: fix %q; want the fix that applies (%q)", res.Target, id, o.Fix, want)
			}
		case scenarios.Error:
			failed[id] = true
			if !(tc.engineErrors && o.Cause == scenarios.CauseEngine) && !slices.Contains(tc.undecided, id) {
				t.Errorf("%s %s: error (%s): %s", res.Target, id, o.Cause, o.Got)
			}
		}
	}
	for _, id := range tc.undecided {
		if !failed[id] {
			t.Errorf("%s %s should leave %s undecided (an error), but it did not", tc.endpoint, tc.variant, id)
		}
	}
	for _, id := range tc.fails {
		if !failed[id] && !slices.Contains(pending, id) {
			t.Errorf("%s %s should fail %s, but did not", tc.endpoint, tc.variant, id)
		}
	}
}
