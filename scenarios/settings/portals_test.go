package settings

import (
	"testing"

	"github.com/hsemu/hsemu/emulator"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePortal(t *testing.T) {
	p, err := parsePortal("hub=1234567, domain=acme.example.com,email=admin@acme.example.com,hublet=eu1,scopes=oauth crm.objects.contacts.read")
	require.NoError(t, err)
	assert.Equal(t, emulator.Portal{
		HubID: 1234567, Domain: "acme.example.com", UserEmail: "admin@acme.example.com", Hublet: "eu1",
		Scopes: []string{"oauth", "crm.objects.contacts.read"},
	}, p)

	for _, tc := range []struct{ in, want string }{
		{"hub=abc", "not a positive number"},
		{"hub=-1", "not a positive number"},
		{"email=nobody", "not an e-mail address"},
		{"scopes=oauth crm.objects.bogus.read", "not a HubSpot scope"},
		{"colour=blue", "unknown portal field"},
		{"justtext", "not key=value"},
	} {
		_, err := parsePortal(tc.in)
		if assert.Error(t, err, tc.in) {
			assert.Contains(t, err.Error(), tc.want, tc.in)
		}
	}

	ps, err := parsePortals("hub=1;hub=2,scopes=oauth")
	require.NoError(t, err)
	assert.Len(t, ps, 2)
	assert.Equal(t, []string{"oauth"}, ps[1].Scopes)
}
