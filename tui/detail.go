package tui

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/report"
)

// bodyExcerptLines bounds the body shown in a hop's detail.
const bodyExcerptLines = 30

// detailPane is the scrolling view of one check or one hop. It is a component in the bubbles
// manner: Update, View, SetSize.
type detailPane struct {
	vp   viewport.Model
	text string // what it shows, colour and all
}

func newDetailPane() detailPane { return detailPane{vp: viewport.New(80, 20)} }

// setContent replaces what the pane shows; the scroll position stays.
func (d *detailPane) setContent(s string) {
	if s != d.text {
		d.text = s
		d.vp.SetContent(s)
	}
}

// gotoTop scrolls back to the first line.
func (d *detailPane) gotoTop() { d.vp.GotoTop() }

// Update scrolls.
func (d detailPane) Update(msg tea.Msg) (detailPane, tea.Cmd) {
	var cmd tea.Cmd
	d.vp, cmd = d.vp.Update(msg)
	return d, cmd
}

// View draws the visible part.
func (d detailPane) View() string { return d.vp.View() }

// SetSize sets the pane's size in cells.
func (d *detailPane) SetSize(w, h int) { d.vp.Width, d.vp.Height = w, h }

// wrap breaks s into lines of at most w cells, keeping a hanging indent for continuation lines.
func wrap(s string, w int) string {
	if w < 20 {
		w = 20
	}
	var out []string
	for _, line := range strings.Split(s, "\n") {
		indent := len(line) - len(strings.TrimLeft(line, " "))
		if lipgloss.Width(line) <= w {
			out = append(out, line)
			continue
		}
		hang := strings.Repeat(" ", min(indent+2, w/2))
		body := lipgloss.NewStyle().Width(w - len(hang)).Render(strings.TrimLeft(line, " "))
		for i, l := range strings.Split(body, "\n") {
			l = strings.TrimRight(l, " ")
			if i == 0 {
				out = append(out, strings.Repeat(" ", indent)+l)
			} else {
				out = append(out, hang+l)
			}
		}
	}
	return strings.Join(out, "\n")
}

// checkDetail is the explanation of one check: its verdict line, then the requirement, source,
// expected, got, fix and the scenario's transcript exactly as `hsemu check` prints them
// (report.CheckDetail), with the engine that decided it (engine, "" when unknown). A check not
// decided yet shows what it requires and how it is provoked.
func checkDetail(s Styles, c scenarios.Check, res *scenarios.Result, engine string, strict bool, w int) string {
	var b strings.Builder
	if res == nil {
		fmt.Fprintf(&b, "%s  %s  %s\n%s\n\n", s.Pending.Render("not run yet"), c.Level, s.Label.Render(c.ID), c.Title)
		field := func(name, v string) { fmt.Fprintf(&b, "%s %s\n", s.Label.Render(fmt.Sprintf("%-12s", name+":")), v) }
		field("requirement", c.Requirement)
		field("source", c.Source)
		field("provokes", c.Provokes)
		field("scenario", string(c.Scenario))
		field("fix", c.Fix)
		return wrap(b.String(), w)
	}
	v := verdictOf(*res, strict)
	fmt.Fprintf(&b, "%s  %s  %s\n%s\n", s.verdict(v).Render(res.Label(strict)), c.Level, s.Label.Render(c.ID), c.Title)
	fmt.Fprintf(&b, "%s %s · scenario %s · %s", s.Label.Render("target:"), res.Target, c.Scenario, ms(res.Duration))
	if engine != "" {
		fmt.Fprintf(&b, " · %s engine", engine)
	}
	b.WriteString("\n\n")
	var d bytes.Buffer
	report.CheckDetail(&d, *res, 40)
	for _, line := range strings.Split(strings.TrimRight(d.String(), "\n"), "\n") {
		line = strings.TrimPrefix(line, "        ")
		for _, f := range []string{"requirement:", "source:", "expected:", "got:", "fix:", "transcript"} {
			if strings.HasPrefix(line, f) {
				line = s.Label.Render(f) + strings.TrimPrefix(line, f)
				break
			}
		}
		b.WriteString(line + "\n")
	}
	if res.Outcome.Status != scenarios.Fail {
		fmt.Fprintf(&b, "\n%s %s\n", s.Dim.Render("fix (when it fails):"), s.Dim.Render(c.Fix))
	}
	return wrap(b.String(), w)
}

// hopDetail shows one hop: request and response headers, cookies with their attributes, the
// framing verdict the run made on this page, broken down, and a body excerpt. results are the
// run's results of the hop's scenario for the hop's target.
func hopDetail(s Styles, h scenarios.HopRecord, results []scenarios.Result, strict bool, w int) string {
	var b strings.Builder
	section := func(name string) { fmt.Fprintf(&b, "\n%s\n", s.Group.Render(name)) }
	fmt.Fprintf(&b, "%s  %s %s\n", s.Label.Render(fmt.Sprintf("hop #%d", h.Seq)), h.Method, h.URL)
	fmt.Fprintf(&b, "%s %s · %s · %s · %s\n", s.Label.Render("step:"), h.Step, h.Context, orDash(string(h.How)), actors(h))
	switch {
	case h.Stopped:
		b.WriteString("not sent: the scenario stops the browser here (this URL is HubSpot's, and the step ends on it)\n")
	case h.Err != nil:
		fmt.Fprintf(&b, "%s %v (after %s)\n", s.Fail.Render("error:"), h.Err, ms(h.Duration))
	default:
		fmt.Fprintf(&b, "%s %d %s in %s\n", s.Label.Render("status:"), h.Status, http.StatusText(h.Status), ms(h.Duration))
	}
	if rs := hopChecks(results, h.Seq); len(rs) > 0 {
		section("Checks decided here")
		for _, r := range rs {
			v := verdictOf(r, strict)
			fmt.Fprintf(&b, "  %s %s — %s\n", s.verdict(v).Render(v.mark()), r.Check.ID, r.Outcome.Got)
		}
	}
	section("Request headers")
	writeHeader(&b, h.RequestHeader)
	if len(h.SentCookies) > 0 {
		fmt.Fprintf(&b, "  %s %s\n", s.Label.Render("cookies sent:"), strings.Join(h.SentCookies, ", "))
	}
	if len(h.RequestBody) > 0 {
		fmt.Fprintf(&b, "  %s %s\n", s.Label.Render("body:"), excerpt(h.RequestBody, 3))
	}
	if h.Status == 0 {
		return wrap(b.String(), w)
	}
	section("Response headers")
	writeHeader(&b, h.ResponseHeader)
	if len(h.SetCookies) > 0 || len(h.RejectedCookies) > 0 {
		section("Cookies set")
		for _, c := range h.SetCookies {
			fmt.Fprintf(&b, "  %s %s\n", s.Label.Render(c.Name), cookieAttrs(c))
		}
		for _, rc := range h.RejectedCookies {
			fmt.Fprintf(&b, "  %s %s — %s\n", s.Fail.Render("rejected"), orDash(rc.Name), rc.Reason)
		}
	}
	section("Framing (may HubSpot's app origins frame this page?)")
	writeFraming(&b, s, h.Seq, results)
	section(fmt.Sprintf("Body (%d bytes%s)", len(h.Body), map[bool]string{true: ", truncated", false: ""}[h.Truncated]))
	if len(h.Body) == 0 {
		b.WriteString("  (empty)\n")
	} else {
		for _, l := range strings.Split(excerpt(h.Body, bodyExcerptLines), "\n") {
			b.WriteString("  " + l + "\n")
		}
	}
	return wrap(b.String(), w)
}

// writeFraming writes the framing verdict the run recorded for hop seq (Outcome.Frames), naming
// the checks that made it; a hop no check judged as a framed page says so.
func writeFraming(b *strings.Builder, s Styles, seq int, results []scenarios.Result) {
	var fv *scenarios.FrameVerdict
	var by []string
	for _, r := range results {
		for i, f := range r.Outcome.Frames {
			if f.Hop == seq {
				if fv == nil {
					fv = &r.Outcome.Frames[i]
				}
				by = append(by, r.Check.ID)
				break
			}
		}
	}
	if fv == nil {
		fmt.Fprintf(b, "  %s\n", s.Dim.Render("no check judged this response as a page in HubSpot's frame"))
		return
	}
	v := fv.Verdict
	verdict := s.Pass.Render("allowed")
	if !v.Allowed {
		verdict = s.Fail.Render("blocked")
		if v.Blocker != "" {
			verdict += " by " + v.Blocker
		}
	}
	field := func(name, val string) {
		if val != "" {
			fmt.Fprintf(b, "  %s %s\n", s.Label.Render(name), val)
		}
	}
	field("verdict:", verdict)
	field("for:", strings.Join(fv.Origins, ", "))
	field("judged by:", strings.Join(by, ", "))
	if v.Header != "" {
		field("decided by:", v.Header+": "+v.Value)
	}
	field("directive:", v.Directive)
	field("matched:", v.Source)
	field("refused:", v.Ancestor)
	field("why:", v.Reason)
	field("fix:", v.Fix)
	for _, n := range v.Notes {
		fmt.Fprintf(b, "  %s %s\n", s.Warn.Render("note:"), n)
	}
	if fv.Note != "" {
		fmt.Fprintf(b, "  %s %s\n", s.Warn.Render("note:"), fv.Note)
	}
	for _, p := range fv.Policies {
		field("policy:", p)
	}
}

// apiDetail shows one request the emulator served.
func apiDetail(s Styles, ev emulator.Event, w int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s %s\n", s.Label.Render(fmt.Sprintf("HubSpot %s #%d", ev.Side, ev.Seq)), ev.Method, ev.Path)
	field := func(name, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s %s\n", s.Label.Render(fmt.Sprintf("%-13s", name+":")), v)
		}
	}
	field("route", ev.Route)
	field("status", fmt.Sprintf("%d %s in %s", ev.Status, http.StatusText(ev.Status), ms(ev.Duration)))
	field("content type", ev.ContentType)
	field("grant type", ev.GrantType)
	field("client id", ev.ClientID)
	field("redirect uri", ev.RedirectURI)
	field("code", ev.Code)
	field("token", ev.TokenHint)
	field("outcome", ev.Outcome)
	field("message", ev.Message)
	field("fault", ev.Fault)
	field("remote", ev.Remote)
	field("user agent", ev.UA)
	if len(ev.Query) > 0 {
		field("query", ev.Query.Encode())
	}
	return wrap(b.String(), w)
}

func writeHeader(b *strings.Builder, h http.Header) {
	if len(h) == 0 {
		b.WriteString("  (none)\n")
		return
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "  %s: %s\n", k, v)
		}
	}
}

// cookieAttrs lists a Set-Cookie's attributes as sent (its raw header when kept).
func cookieAttrs(c *http.Cookie) string {
	var a []string
	if c.Path != "" {
		a = append(a, "Path="+c.Path)
	}
	if c.Domain != "" {
		a = append(a, "Domain="+c.Domain)
	}
	if c.MaxAge != 0 {
		a = append(a, fmt.Sprintf("Max-Age=%d", c.MaxAge))
	}
	if !c.Expires.IsZero() {
		a = append(a, "Expires="+c.Expires.UTC().Format(http.TimeFormat))
	}
	if c.Secure {
		a = append(a, "Secure")
	}
	if c.HttpOnly {
		a = append(a, "HttpOnly")
	}
	switch c.SameSite {
	case http.SameSiteNoneMode:
		a = append(a, "SameSite=None")
	case http.SameSiteLaxMode:
		a = append(a, "SameSite=Lax")
	case http.SameSiteStrictMode:
		a = append(a, "SameSite=Strict")
	default:
		a = append(a, "SameSite unset (Lax in Chrome)")
	}
	if c.Partitioned {
		a = append(a, "Partitioned")
	}
	return strings.Join(a, "; ")
}

// excerpt returns the first n lines of body as text, binary bytes replaced.
func excerpt(body []byte, n int) string {
	text := string(body)
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "�")
	}
	text = strings.ReplaceAll(text, "\t", "  ")
	text = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\r':
			return -1
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return '·' // never let a page's control sequences reach the terminal
		}
		return r
	}, text)
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("… %d more lines", len(lines)-n))
	}
	return strings.Join(lines, "\n")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
