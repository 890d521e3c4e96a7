package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/report"
)

// Messages from the tea.Cmds that do the TUI's I/O. Each channel-fed message carries its channel
// so Update can re-arm the wait (bubbletea examples/realtime).
type (
	// runMsg is one event of run id.
	runMsg struct {
		id int
		ch <-chan tea.Msg
		ev scenarios.Event
	}
	// runEndMsg closes run id with the runner's report and error.
	runEndMsg struct {
		id  int
		rep *scenarios.RunReport
		err error
	}
	// emulatorMsg says the emulator for choice is up (or could not start).
	emulatorMsg struct {
		choice Choice
		emu    EmulatorHandle
		err    error
	}
	// copiedMsg says where a check's report was written.
	copiedMsg struct {
		path string
		err  error
	}
	// uninstalledMsg says how many portals the app was uninstalled from.
	uninstalledMsg struct {
		choice Choice
		n      int
		err    error
	}
	// runAllMsg starts a run of every check (sent by Init when Config.AutoRun is set).
	runAllMsg struct{}
)

// runQueue is how many events may wait for Update before the runner's sink waits.
const runQueue = 256

// runCmd starts backend.Run with engine in its own goroutine and returns the command that delivers its
// first message; Update re-arms waitRun after each one. Cancelling ctx unblocks the sink, so
// the goroutine never outlives a cancelled run by more than the runner itself.
func runCmd(ctx context.Context, b Backend, id int, choice Choice, engine string, only []string) tea.Cmd {
	ch := make(chan tea.Msg, runQueue)
	return func() tea.Msg {
		go func() {
			defer close(ch)
			send := func(msg tea.Msg) {
				select {
				case ch <- msg:
				case <-ctx.Done():
				}
			}
			rep, err := b.Run(ctx, choice, engine, only, func(e scenarios.Event) {
				send(runMsg{id: id, ch: ch, ev: e})
			})
			send(runEndMsg{id: id, rep: rep, err: err})
		}()
		return waitRun(ch)()
	}
}

// waitRun waits for the next message of a run.
func waitRun(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

// emulatorCmd starts (or finds) the emulator for choice.
func emulatorCmd(b Backend, choice Choice) tea.Cmd {
	return func() tea.Msg {
		emu, err := b.StartEmulator(choice)
		return emulatorMsg{choice: choice, emu: emu, err: err}
	}
}

// reportFileName is where `c` writes a check's report: hsemu-<check ID with / as _>.txt.
func reportFileName(id string) string {
	r := strings.NewReplacer("/", "_", "\\", "_", ":", "_", " ", "_")
	return "hsemu-" + r.Replace(id) + ".txt"
}

// copyCmd writes one check's report to dir, exactly as `hsemu check -v` prints that check.
func copyCmd(dir string, res scenarios.Result, rep *scenarios.RunReport) tea.Cmd {
	one := &scenarios.RunReport{SchemaVersion: scenarios.SchemaVersion, Targets: []string{res.Target}, Results: []scenarios.Result{res}}
	if rep != nil {
		one.Started, one.Finished, one.Strict, one.Profile = rep.Started, rep.Finished, rep.Strict, rep.Profile
	}
	return func() tea.Msg {
		var b strings.Builder
		if err := report.Text(&b, one, report.TextOptions{Verbose: true, MaxHops: 100}); err != nil {
			return copiedMsg{err: fmt.Errorf("render the report of %s: %w", res.Check.ID, err)}
		}
		path := filepath.Join(dir, reportFileName(res.Check.ID))
		if err := os.WriteFile(path, []byte(strings.TrimLeft(b.String(), "\n")), 0o644); err != nil { //nolint:gosec // G306: a check's report is written to be shared
			return copiedMsg{err: fmt.Errorf("write the report of %s: %w (choose another directory with --report-dir)", res.Check.ID, err)}
		}
		return copiedMsg{path: path}
	}
}

// uninstallCmd uninstalls choice's app from every portal it is installed in, off the Update loop.
func uninstallCmd(b Backend, c Choice) tea.Cmd {
	return func() tea.Msg {
		n, err := b.Uninstall(c)
		return uninstalledMsg{choice: c, n: n, err: err}
	}
}
