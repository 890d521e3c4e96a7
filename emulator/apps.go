package emulator

import (
	"errors"
	"fmt"
	"slices"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// validateApp checks an app's fields and fills defaults: AuthType "oauth", Distribution
// "marketplace". It does not generate credentials.
func validateApp(a *App) error {
	if a.AuthType == "" {
		a.AuthType = hubspot.AuthTypeOAuth
	}
	if a.Distribution == "" {
		a.Distribution = hubspot.DistributionMarketplace
	}
	switch a.AuthType {
	case hubspot.AuthTypeOAuth, hubspot.AuthTypeStatic:
	default:
		return fmt.Errorf("app auth type %q is not one of oauth, static", a.AuthType)
	}
	switch a.Distribution {
	case hubspot.DistributionMarketplace, hubspot.DistributionPrivate:
	default:
		return fmt.Errorf("app distribution %q is not one of marketplace, private", a.Distribution)
	}
	if a.AuthType == hubspot.AuthTypeOAuth && len(a.RedirectURLs) == 0 {
		return errors.New("app has no redirect URL: OAuth apps need at least one (e.g. http://localhost:3000/oauth-callback)")
	}
	for _, r := range a.RedirectURLs {
		if err := hubspot.CheckRedirectURL(r); err != nil {
			return fmt.Errorf("app %w", err) // "app redirect URL … is not absolute"
		}
	}
	seen := map[string]string{}
	for _, list := range []struct {
		name   string
		scopes []string
	}{
		{"required", a.RequiredScopes},
		{"optional", a.OptionalScopes},
		{"conditionally required", a.ConditionallyRequiredScopes},
	} {
		for _, s := range list.scopes {
			if !KnownScope(s) {
				return fmt.Errorf("app %s scope %q is not a HubSpot scope: check its spelling against %s", list.name, s, hubspot.ScopesURL)
			}
			if prev, ok := seen[s]; ok {
				return fmt.Errorf("app scope %q is listed as both %s and %s: keep it in one list", s, prev, list.name)
			}
			seen[s] = list.name
		}
	}
	if a.AuthType == hubspot.AuthTypeStatic && (len(a.OptionalScopes) > 0 || len(a.ConditionallyRequiredScopes) > 0) {
		return errors.New("static-auth apps can only define required scopes")
	}
	return nil
}

// cloneApp returns a copy of a that shares no slices with it.
func cloneApp(a App) App {
	a.RedirectURLs = slices.Clone(a.RedirectURLs)
	a.RequiredScopes = slices.Clone(a.RequiredScopes)
	a.OptionalScopes = slices.Clone(a.OptionalScopes)
	a.ConditionallyRequiredScopes = slices.Clone(a.ConditionallyRequiredScopes)
	return a
}

// clonePortal returns a copy of p that shares no slices with it.
func clonePortal(p Portal) Portal {
	if p.Scopes != nil {
		p.Scopes = slices.Clone(p.Scopes)
	}
	return p
}
