package scenarios

import (
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzLoginFlags feeds the --login, HSEMU_LOGIN and --cookie parsers fuzzed values (s is split
// on newlines into repeated flags): no panic; what they accept reads back the same once written
// in their own syntax; and a cookie they accept reaches the server as given, through the Cookie
// header a browser sends.
func FuzzLoginFlags(f *testing.F) {
	f.Add("email=me@example.com\npassword=s3cr=et")
	f.Add("email=me%40example.com&password=secret&remember=")
	f.Add("session=abc123; csrf=x\n theme = dark ;;")
	f.Add("=x\n \nnoequals")
	f.Add("a=%zz&b=1;c=2&&=&a=2")
	f.Add("sid=\"quoted\"\nbad name=1\nsp= v \nuni=é")
	f.Fuzz(func(t *testing.T, s string) {
		pairs := strings.Split(s, "\n")

		if login, err := ParseLogin(pairs); err == nil {
			var again []string
			for name, value := range login {
				if name == "" || name != strings.TrimSpace(name) || strings.Contains(name, "=") {
					t.Fatalf("accepted login field name %q", name)
				}
				again = append(again, name+"="+value)
			}
			got, err := ParseLogin(again)
			if err != nil || !maps.Equal(got, login) {
				t.Fatalf("login fields %q read back as %q, %v", login, got, err)
			}
		}

		if login, err := ParseLoginQuery(s); err == nil {
			q := url.Values{}
			for name, value := range login {
				if name == "" {
					t.Fatal("accepted a login field with no name")
				}
				q.Set(name, value)
			}
			got, err := ParseLoginQuery(q.Encode())
			if err != nil || !maps.Equal(got, login) {
				t.Fatalf("login query %q read back as %q, %v", login, got, err)
			}
		}

		cookies, err := ParseCookies(pairs)
		if err != nil {
			return
		}
		var header []string
		for _, c := range cookies {
			if err := c.Valid(); err != nil {
				t.Fatalf("accepted cookie %q: %v", c.Name, err)
			}
			header = append(header, c.Name+"="+c.Value)
		}
		again, err := ParseCookies([]string{strings.Join(header, "; ")})
		if err != nil || len(again) != len(cookies) {
			t.Fatalf("cookies %q read back as %d, %v", header, len(again), err)
		}
		if len(cookies) == 0 {
			return
		}
		sent, err := http.ParseCookie(strings.Join(header, "; "))
		if err != nil || len(sent) != len(cookies) {
			t.Fatalf("the Cookie header %q does not parse as %d cookies: %d, %v", strings.Join(header, "; "), len(cookies), len(sent), err)
		}
		for i, c := range cookies {
			if again[i].Name != c.Name || again[i].Value != c.Value {
				t.Fatalf("cookie %s=%q reads back as %s=%q", c.Name, c.Value, again[i].Name, again[i].Value)
			}
			if sent[i].Name != c.Name || sent[i].Value != c.Value {
				t.Fatalf("cookie %s=%q reaches the server as %s=%q", c.Name, c.Value, sent[i].Name, sent[i].Value)
			}
		}
	})
}
