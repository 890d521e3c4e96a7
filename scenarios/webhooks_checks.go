package scenarios

// fixVerify is how to verify a delivery, the fix of the rejection checks.
const fixVerify = "Verify X-HubSpot-Signature-v3 before acting on a delivery: reject (401) when X-HubSpot-Request-Timestamp is older than 5 minutes; compute base64(HMAC-SHA256(client secret, method + full URL as HubSpot calls it + raw body bytes + timestamp)) and compare in constant time; answer 401 on a mismatch."

// webhookChecks are the webhook group's checks, run when the target has a webhook URL.
func webhookChecks() []Check {
	return []Check{
		{
			ID: "webhooks/accepts-signed", Level: Must, Basis: Documented, Group: GroupWebhooks, Scenario: scenarioWebhooksAcceptsSigned,
			Title:       "Accepts a signed batch within 5 s",
			Provokes:    "a v3-signed batch (with the v1 signature alongside) as HubSpot sends it",
			Requirement: "A webhook receiver answers HubSpot's deliveries with a 2xx within 5 seconds; HubSpot retries on a timeout above 5 s or any 4xx/5xx.",
			Source:      srcWebhooks + "; " + srcRequestValidation,
			Fix:         "Verify the v3 signature over the full URL HubSpot calls (scheme, host, path and query as configured in the app's webhook target URL) and the raw body, with the app's client secret; answer 2xx at once and process the events in the background.",
			Judge:       judgeAcceptsSigned,
		},
		{
			ID: "webhooks/rejects-bad-signature", Level: Must, Basis: Documented, Group: GroupWebhooks, Scenario: scenarioWebhooksRejectsBadSignature,
			Title:       "Rejects a batch whose signature is wrong",
			Provokes:    "the batch signed with another secret, and a captured batch replayed with a fresh timestamp (only its v1 signature still matches)",
			Requirement: "Validate requests from HubSpot with the v3 signature (X-HubSpot-Signature-v3), which covers the method, URI, body and timestamp; a request whose signature does not match is not from HubSpot.",
			Source:      srcRequestValidation,
			Fix:         fixVerify + " Do not fall back to the v1 signature: it covers neither the URI nor the timestamp, so a captured batch can be replayed with it.",
			Judge: func(o *Observation) Outcome {
				return judgeRejected(o, stepDeliveryWrongSecret, stepDeliveryRestamped)
			},
		},
		{
			ID: "webhooks/rejects-tampered-body", Level: Must, Basis: Documented, Group: GroupWebhooks, Scenario: scenarioWebhooksRejectsTamperedBody,
			Title:       "Rejects a batch changed after signing",
			Provokes:    "HubSpot's signature headers with a body whose values were changed, and with the same events re-formatted",
			Requirement: "The signature covers the request body exactly as sent (\"requestBody\": the raw UTF-8 body); a body that differs from the signed bytes must be rejected.",
			Source:      srcRequestValidation,
			Fix:         "Hash the raw request bytes as received, before any JSON parsing (e.g. express.raw() or keep req.rawBody; in Go read r.Body once and verify those bytes); never re-serialise the parsed JSON to verify it.",
			Judge: func(o *Observation) Outcome {
				return judgeRejected(o, stepDeliveryValuesChanged, stepDeliveryReformatted)
			},
		},
		{
			ID: "webhooks/rejects-stale", Level: Must, Basis: Documented, Group: GroupWebhooks, Scenario: scenarioWebhooksRejectsStale,
			Title:       "Rejects a batch with a timestamp over 5 minutes old",
			Provokes:    "a batch signed v3 for a timestamp 6 minutes old",
			Requirement: "Reject the request if the timestamp is older than 5 minutes (X-HubSpot-Request-Timestamp, milliseconds since the epoch).",
			Source:      srcRequestValidation,
			Fix:         "Before checking the signature, reject (401) a delivery whose X-HubSpot-Request-Timestamp is more than 300000 ms before now.",
			Judge:       func(o *Observation) Outcome { return judgeRejected(o, stepDeliveryStale) },
		},
	}
}
