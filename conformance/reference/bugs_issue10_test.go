package reference

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// The bug tests of the variants added for issue 10, merged into bugTests.
func init() {
	for name, test := range issue10BugTests {
		bugTests[name] = test
	}
}

var issue10BugTests = map[string]func(t *testing.T, fx *fixture){
	"seamless-spa": func(t *testing.T, fx *fixture) {
		requireSPAPage(t, fx.seamless("code-1"))
		ans := fx.spaPost(SeamlessPath, map[string]string{"step": "finalize", "code": fx.code("code-1"), "returnUrl": testR2})
		requireSPAReturn(t, ans, testR2, true)
		requireOneCall(t, fx, "/oauth/v3/token", testPublicURL+SeamlessPath)
		requireSPAReturn(t, fx.spaPost(SeamlessPath, map[string]string{"step": "finalize", "returnUrl": testR2}), testR2, false)
		bad := fx.spaPost(SeamlessPath, map[string]string{"step": "finalize", "code": "x", "returnUrl": "https://evil.example/"})
		if bad.status != http.StatusBadRequest || bad.ReturnURL != "" || bad.Error == "" {
			t.Fatalf("foreign returnUrl: %d %+v; want 400, an error and no returnUrl", bad.status, bad.spaAnswer)
		}
	},
	"partner-spa": func(t *testing.T, fx *fixture) {
		resp := fx.get(PartnerPath, [][2]string{{"returnUrl", testR1}, {"step", "authorize"}})
		page := requireSPAPage(t, resp)
		if !strings.Contains(page, `action="`+LoginPath+`"`) || !strings.Contains(page, "searchParams.set(name") {
			t.Fatalf("authorize page %q; want the sign-in form (posting to %s without script) and the URLSearchParams return", page, LoginPath)
		}
		signIn := fx.spaPost(LoginPath, map[string]string{"email": DemoUsers[0].Email, "password": DemoUsers[0].Password, "returnUrl": testR1})
		back, err := url.Parse(signIn.ReturnURL)
		if err != nil || signIn.status != http.StatusOK || back.Query().Get("state") == "" {
			t.Fatalf("sign-in: %d %+v; want a returnUrl with state", signIn.status, signIn.spaAnswer)
		}
		if !strings.Contains(strings.Join(signIn.cookies, "; "), "SameSite=None") {
			t.Errorf("sign-in cookies %q; want the session cookie, SameSite=None", signIn.cookies)
		}
		wrong := fx.spaPost(LoginPath, map[string]string{"email": DemoUsers[0].Email, "password": "nope", "returnUrl": testR1})
		if wrong.status != http.StatusUnauthorized || wrong.ReturnURL != "" {
			t.Fatalf("wrong password: %d %+v; want 401 and no returnUrl", wrong.status, wrong.spaAnswer)
		}
		requireSPAPage(t, fx.finalize("code-1", back.Query().Get("state")))
		fin := fx.spaPost(PartnerPath, map[string]string{"step": "finalize", "code": fx.code("code-1"), "state": back.Query().Get("state"), "returnUrl": testR2})
		requireSPAReturn(t, fin, testR2, true)
		// A forged state installs nothing and still returns to HubSpot.
		forged := fx.spaPost(PartnerPath, map[string]string{"step": "finalize", "code": fx.code("code-2"), "state": "a.b.c", "returnUrl": testR2})
		requireSPAReturn(t, forged, testR2, false)
		if n := len(fx.tokenRequests()); n != 1 {
			t.Errorf("%d token requests; want 1 (none for the forged state)", n)
		}
	},
	"seamless-spa-to-dashboard": func(t *testing.T, fx *fixture) {
		requireDashboard(t, requireSPAPage(t, fx.seamless("code-1")))
		requireSPAReturn(t, fx.spaPost(SeamlessPath, map[string]string{"step": "finalize", "code": fx.code("code-1"), "returnUrl": testR2}), testR2, true)
	},
	"partner-spa-to-dashboard": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn() // without script, the form's sign-in is the reference's
		requireDashboard(t, requireSPAPage(t, fx.finalize("code-1", state)))
	},
	"seamless-landing-blocked": func(t *testing.T, fx *fixture) {
		requireLandingBlocked(t, fx, fx.seamless("code-1"))
		requireReturned(t, fx.seamless("fail-400"), testR2) // only the success path lands there
	},
	"partner-landing-blocked": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn()
		requireLandingBlocked(t, fx, fx.finalize("code-1", state))
	},
}

// spaReply is the SPA backend's answer as the page's script reads it.
type spaReply struct {
	spaAnswer
	status  int
	cookies []string
}

// spaPost posts params to the SPA's backend for path, as the page's fetch() does.
func (fx *fixture) spaPost(path string, params map[string]string) spaReply {
	fx.t.Helper()
	b, _ := json.Marshal(params)
	req := httptest.NewRequest(http.MethodPost, spaAPIPrefix+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	fx.srv.ServeHTTP(rec, req)
	r := spaReply{status: rec.Code, cookies: rec.Result().Header.Values("Set-Cookie")}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		fx.t.Fatalf("backend %s: Content-Type %q; want application/json", path, ct)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r.spaAnswer); err != nil {
		fx.t.Fatalf("backend %s: %v", path, err)
	}
	return r
}

// requireSPAPage asserts the app's page: 200, frameable, no redirect, and a script that posts to
// the backend and navigates with window.location.href. It returns the page.
func requireSPAPage(t *testing.T, resp *http.Response) string {
	t.Helper()
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" {
		t.Fatalf("status %d, Location %q; want 200 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, want := range []string{"new URLSearchParams(window.location.search)", "fetch(path", "window.location.href = d.returnUrl"} {
		if !strings.Contains(page, want) {
			t.Fatalf("page lacks %q:\n%s", want, page)
		}
	}
	requireFrameable(t, resp)
	return page
}

// requireSPAReturn asserts the backend's answer: go back to want, installed or not.
func requireSPAReturn(t *testing.T, r spaReply, want string, installed bool) {
	t.Helper()
	if r.status != http.StatusOK || r.ReturnURL != want || r.Installed != installed {
		t.Fatalf("backend: %d %+v; want 200, returnUrl %s, installed %v", r.status, r.spaAnswer, want, installed)
	}
}

// requireDashboard asserts the page's script goes to the dashboard after an install.
func requireDashboard(t *testing.T, page string) {
	t.Helper()
	if !strings.Contains(page, `if (d.installed) { window.location.href = "/installs"`) {
		t.Fatalf("page %q; want the script to go to /installs after an install", page)
	}
}

// requireLandingBlocked asserts a 302 to the landing page, which forbids every frame and
// refreshes to the returnUrl.
func requireLandingBlocked(t *testing.T, fx *fixture, resp *http.Response) {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, testPublicURL+landingPath+"?") {
		t.Fatalf("status %d, Location %q; want 302 to %s", resp.StatusCode, loc, landingPath)
	}
	landing := fx.getRaw(strings.TrimPrefix(loc, testPublicURL))
	page := body(t, landing)
	if landing.StatusCode != http.StatusOK || landing.Header.Get("Content-Security-Policy") != "frame-ancestors 'none'" {
		t.Fatalf("landing: status %d, CSP %q; want 200 and frame-ancestors 'none'", landing.StatusCode, landing.Header.Get("Content-Security-Policy"))
	}
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	if got := metaRefresh(doc); got != "0;url="+testR2 {
		t.Fatalf("meta refresh %q; want %q", got, "0;url="+testR2)
	}
}
