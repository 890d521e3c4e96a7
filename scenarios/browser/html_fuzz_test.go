package browser

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzPage is the page URL a fuzzed document is read from when the fuzzed one does not parse.
const fuzzPage = "http://localhost:3000/login?next=%2Fhome"

// FuzzParseDocument reads fuzzed HTML as a page and fills each of its forms with fuzzed sign-in
// values, as --login does: no panic; the kept text is bounded; every form is one a browser could
// submit; filling the text-like fields it has always succeeds; and the encoded body reads back,
// field for field, as the server will parse it.
func FuzzParseDocument(f *testing.F) {
	f.Add([]byte(`<!doctype html><title>Sign in</title><form method=post action="/session"><input type=hidden name=csrf value=t0k><input name=email type=email><input type=password name=password><input type=checkbox name=remember checked><button name=go value=1>Sign in</button></form>`), fuzzPage, "me@example.com", "s3cret")
	f.Add([]byte(`<base href="https://app.example/"><form id=f enctype=multipart/form-data method=POST action=x></form><input form=f name=user><select name=s><option disabled>a<option selected value=b>B</select><textarea name=t>
line</textarea>`), "https://partner.example/a/b", "u\r\n\"x\"", "p&a=ss%zz")
	f.Add([]byte(`<meta http-equiv=refresh content="0;url='/next'"><noscript><meta http-equiv=refresh content=1></noscript><script>window.location.href = "/x"</script><body onload="document.forms[0].submit()">`), "http://127.0.0.1:8080/", "", "")
	f.Add([]byte(`<form><fieldset disabled><input name=a></fieldset><input name="" value=x><input type=radio name=r value=1><input type=radio name=r value=2 checked><input type=image name=i><form><input name=nested></form>`), "http://x/", "1", "2")
	f.Add([]byte("<form action=\"javascript:alert(1)\"><input name=\"\xff\x00\" value=\"&nGt;&amp;\"></form><title>\xff&#0;</title>"), "data:text/html,x", "\xff", "\x00")
	f.Add([]byte(strings.Repeat("<p>word ", 3000)+strings.Repeat("<form>", 50)), fuzzPage, "a", "b")
	f.Fuzz(func(t *testing.T, body []byte, page, user, password string) {
		docURL, err := url.Parse(page)
		if err != nil || !docURL.IsAbs() {
			docURL, _ = url.Parse(fuzzPage)
		}
		d := parseDocument(body, docURL)

		// The kept text is bounded; what is read is in proportion to the page.
		if n := utf8.RuneCountInString(d.text); n > maxTextExcerpt+1 {
			t.Fatalf("text excerpt of %d runes; the bound is %d", n, maxTextExcerpt)
		}
		if len(d.jsSnippet) > 160 {
			t.Fatalf("script excerpt of %d bytes", len(d.jsSnippet))
		}
		bound := 3*len(body) + 16 // entities and U+FFFD may grow a byte to three
		if len(d.title) > bound {
			t.Fatalf("title of %d bytes from a page of %d", len(d.title), len(body))
		}
		if n := bytes.Count(bytes.ToLower(body), []byte("<form")); len(d.forms) > n {
			t.Fatalf("%d forms from %d <form tags", len(d.forms), n)
		}
		if d.refresh != nil && d.refresh.url == nil {
			t.Fatal("a refresh without a URL")
		}

		for _, form := range d.forms {
			switch {
			case form.Action == nil:
				t.Fatal("a form without an action URL")
			case form.Method != "GET" && form.Method != "POST":
				t.Fatalf("form method %q", form.Method)
			case form.Enctype != formURLEncoded && form.Enctype != formMultipart:
				t.Fatalf("form enctype %q", form.Enctype)
			}
			values := map[string]string{}
			for _, fl := range form.Fields {
				if fl.Name == "" || fl.Type == "" {
					t.Fatalf("field %+v has no name or type", fl)
				}
				if len(fl.Name)+len(fl.Value) > 2*bound {
					t.Fatalf("field of %d bytes from a page of %d", len(fl.Name)+len(fl.Value), len(body))
				}
				switch fl.Type {
				case "email", "text":
					values[fl.Name] = user
				case "password":
					values[fl.Name] = password
				}
			}
			// A name given twice (a text field and a checkbox) is not a plain sign-in form.
			for _, fl := range form.Fields {
				if _, ok := values[fl.Name]; ok && fl.Type != "email" && fl.Type != "text" && fl.Type != "password" {
					delete(values, fl.Name)
				}
			}
			fields, err := fill(form, values)
			if err != nil {
				t.Fatalf("filling the sign-in fields %v of %+v: %v", values, form.Fields, err)
			}
			if len(fields) > len(form.Fields) {
				t.Fatalf("fill returned %d fields from %d", len(fields), len(form.Fields))
			}
			checkEncoded(t, form.Enctype, fields)
		}
	})
}

// multipartNames is how a field name reads back from a multipart/form-data body.
var multipartNames = strings.NewReplacer("\r", "%0D", "\n", "%0A")

// checkEncoded encodes fields as a form submission and parses it back as a server would.
func checkEncoded(t *testing.T, enctype string, fields []Field) {
	t.Helper()
	data, contentType, err := encodeForm(fields, enctype, false)
	if err != nil {
		t.Fatalf("encoding %+v: %v", fields, err)
	}
	type pair struct{ name, value string }
	var got []pair
	if enctype == formURLEncoded {
		for part := range strings.SplitSeq(string(data), "&") {
			if part == "" {
				continue
			}
			k, v, _ := strings.Cut(part, "=")
			name, err1 := url.QueryUnescape(k)
			value, err2 := url.QueryUnescape(v)
			if err1 != nil || err2 != nil {
				t.Fatalf("%q does not decode: %v %v", part, err1, err2)
			}
			got = append(got, pair{name, value})
		}
	} else {
		_, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			t.Fatalf("Content-Type %q: %v", contentType, err)
		}
		r := multipart.NewReader(bytes.NewReader(data), params["boundary"])
		for {
			p, err := r.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("multipart body does not parse: %v\n%q", err, data)
			}
			v, _ := io.ReadAll(p)
			got = append(got, pair{p.FormName(), string(v)})
		}
		// A name's CR and LF travel percent-encoded in its Content-Disposition, as the HTML
		// Standard's multipart/form-data encoding says; the server reads them so.
		for i := range fields {
			fields[i].Name = multipartNames.Replace(fields[i].Name)
		}
	}
	if len(got) != len(fields) {
		t.Fatalf("%d fields read back from %d: %q", len(got), len(fields), data)
	}
	for i, fl := range fields {
		if got[i] != (pair{fl.Name, fl.Value}) {
			t.Fatalf("field %d reads back as %q=%q; want %q=%q", i, got[i].name, got[i].value, fl.Name, fl.Value)
		}
	}
}

// FuzzParseRefresh parses fuzzed <meta http-equiv=refresh> contents and Refresh header values:
// no panic; a refresh always has a URL and a delay of zero or more; content with no URL
// refreshes the page itself; a URL written in any of the spellings the HTML Standard allows
// comes back as written; and the meta element and the header agree.
func FuzzParseRefresh(f *testing.F) {
	f.Add("0; url='https://app.hubspot.com/oauth/authorize?client_id=x'", "http://localhost:3000/cb", "https://app.example/install?a=b")
	f.Add("5", "http://localhost/", "/relative/path")
	f.Add("  3.5 , URL = \"next\"", "https://a.example/x/y", "../up")
	f.Add("0;url=", "http://a/", "")
	f.Add(".;u", "http://a/", "http://[::1]:8080/")
	f.Add("99999999999999999999999;URL='a", "http://a/", "javascript:alert(1)")
	f.Add("1\x0curl=\"x\"y\"", "http://a/", "data:text/html,<script>")
	f.Fuzz(func(t *testing.T, content, page, target string) {
		base, err := url.Parse(page)
		if err != nil || !base.IsAbs() {
			base, _ = url.Parse(fuzzPage)
		}
		r := parseRefresh(content, base)
		if r != nil && (r.url == nil || r.delay < 0) {
			t.Fatalf("refresh %+v from %q", r, content)
		}
		if raw := RefreshURL(content); (r == nil && raw != "") || (r != nil && raw != "" && mustResolve(t, base, raw) != r.url.String()) {
			t.Fatalf("RefreshURL(%q) = %q; the browser follows %+v", content, raw, r)
		}
		if trimmed := strings.Trim(content, " \t\n\f\r"); r != nil && strings.Trim(trimmed, "0123456789.") == "" && r.url != base {
			t.Fatalf("%q refreshes to %v; want the page itself", content, r.url)
		}

		// The meta element reads the same refresh as the header, for content HTML keeps as is.
		if !strings.ContainsAny(content, "\"&<>\x00\r") && utf8.ValidString(content) {
			d := parseDocument([]byte(`<meta http-equiv=refresh content="`+content+`">`), base)
			if (d.refresh == nil) != (r == nil) || (r != nil && (d.refresh.delay != r.delay || d.refresh.url.String() != r.url.String())) {
				t.Fatalf("meta %+v and header %+v differ for %q", d.refresh, r, content)
			}
		}

		// Round trip: each spelling of a refresh to target leads there.
		want, err := base.Parse(strings.TrimSpace(target))
		// (A target that starts with "url=", ";" or "," reads as part of the syntax.)
		if err != nil || strings.ContainsAny(target, "'\"\t\n\f\r ") || target == "" ||
			strings.HasPrefix(strings.ToLower(target), "url=") || strings.ContainsAny(target[:1], ";,") {
			return
		}
		for _, c := range []string{"0; url=" + target, "7;URL='" + target + "'", "1, url = \"" + target + "\"", "0 " + target, "2.5;" + target} {
			got := parseRefresh(c, base)
			if got == nil || got.url.String() != want.String() {
				t.Fatalf("parseRefresh(%q) = %+v; want a refresh to %s", c, got, want)
			}
		}
	})
}

// mustResolve resolves raw against base as parseRefresh does.
func mustResolve(t *testing.T, base *url.URL, raw string) string {
	t.Helper()
	u, err := base.Parse(raw)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return u.String()
}
