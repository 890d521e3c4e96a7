package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// robustWant is what a robust judge asks of every probe besides "no 5xx".
type robustWant struct {
	noExchange   bool // no token request for the probe's code
	withinBudget bool // each hop within the hop budget
}

// judgeRobust is the robust checks' common judge: for every step named with prefix, no 5xx,
// no hang or loop, and what want adds.
//
// To pass it must have seen, for every probe, a complete HTTP answer from the endpoint (an
// error page, or a redirect the browser followed to its end or stopped before leaving the
// endpoint) with no 5xx. A probe that got a reset, an EOF, bytes that are not HTTP, a TLS
// failure, an unreadable answer or no answer before the hop timeout or the scenario's deadline
// is a failure naming that request: the endpoint did not answer the bad input.
func judgeRobust(o *Observation, prefix StepName, want robustWant) Outcome {
	steps := o.StepsNamed(prefix)
	if len(steps) == 0 {
		return o.missing(prefix)
	}
	const answer = "an answer (an error page or a return to HubSpot), not a hang, a loop or a broken connection"
	for _, st := range steps {
		if h, ok := serverError(st); ok {
			return fail("no 5xx: bad input gets a 4xx page or a return to HubSpot", fmt.Sprintf("%s: the endpoint answered HTTP %d at %s", st.Name, h.Status, excerpt(h.URL.String(), 160)), h.Seq)
		}
		if st.Err != nil && (errors.Is(st.Err, browser.ErrHopTimeout) || errors.Is(st.Err, browser.ErrLoop) || errors.Is(st.Err, browser.ErrTooManyHops)) {
			out := fail(answer, string(st.Name)+": "+st.Err.Error())
			if h, ok := brokenHop(st); ok {
				out.Hops = []int{h.Seq}
			}
			return out
		}
		if _, broken := brokenHop(st); broken || !finished(st) || !answered(st) {
			return unanswered(st, answer)
		}
		if want.noExchange {
			if exs := codeExchanges(st.Exchanges); len(exs) > 0 {
				return fail("no token exchange for a request that is not step=finalize", fmt.Sprintf("%s: the endpoint exchanged the code (%s)", st.Name, outcomes(exs)))
			}
		}
		if want.withinBudget {
			for _, h := range st.Hops {
				if !h.Stopped && h.Duration > o.Options.HopBudget {
					return fail(fmt.Sprintf("each answer within the hop budget (%s)", o.Options.HopBudget),
						fmt.Sprintf("%s: %s took %s", st.Name, excerpt(h.URL.String(), 120), h.Duration.Round(1e6)), h.Seq)
				}
			}
		}
	}
	return pass(fmt.Sprintf("%d probe(s), each answered by the endpoint: no 5xx, no hang", len(steps)))
}

// offSite reports whether a destination is where the open-redirect probes point: evil.example
// (or a host under it) or a script URL.
func offSite(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "javascript", "data", "vbscript":
		return true
	}
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	return h == "evil.example" || strings.HasSuffix(h, ".evil.example")
}

// destination is where a hop would send the user: a redirect, a refresh, or a link back.
type destination struct {
	how string
	url *url.URL
	seq int
}

// destinations lists where the hops of st send (or offer to send) the browser: Location and
// Refresh headers, meta refreshes, and the links of the pages shown. Each is resolved against
// the URL of the hop that names it, as the browser would.
func destinations(st *Step) []destination {
	var out []destination
	add := func(how, raw string, base *url.URL, seq int) {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			return
		}
		u, err := base.Parse(raw)
		if err != nil {
			// An unparsable script URL still runs when followed from a link.
			if l := strings.ToLower(raw); strings.HasPrefix(l, "javascript:") || strings.HasPrefix(l, "data:") {
				out = append(out, destination{how, &url.URL{Scheme: "javascript", Opaque: raw}, seq})
			}
			return
		}
		out = append(out, destination{how, u, seq})
	}
	for _, h := range st.Hops {
		if h.Stopped {
			out = append(out, destination{"the browser was about to load", h.URL, h.Seq})
			continue
		}
		if h.ResponseHeader == nil {
			continue
		}
		if loc := h.ResponseHeader.Get("Location"); loc != "" && h.Status >= 300 && h.Status < 400 {
			add(fmt.Sprintf("a %d redirect", h.Status), loc, h.URL, h.Seq)
		}
		if ref := h.ResponseHeader.Get("Refresh"); ref != "" {
			add("a Refresh header", refreshURL(ref), h.URL, h.Seq)
		}
		if len(h.Body) > 0 && isHTMLish(h.ResponseHeader.Get("Content-Type")) {
			for _, l := range pageLinks(h.Body) {
				add(l[0], l[1], h.URL, h.Seq)
			}
		}
	}
	return out
}

// refreshURL is the URL of a refresh value "5; url=…" as the browser reads it (HTML Standard
// §4.2.5.3), or "".
func refreshURL(v string) string { return browser.RefreshURL(v) }

func isHTMLish(ct string) bool {
	ct = strings.ToLower(ct)
	return ct == "" || strings.Contains(ct, "html") || strings.Contains(ct, "xml")
}

// pageLinks finds the meta refreshes and links of a page, as [how, raw URL] pairs.
func pageLinks(body []byte) [][2]string {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	var out [][2]string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "meta":
				if strings.EqualFold(nodeAttr(n, "http-equiv"), "refresh") {
					out = append(out, [2]string{"a meta refresh", refreshURL(nodeAttr(n, "content"))})
				}
			case "a":
				out = append(out, [2]string{"a link on the page", nodeAttr(n, "href")})
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func nodeAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// judgeOpenRedirect: no probe sends the browser, or offers to send it, off HubSpot.
func judgeOpenRedirect(o *Observation) Outcome {
	steps := o.StepsNamed(stepProbeOpenRedirect + " (")
	if len(steps) == 0 {
		return o.missing(stepProbeOpenRedirect)
	}
	for _, st := range steps {
		for _, d := range destinations(st) {
			if offSite(d.url) {
				return fail("never sent to a returnUrl that is not HubSpot's: \"Clients … MUST NOT expose URLs that forward the user's browser to arbitrary URIs obtained from a query parameter\"",
					fmt.Sprintf("%s: %s to %s", st.Name, d.how, excerpt(d.url.String(), 120)), d.seq)
			}
		}
	}
	return pass(fmt.Sprintf("%d probe(s): the browser was never sent off HubSpot", len(steps)))
}

// judgeReflected: no page shows the returnUrl's markup unescaped.
func judgeReflected(o *Observation) Outcome {
	steps := o.StepsNamed(stepProbeReflected + " (")
	if len(steps) == 0 {
		return o.missing(stepProbeReflected)
	}
	return judgeNoMarkup(steps, "the returnUrl")
}

// judgeMarkupEverywhere is the reflected-markup checks' judge: no page of any step of the
// scenario (its provocations carry xssPayload where an allow-list of HubSpot's hosts lets it
// through) shows the markup unescaped.
func judgeMarkupEverywhere(o *Observation) Outcome {
	if len(o.Steps) == 0 {
		return o.missing("markup")
	}
	return judgeNoMarkup(o.Steps, "a parameter")
}

// judgeNoMarkup searches every page of steps (every HTML response of the endpoint, redirects
// and error pages included) for xssMarker; from names where the markup came from.
func judgeNoMarkup(steps []*Step, from string) Outcome {
	pages := 0
	for _, st := range steps {
		for _, h := range st.Hops {
			if h.Stopped || len(h.Body) == 0 || isHubSpotURL(h.URL) || !isHTMLish(h.ResponseHeader.Get("Content-Type")) {
				continue
			}
			pages++
			body := bytes.ToLower(h.Body)
			if i := bytes.Index(body, []byte(xssMarker)); i >= 0 {
				lo := max(0, i-40)
				hi := min(len(h.Body), i+len(xssMarker)+20)
				return fail(from+" never echoed into HTML unescaped (escape it for where it lands)",
					fmt.Sprintf("%s: the page %s (HTTP %d) contains the script from %s: …%s…", st.Name, excerpt(h.URL.Path, 80), h.Status, from, excerpt(string(h.Body[lo:hi]), 100)), h.Seq)
			}
		}
	}
	return pass(fmt.Sprintf("%d probe(s), %d page(s): the markup never appeared unescaped", len(steps), pages))
}
