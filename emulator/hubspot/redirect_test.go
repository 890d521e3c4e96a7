package hubspot

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckRedirectURL(t *testing.T) {
	tests := []struct {
		raw  string
		want string // "" for valid, else a part of the error
	}{
		{"https://app.example.com/oauth/callback", ""},
		{"http://localhost:3000/oauth-callback", ""},
		{"https://localhost/cb", ""},
		{"", "empty"},
		{"/oauth/callback", "not absolute"},
		{"https://app.example.com/cb#frag", "fragment"},
		{"https://app.example.com/cb#", "fragment"},
		{"https://user:pw@app.example.com/cb", "user info"},
		{"https://127.0.0.1/cb", TextRedirectIP},
		{"http://[::1]:3000/cb", "IP address"},
		{"http://app.example.com/cb", "uses http"},
		{"http://LOCALHOST:3000/cb", "uses http"},
		{"ftp://app.example.com/cb", "scheme"},
		{"https://%zz", "does not parse"},
	}
	for _, tt := range tests {
		err := CheckRedirectURL(tt.raw)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckRedirectURL(%q) = %v; want nil", tt.raw, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckRedirectURL(%q) = %v; want an error containing %q", tt.raw, err, tt.want)
		}
	}
}

func TestCheckRedirectURI(t *testing.T) {
	registered := []string{"https://app.example.com/cb", "http://localhost:3000/cb"}
	tests := []struct {
		raw           string
		want          string
		notRegistered bool
	}{
		{raw: "https://app.example.com/cb"},
		{raw: "http://localhost:3000/cb"},
		{raw: "", want: "missing"},
		{raw: "https://app.example.com/cb/", want: "must match exactly", notRegistered: true},
		{raw: "https://app.example.com/cb?x=1", want: "must match exactly", notRegistered: true},
		{raw: "https://APP.example.com/cb", want: "must match exactly", notRegistered: true},
		{raw: "http://app.example.com/cb", want: "uses http"},
		{raw: "https://10.0.0.1/cb", want: "IP address"},
	}
	for _, tt := range tests {
		err := CheckRedirectURI(tt.raw, registered)
		if tt.want == "" {
			if err != nil {
				t.Errorf("CheckRedirectURI(%q) = %v; want nil", tt.raw, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckRedirectURI(%q) = %v; want an error containing %q", tt.raw, err, tt.want)
		}
		if got := errors.Is(err, ErrRedirectNotRegistered); got != tt.notRegistered {
			t.Errorf("CheckRedirectURI(%q): errors.Is(ErrRedirectNotRegistered) = %v; want %v", tt.raw, got, tt.notRegistered)
		}
	}
}
