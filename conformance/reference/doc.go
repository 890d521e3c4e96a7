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
// A variant is declared for both of hsemu's engines. Fails and Errors are the http engine's: it
// runs no JavaScript, so a check whose answer lies in a page's script is an error of the engine
// ("cannot decide with this engine"), never a failure. Bug.Browser is what a real browser (the
// chromium engine) decides where that legitimately differs, with the reason: a script that
// returns to the wrong place, a page the frame refuses to show. conformance/agreement_test.go
// runs every variant under both engines and holds them to these declarations and to each other.
//
// # Single-page apps
//
// Some variants are no bug but another way to build the same endpoint: seamless-spa and
// partner-spa serve the install URL as a single-page app (spa.go), whose script reads code,
// state and returnUrl from location.search, posts them to its backend with fetch() and returns
// to HubSpot with window.location.href, as HubSpot's doc samples do. They pass every check in
// a real browser (Browser with no Fails) and are undecided, never failed, by the http engine.
// They live in the variants' table because that table is the one list the matrix, the
// agreement test and `hsemu reference --bug` read; *-spa-to-dashboard are their broken kin.
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
