package reference

import "slices"

// Flows an install endpoint can implement, named after HubSpot's two marketplace install flows
// (https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow).
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
	// Flow is the flow the bug breaks (FlowSeamless, FlowPartner, FlowConnect or
	// FlowWebhooks); the other flows of a broken server behave as the reference does.
	Flow string
	// Title is the bug in one line, as a developer would recognise it in their own code.
	Title string
	// Fails lists the IDs of the checks in hsemu's catalogue (`hsemu scenarios`) this variant must
	// fail, and only these.
	Fails []string
	// Errors lists the checks this variant leaves undecided under hsemu's http engine (errors
	// whose cause is the engine, such as a return made only with JavaScript), and only these.
	Errors []string
	// Browser is how a real browser (hsemu's chromium engine) decides the variant where that
	// legitimately differs from the http engine's Fails; nil means it fails exactly Fails there.
	// Under the chromium engine a variant errs on nothing: Errors are decided there. A Browser
	// with no Fails declares that a real browser passes every check of the variant's flow (the
	// single-page apps).
	Browser *InBrowser

	defect defect
}

// defect is the one place where a broken variant leaves the reference. Two bugs of different
// flows may share a defect (the code path is shared); the Flow of the bug decides where it bites.
// Every defect is declared in the one block below, so no two collide; add new ones at its end.
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

	// The robust variants (seamless install URL).
	defectAnyStep               // every request with a code is a finalize
	defectMissingReturnURLCrash // 500 when returnUrl is missing
	defectDuplicateParamsCrash  // 500 when a parameter is repeated
	defectLongReturnURLCrash    // 500 when returnUrl exceeds a VARCHAR(2048)
	defectOpenRedirect          // any returnUrl is followed
	defectReflectedReturnURL    // a refused returnUrl is echoed unescaped

	// The connect variants.
	defectConnectOptionalInScope  // optional scopes in `scope`
	defectConnectNoState          // no state, none checked
	defectConnectConstantState    // state is always "1"
	defectConnectWrongRedirectURI // the exchange names another redirect_uri
	defectConnectIgnoresState     // the callback never checks state
	defectConnectErrorCrash       // 500 on error=access_denied
	defectConnectStateReusable    // the state is never marked used
	defectConnectNoCodeCrash      // 500 on a callback without code

	// The webhook variants.
	defectWebhookNoVerification // every delivery is accepted
	defectWebhookNoTimestamp    // the timestamp's age is not checked
	defectWebhookV1Only         // the v1 signature is verified instead of v3
	defectWebhookParsedBody     // the signature is checked over re-serialised JSON
	defectWebhookPathOnly       // the URI signed is the path, not the full URL
	defectWebhookSlow           // the batch is processed before answering

	// Added for issue 9 (verdicts on endpoints nobody here wrote).
	defectUnknownStepAsSeamless // partner: any other step with a code completes like a seamless install
	defectJSReturn              // the return to HubSpot is a page that navigates only with JavaScript
	defectClearCookie           // partner: the sign-in deletes old cookies (res.clearCookie) without SameSite
	defectRedirectXFO           // X-Frame-Options: SAMEORIGIN on the return's redirect (Helmet's defaults)
	defectErrorInterstitialXFO  // a failed exchange shows a meta-refresh page sent with X-Frame-Options: DENY
	defectConnectPrintsTokens   // connect: the callback's page shows the tokens (HubSpot's sample apps)
	defectConnectExchangeCrash  // connect: 500 when the token exchange fails
	defectUnknownStepCrash      // seamless: 500 for any step but finalize
	defectUUIDState             // partner: state is a UUIDv4 (122 random bits)
	defectReflectsCode          // seamless: a malformed code is echoed unescaped on a 400 page
	defectReflectsState         // partner: an unverifiable state is echoed unescaped on the way back
	defectReflectsErrorDesc     // connect: error_description is echoed unescaped
	defectJSSignInReturn        // partner: the sign-in returns to HubSpot with JavaScript only
	defectBadRequestXFO         // seamless: 400 pages sent with X-Frame-Options: DENY and no CSP
	defectSharedReturn          // the install's returnUrl kept in a package-level variable (shared.go)

	// Added for issue 10 (a real browser: the chromium engine).
	defectSPA            // the install URL is a single-page app (spa.go); no bug
	defectSPAToDashboard // the single-page app sends the user to its dashboard after an install
	defectLandingBlocked // finalize 302s to a landing page that forbids every frame
)

// bugs is the one registry of broken variants: every name Config.Bug accepts, in the order Bugs
// returns them. Append new ones; never change a name's meaning (users type the names).
var bugs = slices.Concat(installAndOtherBugs, browserBugs)

// installAndOtherBugs are the variants up to issue 9's; browserBugs (bugs_browser.go) follow.
var installAndOtherBugs = []Bug{
	// The seamless install (FlowSeamless).
	{
		Name: "seamless-wrong-redirect-uri", Flow: FlowSeamless, defect: defectRedirectURISlash,
		Title: `exchanges the code with redirect_uri = the install URL plus a trailing "/"`,
		Fails: []string{"seamless/install/exchanges-code"}, //nolint:goconst // check IDs read best written out in each variant's lists
	},
	{
		Name: "seamless-no-return", Flow: FlowSeamless, defect: defectNoReturn,
		Title: `after a successful install shows "You're all set!" and never returns to HubSpot`,
		Fails: []string{"seamless/install/returns-to-hubspot"}, //nolint:goconst // check IDs read best written out in each variant's lists
	},
	{
		Name: "seamless-interstitial-xfo", Flow: FlowSeamless, defect: defectInterstitialXFO,
		Title: `after a successful install shows an "Installing…" meta-refresh page sent with X-Frame-Options: SAMEORIGIN and no CSP`,
		Fails: []string{"seamless/install/frameable"}, //nolint:goconst // check IDs read best written out in each variant's lists
		Browser: &InBrowser{
			Fails: []string{"seamless/install/frameable", "seamless/install/returns-to-hubspot"},
			Why:   whyBlockedRefresh,
		},
	},
	{
		Name: "seamless-token-in-url", Flow: FlowSeamless, defect: defectTokenInURL,
		Title: `after a successful install redirects to its own /welcome?access_token=… page, which then returns to HubSpot`,
		Fails: []string{"seamless/install/no-secrets-in-urls"},
	},
	{
		Name: "seamless-double-exchange", Flow: FlowSeamless, defect: defectDoubleExchange,
		Title: `redeems the code a second time "to verify it" and ignores the error`,
		Fails: []string{"seamless/install/single-exchange"},
	},
	{
		Name: "seamless-v1-endpoint", Flow: FlowSeamless, defect: defectV1Endpoint,
		Title: `exchanges the code on the legacy /oauth/v1/token (sunset 2027-02-16)`,
		Fails: []string{"seamless/install/current-token-endpoint"},
	},
	{
		Name: "seamless-slow", Flow: FlowSeamless, defect: defectSlow,
		Title: `runs its initial data sync inline, stalling the finalize answer`,
		Fails: []string{"seamless/install/within-budget"},
	},
	{
		Name: "seamless-exchange-crash", Flow: FlowSeamless, defect: defectExchangeCrash,
		Title: `answers 500 when the token endpoint answers 5xx or times out`,
		Fails: []string{"seamless/exchange-fails"}, //nolint:goconst // check IDs read best written out in each variant's Fails
	},
	{
		Name: "seamless-exchange-without-code", Flow: FlowSeamless, defect: defectExchangeWithoutCode,
		Title: `does not check for a code and posts the exchange with an empty one`,
		Fails: []string{"seamless/missing-code"}, //nolint:goconst // check IDs read best written out in each variant's lists
	},
	{
		Name: "seamless-reload-crash", Flow: FlowSeamless, defect: defectReloadCrash,
		Title: `records each code before exchanging it and answers 500 "duplicate key" when the page is reloaded`,
		Fails: []string{"seamless/reload"}, //nolint:goconst // check IDs read best written out in each variant's Fails
	},
	{
		Name: "seamless-shared-return", Flow: FlowSeamless, defect: defectSharedReturn,
		Title: `keeps the install's returnUrl in a package-level variable: an install that finishes while another is under way returns to that other's returnUrl (decided with --repeat)`,
		Fails: []string{"seamless/install/concurrent"},
	},

	// The install with partner sign-in (FlowPartner).
	{
		Name: "partner-authorize-error", Flow: FlowPartner, defect: defectAuthorizeAsFinalize,
		Title: `treats step=authorize like finalize and answers 400 "missing code"`,
		Fails: []string{"partner/authorize/signs-in"},
	},
	{
		Name: "partner-authorize-xfo", Flow: FlowPartner, defect: defectAuthorizeXFO,
		Title: `sends its sign-in page at the install URL with X-Frame-Options: DENY and no CSP`,
		Fails: []string{"partner/authorize/frameable"},
	},
	{
		Name: "partner-cookie-lax", Flow: FlowPartner, defect: defectCookieLax,
		Title: `sets its session cookie with SameSite=Lax instead of SameSite=None; Secure`,
		Fails: []string{"partner/authorize/cookies-cross-site"},
	},
	{
		Name: "partner-state-concat", Flow: FlowPartner, defect: defectStateConcat,
		Title: `builds the return as returnUrl + "?state=" + state, breaking returnUrl's own query`,
		Fails: []string{"partner/authorize/returns-state"},
	},
	{
		Name: "partner-weak-state", Flow: FlowPartner, defect: defectWeakState,
		Title: `uses a zero-padded per-process counter with a check digit (00000000018, 00000000026, …) as state, still recorded and single-use`,
		Fails: []string{"partner/authorize/state-strength"},
	},
	{
		Name: "partner-login-307", Flow: FlowPartner, defect: defectLogin307,
		Title: `redirects after the credential POST with 307, so the browser re-posts the password`,
		Fails: []string{"partner/authorize/no-307-after-credentials"},
	},
	{
		Name: "partner-bad-scope", Flow: FlowPartner, defect: defectRequiredScope,
		Title: `adds a required scope (crm.objects.contacts.read) to the conditional scope parameter`,
		Fails: []string{"partner/authorize/conditional-scopes"},
	},
	{
		Name: "partner-wrong-redirect-uri", Flow: FlowPartner, defect: defectRedirectURILogin,
		Title: `exchanges the code with redirect_uri = its sign-in URL instead of the install URL`,
		Fails: []string{"partner/finalize/exchanges-code"}, //nolint:goconst // check IDs read best written out in each variant's lists
	},
	{
		Name: "partner-return-to-r1", Flow: FlowPartner, defect: defectReturnToR1,
		Title: `after a successful install returns to the authorize step's returnUrl, not finalize's`,
		Fails: []string{"partner/finalize/returns-to-hubspot"}, //nolint:goconst // check IDs read best written out in each variant's lists
	},
	{
		Name: "partner-finalize-xfo", Flow: FlowPartner, defect: defectInterstitialXFO,
		Title: `after a successful install shows an "Installing…" meta-refresh page sent with X-Frame-Options: SAMEORIGIN and no CSP`,
		Fails: []string{"partner/finalize/frameable"}, //nolint:goconst // check IDs read best written out in each variant's lists
		Browser: &InBrowser{
			Fails: []string{"partner/finalize/frameable", "partner/finalize/returns-to-hubspot"},
			Why:   whyBlockedRefresh,
		},
	},
	{
		Name: "partner-token-in-url", Flow: FlowPartner, defect: defectTokenInURL,
		Title: `after a successful install redirects to its own /welcome?access_token=… page, which then returns to HubSpot`,
		Fails: []string{"partner/finalize/no-secrets-in-urls"},
	},
	{
		Name: "partner-double-exchange", Flow: FlowPartner, defect: defectDoubleExchange,
		Title: `redeems the code a second time "to verify it" and ignores the error`,
		Fails: []string{"partner/finalize/single-exchange"},
	},
	{
		Name: "partner-slow", Flow: FlowPartner, defect: defectSlow,
		Title: `runs its initial data sync inline, stalling the finalize answer`,
		Fails: []string{"partner/finalize/within-budget"},
	},
	{
		Name: "partner-state-unverified", Flow: FlowPartner, defect: defectStateUnverified,
		Title: `reads the state JWS without verifying its signature (still looks the jti up, enforces expiry and single use)`,
		Fails: []string{"partner/state/tampered"}, //nolint:goconst // check IDs read best written out in each variant's Fails
	},
	{
		Name: "partner-missing-state-ok", Flow: FlowPartner, defect: defectMissingStateOK,
		Title: `completes a finalize without state as if it were a seamless install`,
		Fails: []string{"partner/state/missing"}, //nolint:goconst // check IDs read best written out in each variant's lists
	},
	{
		Name: "partner-state-reusable", Flow: FlowPartner, defect: defectStateReusable,
		Title: `never marks a state used, so a finished install's state works again`,
		Fails: []string{"partner/state/replayed"}, //nolint:goconst // check IDs read best written out in each variant's Fails
	},
	{
		Name: "partner-state-format-only", Flow: FlowPartner, defect: defectStateFormatOnly,
		Title: `accepts any state made of three base64url parts, without verifying or looking it up`,
		Fails: []string{"partner/state/tampered", "partner/state/foreign", "partner/state/replayed"}, //nolint:goconst // check IDs read best written out in each variant's lists
	},
	{
		Name: "partner-state-in-cookie", Flow: FlowPartner, defect: defectStateInCookie,
		Title: `at finalize requires the session cookie to name the state's user (fails when the frame gets no cookies)`,
		Fails: []string{"partner/finalize/no-cookie-needed"}, //nolint:goconst // check IDs read best written out in each variant's lists
	},
	{
		Name: "partner-exchange-crash", Flow: FlowPartner, defect: defectExchangeCrash,
		Title: `answers 500 when the token endpoint answers 5xx or times out`,
		Fails: []string{"partner/exchange-fails"}, //nolint:goconst // check IDs read best written out in each variant's lists
	},

	// The robust checks: they run against every install flow with the same IDs; these variants
	// break the seamless install URL.
	{
		Name: "seamless-any-step", Flow: FlowSeamless, defect: defectAnyStep,
		Title: `treats every request that carries a code as step=finalize, whatever its step (or none): HubSpot says of the seamless step "You do not need to do anything with this parameter", so it fails nothing`,
	},
	{
		Name: "seamless-missing-return-url-crash", Flow: FlowSeamless, defect: defectMissingReturnURLCrash,
		Title: `dereferences the parsed returnUrl without checking it is there, answering 500 when it is missing`,
		Fails: []string{"robust/missing-return-url"},
	},
	{
		Name: "seamless-duplicate-params-crash", Flow: FlowSeamless, defect: defectDuplicateParamsCrash,
		Title: `expects each query parameter to be a string and answers 500 when one is repeated (an array, as Express's req.query gives)`,
		Fails: []string{"robust/duplicate-params"},
	},
	{
		Name: "seamless-long-return-url-crash", Flow: FlowSeamless, defect: defectLongReturnURLCrash,
		Title: `stores returnUrl in a VARCHAR(2048) column before checking it, answering 500 when it is longer`,
		Fails: []string{"robust/oversized-params"},
	},
	{
		Name: "seamless-open-redirect", Flow: FlowSeamless, defect: defectOpenRedirect,
		Title: `redirects to any returnUrl it is given, HubSpot's or not`,
		Fails: []string{"robust/open-redirect"},
	},
	{
		Name: "seamless-reflected-return-url", Flow: FlowSeamless, defect: defectReflectedReturnURL,
		Title: `shows a refused returnUrl on its error page without escaping it`,
		Fails: []string{"robust/reflected-return-url"},
	},

	// "Connect with HubSpot" (FlowConnect).
	{
		Name: "connect-optional-in-scope", Flow: FlowConnect, defect: defectConnectOptionalInScope,
		Title: `puts its optional scope (crm.objects.deals.read) in scope instead of optional_scope`,
		Fails: []string{"connect/authorize-url"},
	},
	{
		Name: "connect-no-state", Flow: FlowConnect, defect: defectConnectNoState,
		Title: `sends no state to HubSpot and checks none on the callback`,
		Fails: []string{"connect/state", "connect/callback-bad-state", "connect/state-single-use"}, //nolint:goconst // check IDs read best written out in each variant's Fails
	},
	{
		Name: "connect-constant-state", Flow: FlowConnect, defect: defectConnectConstantState,
		Title: `always sends state=1 (and checks the callback's state against it)`,
		Fails: []string{"connect/state", "connect/state-single-use"},
	},
	{
		Name: "connect-wrong-redirect-uri", Flow: FlowConnect, defect: defectConnectWrongRedirectURI,
		Title: `exchanges the code with redirect_uri = the callback URL plus a trailing "/"`,
		Fails: []string{"connect/callback"},
	},
	{
		Name: "connect-ignores-state", Flow: FlowConnect, defect: defectConnectIgnoresState,
		Title: `sends a good state but never checks the one on the callback`,
		Fails: []string{"connect/callback-bad-state", "connect/state-single-use"},
	},
	{
		Name: "connect-error-crash", Flow: FlowConnect, defect: defectConnectErrorCrash,
		Title: `reads the code without looking for error and answers 500 on error=access_denied`,
		Fails: []string{"connect/callback-error"},
	},
	{
		Name: "connect-state-reusable", Flow: FlowConnect, defect: defectConnectStateReusable,
		Title: `checks the callback's state but never marks it used, so a replayed callback connects again`,
		Fails: []string{"connect/state-single-use"},
	},
	{
		Name: "connect-no-code-crash", Flow: FlowConnect, defect: defectConnectNoCodeCrash,
		Title: `reads the code without checking it is there and answers 500 on a callback without one`,
		Fails: []string{"connect/callback-no-code"},
	},

	// The webhook receiver (FlowWebhooks).
	{
		Name: "webhooks-no-verification", Flow: FlowWebhooks, defect: defectWebhookNoVerification,
		Title: `accepts every delivery without looking at its signature`,
		Fails: []string{"webhooks/rejects-bad-signature", "webhooks/rejects-tampered-body", "webhooks/rejects-stale"},
	},
	{
		Name: "webhooks-no-timestamp-check", Flow: FlowWebhooks, defect: defectWebhookNoTimestamp,
		Title: `verifies the v3 signature but never checks how old X-HubSpot-Request-Timestamp is`,
		Fails: []string{"webhooks/rejects-stale"},
	},
	{
		Name: "webhooks-v1-only", Flow: FlowWebhooks, defect: defectWebhookV1Only,
		Title: `rejects old timestamps, then verifies the v1 signature (secret + body) instead of v3, so a captured batch replays with a fresh timestamp`,
		Fails: []string{"webhooks/rejects-bad-signature"},
	},
	{
		Name: "webhooks-hashes-parsed-body", Flow: FlowWebhooks, defect: defectWebhookParsedBody,
		Title: `verifies the signature over the parsed JSON re-serialised (JSON.stringify(req.body)), not the raw bytes received`,
		Fails: []string{"webhooks/rejects-tampered-body"},
	},
	{
		Name: "webhooks-path-only-uri", Flow: FlowWebhooks, defect: defectWebhookPathOnly,
		Title: `signs the request path ("/webhooks") instead of the full URL HubSpot called, so no genuine delivery verifies`,
		Fails: []string{"webhooks/accepts-signed"},
	},
	{
		Name: "webhooks-slow", Flow: FlowWebhooks, defect: defectWebhookSlow,
		Title: `processes each verified batch before answering, past HubSpot's 5 s timeout`,
		Fails: []string{"webhooks/accepts-signed"},
	},

	// Added for issue 9: rules that hold for any endpoint, and behaviour HubSpot's pages permit.
	{
		Name: "partner-unknown-step-as-seamless", Flow: FlowPartner, defect: defectUnknownStepAsSeamless,
		Title: `treats any step but authorize and finalize (or none) as a seamless install: exchanges the code without a state`,
		Fails: []string{"robust/unknown-step-no-exchange"},
	},
	{
		Name: "seamless-unknown-step-crash", Flow: FlowSeamless, defect: defectUnknownStepCrash,
		Title: `switches on step with a default branch that throws, answering 500 to any step but finalize (or none)`,
		Fails: []string{"robust/unknown-step"},
	},
	{
		Name: "seamless-js-return", Flow: FlowSeamless, defect: defectJSReturn,
		Title:  `returns to HubSpot with a page whose script sets window.location.href = returnUrl (HubSpot's doc sample), no redirect`,
		Errors: []string{"seamless/install/returns-to-hubspot", "seamless/exchange-fails", "seamless/missing-code", "seamless/reload"},
	},
	{
		Name: "partner-js-return", Flow: FlowPartner, defect: defectJSReturn,
		Title: `at finalize returns to HubSpot with a page whose script sets window.location.href = returnUrl (HubSpot's doc sample), no redirect`,
		Errors: []string{
			"partner/finalize/returns-to-hubspot", "partner/exchange-fails",
			"partner/state/tampered", "partner/state/missing", "partner/state/replayed", "partner/state/foreign",
		},
	},
	{
		Name: "partner-js-signin-return", Flow: FlowPartner, defect: defectJSSignInReturn,
		Title:  `after the sign-in returns to HubSpot with a page whose script sets window.location.href (HubSpot's doc sample for this step), no redirect`,
		Errors: []string{"partner/authorize/returns-state"},
	},
	{
		Name: "partner-clear-cookie", Flow: FlowPartner, defect: defectClearCookie,
		Title: `at sign-in deletes two old cookies the way Express's res.clearCookie does (Max-Age=0; Expires in 1970), without SameSite: deletions cross nothing, so it fails nothing`,
	},
	{
		Name: "seamless-redirect-xfo", Flow: FlowSeamless, defect: defectRedirectXFO,
		Title: `sends X-Frame-Options: SAMEORIGIN on its redirect back to HubSpot (Helmet's defaults), which browsers ignore on a redirect today`,
		Fails: []string{"seamless/install/redirects-frameable"},
	},
	{
		Name: "partner-redirect-xfo", Flow: FlowPartner, defect: defectRedirectXFO,
		Title: `sends X-Frame-Options: SAMEORIGIN on its finalize redirect back to HubSpot (Helmet's defaults), which browsers ignore on a redirect today`,
		Fails: []string{"partner/finalize/redirects-frameable"},
	},
	{
		Name: "seamless-error-page-xfo", Flow: FlowSeamless, defect: defectErrorInterstitialXFO,
		Title: `when the exchange fails, shows a "Something went wrong, taking you back…" meta-refresh page sent with X-Frame-Options: DENY`,
		Fails: []string{"seamless/exchange-fails", "seamless/reload"},
	},
	{
		Name: "partner-uuid-state", Flow: FlowPartner, defect: defectUUIDState,
		Title: `uses crypto.randomUUID() as state (a UUIDv4: 122 random bits, short of 128), recorded and single-use`,
		Fails: []string{"partner/authorize/state-strength"},
	},
	{
		Name: "seamless-reflects-code", Flow: FlowSeamless, defect: defectReflectsCode,
		Title: `refuses a code that is not made of letters, digits and "-" with a 400 page that shows it unescaped`,
		Fails: []string{"seamless/reflected-markup"},
	},
	{
		Name: "partner-reflects-state", Flow: FlowPartner, defect: defectReflectsState,
		Title: `returns to HubSpot from an unverifiable state through a "Could not verify state …" meta-refresh page that shows the state unescaped`,
		Fails: []string{"partner/reflected-markup"},
	},
	{
		Name: "connect-reflects-error-description", Flow: FlowConnect, defect: defectReflectsErrorDesc,
		Title: `shows HubSpot's error_description on the callback's error page unescaped`,
		Fails: []string{"connect/reflected-markup"},
	},
	{
		Name: "seamless-bad-request-xfo", Flow: FlowSeamless, defect: defectBadRequestXFO,
		Title: `answers bad requests with a 400 page sent with X-Frame-Options: DENY and no CSP (its error handler runs before the framing middleware)`,
		Fails: []string{"robust/error-page-frameable"},
	},
	{
		Name: "partner-v1-endpoint", Flow: FlowPartner, defect: defectV1Endpoint,
		Title: `exchanges the code on the legacy /oauth/v1/token (sunset 2027-02-16)`,
		Fails: []string{"partner/finalize/current-token-endpoint"},
	},
	{
		Name: "partner-shared-return", Flow: FlowPartner, defect: defectSharedReturn,
		Title: `keeps the install's returnUrl in a package-level variable: an install that finishes while another is under way returns to that other's returnUrl (decided with --repeat)`,
		Fails: []string{"partner/finalize/concurrent"},
	},
	{
		Name: "connect-v1-endpoint", Flow: FlowConnect, defect: defectV1Endpoint,
		Title: `exchanges the callback's code on the legacy /oauth/v1/token (sunset 2027-02-16)`,
		Fails: []string{"connect/current-token-endpoint"},
	},
	{
		Name: "connect-prints-tokens", Flow: FlowConnect, defect: defectConnectPrintsTokens,
		Title: `shows the access and refresh tokens on the callback's page, as HubSpot's sample apps do`,
		Fails: []string{"connect/no-secrets-in-pages"},
	},
	{
		Name: "connect-exchange-crash", Flow: FlowConnect, defect: defectConnectExchangeCrash,
		Title: `answers 500 on the callback when the token exchange fails`,
		Fails: []string{"connect/exchange-fails"},
	},
}
