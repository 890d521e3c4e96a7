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

// The webhook scenarios play HubSpot delivering a batch of CRM events to the app's webhook
// receiver (Target.WebhookURL), signed with the app's client secret. They run only when a
// webhook URL is given.
const (
	scenarioWebhooksAcceptsSigned       ScenarioID = "webhooks/accepts-signed"
	scenarioWebhooksRejectsBadSignature ScenarioID = "webhooks/rejects-bad-signature"
	scenarioWebhooksRejectsTamperedBody ScenarioID = "webhooks/rejects-tampered-body"
	scenarioWebhooksRejectsStale        ScenarioID = "webhooks/rejects-stale"
)

// Steps of the webhook scenarios: one delivery each.
const (
	stepDeliverySigned        StepName = "delivery (signed)"
	stepDeliveryWrongSecret   StepName = "delivery (wrong secret)"
	stepDeliveryRestamped     StepName = "delivery (re-stamped)"
	stepDeliveryValuesChanged StepName = "delivery (values changed)"
	stepDeliveryReformatted   StepName = "delivery (re-formatted)"
	stepDeliveryStale         StepName = "delivery (6 min old)"
)

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
		return nil, nil, fmt.Errorf("encode the webhook batch: %w", err)
	}
	return events, body, nil
}

// deliver POSTs body with hdr (and HubSpot's Content-Type and User-Agent) to the webhook URL
// as step name, waiting at most the webhook budget, and records the exchange as the step's hop.
func deliver(s *Session, name StepName, body []byte, hdr http.Header) error {
	st, done := s.Step(name, browser.TopLevel, s.target.WebhookURL)
	defer done()
	ctx, cancel := context.WithTimeout(s.ctx, webhookBudget(s.opts))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.target.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook URL %q: %w", s.target.WebhookURL, err)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("webhook URL %q must start with http:// or https://", s.target.WebhookURL)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", emulator.WebhookUserAgent)
	hop := browser.Hop{
		Context: browser.TopLevel, How: webhookHow, Method: req.Method, URL: req.URL,
		RequestHeader: req.Header.Clone(), RequestBody: body,
	}
	start := time.Now()
	resp, err := s.HTTPClient().Do(req)
	if err == nil {
		hop.Status, hop.ResponseHeader = resp.StatusCode, resp.Header
		hop.Body, err = io.ReadAll(io.LimitReader(resp.Body, maxWebhookAnswer+1))
		if len(hop.Body) > maxWebhookAnswer {
			hop.Body, hop.Truncated = hop.Body[:maxWebhookAnswer], true
		}
		_ = resp.Body.Close() // the answer is read; a failed close only costs the connection
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
	return nil
}

// maxWebhookAnswer caps how much of a receiver's answer is kept.
const maxWebhookAnswer = 4 << 10

// signedAt signs body the way HubSpot does for a delivery to the target at ts.
func signedAt(s *Session, body []byte, ts time.Time) http.Header {
	return emulator.SignWebhook(s.target.App.ClientSecret, http.MethodPost, s.target.WebhookURL, body, ts)
}

func webhookScenarios() []Scenario {
	return []Scenario{
		{
			ID: scenarioWebhooksAcceptsSigned, Group: GroupWebhooks, Applies: hasWebhookURL,
			Title:    "A signed webhook batch",
			Provokes: "a batch of two contact events, signed v3 (with the v1 signature alongside) as HubSpot sends it",
			Run: func(s *Session) error {
				now := time.Now()
				_, body, err := webhookBody(s, now)
				if err != nil {
					return err
				}
				err = deliver(s, stepDeliverySigned, body, signedAt(s, body, now))
				return err
			},
		},
		{
			ID: scenarioWebhooksRejectsBadSignature, Group: GroupWebhooks, Applies: hasWebhookURL,
			Title:    "Webhook batches with a wrong signature",
			Provokes: "the batch signed with another secret; then a captured batch replayed with a fresh timestamp (v1 still matches the body, v3 does not)",
			Run: func(s *Session) error {
				now := time.Now()
				_, body, err := webhookBody(s, now)
				if err != nil {
					return err
				}
				forged := emulator.SignWebhook("not-"+s.target.App.ClientSecret, http.MethodPost, s.target.WebhookURL, body, now)
				if err := deliver(s, stepDeliveryWrongSecret, body, forged); err != nil {
					return err
				}
				// A batch captured a minute ago, sent again with a fresh timestamp: its v1
				// signature covers only the body, so it still matches; its v3 signature was made
				// for the old timestamp.
				replayed := signedAt(s, body, now.Add(-time.Minute))
				replayed.Set(emulator.HeaderRequestTimestamp, strconv.FormatInt(now.UnixMilli(), 10))
				err = deliver(s, stepDeliveryRestamped, body, replayed)
				return err
			},
		},
		{
			ID: scenarioWebhooksRejectsTamperedBody, Group: GroupWebhooks, Applies: hasWebhookURL,
			Title:    "Webhook batches changed after signing",
			Provokes: "HubSpot's headers for a batch, sent with a body whose values were changed; then with the same events re-formatted (whitespace only)",
			Run: func(s *Session) error {
				now := time.Now()
				events, body, err := webhookBody(s, now)
				if err != nil {
					return err
				}
				hdr := signedAt(s, body, now)
				events[1].PropertyValue = "Mallory"
				events[1].ObjectID++
				changed, err := emulator.WebhookBatch(events)
				if err != nil {
					return fmt.Errorf("encode the changed webhook batch: %w", err)
				}
				if err := deliver(s, stepDeliveryValuesChanged, changed, hdr); err != nil {
					return err
				}
				var indented bytes.Buffer
				if err := json.Indent(&indented, body, "", "  "); err != nil {
					return fmt.Errorf("re-format the batch: %w", err)
				}
				err = deliver(s, stepDeliveryReformatted, indented.Bytes(), hdr)
				return err
			},
		},
		{
			ID: scenarioWebhooksRejectsStale, Group: GroupWebhooks, Applies: hasWebhookURL,
			Title:    "A webhook batch with an old timestamp",
			Provokes: "a batch correctly signed v3 for a timestamp 6 minutes old",
			Run: func(s *Session) error {
				then := time.Now().Add(-6 * time.Minute)
				_, body, err := webhookBody(s, then)
				if err != nil {
					return err
				}
				err = deliver(s, stepDeliveryStale, body, signedAt(s, body, then))
				return err
			},
		},
	}
}
