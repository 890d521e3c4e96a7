package reference

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// bugTests shows each bug's deviation at the HTTP level. Every bug in the catalogue has one.
var bugTests = map[string]func(t *testing.T, fx *fixture){
	"seamless-wrong-redirect-uri": func(t *testing.T, fx *fixture) {
		requireReturned(t, fx.seamless("code-1"), testR2)
		requireOneCall(t, fx, "/oauth/v3/token", testPublicURL+SeamlessPath+"/")
		if n := len(fx.srv.Installs()); n != 0 {
			t.Errorf("%d installs; want 0 (HubSpot refused the exchange)", n)
		}
	},
	"seamless-no-return": func(t *testing.T, fx *fixture) {
		resp := fx.seamless("code-1")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" || !strings.Contains(body(t, resp), "all set!") {
			t.Fatalf("status %d, Location %q; want 200 \"You're all set!\" and no redirect", resp.StatusCode, resp.Header.Get("Location"))
		}
		requireFrameable(t, resp)
		requireReturned(t, fx.seamless(""), testR2) // only the success path is broken
	},
	"seamless-interstitial-xfo": func(t *testing.T, fx *fixture) {
		requireInterstitial(t, fx.seamless("code-1"), testR2)
	},
	"seamless-token-in-url": func(t *testing.T, fx *fixture) {
		requireTokenInURL(t, fx, fx.seamless("code-1"))
	},
	"seamless-double-exchange": func(t *testing.T, fx *fixture) {
		requireReturned(t, fx.seamless("code-1"), testR2)
		requireDoubleExchange(t, fx)
	},
	"seamless-v1-endpoint": func(t *testing.T, fx *fixture) {
		requireReturned(t, fx.seamless("code-1"), testR2)
		requireOneCall(t, fx, "/oauth/v1/token", testPublicURL+SeamlessPath)
	},
	"seamless-slow": func(t *testing.T, fx *fixture) {
		requireReturned(t, fx.seamless(""), testR2)
		requireReturned(t, fx.seamless("fail-400"), testR2)
		if got := fx.sleeps(); len(got) != 0 {
			t.Fatalf("stalled %v without a successful install; want no stall", got)
		}
		requireReturned(t, fx.seamless("code-1"), testR2)
		if got := fx.sleeps(); !slices.Equal(got, []time.Duration{time.Millisecond}) {
			t.Fatalf("stalls %v; want one of SlowDelay (1ms)", got)
		}
	},
	"seamless-exchange-crash": func(t *testing.T, fx *fixture) {
		requireCrashOnFailure(t, fx, fx.seamless)
	},
	"seamless-exchange-without-code": func(t *testing.T, fx *fixture) {
		requireReturned(t, fx.seamless(""), testR2)
		calls := fx.tokenRequests()
		if len(calls) != 1 || calls[0].Code != "" {
			t.Fatalf("token requests %+v; want one with an empty code", calls)
		}
	},
	"seamless-reload-crash": func(t *testing.T, fx *fixture) {
		requireReturned(t, fx.seamless("code-1"), testR2)
		resp := fx.seamless("code-1")
		if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body(t, resp), "duplicate key") {
			t.Fatalf("reload: status %d; want 500 \"duplicate key\"", resp.StatusCode)
		}
		requireReturned(t, fx.seamless(""), testR2) // no code, no record
	},

	"partner-authorize-error": func(t *testing.T, fx *fixture) {
		resp := fx.get(PartnerPath, [][2]string{{"returnUrl", testR1}, {"step", "authorize"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body(t, resp), "missing code") {
			t.Fatalf("authorize: status %d; want 400 \"missing code\"", resp.StatusCode)
		}
	},
	"partner-authorize-xfo": func(t *testing.T, fx *fixture) {
		resp := fx.get(PartnerPath, [][2]string{{"returnUrl", testR1}, {"step", "authorize"}})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("Content-Security-Policy") != "" {
			t.Fatalf("authorize: status %d, X-Frame-Options %q, CSP %q; want 200, DENY and no CSP",
				resp.StatusCode, resp.Header.Get("X-Frame-Options"), resp.Header.Get("Content-Security-Policy"))
		}
		state, _ := fx.signIn()
		requireReturned(t, fx.finalize("code-1", state), testR2)
	},
	"partner-cookie-lax": func(t *testing.T, fx *fixture) {
		resp := fx.login(DemoUsers[0].Email, DemoUsers[0].Password, testR1)
		if c := resp.Cookies(); len(c) != 1 || c[0].SameSite != http.SameSiteLaxMode {
			t.Fatalf("Set-Cookie %q; want SameSite=Lax", resp.Header.Values("Set-Cookie"))
		}
	},
	"partner-state-concat": func(t *testing.T, fx *fixture) {
		resp := fx.login(DemoUsers[0].Email, DemoUsers[0].Password, testR1)
		loc := resp.Header.Get("Location")
		prefix := testR1 + "?state="
		if !strings.HasPrefix(loc, prefix) || !strings.HasSuffix(loc, "&scope=crm.objects.companies.read") {
			t.Fatalf("Location %q; want %s<state>&scope=…", loc, prefix)
		}
		u, _ := url.Parse(loc)
		if u.Query().Get("stage") == "authorize" || u.Query().Get("state") != "" {
			t.Errorf("Location %q keeps returnUrl's query intact; want it broken", loc)
		}
	},
	"partner-weak-state": func(t *testing.T, fx *fixture) {
		s1, _ := fx.signIn()
		s2, _ := fx.signIn()
		if s1 != "00000000018" || s2 != "00000000026" {
			t.Fatalf("states %q, %q; want 00000000018, 00000000026", s1, s2)
		}
		requireReturned(t, fx.finalize("code-1", s1), testR2)
		requireReturned(t, fx.finalize("code-2", s1), testR2) // single use
		requireReturned(t, fx.finalize("code-3", "99"), testR2)
		requireReturned(t, fx.finalize("code-4", "00000000016"), testR2) // one digit changed
		requireReturned(t, fx.finalize("code-5", "00000000036"), testR2)
		requireReturned(t, fx.finalize("code-6", "10000000026"), testR2)
		if n := len(fx.tokenRequests()); n != 1 {
			t.Errorf("%d token requests; want 1 (recorded and single-use)", n)
		}
	},
	"partner-login-307": func(t *testing.T, fx *fixture) {
		resp := fx.login(DemoUsers[0].Email, DemoUsers[0].Password, testR1)
		if resp.StatusCode != http.StatusTemporaryRedirect {
			t.Fatalf("status %d; want 307", resp.StatusCode)
		}
	},
	"partner-bad-scope": func(t *testing.T, fx *fixture) {
		loc, _ := url.Parse(fx.login(DemoUsers[0].Email, DemoUsers[0].Password, testR1).Header.Get("Location"))
		if got := loc.Query().Get("scope"); got != "crm.objects.companies.read crm.objects.contacts.read" {
			t.Fatalf("scope %q; want the conditional scope and crm.objects.contacts.read", got)
		}
		if got := fx.srv.scopes; !slices.Equal(got, DefaultConditionalScopes) {
			t.Errorf("configured scopes changed to %v", got)
		}
	},
	"partner-wrong-redirect-uri": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn()
		requireReturned(t, fx.finalize("code-1", state), testR2)
		requireOneCall(t, fx, "/oauth/v3/token", testPublicURL+LoginPath)
	},
	"partner-return-to-r1": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn()
		requireReturned(t, fx.finalize("code-1", state), testR1)
		requireReturned(t, fx.finalize("code-2", "forged"), testR2) // failures still go to R2
	},
	"partner-finalize-xfo": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn()
		requireInterstitial(t, fx.finalize("code-1", state), testR2)
	},
	"partner-token-in-url": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn()
		requireTokenInURL(t, fx, fx.finalize("code-1", state))
	},
	"partner-double-exchange": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn()
		requireReturned(t, fx.finalize("code-1", state), testR2)
		requireDoubleExchange(t, fx)
	},
	"partner-slow": func(t *testing.T, fx *fixture) {
		fx.get(PartnerPath, [][2]string{{"returnUrl", testR1}, {"step", "authorize"}})
		state, _ := fx.signIn()
		if got := fx.sleeps(); len(got) != 0 {
			t.Fatalf("stalled %v before finalize; want no stall", got)
		}
		requireReturned(t, fx.finalize("code-1", state), testR2)
		if got := fx.sleeps(); !slices.Equal(got, []time.Duration{time.Millisecond}) {
			t.Fatalf("stalls %v; want one of SlowDelay (1ms)", got)
		}
	},
	"partner-state-unverified": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn()
		requireReturned(t, fx.finalize("code-0", tamper(state, 1)), testR2) // jti changed: not found
		requireNoCalls(t, fx)
		requireReturned(t, fx.finalize("code-1", tamper(state, 2)), testR2) // signature changed: accepted
		requireReturned(t, fx.finalize("code-2", state), testR2)            // single use still holds
		if n := len(fx.tokenRequests()); n != 1 {
			t.Errorf("%d token requests; want 1 (the tampered signature's)", n)
		}
	},
	"partner-missing-state-ok": func(t *testing.T, fx *fixture) {
		requireReturned(t, fx.finalize("code-1", ""), testR2)
		requireOneCall(t, fx, "/oauth/v3/token", testPublicURL+PartnerPath)
		if ins := fx.srv.Installs(); len(ins) != 1 || ins[0].UserID != "" {
			t.Errorf("installs %+v; want one with no user", ins)
		}
		requireReturned(t, fx.finalize("code-2", "forged"), testR2)
		if n := len(fx.tokenRequests()); n != 1 {
			t.Errorf("%d token requests; want 1 (a wrong state is still refused)", n)
		}
	},
	"partner-state-reusable": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn()
		requireReturned(t, fx.finalize("code-1", state), testR2)
		requireReturned(t, fx.finalize("code-2", state), testR2)
		if n := len(fx.tokenRequests()); n != 2 {
			t.Errorf("%d token requests; want 2 (the replay exchanged)", n)
		}
	},
	"partner-state-format-only": func(t *testing.T, fx *fixture) {
		state, _ := fx.signIn()
		requireReturned(t, fx.finalize("code-0", "not-a-jws"), testR2)
		requireNoCalls(t, fx)
		for i, s := range []string{tamper(state, 2), "eyJ.abc.def", state, state} {
			requireReturned(t, fx.finalize("code-"+string(rune('1'+i)), s), testR2)
		}
		if n := len(fx.tokenRequests()); n != 4 {
			t.Errorf("%d token requests; want 4 (tampered, foreign and replayed states accepted)", n)
		}
	},
	"partner-state-in-cookie": func(t *testing.T, fx *fixture) {
		state, session := fx.signIn()
		requireReturned(t, fx.finalize("code-1", state), testR2) // the frame got no cookie
		requireNoCalls(t, fx)
		state, session = fx.signIn()
		requireReturned(t, fx.finalize("code-2", state, session), testR2)
		requireOneCall(t, fx, "/oauth/v3/token", testPublicURL+PartnerPath)
	},
	"partner-exchange-crash": func(t *testing.T, fx *fixture) {
		requireCrashOnFailure(t, fx, func(code string) *http.Response {
			state, _ := fx.signIn()
			return fx.finalize(code, state)
		})
	},
}

// installBugs are the variants of the install flows; the connect and webhook variants have
// tests of their own (webhooks_test.go) and are proven by the conformance matrix.
func installBugs() []Bug {
	var out []Bug
	for _, b := range Bugs() {
		if b.Flow == FlowSeamless || b.Flow == FlowPartner {
			out = append(out, b)
		}
	}
	return out
}

func TestBugs(t *testing.T) {
	for _, b := range installBugs() {
		t.Run(b.Name, func(t *testing.T) {
			test, ok := bugTests[b.Name]
			if !ok {
				t.Fatalf("bug %s has no test in bugTests", b.Name)
			}
			test(t, newFixture(t, b.Name, flowPath(b.Flow)))
		})
	}
	if len(bugTests) != len(installBugs()) {
		t.Errorf("%d bug tests for %d bugs", len(bugTests), len(installBugs()))
	}
}

// TestBugsLeaveOtherFlowsAlone runs each bug's other flow through a normal install and expects
// exactly the reference's behaviour.
func TestBugsLeaveOtherFlowsAlone(t *testing.T) {
	for _, b := range installBugs() {
		t.Run(b.Name, func(t *testing.T) {
			var fx *fixture
			switch b.Flow {
			case FlowPartner:
				fx = newFixture(t, b.Name, SeamlessPath)
				resp := fx.seamless("code-1")
				requireReturned(t, resp, testR2)
				requireFrameable(t, resp)
				requireOneCall(t, fx, "/oauth/v3/token", testPublicURL+SeamlessPath)
				requireReturned(t, fx.seamless("code-1"), testR2)
			case FlowSeamless:
				fx = newFixture(t, b.Name, PartnerPath)
				authz := fx.get(PartnerPath, [][2]string{{"returnUrl", testR1}, {"step", "authorize"}})
				if authz.StatusCode != http.StatusOK {
					t.Fatalf("authorize: status %d; want 200", authz.StatusCode)
				}
				requireFrameable(t, authz)
				state, _ := fx.signIn()
				resp := fx.finalize("code-1", state)
				requireReturned(t, resp, testR2)
				requireFrameable(t, resp)
				requireOneCall(t, fx, "/oauth/v3/token", testPublicURL+PartnerPath)
			}
			if got := fx.sleeps(); len(got) != 0 {
				t.Errorf("stalled %v; want no stall", got)
			}
		})
	}
}

func flowPath(flow string) string {
	if flow == FlowPartner {
		return PartnerPath
	}
	return SeamlessPath
}

// tamper changes the middle character of part i (0 header, 1 payload, 2 signature) of a JWS.
func tamper(jws string, i int) string {
	parts := strings.Split(jws, ".")
	p := []byte(parts[i])
	mid := len(p) / 2
	if p[mid] == 'A' {
		p[mid] = 'B'
	} else {
		p[mid] = 'A'
	}
	parts[i] = string(p)
	return strings.Join(parts, ".")
}

func requireOneCall(t *testing.T, fx *fixture, path, redirectURI string) {
	t.Helper()
	calls := fx.tokenRequests()
	if len(calls) != 1 || calls[0].Path != path || calls[0].RedirectURI != redirectURI {
		t.Fatalf("token requests %+v; want one on %s with redirect_uri %s", calls, path, redirectURI)
	}
}

func requireDoubleExchange(t *testing.T, fx *fixture) {
	t.Helper()
	calls := fx.tokenRequests()
	if len(calls) != 2 || calls[0].Code != calls[1].Code {
		t.Fatalf("token requests %+v; want the same code twice", calls)
	}
	if n := len(fx.srv.Installs()); n != 1 {
		t.Errorf("%d installs; want 1 (the second exchange's error is ignored)", n)
	}
}

func requireInterstitial(t *testing.T, resp *http.Response, back string) {
	t.Helper()
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Frame-Options") != "SAMEORIGIN" || resp.Header.Get("Content-Security-Policy") != "" {
		t.Fatalf("status %d, X-Frame-Options %q, CSP %q; want 200, SAMEORIGIN and no CSP",
			resp.StatusCode, resp.Header.Get("X-Frame-Options"), resp.Header.Get("Content-Security-Policy"))
	}
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	if got := metaRefresh(doc); got != "0;url="+back {
		t.Fatalf("meta refresh %q; want %q", got, "0;url="+back)
	}
}

func metaRefresh(n *html.Node) string {
	if n.Type == html.ElementNode && n.Data == "meta" {
		var equiv, content string
		for _, a := range n.Attr {
			switch a.Key {
			case "http-equiv":
				equiv = a.Val
			case "content":
				content = a.Val
			}
		}
		if strings.EqualFold(equiv, "refresh") {
			return content
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if v := metaRefresh(c); v != "" {
			return v
		}
	}
	return ""
}

func requireTokenInURL(t *testing.T, fx *fixture, resp *http.Response) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d; want 303 to /welcome", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if access, _ := fx.tokens("code-1"); err != nil || loc.Path != welcomePath || loc.Query().Get("access_token") != access {
		t.Fatalf("Location %q; want %s?access_token=…", resp.Header.Get("Location"), welcomePath)
	}
	requireReturned(t, fx.getRaw(loc.RequestURI()), testR2)
	if r := fx.getRaw(welcomePath + "?returnUrl=https://evil.example/"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("welcome with an evil returnUrl: status %d; want 400", r.StatusCode)
	}
}

func requireCrashOnFailure(t *testing.T, fx *fixture, install func(code string) *http.Response) {
	t.Helper()
	fx.srv.exchangeTimeout = 500 * time.Millisecond // "hang" waits this long; healthy exchanges need far less, even under load
	for code, want := range map[string]int{"fail-503": 500, "hang": 500, "fail-400": 303, "code-1": 303} {
		if got := install(code).StatusCode; got != want {
			t.Errorf("exchange %s: status %d; want %d", code, got, want)
		}
	}
	fx.apiAnswersHTML()
	if got := install("code-2").StatusCode; got != 500 {
		t.Errorf("exchange answered by an HTML page: status %d; want 500", got)
	}
}

func TestWelcomeNotServedByReference(t *testing.T) {
	fx := newFixture(t, "", SeamlessPath)
	resp := fx.getRaw(welcomePath + "?access_token=x&returnUrl=" + url.QueryEscape(testR2))
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status %d; want 404", resp.StatusCode)
	}
}

func TestCheckDigitCatchesOneChangedDigit(t *testing.T) {
	issued := map[string]bool{}
	for n := uint64(1); n <= 2000; n++ {
		issued[withCheckDigit(n)] = true
	}
	for s := range issued {
		for i := range len(s) {
			for d := byte('0'); d <= '9'; d++ {
				if d == s[i] {
					continue
				}
				changed := s[:i] + string(d) + s[i+1:]
				if issued[changed] {
					t.Fatalf("changing digit %d of %s gives %s, also issued", i, s, changed)
				}
			}
		}
	}
	if got := []string{withCheckDigit(1), withCheckDigit(2), withCheckDigit(3), withCheckDigit(7992739871)}; !slices.Equal(got, []string{"00000000018", "00000000026", "00000000034", "79927398713"}) {
		t.Errorf("check digits %v; want Luhn's", got)
	}
}
