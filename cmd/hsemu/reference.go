package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
)

// defaultReferenceAddr is where `hsemu reference` listens unless told otherwise: next to the
// emulator's default address.
const defaultReferenceAddr = "127.0.0.1:7431"

// referenceConfig is `hsemu reference`'s flags.
type referenceConfig struct {
	addr            string
	apiBase         string
	clientID        string
	clientSecret    string
	bug             string
	listBugs        bool
	publicURL       string
	returnOrigins   listFlag
	scopes          string
	scopesSet       bool
	appName         string
	exchangeTimeout time.Duration
	slowDelay       time.Duration
	allowRemote     bool
}

func (c *referenceConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", "", "where to listen (env HSEMU_REFERENCE_ADDR, default "+defaultReferenceAddr+"); loopback unless --allow-remote")
	fs.StringVar(&c.apiBase, "api-base", "", "HubSpot's API base, where codes are exchanged (env HSEMU_API_BASE, default http://"+emulator.DefaultAddr+", the emulator)")
	fs.StringVar(&c.clientID, "client-id", "", "the app's client ID (env HSEMU_CLIENT_ID, default the demo app's "+reference.DemoClientID+")")
	fs.StringVar(&c.clientSecret, "client-secret", "", "the app's client secret (env HSEMU_CLIENT_SECRET, default the demo app's)")
	fs.StringVar(&c.bug, "bug", "", "serve a broken variant instead of the reference (env HSEMU_REFERENCE_BUG; see --list-bugs)")
	fs.BoolVar(&c.listBugs, "list-bugs", false, "list the broken variants and the checks each must fail, then exit")
	fs.StringVar(&c.publicURL, "public-url", "", "the endpoints' origin as the browser sees it, e.g. https://install.example.com (env HSEMU_REFERENCE_PUBLIC_URL, default: each request's Host)")
	fs.Var(&c.returnOrigins, "return-origin", "an origin returnUrl may point at besides app(-*).hubspot.com, repeatable, e.g. http://127.0.0.1:7430 for a real browser against hsemu serve (env HSEMU_REFERENCE_RETURN_ORIGINS)")
	fs.Func("conditional-scopes", "scopes sent in `scope` after partner sign-in, space- or comma-separated, or none (env HSEMU_REFERENCE_CONDITIONAL_SCOPES, default crm.objects.companies.read)", func(v string) error {
		c.scopes, c.scopesSet = v, true
		return nil
	})
	fs.StringVar(&c.appName, "app-name", "", "the app's name on the sign-in page (default "+reference.DefaultAppName+")")
	fs.DurationVar(&c.exchangeTimeout, "exchange-timeout", 0, "give up on the token endpoint after this long (default 10s)")
	fs.DurationVar(&c.slowDelay, "slow-delay", 0, "how long the *-slow variants stall (default 3s)")
	fs.BoolVar(&c.allowRemote, "allow-remote", false, "allow --addr beyond loopback (the demo users' passwords are public)")
}

// fillFromEnv applies HSEMU_* variables to what flags left unset (flags win), then defaults.
func (c *referenceConfig) fillFromEnv(getenv func(string) string) {
	set := func(v *string, key, def string) {
		if *v == "" {
			*v = getenv(key)
		}
		if *v == "" {
			*v = def
		}
	}
	set(&c.addr, "HSEMU_REFERENCE_ADDR", defaultReferenceAddr)
	set(&c.apiBase, "HSEMU_API_BASE", "http://"+emulator.DefaultAddr)
	set(&c.clientID, "HSEMU_CLIENT_ID", reference.DemoClientID)
	set(&c.clientSecret, "HSEMU_CLIENT_SECRET", reference.DemoClientSecret)
	set(&c.bug, "HSEMU_REFERENCE_BUG", "")
	set(&c.publicURL, "HSEMU_REFERENCE_PUBLIC_URL", "")
	if len(c.returnOrigins) == 0 {
		c.returnOrigins = splitList(getenv("HSEMU_REFERENCE_RETURN_ORIGINS"))
	}
	if !c.scopesSet {
		if v := getenv("HSEMU_REFERENCE_CONDITIONAL_SCOPES"); v != "" {
			c.scopes, c.scopesSet = v, true
		}
	}
}

// config turns the flags into the endpoint's configuration.
func (c *referenceConfig) config() reference.Config {
	cfg := reference.Config{
		APIBase: c.apiBase, ClientID: c.clientID, ClientSecret: c.clientSecret,
		PublicURL: c.publicURL, Bug: c.bug, AppName: c.appName,
		ExchangeTimeout: c.exchangeTimeout, SlowDelay: c.slowDelay,
		ExtraReturnOrigins: c.returnOrigins,
	}
	if c.scopesSet {
		cfg.ConditionalScopes = splitList(c.scopes)
		if cfg.ConditionalScopes == nil || (len(cfg.ConditionalScopes) == 1 && cfg.ConditionalScopes[0] == "none") {
			cfg.ConditionalScopes = []string{}
		}
	}
	return cfg
}

// runReference serves the reference install endpoints (or a broken variant) until ctx ends.
func runReference(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return serveReference(ctx, args, os.Getenv, stdout, stderr)
}

func serveReference(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c referenceConfig
	fs := flag.NewFlagSet("hsemu reference", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: hsemu reference [flags]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Serves hsemu's reference install endpoints (seamless and partner sign-in), written the way HubSpot's")
		fmt.Fprintln(stderr, "docs ask, or with --bug one broken variant of them, against HubSpot's API (the emulator by default).")
		fmt.Fprintln(stderr, "Precedence: flag > environment > default.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	c.register(fs)
	if helped, err := parseFlags(fs, args); helped || err != nil {
		return err
	}
	if c.listBugs {
		printBugs(stdout)
		return nil
	}
	c.fillFromEnv(getenv)
	if err := checkListenAddr(c.addr, c.allowRemote); err != nil {
		return err
	}
	srv, err := reference.New(c.config())
	if err != nil {
		return usageError("reference: %v", err)
	}

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return usageError("reference: listen on %s: %v (is another hsemu reference running? choose another --addr)", c.addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		// Room for the exchange and a *-slow variant's stall.
		WriteTimeout:   writeTimeout,
		IdleTimeout:    idleTimeout,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       log.New(stderr, "hsemu reference: ", 0),
	}
	printReferenceBanner(stdout, &c, srv.Bug(), ln.Addr())

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("reference: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		_ = hs.Close()
	}
	<-served
	fmt.Fprintln(stdout, "hsemu reference: stopped")
	return nil
}

// checkListenAddr refuses addresses beyond loopback unless allowed: the demo users' passwords
// are in the source (DESIGN.md: never bind beyond loopback unless asked).
func checkListenAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError("reference: --addr %q: want host:port, e.g. %s", addr, defaultReferenceAddr)
	}
	if allowRemote {
		return nil
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return usageError("reference: --addr %q is not a loopback address: use 127.0.0.1:PORT, or pass --allow-remote to listen beyond this machine", addr)
}

// printBugs lists the broken variants, one per line: name, flow, the checks it must fail, and
// what the bug is.
func printBugs(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BUG\tFLOW\tMUST FAIL\tWHAT IT DOES")
	for _, b := range reference.Bugs() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", b.Name, b.Flow, strings.Join(b.Fails, " "), b.Title)
	}
	_ = tw.Flush()
}

// printReferenceBanner says where the endpoints are and how to check them. The client secret is
// printed only when it is the public demo one.
func printReferenceBanner(w io.Writer, c *referenceConfig, bug reference.Bug, addr net.Addr) {
	base := c.publicURL
	if base == "" {
		// HubSpot refuses IP addresses in redirect URLs ("You also must use a domain"), so
		// loopback is named localhost; the endpoints take the redirect_uri from the Host.
		host := addr.String()
		if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
			host = net.JoinHostPort("localhost", fmt.Sprint(tcp.Port))
		}
		base = "http://" + host
	}
	base = strings.TrimRight(base, "/")
	seamless, partner := base+reference.SeamlessPath, base+reference.PartnerPath

	if bug.Name == "" {
		fmt.Fprintf(w, "hsemu reference: the reference install endpoints, listening on %s\n", addr)
	} else {
		fmt.Fprintf(w, "hsemu reference: the broken variant %s, listening on %s\n", bug.Name, addr)
		fmt.Fprintf(w, "  the bug          it %s\n", bug.Title)
		fmt.Fprintf(w, "  must fail        %s\n", strings.Join(bug.Fails, " "))
	}
	fmt.Fprintf(w, "  seamless install %s\n", seamless)
	fmt.Fprintf(w, "  partner install  %s\n", partner)
	fmt.Fprintf(w, "  linked portals   %s%s\n", base, reference.InstallsPath)
	fmt.Fprintf(w, "  token endpoint   %s/oauth/v3/token (client ID %s)\n", strings.TrimRight(c.apiBase, "/"), c.clientID)
	var users []string
	for _, u := range reference.DemoUsers {
		users = append(users, u.Email+" / "+u.Password)
	}
	fmt.Fprintf(w, "  demo users       %s\n", strings.Join(users, ", "))

	secret := "<your client secret>"
	if c.clientSecret == reference.DemoClientSecret {
		secret = c.clientSecret
	}
	common := fmt.Sprintf("--client-id %s --client-secret %s --scopes %q", c.clientID, secret, "oauth crm.objects.contacts.read")
	if cfg := c.config(); cfg.ConditionalScopes == nil || len(cfg.ConditionalScopes) > 0 {
		scopes := "crm.objects.companies.read"
		if cfg.ConditionalScopes != nil {
			scopes = strings.Join(cfg.ConditionalScopes, " ")
		}
		common += fmt.Sprintf(" --conditional-scopes %q", scopes)
	}
	if u, err := url.Parse(c.apiBase); err == nil && u.Host != emulator.DefaultAddr {
		common += " --addr " + u.Host
	}
	fmt.Fprintln(w, "Check it (hsemu check runs the emulator at the token endpoint's address):")
	fmt.Fprintf(w, "  hsemu check --install-url %s --flow seamless --redirect-url %s %s\n", seamless, seamless, common)
	fmt.Fprintf(w, "  hsemu check --install-url %s --flow partner --redirect-url %s %s --login email=%s --login password=%s\n",
		partner, partner, common, reference.DemoUsers[0].Email, reference.DemoUsers[0].Password)
	fmt.Fprintln(w, "  (or in one process: hsemu check --reference"+bugFlag(bug)+")")
	fmt.Fprintln(w, "Stop with Ctrl-C.")
}

func bugFlag(b reference.Bug) string {
	if b.Name == "" {
		return ""
	}
	return " --bug " + b.Name
}
