package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds every key the TUI answers to; the `?` help is generated from it.
type KeyMap struct {
	Up, Down, PageUp, PageDown key.Binding
	NextPane, PrevPane         key.Binding
	Open, Back                 key.Binding
	RunSelected, RunAll        key.Binding
	RunFailed                  key.Binding
	Target                     key.Binding
	Engine                     key.Binding
	Filter                     key.Binding
	Copy                       key.Binding
	Uninstall                  key.Binding
	Help                       key.Binding
	Quit                       key.Binding
}

// DefaultKeyMap returns the default keys: arrows or vim keys to move, enter to open, esc to go
// back, r/a/f to run, t to switch target, e to switch the browser engine, / to filter, c to copy a check's report, u to uninstall
// the app from the portals it was installed in, ? for help.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		NextPane:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		PrevPane:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:        key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
		RunSelected: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run selected")),
		RunAll:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "run all")),
		RunFailed:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "rerun failed")),
		Target:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "target")),
		Engine:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "engine")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Copy:        key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy report")),
		Uninstall:   key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "uninstall the app")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp is the one-line help at the bottom of the screen.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.RunAll, k.RunSelected, k.RunFailed, k.Open, k.NextPane, k.Target, k.Engine, k.Filter, k.Help, k.Quit}
}

// FullHelp is the `?` screen, in columns: move, look, run, other.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.NextPane, k.PrevPane},
		{k.Open, k.Back, k.Filter, k.Copy},
		{k.RunAll, k.RunSelected, k.RunFailed, k.Target, k.Engine, k.Uninstall},
		{k.Help, k.Quit},
	}
}
