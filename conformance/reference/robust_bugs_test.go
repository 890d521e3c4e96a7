package reference

import (
	"net/http"
	"strings"
	"testing"
)

// The robust variants' deviations at the HTTP level, added to bugTests (TestBugs requires one
// per bug). Each also shows that the reference answers the same request correctly.
func init() {
	bugTests["seamless-any-step"] = func(t *testing.T, fx *fixture) {
		for i, step := range []string{"bogus", ""} {
			params := [][2]string{{"code", "code-" + string(rune('1'+i))}, {"returnUrl", testR2}}
			if step != "" {
				params = append(params, [2]string{"step", step})
			}
			requireReturned(t, fx.get(SeamlessPath, params), testR2)
		}
		if n := len(fx.tokenRequests()); n != 2 {
			t.Errorf("%d token requests; want 2 (step=bogus and no step exchanged)", n)
		}
	}
	bugTests["seamless-missing-return-url-crash"] = func(t *testing.T, fx *fixture) {
		resp := fx.get(SeamlessPath, [][2]string{{"code", "code-1"}, {"step", "finalize"}})
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("status %d; want 500", resp.StatusCode)
		}
		requireNoCalls(t, fx)
	}
	bugTests["seamless-duplicate-params-crash"] = func(t *testing.T, fx *fixture) {
		resp := fx.get(SeamlessPath, [][2]string{{"code", "code-1"}, {"code", "code-1"}, {"returnUrl", testR2}, {"step", "finalize"}})
		if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body(t, resp), "req.query.code.trim") {
			t.Errorf("status %d; want 500 naming the repeated parameter", resp.StatusCode)
		}
		requireReturned(t, fx.seamless("code-2"), testR2) // a normal install still works
	}
	bugTests["seamless-long-return-url-crash"] = func(t *testing.T, fx *fixture) {
		long := testR2 + "&pad=" + strings.Repeat("a", varcharLimit)
		resp := fx.get(SeamlessPath, [][2]string{{"code", "code-1"}, {"returnUrl", long}, {"step", "finalize"}})
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("status %d; want 500", resp.StatusCode)
		}
		requireReturned(t, fx.seamless("code-2"), testR2)
	}
	bugTests["seamless-open-redirect"] = func(t *testing.T, fx *fixture) {
		for _, evil := range []string{"https://evil.example/x", "//evil.example/x", "https://app.hubspot.com@evil.example/", "javascript:alert(1)"} {
			resp := fx.get(SeamlessPath, [][2]string{{"code", "code-1"}, {"returnUrl", evil}, {"step", "finalize"}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != evil {
				t.Errorf("returnUrl %s: status %d, Location %q; want 303 to it", evil, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		requireNoCalls(t, fx)
		requireReturned(t, fx.seamless("code-2"), testR2)
	}
	bugTests["seamless-reflected-return-url"] = func(t *testing.T, fx *fixture) {
		evil := `https://evil.example/"><script>x()</script>`
		resp := fx.get(SeamlessPath, [][2]string{{"code", "code-1"}, {"returnUrl", evil}, {"step", "finalize"}})
		if b := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "<script>x()</script>") {
			t.Errorf("status %d, body %q; want 400 echoing the script", resp.StatusCode, b)
		}
		requireFrameable(t, resp)
		requireNoCalls(t, fx)
	}
}

// TestReferenceRefusesRobustProbes sends the robust variants' provocations to the reference:
// no 5xx, no exchange, no redirect off HubSpot, nothing echoed unescaped.
func TestReferenceRefusesRobustProbes(t *testing.T) {
	fx := newFixture(t, "", SeamlessPath)
	for name, params := range map[string][][2]string{
		"bogus step":     {{"code", "c"}, {"returnUrl", testR2}, {"step", "bogus"}},
		"no step":        {{"code", "c"}, {"returnUrl", testR2}},
		"no returnUrl":   {{"code", "c"}, {"step", "finalize"}},
		"long returnUrl": {{"code", "c"}, {"returnUrl", testR2 + "&pad=" + strings.Repeat("a", 8<<10)}, {"step", "finalize"}},
		"evil returnUrl": {{"code", "c"}, {"returnUrl", "//evil.example/x"}, {"step", "finalize"}},
		"markup":         {{"code", "c"}, {"returnUrl", `https://evil.example/"><script>x()</script>`}, {"step", "finalize"}},
	} {
		t.Run(name, func(t *testing.T) {
			resp := fx.get(SeamlessPath, params)
			requireNot5xx(t, resp)
			if loc := resp.Header.Get("Location"); loc != "" {
				t.Errorf("Location %q; want no redirect", loc)
			}
			if b := body(t, resp); strings.Contains(b, "<script>x()") {
				t.Errorf("body echoes the script: %q", b)
			}
		})
	}
	requireNoCalls(t, fx)
	// Identical repeats are one value: the install completes.
	resp := fx.get(SeamlessPath, [][2]string{{"code", "c2"}, {"code", "c2"}, {"returnUrl", testR2}, {"returnUrl", testR2}, {"step", "finalize"}, {"step", "finalize"}})
	requireReturned(t, resp, testR2)
}
