// Package reference holds install endpoints written the way HubSpot's docs ask, and broken
// variants of them, each with one realistic bug.
//
// The reference endpoints implement HubSpot's marketplace install flow with and without partner
// sign-in (the install-flow page, below): they exchange the code on /oauth/v3/token with the
// exact install URL as redirect_uri, always return the browser to HubSpot's returnUrl, can be
// framed by HubSpot's app origins, and (with partner sign-in) mint a one-time, signed,
// short-lived state that names the signed-in user on the server, so the framed finalize step
// needs no cookie. They also implement the classic "Connect with HubSpot" OAuth flow and a
// webhook receiver that verifies HubSpot's v3 signatures.
//
// # An independent app
//
// The reference is written as a partner's app would be, apart from hsemu: it keeps its own copy
// of HubSpot's hosts, routes, scope lists and texts, and imports nothing of the emulator or the
// catalogue's rules. That copy is deliberate. A reference that shared hsemu's rules would agree
// with the checker by construction, and a wrong rule would pass on both sides; an independent
// copy, written from HubSpot's pages, is a second reading that the matrix test holds against
// the checker. Keep it that way: when HubSpot changes a fact, change it here by hand too.
//
// # Broken variants
//
// Every broken variant (see Bugs, one table in bugs.go) deviates from the reference in one place
// and declares the IDs of the checks it must fail, and only those. hsemu runs its catalogue
// against them to prove that each check can fail (conformance/matrix_test.go).
//
// # Sources
//
// Comments cite HubSpot's pages by these names:
//
//   - the install-flow page: "Understand the app install flow",
//     https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow
//   - working-with-oauth: "Working with OAuth",
//     https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth
//   - creating-an-app: "Creating and installing apps",
//     https://developers.hubspot.com/docs/api/creating-an-app
//   - request-validation: "Validating requests from HubSpot",
//     https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation
//
// # Use
//
// A Server is a plain http.Handler:
//
//	srv, err := reference.New(reference.Config{
//		APIBase:      "http://127.0.0.1:7430",
//		ClientID:     reference.DemoClientID,
//		ClientSecret: reference.DemoClientSecret,
//	})
//	...
//	http.ListenAndServe("127.0.0.1:7431", srv)
package reference
