package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// input is a one-line text field: the filter and the custom target form's fields. (bubbles'
// textinput would do, but it pulls in a clipboard module this module does not require.) The
// cursor is drawn without blinking, so views are stable for golden tests.
type input struct {
	Prompt      string
	Placeholder string
	Mask        rune // shown instead of each character when not 0 (the client secret)
	Width       int  // cells for the value; 0 = unbounded
	CharLimit   int

	value   []rune
	cursor  int
	focused bool
}

func (in *input) Value() string { return string(in.value) }

func (in *input) SetValue(s string) {
	in.value = []rune(s)
	if in.CharLimit > 0 && len(in.value) > in.CharLimit {
		in.value = in.value[:in.CharLimit]
	}
	in.cursor = len(in.value)
}

func (in *input) Focus() { in.focused = true }
func (in *input) Blur()  { in.focused = false }

// Update edits the value: typing and pasting insert, backspace/delete remove, arrows, home and
// end move, ctrl+u clears before the cursor, ctrl+k after it, ctrl+w removes a word.
func (in input) Update(msg tea.Msg) (input, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !in.focused {
		return in, nil
	}
	switch k.Type {
	case tea.KeyRunes, tea.KeySpace:
		r := k.Runes
		if k.Type == tea.KeySpace {
			r = []rune{' '}
		}
		var clean []rune
		for _, c := range r {
			if c >= 0x20 && c != 0x7f {
				clean = append(clean, c)
			}
		}
		if in.CharLimit > 0 && len(in.value)+len(clean) > in.CharLimit {
			clean = clean[:max(in.CharLimit-len(in.value), 0)]
		}
		in.value = append(in.value[:in.cursor], append(clean, in.value[in.cursor:]...)...)
		in.cursor += len(clean)
	case tea.KeyBackspace:
		if in.cursor > 0 {
			in.value = append(in.value[:in.cursor-1], in.value[in.cursor:]...)
			in.cursor--
		}
	case tea.KeyDelete:
		if in.cursor < len(in.value) {
			in.value = append(in.value[:in.cursor], in.value[in.cursor+1:]...)
		}
	case tea.KeyLeft:
		in.cursor = max(in.cursor-1, 0)
	case tea.KeyRight:
		in.cursor = min(in.cursor+1, len(in.value))
	case tea.KeyHome, tea.KeyCtrlA:
		in.cursor = 0
	case tea.KeyEnd, tea.KeyCtrlE:
		in.cursor = len(in.value)
	case tea.KeyCtrlU:
		in.value = append([]rune(nil), in.value[in.cursor:]...)
		in.cursor = 0
	case tea.KeyCtrlK:
		in.value = in.value[:in.cursor]
	case tea.KeyCtrlW:
		i := in.cursor
		for i > 0 && in.value[i-1] == ' ' {
			i--
		}
		for i > 0 && in.value[i-1] != ' ' {
			i--
		}
		in.value = append(in.value[:i], in.value[in.cursor:]...)
		in.cursor = i
	default:
		// Other keys (enter, tab, arrows up and down) are the form's.
	}
	return in, nil
}

// View draws the prompt, the value (or the placeholder) and, when focused, the cursor.
func (in input) View(s Styles) string {
	if len(in.value) == 0 && !in.focused {
		return in.Prompt + s.Dim.Render(in.Placeholder)
	}
	shown := in.value
	if in.Mask != 0 {
		shown = []rune(strings.Repeat(string(in.Mask), len(in.value)))
	}
	if len(in.value) == 0 {
		return in.Prompt + s.Selected.Render(" ") + s.Dim.Render(in.Placeholder)
	}
	before, at, after := string(shown[:in.cursor]), " ", ""
	if in.cursor < len(shown) {
		at, after = string(shown[in.cursor]), string(shown[in.cursor+1:])
	}
	if in.Width > 0 && lipgloss.Width(before) >= in.Width {
		before = ansi.TruncateLeft(before, lipgloss.Width(before)-in.Width+1, "…")
	}
	if !in.focused {
		return in.Prompt + before + strings.TrimSuffix(at, " ") + after
	}
	return in.Prompt + before + s.Selected.Render(at) + after
}
