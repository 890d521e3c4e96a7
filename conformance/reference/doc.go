// Package reference holds install endpoints written the way HubSpot's docs ask, and broken
// variants of them, each with one realistic bug.
//
// The reference endpoints implement HubSpot's marketplace install flow with and without partner
// sign-in (https://developers.hubspot.com/docs/apps/developer-platform/list-apps/understand-app-install-flow,
// kept in seeds/000): they exchange the code on /oauth/v3/token with the exact install URL as
// redirect_uri, always return the browser to HubSpot's returnUrl, can be framed by HubSpot's app
// origins, and (with partner sign-in) mint a one-time, signed, short-lived state that names the
// signed-in user on the server, so the framed finalize step needs no cookie.
//
// Every broken variant (see Bugs) deviates from the reference in one place and declares the
// check IDs of CHECKS.md it must fail, and only those. hsemu runs its catalogue against them to
// prove that each check can fail.
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
