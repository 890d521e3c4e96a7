package emulator

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HubSpot's request-signature headers (validating-requests docs,
// https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation).
const (
	// HeaderSignature carries the v1 (or v2) signature: lower-case hex SHA-256.
	HeaderSignature = "X-HubSpot-Signature"
	// HeaderSignatureVersion names the version of HeaderSignature: "v1" or "v2".
	HeaderSignatureVersion = "X-HubSpot-Signature-Version"
	// HeaderSignatureV3 carries the v3 signature: base64 HMAC-SHA256. The docs also spell it
	// X-HubSpot-Signature-V3; HTTP header names are case-insensitive.
	HeaderSignatureV3 = "X-HubSpot-Signature-v3"
	// HeaderRequestTimestamp is the v3 timestamp in milliseconds since the epoch.
	HeaderRequestTimestamp = "X-HubSpot-Request-Timestamp"
)

// WebhookUserAgent is the User-Agent of hsemu's webhook deliveries. HubSpot's exact value is
// UNCONFIRMED; this is the one commonly reported for its webhook deliveries ("HubSpot Connect
// 2.0 (http://dev.hubspot.com/)"), so receivers that filter on it behave alike.
const WebhookUserAgent = "HubSpot Connect 2.0 (http://dev.hubspot.com/) - hsemu"

// MaxWebhookAge is how old a v3 timestamp may be: "Reject the request if the timestamp is older
// than 5 minutes" (validating-requests docs).
const MaxWebhookAge = 5 * time.Minute

// WebhookTimeout is how long HubSpot waits for a webhook receiver: it retries on "a timeout
// above 5 s" (webhooks docs, HUBSPOT.md §5).
const WebhookTimeout = 5 * time.Second

// SignatureV1 is HubSpot's v1 signature: hex(SHA-256(clientSecret + requestBody)), used for
// webhooks-API deliveries.
func SignatureV1(secret string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(secret))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// SignatureV2 is HubSpot's v2 signature: hex(SHA-256(clientSecret + method + URI + body)), used
// for workflow webhook actions and CRM cards. The URI "must exactly match the original request,
// including the protocol".
func SignatureV2(secret, method, uri string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(secret))
	h.Write([]byte(method))
	h.Write([]byte(uri))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// SignatureV3 is HubSpot's v3 signature: base64(HMAC-SHA256(clientSecret, method + URI + body +
// timestamp)), the timestamp in milliseconds, the URI decoded as V3URI says.
func SignatureV3(secret, method, uri string, body []byte, ts time.Time) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(method))
	mac.Write([]byte(V3URI(uri)))
	mac.Write(body)
	mac.Write([]byte(strconv.FormatInt(ts.UnixMilli(), 10)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// v3Decodes are the only escapes the v3 URI decodes (validating-requests docs, step 2).
var v3Decodes = strings.NewReplacer(
	"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$", "%27", "'",
	"%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
	"%3a", ":", "%2f", "/", "%3f", "?", "%2a", "*", "%2c", ",", "%3b", ";",
)

// V3URI is the URI as the v3 signature covers it: the full URL the request was sent to, with
// only %3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B decoded (validating-requests docs: "decode
// only these"). Other escapes, such as %20, stay as they are.
func V3URI(uri string) string { return v3Decodes.Replace(uri) }

// SignWebhook returns the signature headers HubSpot sends with a webhook delivery of body to uri
// at ts: the v3 signature and its timestamp, and the v1 signature alongside ("requests from
// HubSpot also include older versions of the signature").
func SignWebhook(secret, method, uri string, body []byte, ts time.Time) http.Header {
	h := http.Header{}
	h.Set(HeaderSignature, SignatureV1(secret, body))
	h.Set(HeaderSignatureVersion, "v1")
	h.Set(HeaderSignatureV3, SignatureV3(secret, method, uri, body, ts))
	h.Set(HeaderRequestTimestamp, strconv.FormatInt(ts.UnixMilli(), 10))
	return h
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
	ErrStaleTimestamp = errors.New("webhook timestamp is older than 5 minutes")
	ErrBadSignature   = errors.New("webhook signature does not match")
)

// VerifyWebhookV3 checks a delivery the way HubSpot's docs tell a receiver to: the timestamp
// (milliseconds) at most MaxWebhookAge old, then the v3 signature compared in constant time. uri
// is the full URL the request was sent to.
func VerifyWebhookV3(secret, method, uri string, body []byte, signature, timestamp string, now time.Time) error {
	ms, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%s %q is not milliseconds since the epoch: %w", HeaderRequestTimestamp, timestamp, err)
	}
	ts := time.UnixMilli(ms)
	if now.Sub(ts) > MaxWebhookAge {
		return fmt.Errorf("%w (it is %s old)", ErrStaleTimestamp, now.Sub(ts).Round(time.Second))
	}
	want := SignatureV3(secret, method, uri, body, ts)
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return ErrBadSignature
	}
	return nil
}

// WebhookEvent is one notification of a webhook batch, with HubSpot's field names (webhooks
// docs, HUBSPOT.md §5). Fields that do not apply to a subscription type are left out.
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
		{EventID: 100 + portalID%1000, SubscriptionID: 1001, PortalID: portalID, AppID: appID,
			OccurredAt: ms - 2000, SubscriptionType: "contact.creation", AttemptNumber: 0,
			ObjectID: object, ChangeSource: "CRM", ChangeFlag: "NEW"},
		{EventID: 101 + portalID%1000, SubscriptionID: 1002, PortalID: portalID, AppID: appID,
			OccurredAt: ms - 1000, SubscriptionType: "contact.propertyChange", AttemptNumber: 0,
			ObjectID: object, PropertyName: "firstname", PropertyValue: "Ada",
			ChangeSource: "CRM_UI", SourceID: "userId:" + strconv.FormatInt(900000000+portalID%100000000, 10)},
	}
}

// WebhookBatch serialises events as HubSpot sends them: one compact JSON array (up to 100
// events per request), with no HTML escaping of <, > and &.
func WebhookBatch(events []WebhookEvent) ([]byte, error) {
	if len(events) == 0 {
		return nil, errors.New("a webhook batch needs at least one event")
	}
	if len(events) > 100 {
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
func (e *Emulator) handleSendWebhook(w http.ResponseWriter, r *http.Request) {
	ev := eventOf(r)
	bad := func(msg string) {
		e.writeAPIError(w, ev, &APIError{HTTPStatus: http.StatusBadRequest, Category: "VALIDATION_ERROR",
			Message: msg + `; send JSON like {"url":"http://localhost:3000/webhooks","clientId":"…"}`})
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBody))
	dec.DisallowUnknownFields()
	var req sendJSON
	if err := dec.Decode(&req); err != nil {
		bad("webhook send request is not valid JSON: " + err.Error())
		return
	}
	app, ok := e.App(req.ClientID)
	if !ok {
		bad(fmt.Sprintf("clientId %q is not a registered app", short(req.ClientID)))
		return
	}
	ev.ClientID = short(req.ClientID)
	now := e.now()
	events := req.Events
	if len(events) == 0 {
		hub := req.HubID
		if hub == 0 {
			if ps := e.Portals(); len(ps) > 0 {
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
		e.writeAPIError(w, ev, &APIError{HTTPStatus: http.StatusBadGateway, Category: "WEBHOOK_DELIVERY_FAILED",
			Message: fmt.Sprintf("the receiver at %s did not answer within %s: %v (HubSpot would retry)", short(req.URL), WebhookTimeout, err)})
		return
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxWebhookAnswer))
	resp.Body.Close()
	writeJSON(w, http.StatusOK, map[string]any{
		"status":     resp.StatusCode,
		"durationMs": float64(time.Since(start)) / float64(time.Millisecond),
		"body":       string(answer),
	})
}
