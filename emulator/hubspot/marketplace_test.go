package hubspot

import "testing"

func TestMarketplaceURLs(t *testing.T) {
	ret := ReturnURL(WebOrigin, 1234567, 42, "abc", StepFinalize)
	if want := "https://app.hubspot.com/ecosystem/1234567/marketplace/apps/42/install/return?installId=abc&stage=finalize"; ret != want {
		t.Errorf("ReturnURL = %s; want %s", ret, want)
	}
	if !IsReturnURL(ret) {
		t.Errorf("IsReturnURL(%s) = false; a careful endpoint must accept hsemu's returnUrl", ret)
	}
	for _, tc := range []struct {
		name, install, code, state, step, want string
	}{
		{
			"authorize", "https://x.example.com/install", "", "", StepAuthorize,
			"https://x.example.com/install?returnUrl=R%3F1&step=authorize",
		},
		{
			"finalize keeps the install URL's query", "https://x.example.com/install?a=b", "na1-c", "s t", StepFinalize,
			"https://x.example.com/install?a=b&code=na1-c&state=s+t&returnUrl=R%3F1&step=finalize",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := StepURL(tc.install, tc.code, tc.state, "R?1", tc.step); got != tc.want {
				t.Errorf("got %s; want %s", got, tc.want)
			}
		})
	}
	for p, want := range map[string]bool{
		MarketplacePath(MarketplaceAppPath, 1, 2):    true,
		MarketplacePath(MarketplaceReturnPath, 1, 2): true,
		AuthorizePath: true,
		TokenPathV3:   false,
	} {
		if got := IsWebPath(p); got != want {
			t.Errorf("IsWebPath(%s) = %v; want %v", p, got, want)
		}
	}
}
