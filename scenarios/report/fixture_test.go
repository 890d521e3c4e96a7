package report

import (
	"errors"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/browser"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// t0 is when the fixture runs start.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// check builds a catalogue-shaped check for fixtures.
func check(id string, level scenarios.Level, group scenarios.Group) scenarios.Check {
	return scenarios.Check{
		ID: id, Title: "title of " + id, Level: level, Group: group, Scenario: scenarios.ScenarioID(group) + "/happy",
		Provokes: "a normal install", Requirement: "the requirement of " + id,
		Source: "https://developers.hubspot.com/docs/" + id, Fix: "the fix for " + id,
	}
}

func result(target string, c scenarios.Check, o scenarios.Outcome) scenarios.Result {
	return scenarios.Result{Target: target, Check: c, Outcome: o, Duration: 1234 * time.Millisecond}
}

func passed(got string) scenarios.Outcome { return scenarios.Outcome{Status: scenarios.Pass, Got: got} }

func failed(expected, got string, hops ...int) scenarios.Outcome {
	return scenarios.Outcome{Status: scenarios.Fail, Expected: expected, Got: got, Hops: hops}
}

func skipped(why string) scenarios.Outcome {
	return scenarios.Outcome{Status: scenarios.Skip, Got: why}
}

func errorOutcome(why string) scenarios.Outcome {
	return scenarios.Outcome{Status: scenarios.Error, Got: why}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// transcript is a three-hop install that ends in a redirect loop.
func transcript() []scenarios.HopRecord {
	loc := http.Header{"Location": {"https://app.example.com/install?step=finalize"}}
	return []scenarios.HopRecord{
		{Scenario: "seamless/happy", Step: "finalize", Hop: browser.Hop{
			Seq: 1, Context: browser.Context{Framed: true, Ancestor: "https://app.hubspot.com"},
			How: browser.HowNavigate, Method: "GET", URL: mustURL("https://app.example.com/install?code=c&step=finalize"),
			Status: 302, ResponseHeader: loc, Duration: 12 * time.Millisecond,
		}},
		{Scenario: "seamless/happy", Step: "finalize", Hop: browser.Hop{
			Seq: 2, Context: browser.Context{Framed: true},
			How: browser.HowRedirect(302), Method: "GET", URL: mustURL("https://app.example.com/install?step=finalize"),
			Status: 500, ResponseHeader: http.Header{}, Duration: 3 * time.Millisecond,
		}},
		{Scenario: "seamless/happy", Step: "return", Hop: browser.Hop{
			Seq: 3, How: browser.HowNavigate, Method: "GET",
			URL: mustURL("https://app.example.com/x"), Err: errors.New("hop timed out"), Duration: 15 * time.Second,
		}},
	}
}

// Fixture checks, named like the catalogue's.
var (
	cExchanges = check("seamless/install/exchanges-code", scenarios.Must, scenarios.GroupSeamless)
	cReturns   = check("seamless/install/returns-to-hubspot", scenarios.Must, scenarios.GroupSeamless)
	cSingle    = check("seamless/install/single-exchange", scenarios.Should, scenarios.GroupSeamless)
	cBudget    = check("seamless/install/within-budget", scenarios.Should, scenarios.GroupSeamless)
	cTampered  = check("partner/state/tampered", scenarios.Must, scenarios.GroupPartner)
	cManual    = check("listing/manual/token-storage", scenarios.Manual, scenarios.GroupListing)
)

const targetA = "https://app.example.com/install"

// mixedReport has one of everything: pass, MUST failure, SHOULD failure, error, skip.
func mixedReport() *scenarios.RunReport {
	fail := result(targetA, cReturns, failed("the browser ends at returnUrl", "a redirect loop: | `x` <b>", 2))
	fail.Transcript = transcript()
	warn := result(targetA, cSingle, failed("one token request", "2 token requests"))
	errd := result(targetA, cTampered, errorOutcome("the emulator did not answer: connection refused"))
	errd.Transcript = transcript()[:1]
	return &scenarios.RunReport{
		SchemaVersion: scenarios.SchemaVersion, Started: t0, Finished: t0.Add(1500 * time.Millisecond),
		Targets: []string{targetA}, Profile: scenarios.ProfileListing,
		Results: []scenarios.Result{
			result(targetA, cExchanges, passed("one token request, as expected")),
			fail,
			warn,
			result(targetA, cBudget, skipped("an earlier step failed")),
			errd,
			result(targetA, cManual, skipped("confirm by hand")),
		},
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking the diff):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// catalogue is a knownCheck that accepts exactly ids.
func catalogue(ids ...string) func(string) bool {
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	return func(id string) bool { return known[id] }
}
