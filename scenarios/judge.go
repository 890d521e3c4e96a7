package scenarios

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/browser"
	"github.com/hsemu/hsemu/scenarios/framing"
)

// This file holds what the judges share: did the browser get back to HubSpot, did the endpoint
// answer with a 5xx, was the code exchanged the way HubSpot requires, could HubSpot frame it.

// returned says whether a step ended at want: the browser was about to load want's scheme,
// host and path with every one of want's own query parameters intact (extra ones are fine).
// When it did not, got says where the user was left instead.
func returned(st *Step, want *url.URL) (ok bool, got string) {
	if st == nil {
		return false, "the step never ran"
	}
	if st.Err != nil {
		if errors.Is(st.Err, browser.ErrLoop) {
			return false, "infinite login loop: " + st.Err.Error()
		}
		return false, "the browser could not finish: " + st.Err.Error()
	}
	p := st.Page
	if p == nil {
		return false, "no page"
	}
	if !p.Stopped {
		var b strings.Builder
		fmt.Fprintf(&b, "the browser stayed at %s (HTTP %d", p.URL, p.Status)
		if p.Title != "" {
			fmt.Fprintf(&b, ", %q", p.Title)
		}
		b.WriteString(") and never went back to HubSpot: the user would be stuck in an infinite login loop")
		if p.JSRedirect {
			fmt.Fprintf(&b, "; the page redirects with JavaScript only (%s), which hsemu's http engine does not run (HubSpot's frame would, if scripts are allowed there): redirect with HTTP 302/303 or a meta refresh, which every browser follows", excerpt(p.JSRedirectSnippet, 80))
		}
		return false, b.String()
	}
	if sameReturn(p.URL, want) {
		return true, "returned to " + p.URL.String()
	}
	return false, "went to " + p.URL.String() + ", not to this request's returnUrl " + want.String()
}

// fixJSEngine is the fix of a verdict the http engine cannot decide: a page that navigates only
// with JavaScript.
const fixJSEngine = "Run with a browser engine that runs JavaScript (--engine chromium or auto; in the TUI, press e) to decide it; or, to let every engine follow it, return with an HTTP 302/303 (or a meta refresh) instead of script."

// jsOnlyReturn is the verdict on a step whose last page navigates only with JavaScript
// (HubSpot's own samples: window.location.href = returnUrl): the http engine runs no script, so
// it cannot tell where the user ends. It is an error of the engine, never a failure of the
// endpoint. ok is false when the step's end needs no script.
func jsOnlyReturn(st *Step) (out Outcome, ok bool) {
	if st == nil || st.Err != nil || st.Page == nil || st.Page.Stopped || !st.Page.JSRedirect {
		return Outcome{}, false
	}
	p := st.Page
	return undecided(fmt.Sprintf("%s: the page at %s (HTTP %d) navigates only with JavaScript (%s); the http engine runs no script, so it cannot tell whether the user gets back to HubSpot",
		st.Name, p.URL.Path, p.Status, excerpt(p.JSRedirectSnippet, 120)), fixJSEngine), true
}

// sameReturn reports whether got is want with want's query parameters intact.
func sameReturn(got, want *url.URL) bool {
	if !strings.EqualFold(got.Scheme, want.Scheme) || !strings.EqualFold(got.Host, want.Host) || got.Path != want.Path {
		return false
	}
	gq := got.Query()
	for k, vs := range want.Query() {
		gv := gq[k]
		if len(gv) < len(vs) {
			return false
		}
		for i := range vs {
			if gv[i] != vs[i] {
				return false
			}
		}
	}
	return true
}

// serverError finds the first hop on which the endpoint answered 5xx. A 5xx is evidence of a
// failure by itself; its absence is evidence of nothing until the step was answered (answered,
// finished in evidence.go).
func serverError(st *Step) (HopRecord, bool) {
	if st == nil {
		return HopRecord{}, false
	}
	for _, h := range st.Hops {
		if h.Status >= 500 && !isHubSpotURL(h.URL) {
			return h, true
		}
	}
	return HopRecord{}, false
}

// isHubSpotURL reports whether u is on one of HubSpot's hosts (hubspot.IsHubSpotURL).
func isHubSpotURL(u *url.URL) bool { return hubspot.IsHubSpotURL(u) }

// codeExchanges are the authorization_code token requests among evs.
func codeExchanges(evs []emulator.Event) []emulator.Event {
	var out []emulator.Event
	for _, e := range evs {
		if e.GrantType == "authorization_code" || (e.GrantType == "" && e.Code != "") {
			out = append(out, e)
		}
	}
	return out
}

// exchangeProblem checks the first exchange of a step against HubSpot's rules and says what is
// wrong with it, or "" when it is right.
func exchangeProblem(st *Step, t Target) string {
	exs := codeExchanges(st.Exchanges)
	if len(exs) == 0 {
		return "no token request for the code reached HubSpot"
	}
	e := exs[0]
	var probs []string
	if e.Method != http.MethodPost {
		probs = append(probs, "the request was "+e.Method+", not POST")
	}
	if ct := strings.ToLower(e.ContentType); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		probs = append(probs, fmt.Sprintf("the body was %q, not application/x-www-form-urlencoded", e.ContentType))
	}
	if e.GrantType != "authorization_code" {
		probs = append(probs, fmt.Sprintf("grant_type was %q, not authorization_code", e.GrantType))
	}
	if e.ClientID != t.App.ClientID {
		probs = append(probs, fmt.Sprintf("client_id was %q, not the app's %q", e.ClientID, t.App.ClientID))
	}
	if e.RedirectURI != t.InstallURL {
		probs = append(probs, fmt.Sprintf("redirect_uri was %q, not the install URL %q (HubSpot requires the redirect_uri the code was issued for; that a marketplace install's code is issued for the install URL is hsemu's inference from HubSpot's install flow)", e.RedirectURI, t.InstallURL))
	}
	if e.Outcome != "" && len(probs) == 0 {
		probs = append(probs, fmt.Sprintf("HubSpot answered %d %s: %s", e.Status, e.Outcome, e.Message))
	}
	return strings.Join(probs, "; ")
}

// framedVerdicts evaluates every page the browser rendered in a step (every response that is not
// a redirect and was not left for HubSpot) as HubSpot's frame would.
func framedVerdicts(st *Step, onlyPath string) []pageVerdict {
	if st == nil {
		return nil
	}
	var out []pageVerdict
	for _, h := range st.Hops {
		if h.Stopped || h.Status == 0 || (h.Status >= 300 && h.Status < 400) || isHubSpotURL(h.URL) {
			continue
		}
		u := h.URL
		if onlyPath != "" && u.Path != onlyPath {
			continue
		}
		in := framing.Input{URL: u, Header: h.ResponseHeader, Body: h.Body}
		v := framing.EvaluateAll(in, requiredFrameOrigins)
		pv := pageVerdict{hop: h, v: v}
		if v.Allowed {
			if other := framing.EvaluateAll(in, framing.HubSpotOrigins); !other.Allowed {
				pv.note = other.Reason
			}
		}
		out = append(out, pv)
	}
	return out
}

type pageVerdict struct {
	hop  HopRecord
	v    framing.Verdict
	note string // why another of HubSpot's app origins would be blocked, when one would
}

// requiredFrameOrigins are the origins the frameable checks require
// (hubspot.RequiredFrameOrigins: the two of HubSpot's own example policy). HubSpot's full list is
// UNCONFIRMED; the other app-* hosts are reported in the verdict without failing it.
var requiredFrameOrigins = hubspot.RequiredFrameOrigins()

// judgeFrameable is the frameable checks' judge over some steps. Its outcome carries the
// verdict on every page it evaluated (Outcome.Frames), so sinks show the run's verdict per hop.
func judgeFrameable(steps []*Step, onlyPath string) Outcome {
	if len(steps) == 0 {
		return skip("the install never reached the endpoint")
	}
	var (
		frames  []FrameVerdict
		blocked *pageVerdict
		note    string
	)
	for _, st := range steps {
		for _, pv := range framedVerdicts(st, onlyPath) {
			fv := FrameVerdict{Hop: pv.hop.Seq, Origins: requiredFrameOrigins, Verdict: pv.v, Note: pv.note}
			for _, p := range framing.ParsePolicies(pv.hop.ResponseHeader, pv.hop.Body) {
				var ds []string
				for _, d := range p.Directives {
					ds = append(ds, d.String())
				}
				fv.Policies = append(fv.Policies, fmt.Sprintf("%s (%s): %s", p.Source, p.Disposition, strings.Join(ds, "; ")))
			}
			frames = append(frames, fv)
			if !pv.v.Allowed && blocked == nil {
				blocked = &pv
			}
			if pv.note != "" && note == "" {
				note = "; note: " + pv.note
			}
		}
	}
	var out Outcome
	switch {
	case blocked != nil:
		got := fmt.Sprintf("%s (HTTP %d) would be blocked in HubSpot's frame: %s", blocked.hop.URL, blocked.hop.Status, blocked.v.Reason)
		if blocked.v.Header != "" {
			got += fmt.Sprintf(" [%s: %s]", blocked.v.Header, blocked.v.Value)
		}
		out = fail("every page may be framed by HubSpot's app origins ("+strings.Join(requiredFrameOrigins, ", ")+")", got, blocked.hop.Seq)
	case len(frames) == 0:
		out = pass("the endpoint showed no page of its own in the frame, only redirects (redirect responses are not framed)")
	default:
		out = pass(fmt.Sprintf("all %d page(s) the endpoint showed may be framed by HubSpot%s", len(frames), note))
	}
	out.Frames = frames
	return out
}

// withFraming adds to a passing verdict the framing of every page its steps showed inside
// HubSpot's frame: error pages there are shown to the user too, and a page the frame may not show
// is a blank dialog. A failure or an error is returned as it is.
func withFraming(out Outcome, steps []*Step) Outcome {
	if out.Status != Pass {
		return out
	}
	var framed []*Step
	for _, st := range steps {
		if st != nil && st.Context.Framed {
			framed = append(framed, st)
		}
	}
	if len(framed) == 0 {
		return out
	}
	fr := judgeFrameable(framed, "")
	if fr.Status == Fail {
		fr.Expected = "every page shown in HubSpot's frame may be framed, error pages too: " + fr.Expected
		fr.Fix = fixFrame
		return fr
	}
	out.Frames = fr.Frames
	return out
}

// judgeNoSecrets looks for the client secret and the issued tokens in everything the browser
// saw: URLs, Location and Referer headers, and page bodies.
func judgeNoSecrets(o *Observation, steps []*Step) Outcome {
	if len(steps) == 0 {
		return skip("the install never reached the endpoint")
	}
	var secrets []string
	for _, s := range o.Secrets {
		if len(s) >= 8 {
			secrets = append(secrets, s)
		}
	}
	for _, st := range steps {
		for _, h := range st.Hops {
			where := ""
			for _, sec := range secrets {
				switch {
				case strings.Contains(h.URL.String(), sec) || strings.Contains(h.URL.String(), url.QueryEscape(sec)):
					where = "the URL " + redact(h.URL.String(), sec)
				case strings.Contains(h.ResponseHeader.Get("Location"), sec):
					where = "the Location header of " + h.URL.String()
				case strings.Contains(h.RequestHeader.Get("Referer"), sec):
					where = "the Referer sent to " + h.URL.String()
				case len(h.Body) > 0 && strings.Contains(string(h.Body), sec):
					where = "the page " + h.URL.String()
				}
				if where != "" {
					kind := "a token HubSpot issued"
					if sec == o.Target.App.ClientSecret {
						kind = "the client secret"
					}
					return fail("no client secret, access token or refresh token where the browser can see it", kind+" appears in "+where, h.Seq)
				}
			}
		}
	}
	return pass(fmt.Sprintf("no secret in the %d hop(s) the browser saw", len(o.Hops)))
}

func redact(s, secret string) string {
	short := secret
	if len(short) > 6 {
		short = short[:6] + "…"
	}
	return strings.ReplaceAll(s, secret, short)
}

// judgeSingleExchange: the code is redeemed once.
func judgeSingleExchange(st *Step) Outcome {
	if st == nil {
		return skip("the install never ran")
	}
	exs := codeExchanges(st.Exchanges)
	switch len(exs) {
	case 0:
		return skip("the code was never exchanged (see the exchanges-code check)")
	case 1:
		return pass("the code was redeemed once")
	}
	return fail("the code redeemed once: a second redemption fails and makes HubSpot revoke the tokens of the first (RFC 6749 §4.1.2)",
		fmt.Sprintf("the code was sent to the token endpoint %d times (%s)", len(exs), outcomes(exs)))
}

func outcomes(evs []emulator.Event) string {
	parts := make([]string, 0, len(evs))
	for _, e := range evs {
		o := e.Outcome
		if o == "" {
			o = "ok"
		}
		parts = append(parts, fmt.Sprintf("%s → %d %s", e.Path, e.Status, o))
	}
	return strings.Join(parts, ", ")
}

// judgeCurrentEndpoint: not the v1 token endpoint.
func judgeCurrentEndpoint(st *Step) Outcome {
	if st == nil {
		return skip("the install never ran")
	}
	exs := codeExchanges(st.Exchanges)
	if len(exs) == 0 {
		return skip("the code was never exchanged (see the exchanges-code check)")
	}
	for _, e := range exs {
		if hubspot.IsDeprecatedTokenPath(e.Path) {
			return fail("the code exchanged on "+hubspot.TokenPathV3+" (or a dated version)", "the code was exchanged on "+e.Path+", which HubSpot sunsets on "+hubspot.TokenV1SunsetText)
		}
	}
	return pass("exchanged on " + exs[0].Path)
}

// judgeBudget: the install within InstallBudget, each hop within HopBudget.
//
// To pass it must have seen every step finish with every request answered by the endpoint (or
// end in a loop the endpoint answered each turn of, which other checks judge): a step cut short
// by a broken connection, a hop timeout or the deadline never finished, so its time is not a
// measure of the install and the check fails.
func judgeBudget(o *Observation, steps []*Step) Outcome {
	if len(steps) == 0 {
		return skip("the install never ran")
	}
	want := fmt.Sprintf("each hop within %s, the whole install within %s", o.Options.HopBudget, o.Options.InstallBudget)
	var total time.Duration
	for _, st := range steps {
		total += st.Duration
		for _, h := range st.Hops {
			if h.Duration > o.Options.HopBudget {
				return fail(want, fmt.Sprintf("%s %s took %s", h.Method, h.URL, h.Duration.Round(time.Millisecond)), h.Seq)
			}
		}
		if _, broken := brokenHop(st); broken || !answered(st) || (st.Err != nil && !endedInLoop(st.Err)) || (st.Err == nil && st.Page == nil) {
			out := unanswered(st, want)
			out.Got = "the install never finished: " + out.Got
			return out
		}
	}
	if total > o.Options.InstallBudget {
		return fail(fmt.Sprintf("the whole install within %s", o.Options.InstallBudget), fmt.Sprintf("it took %s", total.Round(time.Millisecond)))
	}
	return pass(fmt.Sprintf("the install took %s, every request answered", total.Round(time.Millisecond)))
}

// endedInLoop reports whether a navigation ended because the browser went round in circles or
// refused a redirect: every request was answered, so the time it took is a measure.
func endedInLoop(err error) bool {
	return errors.Is(err, browser.ErrLoop) || errors.Is(err, browser.ErrTooManyHops) || errors.Is(err, browser.ErrBadRedirect)
}

// judgeReturnsNo5xx is the shape of the failure judges of an install in HubSpot's frame: for
// every step named, no 5xx, back at the returnUrl, and every page shown on the way frameable by
// HubSpot (an error page the frame cannot show is a blank dialog).
//
// To pass it must have seen every step answered by the endpoint and ending at the step's
// returnUrl; a broken connection, garbage or no answer is a failure naming the request.
func judgeReturnsNo5xx(steps []*Step, noExchange bool) Outcome {
	if len(steps) == 0 {
		return skip("the provocation never ran")
	}
	var js *Outcome
	for _, st := range steps {
		if h, ok := serverError(st); ok {
			return fail("no 5xx; the user is sent back to HubSpot's returnUrl", fmt.Sprintf("%s: the endpoint answered HTTP %d at %s", st.Name, h.Status, h.URL), h.Seq)
		}
		if _, broken := brokenHop(st); broken || !answered(st) {
			return unanswered(st, "an answer from the endpoint that sends the user back to HubSpot's returnUrl")
		}
		if noExchange {
			if exs := append(codeExchanges(st.Exchanges), st.Orphans...); len(exs) > 0 {
				return fail("no token request", fmt.Sprintf("%s: the endpoint sent a token request anyway (%s)", st.Name, outcomes(exs)))
			}
		}
		if out, ok := jsOnlyReturn(st); ok {
			if js == nil {
				js = &out
			}
			continue
		}
		if ok, got := returned(st, st.Return); !ok {
			return fail("the user is sent back to this request's returnUrl", string(st.Name)+": "+got)
		}
	}
	out := withFraming(pass(fmt.Sprintf("%d provocation(s): answered, no 5xx, back at HubSpot", len(steps))), steps)
	if js != nil && out.Status == Pass {
		return *js
	}
	return out
}

// judgeRedirectsFrameable: no redirect the endpoint answered during the install carries framing
// headers that would block HubSpot's frame, were the URL to show a page there. Browsers do not
// enforce them on a redirect, so it is a SHOULD.
func judgeRedirectsFrameable(steps []*Step) Outcome {
	if len(steps) == 0 {
		return skip("the install never reached the endpoint")
	}
	n := 0
	for _, st := range steps {
		for _, h := range st.Hops {
			if h.Stopped || h.Status < 300 || h.Status >= 400 || isHubSpotURL(h.URL) {
				continue
			}
			n++
			v := framing.EvaluateAll(framing.Input{URL: h.URL, Header: h.ResponseHeader}, requiredFrameOrigins)
			if !v.Allowed {
				got := fmt.Sprintf("the HTTP %d redirect from %s carries headers that would block HubSpot's frame: %s", h.Status, h.URL, v.Reason)
				if v.Header != "" {
					got += fmt.Sprintf(" [%s: %s]", v.Header, v.Value)
				}
				return fail("no X-Frame-Options or frame-ancestors on the install URL's redirects that would block HubSpot ("+strings.Join(requiredFrameOrigins, ", ")+"): browsers ignore them on a redirect today, but any page the URL shows there would be blocked", got, h.Seq)
			}
		}
	}
	if n == 0 {
		return pass("the endpoint answered no redirect of its own during the install")
	}
	return pass(fmt.Sprintf("none of the %d redirect(s) carries a header that would block HubSpot's frame", n))
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
