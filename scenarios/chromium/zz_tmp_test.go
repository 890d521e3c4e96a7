package chromium

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
)

func TestZZTiming(t *testing.T) {
	pool := testPool(t)
	h, _ := scenarios.StartHarness(emulator.Config{}, "127.0.0.1:0")
	defer h.Close()
	opts := inprocess.ReferenceOptions(scenarios.Options{})
	targets, stop, _ := inprocess.StartReference(h, "", opts)
	defer stop()
	opts.Engine = pool.Factory()
	for k := 0; k < 2; k++ {
	type ev struct{ at time.Duration; s string }
	var evs []ev
	var mu sync.Mutex
	start := time.Now()
	r := &scenarios.Runner{Harness: h, Options: opts, Sink: func(e scenarios.Event) {
		if d, ok := e.(scenarios.ScenarioDone); ok {
			mu.Lock()
			evs = append(evs, ev{time.Since(start), fmt.Sprintf("%s %s %v", d.Target, d.Scenario, d.Duration.Round(time.Millisecond))})
			mu.Unlock()
		}
	}}
	r.Run(context.Background(), targets)
	sort.Slice(evs, func(a, b int) bool { return evs[a].at < evs[b].at })
	for _, e := range evs { fmt.Println(e.at.Round(time.Millisecond), e.s) }
	}
}
