package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// knownScopes holds the scope names of HUBSPOT.md §7: the documented scope table
// (working-with-oauth, Jan 2025), the names in the official OpenAPI spec's security blocks and
// the webhooks-journal scopes. Internal-looking spec names (crm-access, ...) are left out.
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
		// From the SPEC security blocks.
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

// KnownScope reports whether s is one of the scope names HubSpot documents (HUBSPOT.md §7).
func KnownScope(s string) bool { return knownScopes[s] }

// splitScopes splits a space-separated scope parameter (RFC 6749 §3.3: "a list of
// space-delimited, case-sensitive strings"), dropping empty items and duplicates.
func splitScopes(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// grantScopes applies HubSpot's install-time scope rules to a request and returns the scopes
// granted, in the app's order: the requested required and conditionally required scopes, and
// the requested optional scopes the portal can grant. The rules are those of the KB page
// https://knowledge.hubspot.com/integrations/resolve-a-request-for-integration-permissions-error
// and of the scopes page
// https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes:
//
//   - every required scope must be in `scope` ("insufficient"); a required scope in
//     `optional_scope` is also "insufficient";
//   - `scope` may only carry required and conditionally required scopes, `optional_scope` only
//     optional ones ("mismatch");
//   - a required or conditionally required scope the portal cannot grant fails the install;
//     HubSpot's text for that case is UNCONFIRMED, the "insufficient" text is used;
//   - optional scopes the portal cannot grant "will be automatically dropped".
//
// "oauth" is "added by default to all apps", so it is always granted.
func grantScopes(app *App, portal *Portal, scope, optional []string) ([]string, *ScopeError) {
	for _, r := range app.RequiredScopes {
		if slices.Contains(optional, r) {
			return nil, &ScopeError{Text: TextScopesInsufficient, Detail: fmt.Sprintf(
				"required scope %q is in optional_scope; move it to scope", r)}
		}
		if !slices.Contains(scope, r) {
			return nil, &ScopeError{Text: TextScopesInsufficient, Detail: fmt.Sprintf(
				"required scope %q is missing from scope; add it to the install URL's scope parameter", r)}
		}
	}
	for _, s := range scope {
		if slices.Contains(app.RequiredScopes, s) || slices.Contains(app.ConditionallyRequiredScopes, s) {
			continue
		}
		if slices.Contains(app.OptionalScopes, s) {
			return nil, &ScopeError{Text: TextScopesMismatch, Detail: fmt.Sprintf(
				"optional scope %q is in scope; move it to optional_scope", s)}
		}
		if s == "oauth" {
			continue // every app has oauth
		}
		return nil, &ScopeError{Text: TextScopesMismatch, Detail: fmt.Sprintf(
			"scope %q is not configured on the app; remove it from the install URL or add it to the app's scopes", s)}
	}
	for _, s := range optional {
		if slices.Contains(app.OptionalScopes, s) {
			continue
		}
		if slices.Contains(app.ConditionallyRequiredScopes, s) {
			return nil, &ScopeError{Text: TextScopesMismatch, Detail: fmt.Sprintf(
				"conditionally required scope %q is in optional_scope; move it to scope", s)}
		}
		return nil, &ScopeError{Text: TextScopesMismatch, Detail: fmt.Sprintf(
			"optional scope %q is not configured on the app; remove it from optional_scope or add it to the app's optionalScopes", s)}
	}
	for _, s := range scope {
		if !portal.canGrant(s) {
			return nil, &ScopeError{Text: TextScopesInsufficient, Detail: fmt.Sprintf(
				"HubSpot account %d cannot grant scope %q (its tier lacks the tool); pick another account or make the scope optional", portal.HubID, s)}
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
		if portal.canGrant(s) {
			add(s)
		}
	}
	return granted, nil
}

// canGrant reports whether the portal's tier includes scope s. Nil Scopes means every scope;
// "oauth" is always available.
func (p *Portal) canGrant(s string) bool {
	return p.Scopes == nil || s == "oauth" || slices.Contains(p.Scopes, s)
}
