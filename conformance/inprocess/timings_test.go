package inprocess

import (
	"testing"
	"time"

	"github.com/hsemu/hsemu/scenarios"
)

func TestReferenceOptionsFillsOnlyZeroes(t *testing.T) {
	got := ReferenceOptions(scenarios.Options{HopBudget: 3 * time.Second, Strict: true})
	fast := FastOptions()
	if got.HopBudget != 3*time.Second || !got.Strict {
		t.Errorf("got %+v; want the hop budget and strictness given kept", got)
	}
	if got.SlowExchange != fast.SlowExchange || got.ObserveWindow != fast.ObserveWindow || got.HopTimeout != fast.HopTimeout || got.Concurrency != fast.Concurrency {
		t.Errorf("got %+v; want FastOptions' timings where none were given", got)
	}
}

func TestReferenceTargets(t *testing.T) {
	ts := ReferenceTargets("http://localhost:7431/")
	want := []scenarios.Flow{scenarios.Seamless, scenarios.Partner, scenarios.Connect, scenarios.Webhooks}
	if len(ts) != len(want) {
		t.Fatalf("%d targets; want %d", len(ts), len(want))
	}
	for i, tg := range ts {
		if len(tg.Flows) != 1 || tg.Flows[0] != want[i] {
			t.Errorf("target %d flows %v; want [%s]", i, tg.Flows, want[i])
		}
		if err := tg.Validate(); err != nil {
			t.Errorf("target %q: %v", tg.Name, err)
		}
	}
}
