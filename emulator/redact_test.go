package emulator

import "testing"

// TestRedactTextPrefilter: the check before the regexp never skips a code or token.
func TestRedactTextPrefilter(t *testing.T) {
	code := "na1-0123-4567-89ab-cdef-0123456789ab"
	access := "C" + "AbCdEfGhIj_-0123456789AbCdEfGhIj_-0123456789AbCdEfGhIj"[:54]
	for _, s := range []string{code, "x " + code + " y", "/p/" + access, "code=" + code + "&a=b"} {
		if got := redactText(s); got == s {
			t.Errorf("redactText(%q) kept it whole", s)
		}
	}
	for _, s := range []string{"http://localhost:3000/oauth-callback", "oauth crm.objects.contacts.read"} {
		if got := redactText(s); got != s {
			t.Errorf("redactText(%q) = %q; want it unchanged", s, got)
		}
	}
}
