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
	"slices"
	"strings"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/settings"
)

// Defaults of the app `hsemu serve` registers when neither flags, environment nor an app
// config say otherwise (the other settings' defaults are in package settings).
const (
	// defaultAppUID names the app built from flags alone, so that its generated credentials
	// are found again in the state file after a restart.
	defaultAppUID = "hsemu_app"
	// defaultRedirectURL is the official OAuth quickstart's (HubSpot/oauth-quickstart-nodejs).
	defaultRedirectURL = "http://localhost:3000/oauth-callback"
)

var defaultScopes = []string{"oauth", "crm.objects.contacts.read"}

// Server timeouts. The write timeout leaves room for injected delays (at most two minutes).
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 3 * time.Minute
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 5 * time.Second
)

// runServe runs the fake HubSpot until ctx ends.
func runServe(ctx context.Context, args []string, sys system) error {
	return serve(ctx, args, sys.getenv, sys.stdout, sys.stderr)
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hsemu serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: hsemu serve [flags]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Runs the fake HubSpot (authorize page, token endpoints, token metadata, a little API) for everyday development.")
		fmt.Fprintln(stderr, "Precedence: flag > environment > app config > default.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	flags := settings.Register(fs, settings.ServeSettings...)
	if helped, err := parseFlags(fs, args); helped || err != nil {
		return err
	}
	c, err := resolve(flags, getenv, settings.ServeSettings)
	if err != nil {
		return err
	}
	app := c.App
	withInstallURL(&app, c.InstallURL)
	withServeDefaults(&app)

	cfg := emulator.Config{AutoApprove: c.AutoApprove, Portals: c.Portals, Choices: c.Choices}
	if !c.Ephemeral {
		cfg.StatePath, cfg.StateSync = c.StatePath, c.StateSync
	}
	em, err := emulator.New(cfg)
	if err != nil {
		return usageError("serve: %v", err)
	}
	defer em.Close()
	generated := app.ClientSecret == "" && !hasStoredSecret(em, app)
	app, err = em.AddApp(app)
	if err != nil {
		return usageError("serve: app: %v", err)
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", c.Addr)
	if err != nil {
		return usageError("serve: listen on %s: %v (is another hsemu running? choose another --addr)", c.Addr, err)
	}
	srv := &http.Server{
		Handler:           em,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          log.New(stderr, "hsemu serve: ", 0),
	}
	if !isLoopback(ln.Addr()) {
		fmt.Fprintf(stderr, "hsemu serve: warning: listening on %s, reachable beyond this machine\n", ln.Addr())
	}
	printBanner(stdout, ln.Addr().String(), app, generated, cfg.StatePath)
	printMarketplace(stdout, ln.Addr().String(), em, app)
	printSwitches(stdout, em.Switches())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close() // the shutdown timed out: drop the connections still open
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	if err := em.Close(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(stdout, "hsemu serve: stopped")
	return nil
}

// withServeDefaults fills what flags, environment and app config left empty.
func withServeDefaults(app *emulator.App) {
	if app.UID == "" && app.ClientID == "" {
		app.UID = defaultAppUID
	}
	if app.Name == "" {
		app.Name = "hsemu app"
	}
	if len(app.RedirectURLs) == 0 && app.AuthType != "static" {
		app.RedirectURLs = []string{defaultRedirectURL}
	}
	if len(app.RequiredScopes) == 0 {
		app.RequiredScopes = defaultScopes
	}
}

// withInstallURL makes the install URL the app's listing install button and one of its
// redirect URLs (HubSpot sends the code to it).
func withInstallURL(app *emulator.App, installURL string) {
	if installURL == "" {
		return
	}
	app.InstallURL = installURL
	if !slices.Contains(app.RedirectURLs, installURL) {
		app.RedirectURLs = append(app.RedirectURLs, installURL)
	}
}

// printMarketplace prints the app's listing on the emulator's own address, where a person's
// browser installs it end to end; only for an app with an install URL.
func printMarketplace(w io.Writer, addr string, em *emulator.Emulator, app emulator.App) {
	portals := em.Portals()
	if app.InstallURL == "" || len(portals) == 0 {
		return
	}
	fmt.Fprintf(w, "click through an install in your browser: http://%s%s\n", addr, hubspot.MarketplacePath(hubspot.MarketplaceAppPath, portals[0].HubID, app.ID))
}

// hasStoredSecret reports whether the state already holds credentials for app, so that a
// secret is printed only the first time it is generated.
func hasStoredSecret(em *emulator.Emulator, app emulator.App) bool {
	if app.ClientID != "" {
		a, ok := em.App(app.ClientID)
		return ok && a.ClientSecret != ""
	}
	if app.UID != "" {
		a, ok := em.AppByUID(app.UID)
		return ok && a.ClientSecret != ""
	}
	return false
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// printBanner tells the developer what to configure. The client secret is printed in full only
// when it was generated just now; tokens never are.
func printBanner(w io.Writer, addr string, app emulator.App, generated bool, statePath string) {
	base := "http://" + addr
	q := "client_id=" + url.QueryEscape(app.ClientID)
	if len(app.RedirectURLs) > 0 {
		q += "&redirect_uri=" + url.QueryEscape(app.RedirectURLs[0])
	}
	q += "&scope=" + url.PathEscape(strings.Join(app.RequiredScopes, " "))
	if len(app.OptionalScopes) > 0 {
		q += "&optional_scope=" + url.PathEscape(strings.Join(app.OptionalScopes, " "))
	}
	secret := "<the secret you set>"
	if generated {
		secret = app.ClientSecret
	}
	state := statePath
	if state == "" {
		state = "(memory only: --ephemeral)"
	}
	fmt.Fprintf(w, "hsemu serve: fake HubSpot listening on %s\n", base)
	fmt.Fprintf(w, "  app            %s (uid %s)\n", app.Name, app.UID)
	fmt.Fprintf(w, "  client ID      %s\n", app.ClientID)
	if generated {
		keep := "kept in the state file"
		if statePath == "" {
			keep = "for this run only"
		}
		fmt.Fprintf(w, "  client secret  %s   (generated; shown this once, %s)\n", app.ClientSecret, keep)
	} else {
		fmt.Fprintf(w, "  client secret  %s\n", redactSecret(app.ClientSecret))
	}
	fmt.Fprintf(w, "  redirect URLs  %s\n", strings.Join(app.RedirectURLs, " "))
	fmt.Fprintf(w, "  authorize URL  %s%s?%s\n", base, hubspot.AuthorizePath, q)
	fmt.Fprintf(w, "  token URL      %s%s (also %s)\n", base, hubspot.TokenPathV3, strings.Join(otherTokenPaths(), ", "))
	fmt.Fprintf(w, "  admin          %s/_hsemu/health, /_hsemu/events, /_hsemu/faults\n", base)
	fmt.Fprintf(w, "  state          %s\n", state)
	fmt.Fprintln(w, "env for the app under test:")
	fmt.Fprintf(w, "  HUBSPOT_API_BASE=%s HUBSPOT_BASE_URL=%s HUBSPOT_CLIENT_ID=%s HUBSPOT_CLIENT_SECRET=%s\n", base, base, app.ClientID, secret)
}

// otherTokenPaths are the token paths of every version the emulator serves besides v3.
func otherTokenPaths() []string {
	var out []string
	for _, v := range hubspot.TokenVersions {
		if p := hubspot.TokenPath(v); p != hubspot.TokenPathV3 {
			out = append(out, p)
		}
	}
	return out
}

func redactSecret(s string) string {
	if len(s) <= 8 {
		return "(set)"
	}
	return s[:4] + "…" + " (not shown again; pass --client-secret or read the state file)"
}

// printSwitches says how the emulator answers where HubSpot's behaviour is undocumented, so a
// developer knows which of hsemu's choices their app meets (--switch name=on|off).
func printSwitches(w io.Writer, sws []emulator.Switch) {
	fmt.Fprintln(w, "undocumented behaviour (README: the switches; change with --switch name=on|off):")
	for _, sw := range sws {
		state := "off"
		if sw.On {
			state = "on"
		}
		note := ""
		if sw.On != sw.Default {
			note = " (changed)"
		}
		fmt.Fprintf(w, "  %-22s %-3s%s  %s\n", sw.Name, state, note, sw.Doc)
	}
}
