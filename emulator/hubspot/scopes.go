package hubspot

import (
	"fmt"
	"slices"
	"strings"
)

// knownScopes holds the scope names HubSpot documents: the scope table of
// https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes,
// the names in the security blocks of HubSpot's OpenAPI specs
// (https://github.com/HubSpot/HubSpot-public-api-spec-collection) and the webhooks-journal
// scopes. Internal-looking spec names (crm-access, ...) are left out.
var knownScopes = buildKnownScopes()

func buildKnownScopes() map[string]bool {
	m := map[string]bool{}
	add := func(names ...string) {
		for _, n := range names {
			m[n] = true
		}
	}
	rw := func(prefix string, objects ...string) {
		for _, o := range objects {
			add(prefix+o+".read", prefix+o+".write")
		}
	}
	ro := func(prefix string, objects ...string) {
		for _, o := range objects {
			add(prefix + o + ".read")
		}
	}
	add("oauth", "account-info.security.read", "accounting", "actions",
		"analytics.behavioral_events.send", "automation",
		"behavioral_events.event_definitions.read_write", "business_units.view.read",
		"business-intelligence",
		"cms.domains.read", "cms.domains.write", "cms.functions.read", "cms.functions.write",
		"cms.knowledge_base.articles.read", "cms.knowledge_base.articles.write",
		"cms.knowledge_base.articles.publish", "cms.knowledge_base.settings.read",
		"cms.knowledge_base.settings.write", "cms.performance.read",
		"collector.graphql_query.execute", "collector.graphql_schema.read",
		"communication_preferences.read", "communication_preferences.read_write",
		"communication_preferences.write",
		"content", "conversations.read", "conversations.write",
		"conversations.visitor_identification.tokens.create",
		"crm.export", "crm.import", "crm.lists.read", "crm.lists.write",
		"crm.objects.feedback_submission.read", "crm.objects.goals.read", "crm.objects.owners.read",
		"ctas.read", "e-commerce", "external_integrations.forms.access", "files",
		"files.ui_hidden.read", "forms", "forms-uploaded-files", "hubdb", "integration-sync",
		"media_bridge.read", "media_bridge.write", "sales-email-read",
		"settings.billing.write", "settings.currencies.read", "settings.currencies.write",
		"settings.users.read", "settings.users.write", "settings.users.teams.read",
		"settings.users.team.write", "settings.users.teams.write",
		"social", "tickets", "timeline", "transactional-email",
		// From the OpenAPI specs' security blocks.
		"crm.pipelines.orders.read", "crm.pipelines.orders.write", "crm.dealsplits.read_write",
		"crm.extensions_calling_transcripts.read", "crm.extensions_calling_transcripts.write",
		"tickets.sensitive", "tickets.highly_sensitive",
		"content.landing_pages.read", "content.landing_pages.write",
		"content.site_pages.read", "content.site_pages.write",
		"hubdb.tables.read", "hubdb.tables.write", "hubdb.tables.publish",
		"hubdb.rows.read", "hubdb.rows.write", "files.read", "files.write", "files.delete",
		"marketing.campaigns.read", "marketing.campaigns.write", "marketing.campaigns.revenue.read",
		"marketing.email.read", "marketing.email.write", "marketing-email",
		"automation.sequences.read", "automation.sequences.write",
		"automation.sequences.enrollments.write", "scheduler.meetings.meeting-link.read",
		"conversations.custom_channels.read", "conversations.custom_channels.write",
		"communication_preferences.statuses.batch.read", "communication_preferences.statuses.batch.write",
		"cpq.quotes.read", "cpq.quotes.write", "tax_rates.read", "business_units_view.read",
		"developers-read", "developers-write",
		// Webhooks journal (docs names).
		"developer.webhooks_journal.read", "developer.webhooks_journal.subscriptions.read",
		"developer.webhooks_journal.subscriptions.write", "developer.webhooks_journal.snapshots.read",
		"developer.webhooks_journal.snapshots.write",
	)
	rw("crm.objects.", "companies", "contacts", "custom", "deals", "line_items", "marketing_events",
		"quotes", "appointments", "carts", "commercepayments", "courses", "invoices", "leads",
		"listings", "orders", "partner-clients", "partner-services", "products", "projects",
		"services", "subscriptions", "users", "goals")
	ro("crm.objects.", "calls", "emails", "meetings", "notes", "tasks", "contracts", "owners")
	rw("crm.schemas.", "companies", "contacts", "deals", "appointments", "carts",
		"commercepayments", "courses", "invoices", "listings", "orders", "projects", "services",
		"subscriptions", "tickets", "quotes")
	ro("crm.schemas.", "custom", "line_items", "quotes", "calls", "emails", "meetings", "notes", "tasks")
	for _, o := range []string{"contacts", "companies", "deals", "custom"} {
		for _, level := range []string{"sensitive", "highly_sensitive"} {
			for _, op := range []string{"read", "write"} {
				s := "crm.objects." + o + "." + level + "." + op
				add(s, s+".v2")
			}
		}
	}
	return m
}

// KnownScope reports whether s is one of the scope names HubSpot documents
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes).
func KnownScope(s string) bool { return knownScopes[s] }

// ScopesURL is the page where HubSpot lists its scopes.
const ScopesURL = "https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes"

// SplitScopes splits a space-separated scope parameter (RFC 6749 §3.3,
// https://www.rfc-editor.org/rfc/rfc6749#section-3.3: "a list of space-delimited,
// case-sensitive strings"), dropping empty items and duplicates.
func SplitScopes(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// HubSpot's two exact texts for scope errors at install
// (https://knowledge.hubspot.com/integrations/resolve-a-request-for-integration-permissions-error).
const (
	TextScopesInsufficient = "Couldn't complete the connection: Authorization failed because the provided scopes are insufficient. Please contact the app developer."
	TextScopesMismatch     = "Couldn't complete the connection: Authorization failed because there is a mismatch between the scopes in the install URL and the app's configured scopes. Please contact the app developer."
)

// ScopeError is a scope-rule failure at install time. HubSpot shows it on its own page and does
// not redirect back
// (https://knowledge.hubspot.com/integrations/resolve-a-request-for-integration-permissions-error).
type ScopeError struct {
	// Text is one of HubSpot's exact texts: TextScopesInsufficient, TextScopesMismatch,
	// TextInvalidScopeName or TextAccountLacksFeatures.
	Text string
	// Detail says which scope broke which rule and how to fix it (hsemu's own words).
	Detail string
}

// Error returns the text and the detail.
func (e *ScopeError) Error() string { return e.Text + " (" + e.Detail + ")" }

// AppScopes are the scopes an app is configured with, in its three lists
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/app-configuration).
type AppScopes struct {
	Required              []string
	Optional              []string
	ConditionallyRequired []string
}

// Account is what the scope rules need of the HubSpot account an app is installed into.
type Account struct {
	HubID int64
	// Scopes the account's tier can grant; nil means every scope.
	Scopes []string
}

// CanGrant reports whether the account's tier includes scope s. "oauth" is "added by default to
// all apps", so every account grants it.
func (a Account) CanGrant(s string) bool {
	return a.Scopes == nil || s == "oauth" || slices.Contains(a.Scopes, s)
}

// CheckInstallScopes applies HubSpot's rules for the scope and optional_scope parameters of an
// install URL, before any account is picked
// (https://knowledge.hubspot.com/integrations/resolve-a-request-for-integration-permissions-error;
// https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes):
//
//   - every required scope must be in scope ("insufficient"); a required scope in
//     optional_scope is also "insufficient";
//   - scope may only carry required and conditionally required scopes (and "oauth", which every
//     app has), optional_scope only optional ones ("mismatch");
//   - before those, a name that is no HubSpot scope at all gets TextInvalidScopeName
//     (https://github.com/HubSpot/oauth-quickstart-nodejs/pull/29).
func CheckInstallScopes(app AppScopes, scope, optional []string) *ScopeError {
	for _, list := range [][]string{scope, optional} {
		for _, s := range list {
			if !KnownScope(s) {
				return &ScopeError{Text: TextInvalidScopeName, Detail: fmt.Sprintf(
					"%q is not a HubSpot scope name; check its spelling against %s", s, ScopesURL)}
			}
		}
	}
	for _, r := range app.Required {
		if slices.Contains(optional, r) {
			return &ScopeError{Text: TextScopesInsufficient, Detail: fmt.Sprintf(
				"required scope %q is in optional_scope; move it to scope", r)}
		}
		if !slices.Contains(scope, r) {
			return &ScopeError{Text: TextScopesInsufficient, Detail: fmt.Sprintf(
				"required scope %q is missing from scope; add it to the install URL's scope parameter", r)}
		}
	}
	for _, s := range scope {
		if slices.Contains(app.Required, s) || slices.Contains(app.ConditionallyRequired, s) {
			continue
		}
		if slices.Contains(app.Optional, s) {
			return &ScopeError{Text: TextScopesMismatch, Detail: fmt.Sprintf(
				"optional scope %q is in scope; move it to optional_scope", s)}
		}
		if s == "oauth" {
			continue // every app has oauth
		}
		return &ScopeError{Text: TextScopesMismatch, Detail: fmt.Sprintf(
			"scope %q is not configured on the app; remove it from the install URL or add it to the app's scopes", s)}
	}
	for _, s := range optional {
		if slices.Contains(app.Optional, s) {
			continue
		}
		if slices.Contains(app.ConditionallyRequired, s) {
			return &ScopeError{Text: TextScopesMismatch, Detail: fmt.Sprintf(
				"conditionally required scope %q is in optional_scope; move it to scope", s)}
		}
		return &ScopeError{Text: TextScopesMismatch, Detail: fmt.Sprintf(
			"optional scope %q is not configured on the app; remove it from optional_scope or add it to the app's optionalScopes", s)}
	}
	return nil
}

// GrantScopes applies HubSpot's install-time scope rules to a request for an account and
// returns the scopes granted, in request order after "oauth": the rules of CheckInstallScopes;
// then a required or conditionally required scope the account cannot grant fails the install
// with TextAccountLacksFeatures (https://github.com/microsoft/PowerPlatformConnectors/issues/2309); and
// optional scopes the account cannot grant "will be automatically dropped"
// (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth).
// "oauth" is "added by default to all apps", so it is always granted.
func GrantScopes(app AppScopes, acct Account, scope, optional []string) ([]string, *ScopeError) {
	if serr := CheckInstallScopes(app, scope, optional); serr != nil {
		return nil, serr
	}
	for _, s := range scope {
		if !acct.CanGrant(s) {
			return nil, &ScopeError{Text: TextAccountLacksFeatures, Detail: fmt.Sprintf(
				"HubSpot account %d cannot grant scope %q (its tier lacks the tool); pick another account or make the scope optional", acct.HubID, s)}
		}
	}
	granted := []string{"oauth"}
	add := func(s string) {
		if !slices.Contains(granted, s) {
			granted = append(granted, s)
		}
	}
	for _, s := range scope {
		add(s)
	}
	for _, s := range optional {
		if acct.CanGrant(s) {
			add(s)
		}
	}
	return granted, nil
}

// ConditionalScopeProblem checks the scope parameter a partner's sign-in returns to HubSpot in
// the seamless install with partner sign-in: space-separated names, each a known scope that the
// app declares conditionally required
// (https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow;
// https://knowledge.hubspot.com/integrations/resolve-a-request-for-integration-permissions-error).
// It says what is wrong with HubSpot's mismatch text, or returns "". Which of HubSpot's two
// texts a required scope gets here is not documented; it is not a conditional scope, so the
// mismatch text.
func ConditionalScopeProblem(scope string, app AppScopes) string {
	if strings.ContainsAny(scope, ",+") {
		return fmt.Sprintf("scope %q is not separated by spaces; HubSpot splits on spaces", scope)
	}
	for _, s := range strings.Fields(scope) {
		switch {
		case !KnownScope(s):
			return fmt.Sprintf("%q is not a HubSpot scope: %s", s, TextScopesMismatch)
		case slices.Contains(app.ConditionallyRequired, s):
		case slices.Contains(app.Required, s):
			return fmt.Sprintf("%q is a required scope, already in HubSpot's install URL: %s", s, TextScopesMismatch)
		case slices.Contains(app.Optional, s):
			return fmt.Sprintf("%q is an optional scope, which belongs in optional_scope: %s", s, TextScopesMismatch)
		default:
			return fmt.Sprintf("%q is not configured on the app: %s", s, TextScopesMismatch)
		}
	}
	return ""
}
