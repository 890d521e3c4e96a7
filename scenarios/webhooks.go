package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// The webhook checks play HubSpot delivering a batch of CRM events to the app's webhook
// receiver (Target.WebhookURL), signed with the app's client secret. They run only when a
// webhook URL is given.

// Sources the webhook checks cite.
const (
	srcRequestValidation = "https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation"
	srcWebhooks          = "https://developers.hubspot.com/docs/api/webhooks (\"HubSpot will retry … when the request times out, which happens after 5 seconds\")"
)

const fixVerify = "Verify X-HubSpot-Signature-v3 before acting on a delivery: reject (401) when X-HubSpot-Request-Timestamp is older than 5 minutes; compute base64(HMAC-SHA256(client secret, method + full URL as HubSpot calls it + raw body bytes + timestamp)) and compare in constant time; answer 401 on a mismatch."

// webhookHow marks a webhook delivery among the hops of a report.
const webhookHow browser.How = "webhook delivery"

// webhookBudget is how long the receiver has to answer: HubSpot times out after 5 s; a shorter
// hop budget (as in fast in-process runs) tightens it.
func webhookBudget(o Options) time.Duration {
	return min(emulator.WebhookTimeout, o.HopBudget)
}

// hasWebhookURL is the Applies of the webhook scenarios: they need the receiver's URL.
func hasWebhookURL(t Target, _ Options) bool { return t.WebhookURL != "" }

// webhookBody is a batch of sample events for this session's portal, as HubSpot would send
// it at now.
func webhookBody(s *Session, now time.Time) ([]emulator.WebhookEvent, []byte, error) {
	events := emulator.SampleWebhookEvents(s.target.App.ID, s.portal.HubID, now)
	body, err := emulator.WebhookBatch(events)
	if err != nil {
		return nil, nil, err
	}
	return events, body, nil
}

// deliver POSTs body with hdr (and HubSpot's Content-Type and User-Agent) to the webhook URL
// as step name, waiting at most the webhook budget, and records the exchange as the step's hop.
func (s *Session) deliver(name string, body []byte, hdr http.Header) (*Step, error) {
	st, done := s.Step(name)
	defer done()
	st.URL = s.target.WebhookURL
	ctx, cancel := context.WithTimeout(s.ctx, webhookBudget(s.opts))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.target.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return st, fmt.Errorf("webhook URL %q: %w", s.target.WebhookURL, err)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return st, fmt.Errorf("webhook URL %q must start with http:// or https://", s.target.WebhookURL)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", emulator.WebhookUserAgent)
	hop := browser.Hop{Context: browser.TopLevel, How: webhookHow, Method: req.Method, URL: req.URL,
		RequestHeader: req.Header.Clone(), RequestBody: body}
	start := time.Now()
	resp, err := s.HTTPClient().Do(req)
	if err == nil {
		hop.Status, hop.ResponseHeader = resp.StatusCode, resp.Header
		hop.Body, err = io.ReadAll(io.LimitReader(resp.Body, maxWebhookAnswer+1))
		if len(hop.Body) > maxWebhookAnswer {
			hop.Body, hop.Truncated = hop.Body[:maxWebhookAnswer], true
		}
		resp.Body.Close()
	}
	hop.Duration = time.Since(start)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("no complete answer within %s: %w", webhookBudget(s.opts), context.DeadlineExceeded)
		}
		hop.Err = err
		st.Err = err
	}
	s.recordHop(hop)
	return st, nil
}

// maxWebhookAnswer caps how much of a receiver's answer is kept.
const maxWebhookAnswer = 4 << 10

// signedAt signs body the way HubSpot does for a delivery to the target at ts.
func (s *Session) signedAt(body []byte, ts time.Time) http.Header {
	return emulator.SignWebhook(s.target.App.ClientSecret, http.MethodPost, s.target.WebhookURL, body, ts)
}

func webhookScenarios() []Scenario {
	return []Scenario{
		{
			ID: "webhooks/accepts-signed", Flow: Webhooks, Title: "A signed webhook batch", Applies: hasWebhookURL,
			Provokes: "a batch of two contact events, signed v3 (with the v1 signature alongside) as HubSpot sends it",
			Run: func(s *Session) error {
				now := time.Now()
				_, body, err := webhookBody(s, now)
				if err != nil {
					return err
				}
				_, err = s.deliver("delivery (signed)", body, s.signedAt(body, now))
				return err
			},
		},
		{
			ID: "webhooks/rejects-bad-signature", Flow: Webhooks, Title: "Webhook batches with a wrong signature", Applies: hasWebhookURL,
			Provokes: "the batch signed with another secret; then a captured batch replayed with a fresh timestamp (v1 still matches the body, v3 does not)",
			Run: func(s *Session) error {
				now := time.Now()
				_, body, err := webhookBody(s, now)
				if err != nil {
					return err
				}
				forged := emulator.SignWebhook("not-"+s.target.App.ClientSecret, http.MethodPost, s.target.WebhookURL, body, now)
				if _, err := s.deliver("delivery (wrong secret)", body, forged); err != nil {
					return err
				}
				// A batch captured a minute ago, sent again with a fresh timestamp: its v1
				// signature covers only the body, so it still matches; its v3 signature was made
				// for the old timestamp.
				replayed := s.signedAt(body, now.Add(-time.Minute))
				replayed.Set(emulator.HeaderRequestTimestamp, strconv.FormatInt(now.UnixMilli(), 10))
				_, err = s.deliver("delivery (re-stamped)", body, replayed)
				return err
			},
		},
		{
			ID: "webhooks/rejects-tampered-body", Flow: Webhooks, Title: "Webhook batches changed after signing", Applies: hasWebhookURL,
			Provokes: "HubSpot's headers for a batch, sent with a body whose values were changed; then with the same events re-formatted (whitespace only)",
			Run: func(s *Session) error {
				now := time.Now()
				events, body, err := webhookBody(s, now)
				if err != nil {
					return err
				}
				hdr := s.signedAt(body, now)
				events[1].PropertyValue = "Mallory"
				events[1].ObjectID++
				changed, err := emulator.WebhookBatch(events)
				if err != nil {
					return err
				}
				if _, err := s.deliver("delivery (values changed)", changed, hdr); err != nil {
					return err
				}
				var indented bytes.Buffer
				if err := json.Indent(&indented, body, "", "  "); err != nil {
					return fmt.Errorf("re-format the batch: %w", err)
				}
				_, err = s.deliver("delivery (re-formatted)", indented.Bytes(), hdr)
				return err
			},
		},
		{
			ID: "webhooks/rejects-stale", Flow: Webhooks, Title: "A webhook batch with an old timestamp", Applies: hasWebhookURL,
			Provokes: "a batch correctly signed v3 for a timestamp 6 minutes old",
			Run: func(s *Session) error {
				then := time.Now().Add(-6 * time.Minute)
				_, body, err := webhookBody(s, then)
				if err != nil {
					return err
				}
				_, err = s.deliver("delivery (6 min old)", body, s.signedAt(body, then))
				return err
			},
		},
	}
}

func webhookChecks() []Check {
	return []Check{
		{
			ID: "webhooks/accepts-signed", Level: Must, Flow: Webhooks, Scenario: "webhooks/accepts-signed",
			Title:       "Accepts a signed batch within 5 s",
			Provokes:    "a v3-signed batch (with the v1 signature alongside) as HubSpot sends it",
			Requirement: "A webhook receiver answers HubSpot's deliveries with a 2xx within 5 seconds; HubSpot retries on a timeout above 5 s or any 4xx/5xx.",
			Source:      srcWebhooks + "; " + srcRequestValidation,
			Fix:         "Verify the v3 signature over the full URL HubSpot calls (scheme, host, path and query as configured in the app's webhook target URL) and the raw body, with the app's client secret; answer 2xx at once and process the events in the background.",
			Judge: func(o *Observation) Outcome {
				st := o.Step("delivery (signed)")
				if st == nil {
					return o.missing("delivery (signed)")
				}
				h, ok := deliveryHop(st)
				switch {
				case !ok:
					return errored("the delivery made no request")
				case h.Err != nil:
					return fail("a 2xx answer within "+budgetText(o), "the receiver did not answer: "+h.Err.Error()+"; HubSpot would retry the batch", h.Seq)
				case h.Status < 200 || h.Status > 299:
					return fail("a 2xx answer within "+budgetText(o), fmt.Sprintf("HTTP %d%s: the receiver refused a delivery HubSpot signed correctly (check the client secret and that the URI signed is the full URL HubSpot calls)", h.Status, answerText(h)), h.Seq)
				}
				return pass(fmt.Sprintf("HTTP %d in %s", h.Status, h.Duration.Round(time.Millisecond)))
			},
		},
		{
			ID: "webhooks/rejects-bad-signature", Level: Must, Flow: Webhooks, Scenario: "webhooks/rejects-bad-signature",
			Title:       "Rejects a batch whose signature is wrong",
			Provokes:    "the batch signed with another secret, and a captured batch replayed with a fresh timestamp (only its v1 signature still matches)",
			Requirement: "Validate requests from HubSpot with the v3 signature (X-HubSpot-Signature-v3), which covers the method, URI, body and timestamp; a request whose signature does not match is not from HubSpot.",
			Source:      srcRequestValidation,
			Fix:         fixVerify + " Do not fall back to the v1 signature: it covers neither the URI nor the timestamp, so a captured batch can be replayed with it.",
			Judge: func(o *Observation) Outcome {
				return judgeRejected(o, "delivery (wrong secret)", "delivery (re-stamped)")
			},
		},
		{
			ID: "webhooks/rejects-tampered-body", Level: Must, Flow: Webhooks, Scenario: "webhooks/rejects-tampered-body",
			Title:       "Rejects a batch changed after signing",
			Provokes:    "HubSpot's signature headers with a body whose values were changed, and with the same events re-formatted",
			Requirement: "The signature covers the request body exactly as sent (\"requestBody\": the raw UTF-8 body); a body that differs from the signed bytes must be rejected.",
			Source:      srcRequestValidation,
			Fix:         "Hash the raw request bytes as received, before any JSON parsing (e.g. express.raw() or keep req.rawBody; in Go read r.Body once and verify those bytes); never re-serialise the parsed JSON to verify it.",
			Judge: func(o *Observation) Outcome {
				return judgeRejected(o, "delivery (values changed)", "delivery (re-formatted)")
			},
		},
		{
			ID: "webhooks/rejects-stale", Level: Must, Flow: Webhooks, Scenario: "webhooks/rejects-stale",
			Title:       "Rejects a batch with a timestamp over 5 minutes old",
			Provokes:    "a batch signed v3 for a timestamp 6 minutes old",
			Requirement: "Reject the request if the timestamp is older than 5 minutes (X-HubSpot-Request-Timestamp, milliseconds since the epoch).",
			Source:      srcRequestValidation,
			Fix:         "Before checking the signature, reject (401) a delivery whose X-HubSpot-Request-Timestamp is more than 300000 ms before now.",
			Judge:       func(o *Observation) Outcome { return judgeRejected(o, "delivery (6 min old)") },
		},
	}
}

// deliveryHop is the request a delivery step made.
func deliveryHop(st *Step) (HopRecord, bool) {
	for _, h := range st.Hops {
		if h.How == webhookHow {
			return h, true
		}
	}
	return HopRecord{}, false
}

// judgeRejected passes when the receiver answered every named delivery with a 4xx.
func judgeRejected(o *Observation, steps ...string) Outcome {
	var seqs []int
	for _, name := range steps {
		st := o.Step(name)
		if st == nil {
			return o.missing(name)
		}
		h, ok := deliveryHop(st)
		if !ok {
			return errored("the " + name + " step made no request")
		}
		seqs = append(seqs, h.Seq)
		const want = "a 4xx answer (401 for a signature that does not verify)"
		switch {
		case h.Err != nil:
			return fail(want, name+": the receiver did not answer: "+h.Err.Error(), h.Seq)
		case h.Status >= 200 && h.Status <= 299:
			return fail(want, fmt.Sprintf("%s: HTTP %d%s: the receiver accepted a batch HubSpot never signed", name, h.Status, answerText(h)), h.Seq)
		case h.Status < 400 || h.Status > 499:
			return fail(want, fmt.Sprintf("%s: HTTP %d%s", name, h.Status, answerText(h)), h.Seq)
		}
	}
	return Outcome{Status: Pass, Got: fmt.Sprintf("rejected with 4xx (%d deliveries)", len(steps)), Hops: seqs}
}

// answerText quotes the start of a receiver's answer.
func answerText(h HopRecord) string {
	if t := excerpt(string(h.Body), 120); t != "" {
		return fmt.Sprintf(" %q", t)
	}
	return ""
}

func budgetText(o *Observation) string { return webhookBudget(o.Options).String() }
