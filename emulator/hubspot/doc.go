// Package hubspot holds HubSpot's facts and rules as an installed app meets them: its hosts and
// origins, its OAuth routes and their versions, the rules for redirect URLs and scopes with
// HubSpot's exact texts, its webhook signatures, and the error texts its endpoints send.
//
// It does no I/O: no servers, files, network or clocks, only values and functions of their
// arguments. The emulator, the catalogue of checks and the TUI all read it, so each fact is
// stated once. Every fact names the page it comes from; the main ones are
// https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth,
// https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow
// and RFC 6749 (https://www.rfc-editor.org/rfc/rfc6749).
package hubspot
