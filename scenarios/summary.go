package scenarios

// PerCheck combines the results of a run (or of the part of a run decided so far) into one
// result per check: a check decided for several targets (the robust checks, once per install
// flow) counts as its worst result, in the order unknown < skip < pass < fail < error; among
// equally bad results, the one of the target that sorts first. The result does not depend on
// the order of results, so a sink folding events as they arrive and one reading the finished
// report show the same verdicts. The checks keep the order in which results first name them.
func PerCheck(results []Result) []Result {
	idx := map[string]int{}
	var out []Result
	for _, r := range results {
		i, ok := idx[r.Check.ID]
		if !ok {
			idx[r.Check.ID] = len(out)
			out = append(out, r)
			continue
		}
		if worse(r, out[i]) {
			out[i] = r
		}
	}
	return out
}

// worse reports whether a is the result PerCheck keeps over b for the same check.
func worse(a, b Result) bool {
	if a.Outcome.Status != b.Outcome.Status {
		return a.Outcome.Status > b.Outcome.Status
	}
	return a.Target < b.Target
}
