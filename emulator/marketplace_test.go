package emulator_test

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
)

// marketplaceFixture is an emulator with one app listed, driven over HTTP as a browser would,
// with the install endpoint's part played by the test.
type marketplaceFixture struct {
	t      *testing.T
	em     *emulator.Emulator
	srv    *httptest.Server
	client *http.Client
	app    emulator.App
	hubID  int64
}

const mkInstallURL = "https://install.example.com/hubspot/install?src=marketplace"

func newMarketplaceFixture(t *testing.T, partner bool, portal emulator.Portal) *marketplaceFixture {
	t.Helper()
	em, err := emulator.New(emulator.Config{Portals: []emulator.Portal{portal}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = em.Close() })
	app, err := em.AddApp(emulator.App{
		Name:                        "Acme sync",
		RedirectURLs:                []string{mkInstallURL},
		RequiredScopes:              []string{"oauth", "crm.objects.contacts.read"},
		OptionalScopes:              []string{"crm.objects.deals.read"},
		ConditionallyRequiredScopes: []string{"crm.objects.companies.read"},
		InstallURL:                  mkInstallURL,
		PartnerSignIn:               partner,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &marketplaceFixture{t: t, em: em, srv: srv, client: client, app: app, hubID: em.Portals()[0].HubID}
}

func (f *marketplaceFixture) path(pattern string) string {
	return hubspot.MarketplacePath(pattern, f.hubID, f.app.ID)
}

// do sends a request and returns the status, the Location and the body.
func (f *marketplaceFixture) do(method, path string, form url.Values) (int, string, string) {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.srv.URL+path, body) //nolint:noctx // a loopback test server
	if err != nil {
		f.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// open clicks Install and returns the dialog's path.
func (f *marketplaceFixture) open() string {
	f.t.Helper()
	status, loc, _ := f.do("GET", f.path(hubspot.MarketplaceInstallPath), nil)
	if status != http.StatusSeeOther || !strings.Contains(loc, "installId=") {
		f.t.Fatalf("Install: got %d to %q; want 303 to the dialog", status, loc)
	}
	return loc
}

// connect clicks Connect app in the dialog at dialog.
func (f *marketplaceFixture) connect(dialog string) {
	f.t.Helper()
	u, _ := url.Parse(dialog)
	status, loc, _ := f.do("POST", f.path(hubspot.MarketplaceConnectPath), url.Values{"installId": {u.Query().Get("installId")}})
	if status != http.StatusSeeOther || loc != dialog {
		f.t.Fatalf("Connect app: got %d to %q; want 303 to %q", status, loc, dialog)
	}
}

// attr finds the attribute of the element with this id in page.
func attr(t *testing.T, page, id, name string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `"[^>]*\s` + name + `="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no %s of #%s in the page:\n%s", name, id, page)
	}
	return html.UnescapeString(m[1])
}

func TestMarketplaceSeamless(t *testing.T) {
	f := newMarketplaceFixture(t, false, emulator.Portal{})
	status, _, page := f.do("GET", f.path(hubspot.MarketplaceAppPath), nil)
	if status != http.StatusOK || !strings.Contains(page, `id="hsemu-install"`) || !strings.Contains(page, "not HubSpot") {
		t.Fatalf("listing: got %d %s", status, page)
	}
	dialog := f.open()
	if _, _, page = f.do("GET", dialog, nil); !strings.Contains(page, `id="hsemu-connect"`) {
		t.Fatalf("dialog has no Connect app:\n%s", page)
	}
	f.connect(dialog)
	_, _, page = f.do("GET", dialog, nil)
	finalize, err := url.Parse(attr(t, page, "hsemu-finalize", "src"))
	if err != nil {
		t.Fatal(err)
	}
	q := finalize.Query()
	if finalize.Host != "install.example.com" || q.Get("src") != "marketplace" || q.Get("step") != hubspot.StepFinalize || q.Get("code") == "" || q.Has("state") {
		t.Fatalf("finalize URL %s; want the install URL (its query kept) with code, returnUrl and step=finalize, no state", finalize)
	}
	if !strings.Contains(page, "judges the real framing rules") {
		t.Error("the dialog on hsemu's own address does not say that hsemu check judges framing")
	}

	// The install endpoint: it exchanges the code, then returns to returnUrl.
	code := q.Get("code")
	tok, err := http.PostForm(f.srv.URL+hubspot.TokenPathV3, url.Values{ //nolint:noctx // a loopback test server
		"grant_type": {"authorization_code"}, "client_id": {f.app.ClientID}, "client_secret": {f.app.ClientSecret},
		"redirect_uri": {mkInstallURL}, "code": {code},
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = tok.Body.Close()
	if tok.StatusCode != http.StatusOK {
		t.Fatalf("token exchange: got %d", tok.StatusCode)
	}
	ret, err := url.Parse(q.Get("returnUrl"))
	if err != nil || ret.Query().Get("stage") != hubspot.StepFinalize || ret.Host != strings.TrimPrefix(f.srv.URL, "http://") {
		t.Fatalf("returnUrl %q; want one on the emulator's address with stage=finalize", q.Get("returnUrl"))
	}
	if status, _, page = f.do("GET", ret.RequestURI(), nil); status != http.StatusOK || !strings.Contains(page, "window.top.location.replace") {
		t.Fatalf("returnUrl: got %d %s", status, page)
	}
	_, _, page = f.do("GET", dialog, nil)
	if !strings.Contains(page, `id="hsemu-installed"`) || !strings.Contains(page, `id="hsemu-exchanged"`) {
		t.Fatalf("dialog after finalize is not installed with the exchange seen:\n%s", page)
	}
}

func TestMarketplacePartnerScopes(t *testing.T) {
	for _, tc := range []struct {
		name, scope string
		wantText    string // "" = a code is minted
	}{
		{"conditional scope", "crm.objects.companies.read", ""},
		{"no scope", "", ""},
		{"optional scope", "crm.objects.deals.read", hubspot.TextScopesMismatch},
		{"unknown scope", "crm.objects.nonsense.read", hubspot.TextScopesMismatch},
		{"comma-separated", "crm.objects.companies.read,crm.objects.contacts.read", hubspot.TextScopesMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newMarketplaceFixture(t, true, emulator.Portal{})
			dialog := f.open()
			f.connect(dialog)
			_, _, page := f.do("GET", dialog, nil)
			signIn, err := url.Parse(attr(t, page, "hsemu-signin", "href"))
			if err != nil {
				t.Fatal(err)
			}
			if signIn.Query().Get("step") != hubspot.StepAuthorize || signIn.Query().Has("code") {
				t.Fatalf("Sign in opens %s; want the install URL with returnUrl and step=authorize", signIn)
			}
			ret, err := url.Parse(signIn.Query().Get("returnUrl"))
			if err != nil {
				t.Fatal(err)
			}
			rq := ret.Query()
			rq.Set("state", "partner-state")
			if tc.scope != "" {
				rq.Set("scope", tc.scope)
			}
			ret.RawQuery = rq.Encode()
			if _, _, page = f.do("GET", ret.RequestURI(), nil); !strings.Contains(page, "window.opener.location.replace") {
				t.Fatalf("the returnUrl page does not hand back to the dialog:\n%s", page)
			}
			_, _, page = f.do("GET", dialog, nil)
			if tc.wantText != "" {
				if !strings.Contains(page, html.EscapeString(tc.wantText)) {
					t.Fatalf("got dialog:\n%s\nwant HubSpot's text %q", page, tc.wantText)
				}
				return
			}
			finalize, err := url.Parse(attr(t, page, "hsemu-finalize", "src"))
			if err != nil {
				t.Fatal(err)
			}
			if got := finalize.Query().Get("state"); got != "partner-state" {
				t.Errorf("finalize state = %q; want the sign-in's partner-state", got)
			}
		})
	}
}

func TestMarketplaceInsufficientTier(t *testing.T) {
	f := newMarketplaceFixture(t, false, emulator.Portal{HubID: 7654321, Scopes: []string{"crm.objects.deals.read"}})
	dialog := f.open()
	f.connect(dialog)
	_, _, page := f.do("GET", dialog, nil)
	if !strings.Contains(page, html.EscapeString(hubspot.TextAccountLacksFeatures)) {
		t.Fatalf("got dialog:\n%s\nwant HubSpot's text for an account that lacks a required tool", page)
	}
	code, _, events := f.do("GET", "/_hsemu/events", nil)
	if !strings.Contains(events, `"route":"POST `+hubspot.MarketplaceConnectPath+`"`) || !strings.Contains(events, `"outcome":"ACCOUNT_LACKS_FEATURES"`) {
		t.Errorf("events (HTTP %d) do not record Connect app's refusal:\n%s", code, events)
	}
}

func TestMarketplaceNotFound(t *testing.T) {
	f := newMarketplaceFixture(t, false, emulator.Portal{})
	for _, tc := range []struct {
		name, path string
		want       int
	}{
		{"unknown account", hubspot.MarketplacePath(hubspot.MarketplaceAppPath, 99, f.app.ID), http.StatusNotFound},
		{"unknown app", hubspot.MarketplacePath(hubspot.MarketplaceAppPath, f.hubID, 999), http.StatusNotFound},
		{"not a number", "/ecosystem/x/marketplace/apps/1", http.StatusNotFound},
		{"unknown install", f.path(hubspot.MarketplaceInstallPath) + "?installId=nope", http.StatusNotFound},
		{"return of an unknown install", f.path(hubspot.MarketplaceReturnPath) + "?installId=nope&stage=finalize", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, _, page := f.do("GET", tc.path, nil); status != tc.want || !strings.Contains(page, "hsemu-error-text") {
				t.Errorf("got %d; want %d with an error page", status, tc.want)
			}
		})
	}
}

func TestMarketplaceNoInstallURL(t *testing.T) {
	f := newMarketplaceFixture(t, false, emulator.Portal{})
	app := f.app
	app.InstallURL = ""
	if _, err := f.em.AddApp(app); err != nil {
		t.Fatal(err)
	}
	if _, _, page := f.do("GET", f.path(hubspot.MarketplaceAppPath), nil); strings.Contains(page, `id="hsemu-install"`) || !strings.Contains(page, "--install-url") {
		t.Errorf("listing of an app without install URL:\n%s", page)
	}
	if status, _, _ := f.do("GET", f.path(hubspot.MarketplaceInstallPath), nil); status != http.StatusConflict {
		t.Errorf("Install: got %d; want 409", status)
	}
}
