package scenarios

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hsemu/hsemu/emulator"
)

const testWebhookSecret = "0f6b2d8e-3c1a-4b5d-9e7f-a1b2c3d4e5f6"

// receiver is a webhook receiver for the tests; verify decides the status of each delivery.
func receiver(t *testing.T, verify func(r *http.Request, body []byte) int) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(verify(r, body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// correct verifies as HubSpot's docs say.
func correct(url string) func(r *http.Request, body []byte) int {
	return func(r *http.Request, body []byte) int {
		if r.Header.Get("Content-Type") != "application/json" || r.Header.Get(emulator.HeaderSignatureVersion) != "v1" {
			return http.StatusBadRequest
		}
		if err := emulator.VerifyWebhookV3(testWebhookSecret, r.Method, url+r.URL.RequestURI(), body,
			r.Header.Get(emulator.HeaderSignatureV3), r.Header.Get(emulator.HeaderRequestTimestamp), time.Now()); err != nil {
			return http.StatusUnauthorized
		}
		return http.StatusNoContent
	}
}

// runWebhooks runs the webhook checks against url and returns the IDs of the failed checks and
// the report.
func runWebhooks(t *testing.T, url string, opts Options) ([]string, *RunReport) {
	t.Helper()
	h, err := StartHarness(emulator.Config{}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	opts.Only = []string{"webhooks/"}
	r := &Runner{Harness: h, Options: opts}
	rep, err := r.Run(context.Background(), []Target{{
		Name: "receiver", InstallURL: "http://localhost:1/install", Flows: []Flow{Webhooks}, WebhookURL: url,
		App: emulator.App{ClientID: "6a1f3c2e-7b4d-4e8f-9a0b-1c2d3e4f5a6b", ClientSecret: testWebhookSecret},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, res := range rep.Results {
		if res.Outcome.Status == Fail {
			failed = append(failed, res.Check.ID)
		}
	}
	sort.Strings(failed)
	return failed, rep
}

func TestWebhookChecks(t *testing.T) {
	tests := []struct {
		name   string
		verify func(url string) func(r *http.Request, body []byte) int
		want   []string
	}{
		{"correct", correct, nil},
		{"accepts everything", func(string) func(*http.Request, []byte) int {
			return func(*http.Request, []byte) int { return http.StatusOK }
		}, []string{"webhooks/rejects-bad-signature", "webhooks/rejects-stale", "webhooks/rejects-tampered-body"}},
		{"crashes on a bad signature", func(url string) func(*http.Request, []byte) int {
			return func(r *http.Request, body []byte) int {
				if st := correct(url)(r, body); st != http.StatusNoContent {
					return http.StatusInternalServerError
				}
				return http.StatusNoContent
			}
		}, []string{"webhooks/rejects-bad-signature", "webhooks/rejects-stale", "webhooks/rejects-tampered-body"}},
		{"wrong secret", func(string) func(*http.Request, []byte) int {
			return func(*http.Request, []byte) int { return http.StatusUnauthorized }
		}, []string{"webhooks/accepts-signed"}},
		{"redirects", func(string) func(*http.Request, []byte) int {
			return func(*http.Request, []byte) int { return http.StatusFound }
		}, []string{"webhooks/accepts-signed", "webhooks/rejects-bad-signature", "webhooks/rejects-stale", "webhooks/rejects-tampered-body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var url string
			srv := receiver(t, func(r *http.Request, body []byte) int { return tt.verify(url)(r, body) })
			url = srv.URL
			failed, rep := runWebhooks(t, srv.URL+"/hooks", Options{})
			if len(rep.Results) != 4 {
				t.Fatalf("%d results; want the 4 webhook checks", len(rep.Results))
			}
			if strings.Join(failed, " ") != strings.Join(tt.want, " ") {
				t.Errorf("failed %v; want %v", failed, tt.want)
				for _, res := range rep.Results {
					t.Logf("%s %s: %s", res.Check.ID, res.Outcome.Status, res.Outcome.Got)
				}
			}
			for _, res := range rep.Results {
				if res.Outcome.Status == Error || res.Outcome.Status == Skip {
					t.Errorf("%s: %s %s", res.Check.ID, res.Outcome.Status, res.Outcome.Got)
				}
				if len(res.Transcript) == 0 || res.Transcript[0].How != webhookHow {
					t.Errorf("%s: transcript %v has no webhook delivery", res.Check.ID, res.Transcript)
				}
			}
		})
	}
}

// A receiver that answers only after HubSpot has given up fails accepts-signed, and only it.
func TestWebhookTooSlow(t *testing.T) {
	var url string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		st := correct(url)(r, body)
		if st == http.StatusNoContent {
			<-r.Context().Done() // the client gives up at the webhook budget
		}
		w.WriteHeader(st)
	}))
	t.Cleanup(srv.Close)
	url = srv.URL
	failed, rep := runWebhooks(t, srv.URL+"/hooks", Options{HopBudget: 500 * time.Millisecond})
	if strings.Join(failed, " ") != "webhooks/accepts-signed" {
		t.Fatalf("failed %v; want only webhooks/accepts-signed", failed)
	}
	res, _ := rep.Result("", "webhooks/accepts-signed")
	if !strings.Contains(res.Outcome.Got, "within 500ms") {
		t.Errorf("got %q; want it to say the receiver did not answer within the budget", res.Outcome.Got)
	}
}

func TestWebhookChecksNeedAWebhookURL(t *testing.T) {
	for _, sc := range webhookScenarios() {
		if sc.Applies(Target{Flows: []Flow{Seamless}}, Options{}) {
			t.Errorf("%s applies to a target without a webhook URL", sc.ID)
		}
		if !sc.Applies(Target{Flows: []Flow{Seamless}, WebhookURL: "https://x.example/hooks"}, Options{}) {
			t.Errorf("%s does not apply to a target with a webhook URL", sc.ID)
		}
	}
}

func TestWebhookBadURL(t *testing.T) {
	_, rep := runWebhooks(t, "ftp://localhost/hooks", Options{})
	for _, res := range rep.Results {
		if res.Outcome.Status != Error || !strings.Contains(res.Outcome.Got, "http:// or https://") {
			t.Errorf("%s: %s %q; want an error saying the URL must be http(s)", res.Check.ID, res.Outcome.Status, res.Outcome.Got)
		}
	}
}

func TestWebhookBudget(t *testing.T) {
	tests := []struct{ hop, want time.Duration }{
		{0, 5 * time.Second},
		{10 * time.Second, 5 * time.Second},
		{250 * time.Millisecond, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := webhookBudget(Options{HopBudget: tt.hop}.withDefaults()); got != tt.want {
			t.Errorf("hop budget %v: webhook budget %v; want %v", tt.hop, got, tt.want)
		}
	}
}
