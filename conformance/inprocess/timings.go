package inprocess

import (
	"time"

	"github.com/hsemu/hsemu/scenarios"
)

// FastOptions are the fast timings for the in-process reference, what the TUI and
// `hsemu check --reference` use: the whole catalogue in well under a second. The reference gives
// up on the token endpoint after 150 ms; a healthy in-process exchange takes microseconds, but a
// heavily loaded machine can stretch any step, so tests use TestOptions instead.
func FastOptions() scenarios.Options {
	return scenarios.Options{
		HopBudget:     time.Second,
		SlowExchange:  400 * time.Millisecond,
		ObserveWindow: 40 * time.Millisecond,
		HopTimeout:    5 * time.Second,
		// Scenarios mostly wait (observe windows, the stalled token endpoint): run many at once.
		Concurrency: 24,
	}
}

// TestOptions are generous timings for tests that must not depend on the machine's load: the
// reference gets seconds where it needs milliseconds (it gives up on the token endpoint after
// 600 ms; hops should finish within 3 s). The *-slow variants then stall 4.5 s.
func TestOptions() scenarios.Options {
	return scenarios.Options{
		HopBudget:     3 * time.Second,
		SlowExchange:  1600 * time.Millisecond,
		ObserveWindow: 100 * time.Millisecond,
		HopTimeout:    20 * time.Second,
	}
}

// ReferenceOptions fills the timings (and the concurrency) opts leaves zero with FastOptions'.
func ReferenceOptions(opts scenarios.Options) scenarios.Options {
	ref := FastOptions()
	fill := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	fill(&opts.HopBudget, ref.HopBudget)
	fill(&opts.SlowExchange, ref.SlowExchange)
	fill(&opts.ObserveWindow, ref.ObserveWindow)
	fill(&opts.HopTimeout, ref.HopTimeout)
	if opts.Concurrency <= 0 {
		opts.Concurrency = ref.Concurrency
	}
	return opts
}
