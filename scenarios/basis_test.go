package scenarios

import (
	"net/url"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/scenarios/browser"
)

func TestInferredVerdictSaysSo(t *testing.T) {
	c := inferred(Check{ID: "x/y", Judge: func(*Observation) Outcome { return fail("the rule", "what happened") }}, "what the page says")
	out := c.Judge(&Observation{})
	if c.Basis != Inferred || !strings.Contains(out.Expected, "hsemu's inference") || !strings.Contains(out.Expected, "what the page says") {
		t.Errorf("basis %q, expected %q; want inferred, saying so and what HubSpot documents", c.Basis, out.Expected)
	}
	c = inferred(Check{ID: "x/z", Judge: func(*Observation) Outcome { return pass("fine") }}, "what the page says")
	if out := c.Judge(&Observation{}); out.Expected != "" {
		t.Errorf("a pass: expected %q; want it untouched", out.Expected)
	}
}

func TestJSOnlyReturnIsUndecided(t *testing.T) {
	u, _ := url.Parse("https://app.example.com/install")
	st := &Step{Name: stepFinalize, Page: &browser.Page{URL: u, Status: 200, JSRedirect: true, JSRedirectSnippet: "window.location.href = returnUrl"}}
	out, ok := jsOnlyReturn(st)
	if !ok || out.Status != Error || out.Cause != CauseEngine || !strings.Contains(out.Fix, "--engine chromium") {
		t.Errorf("jsOnlyReturn = %+v, %v; want an error of the engine with the chromium fix", out, ok)
	}
	st.Page.JSRedirect = false
	if _, ok := jsOnlyReturn(st); ok {
		t.Error("a page without a script-only redirect was undecided")
	}
}
