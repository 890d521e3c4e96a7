package scenarios

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// This file holds what hsemu does about an endpoint that does not answer: one preflight per
// target before the run, and a health probe after a crash-prone scenario saw a request go
// unanswered.

// scenarioURL is the target URL a scenario's requests start at, and the flag that gives it:
// the webhook receiver's, the connect flow's, or the install URL.
func scenarioURL(t Target, g Group) (flag, raw string) {
	if g == GroupWebhooks {
		return "--webhook-url", t.WebhookURL
	}
	if g == GroupConnect {
		return "--connect-url", t.ConnectURL
	}
	return "--install-url", t.InstallURL
}

// preflights remembers the preflight of each URL, so each is made once per run.
type preflights struct {
	mu   sync.Mutex
	done map[string]*Outcome // nil when the URL is fine
}

// check returns the set-up error of the URL the scenario starts at, if it cannot be used at all.
func (p *preflights) check(ctx context.Context, t Target, g Group, opts Options) (Outcome, bool) {
	flag, raw := scenarioURL(t, g)
	if raw == "" {
		return Outcome{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out, seen := p.done[raw]
	if !seen {
		if problem, fix := preflight(ctx, raw, opts.HopTimeout); problem != "" {
			o := setupError(problem, fix+" ("+flag+").")
			out = &o
		}
		p.done[raw] = out
	}
	if out == nil {
		return Outcome{}, false
	}
	return *out, true
}

// preflight makes one connection to rawURL's host and, on it, checks the URL's scheme against
// what the server speaks: a TLS handshake on an http URL is a server that speaks TLS, a plain
// HTTP answer to https's handshake is a server that does not.
func preflight(ctx context.Context, rawURL string, timeout time.Duration) (problem, fix string) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", "" // Target.Validate, or the scenario, reports it
	}
	addr := hostPort(u)
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		var dns *net.DNSError
		switch {
		case errors.As(err, &dns):
			return fmt.Sprintf("could not reach %s: the host name %s does not resolve (%v)", rawURL, u.Hostname(), err),
				"Check the host name in the URL, or give the URL the endpoint is reachable at"
		case errors.Is(err, syscall.ECONNREFUSED):
			return fmt.Sprintf("could not reach %s: nothing accepts connections at %s (connection refused)", rawURL, addr),
				"Start the endpoint, or give the URL it listens on"
		}
		return fmt.Sprintf("could not reach %s: %v", rawURL, err), "Start the endpoint, or give the URL it is reachable at"
	}
	defer conn.Close()
	sniff := min(timeout, 3*time.Second)
	_ = conn.SetDeadline(time.Now().Add(sniff))                                             // a conn that cannot take a deadline just gets none
	tc := tls.Client(conn, &tls.Config{InsecureSkipVerify: true, ServerName: u.Hostname()}) //nolint:gosec // only asks whether the server speaks TLS
	herr := tc.HandshakeContext(ctx)
	var rec tls.RecordHeaderError
	var alert tls.AlertError
	speaksTLS := herr == nil || errors.As(herr, &alert)
	plain := errors.As(herr, &rec) && rec.Conn != nil && looksLikeHTTP(rec.RecordHeader[:])
	switch {
	case u.Scheme == "http" && speaksTLS:
		https := *u
		https.Scheme = "https"
		return fmt.Sprintf("TLS mismatch: %s is an http:// URL, but the server at %s speaks TLS", rawURL, addr),
			"Give the URL with https:// (" + https.String() + "), or serve plain HTTP there"
	case u.Scheme == "https" && plain:
		plainURL := *u
		plainURL.Scheme = "http"
		return fmt.Sprintf("TLS mismatch: %s is an https:// URL, but the server at %s speaks plain HTTP", rawURL, addr),
			"Give the URL with http:// (" + plainURL.String() + "), or serve TLS there"
	}
	return "", ""
}

// looksLikeHTTP reports whether the first bytes of an answer are an HTTP status line.
func looksLikeHTTP(b []byte) bool { return string(b) == "HTTP/" }

// hostPort is u's host:port with the scheme's default port.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// crash is an endpoint that stopped answering during a crash-prone scenario: the request after
// which it did, when, and what the health probe got.
type crash struct {
	request string // "GET /install?returnUrl=//x…": the first request it did not answer
	before  string // the last request it answered, when the first unanswered one was refused
	during  ScenarioID
	seq     int // the hop of that request
	since   time.Time
	probe   string // what the health probe of the origin got
}

// crashed decides, after a crash-prone scenario, whether the endpoint went down during it: when
// a request to the install URL's origin got no answer, a health probe asks the origin. It
// returns nil while the endpoint answers.
func crashed(ctx context.Context, o *Observation, opts Options) *crash {
	iu, err := url.Parse(o.Target.InstallURL)
	if err != nil {
		return nil
	}
	own := originKey(iu)
	var (
		last  *HopRecord // the last request the endpoint answered
		first *HopRecord // the first it did not
	)
	for i := range o.Hops {
		h := &o.Hops[i]
		if h.Stopped || originKey(h.URL) != own {
			continue
		}
		if h.Err == nil && h.Status > 0 {
			last = h
			continue
		}
		if h.Err != nil {
			first = h
			break
		}
	}
	if first == nil {
		return nil
	}
	since := time.Now()
	perr := probeHealth(ctx, iu, opts.HopTimeout)
	if perr == nil {
		return nil
	}
	c := &crash{request: describeRequest(*first), seq: first.Seq, since: since, probe: perr.Error(), during: o.Scenario}
	// A refused first request may also mean the endpoint died after answering the one before.
	if errors.Is(first.Err, syscall.ECONNREFUSED) && last != nil {
		c.before = describeRequest(*last)
	}
	return c
}

// probeHealth asks the origin of the install URL for "/" once: any HTTP answer, whatever its
// status, means the endpoint is up.
func probeHealth(ctx context.Context, installURL *url.URL, timeout time.Duration) error {
	origin := url.URL{Scheme: installURL.Scheme, Host: installURL.Host, Path: "/"}
	client := &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // only asks whether anything answers
			DisableKeepAlives: true,
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, origin.String(), nil)
	if err != nil {
		return fmt.Errorf("health probe of %s: %w", origin.String(), err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("health probe GET %s: %w", origin.String(), err)
	}
	_ = resp.Body.Close() // any answer will do; its body is not read
	return nil
}

// describeRequest is a hop's request as a report names it: "GET /install?returnUrl=//x…".
func describeRequest(h HopRecord) string {
	return h.Method + " " + excerpt(h.URL.RequestURI(), 100)
}

// verdict is the outcome of a check of the scenario that brought the endpoint down. A failure
// the evidence decided before the crash stands (an open redirect recorded, a 5xx); anything
// else fails naming the request the endpoint did not survive.
func (c *crash) verdict(out Outcome) Outcome {
	if decidedBefore(out, c.seq) {
		return out
	}
	got := fmt.Sprintf("the endpoint stopped answering after %s: it crashed on this input (%s)", c.request, c.probe)
	if c.before != "" {
		got = fmt.Sprintf("the endpoint stopped answering after %s: it crashed on this input, or on %s, the last request it answered (%s)", c.request, c.before, c.probe)
	}
	return Outcome{
		Status:   Fail,
		Expected: "the endpoint keeps answering after bad input (a 4xx page or a return to HubSpot)",
		Got:      got,
		Hops:     []int{c.seq},
	}
}

// downOutcome is the outcome of a check that could not run because the endpoint was down.
func (c *crash) downOutcome() Outcome {
	return Outcome{
		Status: Error,
		Cause:  CauseDown,
		Got:    fmt.Sprintf("endpoint down since %s (after %s, in %s): this check could not run", c.since.UTC().Format("15:04:05.000"), c.request, c.during),
		Fix:    "Fix the crash the earlier failure names (the endpoint must survive " + c.request + "), then run again.",
	}
}

// health remembers which targets' endpoints are down, by install URL origin, and the first
// scenario of the normal phase that saw a request to it go unanswered.
type health struct {
	mu       sync.Mutex
	downs    map[string]*crash
	suspects map[string]*Observation
}

func newHealth() *health {
	return &health{downs: map[string]*crash{}, suspects: map[string]*Observation{}}
}

// suspect remembers o when a request of it to the install URL's origin went unanswered.
func (h *health) suspect(o *Observation) {
	iu, err := url.Parse(o.Target.InstallURL)
	if err != nil {
		return
	}
	own := originKey(iu)
	for _, hop := range o.Hops {
		if !hop.Stopped && hop.Err != nil && originKey(hop.URL) == own {
			h.mu.Lock()
			if h.suspects[own] == nil {
				h.suspects[own] = o
			}
			h.mu.Unlock()
			return
		}
	}
}

// recheck probes, once, the endpoints a scenario of the normal phase saw stop answering, and
// marks down those that are: the crash-prone probes then do not run against a dead endpoint,
// and are not blamed for its death.
func (h *health) recheck(ctx context.Context, opts Options) {
	h.mu.Lock()
	sus := h.suspects
	h.suspects = map[string]*Observation{}
	h.mu.Unlock()
	for _, o := range sus {
		if h.down(o.Target) != nil {
			continue
		}
		if c := crashed(ctx, o, opts); c != nil {
			h.markDown(o.Target, c)
		}
	}
}

func (h *health) markDown(t Target, c *crash) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if k := installOrigin(t); h.downs[k] == nil {
		h.downs[k] = c
	}
}

func (h *health) down(t Target) *crash {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.downs[installOrigin(t)]
}

func installOrigin(t Target) string {
	u, err := url.Parse(t.InstallURL)
	if err != nil {
		return t.InstallURL
	}
	return originKey(u)
}
