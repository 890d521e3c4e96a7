package browser

import (
	"net/url"
	"strings"
)

// referrerPolicy is one of the W3C Referrer Policy §3 policies.
type referrerPolicy string

// The policies of Referrer Policy §3.
const (
	policyNoReferrer                  referrerPolicy = "no-referrer"
	policyNoReferrerWhenDowngrade     referrerPolicy = "no-referrer-when-downgrade"
	policySameOrigin                  referrerPolicy = "same-origin"
	policyOrigin                      referrerPolicy = "origin"
	policyStrictOrigin                referrerPolicy = "strict-origin"
	policyOriginWhenCrossOrigin       referrerPolicy = "origin-when-cross-origin"
	policyStrictOriginWhenCrossOrigin referrerPolicy = "strict-origin-when-cross-origin"
	policyUnsafeURL                   referrerPolicy = "unsafe-url"
)

// The default is strict-origin-when-cross-origin (Referrer Policy §3 "default referrer
// policy", Chrome since version 85).
const defaultReferrerPolicy = policyStrictOriginWhenCrossOrigin

// knownPolicies maps the tokens of Referrer Policy §4.1 and the legacy <meta name=referrer>
// keywords of the HTML Standard (§4.2.5.1) to the policy they mean.
var knownPolicies = map[string]referrerPolicy{
	string(policyNoReferrer):                  policyNoReferrer,
	string(policyNoReferrerWhenDowngrade):     policyNoReferrerWhenDowngrade,
	string(policySameOrigin):                  policySameOrigin,
	string(policyOrigin):                      policyOrigin,
	string(policyStrictOrigin):                policyStrictOrigin,
	string(policyOriginWhenCrossOrigin):       policyOriginWhenCrossOrigin,
	string(policyStrictOriginWhenCrossOrigin): policyStrictOriginWhenCrossOrigin,
	string(policyUnsafeURL):                   policyUnsafeURL,
	// legacy meta keywords
	"never":                   policyNoReferrer,
	"default":                 policyStrictOriginWhenCrossOrigin,
	"always":                  policyUnsafeURL,
	"origin-when-crossorigin": policyOriginWhenCrossOrigin,
}

// parseReferrerPolicyHeader reads a Referrer-Policy header (Referrer Policy §4.1): a
// comma-separated list in which the last recognised token wins. It returns "" when none is
// recognised, leaving the current policy in force.
func parseReferrerPolicyHeader(values []string) referrerPolicy {
	var p referrerPolicy
	for _, v := range values {
		for tok := range strings.SplitSeq(v, ",") {
			tok = strings.ToLower(strings.TrimSpace(tok))
			if tok == "never" || tok == "default" || tok == "always" || tok == "origin-when-crossorigin" {
				continue // legacy keywords are only valid in <meta name=referrer>
			}
			if known, ok := knownPolicies[tok]; ok {
				p = known
			}
		}
	}
	return p
}

// maxReferrerLength is the length above which a full referrer URL is cut to its origin
// (Referrer Policy §8.3 step 7).
const maxReferrerLength = 4096

// referrerFor computes the Referer header for a request to target from a document at source
// under policy (Referrer Policy §8.3 "Determine request's Referrer"). It returns "" when no
// Referer is sent.
func referrerFor(policy referrerPolicy, source, target *url.URL) string {
	if source == nil || (source.Scheme != "http" && source.Scheme != "https") {
		return ""
	}
	full := *source
	full.User, full.Fragment, full.RawFragment = nil, "", ""
	fullURL := full.String()
	originOnly := origin(source) + "/"
	if len(fullURL) > maxReferrerLength {
		fullURL = originOnly
	}
	downgrade := PotentiallyTrustworthy(source) && !PotentiallyTrustworthy(target)
	same := sameOrigin(source, target)
	switch policy {
	case policyNoReferrer:
		return ""
	case policyOrigin:
		return originOnly
	case policyUnsafeURL:
		return fullURL
	case policyStrictOrigin:
		if downgrade {
			return ""
		}
		return originOnly
	case policySameOrigin:
		if same {
			return fullURL
		}
		return ""
	case policyOriginWhenCrossOrigin:
		if same {
			return fullURL
		}
		return originOnly
	case policyNoReferrerWhenDowngrade:
		if downgrade {
			return ""
		}
		return fullURL
	default: // policyStrictOriginWhenCrossOrigin, the default
		if same {
			return fullURL
		}
		if downgrade {
			return ""
		}
		return originOnly
	}
}
