package tui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/settings"
)

// option is one row of the target picker.
type option struct {
	choice Choice
	label  string
	note   string
}

// picker chooses the target: the reference, the reference with one bug (every broken variant,
// named by the bug it shows), or a custom endpoint typed into the form.
type picker struct {
	options []option
	sel     int
}

func newPicker(bugs []reference.Bug) picker {
	p := picker{options: []option{{choice: Choice{Kind: Reference}, label: referenceLabel, note: "hsemu's built-in endpoints: pass every check"}}}
	for _, b := range bugs {
		p.options = append(p.options, option{choice: Choice{Kind: BrokenReference, BugName: b.Name}, label: b.Name, note: b.Title})
	}
	p.options = append(p.options, option{choice: Choice{Kind: Custom}, label: "your endpoint…", note: "type an install URL, flow, sign-in fields, client ID and secret"})
	return p
}

// selectChoice moves the cursor to c's row.
func (p *picker) selectChoice(c Choice) {
	for i, o := range p.options {
		if o.choice.Kind == c.Kind && o.choice.BugName == c.BugName {
			p.sel = i
		}
	}
}

func (p *picker) move(d int) { p.sel = min(max(p.sel+d, 0), len(p.options)-1) }

func (p picker) view(s Styles, w, h int) string {
	lines := make([]string, 0, 3+len(p.options))
	lines = append(lines, s.Group.Render("Choose the target"), s.Dim.Render(fit("enter: run against it · esc: back", w)), "")
	sel := -1
	for i, o := range p.options {
		name := o.label
		if o.choice.Kind == BrokenReference {
			name = "bug " + name
		}
		row := fmt.Sprintf("  %-36s %s", name, o.note)
		row = fit(row, w)
		if i == p.sel {
			sel = len(lines)
			row = s.Selected.Render(row)
		}
		lines = append(lines, row)
	}
	return window(lines, sel, w, h)
}

// form is the custom target's fields; their meaning is that of the `hsemu check` flags.
type form struct {
	inputs []input
	labels []string
	focus  int
	err    string
}

// Indexes of the form's fields.
const (
	fInstallURL = iota
	fFlow
	fLogin
	fCookies
	fClientID
	fClientSecret
	fAppConfig
)

// formSettings are the form's fields, in the order of the indexes above: the settings of the
// same names, so the form reads its values with the CLI's parsers and names them as the
// settings table does.
var formSettings = []*settings.Setting{
	settings.InstallURL, settings.Flow, settings.Login, settings.Cookie,
	settings.ClientID, settings.ClientSecret, settings.AppConfig,
}

func newForm(f CustomFields) form {
	labels := make([]string, 0, len(formSettings))
	for _, s := range formSettings {
		labels = append(labels, s.Label)
	}
	hints := []string{"https://localhost:3000/hubspot/install", "seamless, partner or all", "email=me@example.com password=secret", "session=abc; other=1", "your app's client ID", "your app's client secret", "src/app/app-hsmeta.json (optional)"}
	values := []string{f.InstallURL, f.Flow, f.Login, f.Cookies, f.ClientID, f.ClientSecret, f.AppConfig}
	fm := form{labels: labels}
	for i := range labels {
		in := input{Placeholder: hints[i], CharLimit: 4096}
		in.SetValue(values[i])
		if i == fClientSecret {
			in.Mask = '•'
		}
		fm.inputs = append(fm.inputs, in)
	}
	fm.inputs[0].Focus()
	return fm
}

func (f form) fields() CustomFields {
	v := func(i int) string { return f.inputs[i].Value() }
	return CustomFields{
		InstallURL: v(fInstallURL), Flow: v(fFlow), Login: v(fLogin), Cookies: v(fCookies),
		ClientID: v(fClientID), ClientSecret: v(fClientSecret), AppConfig: v(fAppConfig),
	}
}

// customTarget turns the form's fields into a validated target by the settings table: the app
// the command line described (f.App), replaced by the app config file when one is given, its
// client ID and secret overridden by the fields that are filled. Errors name the field.
func customTarget(f CustomFields) (scenarios.Target, error) {
	typed := map[string]string{
		settings.InstallURL.Name: f.InstallURL, settings.Flow.Name: f.Flow, settings.Login.Name: f.Login,
		settings.Cookie.Name: f.Cookies, settings.ClientID.Name: f.ClientID, settings.ClientSecret.Name: f.ClientSecret,
		settings.AppConfig.Name: f.AppConfig,
	}
	given := func(s *settings.Setting) ([]string, bool) {
		v := strings.TrimSpace(typed[s.Name])
		switch {
		case v == "":
			return nil, false
		case s.Name == settings.Login.Name: // "email=a@b.c password=x", as --login pairs
			return strings.Fields(v), true
		}
		return []string{v}, true
	}
	cfg := settings.Config{App: f.App}
	if err := settings.Resolve(&cfg, settings.Source{Given: given, Form: true}, formSettings); err != nil {
		return scenarios.Target{}, fmt.Errorf("custom target: %w", err)
	}
	t, err := cfg.Target()
	if err != nil {
		return scenarios.Target{}, fmt.Errorf("custom target: %w", err)
	}
	// The TUI runs every check by default, so a partner endpoint needs its sign-in here.
	if err := t.ValidateFor(scenarios.Options{}); err != nil {
		return scenarios.Target{}, fmt.Errorf("custom target: %w (in this form: the sign-in fields)", err)
	}
	return t, nil
}

func (f *form) setFocus(i int) {
	f.inputs[f.focus].Blur()
	f.focus = (i + len(f.inputs)) % len(f.inputs)
	f.inputs[f.focus].Focus()
}

// update passes a key to the focused input.
func (f form) update(msg tea.Msg) (form, tea.Cmd) {
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	return f, cmd
}

func (f *form) setWidth(w int) {
	for i := range f.inputs {
		f.inputs[i].Width = max(w-20, 10)
	}
}

func (f form) view(s Styles, addr string, w, h int) string {
	lines := []string{
		s.Group.Render("Your endpoint"),
		s.Dim.Render(fit("tab/↑↓: field · enter: run against it · esc: back", w)),
		fit(s.Dim.Render("Your app must send its token requests to ")+addr, w),
		"",
	}
	for i, in := range f.inputs {
		label := fmt.Sprintf("%-14s", f.labels[i])
		if i == f.focus {
			label = s.FocusTitle.Render("▸ " + label)
		} else {
			label = "  " + s.Label.Render(label)
		}
		lines = append(lines, fit(label+" "+in.View(s), w))
	}
	if f.err != "" {
		lines = append(lines, "")
		for _, l := range strings.Split(wrap(f.err, w), "\n") {
			lines = append(lines, s.Error.Render(ansi.Truncate(l, w, "…")))
		}
	}
	return window(lines, -1, w, h)
}
