package hubspot

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestKnownScope(t *testing.T) {
	for _, s := range []string{"oauth", "crm.objects.contacts.read", "crm.schemas.custom.read", "crm.objects.deals.sensitive.read.v2", "developer.webhooks_journal.read"} {
		if !KnownScope(s) {
			t.Errorf("KnownScope(%q) = false", s)
		}
	}
	for _, s := range []string{"", "crm-access", "crm.objects.contact.read", "OAUTH"} {
		if KnownScope(s) {
			t.Errorf("KnownScope(%q) = true", s)
		}
	}
}

func TestSplitScopes(t *testing.T) {
	if got := SplitScopes("  oauth crm.objects.contacts.read  oauth "); !slices.Equal(got, []string{"oauth", "crm.objects.contacts.read"}) {
		t.Errorf("SplitScopes = %q; want [oauth crm.objects.contacts.read]", got)
	}
	if got := SplitScopes(""); got != nil {
		t.Errorf("SplitScopes(\"\") = %q; want nil", got)
	}
}

// testApp requires contacts.read, may have deals.read, and conditionally requires
// companies.read.
var testApp = AppScopes{
	Required:              []string{"crm.objects.contacts.read"},
	Optional:              []string{"crm.objects.deals.read"},
	ConditionallyRequired: []string{"crm.objects.companies.read"},
}

func TestCheckInstallScopes(t *testing.T) {
	tests := []struct {
		name            string
		scope, optional string
		text, detail    string // "" text: no error
	}{
		{name: "required only", scope: "crm.objects.contacts.read"},
		{name: "with oauth, conditional and optional", scope: "oauth crm.objects.contacts.read crm.objects.companies.read", optional: "crm.objects.deals.read"},
		{name: "required missing", scope: "oauth", text: TextScopesInsufficient, detail: "missing from scope"},
		{name: "required in optional_scope", scope: "crm.objects.contacts.read", optional: "crm.objects.contacts.read", text: TextScopesInsufficient, detail: "is in optional_scope"},
		{name: "optional in scope", scope: "crm.objects.contacts.read crm.objects.deals.read", text: TextScopesMismatch, detail: "move it to optional_scope"},
		{name: "unconfigured in scope", scope: "crm.objects.contacts.read tickets", text: TextScopesMismatch, detail: "not configured"},
		{name: "conditional in optional_scope", scope: "crm.objects.contacts.read", optional: "crm.objects.companies.read", text: TextScopesMismatch, detail: "conditionally required"},
		{name: "unconfigured in optional_scope", scope: "crm.objects.contacts.read", optional: "tickets", text: TextScopesMismatch, detail: "not configured"},
		{name: "unknown name in scope", scope: "crm.objects.contacts.read contacts.raed", text: TextInvalidScopeName, detail: "not a HubSpot scope name"},
		{name: "unknown name in optional_scope", scope: "crm.objects.contacts.read", optional: "nope", text: TextInvalidScopeName, detail: "not a HubSpot scope name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckInstallScopes(testApp, SplitScopes(tt.scope), SplitScopes(tt.optional))
			switch {
			case tt.text == "" && err != nil:
				t.Errorf("got %v; want nil", err)
			case tt.text != "" && (err == nil || err.Text != tt.text || !strings.Contains(err.Detail, tt.detail)):
				t.Errorf("got %v; want %q with a detail containing %q", err, tt.text, tt.detail)
			}
		})
	}
}

func TestGrantScopes(t *testing.T) {
	tests := []struct {
		name            string
		tier            []string
		scope, optional string
		want            []string
		text            string
	}{
		{
			name: "every scope", scope: "crm.objects.contacts.read", optional: "crm.objects.deals.read",
			want: []string{"oauth", "crm.objects.contacts.read", "crm.objects.deals.read"},
		},
		{
			name: "optional dropped", tier: []string{"crm.objects.contacts.read"}, scope: "crm.objects.contacts.read", optional: "crm.objects.deals.read",
			want: []string{"oauth", "crm.objects.contacts.read"},
		},
		{name: "required the tier lacks", tier: []string{}, scope: "crm.objects.contacts.read", text: TextAccountLacksFeatures},
		{name: "rules before the tier", scope: "oauth", text: TextScopesInsufficient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := GrantScopes(testApp, Account{HubID: 1234567, Scopes: tt.tier}, SplitScopes(tt.scope), SplitScopes(tt.optional))
			if tt.text != "" {
				if err == nil || err.Text != tt.text {
					t.Errorf("got %q, %v; want %q", got, err, tt.text)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestConditionalScopeProblem(t *testing.T) {
	tests := []struct {
		scope, want string // want: "" or a part of the problem
	}{
		{"crm.objects.companies.read", ""},
		{"", ""},
		{"crm.objects.companies.read,crm.objects.contacts.read", "not separated by spaces"},
		{"crm.objects.companies.read+x", "not separated by spaces"},
		{"nope.read", "not a HubSpot scope"},
		{"crm.objects.contacts.read", "required scope"},
		{"crm.objects.deals.read", "optional scope"},
		{"tickets", "not configured"},
	}
	for _, tt := range tests {
		got := ConditionalScopeProblem(tt.scope, testApp)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("ConditionalScopeProblem(%q) = %q; want %q", tt.scope, got, tt.want)
		}
		if got != "" && !strings.Contains(got, "separated") && !strings.HasSuffix(got, TextScopesMismatch) {
			t.Errorf("ConditionalScopeProblem(%q) = %q; want HubSpot's mismatch text", tt.scope, got)
		}
	}
}

func TestAuthorizeURLProblem(t *testing.T) {
	app := AppAuth{ClientID: "cid", RedirectURLs: []string{"https://app.example.com/cb"}, AppScopes: testApp}
	const ok = "https://app.hubspot.com/oauth/authorize?client_id=cid&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&scope=crm.objects.contacts.read"
	tests := []struct {
		name, raw, want string
	}{
		{"valid", ok, ""},
		{"account path", strings.Replace(ok, "/oauth/authorize", "/oauth/123456/authorize", 1), ""},
		{"wrong path", strings.Replace(ok, "/oauth/authorize", "/oauth/v1/authorize", 1), "is not /oauth/authorize"},
		{"repeated", ok + "&scope=oauth", "given 2 times"},
		{"other client", strings.Replace(ok, "client_id=cid", "client_id=x", 1), "not the app's"},
		{"unregistered redirect", strings.Replace(ok, "%2Fcb", "%2Fother", 1), "must match exactly"},
		{"IP redirect", strings.Replace(ok, "app.example.com", "10.0.0.1", 1), "IP address"},
		{"required missing", strings.Replace(ok, "scope=crm.objects.contacts.read", "scope=oauth", 1), TextScopesInsufficient},
		{"optional in scope", ok + "+crm.objects.deals.read", TextScopesMismatch},
		{"conditional in optional_scope", ok + "&optional_scope=crm.objects.companies.read", TextScopesMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			got := AuthorizeURLProblem(u, app)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
