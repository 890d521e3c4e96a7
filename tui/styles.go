package tui

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/hsemu/hsemu/scenarios"
)

// Styles are every style the TUI draws with, built once by NewStyles and never in View.
type Styles struct {
	Header      lipgloss.Style // the top bar
	HeaderDim   lipgloss.Style
	PaneTitle   lipgloss.Style // a pane's title when it does not have focus
	FocusTitle  lipgloss.Style // a pane's title when it has focus
	Separator   lipgloss.Style
	Selected    lipgloss.Style // the selected row
	Group       lipgloss.Style // a flow heading in the catalogue
	Dim         lipgloss.Style
	Label       lipgloss.Style // field names in detail views
	Error       lipgloss.Style
	Status      lipgloss.Style // the status line
	Pass        lipgloss.Style
	Fail        lipgloss.Style
	Warn        lipgloss.Style
	ErrorStatus lipgloss.Style
	Skip        lipgloss.Style
	Running     lipgloss.Style
	Pending     lipgloss.Style
	Help        lipgloss.Style
}

// NewStyles builds the styles for renderer r; a renderer with the Ascii colour profile (as under
// NO_COLOR, or in golden tests) draws no colour at all.
func NewStyles(r *lipgloss.Renderer) Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	s := r.NewStyle
	accent := lipgloss.AdaptiveColor{Light: "#FF5C35", Dark: "#FF7A59"} // HubSpot orange
	dim := lipgloss.AdaptiveColor{Light: "#767676", Dark: "#8A8A8A"}
	return Styles{
		Header:      s().Bold(true).Foreground(accent),
		HeaderDim:   s().Foreground(dim),
		PaneTitle:   s().Bold(true).Foreground(dim),
		FocusTitle:  s().Bold(true).Foreground(accent),
		Separator:   s().Foreground(dim),
		Selected:    s().Reverse(true),
		Group:       s().Bold(true),
		Dim:         s().Foreground(dim),
		Label:       s().Bold(true),
		Error:       s().Foreground(lipgloss.Color("9")).Bold(true),
		Status:      s().Foreground(dim),
		Pass:        s().Foreground(lipgloss.Color("10")),
		Fail:        s().Foreground(lipgloss.Color("9")).Bold(true),
		Warn:        s().Foreground(lipgloss.Color("11")),
		ErrorStatus: s().Foreground(lipgloss.Color("13")).Bold(true),
		Skip:        s().Foreground(dim),
		Running:     s().Foreground(lipgloss.Color("12")),
		Pending:     s().Foreground(dim),
		Help:        s().Foreground(dim),
	}
}

// verdict is what a catalogue row shows for a check: pending, running, or a decided result.
type verdict int

const (
	vPending verdict = iota
	vRunning
	vPass
	vWarn
	vFail
	vError
	vSkip
	vManual // a MANUAL check: listed for the person to confirm
)

// verdictOf maps a decided result to its verdict; a SHOULD failure is a warning unless strict.
func verdictOf(res scenarios.Result, strict bool) verdict {
	switch {
	case res.Warn(strict):
		return vWarn
	case res.Outcome.Status == scenarios.Pass:
		return vPass
	case res.Outcome.Status == scenarios.Fail:
		return vFail
	case res.Outcome.Status == scenarios.Error:
		return vError
	case res.Outcome.Status == scenarios.Skip && res.Check.Level == scenarios.Manual:
		return vManual
	case res.Outcome.Status == scenarios.Skip:
		return vSkip
	}
	return vPending
}

// mark is the fixed-width symbol and word of a verdict, readable without colour.
func (v verdict) mark() string {
	switch v {
	case vRunning:
		return "… run "
	case vPass:
		return "✓ pass"
	case vWarn:
		return "! warn"
	case vFail:
		return "✗ FAIL"
	case vError:
		return "‼ err "
	case vSkip:
		return "- skip"
	case vManual:
		return "✋ you "
	default: // vPending
		return "· wait"
	}
}

func (s Styles) verdict(v verdict) lipgloss.Style {
	switch v {
	case vRunning:
		return s.Running
	case vPass:
		return s.Pass
	case vWarn:
		return s.Warn
	case vFail:
		return s.Fail
	case vError:
		return s.ErrorStatus
	case vSkip, vManual:
		return s.Skip
	default: // vPending
		return s.Pending
	}
}
