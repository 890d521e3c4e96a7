package reference

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/net/html"
)

func TestPartnerAuthorizeShowsSignIn(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	resp := fx.get(PartnerPath, [][2]string{{"returnUrl", testR1}, {"step", "authorize"}})
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d; want 200", resp.StatusCode)
	}
	requireFrameable(t, resp)
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	form := findForm(doc)
	if form.action != LoginPath || form.method != "post" {
		t.Errorf("form %s %s; want post %s", form.method, form.action, LoginPath)
	}
	if form.inputs["returnUrl"] != testR1 {
		t.Errorf("hidden returnUrl %q; want %q", form.inputs["returnUrl"], testR1)
	}
	for _, name := range []string{"email", "password"} {
		if _, ok := form.inputs[name]; !ok {
			t.Errorf("no %s field in the form", name)
		}
	}
	if !strings.Contains(page, "<title>Sign in to "+DefaultAppName+"</title>") {
		t.Errorf("title is not %q", "Sign in to "+DefaultAppName)
	}
	requireNoCalls(t, fx)
}

func TestPartnerAuthorizeRefusesBadReturnURL(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	resp := fx.get(PartnerPath, [][2]string{{"returnUrl", "https://evil.example/"}, {"step", "authorize"}})
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Fatalf("status %d, Location %q; want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestPartnerSignIn(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	resp := fx.login("Demo@Example.com", DemoUsers[0].Password, testR1)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d; want 303", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	if loc.Scheme+"://"+loc.Host+loc.Path != strings.Split(testR1, "?")[0] || q.Get("installId") != "abc" || q.Get("stage") != "authorize" {
		t.Errorf("returned to %s; want %s with its own query kept", loc, testR1)
	}
	if got := q.Get("scope"); got != "crm.objects.companies.read" {
		t.Errorf("scope %q; want crm.objects.companies.read", got)
	}

	// The state: an HS256 JWS over a 256-bit jti, the user and a 10-minute expiry.
	state := q.Get("state")
	obj, err := jose.ParseSignedCompact(state, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Fatalf("state %q is not an HS256 JWS: %v", state, err)
	}
	payload, err := obj.Verify(fx.srv.stateKey)
	if err != nil {
		t.Fatalf("state does not verify under the server's key: %v", err)
	}
	var c stateClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	jti, err := base64.RawURLEncoding.DecodeString(c.JTI)
	if err != nil || len(jti) != 32 {
		t.Errorf("jti %q decodes to %d bytes (%v); want 32", c.JTI, len(jti), err)
	}
	if c.Sub != DemoUsers[0].ID || c.Exp != fx.Now().Add(10*time.Minute).Unix() {
		t.Errorf("claims %+v; want sub %s, exp now+10m", c, DemoUsers[0].ID)
	}

	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			session = ck
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	if session.SameSite != http.SameSiteNoneMode || !session.Secure || !session.HttpOnly || session.Path != "/" {
		t.Errorf("session cookie %q; want SameSite=None; Secure; HttpOnly; Path=/", resp.Header.Get("Set-Cookie"))
	}
	requireNoCalls(t, fx)

	// A second sign-in gets a different state.
	if again, _ := fx.signIn(); again == state {
		t.Error("two sign-ins got the same state")
	}
}

func TestPartnerSignInScopes(t *testing.T) {
	for _, tt := range []struct {
		scopes []string
		want   string
		sent   bool
	}{
		{[]string{}, "", false},
		{[]string{"crm.objects.companies.read", "crm.objects.deals.read"}, "crm.objects.companies.read crm.objects.deals.read", true},
	} {
		fx := newFixture(t, "", PartnerPath, func(c *Config) { c.ConditionalScopes = tt.scopes })
		loc, _ := url.Parse(fx.login(DemoUsers[1].Email, DemoUsers[1].Password, testR1).Header.Get("Location"))
		got, sent := loc.Query()["scope"]
		if sent != tt.sent || (sent && got[0] != tt.want) {
			t.Errorf("ConditionalScopes %q: scope %q (sent %v); want %q (sent %v)", tt.scopes, got, sent, tt.want, tt.sent)
		}
	}
}

func TestPartnerSignInWrongCredentials(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	for _, creds := range [][2]string{
		{DemoUsers[0].Email, "wrong"},
		{"nobody@example.com", DemoUsers[0].Password},
		{DemoUsers[0].Email, DemoUsers[1].Password},
		{"", ""},
	} {
		resp := fx.login(creds[0], creds[1], testR1)
		page := body(t, resp)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" || len(resp.Cookies()) != 0 {
			t.Errorf("%q: status %d, Location %q, %d cookies; want the form again", creds, resp.StatusCode, resp.Header.Get("Location"), len(resp.Cookies()))
		}
		if !strings.Contains(page, "do not match") || !strings.Contains(page, `name="password"`) {
			t.Errorf("%q: page is not the form with an error:\n%s", creds, page)
		}
	}
}

func TestPartnerSignInRefusesBadForms(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	if resp := fx.login(DemoUsers[0].Email, DemoUsers[0].Password, "https://evil.example/"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("evil returnUrl: status %d; want 400", resp.StatusCode)
	}
	big := fx.login(DemoUsers[0].Email, strings.Repeat("p", 32<<10), testR1)
	if big.StatusCode != http.StatusBadRequest {
		t.Errorf("32 KiB form: status %d; want 400", big.StatusCode)
	}
}

func TestPartnerFinalize(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	state, _ := fx.signIn()
	resp := fx.finalize("code-1", state) // no cookie: finalize runs in HubSpot's frame
	requireReturned(t, resp, testR2)
	requireFrameable(t, resp)
	calls := fx.tokenRequests()
	if len(calls) != 1 || calls[0].Path != "/oauth/v3/token" || calls[0].RedirectURI != testPublicURL+PartnerPath {
		t.Fatalf("token requests %+v; want one on /oauth/v3/token with redirect_uri %s", calls, testPublicURL+PartnerPath)
	}
	ins := fx.srv.Installs()
	if len(ins) != 1 || ins[0].UserID != DemoUsers[0].ID || ins[0].UserEmail != DemoUsers[0].Email || ins[0].Flow != FlowPartner {
		t.Fatalf("installs %+v; want hub %d linked to %s", ins, testHubID, DemoUsers[0].Email)
	}

	// Replaying the state installs nothing (RFC 9700 §4.2.4).
	requireReturned(t, fx.finalize("code-2", state), testR2)
	if n := len(fx.tokenRequests()); n != 1 {
		t.Errorf("%d token requests after a replay; want still 1", n)
	}
}

// TestPartnerFinalizeRefusesStates covers every state the reference must not accept: each
// returns to HubSpot's returnUrl without an exchange.
func TestPartnerFinalizeRefusesStates(t *testing.T) {
	foreign := func(t *testing.T) string { // well-formed, signed by another server
		other := newFixture(t, "", PartnerPath)
		s, _ := other.signIn()
		return s
	}
	tests := []struct {
		name  string
		state func(t *testing.T, fx *fixture, good string) string
	}{
		{"missing", func(*testing.T, *fixture, string) string { return "" }},
		{"foreign", func(t *testing.T, _ *fixture, _ string) string { return foreign(t) }},
		{"garbage", func(*testing.T, *fixture, string) string { return "not-a-state" }},
		{"4 KiB", func(*testing.T, *fixture, string) string { return strings.Repeat("A", 4096) }},
		{"alg none", func(_ *testing.T, _ *fixture, good string) string {
			parts := strings.Split(good, ".")
			return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
		}},
		{"expired", func(_ *testing.T, fx *fixture, good string) string { fx.Advance(10 * time.Minute); return good }},
		{"padding bits of the signature", func(_ *testing.T, _ *fixture, good string) string {
			// The last base64url character of a 32-byte signature carries 2 unused bits:
			// flipping one leaves the decoded signature unchanged.
			const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
			i := strings.IndexByte(alphabet, good[len(good)-1])
			return good[:len(good)-1] + string(alphabet[i^1])
		}},
	}
	// One character changed anywhere: header, payload or signature.
	for _, pos := range []string{"header", "payload", "signature"} {
		tests = append(tests, struct {
			name  string
			state func(t *testing.T, fx *fixture, good string) string
		}{"tampered " + pos, func(_ *testing.T, _ *fixture, good string) string {
			parts := strings.Split(good, ".")
			i := map[string]int{"header": 0, "payload": 1, "signature": 2}[pos]
			p := []byte(parts[i])
			mid := len(p) / 2
			if p[mid] == 'A' {
				p[mid] = 'B'
			} else {
				p[mid] = 'A'
			}
			parts[i] = string(p)
			return strings.Join(parts, ".")
		}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, "", PartnerPath)
			good, session := fx.signIn()
			bad := tt.state(t, fx, good)
			if bad == good && tt.name != "expired" {
				t.Fatalf("the test state equals the issued one")
			}
			requireReturned(t, fx.finalize("code-1", bad, session), testR2)
			requireNoCalls(t, fx)
		})
	}
}

func TestPartnerFinalizeSwappedUsers(t *testing.T) {
	// A state stays bound to the user it was issued to, whoever's cookie comes with it.
	fx := newFixture(t, "", PartnerPath)
	stateA, _ := fx.signIn()
	resp := fx.login(DemoUsers[1].Email, DemoUsers[1].Password, testR1)
	var cookieB *http.Cookie
	for _, c := range resp.Cookies() {
		cookieB = c
	}
	requireReturned(t, fx.finalize("code-1", stateA, cookieB), testR2)
	if ins := fx.srv.Installs(); len(ins) != 1 || ins[0].UserID != DemoUsers[0].ID {
		t.Fatalf("installs %+v; want the portal linked to the state's user %s", ins, DemoUsers[0].ID)
	}
}

func TestPartnerFinalizeExchangeFails(t *testing.T) {
	for _, code := range []string{"fail-400", "fail-503", "hang"} {
		t.Run(code, func(t *testing.T) {
			fx := newFixture(t, "", PartnerPath, func(c *Config) { c.ExchangeTimeout = 20 * time.Millisecond })
			state, _ := fx.signIn()
			requireReturned(t, fx.finalize(code, state), testR2)
		})
	}
}

func TestPartnerFinalizeWithoutCode(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	state, _ := fx.signIn()
	requireReturned(t, fx.finalize("", state), testR2)
	requireNoCalls(t, fx)
}

func TestPartnerRefusesBadSteps(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	state, _ := fx.signIn()
	for _, q := range []string{
		"code=c&state=" + state + "&returnUrl=" + url.QueryEscape(testR2),
		"step=bogus&code=c&state=" + state + "&returnUrl=" + url.QueryEscape(testR2),
		"step=finalize&step=authorize&code=c&state=" + state + "&returnUrl=" + url.QueryEscape(testR2),
		"step=finalize&code=c&state=" + state + "&returnUrl=https://evil.example/",
		"step=finalize&code=c&code=d&state=" + state + "&returnUrl=" + url.QueryEscape(testR2),
	} {
		resp := fx.getRaw(PartnerPath + "?" + q)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("%s: status %d, Location %q; want a 400 page", q, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	requireNoCalls(t, fx)
	// The state survived the refused requests and still works once.
	requireReturned(t, fx.finalize("code-1", state), testR2)
	if n := len(fx.tokenRequests()); n != 1 {
		t.Errorf("%d token requests; want 1", n)
	}
}

func TestDuplicateIdenticalParamsAccepted(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	state, _ := fx.signIn()
	q := "step=finalize&step=finalize&code=c1&code=c1&state=" + state + "&state=" + state +
		"&returnUrl=" + url.QueryEscape(testR2) + "&returnUrl=" + url.QueryEscape(testR2)
	requireReturned(t, fx.getRaw(PartnerPath+"?"+q), testR2)
}

// form is what findForm reads of the first <form>.
type form struct {
	action, method string
	inputs         map[string]string
}

func findForm(n *html.Node) form {
	f := form{inputs: map[string]string{}}
	var walk func(*html.Node, bool)
	walk = func(n *html.Node, inForm bool) {
		if n.Type == html.ElementNode && n.Data == "form" && f.action == "" {
			for _, a := range n.Attr {
				switch a.Key {
				case "action":
					f.action = a.Val
				case "method":
					f.method = a.Val
				}
			}
			inForm = true
		}
		if inForm && n.Type == html.ElementNode && n.Data == "input" {
			var name, val string
			for _, a := range n.Attr {
				switch a.Key {
				case "name":
					name = a.Val
				case "value":
					val = a.Val
				}
			}
			f.inputs[name] = val
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inForm)
		}
	}
	walk(n, false)
	return f
}

// TestStateSignatureMalleability shows why redeemState compares the state exactly: a state whose
// last character differs only in base64url padding bits still verifies as a JWS.
func TestStateSignatureMalleability(t *testing.T) {
	fx := newFixture(t, "", PartnerPath)
	good, _ := fx.signIn()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	bad := good[:len(good)-1] + string(alphabet[strings.IndexByte(alphabet, good[len(good)-1])^1])
	obj, err := jose.ParseSignedCompact(bad, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := obj.Verify(fx.srv.stateKey); err != nil {
		t.Skipf("go-jose now refuses non-canonical base64url (%v); the exact comparison is belt and braces", err)
	}
	if _, err := fx.srv.redeemState(bad); err == nil {
		t.Fatal("redeemState accepted a state that differs from the issued one")
	}
}
