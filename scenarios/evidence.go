package scenarios

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// This file holds the evidence rules every judge shares: a check passes only on what the
// endpoint actually answered. A step whose request got no complete HTTP answer (the connection
// was refused, reset or closed, the bytes were not HTTP, TLS failed, the hop timed out) is no
// evidence of anything; the judges and the driver turn it into a failure of the endpoint or an
// error, never a pass.

// answered reports whether a step got at least one complete HTTP response from the endpoint
// (any host that is not HubSpot's): a status line, headers and the body, read without error.
func answered(st *Step) bool {
	if st == nil {
		return false
	}
	for _, h := range st.Hops {
		if !h.Stopped && h.Err == nil && h.Status > 0 && !isHubSpotURL(h.URL) {
			return true
		}
	}
	return false
}

// finished reports whether a step's navigation ended: at a page, or at the browser stopping
// before a URL it must not load (HubSpot's returnUrl, another origin). A step cut short by a
// network error, a timeout, a loop or the scenario's deadline did not finish.
func finished(st *Step) bool {
	return st != nil && st.Err == nil && st.Page != nil
}

// brokenHop returns the first hop of st whose request to a host other than HubSpot's got no
// complete answer, and whether there is one.
func brokenHop(st *Step) (HopRecord, bool) {
	if st == nil {
		return HopRecord{}, false
	}
	for _, h := range st.Hops {
		if h.Err != nil && !h.Stopped && !isHubSpotURL(h.URL) {
			return h, true
		}
	}
	return HopRecord{}, false
}

// noAnswer says why a step has no usable answer, or "" when it finished with one. It names the
// request and what happened to it: "GET http://…/install?… : the connection was reset".
func noAnswer(st *Step) string {
	if st == nil {
		return "the step never ran"
	}
	if h, ok := brokenHop(st); ok {
		return fmt.Sprintf("%s %s: %s", h.Method, excerpt(h.URL.String(), 120), transportProblem(h.Err))
	}
	if st.Err != nil {
		return transportProblem(st.Err)
	}
	if st.Page == nil {
		return "the navigation never finished"
	}
	if !answered(st) && !st.Page.Stopped {
		return "the endpoint sent no HTTP answer"
	}
	return ""
}

// transportProblem says in words what a hop's error means for the endpoint.
func transportProblem(err error) string {
	var (
		rec *tls.RecordHeaderError
		dns *net.DNSError
	)
	msg := err.Error()
	switch {
	case errors.Is(err, browser.ErrHopTimeout):
		return "no complete answer within the hop timeout (the endpoint accepted the request and never finished answering): " + msg
	case errors.Is(err, context.DeadlineExceeded):
		return "the scenario's deadline passed before the endpoint answered: " + msg
	case errors.Is(err, browser.ErrLoop), errors.Is(err, browser.ErrTooManyHops), errors.Is(err, browser.ErrBadRedirect):
		return msg
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (nothing listens there): " + msg
	case errors.As(err, &dns):
		return "the host name does not resolve: " + msg
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), strings.Contains(msg, "connection reset"), strings.Contains(msg, "broken pipe"):
		return "the endpoint reset the connection: " + msg
	case errors.As(err, &rec) || strings.Contains(msg, "first record does not look like a TLS handshake"):
		return "TLS mismatch: the URL is https but the server does not speak TLS there: " + msg
	case looksLikeTLSOnHTTP(msg):
		return "TLS mismatch: the URL is http but the server speaks TLS there (use https://): " + msg
	case strings.Contains(msg, "malformed HTTP"):
		return "the endpoint answered bytes that are not HTTP: " + msg
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(msg, "EOF"):
		return "the endpoint closed the connection without a complete answer: " + msg
	case strings.Contains(msg, "tls:"), strings.Contains(msg, "x509:"):
		return "the TLS handshake failed: " + msg
	case strings.Contains(msg, "header"):
		return "the endpoint's answer could not be read (" + msg + ")"
	}
	return "no usable answer: " + msg
}

// looksLikeTLSOnHTTP reports whether an HTTP client's error is a TLS record read as HTTP: a
// handshake (0x16 0x03) or an alert (0x15 0x03) where a status line should be.
func looksLikeTLSOnHTTP(msg string) bool {
	return strings.Contains(msg, `malformed HTTP response "\x15\x03`) || strings.Contains(msg, `malformed HTTP response "\x16\x03`)
}

// unanswered is the outcome of a check whose step got no usable answer: a failure of the
// endpoint when it broke the connection, answered garbage or never finished, naming the request.
func unanswered(st *Step, expected string) Outcome {
	out := fail(expected, string(st.Name)+": "+noAnswer(st))
	if h, ok := brokenHop(st); ok {
		out.Hops = []int{h.Seq}
	}
	return out
}

// passWithoutEvidence says why a pass the judge gave must not stand: a request of the scenario
// to the endpoint (or to where it sent the browser) got no complete answer. It returns "" when
// every step that went to the endpoint was answered.
func passWithoutEvidence(o *Observation) (why string, seq int) {
	reached := false
	for _, st := range o.Steps {
		if h, ok := brokenHop(st); ok {
			return fmt.Sprintf("%s: %s %s: %s", st.Name, h.Method, excerpt(h.URL.String(), 120), transportProblem(h.Err)), h.Seq
		}
		if answered(st) {
			reached = true
		}
	}
	for _, h := range o.Hops {
		if !h.Stopped && h.Err == nil && h.Status > 0 && !isHubSpotURL(h.URL) {
			reached = true
		}
	}
	if !reached && endpointBound(o) {
		for _, st := range o.Steps {
			if st.Err != nil {
				return fmt.Sprintf("%s: %s", st.Name, transportProblem(st.Err)), 0
			}
		}
		return "no request of the scenario got an HTTP answer from the endpoint", 0
	}
	return "", 0
}

// endpointBound reports whether some step of the observation was a request to the target's
// own URLs (rather than a check made without contacting the endpoint).
func endpointBound(o *Observation) bool {
	origins := targetOrigins(o.Target)
	for _, h := range o.Hops {
		if origins[originKey(h.URL)] {
			return true
		}
	}
	return false
}

// targetOrigins are the origins of the target's install, connect and webhook URLs.
func targetOrigins(t Target) map[string]bool {
	out := map[string]bool{}
	for _, raw := range []string{t.InstallURL, t.ConnectURL, t.WebhookURL} {
		if raw == "" {
			continue
		}
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			out[originKey(u)] = true
		}
	}
	return out
}
