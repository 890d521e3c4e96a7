package chromium

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hsemu/hsemu/scenarios"
)

// The browser engines a run can use (hsemu check --engine, HSEMU_ENGINE).
const (
	EngineHTTP     = "http"     // hsemu's virtual browser (scenarios/browser): fast, runs no JavaScript
	EngineChromium = "chromium" // headless Chromium: scripts run, framing and cookies enforced
	EngineAuto     = "auto"     // http, then chromium for the checks http could not decide
)

// Run runs the catalogue against targets with the engine mode names ("" is auto). Under
// chromium, Chromium is started once for the run (cfg) and each scenario gets its own isolated
// browser context, at most MaxConcurrency scenarios at once. Under auto, the fast http engine
// runs first; the checks it could not decide (a page that navigates only by script: Cause
// engine) run again in Chromium, and their verdicts replace the undecided ones. Without
// Chromium, auto is http alone, and the undecided checks say how to install it.
func Run(ctx context.Context, r scenarios.Runner, targets []scenarios.Target, mode string, cfg Config) (*scenarios.RunReport, error) {
	var started *Pool
	defer func() {
		if started != nil {
			_ = started.Close() // best effort: the run's verdicts are what it reports
		}
	}()
	return RunIn(ctx, r, targets, mode, func(ctx context.Context) (*Pool, error) {
		p, err := NewPool(ctx, cfg)
		started = p
		return p, err
	})
}

// RunIn is Run in a Chromium the caller owns: pool is called only when the run needs Chromium
// (every run under chromium; under auto, only when a check was left undecided), and RunIn never
// closes what it returns. A session that runs many times, such as the TUI, starts Chromium once.
// An error of pool wrapping ErrNotFound makes auto http alone, as in Run.
func RunIn(ctx context.Context, r scenarios.Runner, targets []scenarios.Target, mode string, pool func(context.Context) (*Pool, error)) (*scenarios.RunReport, error) {
	switch mode {
	case EngineHTTP:
		rep, err := r.Run(ctx, targets)
		return rep, wrapRun(EngineHTTP, err)
	case EngineChromium:
		p, err := pool(ctx)
		if err != nil {
			return nil, err
		}
		r.Options = p.Options(r.Options)
		rep, err := r.Run(ctx, targets)
		return rep, wrapRun(EngineChromium, err)
	case EngineAuto, "":
	default:
		return nil, fmt.Errorf("engine %q: use http, chromium or auto", mode)
	}
	rep, err := r.Run(ctx, targets)
	if err != nil {
		return rep, wrapRun(EngineHTTP, err)
	}
	undecided := map[string]bool{}
	var only []string
	for _, res := range rep.Results {
		if res.Outcome.Status == scenarios.Error && res.Outcome.Cause == scenarios.CauseEngine && !undecided[res.Check.ID] {
			undecided[res.Check.ID] = true
			only = append(only, res.Check.ID)
		}
	}
	if len(only) == 0 {
		return rep, nil
	}
	p, err := pool(ctx)
	if errors.Is(err, ErrNotFound) {
		for i, res := range rep.Results {
			if undecided[res.Check.ID] && res.Outcome.Cause == scenarios.CauseEngine {
				rep.Results[i].Outcome.Fix = res.Outcome.Fix + " (" + err.Error() + ")"
			}
		}
		return rep, nil
	}
	if err != nil {
		return rep, err
	}
	again := r
	again.Options = p.Options(again.Options)
	again.Options.Only = only
	again.Options.Skip = nil
	second, err := again.Run(ctx, targets)
	if err != nil {
		return rep, wrapRun(EngineChromium, err)
	}
	redone := map[[2]string]scenarios.Result{}
	for _, res := range second.Results {
		redone[[2]string{res.Target, res.Check.ID}] = res
	}
	for i, res := range rep.Results {
		if !undecided[res.Check.ID] {
			continue
		}
		if again, ok := redone[[2]string{res.Target, res.Check.ID}]; ok {
			rep.Results[i] = again
		}
	}
	rep.Finished = time.Now()
	return rep, nil
}

// MaxConcurrency is how many scenarios Run lets run at once under Chromium (fewer when
// Options.Concurrency asks for fewer; more only for Options.Repeat's concurrent installs). Each
// scenario running at once holds a browser context with its own renderer process, which costs
// Chromium about 0.4 CPU-seconds to open; a page load costs it 35-45 ms of CPU wherever it
// runs, so on 2 cores more scenarios at once only open more renderers (a first catalogue run at
// 4 at once: 6.6 s and 10.4 CPU-s; at 6: 7.8 s and 12.4 CPU-s; a warm run takes 4.6-4.7 s at
// either).
const MaxConcurrency = 4

// Options returns o with its scenarios' browsers in this pool's Chromium, at most
// MaxConcurrency scenarios at once (more only for Options.Repeat's concurrent installs), as Run
// runs them.
func (pool *Pool) Options(o scenarios.Options) scenarios.Options {
	o.Engine = pool.Factory()
	if limit := max(MaxConcurrency, o.Repeat); o.Concurrency <= 0 || o.Concurrency > limit {
		o.Concurrency = limit
	}
	return o
}

// wrapRun says which engine's run an error came from.
func wrapRun(engine string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("with the %s engine: %w", engine, err)
}
