package hubspot

import "testing"

func TestIsTokenPath(t *testing.T) {
	tests := []struct {
		path              string
		token, deprecated bool
	}{
		{"/oauth/v1/token", true, true},
		{"/oauth/v3/token", true, false},
		{"/oauth/2026-03/token", true, false},
		{"/oauth/2026-09/token", true, false},
		{"/oauth/v2/token", false, false},
		{"/oauth/v3/token/introspect", false, false},
		{"/oauth/v3/token/", false, false},
		{"/oauth/authorize", false, false},
	}
	for _, tt := range tests {
		if got := IsTokenPath(tt.path); got != tt.token {
			t.Errorf("IsTokenPath(%q) = %v; want %v", tt.path, got, tt.token)
		}
		if got := IsDeprecatedTokenPath(tt.path); got != tt.deprecated {
			t.Errorf("IsDeprecatedTokenPath(%q) = %v; want %v", tt.path, got, tt.deprecated)
		}
	}
}

func TestIsAuthorizePath(t *testing.T) {
	tests := []struct {
		path    string
		want, w bool
	}{
		{"/oauth/authorize", true, true},
		{"/oauth/123456/authorize", true, true},
		{"/oauth/abc/authorize", false, true},
		{"/oauth/authorize/", false, false},
		{"/oauth/v3/token", false, false},
	}
	for _, tt := range tests {
		if got := IsAuthorizePath(tt.path); got != tt.want {
			t.Errorf("IsAuthorizePath(%q) = %v; want %v", tt.path, got, tt.want)
		}
		if got := IsWebPath(tt.path); got != tt.w {
			t.Errorf("IsWebPath(%q) = %v; want %v", tt.path, got, tt.w)
		}
	}
}

func TestRoutes(t *testing.T) {
	tests := []struct{ got, want string }{
		{TokenPathV1, "/oauth/v1/token"},
		{TokenPathV3, "/oauth/v3/token"},
		{IntrospectPath(Token2026_03), "/oauth/2026-03/token/introspect"},
		{RevokePath(TokenV3), "/oauth/v3/token/revoke"},
		{UninstallPath("v3"), "/appinstalls/v3/external-install"},
		{TokenV1Sunset.Format("2006-01-02"), TokenV1SunsetText},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q; want %q", tt.got, tt.want)
		}
	}
}
