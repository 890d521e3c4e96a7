// Package emulator is a stand-in for HubSpot's OAuth server and the parts of its web and API
// sides that an installed app touches, as plain http.Handlers.
//
// HubSpot's facts and rules it follows (hosts, routes, redirect-URL and scope rules, texts,
// webhook signatures) live in package hubspot. Where a comment here names "HubSpot's OpenAPI
// spec", it means the official collection https://github.com/HubSpot/HubSpot-public-api-spec-collection.
//
// This file holds the types other packages (scenarios, conformance, tui, cmd) build on. They are
// a stable contract: add fields freely, never change the meaning of one.
package emulator

import (
	"net/url"
	"time"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// DefaultAddr is where `hsemu serve` and `hsemu check` listen unless told otherwise. Both the web
// side (app.hubspot.com) and the API side (api.hubapi.com) are served there.
const DefaultAddr = "127.0.0.1:7430"

// WebOrigin is the origin of HubSpot's web side (the authorize page, the marketplace,
// returnUrls): hubspot.WebOrigin.
const WebOrigin = hubspot.WebOrigin

// APIOrigin is the origin of HubSpot's API side (token endpoints, metadata, CRM API):
// hubspot.APIOrigin.
const APIOrigin = hubspot.APIOrigin

// App is a HubSpot app as the developer platform knows it: from src/app/app-hsmeta.json or
// from flags.
type App struct {
	ID           int64  // app_id in token metadata
	UID          string // app-hsmeta.json uid
	Name         string
	Description  string
	Distribution string // "marketplace" or "private"
	AuthType     string // "oauth" or "static"
	// PlatformVersion is hsproject.json's platformVersion ("2026.03"), when the app was read
	// from a project; HsProfile the config profile its ${KEY} values were filled from.
	PlatformVersion string
	HsProfile       string

	ClientID     string
	ClientSecret string

	RedirectURLs                []string
	RequiredScopes              []string
	OptionalScopes              []string
	ConditionallyRequiredScopes []string

	// InstallURL is the listing's install button URL, one of RedirectURLs: the marketplace
	// pages (marketplace.go) open it at step=authorize and step=finalize. Empty: the listing
	// cannot be installed.
	InstallURL string
	// PartnerSignIn says the install URL signs the user in to the partner's own system first
	// (step=authorize in a new window) before HubSpot mints the code.
	PartnerSignIn bool
}

// Portal is a HubSpot account an app is installed into.
type Portal struct {
	HubID     int64
	Domain    string // hub_domain, e.g. "hsemu-demo.example.com"
	UserEmail string // the installing user ("user" in token metadata)
	UserID    int64
	Hublet    string // "na1", "eu1", ...: the prefix of codes and refresh tokens
	// Scopes the portal's tier can grant. Nil means every known scope. Optional scopes the
	// portal lacks are dropped at install; a conditionally required or required one it lacks
	// makes the install fail.
	Scopes []string
}

// CodeRequest is what HubSpot knows when it mints an authorization code: which app, which
// portal, where the code will be sent, which scopes were granted.
type CodeRequest struct {
	ClientID    string
	HubID       int64
	RedirectURI string
	// Scopes requested in `scope` (required and conditionally required ones).
	Scopes []string
	// OptionalScopes requested in `optional_scope`; those the portal cannot grant are dropped.
	OptionalScopes []string
}

// Event is one request the emulator served. Every request becomes exactly one Event, published
// to every subscriber after the response is written.
type Event struct {
	Seq      uint64        // 1, 2, 3, ... in the order the responses were finished
	Time     time.Time     // when the request arrived
	Duration time.Duration // until the response was written
	Side     string        // "web" or "api" (or "admin" for /_hsemu/)
	Method   string
	Path     string // the URL path as requested
	Route    string // the route pattern that served it, e.g. "POST /oauth/v3/token"
	Query    url.Values
	Status   int // HTTP status written
	Remote   string
	UA       string

	// For OAuth requests, what the request was about.
	ClientID    string
	HubID       int64
	GrantType   string
	Code        string // the authorization code presented (codes are single-use, not secret here)
	RedirectURI string
	// TokenHint is a redacted form of the token presented or issued: first 6 characters and
	// the length. Tokens and secrets never appear in full in an event.
	TokenHint string
	// ContentType of the request body.
	ContentType string
	// Outcome is HubSpot's status string for an error ("BAD_AUTH_CODE", ...) or "" on success.
	Outcome string
	// Message is the human-readable error message, when there is one.
	Message string
	// Fault names the injected fault that shaped this response, or "".
	Fault string
}

// FaultKind says how an injected fault answers.
type FaultKind string

const (
	// FaultError answers with a HubSpot OAuth error (HTTP 400 and the JSON of hubspot.Error).
	FaultError FaultKind = "error"
	// FaultServerError answers with a 5xx (HTTPStatus, default 503) and HubSpot's generic error JSON.
	FaultServerError FaultKind = "server-error"
	// FaultDelay waits Delay (or until the client goes away) and then answers normally.
	FaultDelay FaultKind = "delay"
)

// Fault makes token requests fail on demand.
type Fault struct {
	// Code limits the fault to token requests that present this authorization code. Empty means
	// every token request.
	Code string
	// ClientID limits the fault to one app. Empty means every app.
	ClientID string
	Kind     FaultKind
	// Status is HubSpot's status string for FaultError, e.g. "BAD_AUTH_CODE".
	Status string
	// HTTPStatus for FaultServerError (default 503) or FaultError (default 400).
	HTTPStatus int
	// Delay for FaultDelay.
	Delay time.Duration
	// Times is how many requests the fault applies to; 0 means until cleared.
	Times int
}
