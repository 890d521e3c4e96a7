package browser

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestParseRefresh(t *testing.T) {
	base := mustURL(t, "https://ex.test/dir/page?q=1")
	tests := []struct {
		content string
		delay   int
		url     string // "" when content is not a refresh
	}{
		{"0; url=/next", 0, "https://ex.test/next"},
		{"0;URL=/next", 0, "https://ex.test/next"},
		{"  5 ,  url = /next", 5, "https://ex.test/next"},
		{"0; url='/a?x=1&y=2' trailing", 0, "https://ex.test/a?x=1&y=2"},
		{`0; url="https://app.hubspot.com/r?s=1"`, 0, "https://app.hubspot.com/r?s=1"},
		{"0;url=next", 0, "https://ex.test/dir/next"},
		{"0 url=/next", 0, "https://ex.test/next"},
		{"0; /next", 0, "https://ex.test/next"},
		{"0; 'quoted'", 0, "https://ex.test/dir/quoted"},
		{"1.5; url=/next", 1, "https://ex.test/next"},
		{".5; url=/next", 0, "https://ex.test/next"},
		{"0", 0, "https://ex.test/dir/page?q=1"},
		{"0;", 0, "https://ex.test/dir/page?q=1"},
		{"0; urlx=/a", 0, "https://ex.test/dir/urlx=/a"},
		{"0; ur/a", 0, "https://ex.test/dir/ur/a"},
		{"url=/next", 0, ""},
		{"0x; url=/a", 0, ""},
		{"", 0, ""},
	}
	for _, tt := range tests {
		r := parseRefresh(tt.content, base)
		switch {
		case tt.url == "" && r != nil:
			t.Errorf("parseRefresh(%q) = %v; want no refresh", tt.content, r.url)
		case tt.url != "" && r == nil:
			t.Errorf("parseRefresh(%q) = nil; want %s", tt.content, tt.url)
		case r != nil && (r.url.String() != tt.url || r.delay != tt.delay):
			t.Errorf("parseRefresh(%q) = %d, %s; want %d, %s", tt.content, r.delay, r.url, tt.delay, tt.url)
		}
	}
}

func TestParseForms(t *testing.T) {
	const doc = `<!doctype html><html><head><title> Sign
	in </title><base href="https://ex.test/base/"></head><body>
<h1>Welcome</h1><script>var hidden = "no";</script><style>p{}</style>
<form id=login method=POST action="session?x=1">
  <input type=hidden name=returnUrl value="https://app.hubspot.com/r?a=1&amp;b=2">
  <input name=email>
  <input type=password name=password>
  <input type=checkbox name=remember checked>
  <input type=checkbox name=terms value=yes>
  <input type=radio name=plan value=free checked><input type=radio name=plan value=pro>
  <textarea name=note>
line</textarea>
  <select name=region><option>na1</option><option value=eu1 selected>Europe</option></select>
  <select name=tier><option value=a>A</option><option>B</option></select>
  <select name=tags multiple><option selected>x</option><option>y</option><option selected>z</option></select>
  <input name=off disabled value=1>
  <fieldset disabled><input name=fs value=1></fieldset>
  <input value=unnamed>
  <input type=file name=f><input type=reset name=r><input type=image name=i>
  <button name=action value=signin>Sign in</button>
  <button type=button name=js>JS</button>
  <input type=submit name=alt value=Other>
</form>
<form name=search><input name=q type=search></form>
<input form=login name=outside value=o>
<form action="" method=dialog enctype="multipart/form-data"></form>
</body></html>`
	p := mustURL(t, "https://ex.test/install?step=authorize")
	d := parseDocument([]byte(doc), p)
	if d.title != "Sign in" {
		t.Errorf("title = %q; want %q", d.title, "Sign in")
	}
	if !strings.HasPrefix(d.text, "Welcome ") {
		t.Errorf("text = %q; want the visible text starting with Welcome", d.text)
	}
	if strings.Contains(d.text, "hidden") || strings.Contains(d.text, "p{}") {
		t.Errorf("text %q includes script or style", d.text)
	}
	if len(d.forms) != 3 {
		t.Fatalf("%d forms; want 3", len(d.forms))
	}
	want := Form{
		Action: mustURL(t, "https://ex.test/base/session?x=1"), Method: http.MethodPost, Enctype: formURLEncoded, ID: "login",
		Fields: []Field{
			{Name: "returnUrl", Type: "hidden", Value: "https://app.hubspot.com/r?a=1&b=2"},
			{Name: "email", Type: "text"},
			{Name: "password", Type: "password"},
			{Name: "remember", Type: "checkbox", Value: "on", Checked: true},
			{Name: "terms", Type: "checkbox", Value: "yes"},
			{Name: "plan", Type: "radio", Value: "free", Checked: true},
			{Name: "plan", Type: "radio", Value: "pro"},
			{Name: "note", Type: "textarea", Value: "line"},
			{Name: "region", Type: "select", Value: "eu1"},
			{Name: "tier", Type: "select", Value: "a"},
			{Name: "tags", Type: "select", Value: "x"},
			{Name: "tags", Type: "select", Value: "z"},
			{Name: "action", Type: "submit", Value: "signin"},
			{Name: "alt", Type: "submit", Value: "Other"},
			{Name: "outside", Type: "text", Value: "o"},
		},
	}
	if !reflect.DeepEqual(d.forms[0], want) {
		t.Errorf("login form:\n got %+v\nwant %+v", d.forms[0], want)
	}
	search := d.forms[1]
	if search.Name != "search" || search.Method != http.MethodGet || search.Action.String() != p.String() {
		t.Errorf("search form = %+v; want GET to the page URL", search)
	}
	if f := d.forms[2]; f.Action.String() != p.String() || f.Enctype != formMultipart || f.Method != http.MethodGet {
		t.Errorf("third form = %+v; want the page URL, multipart, GET", f)
	}

	pg := &Page{URL: p, Forms: d.forms}
	if f, err := pg.Form("login"); err != nil || f.ID != "login" {
		t.Errorf(`Form("login") = %v, %v`, f.ID, err)
	}
	if f, err := pg.Form("search"); err != nil || f.Name != "search" {
		t.Errorf(`Form("search") = %v, %v`, f.Name, err)
	}
	if _, err := pg.Form(""); err == nil || !strings.Contains(err.Error(), "3 forms") {
		t.Errorf(`Form("") on 3 forms: %v; want an error asking which`, err)
	}
	if _, err := pg.Form("nope"); err == nil || !strings.Contains(err.Error(), "#login") {
		t.Errorf(`Form("nope"): %v; want an error listing the forms`, err)
	}
	if _, err := (&Page{URL: p, Title: "Oops"}).Form(""); err == nil || !strings.Contains(err.Error(), "has no form") {
		t.Errorf(`Form on a page without forms: %v`, err)
	}
}

func TestNonHTMLNotParsed(t *testing.T) {
	w := newTestWeb(t)
	w.handle("a.localhost", map[string]http.HandlerFunc{
		"/json": func(rw http.ResponseWriter, _ *http.Request) {
			rw.Header().Set("Content-Type", "application/json")
			_, _ = rw.Write([]byte(`{"html":"<meta http-equiv=refresh content='0;url=/x'><form></form>"}`))
		},
		"/sniffed": func(rw http.ResponseWriter, _ *http.Request) {
			rw.Header()["Content-Type"] = nil // no Content-Type: sniffed
			_, _ = rw.Write([]byte("<html><title>sniffed</title></html>"))
		},
	})
	b := w.browser(Options{})
	p, err := b.Navigate(ctxT(t), w.url("a.localhost", "/json"), TopLevel)
	if err != nil || len(p.Hops) != 1 || len(p.Forms) != 0 {
		t.Errorf("JSON page: %d hops, %d forms, err %v; want it left alone", len(p.Hops), len(p.Forms), err)
	}
	p, err = b.Navigate(ctxT(t), w.url("a.localhost", "/sniffed"), TopLevel)
	if err != nil || p.Title != "sniffed" {
		t.Errorf("sniffed page title %q, err %v; want sniffed as HTML", p.Title, err)
	}
}

func TestTextExcerptBounded(t *testing.T) {
	d := parseDocument([]byte("<p>"+strings.Repeat("word ", 2000)+"</p>"), mustURL(t, "http://a/"))
	if n := len([]rune(d.text)); n > maxTextExcerpt+1 {
		t.Errorf("text is %d runes; want at most %d and an ellipsis", n, maxTextExcerpt)
	}
	if !strings.HasSuffix(d.text, "…") {
		t.Errorf("cut text does not end in …")
	}
}
