package scenarios

import "testing"

func TestPerCheck(t *testing.T) {
	res := func(target, id string, st Status) Result {
		return Result{Target: target, Check: Check{ID: id}, Outcome: Outcome{Status: st}}
	}
	results := []Result{
		res("seamless", "a", Pass),
		res("partner", "b", Skip),
		res("seamless", "b", Fail),
		res("partner", "a", Pass),
		res("seamless", "c", Error),
		res("partner", "c", Fail),
	}
	want := []struct {
		id, target string
		status     Status
	}{
		{"a", "partner", Pass}, // a tie goes to the target that sorts first
		{"b", "seamless", Fail},
		{"c", "seamless", Error},
	}
	for _, order := range [][]Result{results, {results[5], results[4], results[3], results[2], results[1], results[0]}} {
		got := PerCheck(order)
		if len(got) != len(want) {
			t.Fatalf("PerCheck returned %d results; want %d", len(got), len(want))
		}
		byID := map[string]Result{}
		for _, r := range got {
			byID[r.Check.ID] = r
		}
		for _, w := range want {
			r := byID[w.id]
			if r.Target != w.target || r.Outcome.Status != w.status {
				t.Errorf("check %s: got %s for %q; want %s for %q", w.id, r.Outcome.Status, r.Target, w.status, w.target)
			}
		}
	}
}
