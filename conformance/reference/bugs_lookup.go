package reference

import "slices"

// Bugs returns every broken variant, in the order of the table above: seamless, partner,
// robust, connect, webhooks.
func Bugs() []Bug { return cloneBugs(bugs) }

// WebhookBugs returns the broken variants of the webhook receiver (FlowWebhooks), in the order
// of Bugs. Config.Bug accepts their names like those of Bugs.
func WebhookBugs() []Bug {
	var out []Bug
	for _, b := range bugs {
		if b.Flow == FlowWebhooks {
			out = append(out, b)
		}
	}
	return cloneBugs(out)
}

// BugNames returns the names of Bugs, in the same order.
func BugNames() []string {
	names := make([]string, len(bugs))
	for i, b := range bugs {
		names[i] = b.Name
	}
	return names
}

// lookupBug finds a broken variant by name.
func lookupBug(name string) (Bug, bool) {
	for _, b := range bugs {
		if b.Name == name {
			return b, true
		}
	}
	return Bug{}, false
}

// cloneBugs copies bs so that callers cannot change the table.
func cloneBugs(bs []Bug) []Bug {
	out := make([]Bug, len(bs))
	for i, b := range bs {
		b.Fails = slices.Clone(b.Fails)
		b.Errors = slices.Clone(b.Errors)
		b.Browser = cloneBrowser(b.Browser)
		out[i] = b
	}
	return out
}

// cloneBrowser copies an InBrowser so that callers cannot change the table.
func cloneBrowser(ib *InBrowser) *InBrowser {
	if ib == nil {
		return nil
	}
	c := *ib
	c.Fails = slices.Clone(ib.Fails)
	return &c
}
