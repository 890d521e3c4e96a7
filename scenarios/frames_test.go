package scenarios

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/scenarios/browser"
)

// TestFrameableRecordsFrames: the frameable judge records its verdict on every page it
// evaluated, for the origins the check requires, so sinks show it instead of re-evaluating. A
// page allowing HubSpot's example origins (app and app-eu1) passes, and the outcome's frame
// verdict says allowed, with a note about the other app-* hosts.
func TestFrameableRecordsFrames(t *testing.T) {
	page := func(seq int, policy string, status int) HopRecord {
		u, _ := url.Parse("https://endpoint.example/install")
		h := http.Header{"Content-Type": {"text/html"}}
		if policy != "" {
			h.Set("Content-Security-Policy", policy)
		}
		return HopRecord{Step: "finalize", Hop: browser.Hop{Seq: seq, Method: "GET", URL: u, Status: status, ResponseHeader: h}}
	}
	example := "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com"
	tests := []struct {
		name    string
		hops    []HopRecord
		status  Status
		frames  []int // hops with a frame verdict
		allowed []bool
	}{
		{"HubSpot's example policy", []HopRecord{page(1, example, 200)}, Pass, []int{1}, []bool{true}},
		{"a redirect is not framed", []HopRecord{page(1, "frame-ancestors 'none'", 302), page(2, example, 200)}, Pass, []int{2}, []bool{true}},
		{"one page blocked", []HopRecord{page(1, example, 200), page(2, "frame-ancestors 'none'", 200)}, Fail, []int{1, 2}, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := judgeFrameable([]*Step{{Name: "finalize", Hops: tt.hops}}, "")
			if out.Status != tt.status {
				t.Fatalf("status %s (%s); want %s", out.Status, out.Got, tt.status)
			}
			if len(out.Frames) != len(tt.frames) {
				t.Fatalf("%d frame verdicts; want %d", len(out.Frames), len(tt.frames))
			}
			for i, f := range out.Frames {
				if f.Hop != tt.frames[i] || f.Verdict.Allowed != tt.allowed[i] {
					t.Errorf("frame %d: hop %d allowed %v; want hop %d allowed %v", i, f.Hop, f.Verdict.Allowed, tt.frames[i], tt.allowed[i])
				}
				if strings.Join(f.Origins, " ") != strings.Join(requiredFrameOrigins, " ") {
					t.Errorf("frame %d judged for %v; want the check's origins %v", i, f.Origins, requiredFrameOrigins)
				}
				if len(f.Policies) == 0 {
					t.Errorf("frame %d lists no policy; want the page's CSP", i)
				}
			}
			if tt.status == Pass && !strings.Contains(out.Frames[0].Note, "app-na2") {
				t.Errorf("note %q; want it to name the app-* host the policy leaves out", out.Frames[0].Note)
			}
		})
	}
}
