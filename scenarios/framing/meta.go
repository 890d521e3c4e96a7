package framing

import (
	"html"
	"strings"
)

// metaElement is one <meta http-equiv> of a document.
type metaElement struct {
	httpEquiv, content string
	inHead             bool // in the document's <head>, where HTML honours http-equiv
}

// headElements may appear in <head> without ending it: the start tags the HTML parser's
// "in head" insertion mode keeps (https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inhead).
var headElements = map[string]bool{
	"html": true, "head": true, "base": true, "basefont": true, "bgsound": true, "link": true,
	"meta": true, "title": true, "style": true, "script": true, "noscript": true, "template": true,
}

// rawTextElements hold text, not markup, up to their end tag (with scripting enabled, as in
// a browser).
var rawTextElements = map[string]bool{
	"script": true, "style": true, "title": true, "textarea": true, "xmp": true,
	"iframe": true, "noembed": true, "noframes": true, "noscript": true,
}

// metaElements scans body as HTML and returns its <meta http-equiv> elements in document order.
//
// It is a small tokenizer, not the full HTML parser: it skips comments, doctypes and the
// contents of raw-text elements such as <script>, decodes character references in attribute
// values, keeps the first of duplicate attributes, and treats <head> as ended by </head>,
// <body>, any start tag "in head" does not keep, or non-whitespace text — which is where the
// HTML parser stops putting <meta> into <head>. Bodies without "http-equiv" are not scanned.
func metaElements(body []byte) []metaElement {
	if !containsFold(body, "http-equiv") {
		return nil
	}
	s := string(body)
	var metas []metaElement
	inHead := true
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		text := s[i:]
		if lt >= 0 {
			text = s[i : i+lt]
		}
		if trimASCIIWhitespace(text) != "" {
			inHead = false
		}
		if lt < 0 {
			break
		}
		i += lt
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return metas
			}
			i += 4 + end + 3
		case strings.HasPrefix(rest, "</"), strings.HasPrefix(rest, "<!"), strings.HasPrefix(rest, "<?"):
			if strings.HasPrefix(rest, "</") {
				switch tagName(rest[2:]) {
				case "head", "body", "html", "br":
					inHead = false
				}
			}
			gt := strings.IndexByte(rest, '>')
			if gt < 0 {
				return metas
			}
			i += gt + 1
		case len(rest) > 1 && isAlpha(rest[1]):
			name := tagName(rest[1:])
			tag, n, ok := scanStartTag(rest, 1+len(name))
			if !ok {
				return metas
			}
			i += n
			if !headElements[name] {
				inHead = false
			}
			if name == "meta" && tag.hasEquiv {
				metas = append(metas, metaElement{httpEquiv: tag.httpEquiv, content: tag.content, inHead: inHead})
			}
			if name == "plaintext" {
				return metas // everything after <plaintext> is text
			}
			if rawTextElements[name] {
				end := indexFold(s[i:], "</"+name)
				if end < 0 {
					return metas
				}
				i += end
			}
		default:
			inHead = false // a lone "<" is text
			i++
		}
	}
	return metas
}

// startTag holds the attributes of a start tag that matter here.
type startTag struct {
	httpEquiv, content string
	hasEquiv           bool
}

// tagName returns the lower-cased tag name at the start of s.
func tagName(s string) string {
	j := 0
	for j < len(s) && !isASCIIWhitespace(s[j]) && s[j] != '/' && s[j] != '>' {
		j++
	}
	return asciiLower(s[:j])
}

// scanStartTag reads the attributes of the start tag in s from position j (just after its
// name) and returns them with the length of the whole tag; ok is false if the tag never ends.
func scanStartTag(s string, j int) (tag startTag, n int, ok bool) {
	seen := map[string]bool{}
	for {
		for j < len(s) && (isASCIIWhitespace(s[j]) || s[j] == '/') {
			j++
		}
		if j >= len(s) {
			return tag, 0, false
		}
		if s[j] == '>' {
			return tag, j + 1, true
		}
		k := j
		if s[k] == '=' {
			k++ // an attribute name may start with "="
		}
		for k < len(s) && !isASCIIWhitespace(s[k]) && s[k] != '/' && s[k] != '>' && s[k] != '=' {
			k++
		}
		name := asciiLower(s[j:k])
		j = k
		for j < len(s) && isASCIIWhitespace(s[j]) {
			j++
		}
		value := ""
		if j < len(s) && s[j] == '=' {
			j++
			for j < len(s) && isASCIIWhitespace(s[j]) {
				j++
			}
			if j < len(s) && (s[j] == '"' || s[j] == '\'') {
				end := strings.IndexByte(s[j+1:], s[j])
				if end < 0 {
					return tag, 0, false
				}
				value, j = s[j+1:j+1+end], j+1+end+1
			} else {
				k = j
				for k < len(s) && !isASCIIWhitespace(s[k]) && s[k] != '>' {
					k++
				}
				value, j = s[j:k], k
			}
		}
		if seen[name] {
			continue // HTML drops duplicate attributes, keeping the first
		}
		seen[name] = true
		switch name {
		case "http-equiv":
			tag.httpEquiv, tag.hasEquiv = html.UnescapeString(value), true
		case "content":
			tag.content = html.UnescapeString(value)
		}
	}
}

// containsFold reports whether s contains the lower-case ASCII string sub, ignoring ASCII case.
func containsFold(s []byte, sub string) bool {
	return indexFold(s, sub) >= 0
}

// indexFold returns the index of the first occurrence of the lower-case ASCII string sub in
// s, ignoring ASCII case, or -1.
func indexFold[T string | []byte](s T, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
			j++
		}
		if j == len(sub) {
			return i
		}
	}
	return -1
}
