package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/settings"
)

// defaultReferenceAddr is where `hsemu reference` listens unless told otherwise: next to the
// emulator's default address.
const defaultReferenceAddr = "127.0.0.1:7431"

// referenceSettings are `hsemu reference`'s; the app's credentials default to the demo app's.
var referenceSettings = []*settings.Setting{
	settings.ReferenceAddr, settings.APIBase,
	settings.ClientID.WithDefault(reference.DemoClientID), settings.ClientSecret.WithDefault(reference.DemoClientSecret),
	settings.ReferenceBug, settings.ListBugs, settings.PublicURL, settings.ReturnOrigin, settings.ReferenceConditionalScopes,
	settings.AppName.WithDefault(reference.DefaultAppName), settings.ExchangeTimeout, settings.SlowDelay, settings.AllowRemote,
}

// referenceConfig turns the settings into the endpoint's configuration.
func referenceConfig(c *settings.Config) reference.Config {
	return reference.Config{
		APIBase: c.Ref.APIBase, ClientID: c.App.ClientID, ClientSecret: c.App.ClientSecret,
		PublicURL: c.Ref.PublicURL, Bug: c.Ref.Bug, AppName: c.Ref.AppName,
		ExchangeTimeout: c.Ref.ExchangeTimeout, SlowDelay: c.Ref.SlowDelay,
		ExtraReturnOrigins: c.Ref.ReturnOrigins, ConditionalScopes: c.Ref.ConditionalScopes,
	}
}

// runReference serves the reference install endpoints (or a broken variant) until ctx ends.
func runReference(ctx context.Context, args []string, sys system) error {
	return serveReference(ctx, args, sys.getenv, sys.stdout, sys.stderr)
}

func serveReference(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
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
	flags := settings.Register(fs, referenceSettings...)
	if helped, err := parseFlags(fs, args); helped || err != nil {
		return err
	}
	c, err := resolve(flags, getenv, referenceSettings)
	if err != nil {
		return err
	}
	if c.Ref.ListBugs {
		printBugs(stdout)
		return nil
	}
	if err := checkListenAddr(c.Ref.Addr, c.Ref.AllowRemote); err != nil {
		return err
	}
	cfg := referenceConfig(&c)
	srv, err := reference.New(cfg)
	if err != nil {
		return usageError("reference: %v", err)
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", c.Ref.Addr)
	if err != nil {
		return usageError("reference: listen on %s: %v (is another hsemu reference running? choose another --addr)", c.Ref.Addr, err)
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
	printReferenceBanner(stdout, cfg, srv.Bug(), ln.Addr())

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
		_ = hs.Close() // the shutdown timed out: drop the connections still open
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("reference: %w", err)
	}
	fmt.Fprintln(stdout, "hsemu reference: stopped")
	return nil
}

// checkListenAddr refuses addresses beyond loopback unless allowed: the demo users' passwords
// are in the source (docs/design.md: never bind beyond loopback unless asked).
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

// printBugs lists the broken variants, one per line: name, flow, the checks it must fail with
// the http engine, those the http engine cannot decide, those it must fail in Chromium, and
// what the bug is ("-" for none).
func printBugs(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BUG\tFLOW\tMUST FAIL\tUNDECIDED BY HTTP\tMUST FAIL IN CHROMIUM\tWHAT IT DOES")
	for _, b := range reference.Bugs() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", b.Name, b.Flow, idList(b.Fails), idList(b.Errors), idList(b.BrowserFails()), b.Title)
	}
	_ = tw.Flush()
}

// idList joins check IDs with spaces, "-" for none.
func idList(ids []string) string {
	if len(ids) == 0 {
		return "-"
	}
	return strings.Join(ids, " ")
}

// printReferenceBanner says where the endpoints are and how to check them. The client secret is
// printed only when it is the public demo one.
func printReferenceBanner(w io.Writer, c reference.Config, bug reference.Bug, addr net.Addr) {
	base := c.PublicURL
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
		fmt.Fprintf(w, "  must fail        %s\n", idList(bug.Fails))
		if len(bug.Errors) > 0 {
			fmt.Fprintf(w, "  http undecided   %s\n", idList(bug.Errors))
		}
		if bug.Browser != nil {
			fmt.Fprintf(w, "  in chromium      must fail %s: %s\n", idList(bug.Browser.Fails), bug.Browser.Why)
		}
	}
	fmt.Fprintf(w, "  seamless install %s\n", seamless)
	fmt.Fprintf(w, "  partner install  %s\n", partner)
	fmt.Fprintf(w, "  linked portals   %s%s\n", base, reference.InstallsPath)
	fmt.Fprintf(w, "  token endpoint   %s%s (client ID %s)\n", strings.TrimRight(c.APIBase, "/"), hubspot.TokenPathV3, c.ClientID)
	users := make([]string, 0, len(reference.DemoUsers))
	for _, u := range reference.DemoUsers {
		users = append(users, u.Email+" / "+u.Password)
	}
	fmt.Fprintf(w, "  demo users       %s\n", strings.Join(users, ", "))

	secret := "<your client secret>"
	if c.ClientSecret == reference.DemoClientSecret {
		secret = c.ClientSecret
	}
	common := fmt.Sprintf("--client-id %s --client-secret %s --scopes %q", c.ClientID, secret, strings.Join(reference.ConnectScopes, " "))
	if c.ConditionalScopes == nil || len(c.ConditionalScopes) > 0 {
		scopes := strings.Join(reference.DefaultConditionalScopes, " ")
		if c.ConditionalScopes != nil {
			scopes = strings.Join(c.ConditionalScopes, " ")
		}
		common += fmt.Sprintf(" --conditional-scopes %q", scopes)
	}
	if u, err := url.Parse(c.APIBase); err == nil && u.Host != emulator.DefaultAddr {
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
