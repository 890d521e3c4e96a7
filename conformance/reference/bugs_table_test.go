package reference

import (
	"slices"
	"strings"
	"testing"
)

// TestBugTable holds the registry of broken variants to its promises: every name is unique and
// starts with its flow, every variant has a defect of its own in its flow and declares the
// checks it fails, and New accepts it by name.
func TestBugTable(t *testing.T) {
	flows := []string{FlowSeamless, FlowPartner, FlowConnect, FlowWebhooks}
	names := map[string]bool{}
	type flowDefect struct {
		flow string
		d    defect
	}
	defects := map[flowDefect]string{}
	for _, b := range Bugs() {
		if names[b.Name] {
			t.Errorf("bug name %s is used twice", b.Name)
		}
		names[b.Name] = true
		if !slices.Contains(flows, b.Flow) || !strings.HasPrefix(b.Name, b.Flow+"-") {
			t.Errorf("bug %s: flow %q; want one of %v, and the name to start with it", b.Name, b.Flow, flows)
		}
		if b.Title == "" {
			t.Errorf("bug %s has no title", b.Name)
		}
		// A variant may fail nothing when it proves a false alarm gone (its title says why),
		// or leave checks undecided under the http engine (Errors).
		if len(b.Fails) == 0 && len(b.Errors) == 0 && !strings.Contains(b.Title, "fails nothing") {
			t.Errorf("bug %s declares no check it fails", b.Name)
		}
		for i, id := range b.Fails {
			if id == "" || slices.Contains(b.Fails[:i], id) {
				t.Errorf("bug %s: check %q is empty or listed twice", b.Name, id)
			}
			// The robust checks run against every flow under the same IDs.
			if !strings.HasPrefix(id, b.Flow+"/") && !strings.HasPrefix(id, "robust/") {
				t.Errorf("bug %s fails %s, a check outside its flow", b.Name, id)
			}
		}
		b, _ := lookupBug(b.Name) // the unexported defect
		if b.defect == defectNone {
			t.Errorf("bug %s has no defect", b.Name)
		}
		key := flowDefect{b.Flow, b.defect}
		if other, ok := defects[key]; ok {
			t.Errorf("bugs %s and %s have the same defect in flow %s", other, b.Name, b.Flow)
		}
		defects[key] = b.Name
		srv, err := New(Config{APIBase: "http://127.0.0.1:7430", ClientID: DemoClientID, ClientSecret: DemoClientSecret, Bug: b.Name})
		if err != nil || srv.Bug().Name != b.Name {
			t.Errorf("New(Bug %s): %v", b.Name, err)
		}
	}
	var want []string
	for _, b := range Bugs() {
		want = append(want, b.Name)
	}
	if got := BugNames(); !slices.Equal(got, want) {
		t.Errorf("BugNames() = %v; want the names of Bugs(), in order", got)
	}
	Bugs()[0].Fails[0] = "changed"
	if Bugs()[0].Fails[0] == "changed" {
		t.Error("Bugs shares its slices with the caller")
	}
}
