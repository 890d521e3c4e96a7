package hubspot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HubSpot's request-signature headers
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation).
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

// WebhookUserAgent is the User-Agent HubSpot's webhook deliveries are commonly reported with;
// HubSpot does not document it.
const WebhookUserAgent = "HubSpot Connect 2.0 (http://dev.hubspot.com/)"

// MaxWebhookAge is how old a v3 timestamp may be: "Reject the request if the timestamp is older
// than 5 minutes"
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation).
const MaxWebhookAge = 5 * time.Minute

// WebhookTimeout is how long HubSpot waits for a webhook receiver: it retries "when the request
// times out, which happens after 5 seconds" (https://developers.hubspot.com/docs/api/webhooks).
const WebhookTimeout = 5 * time.Second

// MaxWebhookBatch is how many events HubSpot sends in one webhook request at most
// (https://developers.hubspot.com/docs/api/webhooks).
const MaxWebhookBatch = 100

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
// timestamp)), the timestamp in milliseconds, the URI decoded as V3URI says
// (https://developers.hubspot.com/changelog/introducing-version-3-of-webhook-signatures).
func SignatureV3(secret, method, uri string, body []byte, ts time.Time) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(method))
	mac.Write([]byte(V3URI(uri)))
	mac.Write(body)
	mac.Write([]byte(strconv.FormatInt(ts.UnixMilli(), 10)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// v3Decodes are the only escapes the v3 URI decodes (request-validation page, step 2).
var v3Decodes = strings.NewReplacer(
	"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$", "%27", "'",
	"%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
	"%3a", ":", "%2f", "/", "%3f", "?", "%2a", "*", "%2c", ",", "%3b", ";",
)

// V3URI is the URI as the v3 signature covers it: the full URL the request was sent to, with
// only %3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B decoded (request-validation page: "decode
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

// ErrStaleTimestamp and ErrBadSignature are the failures of VerifyWebhookV3.
var (
	ErrStaleTimestamp = errors.New("webhook timestamp is older than 5 minutes")
	ErrBadSignature   = errors.New("webhook signature does not match")
)

// VerifyWebhookV3 checks a delivery the way HubSpot's docs tell a receiver to: the timestamp
// (milliseconds) at most MaxWebhookAge before now, then the v3 signature compared in constant
// time. uri is the full URL the request was sent to.
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

// VerifyWebhookV1 checks a v1 signature in constant time.
func VerifyWebhookV1(secret string, body []byte, signature string) error {
	if !hmac.Equal([]byte(SignatureV1(secret, body)), []byte(signature)) {
		return ErrBadSignature
	}
	return nil
}

// VerifyWebhookV2 checks a v2 signature in constant time.
func VerifyWebhookV2(secret, method, uri string, body []byte, signature string) error {
	if !hmac.Equal([]byte(SignatureV2(secret, method, uri, body)), []byte(signature)) {
		return ErrBadSignature
	}
	return nil
}

// The app lifecycle events of the webhooks journal: subscription type APP_LIFECYCLE_EVENT,
// journal actions APP_INSTALL and APP_UNINSTALL, and their event type IDs, 4-1909196 for an
// install and 4-1916193 for an uninstall (PublicApiSpecs/Webhooks/Rollouts/147891/2026-03/webhooks.json
// in https://github.com/HubSpot/HubSpot-public-api-spec-collection). The shape of a journal
// entry is not documented (docs/hubspot.md, Unconfirmed items 9).
const (
	SubscriptionAppLifecycle = "APP_LIFECYCLE_EVENT"
	ActionAppInstall         = "APP_INSTALL"
	ActionAppUninstall       = "APP_UNINSTALL"
	EventTypeAppInstall      = "4-1909196"
	EventTypeAppUninstall    = "4-1916193"
)

// LifecycleEventTypeID returns the event type ID of a journal action, or "" for another action.
func LifecycleEventTypeID(action string) string {
	switch action {
	case ActionAppInstall:
		return EventTypeAppInstall
	case ActionAppUninstall:
		return EventTypeAppUninstall
	}
	return ""
}
