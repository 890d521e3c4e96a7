package browser

import (
	"bytes"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxTextExcerpt bounds Page.Text, the visible text kept for error messages.
const maxTextExcerpt = 1000

// document is what the browser reads from an HTML page.
type document struct {
	title          string
	text           string
	forms          []Form
	refresh        *refresh // the first <meta http-equiv=refresh>, nil if none
	referrerPolicy referrerPolicy
	jsSnippet      string // an inline script that navigates, "" if none
}

// refresh is a parsed declarative refresh: a <meta http-equiv=refresh> or a Refresh header.
type refresh struct {
	delay int // seconds; the browser follows at once, as the page would after the wait
	url   *url.URL
}

// isHTML reports whether a response is an HTML document, by its Content-Type or, when that is
// missing, by sniffing (WHATWG MIME Sniffing, as http.DetectContentType implements).
func isHTML(h http.Header, body []byte) bool {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = http.DetectContentType(body)
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "text/html" || mt == "application/xhtml+xml")
}

// parseDocument reads an HTML page fetched from docURL. The parser runs with scripting
// enabled, as in a browser, so a <meta> inside <noscript> is not seen.
func parseDocument(body []byte, docURL *url.URL) *document {
	root, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return &document{} // html.Parse only fails on read errors, impossible on a byte slice
	}
	d := &document{}
	base := docURL
	// The first <base href> sets the document base URL (HTML Standard §4.2.3).
	for n := range root.Descendants() {
		if n.Type == html.ElementNode && n.DataAtom == atom.Base {
			if href, ok := attr(n, "href"); ok {
				if b, err := docURL.Parse(strings.TrimSpace(href)); err == nil {
					base = b
				}
				break
			}
		}
	}

	var text strings.Builder
	formOf := map[*html.Node]int{}      // <form> node → index in d.forms
	formByID := map[string]*html.Node{} // id → <form> node, for form= attributes
	for n := range root.Descendants() {
		if n.Type == html.ElementNode && n.DataAtom == atom.Form {
			if id, ok := attr(n, "id"); ok {
				if _, dup := formByID[id]; !dup {
					formByID[id] = n
				}
			}
		}
	}

	var walk func(n *html.Node, form *html.Node, hidden bool)
	walk = func(n *html.Node, form *html.Node, hidden bool) {
		switch n.Type {
		case html.TextNode:
			if !hidden {
				appendText(&text, n.Data)
			}
			return
		case html.ElementNode:
		default:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, form, hidden)
			}
			return
		}
		switch n.DataAtom {
		case atom.Title:
			if d.title == "" {
				d.title = collapse(textContent(n))
			}
			return
		case atom.Script:
			if d.jsSnippet == "" && isJavaScript(n) {
				d.jsSnippet = jsNavigation(textContent(n))
			}
			return
		case atom.Style, atom.Template, atom.Noscript, atom.Head:
			hidden = true
		case atom.Meta:
			d.readMeta(n, base)
		case atom.Form:
			form = n
			formOf[n] = len(d.forms)
			d.forms = append(d.forms, newForm(n, docURL, base))
		case atom.Input, atom.Button, atom.Textarea, atom.Select:
			owner := form
			if id, ok := attr(n, "form"); ok {
				owner = formByID[id]
			}
			if i, ok := formOf[owner]; ok && !disabled(n) {
				d.forms[i].Fields = append(d.forms[i].Fields, controlFields(n)...)
			}
		default:
			// Any other element only matters for its children and event handlers.
		}
		if d.jsSnippet == "" {
			// Only handlers that run without the user: onload and onpageshow.
			for _, a := range n.Attr {
				if a.Key == "onload" || a.Key == "onpageshow" {
					if s := jsNavigation(a.Val); s != "" {
						d.jsSnippet = s
						break
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, form, hidden)
		}
	}
	walk(root, nil, false)
	d.text = truncateRunes(strings.TrimSpace(text.String()), maxTextExcerpt)
	return d
}

// readMeta applies a <meta http-equiv=refresh> (the first one only, HTML Standard §4.2.5.3
// "Refresh state") or a <meta name=referrer>.
func (d *document) readMeta(n *html.Node, base *url.URL) {
	content, ok := attr(n, "content")
	if !ok {
		return
	}
	if equiv, _ := attr(n, "http-equiv"); strings.EqualFold(strings.TrimSpace(equiv), "refresh") && d.refresh == nil {
		d.refresh = parseRefresh(content, base)
	}
	if name, _ := attr(n, "name"); strings.EqualFold(strings.TrimSpace(name), "referrer") {
		if p, ok := knownPolicies[strings.ToLower(strings.TrimSpace(content))]; ok {
			d.referrerPolicy = p
		}
	}
}

// parseRefresh implements the HTML Standard's "shared declarative refresh steps" (§4.2.5.3) for
// content such as `0; url='https://app.hubspot.com/…'`. It returns nil when content is not a
// valid refresh. Without a URL the page refreshes itself (base is then the page's URL).
func parseRefresh(content string, base *url.URL) *refresh {
	delay, urlString, hasURL, ok := refreshTarget(content)
	if !ok {
		return nil
	}
	r := &refresh{delay: delay, url: base}
	if !hasURL {
		return r
	}
	target, err := base.Parse(urlString)
	if err != nil {
		return nil
	}
	r.url = target
	return r
}

// RefreshURL is the URL of a declarative refresh — a <meta http-equiv=refresh> content or a
// Refresh header value — as written (unresolved), read as the browser reads it; "" when the
// value is no valid refresh, its URL does not parse, or the page refreshes itself.
func RefreshURL(content string) string {
	_, urlString, hasURL, ok := refreshTarget(content)
	if !ok || !hasURL {
		return ""
	}
	if _, err := url.Parse(urlString); err != nil {
		return ""
	}
	return urlString
}

// refreshTarget reads content by the shared declarative refresh steps: the delay in seconds and
// the URL string, trimmed; hasURL is false when there is no URL part; ok is false when content
// is not a valid refresh.
func refreshTarget(content string) (delay int, urlString string, hasURL, ok bool) {
	s := content
	skipWS := func() { s = strings.TrimLeft(s, " \t\n\f\r") }
	skipWS()
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	if digits == 0 && !strings.HasPrefix(s, ".") {
		return 0, "", false, false
	}
	// The time is the integer part; a fraction is skipped and ignored.
	delay, _ = strconv.Atoi(s[:digits])
	s = strings.TrimLeft(s[digits:], "0123456789.")
	if s == "" {
		return delay, "", false, true
	}
	if !strings.ContainsRune(";, \t\n\f\r", rune(s[0])) {
		return 0, "", false, false
	}
	skipWS()
	if s != "" && (s[0] == ';' || s[0] == ',') {
		s = s[1:]
	}
	skipWS()
	if s == "" {
		return delay, "", false, true
	}
	urlString = s
	if s[0] == 'u' || s[0] == 'U' {
		s = s[1:]
		if len(s) > 0 && (s[0] == 'r' || s[0] == 'R') && len(s) > 1 && (s[1] == 'l' || s[1] == 'L') {
			s = s[2:]
			skipWS()
			if len(s) > 0 && s[0] == '=' {
				s = s[1:]
				skipWS()
				urlString = unquote(s)
			}
		}
	} else {
		urlString = unquote(s)
	}
	return delay, strings.TrimSpace(urlString), true, true
}

// unquote implements the "skip quotes" step: a leading ' or " quotes the URL up to the next
// occurrence of the same character.
func unquote(s string) string {
	if s == "" || (s[0] != '\'' && s[0] != '"') {
		return s
	}
	q := s[0]
	s = s[1:]
	if i := strings.IndexByte(s, q); i >= 0 {
		s = s[:i]
	}
	return s
}

// jsRedirectPatterns match script that navigates the page: assignments to location or
// location.href, location.replace/assign calls, and forms submitted from script.
var jsRedirectPatterns = regexp.MustCompile(
	`(?:^|[^\w$.])(?:(?:window|document|self|top|parent)\.)*location(?:\.href)?\s*=[^=]` +
		`|\blocation\.(?:replace|assign)\s*\(` +
		`|\.submit\s*\(\s*\)`)

// jsNavigation returns a short excerpt around the first navigation in script, "" if none.
func jsNavigation(script string) string {
	loc := jsRedirectPatterns.FindStringIndex(script)
	if loc == nil {
		return ""
	}
	start := max(0, loc[0]-40)
	end := min(len(script), loc[1]+100)
	for start > 0 && !utf8.RuneStart(script[start]) {
		start--
	}
	for end < len(script) && !utf8.RuneStart(script[end]) {
		end++
	}
	return collapse(script[start:end])
}

// isJavaScript reports whether a <script> holds inline classic or module script (HTML
// Standard §4.12.1: an empty type or a JavaScript MIME type), not data such as JSON.
func isJavaScript(n *html.Node) bool {
	if _, ok := attr(n, "src"); ok {
		return false
	}
	t, _ := attr(n, "type")
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "", "module", "text/javascript", "application/javascript", "text/ecmascript", "application/ecmascript":
		return true
	}
	return false
}

// newForm reads a <form> element's own attributes (HTML Standard §4.10.21.3 "Form submission
// algorithm"): an empty or missing action submits to the document's URL.
func newForm(n *html.Node, docURL, base *url.URL) Form {
	f := Form{Action: docURL, Method: http.MethodGet, Enctype: formURLEncoded}
	f.ID, _ = attr(n, "id")
	f.Name, _ = attr(n, "name")
	if action, _ := attr(n, "action"); strings.TrimSpace(action) != "" {
		if a, err := base.Parse(strings.TrimSpace(action)); err == nil {
			f.Action = a
		}
	}
	if m, _ := attr(n, "method"); strings.EqualFold(strings.TrimSpace(m), "post") {
		f.Method = http.MethodPost
	}
	if e, _ := attr(n, "enctype"); strings.EqualFold(strings.TrimSpace(e), formMultipart) {
		f.Enctype = formMultipart
	}
	return f
}

// controlFields reads the fields a form control contributes (HTML Standard §4.10.21.4
// "Constructing the entry list"). Unnamed controls and file, image and reset inputs
// contribute none; a select contributes its selected options, or its first one.
func controlFields(n *html.Node) []Field {
	name, _ := attr(n, "name")
	if name == "" {
		return nil
	}
	value, _ := attr(n, "value")
	switch n.DataAtom {
	case atom.Textarea:
		return []Field{{Name: name, Type: "textarea", Value: strings.TrimPrefix(textContent(n), "\n")}}
	case atom.Button:
		t, _ := attr(n, "type")
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" && t != typeSubmit {
			return nil
		}
		return []Field{{Name: name, Type: typeSubmit, Value: value}}
	case atom.Select:
		return selectFields(n, name)
	default: // an input
	}
	t, _ := attr(n, "type")
	t = strings.ToLower(strings.TrimSpace(t))
	switch t {
	case "":
		t = "text"
	case "file", "image", "reset", "button":
		return nil
	}
	f := Field{Name: name, Type: t, Value: value}
	if t == typeCheckbox || t == typeRadio {
		_, f.Checked = attr(n, "checked")
		if _, ok := attr(n, "value"); !ok {
			f.Value = "on"
		}
	}
	return []Field{f}
}

// selectFields reads a <select>: every selected, enabled option, or the first enabled option
// when none is selected and the select is not multiple.
func selectFields(n *html.Node, name string) []Field {
	var options []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.DataAtom == atom.Option && !disabled(c) {
			options = append(options, c)
		}
	}
	optionValue := func(o *html.Node) string {
		if v, ok := attr(o, "value"); ok {
			return v
		}
		return collapse(textContent(o))
	}
	var out []Field
	for _, o := range options {
		if _, ok := attr(o, "selected"); ok {
			out = append(out, Field{Name: name, Type: "select", Value: optionValue(o)})
		}
	}
	if _, multiple := attr(n, "multiple"); len(out) == 0 && !multiple && len(options) > 0 {
		out = append(out, Field{Name: name, Type: "select", Value: optionValue(options[0])})
	}
	return out
}

// disabled reports whether a control is disabled by its own attribute or a disabled
// <fieldset> around it.
func disabled(n *html.Node) bool {
	if _, ok := attr(n, "disabled"); ok {
		return true
	}
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.DataAtom == atom.Fieldset {
			if _, ok := attr(p, "disabled"); ok {
				return true
			}
		}
	}
	return false
}

// attr returns the value of n's attribute key (lower-case, as the parser stores them).
func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// textContent concatenates the text nodes under n.
func textContent(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// appendText adds a text node's words to b, collapsing white space, while b is under the
// excerpt bound.
func appendText(b *strings.Builder, s string) {
	if b.Len() > 4*maxTextExcerpt {
		return
	}
	for _, w := range strings.Fields(s) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
}

// collapse trims s and replaces each run of white space with one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// truncateRunes cuts s to at most n runes, marking the cut with "…".
func truncateRunes(s string, n int) string {
	i := 0
	for k := 0; k < n; k++ {
		if i >= len(s) {
			return s
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if i >= len(s) {
		return s
	}
	return strings.Clone(s[:i]) + "…"
}
