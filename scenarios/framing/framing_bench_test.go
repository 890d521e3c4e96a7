package framing

import (
	"testing"
)

func BenchmarkEvaluate(b *testing.B) {
	in := Input{
		URL: mustURL(b, partnerURL),
		Header: hdr(HeaderCSP, "default-src 'self'; script-src 'self' https://cdn.example; "+example,
			HeaderCSPReportOnly, "frame-ancestors 'self'", HeaderXFO, "SAMEORIGIN"),
		Body:      []byte(`<!doctype html><html><head><title>Install</title></head><body><p>Connecting to HubSpot…</p></body></html>`),
		Ancestors: []string{hubOrigin},
	}
	b.ReportAllocs()
	for b.Loop() {
		if v := Evaluate(in); !v.Allowed {
			b.Fatalf("Evaluate: blocked: %s", v.Reason)
		}
	}
}

func BenchmarkEvaluateAll(b *testing.B) {
	in := Input{URL: mustURL(b, partnerURL), Header: hdr(HeaderCSP, "frame-ancestors 'self' https://*.hubspot.com")}
	b.ReportAllocs()
	for b.Loop() {
		if v := EvaluateAll(in, HubSpotOrigins); !v.Allowed {
			b.Fatalf("EvaluateAll: blocked: %s", v.Reason)
		}
	}
}
