package main

import (
	"context"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hsemu/hsemu/conformance"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/browser"
	"github.com/hsemu/hsemu/scenarios/report"
)

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// checkConfig is everything `hsemu check` (and the TUI) needs to run the catalogue.
type checkConfig struct {
	installURL string
	connectURL string
	webhookURL string
	flow       string
	login      multiFlag
	cookies    multiFlag
	app        appOptions
	addr       string
	profile    string
	strict     bool
	only, skip multiFlag
	reference  bool
	bug        string
	verbose    bool
	thirdParty string
	caFile     string
	hopBudget  time.Duration
	observe    time.Duration
	slow       time.Duration
	hopTimeout time.Duration
}

// register declares the flags shared by check and the TUI.
func (c *checkConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.installURL, "install-url", "", "your listing's install button URL (env HSEMU_INSTALL_URL)")
	fs.StringVar(&c.connectURL, "connect-url", "", "where your app starts the classic \"Connect with HubSpot\" OAuth flow; enables the connect checks (env HSEMU_CONNECT_URL)")
	fs.StringVar(&c.webhookURL, "webhook-url", "", "your app's webhook receiver; enables the webhook checks (env HSEMU_WEBHOOK_URL)")
	fs.StringVar(&c.flow, "flow", "", "flows the install URL serves: seamless, partner or all (env HSEMU_FLOW, default all)")
	fs.Var(&c.login, "login", "a sign-in form field as name=value, repeatable: --login email=me@example.com --login password=secret (env HSEMU_LOGIN as a query string)")
	fs.Var(&c.cookies, "cookie", "a cookie the browser starts with, name=value, repeatable (env HSEMU_COOKIES as \"a=1; b=2\")")
	c.app.register(fs)
	fs.StringVar(&c.addr, "addr", "", "where the emulator (HubSpot's OAuth server and API) listens; point your app's HubSpot API base here (env HSEMU_ADDR, default "+emulator.DefaultAddr+")")
	fs.StringVar(&c.profile, "profile", "", "dev or listing (env HSEMU_PROFILE, default dev)")
	fs.BoolVar(&c.strict, "strict", false, "SHOULD failures fail the run too (env HSEMU_STRICT=1)")
	fs.Var(&c.only, "only", "run only checks matching this ID pattern (glob or prefix), repeatable")
	fs.Var(&c.skip, "skip", "skip checks matching this ID pattern, repeatable")
	fs.BoolVar(&c.reference, "reference", false, "run against hsemu's built-in reference endpoints, in-process")
	fs.StringVar(&c.bug, "bug", "", "with --reference: a broken variant by name (hsemu reference --list-bugs)")
	fs.BoolVar(&c.verbose, "v", false, "print every check's detail, not only the failures'")
	fs.StringVar(&c.thirdParty, "third-party-cookies", "allow", "the browser's cookies in HubSpot's frame: allow (Chrome) or block (Safari, Firefox)")
	fs.StringVar(&c.caFile, "ca-file", "", "PEM certificates to trust besides the system's, for https endpoints on a private CA (listing/https; env HSEMU_CA_FILE)")
	fs.DurationVar(&c.hopBudget, "hop-budget", 0, "how long one hop should take (default 5s)")
	fs.DurationVar(&c.hopTimeout, "hop-timeout", 0, "hard deadline of one hop (default 15s)")
	fs.DurationVar(&c.observe, "observe-window", 0, "how long to wait for a late token request after the endpoint's last response (default 250ms)")
	fs.DurationVar(&c.slow, "slow-exchange", 0, "how long the token endpoint stalls in the 'too slow' provocation (default 8s)")
}

// fillFromEnv applies HSEMU_* variables to what flags left empty (flags win).
func (c *checkConfig) fillFromEnv(getenv func(string) string) {
	set := func(dst *string, key string) {
		if *dst == "" {
			*dst = getenv(key)
		}
	}
	set(&c.installURL, "HSEMU_INSTALL_URL")
	set(&c.connectURL, "HSEMU_CONNECT_URL")
	set(&c.webhookURL, "HSEMU_WEBHOOK_URL")
	set(&c.flow, "HSEMU_FLOW")
	set(&c.addr, "HSEMU_ADDR")
	set(&c.profile, "HSEMU_PROFILE")
	set(&c.caFile, "HSEMU_CA_FILE")
	if !c.strict && getenv("HSEMU_STRICT") == "1" {
		c.strict = true
	}
	if c.addr == "" {
		c.addr = emulator.DefaultAddr
	}
}

// options turns the flags into run options.
func (c *checkConfig) options() (scenarios.Options, error) {
	o := scenarios.Options{
		Strict: c.strict, Only: splitPatterns(c.only), Skip: splitPatterns(c.skip),
		HopBudget: c.hopBudget, HopTimeout: c.hopTimeout, ObserveWindow: c.observe, SlowExchange: c.slow,
	}
	switch c.profile {
	case "", "dev":
		o.Profile = scenarios.ProfileDev
	case "listing":
		o.Profile = scenarios.ProfileListing
	default:
		return o, usageError("--profile %q: use dev or listing", c.profile)
	}
	if c.caFile != "" {
		pool, err := loadCAFile(c.caFile)
		if err != nil {
			return o, usageError("--ca-file: %v", err)
		}
		o.TLSRootCAs = pool
	}
	switch c.thirdParty {
	case "", "allow":
		o.ThirdPartyCookies = browser.ThirdPartyAllow
	case "block":
		o.ThirdPartyCookies = browser.ThirdPartyBlock
	default:
		return o, usageError("--third-party-cookies %q: use allow or block", c.thirdParty)
	}
	return o, nil
}

// loadCAFile reads PEM certificates and adds them to the system's pool.
func loadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate (expected -----BEGIN CERTIFICATE----- blocks)", path)
	}
	return pool, nil
}

func splitPatterns(in []string) []string {
	var out []string
	for _, v := range in {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// target builds the target under test from flags and environment.
func (c *checkConfig) target(getenv func(string) string) (scenarios.Target, error) {
	var t scenarios.Target
	t.InstallURL = c.installURL
	t.ConnectURL = c.connectURL
	t.WebhookURL = c.webhookURL
	flows, err := scenarios.ParseFlows(c.flow)
	if err != nil {
		return t, usageError("--flow: %v", err)
	}
	t.Flows = flows
	if t.App, err = c.app.resolve(getenv); err != nil {
		return t, usageError("%v", err)
	}
	t.AppConfig, _ = c.app.configFile(getenv)
	if t.Login.Fields, err = scenarios.ParseLogin(c.login); err != nil {
		return t, usageError("--login: %v", err)
	}
	if len(c.login) == 0 {
		if v := getenv("HSEMU_LOGIN"); v != "" {
			if t.Login.Fields, err = scenarios.ParseLoginQuery(v); err != nil {
				return t, usageError("HSEMU_LOGIN: %v", err)
			}
		}
	}
	cookies := append([]string(nil), c.cookies...)
	if len(cookies) == 0 && getenv("HSEMU_COOKIES") != "" {
		cookies = []string{getenv("HSEMU_COOKIES")}
	}
	if t.Login.Cookies, err = scenarios.ParseCookies(cookies); err != nil {
		return t, usageError("--cookie: %v", err)
	}
	if err := t.Validate(); err != nil {
		return t, usageError("%v", err)
	}
	return t, nil
}

// prepared is a runnable check: a harness, its targets and options, and what to close.
type prepared struct {
	harness *scenarios.Harness
	targets []scenarios.Target
	opts    scenarios.Options
	closers []func()
}

func (p *prepared) close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
}

// prepare starts the emulator and, for --reference, the reference endpoint in-process.
func (c *checkConfig) prepare(getenv func(string) string) (*prepared, error) {
	c.fillFromEnv(getenv)
	opts, err := c.options()
	if err != nil {
		return nil, err
	}
	p := &prepared{opts: opts}
	if c.reference || c.bug != "" {
		if c.installURL != "" {
			return nil, usageError("--reference and --install-url exclude each other")
		}
		if _, err := scenarios.ParseFlows(c.flow); err != nil {
			return nil, usageError("--flow: %v", err)
		}
		h, err := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		p.harness = h
		p.closers = append(p.closers, func() { h.Close() })
		p.opts = conformance.ReferenceOptions(p.opts)
		targets, stop, err := conformance.StartReference(h, c.bug, p.opts)
		if err != nil {
			p.close()
			return nil, usageError("%v", err)
		}
		p.closers = append(p.closers, stop)
		p.targets = filterFlows(targets, c.flow)
		return p, nil
	}
	t, err := c.target(getenv)
	if err != nil {
		return nil, err
	}
	h, err := scenarios.StartHarness(emulator.Config{}, c.addr)
	if err != nil {
		return nil, err
	}
	p.harness = h
	p.closers = append(p.closers, func() { h.Close() })
	p.targets = []scenarios.Target{t}
	return p, nil
}

// filterFlows keeps the reference's install-flow targets that --flow names (all when it is
// empty); the connect and webhook targets stay.
func filterFlows(ts []scenarios.Target, flow string) []scenarios.Target {
	if flow == "" {
		return ts
	}
	flows, _ := scenarios.ParseFlows(flow) // checked by prepare
	var out []scenarios.Target
	for _, t := range ts {
		keep := t.Flows[0] != scenarios.Seamless && t.Flows[0] != scenarios.Partner
		for _, f := range flows {
			keep = keep || t.Flows[0] == f
		}
		if keep {
			out = append(out, t)
		}
	}
	return out
}

func runCheck(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hsemu check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c checkConfig
	c.register(fs)
	var rf reportFlags
	rf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: hsemu check --install-url URL [flags]    (or: hsemu check --reference [--bug NAME])")
		fmt.Fprintln(stderr, "       reports: [--format text|json|junit|markdown] [--out FILE]… [--expect-fail FILE] [--list] [--strict]")
		fmt.Fprintln(stderr, "\nRuns the check catalogue against an install endpoint, as HubSpot would drive it. Exit 0 when no MUST fails, 1 when one does, 2 for usage or harness errors.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if helped, err := parseFlags(fs, args); helped || err != nil {
		return err
	}
	outs, err := rf.resolve(os.Getenv)
	if err != nil {
		return err
	}
	exp, err := rf.loadExpectations()
	if err != nil {
		return err
	}
	if rf.list {
		c.fillFromEnv(os.Getenv)
		o, err := c.options()
		if err != nil {
			return err
		}
		return listChecks(stdout, outs, &rf, o.Profile, o.Only, o.Skip)
	}
	p, err := c.prepare(os.Getenv)
	if err != nil {
		return err
	}
	defer p.close()
	if !c.reference && c.bug == "" {
		fmt.Fprintf(stderr, "hsemu: HubSpot's OAuth server and API are at %s — your app must send its token requests there.\n", p.harness.URL())
	}
	r := &scenarios.Runner{Harness: p.harness, Options: p.opts}
	rep, err := r.Run(ctx, p.targets)
	if err != nil {
		return err
	}
	return writeReports(stdout, outs, rep, exp, time.Now(), report.Options{Text: report.TextOptions{Verbose: c.verbose}})
}

// reportExit maps a report with no expectations to the exit code (report.ExitCode decides).
func reportExit(rep *scenarios.Report) error {
	switch report.ExitCode(rep, report.Verdict{}, rep.Strict) {
	case report.ExitFail:
		return errChecksFailed
	case report.ExitError:
		return &exitError{code: exitUsage, err: fmt.Errorf("some checks could not be decided (errors above)")}
	}
	return nil
}
