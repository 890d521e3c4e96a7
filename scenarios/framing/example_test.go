package framing_test

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/hsemu/hsemu/scenarios/framing"
)

func ExampleEvaluate() {
	u, _ := url.Parse("https://partner.example/install?step=finalize")
	h := http.Header{}
	h.Set("Content-Security-Policy", "frame-ancestors 'self'")
	h.Set("X-Frame-Options", "DENY")

	v := framing.Evaluate(framing.Input{URL: u, Header: h, Ancestors: []string{"https://app.hubspot.com"}})
	fmt.Println(v.Allowed, v.Blocker, v.Ancestor)
	fmt.Println(v.Reason)
	fmt.Println(v.Notes[0])
	// Output:
	// false csp https://app.hubspot.com
	// Content-Security-Policy "frame-ancestors 'self'" does not allow ancestor https://app.hubspot.com: no source matches it ('self' is the page's own origin https://partner.example, not https://app.hubspot.com).
	// X-Frame-Options: DENY is ignored because an enforced Content-Security-Policy has frame-ancestors (CSP3 §6.4.2.2; HTML X-Frame-Options step 2); some older browsers still obey it, so keep the two consistent.
}

func ExampleEvaluateAll() {
	u, _ := url.Parse("https://partner.example/install?step=finalize")
	h := http.Header{}
	h.Set("Content-Security-Policy", "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com")

	v := framing.EvaluateAll(framing.Input{URL: u, Header: h}, framing.HubSpotOrigins)
	fmt.Println(v.Allowed, v.Ancestor)
	fmt.Println(v.Fix)
	// Output:
	// false https://app-na2.hubspot.com
	// Allow https://app-na2.hubspot.com as a frame ancestor: send Content-Security-Policy: frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com https://app-na2.hubspot.com (HubSpot's documented example is "frame-ancestors 'self' https://app.hubspot.com https://app-eu1.hubspot.com").
}
