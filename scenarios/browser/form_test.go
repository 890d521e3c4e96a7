package browser

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

const signInPage = `<title>Sign in</title>
<form id=login method=post action=/session>
  <input type=hidden name=returnUrl value="https://app.hubspot.com/r?a=1">
  <input name=email>
  <input type=password name=password>
  <input type=checkbox name=remember value=yes>
  <input type=radio name=plan value=free checked><input type=radio name=plan value=pro>
  <button name=action value=signin>Sign in</button>
  <button name=action value=cancel>Cancel</button>
</form>
<form id=find action="/search?old=1"><input name=q><input type=submit value=Go></form>`

func TestSubmitPost(t *testing.T) {
	w := newTestWeb(t)
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/install": page(signInPage),
		"/session": redirectTo(http.StatusSeeOther, "/done"),
		"/done":    page("<title>done</title>"),
	})
	b := w.browser(Options{})
	ctx := ctxT(t)
	p, err := b.Navigate(ctx, w.url("a.localhost", "/install"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	f, err := p.Form("login")
	if err != nil {
		t.Fatal(err)
	}
	done, err := b.Submit(ctx, p, f, map[string]string{
		"email": "ann@example.com", "password": "hunter2 &=", "remember": "yes", "plan": "pro",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hopPaths(done.Hops), []string{"form submit POST /session", "redirect 303 GET /done"}; !slices.Equal(got, want) {
		t.Errorf("hops = %q; want %q", got, want)
	}
	reqs, bodies := w.received("/session")
	wantBody := "returnUrl=https%3A%2F%2Fapp.hubspot.com%2Fr%3Fa%3D1&email=ann%40example.com&password=hunter2+%26%3D&remember=yes&plan=pro&action=signin"
	if bodies[0] != wantBody {
		t.Errorf("body sent\n got %s\nwant %s", bodies[0], wantBody)
	}
	if got := reqs[0].Header.Get("Content-Type"); got != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", got)
	}
	if got, want := reqs[0].Header.Get("Origin"), w.origin("a.localhost"); got != want {
		t.Errorf("Origin = %q; want %q", got, want)
	}
	if got := reqs[0].Header.Get("Sec-Fetch-User"); got != "?1" {
		t.Errorf("Sec-Fetch-User = %q; want ?1 for a user's submit", got)
	}
	rec := string(done.Hops[0].RequestBody)
	if strings.Contains(rec, "hunter2") || !strings.Contains(rec, "password=%E2%80%A6") {
		t.Errorf("recorded body %q; want the password redacted", rec)
	}
	if f.Fields[1].Value != "" {
		t.Errorf("Submit changed the caller's form: %+v", f.Fields[1])
	}

	// Naming a submit button picks it as the submitter.
	if _, err := b.Submit(ctx, p, f, map[string]string{"action": "cancel"}); err != nil {
		t.Fatal(err)
	}
	_, bodies = w.received("/session")
	if got := bodies[1]; !strings.HasSuffix(got, "&plan=free&action=cancel") {
		t.Errorf("body %q; want the default radio and the chosen button only", got)
	}
}

func TestSubmitGetAndMultipart(t *testing.T) {
	w := newTestWeb(t)
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/p":      page(signInPage + `<form id=up method=post enctype="multipart/form-data" action=/up><input name=a value=1><textarea name=b>two</textarea></form>`),
		"/search": page("<title>results</title>"),
		"/up":     page("<title>uploaded</title>"),
	})
	b := w.browser(Options{})
	ctx := ctxT(t)
	p, err := b.Navigate(ctx, w.url("a.localhost", "/p"), TopLevel)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := p.Form("find")
	r, err := b.Submit(ctx, p, f, map[string]string{"q": "a b"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.URL.RawQuery, "q=a+b"; got != want || r.Hops[0].Method != http.MethodGet || r.Title != "results" {
		t.Errorf("GET submit to %s (%s); want the query replaced by %q", r.URL, r.Hops[0].Method, want)
	}
	if reqs, _ := w.received("/search"); reqs[0].Header.Get("Origin") != "" {
		t.Errorf("a GET navigation sent Origin")
	}

	f, _ = p.Form("up")
	if _, err := b.Submit(ctx, p, f, nil); err != nil {
		t.Fatal(err)
	}
	reqs, bodies := w.received("/up")
	ct := reqs[0].Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "multipart/form-data; boundary=") || !strings.Contains(bodies[0], `name="b"`+"\r\n\r\ntwo") {
		t.Errorf("multipart: Content-Type %q, body %q", ct, bodies[0])
	}
}

func TestSubmitErrors(t *testing.T) {
	p := &Page{URL: mustURL(t, "http://a.localhost/"), Forms: parseDocument([]byte(signInPage), mustURL(t, "http://a.localhost/")).forms}
	f := p.Forms[0]
	b := New(Options{})
	ctx := ctxT(t)
	tests := []struct {
		name   string
		p      *Page
		f      Form
		values map[string]string
		want   string
	}{
		{"unknown field", p, f, map[string]string{"username": "x"}, `has no field "username"; its fields are returnUrl, email, password, remember, plan, action`},
		{"unknown radio value", p, f, map[string]string{"plan": "gold"}, `radio "plan" has no option with value "gold"`},
		{"unknown button value", p, f, map[string]string{"action": "delete"}, `no submit button "action" with value "delete"`},
		{"no page", nil, f, nil, "no page"},
		{"no action", p, Form{}, nil, "no action URL"},
		{"bad action", p, Form{Action: &url.URL{Scheme: "javascript", Opaque: "void(0)"}}, nil, "not an http or https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.Submit(ctx, tt.p, tt.f, tt.values)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v; want it to contain %q", err, tt.want)
			}
		})
	}
}
