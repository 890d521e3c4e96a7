package scenarios

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// This file tells set-up mistakes apart from the endpoint's: credentials that differ from the
// app's, an app not pointed at the emulator, a --login the sign-in refuses, the app's rate
// limiter, an https certificate hsemu was not told to trust, a partner-only endpoint checked as
// seamless, and a HubSpot API the emulator does not have. Each is an error of the set-up (or of
// the emulator) with its own fix, never a failure of the endpoint.

// setupProblem reports whether the observation shows a set-up mistake that leaves the check
// undecided, and the outcome that says so. driver.go's judge calls it before the check's judge.
// A set-up mistake turns what would be a failure (or an error) into an error of the set-up; a
// check that passes on its own evidence (a page HubSpot can frame, a state returned) stays
// passed.
func setupProblem(c Check, o *Observation) (Outcome, bool) {
	if o == nil {
		return Outcome{}, false
	}
	for _, find := range []func(*Observation) (Outcome, bool){
		untrustedCert, rateLimited, credentialsDiffer, unsupportedAPI, signInRefused, partnerOnly, apiBaseNotSet,
	} {
		out, ok := find(o)
		if !ok {
			continue
		}
		if c.Judge != nil && c.Judge(o).Status == Pass {
			return Outcome{}, false
		}
		return out, true
	}
	return Outcome{}, false
}

// untrustedCert: a step failed because the endpoint's https certificate is not trusted. The
// listing's https probe is exempt: a certificate browsers do not trust is its finding.
func untrustedCert(o *Observation) (Outcome, bool) {
	if o.Scenario == scenarioListingHTTPS {
		return Outcome{}, false
	}
	for _, st := range o.Steps {
		if st.Err == nil {
			continue
		}
		var unknown x509.UnknownAuthorityError
		var verify *tls.CertificateVerificationError
		if errors.As(st.Err, &unknown) || errors.As(st.Err, &verify) {
			return setupError("the endpoint's certificate is not trusted ("+st.Err.Error()+"), so the "+string(st.Name)+" step could not reach it",
				"pass --ca-file (or HSEMU_CA_FILE) with the PEM of the certificate authority that signed the endpoint's certificate; every client hsemu runs (browser, webhook sender, listing probes) trusts it"), true
		}
	}
	return Outcome{}, false
}

// rateLimited: the app's rate limiter answered 429 to one of hsemu's requests.
func rateLimited(o *Observation) (Outcome, bool) {
	for _, h := range o.Hops {
		if h.Status != http.StatusTooManyRequests || h.URL == nil || isHubSpotURL(h.URL) {
			continue
		}
		after := h.ResponseHeader.Get("Retry-After")
		if after == "" {
			after = "none given"
		}
		return setupError(fmt.Sprintf("the app's rate limiter answered 429 Too Many Requests to %s %s (Retry-After: %s), so the scenario could not run", h.Method, h.URL, after),
			"lower --concurrency (or HSEMU_CONCURRENCY), or allow hsemu's requests through the app's rate limiter while checking"), true
	}
	return Outcome{}, false
}

// credentialsDiffer: HubSpot's token endpoint refused the app's credentials, or the redirect_uri
// is one registered in the app's configuration but not the install URL hsemu was given.
func credentialsDiffer(o *Observation) (Outcome, bool) {
	t := o.Target
	connect := strings.HasPrefix(string(o.Scenario), string(GroupConnect)+"/")
	for _, st := range o.Steps {
		for _, e := range codeExchanges(st.Exchanges) {
			if e.Fault != "" {
				continue // hsemu's own provocation, not the app's credentials
			}
			switch e.Outcome {
			case hubspot.StatusBadClientSecret:
				return setupError(fmt.Sprintf("HubSpot's token endpoint answered %d %s: the app's client secret differs from the one hsemu was given", e.Status, e.Outcome),
					"give hsemu the client secret the app uses (--client-secret / HSEMU_CLIENT_SECRET), or configure the app with the one hsemu was given"), true
			case hubspot.StatusBadClientID:
				return setupError(fmt.Sprintf("HubSpot's token endpoint answered %d %s: the app sent client_id %q, hsemu was given %q", e.Status, e.Outcome, e.ClientID, t.App.ClientID),
					"give hsemu the client ID the app uses (--client-id / HSEMU_CLIENT_ID), or configure the app with the one hsemu was given"), true
			case hubspot.StatusMismatchRedirect, hubspot.StatusBadRedirectURI:
				// In the connect flow the app chose the redirect_uri itself; a mismatch is its own.
				if !connect && e.RedirectURI != t.InstallURL && slices.Contains(t.App.RedirectURLs, e.RedirectURI) {
					return setupError(fmt.Sprintf("HubSpot's token endpoint answered %d %s: the app sends redirect_uri %q, one of the app's configured redirect URLs, but hsemu was told the install URL is %q", e.Status, e.Outcome, e.RedirectURI, t.InstallURL),
						"give hsemu the install URL the app exchanges codes for (--install-url / HSEMU_INSTALL_URL), or configure the app's redirect_uri as that install URL"), true
				}
			}
		}
	}
	return Outcome{}, false
}

// unsupportedAPI: the app called a HubSpot API the emulator does not have, and then failed.
// The app's failure is the emulator's gap, not judged.
func unsupportedAPI(o *Observation) (Outcome, bool) {
	if len(o.API.Unsupported) == 0 {
		return Outcome{}, false
	}
	var failed *HopRecord
	for _, st := range o.Steps {
		if h, ok := serverError(st); ok {
			failed = &h
			break
		}
	}
	if failed == nil {
		return Outcome{}, false
	}
	var routes []string
	for _, e := range o.API.Unsupported {
		if r := e.Method + " " + e.Path; !slices.Contains(routes, r) {
			routes = append(routes, r)
		}
	}
	return Outcome{
		Status: Error, Cause: CauseEmulator,
		Got: fmt.Sprintf("hsemu does not emulate %s (the emulator answered %d); the app's HTTP %d at %s that followed is not judged",
			strings.Join(routes, ", "), o.API.Unsupported[0].Status, failed.Status, failed.URL),
		Fix: "check this flow without that API call, or ask for the route in hsemu's issue tracker",
	}, true
}

// signInRefused: partner sign-in with the given --login came back refused: 401/403 to the
// credential POST, the same form again, or a page that says the credentials are wrong.
func signInRefused(o *Observation) (Outcome, bool) {
	for _, st := range o.StepsNamed(stepAuthorize) {
		if st.CredentialHop == 0 || st.Page == nil || st.Page.Stopped {
			continue
		}
		var answer HopRecord
		for _, h := range st.Hops {
			if h.Seq == st.CredentialHop {
				answer = h
			}
		}
		_, again := loginForm(st.Page, o.Target.Login.Fields)
		text := strings.ToLower(st.Page.Text + " " + st.Page.Title)
		says := strings.Contains(text, "invalid") || strings.Contains(text, "incorrect") || strings.Contains(text, "wrong password")
		if answer.Status != http.StatusUnauthorized && answer.Status != http.StatusForbidden && !again && !says {
			continue
		}
		fields := make([]string, 0, len(o.Target.Login.Fields))
		for n := range o.Target.Login.Fields {
			fields = append(fields, n)
		}
		slices.Sort(fields)
		form := "the sign-in form"
		if answer.URL != nil {
			form = answer.Method + " " + answer.URL.String()
		}
		return setupError(fmt.Sprintf("the sign-in refused the given --login: %s with the fields %s came back with HTTP %d at %s%s",
			form, strings.Join(fields, ", "), st.Page.Status, st.Page.URL, pageSays(st.Page)),
			"check the --login values (or HSEMU_LOGIN): they must be a user the app accepts, with the form's field names"), true
	}
	return Outcome{}, false
}

func pageSays(p *browser.Page) string {
	if t := strings.TrimSpace(p.Text); t != "" {
		return fmt.Sprintf("; the page says %q", excerpt(t, 120))
	}
	return ""
}

// partnerOnly: a seamless scenario's finalize (code, returnUrl, no state) was answered with a
// sign-in form or sent to a sign-in page, or, for an install URL checked in both flows (no
// --flow), went back to HubSpot without exchanging the code, which is what a partner endpoint
// must do with a finalize whose state it cannot verify.
func partnerOnly(o *Observation) (Outcome, bool) {
	if !strings.HasPrefix(string(o.Scenario), string(GroupSeamless)+"/") {
		return Outcome{}, false
	}
	st := o.Step(stepFinalize)
	if st == nil || st.Page == nil || len(codeExchanges(st.Exchanges)) > 0 {
		return Outcome{}, false
	}
	const fix = "pass --flow partner (or HSEMU_FLOW=partner) for an install URL with partner sign-in"
	path := strings.ToLower(st.Page.URL.Path)
	if !st.Page.Stopped && (hasPasswordForm(st.Page) || strings.Contains(path, "login") || strings.Contains(path, "sign")) {
		return setupError(fmt.Sprintf("the seamless finalize (code, returnUrl, step=finalize, no state) was answered with a sign-in at %s instead of an exchange: the endpoint serves the partner flow only", st.Page.URL), fix), true
	}
	if st.Page.Stopped && o.Target.hasFlow(Partner) {
		return setupError("the seamless finalize (code, returnUrl, step=finalize, no state) went back to HubSpot without exchanging the code, as a partner endpoint must when it cannot verify a state: this install URL was checked in both flows (no --flow) and may serve the partner flow only",
			fix+"; if it serves the seamless flow, its token request never reached hsemu: set the app's HubSpot API base to "+o.API.Base), true
	}
	return Outcome{}, false
}

func hasPasswordForm(p *browser.Page) bool {
	for _, f := range p.Forms {
		for _, fl := range f.Fields {
			if fl.Type == "password" {
				return true
			}
		}
	}
	return false
}

// apiBaseNotSet: a normal install returned to HubSpot without a token request, and no request
// at all reached the emulator's API during the run: the app calls another HubSpot.
func apiBaseNotSet(o *Observation) (Outcome, bool) {
	if o.API.Calls > 0 || !normalInstalls[o.Scenario] {
		return Outcome{}, false
	}
	for _, st := range o.Steps {
		if st.Code == "" || st.Page == nil || !st.Page.Stopped || len(st.Exchanges) > 0 {
			continue
		}
		return setupError("the install returned to HubSpot, but no request at all had reached hsemu's HubSpot API by then: the app does not call the emulator (or never exchanges the code)",
			"your app is not pointed at hsemu's API base (it may still call api.hubapi.com): set its HubSpot API base to "+o.API.Base), true
	}
	return Outcome{}, false
}

// normalInstalls are the scenarios in which any app must call HubSpot's API before it returns:
// nothing in them lets a correct app refuse the code (the partner install's state may be
// refused, so it is not one of them).
var normalInstalls = map[ScenarioID]bool{
	scenarioSeamlessInstall: true, scenarioConnectInstall: true,
}

// apiSeen is what the emulator's API side served, for the set-up checks: every request to it
// counts as the app calling the emulator.
type apiSeen struct {
	Base  string // the emulator's URL, the API base the app must use
	Calls int    // requests the API side served in the whole run by the scenario's end
	// Unsupported are requests to routes the emulator does not have, made while the scenario
	// ran (by time: concurrent scenarios of the run may share them).
	Unsupported []emulator.Event
}

// apiLog records the emulator's API-side requests of a run (dispatcher.deliver feeds it).
type apiLog struct {
	mu      sync.Mutex
	calls   int
	unknown []emulator.Event
}

func (l *apiLog) add(e emulator.Event) {
	if e.Side != "api" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	// A browser asks HubSpot's pages for their icon by itself (Chromium does); that is no
	// call of the app's.
	if e.Route == "/" && (e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed) && e.Path != "/favicon.ico" {
		l.unknown = append(l.unknown, e)
	}
}

// seen is what the log holds for a scenario that started at since, for the emulator at base.
func (l *apiLog) seen(base string, since time.Time) apiSeen {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := apiSeen{Base: base, Calls: l.calls}
	for _, e := range l.unknown {
		if !e.Time.Before(since) {
			s.Unsupported = append(s.Unsupported, e)
		}
	}
	return s
}

// trustingTransports holds one transport per set of roots (Options.TLSRootCAs), shared by the
// run's browsers and clients so connections are reused.
var trustingTransports sync.Map // *x509.CertPool -> *http.Transport

// tlsTransport is a transport that trusts roots (the --ca-file), or nil for the default one.
func tlsTransport(roots *x509.CertPool) http.RoundTripper {
	if roots == nil {
		return nil
	}
	if t, ok := trustingTransports.Load(roots); ok {
		return t.(*http.Transport)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	got, _ := trustingTransports.LoadOrStore(roots, t)
	return got.(*http.Transport)
}
