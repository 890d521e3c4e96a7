package hubspot

import (
	"net/url"
	"slices"
	"testing"
)

func TestIsHubSpotHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"app.hubspot.com", true},
		{"APP.HubSpot.com", true},
		{"app.hubspot.com:443", true},
		{"app.hubspot.com.", true},
		{"app-eu1.hubspot.com", true},
		{"app-ap1.hubspot.com", true},
		{"api.hubapi.com", true},
		{"app-xx9.hubspot.com", false},
		{"hubspot.com", false},
		{"app.hubspot.com.evil.example", false},
		{"evil.example", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsHubSpotHost(tt.host); got != tt.want {
			t.Errorf("IsHubSpotHost(%q) = %v; want %v", tt.host, got, tt.want)
		}
	}
}

func TestIsAppHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"app.hubspot.com", true},
		{"app-eu1.hubspot.com:443", true},
		{"app-xx9.hubspot.com", true},
		{"app-.hubspot.com", false},
		{"app-eu1.evil.example", false},
		{"app-eu1.hubspot.com.evil.example", false},
		{"api.hubapi.com", false},
		{"app-eu1-x.hubspot.com", false},
	}
	for _, tt := range tests {
		if got := IsAppHost(tt.host); got != tt.want {
			t.Errorf("IsAppHost(%q) = %v; want %v", tt.host, got, tt.want)
		}
	}
}

func TestIsReturnURL(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
	}{
		{"https://app.hubspot.com/ecosystem/return", true},
		{"https://app-eu1.hubspot.com/x?y=1", true},
		{"http://app.hubspot.com/", false},
		{"https://app.hubspot.com.evil.example/", false},
		{"https://app.hubspot.com@evil.example/", false},
		{"https://user@app.hubspot.com/", false},
		{"//evil.example", false},
		{"javascript:alert(document.domain)//https://app.hubspot.com/", false},
	}
	for _, tt := range tests {
		if got := IsReturnURL(tt.raw); got != tt.want {
			t.Errorf("IsReturnURL(%q) = %v; want %v", tt.raw, got, tt.want)
		}
	}
}

func TestIsHubSpotURL(t *testing.T) {
	if IsHubSpotURL(nil) {
		t.Error("IsHubSpotURL(nil) = true")
	}
	u, _ := url.Parse("https://api.hubapi.com/oauth/v3/token")
	if !IsHubSpotURL(u) {
		t.Errorf("IsHubSpotURL(%s) = false", u)
	}
}

func TestFrameOrigins(t *testing.T) {
	all := FrameOrigins()
	if len(all) != len(AppHosts) || all[0] != WebOrigin {
		t.Errorf("FrameOrigins() = %q; want the origins of %q, %s first", all, AppHosts, WebOrigin)
	}
	for _, o := range RequiredFrameOrigins() {
		if !slices.Contains(all, o) {
			t.Errorf("required origin %s is not in FrameOrigins() %q", o, all)
		}
	}
	all[0] = "changed"
	if FrameOrigins()[0] != WebOrigin {
		t.Error("FrameOrigins shares its slice with callers")
	}
}

func TestAppHostOf(t *testing.T) {
	for i, h := range Hublets {
		if got := AppHostOf(h); got != AppHosts[i] || !IsAppHost(got) || !IsHublet(h) {
			t.Errorf("AppHostOf(%q) = %q; want %q, an app host", h, got, AppHosts[i])
		}
	}
	if AppHostOf("") != WebHost {
		t.Errorf("AppHostOf(\"\") = %q; want %q", AppHostOf(""), WebHost)
	}
}
