package reference

import "slices"

// Flows an install endpoint can implement, named as in DESIGN.md.
const (
	// FlowSeamless is HubSpot's marketplace install without partner sign-in: one request with
	// step=finalize, code and returnUrl.
	FlowSeamless = "seamless"
	// FlowPartner is HubSpot's marketplace install with partner sign-in: step=authorize, the
	// partner's sign-in, then step=finalize with code, state and returnUrl.
	FlowPartner = "partner"
)

// Bug is one deliberately broken variant of a reference endpoint.
type Bug struct {
	// Name selects the variant in Config.Bug and `hsemu reference --bug`, e.g.
	// "seamless-no-return". It starts with the flow it breaks.
	Name string
	// Flow is the flow the bug breaks (FlowSeamless or FlowPartner); the other flows of a
	// broken server behave as the reference does.
	Flow string
	// Title is the bug in one line, as a developer would recognise it in their own code.
	Title string
	// Fails lists the check IDs (CHECKS.md) this variant must fail, and only these.
	Fails []string

	defect defect
}

// defect is the one place where a broken variant leaves the reference. Two bugs of different
// flows may share a defect (the code path is shared); the Flow of the bug decides where it bites.
type defect int

const (
	defectNone                defect = iota
	defectRedirectURISlash           // redirect_uri with a trailing "/"
	defectRedirectURILogin           // redirect_uri is the sign-in URL
	defectNoReturn                   // a success page instead of the return to HubSpot
	defectInterstitialXFO            // an "Installing…" meta-refresh page sent with X-Frame-Options
	defectTokenInURL                 // the access token travels in a redirect URL
	defectDoubleExchange             // the code is redeemed a second time
	defectV1Endpoint                 // the legacy /oauth/v1/token
	defectSlow                       // a stall before answering a successful finalize
	defectExchangeCrash              // 500 when the token endpoint fails (5xx, timeout)
	defectExchangeWithoutCode        // no check for a missing code
	defectReloadCrash                // 500 "duplicate key" on a code seen before
	defectAuthorizeAsFinalize        // step=authorize handled like finalize
	defectAuthorizeXFO               // the sign-in page sent with X-Frame-Options: DENY
	defectCookieLax                  // the session cookie is SameSite=Lax
	defectStateConcat                // returnUrl + "?state=" + state
	defectWeakState                  // state is a counter
	defectLogin307                   // 307 after the credential POST
	defectRequiredScope              // a required scope in `scope`
	defectReturnToR1                 // the return goes to the authorize step's returnUrl
	defectStateUnverified            // the state's signature is not verified
	defectMissingStateOK             // a finalize without state is completed
	defectStateReusable              // a state is never marked used
	defectStateFormatOnly            // any JWS-shaped state is accepted
	defectStateInCookie              // finalize needs the session cookie
)

// bugs is the catalogue of broken variants. Append new ones; never change a name's meaning.
var bugs = []Bug{
	{Name: "seamless-wrong-redirect-uri", Flow: FlowSeamless, defect: defectRedirectURISlash,
		Title: `exchanges the code with redirect_uri = the install URL plus a trailing "/"`,
		Fails: []string{"seamless/install/exchanges-code"}},
	{Name: "seamless-no-return", Flow: FlowSeamless, defect: defectNoReturn,
		Title: `after a successful install shows "You're all set!" and never returns to HubSpot`,
		Fails: []string{"seamless/install/returns-to-hubspot"}},
	{Name: "seamless-interstitial-xfo", Flow: FlowSeamless, defect: defectInterstitialXFO,
		Title: `after a successful install shows an "Installing…" meta-refresh page sent with X-Frame-Options: SAMEORIGIN and no CSP`,
		Fails: []string{"seamless/install/frameable"}},
	{Name: "seamless-token-in-url", Flow: FlowSeamless, defect: defectTokenInURL,
		Title: `after a successful install redirects to its own /welcome?access_token=… page, which then returns to HubSpot`,
		Fails: []string{"seamless/install/no-secrets-in-urls"}},
	{Name: "seamless-double-exchange", Flow: FlowSeamless, defect: defectDoubleExchange,
		Title: `redeems the code a second time "to verify it" and ignores the error`,
		Fails: []string{"seamless/install/single-exchange"}},
	{Name: "seamless-v1-endpoint", Flow: FlowSeamless, defect: defectV1Endpoint,
		Title: `exchanges the code on the legacy /oauth/v1/token (sunset 2027-02-16)`,
		Fails: []string{"seamless/install/current-token-endpoint"}},
	{Name: "seamless-slow", Flow: FlowSeamless, defect: defectSlow,
		Title: `runs its initial data sync inline, stalling the finalize answer`,
		Fails: []string{"seamless/install/within-budget"}},
	{Name: "seamless-exchange-crash", Flow: FlowSeamless, defect: defectExchangeCrash,
		Title: `answers 500 when the token endpoint answers 5xx or times out`,
		Fails: []string{"seamless/exchange-fails"}},
	{Name: "seamless-exchange-without-code", Flow: FlowSeamless, defect: defectExchangeWithoutCode,
		Title: `does not check for a code and posts the exchange with an empty one`,
		Fails: []string{"seamless/missing-code"}},
	{Name: "seamless-reload-crash", Flow: FlowSeamless, defect: defectReloadCrash,
		Title: `records each code before exchanging it and answers 500 "duplicate key" when the page is reloaded`,
		Fails: []string{"seamless/reload"}},

	{Name: "partner-authorize-error", Flow: FlowPartner, defect: defectAuthorizeAsFinalize,
		Title: `treats step=authorize like finalize and answers 400 "missing code"`,
		Fails: []string{"partner/authorize/signs-in"}},
	{Name: "partner-authorize-xfo", Flow: FlowPartner, defect: defectAuthorizeXFO,
		Title: `sends its sign-in page at the install URL with X-Frame-Options: DENY and no CSP`,
		Fails: []string{"partner/authorize/frameable"}},
	{Name: "partner-cookie-lax", Flow: FlowPartner, defect: defectCookieLax,
		Title: `sets its session cookie with SameSite=Lax instead of SameSite=None; Secure`,
		Fails: []string{"partner/authorize/cookies-cross-site"}},
	{Name: "partner-state-concat", Flow: FlowPartner, defect: defectStateConcat,
		Title: `builds the return as returnUrl + "?state=" + state, breaking returnUrl's own query`,
		Fails: []string{"partner/authorize/returns-state"}},
	{Name: "partner-weak-state", Flow: FlowPartner, defect: defectWeakState,
		Title: `uses a zero-padded per-process counter with a check digit (00000000018, 00000000026, …) as state, still recorded and single-use`,
		Fails: []string{"partner/authorize/state-strength"}},
	{Name: "partner-login-307", Flow: FlowPartner, defect: defectLogin307,
		Title: `redirects after the credential POST with 307, so the browser re-posts the password`,
		Fails: []string{"partner/authorize/no-307-after-credentials"}},
	{Name: "partner-bad-scope", Flow: FlowPartner, defect: defectRequiredScope,
		Title: `adds a required scope (crm.objects.contacts.read) to the conditional scope parameter`,
		Fails: []string{"partner/authorize/conditional-scopes"}},
	{Name: "partner-wrong-redirect-uri", Flow: FlowPartner, defect: defectRedirectURILogin,
		Title: `exchanges the code with redirect_uri = its sign-in URL instead of the install URL`,
		Fails: []string{"partner/finalize/exchanges-code"}},
	{Name: "partner-return-to-r1", Flow: FlowPartner, defect: defectReturnToR1,
		Title: `after a successful install returns to the authorize step's returnUrl, not finalize's`,
		Fails: []string{"partner/finalize/returns-to-hubspot"}},
	{Name: "partner-finalize-xfo", Flow: FlowPartner, defect: defectInterstitialXFO,
		Title: `after a successful install shows an "Installing…" meta-refresh page sent with X-Frame-Options: SAMEORIGIN and no CSP`,
		Fails: []string{"partner/finalize/frameable"}},
	{Name: "partner-token-in-url", Flow: FlowPartner, defect: defectTokenInURL,
		Title: `after a successful install redirects to its own /welcome?access_token=… page, which then returns to HubSpot`,
		Fails: []string{"partner/finalize/no-secrets-in-urls"}},
	{Name: "partner-double-exchange", Flow: FlowPartner, defect: defectDoubleExchange,
		Title: `redeems the code a second time "to verify it" and ignores the error`,
		Fails: []string{"partner/finalize/single-exchange"}},
	{Name: "partner-slow", Flow: FlowPartner, defect: defectSlow,
		Title: `runs its initial data sync inline, stalling the finalize answer`,
		Fails: []string{"partner/finalize/within-budget"}},
	{Name: "partner-state-unverified", Flow: FlowPartner, defect: defectStateUnverified,
		Title: `reads the state JWS without verifying its signature (still looks the jti up, enforces expiry and single use)`,
		Fails: []string{"partner/state/tampered"}},
	{Name: "partner-missing-state-ok", Flow: FlowPartner, defect: defectMissingStateOK,
		Title: `completes a finalize without state as if it were a seamless install`,
		Fails: []string{"partner/state/missing"}},
	{Name: "partner-state-reusable", Flow: FlowPartner, defect: defectStateReusable,
		Title: `never marks a state used, so a finished install's state works again`,
		Fails: []string{"partner/state/replayed"}},
	{Name: "partner-state-format-only", Flow: FlowPartner, defect: defectStateFormatOnly,
		Title: `accepts any state made of three base64url parts, without verifying or looking it up`,
		Fails: []string{"partner/state/tampered", "partner/state/foreign", "partner/state/replayed"}},
	{Name: "partner-state-in-cookie", Flow: FlowPartner, defect: defectStateInCookie,
		Title: `at finalize requires the session cookie to name the state's user (fails when the frame gets no cookies)`,
		Fails: []string{"partner/finalize/no-cookie-needed"}},
	{Name: "partner-exchange-crash", Flow: FlowPartner, defect: defectExchangeCrash,
		Title: `answers 500 when the token endpoint answers 5xx or times out`,
		Fails: []string{"partner/exchange-fails"}},
}

// Bugs returns the catalogue of broken variants, in a stable order (seamless first).
func Bugs() []Bug {
	matrix := allBugs()
	out := make([]Bug, len(matrix))
	for i, b := range matrix {
		b.Fails = slices.Clone(b.Fails)
		out[i] = b
	}
	return out
}

// BugNames returns the names of Bugs, in the same order.
func BugNames() []string {
	matrix := allBugs()
	names := make([]string, len(matrix))
	for i, b := range matrix {
		names[i] = b.Name
	}
	return names
}

// lookupBug finds a broken variant by name.
func lookupBug(name string) (Bug, bool) {
	for _, b := range allBugs() {
		if b.Name == name {
			return b, true
		}
	}
	return Bug{}, false
}
