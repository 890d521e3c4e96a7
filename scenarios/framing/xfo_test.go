package framing

import (
	"reflect"
	"testing"
)

func TestSplitHeaderValue(t *testing.T) {
	// Fetch's "split" (https://fetch.spec.whatwg.org/#header-value-get-decode-and-split),
	// including the spec's own examples.
	cases := []struct {
		in   string
		want []string
	}{
		{"", []string{""}},
		{"DENY", []string{"DENY"}},
		{" DENY\t", []string{"DENY"}},
		{"DENY, SAMEORIGIN", []string{"DENY", "SAMEORIGIN"}},
		{"DENY,", []string{"DENY", ""}},
		{",", []string{"", ""}},
		{"nosniff,", []string{"nosniff", ""}},
		{`"DENY"`, []string{`"DENY"`}},
		{`"a, b", c`, []string{`"a, b"`, "c"}},
		{`text/html;", x/x`, []string{`text/html;", x/x`}},
		{`x/x;test="hi",y/y`, []string{`x/x;test="hi"`, "y/y"}},
		{`"a\"b", c`, []string{`"a\"b"`, "c"}},
		{`"unterminated\`, []string{`"unterminated\`}},
	}
	for _, tc := range cases {
		if got := splitHeaderValue(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitHeaderValue(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestCheckXFOSetSemantics(t *testing.T) {
	self := origin{scheme: "https", host: "partner.example", port: noPort}
	hubOrigin := origin{scheme: "https", host: "app.hubspot.com", port: noPort}
	cases := []struct {
		name    string
		values  []string
		blocked bool
		decided string
	}{
		{name: "absent", values: nil},
		{name: "DENY twice is one value", values: []string{"DENY", "deny"}, blocked: true, decided: "DENY"},
		{name: "allowall with an empty value blocks", values: []string{"ALLOWALL", ""}, blocked: true},
		{name: "two ALLOW-FROM values are ignored", values: []string{"ALLOW-FROM https://a.example, ALLOW-FROM https://b.example"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := checkXFO(tc.values, []origin{hubOrigin}, self)
			if got.blocked != tc.blocked || got.decided != tc.decided || got.present != (tc.values != nil) {
				t.Errorf("checkXFO(%q): blocked, decided, present = %v, %q, %v; want %v, %q, %v", tc.values, got.blocked, got.decided, got.present, tc.blocked, tc.decided, tc.values != nil)
			}
		})
	}
}
