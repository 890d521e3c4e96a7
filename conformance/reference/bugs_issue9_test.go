package reference

import (
	"net/http"
	"strings"
	"testing"
)

// The bug tests of the variants added for issue 9, merged into bugTests.
func init() {
	for name, test := range issue9BugTests {
		bugTests[name] = test
	}
}

var issue9BugTests = map[string]func(t *testing.T, fx *fixture){
	"partner-unknown-step-as-seamless": func(t *testing.T, fx *fixture) {
		resp := fx.get(PartnerPath, [][2]string{{"code", fx.code("code-1")}, {"returnUrl", testR2}, {"step", "bogus"}})
		requireReturned(t, resp, testR2)
		requireOneCall(t, fx, "/oauth/v3/token", testPublicURL+PartnerPath)
		state, _ := fx.signIn()
		requireReturned(t, fx.finalize("code-2", state), testR2) // the known steps work
	},
	"seamless-unknown-step-crash": func(t *testing.T, fx *fixture) {
		resp := fx.get(SeamlessPath, [][2]string{{"code", fx.code("code-1")}, {"returnUrl", testR2}, {"step", "bogus"}})
		if resp.StatusCode != http.StatusInternalServerError {
			t.Fatalf("step=bogus: status %d; want 500", resp.StatusCode)
		}
		requireReturned(t, fx.seamless("code-2"), testR2)
	},
	"seamless-js-return": func(t *testing.T, fx *fixture) {
		requireJSReturn(t, fx.seamless("code-1"), testR2)
		requireJSReturn(t, fx.seamless(""), testR2)
	},
	"partner-js-return": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn() // the sign-in's return is a redirect
		requireJSReturn(t, fx.finalize("code-1", state), testR2)
	},
	"partner-js-signin-return": func(t *testing.T, fx *fixture) {
		resp := fx.login(DemoUsers[0].Email, DemoUsers[0].Password, testR1)
		if page := body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "window.location.href = ") || resp.Header.Get("Location") != "" {
			t.Fatalf("status %d, page %q; want 200 and a script-only return", resp.StatusCode, page)
		}
	},
	"partner-clear-cookie": func(t *testing.T, fx *fixture) {
		resp := fx.login(DemoUsers[0].Email, DemoUsers[0].Password, testR1)
		cookies := resp.Cookies()
		if len(cookies) != 3 || cookies[0].Name != "legacy_prefs" || cookies[0].Expires.Year() != 1970 ||
			cookies[1].Name != "legacy_session" || cookies[1].MaxAge >= 0 || cookies[2].SameSite != http.SameSiteNoneMode {
			t.Fatalf("Set-Cookie %q; want two deletions, then the session cookie SameSite=None", resp.Header.Values("Set-Cookie"))
		}
	},
	"seamless-redirect-xfo": func(t *testing.T, fx *fixture) {
		requireRedirectXFO(t, fx.seamless("code-1"))
	},
	"partner-redirect-xfo": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn()
		requireRedirectXFO(t, fx.finalize("code-1", state))
	},
	"seamless-error-page-xfo": func(t *testing.T, fx *fixture) {
		resp := fx.seamless("fail-400")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("failed exchange: status %d, X-Frame-Options %q; want 200 and DENY", resp.StatusCode, resp.Header.Get("X-Frame-Options"))
		}
		requireReturned(t, fx.seamless("code-1"), testR2) // a good exchange still redirects
	},
	"partner-uuid-state": func(t *testing.T, fx *fixture) {
		s1, _ := fx.signIn()
		if len(s1) != 36 || s1[14] != '4' {
			t.Fatalf("state %q; want a UUIDv4", s1)
		}
		requireReturned(t, fx.finalize("code-1", s1), testR2)
		requireReturned(t, fx.finalize("code-2", s1), testR2) // single use
		if n := len(fx.tokenRequests()); n != 1 {
			t.Errorf("%d token requests; want 1", n)
		}
	},
	"seamless-reflects-code": func(t *testing.T, fx *fixture) {
		resp := fx.get(SeamlessPath, [][2]string{{"code", "<b>x</b>"}, {"returnUrl", testR2}, {"step", "finalize"}})
		if page := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "<b>x</b>") {
			t.Fatalf("status %d, page %q; want 400 with the code unescaped", resp.StatusCode, page)
		}
		requireReturned(t, fx.seamless("code-1"), testR2)
	},
	"partner-reflects-state": func(t *testing.T, fx *fixture) {
		resp := fx.finalize("code-1", "<b>x</b>")
		if page := body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "<b>x</b>") || !strings.Contains(page, `http-equiv="refresh"`) {
			t.Fatalf("status %d, page %q; want 200, a meta refresh and the state unescaped", resp.StatusCode, page)
		}
		state, _ := fx.signIn()
		requireReturned(t, fx.finalize("code-2", state), testR2)
	},
	"seamless-bad-request-xfo": func(t *testing.T, fx *fixture) {
		resp := fx.get(SeamlessPath, [][2]string{{"code", fx.code("code-1")}, {"step", "finalize"}})
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("Content-Security-Policy") != "" {
			t.Fatalf("no returnUrl: status %d, X-Frame-Options %q, CSP %q; want 400, DENY and no CSP",
				resp.StatusCode, resp.Header.Get("X-Frame-Options"), resp.Header.Get("Content-Security-Policy"))
		}
		requireReturned(t, fx.seamless("code-2"), testR2)
	},
	"partner-v1-endpoint": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn()
		requireReturned(t, fx.finalize("code-1", state), testR2)
		requireOneCall(t, fx, "/oauth/v1/token", testPublicURL+PartnerPath)
	},
}

// requireJSReturn: a 200 page whose only way back to want is a script.
func requireJSReturn(t *testing.T, resp *http.Response, want string) {
	t.Helper()
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" {
		t.Fatalf("status %d, Location %q; want 200 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
	js := strings.ReplaceAll(want, "&", `\u0026`)
	if !strings.Contains(page, `window.location.href = "`+js+`"`) || strings.Contains(page, "http-equiv") {
		t.Fatalf("page %q; want only window.location.href = %q", page, want)
	}
	requireFrameable(t, resp)
}

// requireRedirectXFO: the return is a redirect carrying Helmet's framing headers.
func requireRedirectXFO(t *testing.T, resp *http.Response) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("X-Frame-Options") != "SAMEORIGIN" || resp.Header.Get("Content-Security-Policy") != "frame-ancestors 'self'" {
		t.Fatalf("status %d, X-Frame-Options %q, CSP %q; want 303 with SAMEORIGIN and frame-ancestors 'self'",
			resp.StatusCode, resp.Header.Get("X-Frame-Options"), resp.Header.Get("Content-Security-Policy"))
	}
}
