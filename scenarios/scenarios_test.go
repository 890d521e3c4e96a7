package scenarios

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios/browser"
)

func TestCatalogueIsWellFormed(t *testing.T) {
	require.NoError(t, validateCatalogue())
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, id string
		want        bool
	}{
		{"partner/state/tampered", "partner/state/tampered", true},
		{"partner/state/*", "partner/state/tampered", true},
		{"partner/state", "partner/state/tampered", true},
		{"partner/", "partner/state/tampered", true},
		{"partner/state", "partner/statex", false},
		{"seamless/*", "partner/state/tampered", false},
		{"*/install/frameable", "seamless/install/frameable", true},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.id); got != tt.want {
			t.Errorf("Match(%q, %q) = %v; want %v", tt.pattern, tt.id, got, tt.want)
		}
	}
}

func TestStateBits(t *testing.T) {
	tests := []struct {
		name    string
		states  []string
		atLeast float64
		below   float64
	}{
		{"counter", []string{"1", "2", "3"}, 0, 10},
		{"32 random bytes in hex", []string{strings.Repeat("a1", 32), strings.Repeat("b2", 32), strings.Repeat("c3", 32)}, 250, 300},
		{"jws with a shared header", []string{"eyJhbGciOiJIUzI1NiJ9.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.xxxxxxxxxxxxxxxxxxxxxx", "eyJhbGciOiJIUzI1NiJ9.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.yyyyyyyyyyyyyyyyyyyyyy", "eyJhbGciOiJIUzI1NiJ9.ccccccccccccccccccccccccccccccccccccc.zzzzzzzzzzzzzzzzzzzzzz"}, 300, 400},
		{"timestamp", []string{"1764000000001", "1764000000002", "1764000000003"}, 0, 5},
		{"8 hex chars", []string{"0a1b2c3d", "9f8e7d6c", "aa223344"}, 30, 33},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stateBits(tt.states)
			if got < tt.atLeast || got >= tt.below {
				t.Errorf("stateBits = %.1f; want in [%v, %v)", got, tt.atLeast, tt.below)
			}
		})
	}
}

func TestTamper(t *testing.T) {
	for _, s := range []string{"abc.def.ghi", "0123456789abcdef", "7", "zzZZ99"} {
		for _, p := range tamperPositions(s) {
			got := tamper(s, p)
			assert.NotEqual(t, s, got, "tamper(%q, %d)", s, p)
			assert.Len(t, got, len(s))
			diff := 0
			for i := range s {
				if s[i] != got[i] {
					diff++
				}
			}
			assert.Equal(t, 1, diff, "tamper(%q, %d) = %q changes one character", s, p, got)
		}
	}
	assert.Len(t, tamperPositions("aaaa.bbbb.cccc"), 3, "one position per JWS part")
}

func TestSameShape(t *testing.T) {
	for _, s := range []string{"eyJh.eyJq.c2ln", "deadbeef", "12345", "AbC-_9"} {
		got := sameShape(s)
		assert.NotEqual(t, s, got)
		assert.Len(t, got, len(s))
		assert.Equal(t, strings.Count(s, "."), strings.Count(got, "."))
	}
}

func TestSameReturn(t *testing.T) {
	want, _ := url.Parse("https://app.hubspot.com/x/return?installId=1&stage=finalize")
	tests := []struct {
		got  string
		want bool
	}{
		{"https://app.hubspot.com/x/return?installId=1&stage=finalize", true},
		{"https://app.hubspot.com/x/return?stage=finalize&installId=1&state=abc", true},
		{"https://app.hubspot.com/x/return?installId=1?state=abc&stage=finalize", false},
		{"https://app.hubspot.com/x/return?installId=2&stage=finalize", false},
		{"https://app.hubspot.com/y/return?installId=1&stage=finalize", false},
		{"https://app-eu1.hubspot.com/x/return?installId=1&stage=finalize", false},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.got)
		if got := sameReturn(u, want); got != tt.want {
			t.Errorf("sameReturn(%s) = %v; want %v", tt.got, got, tt.want)
		}
	}
}

func TestValidateForAsksForLoginOnlyForPartnerChecks(t *testing.T) {
	tg := Target{InstallURL: "http://localhost/install", Flows: []Flow{Seamless, Partner}, App: emulator.App{ClientID: "id", ClientSecret: "secret"}}
	if err := tg.ValidateFor(Options{Only: []string{"seamless/"}}); err != nil {
		t.Errorf("only seamless checks selected: %v; want no --login needed", err)
	}
	if err := tg.ValidateFor(Options{Skip: []string{"partner/"}}); err != nil {
		t.Errorf("partner checks skipped: %v; want no --login needed", err)
	}
	if err := tg.ValidateFor(Options{}); err == nil || !strings.Contains(err.Error(), "--login") {
		t.Errorf("every check selected: %v; want it to ask for --login", err)
	}
}

func TestTargetValidate(t *testing.T) {
	app := emulator.App{ClientID: "id", ClientSecret: "secret"}
	tests := []struct {
		name   string
		target Target
		errHas string
	}{
		{"ok", Target{InstallURL: "http://localhost:3000/install", Flows: []Flow{Seamless}, App: app}, ""},
		{"no url", Target{Flows: []Flow{Seamless}, App: app}, "no install URL"},
		{"query", Target{InstallURL: "http://localhost/install?x=1", Flows: []Flow{Seamless}, App: app}, "no query"},
		{"scheme", Target{InstallURL: "ftp://localhost/install", Flows: []Flow{Seamless}, App: app}, "http://"},
		{"no creds", Target{InstallURL: "http://localhost/install", Flows: []Flow{Seamless}}, "--client-id"},
		{"partner without login", Target{InstallURL: "http://localhost/install", Flows: []Flow{Partner}, App: app}, "--login"},
		{"connect alone", Target{ConnectURL: "http://localhost/connect", Flows: []Flow{Connect}, App: app}, ""},
		{"connect without its URL", Target{Flows: []Flow{Connect}, App: app}, "--connect-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.target.ValidateFor(Options{})
			if tt.errHas == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.errHas)
		})
	}
}

func TestParsers(t *testing.T) {
	flows, err := ParseFlows("all")
	require.NoError(t, err)
	assert.Equal(t, []Flow{Seamless, Partner}, flows)
	_, err = ParseFlows("seamless,bogus")
	assert.ErrorContains(t, err, `unknown flow "bogus"`)

	fields, err := ParseLogin([]string{"email=a@b.c", "password=x=y"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"email": "a@b.c", "password": "x=y"}, fields)
	_, err = ParseLogin([]string{"nofield"})
	assert.ErrorContains(t, err, "name=value")

	q, err := ParseLoginQuery("email=me%40example.com&password=s%26cret")
	require.NoError(t, err)
	assert.Equal(t, "me@example.com", q["email"])
	assert.Equal(t, "s&cret", q["password"])

	cs, err := ParseCookies([]string{"a=1; b=2", "c=3"})
	require.NoError(t, err)
	assert.Len(t, cs, 3)
	_, err = ParseCookies([]string{"=x"})
	assert.Error(t, err)
}

func TestConditionalScopeProblem(t *testing.T) {
	app := emulator.App{
		RequiredScopes:              []string{"oauth", "crm.objects.contacts.read"},
		OptionalScopes:              []string{"crm.objects.deals.read"},
		ConditionallyRequiredScopes: []string{"crm.objects.companies.read"},
	}
	tests := []struct{ scope, want string }{
		{"crm.objects.companies.read", ""},
		{"crm.objects.contacts.read", "required scope"},
		{"crm.objects.deals.read", "optional scope"},
		{"crm.objects.companies.write", "not configured"},
		{"not.a.scope", "not a HubSpot scope"},
		{"crm.objects.companies.read,oauth", "not separated by spaces"},
	}
	for _, tt := range tests {
		got := conditionalScopeProblem(tt.scope, app)
		if tt.want == "" {
			assert.Empty(t, got, tt.scope)
			continue
		}
		assert.Contains(t, got, tt.want, tt.scope)
	}
}

func TestJudgeNeedsAnAnswer(t *testing.T) {
	c := Check{ID: "x", Judge: func(*Observation) Outcome { return pass("judged") }}
	refused := &url.Error{Op: "Get", URL: "http://localhost:9/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	endpoint, _ := url.Parse("http://localhost:9/install?code=x")
	elsewhere, _ := url.Parse("http://unreachable.example/landing")
	tests := []struct {
		name  string
		url   *url.URL
		err   error
		want  Status
		cause Cause
	}{
		{"connection refused by the endpoint: it is down", endpoint, refused, Error, CauseDown},
		{"unknown host of the endpoint", endpoint, &net.DNSError{Err: "no such host", Name: "localhost", IsNotFound: true}, Error, CauseDown},
		{"a redirect to a host nothing answers at is the endpoint's doing", elsewhere, refused, Fail, CauseEndpoint},
		{"connection reset is a finding, never a pass", endpoint, &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, Fail, CauseEndpoint},
		{"answered", endpoint, nil, Pass, CauseEndpoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hop := HopRecord{Hop: browser.Hop{Seq: 1, Method: "GET", URL: tt.url, Err: tt.err}}
			if tt.err == nil {
				hop.Status = 200
			}
			o := &Observation{
				Target: Target{InstallURL: "http://localhost:9/install"},
				Steps:  []*Step{{Name: "finalize", Err: tt.err, Hops: []HopRecord{hop}}},
				Hops:   []HopRecord{hop},
			}
			got := judge(c, o, nil)
			assert.Equal(t, tt.want, got.Status, got.Got)
			assert.Equal(t, tt.cause, got.Cause)
		})
	}
}

func TestDispatcherCatchUp(t *testing.T) {
	var last uint64 = 7 // seven events before the subscription: they never arrive
	d := newDispatcher(nil, func() uint64 { return last })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.catchUp(ctx) // must not wait for events that were published before it existed
	require.NoError(t, ctx.Err())

	d.expect("na1-code", "t", "s")
	last = 9
	done := make(chan []emulator.Event)
	go func() { done <- d.exchanges(ctx, "na1-code", 0) }()
	d.deliver(emulator.Event{Seq: 8, Method: "GET", Path: "/x"})
	d.deliver(emulator.Event{Seq: 9, Method: "POST", Path: "/oauth/v3/token", GrantType: "authorization_code", Code: "na1-code"})
	got := <-done
	require.Len(t, got, 1, "the exchange answered before the call is seen")
	assert.Equal(t, uint64(9), got[0].Seq)
}

// validateCatalogue reports IDs used twice, checks whose scenario is declared but never built,
// and scenarios or checks that lack a part; the catalogue's own test calls it.
func validateCatalogue() error {
	scs := map[ScenarioID]bool{}
	for _, s := range Scenarios() {
		if scs[s.ID] {
			return fmt.Errorf("scenario %s defined twice", s.ID)
		}
		scs[s.ID] = true
		if s.Group == "" || s.Applies == nil || s.Run == nil {
			return fmt.Errorf("scenario %s lacks a group, an Applies or a Run", s.ID)
		}
	}
	seen := map[string]bool{}
	for _, c := range Catalogue(ProfileListing) {
		if seen[c.ID] {
			return fmt.Errorf("check %s defined twice", c.ID)
		}
		seen[c.ID] = true
		if !scs[c.Scenario] {
			return fmt.Errorf("check %s names scenario %s, which does not exist", c.ID, c.Scenario)
		}
		if c.Judge == nil || c.Group == "" || c.Requirement == "" || c.Source == "" || c.Fix == "" || c.Title == "" {
			return fmt.Errorf("check %s lacks a judge, group, title, requirement, source or fix", c.ID)
		}
	}
	return nil
}
