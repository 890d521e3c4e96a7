package scenarios

// The sources the checks cite, each once: the HubSpot page or the RFC section a check's
// requirement comes from, as a reader can open it.
const (
	srcInstallFlow   = "https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow"
	srcWorkingOAuth  = "https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth"
	srcV1Sunset      = "https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/migration-guide"
	srcRFC6749Code   = "RFC 6749 §4.1.2 (https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2)"
	srcCSP3          = "CSP3 §6.4.2 frame-ancestors (https://w3c.github.io/webappsec-csp/#directive-frame-ancestors); HTML X-Frame-Options (https://html.spec.whatwg.org/multipage/document-lifecycle.html#the-x-frame-options-header)"
	srcRFC9700State  = "RFC 9700 §2.1, §4.7.1 (https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1)"
	srcRFC9700Replay = "RFC 9700 §4.2.4 (https://www.rfc-editor.org/rfc/rfc9700#section-4.2.4)"
	srcRFC9700307    = "RFC 9700 §4.12 (https://www.rfc-editor.org/rfc/rfc9700#section-4.12)"
	srcScopesKB      = "https://knowledge.hubspot.com/integrations/resolve-a-request-for-integration-permissions-error"

	// The robust group's.
	srcRFC9700OpenRedirect = "RFC 9700 §4.11.1 (https://www.rfc-editor.org/rfc/rfc9700#section-4.11.1)"
	srcOWASPXSS            = "OWASP Cross Site Scripting Prevention Cheat Sheet, output encoding (https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html); HTML Standard §13.1.2.6 attribute values"

	// The connect group's.
	srcOAuthQuickstart = "https://developers.hubspot.com/docs/apps/legacy-apps/authentication/oauth-quickstart-guide"
	srcRFC6749Redirect = "RFC 6749 §4.1.3 (https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)"
	srcRFC6749Error    = "RFC 6749 §4.1.2.1 (https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1)"

	// listing: HubSpot's App Marketplace listing requirements page.
	srcListingReqs = "https://developers.hubspot.com/docs/apps/developer-platform/list-apps/listing-your-app/app-marketplace-listing-requirements"

	// The webhooks group's.
	srcRequestValidation = "https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation"
	srcWebhooks          = "https://developers.hubspot.com/docs/api/webhooks (\"HubSpot will retry … when the request times out, which happens after 5 seconds\")"

	// srcBudget is hsemu's own time budget: HubSpot publishes none.
	srcBudget = "hsemu's own budget (docs/design.md)"
)
