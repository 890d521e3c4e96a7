package settings

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
)

// FuzzPortals feeds --portal and HSEMU_PORTALS fuzzed values: no panic; an accepted portal has a
// positive hub ID or none, an e-mail address or none, and known scopes; and the portals read
// back the same once written in the flag's syntax.
func FuzzPortals(f *testing.F) {
	f.Add("hub=1234567,domain=acme.example.com,email=admin@acme.example.com,hublet=eu1,scopes=oauth crm.objects.contacts.read")
	f.Add("hub=1;hub=2, domain = b.example ;; scopes=")
	f.Add("hub=-1")
	f.Add("hub=99999999999999999999,email=nobody")
	f.Add("scopes=oauth  nope,unknown=1")
	f.Add("domain=a=b,,email=@,hublet=\x00")
	f.Fuzz(func(t *testing.T, v string) {
		portals, err := parsePortals(v)
		if err != nil {
			return
		}
		var parts []string
		for _, p := range portals {
			if p.HubID < 0 || (p.UserEmail != "" && !strings.Contains(p.UserEmail, "@")) {
				t.Fatalf("accepted portal %+v", p)
			}
			for _, s := range p.Scopes {
				if !hubspot.KnownScope(s) {
					t.Fatalf("accepted scope %q", s)
				}
			}
			parts = append(parts, formatPortal(p))
		}
		again, err := parsePortals(strings.Join(parts, ";"))
		if err != nil {
			t.Fatalf("accepted portals do not read back: %v\n%s", err, strings.Join(parts, ";"))
		}
		// A portal with no field at all is written as nothing, and so dropped.
		want := slices.DeleteFunc(slices.Clone(portals), func(p emulator.Portal) bool { return reflect.DeepEqual(p, emulator.Portal{}) })
		if len(again) != len(want) {
			t.Fatalf("%d portals read back from %d", len(again), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(again[i], want[i]) {
				t.Fatalf("portal %d reads back as %+v; want %+v", i, again[i], want[i])
			}
		}
	})
}

// formatPortal writes p as --portal takes it.
func formatPortal(p emulator.Portal) string {
	var fields []string
	if p.HubID != 0 {
		fields = append(fields, fmt.Sprintf("hub=%d", p.HubID))
	}
	for _, kv := range [][2]string{{"domain", p.Domain}, {"email", p.UserEmail}, {"hublet", p.Hublet}} {
		if kv[1] != "" {
			fields = append(fields, kv[0]+"="+kv[1])
		}
	}
	if p.Scopes != nil {
		fields = append(fields, "scopes="+strings.Join(p.Scopes, " "))
	}
	return strings.Join(fields, ",")
}

// FuzzListsAndBooleans feeds the boolean, list, scope-list and ID-pattern parsers fuzzed values:
// no panic; a boolean reads the same in any case and once written back; a list has no empty
// item and no separator in an item, and reads back the same once joined; a scope list holds only
// known scopes; patterns are trimmed, non-empty and free of commas.
func FuzzListsAndBooleans(f *testing.F) {
	f.Add("true")
	f.Add(" Off\t")
	f.Add("oauth, crm.objects.contacts.read\tcrm.objects.deals.read\n")
	f.Add("partner/*, ,seamless/install/within-budget,,")
	f.Add("ﬁ\u0130\x00\xff,\u00a0")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBool(s)
		if err == nil {
			for _, again := range []string{strings.ToUpper(s), strings.ToLower(s), strconv.FormatBool(b)} {
				if got, err := ParseBool(again); err != nil || got != b {
					t.Fatalf("ParseBool(%q) = %v, %v; ParseBool(%q) = %v", again, got, err, s, b)
				}
			}
		}

		items := SplitList(s)
		for _, it := range items {
			if it == "" || strings.ContainsAny(it, ", \t\n") {
				t.Fatalf("SplitList(%q) has item %q", s, it)
			}
		}
		if again := SplitList(strings.Join(items, ",")); !slices.Equal(again, items) {
			t.Fatalf("SplitList(%q) = %q; joined and split again: %q", s, items, again)
		}

		if scopes, err := scopeList(s); err == nil {
			for _, sc := range scopes {
				if !hubspot.KnownScope(sc) {
					t.Fatalf("scopeList(%q) accepted %q", s, sc)
				}
			}
		}

		ps := patterns(strings.Split(s, "\n"))
		for _, p := range ps {
			if p == "" || p != strings.TrimSpace(p) || strings.Contains(p, ",") {
				t.Fatalf("patterns(%q) has %q", s, p)
			}
		}
		if again := patterns([]string{strings.Join(ps, ",")}); !slices.Equal(again, ps) {
			t.Fatalf("patterns(%q) = %q; joined and read again: %q", s, ps, again)
		}
	})
}
