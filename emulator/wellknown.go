package emulator

import (
	"net/http"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// authServerMetadata is RFC 8414 §2's authorization-server metadata.
type authServerMetadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
}

// handleAuthServerMetadata serves GET /.well-known/oauth-authorization-server (RFC 8414 §3).
// HubSpot's document names issuer https://app.hubspot.com, its authorize page and
// /oauth/v1/token (hubspot.AuthServerMetadataPath); its other fields are UNCONFIRMED, so hsemu
// fills them from what it serves: the v3 introspect and revoke endpoints, the grants of the spec's
// enum, and client_secret_post (with client_secret_basic unless the basic-auth switch is off).
// Reached under HubSpot's own hosts (a browser or client that maps them to hsemu), the URLs are
// HubSpot's; reached on any other host (`hsemu serve` on localhost), they point at that host,
// so a client that discovers its endpoints finds hsemu's.
func (ap *apiService) handleAuthServerMetadata(w http.ResponseWriter, r *http.Request) {
	web, api := hubspot.WebOrigin, hubspot.APIOrigin
	if !hubspot.IsHubSpotHost(r.Host) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		web = scheme + "://" + r.Host
		api = web
	}
	auth := []string{"client_secret_post"}
	if !ap.cfg.Choices.RefuseBasicAuth {
		auth = append(auth, "client_secret_basic")
	}
	writeJSON(w, http.StatusOK, authServerMetadata{
		Issuer:                            web,
		AuthorizationEndpoint:             web + hubspot.AuthorizePath,
		TokenEndpoint:                     api + hubspot.TokenPathV1,
		RevocationEndpoint:                api + hubspot.RevokePath(hubspot.TokenV3),
		IntrospectionEndpoint:             api + hubspot.IntrospectPath(hubspot.TokenV3),
		ResponseTypesSupported:            []string{"code"},
		GrantTypesSupported:               hubspot.TokenGrants(hubspot.TokenV1),
		TokenEndpointAuthMethodsSupported: auth,
	})
}
