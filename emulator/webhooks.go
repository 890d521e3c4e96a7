package emulator

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

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// HubSpot's request-signature headers (hubspot.HeaderSignature and its neighbours).
const (
	HeaderSignature        = hubspot.HeaderSignature
	HeaderSignatureVersion = hubspot.HeaderSignatureVersion
	HeaderSignatureV3      = hubspot.HeaderSignatureV3
	HeaderRequestTimestamp = hubspot.HeaderRequestTimestamp
)

// WebhookUserAgent is the User-Agent of hsemu's webhook deliveries: HubSpot's
// (hubspot.WebhookUserAgent) with " - hsemu", so receivers that filter on it behave alike.
const WebhookUserAgent = hubspot.WebhookUserAgent + " - hsemu"

// MaxWebhookAge is how old a v3 timestamp may be (hubspot.MaxWebhookAge).
const MaxWebhookAge = hubspot.MaxWebhookAge

// WebhookTimeout is how long HubSpot waits for a webhook receiver (hubspot.WebhookTimeout).
const WebhookTimeout = hubspot.WebhookTimeout

// SignatureV1 is HubSpot's v1 signature (hubspot.SignatureV1).
func SignatureV1(secret string, body []byte) string { return hubspot.SignatureV1(secret, body) }

// SignatureV2 is HubSpot's v2 signature (hubspot.SignatureV2).
func SignatureV2(secret, method, uri string, body []byte) string {
	return hubspot.SignatureV2(secret, method, uri, body)
}

// SignatureV3 is HubSpot's v3 signature (hubspot.SignatureV3).
func SignatureV3(secret, method, uri string, body []byte, ts time.Time) string {
	return hubspot.SignatureV3(secret, method, uri, body, ts)
}

// V3URI is the URI as the v3 signature covers it (hubspot.V3URI).
func V3URI(uri string) string { return hubspot.V3URI(uri) }

// SignWebhook returns the signature headers HubSpot sends with a webhook delivery
// (hubspot.SignWebhook).
func SignWebhook(secret, method, uri string, body []byte, ts time.Time) http.Header {
	return hubspot.SignWebhook(secret, method, uri, body, ts)
}

// NewWebhookRequest builds a webhook delivery as HubSpot sends it: POST body to url with
// Content-Type application/json, HubSpot's User-Agent and the headers of SignWebhook for ts.
func NewWebhookRequest(ctx context.Context, secret, url string, body []byte, ts time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("webhook URL %q: %w", url, err)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, fmt.Errorf("webhook URL %q must start with http:// or https://", url)
	}
	for k, vs := range SignWebhook(secret, http.MethodPost, url, body, ts) {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", WebhookUserAgent)
	return req, nil
}

// ErrStaleTimestamp and ErrBadSignature are the failures of VerifyWebhookV3.
var (
	ErrStaleTimestamp = hubspot.ErrStaleTimestamp
	ErrBadSignature   = hubspot.ErrBadSignature
)

// VerifyWebhookV3 checks a delivery the way HubSpot's docs tell a receiver to
// (hubspot.VerifyWebhookV3).
func VerifyWebhookV3(secret, method, uri string, body []byte, signature, timestamp string, now time.Time) error {
	return hubspot.VerifyWebhookV3(secret, method, uri, body, signature, timestamp, now) //nolint:wrapcheck // the same function under the emulator's name; its errors already say what failed
}

// WebhookEvent is one notification of a webhook batch, with HubSpot's field names
// (https://developers.hubspot.com/docs/api/webhooks). Fields that do not apply to a subscription type are left out.
type WebhookEvent struct {
	EventID          int64  `json:"eventId"`
	SubscriptionID   int64  `json:"subscriptionId"`
	PortalID         int64  `json:"portalId"`
	AppID            int64  `json:"appId"`
	OccurredAt       int64  `json:"occurredAt"` // milliseconds since the epoch
	SubscriptionType string `json:"subscriptionType"`
	AttemptNumber    int    `json:"attemptNumber"` // starts at 0
	ObjectID         int64  `json:"objectId"`
	PropertyName     string `json:"propertyName,omitempty"`
	PropertyValue    string `json:"propertyValue,omitempty"`
	ChangeSource     string `json:"changeSource"`
	SourceID         string `json:"sourceId,omitempty"`
	ChangeFlag       string `json:"changeFlag,omitempty"`
}

// SampleWebhookEvents is a plausible batch for an app installed in a portal at a moment: a
// contact created, then one of its properties changed.
func SampleWebhookEvents(appID, portalID int64, at time.Time) []WebhookEvent {
	ms := at.UnixMilli()
	object := portalID%1000*1000 + 1
	return []WebhookEvent{
		{
			EventID: 100 + portalID%1000, SubscriptionID: 1001, PortalID: portalID, AppID: appID,
			OccurredAt: ms - 2000, SubscriptionType: "contact.creation", AttemptNumber: 0,
			ObjectID: object, ChangeSource: "CRM", ChangeFlag: "NEW",
		},
		{
			EventID: 101 + portalID%1000, SubscriptionID: 1002, PortalID: portalID, AppID: appID,
			OccurredAt: ms - 1000, SubscriptionType: "contact.propertyChange", AttemptNumber: 0,
			ObjectID: object, PropertyName: "firstname", PropertyValue: "Ada",
			ChangeSource: "CRM_UI", SourceID: "userId:" + strconv.FormatInt(900000000+portalID%100000000, 10),
		},
	}
}

// WebhookBatch serialises events as HubSpot sends them: one compact JSON array (up to 100
// events per request), with no HTML escaping of <, > and &.
func WebhookBatch(events []WebhookEvent) ([]byte, error) {
	if len(events) == 0 {
		return nil, errors.New("a webhook batch needs at least one event")
	}
	if len(events) > hubspot.MaxWebhookBatch {
		return nil, fmt.Errorf("a webhook batch holds at most 100 events (HubSpot's limit); got %d", len(events))
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(events); err != nil {
		return nil, fmt.Errorf("encode the webhook batch: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// sendJSON is the body of POST /_hsemu/webhooks/send.
type sendJSON struct {
	URL      string         `json:"url"`
	ClientID string         `json:"clientId"`
	HubID    int64          `json:"hubId,omitempty"`
	Events   []WebhookEvent `json:"events,omitempty"`
}

// maxWebhookAnswer caps how much of a receiver's answer the send endpoint returns.
const maxWebhookAnswer = 4 << 10

// handleSendWebhook serves POST /_hsemu/webhooks/send {"url":"…","clientId":"…","hubId":…,
// "events":[…]}: it delivers a batch (the given events, or SampleWebhookEvents) to url, signed
// with the app's client secret as HubSpot signs it, waits at most WebhookTimeout, and answers
// 200 {"status":…,"durationMs":…,"body":"…"} with the receiver's answer, or 502 when the
// receiver could not be reached in time.
func (lc *lifecycle) handleSendWebhook(w http.ResponseWriter, r *http.Request) {
	ev := eventOf(r)
	bad := func(msg string) {
		lc.writeAPIError(w, ev, &APIError{
			HTTPStatus: http.StatusBadRequest, Category: categoryValidation,
			Message: msg + `; send JSON like {"url":"http://localhost:3000/webhooks","clientId":"…"}`,
		})
	}
	var req sendJSON
	if err := decodeAdminJSON(w, r, &req); err != nil {
		bad("webhook send request is not valid JSON: " + err.Error())
		return
	}
	app, ok := lc.app(req.ClientID)
	if !ok {
		bad(fmt.Sprintf("clientId %q is not a registered app", short(req.ClientID)))
		return
	}
	ev.ClientID = short(req.ClientID)
	now := lc.now()
	events := req.Events
	if len(events) == 0 {
		hub := req.HubID
		if hub == 0 {
			if ps := lc.portals(); len(ps) > 0 {
				hub = ps[0].HubID
			}
		}
		events = SampleWebhookEvents(app.ID, hub, now)
	}
	body, err := WebhookBatch(events)
	if err != nil {
		bad(err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), WebhookTimeout)
	defer cancel()
	out, err := NewWebhookRequest(ctx, app.ClientSecret, req.URL, body, now)
	if err != nil {
		bad(err.Error())
		return
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start := time.Now()
	resp, err := client.Do(out)
	if err != nil {
		lc.writeAPIError(w, ev, &APIError{
			HTTPStatus: http.StatusBadGateway, Category: "WEBHOOK_DELIVERY_FAILED",
			Message: fmt.Sprintf("the receiver at %s did not answer within %s: %v (HubSpot would retry)", short(req.URL), WebhookTimeout, err),
		})
		return
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxWebhookAnswer))
	_ = resp.Body.Close() // read as far as kept
	writeJSON(w, http.StatusOK, map[string]any{
		"status":     resp.StatusCode,
		"durationMs": float64(time.Since(start)) / float64(time.Millisecond),
		"body":       string(answer),
	})
}
