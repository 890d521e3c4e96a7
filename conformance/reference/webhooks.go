package reference

import (
	"bytes"
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

// The reference webhook receiver: it verifies HubSpot's v3 request signature as the
// validating-requests docs say
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation)
// and answers 204 at once, leaving the events' processing to later.

// WebhooksPath is where the reference receives HubSpot's webhook batches: its webhook URL is
// PublicURL + WebhooksPath.
const WebhooksPath = "/webhooks"

// FlowWebhooks names the webhook receiver among the flows a broken variant breaks.
const FlowWebhooks = "webhooks"

// maxWebhookAge is the v3 rule: "Reject the request if the timestamp is older than 5 minutes".
const maxWebhookAge = 5 * time.Minute

// maxWebhookBody bounds a batch: HubSpot sends at most 100 events per request.
const maxWebhookBody = 1 << 20

// errWebhookUnsigned is a delivery without the v3 headers.
var errWebhookUnsigned = errors.New("missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp")

// handleWebhook serves POST WebhooksPath: 204 for a batch HubSpot signed, 401 when the signature
// or timestamp does not verify, 400 for a verified body that is not a JSON array of events, 413
// for a body over 1 MiB.
func (s *Server) handleWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			webhookError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the batch is larger than %d bytes", maxWebhookBody))
			return
		}
		webhookError(w, http.StatusBadRequest, "could not read the batch: "+err.Error())
		return
	}
	if !s.has(FlowWebhooks, defectWebhookNoVerification) {
		if err := s.verifyWebhook(r, body); err != nil {
			webhookError(w, http.StatusUnauthorized, "the delivery is not from HubSpot: "+err.Error())
			return
		}
	}
	var events []map[string]any
	if err := json.Unmarshal(body, &events); err != nil {
		webhookError(w, http.StatusBadRequest, "the batch is not a JSON array of events: "+err.Error())
		return
	}
	if s.has(FlowWebhooks, defectWebhookSlow) {
		s.sleep(r, s.slowDelay)
	}
	w.WriteHeader(http.StatusNoContent)
}

// verifyWebhook applies the v3 rules: timestamp at most 5 minutes old, then base64
// HMAC-SHA256(client secret, method + URI + body + timestamp) compared in constant time.
func (s *Server) verifyWebhook(r *http.Request, body []byte) error {
	sig, tsText := r.Header.Get("X-HubSpot-Signature-v3"), r.Header.Get("X-HubSpot-Request-Timestamp")
	if sig == "" || tsText == "" {
		return errWebhookUnsigned
	}
	ms, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return fmt.Errorf("X-HubSpot-Request-Timestamp %q is not milliseconds since the epoch", tsText)
	}
	if age := s.clock().Sub(time.UnixMilli(ms)); age > maxWebhookAge && !s.has(FlowWebhooks, defectWebhookNoTimestamp) {
		return fmt.Errorf("the timestamp is %s old; HubSpot's limit is 5 minutes", age.Round(time.Second))
	}
	if s.has(FlowWebhooks, defectWebhookV1Only) {
		sum := sha256.Sum256(append([]byte(s.clientSecret), body...))
		if !hmac.Equal([]byte(hex.EncodeToString(sum[:])), []byte(r.Header.Get("X-HubSpot-Signature"))) {
			return errors.New("the v1 signature does not match")
		}
		return nil
	}
	uri := s.webhookURI(r)
	if s.has(FlowWebhooks, defectWebhookPathOnly) {
		uri = r.URL.RequestURI()
	}
	signed := body
	if s.has(FlowWebhooks, defectWebhookParsedBody) {
		var compact bytes.Buffer
		if err := json.Compact(&compact, body); err == nil {
			signed = compact.Bytes()
		}
	}
	mac := hmac.New(sha256.New, []byte(s.clientSecret))
	mac.Write([]byte(r.Method + uri))
	mac.Write(signed)
	mac.Write([]byte(tsText))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errors.New("the v3 signature does not match")
	}
	return nil
}

// webhookURI is the URI as HubSpot signs it: the full URL the receiver is reached at (the docs'
// example builds "https://${hostname}${url}"), with only the escapes the docs list decoded.
func (s *Server) webhookURI(r *http.Request) string {
	return v3URIDecoder.Replace(s.installURL(r, "") + r.URL.RequestURI())
}

// v3URIDecoder decodes what the v3 rules decode, and nothing else: "%3A→: %2F→/ %3F→? %40→@
// %21→! %24→$ %27→' %28→( %29→) %2A→* %2C→, %3B→;".
var v3URIDecoder = strings.NewReplacer(
	"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$", "%27", "'",
	"%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
	"%3a", ":", "%2f", "/", "%3f", "?", "%2a", "*", "%2c", ",", "%3b", ";",
)

// webhookError answers a refused delivery with a short JSON error; HubSpot only looks at the
// status (and retries any 4xx/5xx).
func webhookError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
