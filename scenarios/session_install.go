package scenarios

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// This file is HubSpot's side of a marketplace install, as the scripts play it: the returnUrl,
// the code minted when the user clicks "Connect app", a fault of the token endpoint, the
// finalize request in HubSpot's frame, and the partner's sign-in at step=authorize.

// ReturnURL mints a returnUrl the way HubSpot's marketplace would: on the app host of the
// portal's hublet (app.hubspot.com for na1, app-<hublet>.hubspot.com for the others), with its
// own query parameters (which an endpoint must keep). HubSpot's real format is
// UNCONFIRMED (the install-flow page does not show it: https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow);
// this one is plausible and, on purpose, already has a query.
func (s *Session) ReturnURL(stage string) *url.URL {
	u := &url.URL{
		Scheme: "https",
		Host:   hubspot.AppHostOf(s.portal.Hublet),
		Path:   fmt.Sprintf("/ecosystem/%d/marketplace/apps/%d/install/return", s.portal.HubID, s.target.App.ID),
	}
	q := url.Values{}
	q.Set("installId", randomHex(8))
	q.Set("stage", stage)
	u.RawQuery = q.Encode()
	return u
}

// MintCode is the user clicking "Connect app" in HubSpot's dialog: the emulator mints a code for
// this portal, bound to the install URL, with the app's required scopes plus the conditionally
// required ones the partner returned.
func (s *Session) MintCode(conditional []string) (string, error) {
	app := s.target.App
	scopes := append(append([]string(nil), app.RequiredScopes...), conditional...)
	code, err := s.h.Emulator.IssueCode(emulator.CodeRequest{
		ClientID:       app.ClientID,
		HubID:          s.portal.HubID,
		RedirectURI:    s.target.InstallURL,
		Scopes:         scopes,
		OptionalScopes: app.OptionalScopes,
	})
	if err != nil {
		return "", fmt.Errorf("issue a code: %w", err)
	}
	s.watch(code)
	return code, nil
}

// watch registers a code HubSpot minted for this scenario, before the browser carries it
// anywhere, so the token requests that present it are attributed to this scenario.
func (s *Session) watch(code string) { s.disp.expect(code, s.target.label(), string(s.sc.ID)) }

// Fault makes the emulator's token endpoint misbehave for one code.
func (s *Session) Fault(f emulator.Fault) { s.h.Emulator.SetFault(f) }

// paramReturnURL is the install URL's parameter that carries where to hand the user back to
// HubSpot (the install-flow page).
const paramReturnURL = "returnUrl"

// installURL builds the install URL with HubSpot's parameters in the order of HubSpot's own
// examples (https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow): code, state, returnUrl, step.
func (s *Session) installURL(params [][2]string) string {
	var b strings.Builder
	b.WriteString(s.target.InstallURL)
	sep := "?"
	for _, p := range params {
		b.WriteString(sep)
		b.WriteString(url.QueryEscape(p[0]))
		b.WriteString("=")
		b.WriteString(url.QueryEscape(p[1]))
		sep = "&"
	}
	return b.String()
}

// Finalize opens the install URL with step=finalize inside HubSpot's frame, follows it to its
// end, then collects the token requests for code within the observe window.
func (s *Session) Finalize(b Engine, name StepName, code, state string, withState bool, ret *url.URL) *Step {
	var params [][2]string
	if code != "" {
		params = append(params, [2]string{"code", code})
	}
	if withState {
		params = append(params, [2]string{"state", state})
	}
	params = append(params, [2]string{paramReturnURL, ret.String()}, [2]string{"step", hubspot.StepFinalize})
	return s.Open(b, name, s.installURL(params), browser.FramedBy(emulator.WebOrigin), code, ret)
}

// SignIn runs step=authorize in a new top-level window and signs in the way the target says,
// until the browser is about to return to HubSpot. It returns the step; st.State and st.Scope
// hold what came back. A sign-in that never returns ends with st.Note saying where it got stuck.
func (s *Session) SignIn(b Engine, name StepName) *Step {
	ret := s.ReturnURL(hubspot.StepAuthorize)
	start := s.installURL([][2]string{{paramReturnURL, ret.String()}, {"step", hubspot.StepAuthorize}})
	// HubSpot opens step=authorize in a new window from its own page (the install-flow page,
	// step 5).
	bc := browser.OpenedBy(emulator.WebOrigin)
	st, done := s.Step(name, bc, start)
	st.Return = ret
	defer done()
	page, err := b.Navigate(s.ctx, start, bc)
	st.Page, st.Err = page, err
	for submits := 0; err == nil && page != nil && !page.Stopped; submits++ {
		if submits >= 3 {
			st.Note = fmt.Sprintf("the sign-in did not return to HubSpot after %d form submissions; it is stuck at %s", submits, page.URL)
			return st
		}
		form, ok := loginForm(page, s.target.Login.Fields)
		if !ok {
			st.Note = stuckNote(page, s.target.Login.Fields)
			return st
		}
		before := len(st.Hops)
		page, err = b.Submit(s.ctx, page, form, s.target.Login.Fields)
		st.Page, st.Err = page, err
		if len(st.Hops) > before {
			st.CredentialHop = st.Hops[before].Seq
		}
	}
	if err != nil || page == nil {
		return st
	}
	q := page.URL.Query()
	st.State = q.Get("state")
	st.Scope = q.Get("scope")
	if st.State != "" {
		s.obs.States = append(s.obs.States, st.State)
	}
	return st
}

// loginForm finds the form that has every field the target signs in with.
func loginForm(p *browser.Page, fields map[string]string) (browser.Form, bool) {
	if len(fields) == 0 {
		return browser.Form{}, false
	}
	for _, f := range p.Forms {
		names := map[string]bool{}
		for _, fl := range f.Fields {
			names[fl.Name] = true
		}
		all := true
		for n := range fields {
			if !names[n] {
				all = false
			}
		}
		if all {
			return f, true
		}
	}
	return browser.Form{}, false
}

// stuckNote explains a sign-in that found no form to fill.
func stuckNote(p *browser.Page, fields map[string]string) string {
	want := make([]string, 0, len(fields))
	for n := range fields {
		want = append(want, n)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the sign-in got stuck at %s (HTTP %d", p.URL, p.Status)
	if p.Title != "" {
		fmt.Fprintf(&b, ", %q", p.Title)
	}
	b.WriteString(")")
	if len(fields) == 0 {
		b.WriteString(": no --login fields were given to fill a sign-in form")
	} else {
		fmt.Fprintf(&b, ": no form on the page has the fields %s", strings.Join(sortedCopy(want), ", "))
	}
	if len(p.Forms) > 0 {
		b.WriteString("; forms found:")
		for _, f := range p.Forms {
			var names []string
			for _, fl := range f.Fields {
				if fl.Name != "" {
					names = append(names, fl.Name)
				}
			}
			fmt.Fprintf(&b, " [%s %s: %s]", f.Method, f.Action, strings.Join(names, ", "))
		}
	}
	if p.JSRedirect {
		b.WriteString("; the page redirects with JavaScript only, which hsemu's http engine does not run: redirect with HTTP 302/303 or a meta refresh")
	}
	if t := strings.TrimSpace(p.Text); t != "" {
		fmt.Fprintf(&b, "; the page says: %q", excerpt(t, 160))
	}
	return b.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
