package report

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// hostileReport is a run against an endpoint that answered with megabytes where a line was
// due: failures whose got is 9 MB, over transcripts of 20 hops with 100 KB URLs, Locations and
// errors.
func hostileReport(failures int) *scenarios.RunReport {
	huge := strings.Repeat("l", 100_000) // over every cap; the browser keeps less
	var hops []scenarios.HopRecord
	for i := range 20 {
		h := http.Header{}
		h.Set("Location", "/next?x="+huge)
		hops = append(hops, scenarios.HopRecord{Step: "install", Hop: browser.Hop{
			Seq: i + 1, Method: "GET", URL: mustURL("https://app.example.com/r?x=" + huge),
			Status: 302, ResponseHeader: h, Duration: time.Millisecond, Err: errors.New("hop failed: " + huge),
			Cut: browser.Cut{Body: 8_900_000},
		}})
	}
	got := strings.Repeat("g", 9_000_000)
	rep := &scenarios.RunReport{
		SchemaVersion: scenarios.SchemaVersion, Started: t0, Finished: t0.Add(time.Second),
		Targets: []string{targetA}, Profile: scenarios.ProfileDev,
	}
	for i := range failures {
		c := check(fmt.Sprintf("robust/hostile/%d", i), scenarios.Must, scenarios.GroupRobust)
		res := result(targetA, c, failed("a page", got))
		res.Transcript = hops
		rep.Results = append(rep.Results, res)
	}
	return rep
}

func TestReportsBounded(t *testing.T) {
	const results = 10
	const perResult = 160 << 10 // got, expected and 20 hop lines, cut
	rep := hostileReport(results)
	for _, f := range Formats {
		var b bytes.Buffer
		if err := Write(&b, f, rep, Verdict{}, Options{}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if b.Len() > results*perResult {
			t.Errorf("%s: %s for %d results; want at most %s", f, browser.Size(int64(b.Len())), results, browser.Size(results*perResult))
		}
		t.Logf("%s: %s", f, browser.Size(int64(b.Len())))
		if !strings.Contains(b.String(), "… [cut: ") {
			t.Errorf("%s: nothing is marked as cut", f)
		}
		if !strings.Contains(b.String(), "body 8.9 MB") {
			t.Errorf("%s: the hops do not say what their records left out", f)
		}
	}
}

func TestMarkdownUnderGitHubsLimit(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, hostileReport(400), Verdict{}, MarkdownOptions{MaxDetails: 1000}); err != nil {
		t.Fatal(err)
	}
	if b.Len() >= 1<<20 {
		t.Errorf("the Markdown report is %s; GitHub refuses a step summary over 1 MiB", browser.Size(int64(b.Len())))
	}
	if !strings.Contains(b.String(), "more: see the JUnit or JSON report") {
		t.Errorf("the Markdown report does not say what it left out")
	}
}
