package browser

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Form encodings a browser submits (HTML Standard §4.10.21.7 "Form submission encodings").
const (
	formURLEncoded = "application/x-www-form-urlencoded"
	formMultipart  = "multipart/form-data"
)

// Form is an HTML <form> as the browser would submit it.
type Form struct {
	Action  *url.URL // resolved; the page's URL when the form has no action
	Method  string   // "GET" or "POST"
	Enctype string   // "application/x-www-form-urlencoded" or "multipart/form-data"
	Fields  []Field  // enabled, named controls in document order
	ID      string
	Name    string
}

// Field is one named form control: an input (hidden, text, password, email, checkbox, radio,
// submit …), a textarea, a selected option of a select, or a submit button.
type Field struct {
	Name  string
	Type  string // the input type; "textarea", "select" or "submit" for those elements
	Value string
	// Checked is whether a checkbox or radio is checked; only checked ones are submitted.
	Checked bool
}

// Field types the browser treats apart: submit buttons, and the controls only submitted when
// checked (HTML §4.10.21.4, constructing the entry list).
const (
	typeSubmit   = "submit"
	typeCheckbox = "checkbox"
	typeRadio    = "radio"
)

// label names the form for error messages.
func (f Form) label() string {
	switch {
	case f.ID != "":
		return "#" + f.ID
	case f.Name != "":
		return f.Name
	default:
		return f.Method + " " + shortURL(f.Action)
	}
}

// fieldNames lists the form's distinct field names.
func (f Form) fieldNames() []string {
	var names []string
	for _, fl := range f.Fields {
		if !slices.Contains(names, fl.Name) {
			names = append(names, fl.Name)
		}
	}
	return names
}

// Submit fills the form's fields named in values and submits it from page p, as the user
// pressing its submit button: a "form submit" hop with the form's method, then whatever it
// leads to. A name in values that the form lacks is an error listing the form's fields.
//
// Filling follows what a user can do: a text-like field takes the value; a checkbox or radio
// whose value matches is checked (its group's other radios unchecked), and "" unchecks the
// group's checkboxes; naming a submit button chooses it as the submitter, otherwise the first
// submit button is used, as on pressing Enter (HTML Standard §4.10.21.2 "Implicit submission").
func (b *Browser) Submit(ctx context.Context, p *Page, f Form, values map[string]string) (*Page, error) {
	if p == nil || p.URL == nil {
		return nil, fmt.Errorf("submit: no page to submit the form from")
	}
	if f.Action == nil {
		return nil, fmt.Errorf("submit: the form has no action URL; pass a Form taken from Page.Forms")
	}
	if f.Action.Scheme != "http" && f.Action.Scheme != "https" {
		return nil, fmt.Errorf("submit: form %s posts to %q, which is not an http or https URL", f.label(), shortURL(f.Action))
	}
	fields, err := fill(f, values)
	if err != nil {
		return nil, err
	}

	r := &request{
		how: HowFormSubmit, method: f.Method, url: f.Action,
		initiator: p.URL, referrerSource: p.URL, policy: p.referrerPolicy, userActivated: true,
	}
	if r.policy == "" {
		r.policy = defaultReferrerPolicy
	}
	if f.Method == http.MethodPost {
		r.body, r.contentType, err = encodeForm(fields, f.Enctype, false)
		if err == nil {
			r.recordBody, _, err = encodeForm(fields, f.Enctype, true)
		}
		if err != nil {
			return nil, fmt.Errorf("submit: form %s: %w", f.label(), err)
		}
	} else {
		q, _, _ := encodeForm(fields, formURLEncoded, false)
		action := *f.Action
		action.RawQuery = string(q)
		action.ForceQuery = false
		r.method, r.url = http.MethodGet, &action
	}
	return b.run(ctx, p.Context, r)
}

// fill applies values to a copy of f's fields and keeps those submitted: checked checkboxes
// and radios, and only the submitter among submit buttons.
func fill(f Form, values map[string]string) ([]Field, error) {
	fields := slices.Clone(f.Fields)
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic errors
	submitter := -1
	for _, name := range names {
		v := values[name]
		idx := slices.IndexFunc(fields, func(fl Field) bool { return fl.Name == name })
		if idx < 0 {
			return nil, fmt.Errorf("submit: form %s has no field %q; its fields are %s", f.label(), name, strings.Join(f.fieldNames(), ", "))
		}
		switch fields[idx].Type {
		case typeSubmit:
			submitter = slices.IndexFunc(fields, func(fl Field) bool { return fl.Type == typeSubmit && fl.Name == name && (v == "" || fl.Value == v) })
			if submitter < 0 {
				return nil, fmt.Errorf("submit: form %s has no submit button %q with value %q", f.label(), name, v)
			}
		case typeCheckbox, typeRadio:
			matched := false
			for i := range fields {
				if fields[i].Name != name {
					continue
				}
				if fields[i].Value == v {
					fields[i].Checked, matched = true, true
				} else if fields[i].Type == typeRadio || v == "" {
					fields[i].Checked = false
				}
			}
			if !matched && v != "" {
				return nil, fmt.Errorf("submit: form %s: %s %q has no option with value %q", f.label(), fields[idx].Type, name, v)
			}
		default:
			fields[idx].Value = v
		}
	}
	if submitter < 0 {
		submitter = slices.IndexFunc(fields, func(fl Field) bool { return fl.Type == typeSubmit })
	}
	var out []Field
	for i, fl := range fields {
		switch {
		case fl.Type == typeSubmit && i != submitter:
		case (fl.Type == typeCheckbox || fl.Type == typeRadio) && !fl.Checked:
		default:
			out = append(out, fl)
		}
	}
	return out, nil
}

// encodeForm serializes fields in document order (HTML Standard §4.10.21.8 "URL-encoded form
// data" and "multipart/form-data"). With redact, password values are replaced by "…" for the
// hop record (a recorded multipart body has its own boundary).
func encodeForm(fields []Field, enctype string, redact bool) (body []byte, contentType string, err error) {
	value := func(fl Field) string {
		if redact && fl.Type == "password" {
			return "…"
		}
		return fl.Value
	}
	if enctype == formMultipart {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		if redact {
			_ = w.SetBoundary("hsemu-recorded-form-boundary")
		}
		for _, fl := range fields {
			if err := w.WriteField(fl.Name, value(fl)); err != nil {
				return nil, "", fmt.Errorf("encoding field %q: %w", fl.Name, err)
			}
		}
		if err := w.Close(); err != nil {
			return nil, "", fmt.Errorf("encoding the form: %w", err)
		}
		return buf.Bytes(), w.FormDataContentType(), nil
	}
	var b strings.Builder
	for i, fl := range fields {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(fl.Name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(value(fl)))
	}
	return []byte(b.String()), formURLEncoded, nil
}
