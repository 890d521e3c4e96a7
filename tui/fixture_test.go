package tui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/browser"
	"github.com/muesli/termenv"
)

// asciiRenderer draws without colour, as under NO_COLOR: golden files hold plain text.
func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return r
}

// t0 is the fixture's clock: every time in it is fixed, so views are stable.
var t0 = time.Date(2026, 3, 2, 14, 5, 6, 0, time.UTC)

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

const fixtureInstall = "http://127.0.0.1:7431/seamless/install"

// fixtureRun is a recorded-looking run of the real catalogue against the seamless and partner
// reference targets, with fixed times, ports and codes. When failID is set, that check fails
// the way the seamless-no-return bug makes it fail.
func fixtureRun(failID string) []scenarios.Event {
	checks := scenarios.Catalogue(scenarios.ProfileDev)
	var evs []scenarios.Event
	evs = append(evs, scenarios.RunStarted{At: t0, Targets: []string{"reference seamless", "reference partner"}, Checks: checks})
	byScenario := map[string][]scenarios.Check{}
	var order []string
	for _, c := range checks {
		if _, ok := byScenario[string(c.Scenario)]; !ok {
			order = append(order, string(c.Scenario))
		}
		byScenario[string(c.Scenario)] = append(byScenario[string(c.Scenario)], c)
	}
	var results []scenarios.Result
	for _, sc := range order {
		cs := byScenario[sc]
		target := "reference " + string(cs[0].Group)
		var ids []string
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		evs = append(evs, scenarios.ScenarioStarted{At: t0, Target: target, Scenario: sc, Checks: ids})
		hops := fixtureHops(sc, failID != "")
		for _, h := range hops {
			evs = append(evs, scenarios.HopDone{Target: target, Hop: h})
			if h.Seq == 1 {
				evs = append(evs, scenarios.Traffic{Target: target, Scenario: sc, Event: tokenEvent(len(evs))})
			}
		}
		for _, c := range cs {
			out := scenarios.Outcome{Status: scenarios.Pass, Got: "as required"}
			if c.ID == failID {
				out = scenarios.Outcome{
					Status:   scenarios.Fail,
					Expected: "the browser ends at this request's returnUrl (https://app.hubspot.com/ecosystem/1234567/marketplace/apps/installed), by an HTTP redirect or a meta refresh",
					Got:      "the install ended on a 200 page at " + fixtureInstall + " that does not return to HubSpot", Hops: []int{1},
				}
			}
			if failID != "" && c.ID == "seamless/install/frameable" {
				out.Frames = []scenarios.FrameVerdict{fixtureFrame()} // the success page is a page, not a redirect
			}
			res := scenarios.Result{Target: target, Check: c, Outcome: out, Duration: 12 * time.Millisecond, Transcript: hops}
			results = append(results, res)
			evs = append(evs, scenarios.CheckDone{Result: res})
		}
		evs = append(evs, scenarios.ScenarioDone{Target: target, Scenario: sc, Duration: 12 * time.Millisecond})
	}
	rep := &scenarios.RunReport{
		SchemaVersion: scenarios.SchemaVersion, Started: t0, Finished: t0.Add(386 * time.Millisecond),
		Targets: []string{"reference seamless", "reference partner"}, Profile: scenarios.ProfileDev, Results: results,
	}
	return append(evs, scenarios.RunDone{Report: rep})
}

// fixtureFrame is the verdict the frameable judge records on the success page of the
// seamless-no-return fixture, as the real judge words it: the page's policy names HubSpot's
// example origins, the ones the check requires, and leaves out app-na2, which is only a note.
func fixtureFrame() scenarios.FrameVerdict {
	const policy = "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com"
	fv := scenarios.FrameVerdict{
		Hop: 1, Origins: []string{"https://app.hubspot.com", "https://app-eu1.hubspot.com"},
		Note:     `Content-Security-Policy "` + policy + `" does not allow ancestor https://app-na2.hubspot.com: no source matches it ('self' is the page's own origin http://127.0.0.1:7431, not https://app-na2.hubspot.com; https://app.hubspot.com: host app.hubspot.com is not app-na2.hubspot.com; https://app-eu1.hubspot.com: host app-eu1.hubspot.com is not app-na2.hubspot.com).`,
		Policies: []string{"Content-Security-Policy (enforce): " + policy},
	}
	v := &fv.Verdict
	v.Allowed, v.Header, v.Value, v.Directive, v.Source = true, "Content-Security-Policy", policy, policy, "https://app.hubspot.com"
	v.Checked = fv.Origins
	v.Reason = `Every checked origin (https://app.hubspot.com, https://app-eu1.hubspot.com) may frame the page; for https://app.hubspot.com: Content-Security-Policy "` + policy + `" allows https://app.hubspot.com (matched by https://app.hubspot.com).`
	return fv
}

func tokenEvent(seq int) emulator.Event {
	return emulator.Event{
		Seq: uint64(seq), Time: t0.Add(time.Duration(seq) * time.Millisecond), Duration: 2 * time.Millisecond,
		Side: "api", Method: "POST", Path: "/oauth/v3/token", Route: "POST /oauth/v3/token", Status: 200,
		ClientID: "hsemu-demo-client", GrantType: "authorization_code", Code: "na1-0000-0001", RedirectURI: fixtureInstall,
		TokenHint: "CJT2Lk…(182)", ContentType: "application/x-www-form-urlencoded",
	}
}

// fixtureHops is the seamless install as the browser sees it: HubSpot sends the browser to the
// install URL, the endpoint exchanges the code and redirects back to HubSpot's returnUrl. With
// noReturn the endpoint shows a success page instead.
func fixtureHops(scenario string, noReturn bool) []scenarios.HopRecord {
	ctx := browser.FramedBy("https://app.hubspot.com")
	first := scenarios.HopRecord{Scenario: scenario, Step: "finalize", Hop: browser.Hop{
		Seq: 1, Context: ctx, How: browser.HowNavigate, Method: "GET",
		URL:           mustURL(fixtureInstall + "?code=na1-0000-0001&returnUrl=https%3A%2F%2Fapp.hubspot.com%2Fecosystem%2F1234567%2Fmarketplace%2Fapps%2Finstalled&step=finalize"),
		RequestHeader: http.Header{"Sec-Fetch-Dest": {"iframe"}, "Sec-Fetch-Site": {"cross-site"}, "User-Agent": {"hsemu"}},
		Status:        303,
		ResponseHeader: http.Header{
			"Location":                {"https://app.hubspot.com/ecosystem/1234567/marketplace/apps/installed"},
			"Content-Security-Policy": {"frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com"},
			"Set-Cookie":              {"hsemu_ref=abc; Path=/; Secure; HttpOnly; SameSite=None"},
		},
		SetCookies: []*http.Cookie{{Name: "hsemu_ref", Value: "abc", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteNoneMode}},
		Duration:   24 * time.Millisecond,
	}}
	if noReturn {
		first.Status = 200
		delete(first.ResponseHeader, "Location")
		first.ResponseHeader.Set("Content-Type", "text/html; charset=utf-8")
		first.Body = []byte("<!doctype html>\n<title>Installed</title>\n<h1>You're all set!</h1>\n<p>The app is installed.</p>\n")
		return []scenarios.HopRecord{first}
	}
	back := scenarios.HopRecord{Scenario: scenario, Step: "finalize", Hop: browser.Hop{
		Seq: 2, Context: ctx, How: browser.HowRedirect(303), Method: "GET",
		URL:     mustURL("https://app.hubspot.com/ecosystem/1234567/marketplace/apps/installed"),
		Stopped: true,
	}}
	return []scenarios.HopRecord{first, back}
}

// fixtureBugs stand in for reference.Bugs(), which grows: the picker's golden file stays put.
var fixtureBugs = []reference.Bug{
	{Name: "seamless-no-return", Flow: reference.FlowSeamless, Title: `after a successful install shows "You're all set!" and never returns to HubSpot`},
	{Name: "partner-cookie-lax", Flow: reference.FlowPartner, Title: "sets its session cookie with SameSite=Lax"},
}

// replay is a Backend that plays a fixed list of events; it never touches the network.
type replay struct {
	events []scenarios.Event
}

func (r replay) Uninstall(Choice) (int, error) { return 0, nil }

func (r replay) StartEmulator(Choice) (EmulatorHandle, error) {
	return EmulatorHandle{Key: "reference", URL: "http://127.0.0.1:7430"}, nil
}

func (replay) CheckEngine(string) error { return nil }

func (r replay) Run(ctx context.Context, _ Choice, _ string, _ []string, sink func(scenarios.Event)) (*scenarios.RunReport, error) {
	var rep *scenarios.RunReport
	for _, e := range r.events {
		sink(e)
		if d, ok := e.(scenarios.RunDone); ok {
			rep = d.Report
		}
	}
	if rep == nil {
		return nil, errors.New("replay: no RunDone in the fixture")
	}
	return rep, ctx.Err()
}

func (replay) Close() error { return nil }

// fixtureModel is a model at w×h that has played events, by calling Update directly: no
// goroutines, so the result is the same every time.
func fixtureModel(t testing.TB, w, h int, events []scenarios.Event) Model {
	t.Helper()
	m := New(Config{Backend: replay{events}, Renderer: asciiRenderer(), Location: time.UTC, Bugs: fixtureBugs})
	m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	m = update(t, m, runAllMsg{})
	id := m.runID
	for _, e := range events {
		m = update(t, m, runMsg{id: id, ev: e})
	}
	var rep *scenarios.RunReport
	if d, ok := events[len(events)-1].(scenarios.RunDone); ok {
		rep = d.Report
	}
	return update(t, m, runEndMsg{id: id, rep: rep})
}

func update(t testing.TB, m Model, msg tea.Msg) Model {
	t.Helper()
	nm, _ := m.Update(msg)
	out, ok := nm.(Model)
	if !ok {
		t.Fatalf("Update returned %T; want tui.Model", nm)
	}
	return out
}

func keys(t *testing.T, m Model, ks ...string) Model {
	t.Helper()
	for _, k := range ks {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "tab":
			msg = tea.KeyMsg{Type: tea.KeyTab}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		m = update(t, m, msg)
	}
	return m
}
