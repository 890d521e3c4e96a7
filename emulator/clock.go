package emulator

import (
	"sync"
	"time"
)

// ManualClock is a clock that moves only when told to, for Config.Clock in tests and demos:
// codes expire, tokens age and webhook timestamps go stale exactly when the caller says. It is
// safe for concurrent use; the zero value starts at the zero time.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a clock that reads t until it is advanced.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's time (Config.Clock takes it as clock.Now).
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
