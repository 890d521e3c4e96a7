package emulator

import "github.com/hsemu/hsemu/emulator/hubspot"

// KnownScope reports whether s is one of the scope names HubSpot documents
// (hubspot.KnownScope).
func KnownScope(s string) bool { return hubspot.KnownScope(s) }

// splitScopes splits a space-separated scope parameter (hubspot.SplitScopes).
func splitScopes(s string) []string { return hubspot.SplitScopes(s) }

// scopesOf returns the app's scope lists as HubSpot's rules take them.
func scopesOf(a *App) hubspot.AppScopes {
	return hubspot.AppScopes{
		Required: a.RequiredScopes, Optional: a.OptionalScopes,
		ConditionallyRequired: a.ConditionallyRequiredScopes,
	}
}

// Auth returns what HubSpot's authorization rules need of the app (hubspot.AuthorizeURLProblem).
func (a App) Auth() hubspot.AppAuth {
	return hubspot.AppAuth{ClientID: a.ClientID, RedirectURLs: a.RedirectURLs, AppScopes: scopesOf(&a)}
}

// grantScopes applies HubSpot's install-time scope rules (hubspot.GrantScopes) to a request
// for portal and returns the scopes granted.
func grantScopes(app *App, portal *Portal, scope, optional []string) ([]string, *ScopeError) {
	return hubspot.GrantScopes(scopesOf(app), portal.account(), scope, optional)
}

// account is the portal as HubSpot's scope rules see it.
func (p *Portal) account() hubspot.Account { return hubspot.Account{HubID: p.HubID, Scopes: p.Scopes} }
