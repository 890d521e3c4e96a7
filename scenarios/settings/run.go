package settings

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/scenarios"
	"github.com/hsemu/hsemu/scenarios/browser"
	"github.com/hsemu/hsemu/scenarios/chromium"
)

// How a run goes: hsemu check, the TUI, hsemu scenarios and `go test ./conformance`.
var (
	Addr = &Setting{
		Name: "addr", Flag: "addr", Env: "HSEMU_ADDR", Default: emulator.DefaultAddr,
		Usage: "where the emulator (HubSpot's OAuth server and API) listens, as `host:port`; point your app's HubSpot API base here. Loopback unless you say otherwise",
		apply: func(c *Config, v []string, _ bool) error {
			addr := strings.TrimSpace(last(v))
			if _, _, err := net.SplitHostPort(addr); err != nil {
				return fmt.Errorf("%q is not host:port: use e.g. %s", addr, emulator.DefaultAddr)
			}
			c.Addr = addr
			return nil
		},
	}
	Profile = &Setting{
		Name: "profile", Flag: "profile", Env: "HSEMU_PROFILE", Default: "dev",
		Usage: "the `profile`: dev or listing (listing adds the listing checks)",
		apply: func(c *Config, v []string, _ bool) error {
			switch p := scenarios.Profile(strings.TrimSpace(last(v))); p {
			case scenarios.ProfileDev, scenarios.ProfileListing:
				c.Options.Profile = p
				return nil
			}
			return fmt.Errorf("%q is not a profile: use dev or listing", last(v))
		},
	}
	Strict = &Setting{
		Name: "strict", Flag: "strict", Env: "HSEMU_STRICT", Bool: true,
		Usage: "SHOULD failures fail the run too",
		apply: boolInto(func(c *Config) *bool { return &c.Options.Strict }),
	}
	Only = &Setting{
		Name: "only", Flag: "only", Repeat: true,
		Usage: "run only checks matching this ID `pattern` (glob or prefix), repeatable or comma-separated",
		apply: func(c *Config, v []string, _ bool) error { c.Options.Only = patterns(v); return nil },
	}
	Skip = &Setting{
		Name: "skip", Flag: "skip", Repeat: true,
		Usage: "skip checks matching this ID `pattern`, repeatable or comma-separated",
		apply: func(c *Config, v []string, _ bool) error { c.Options.Skip = patterns(v); return nil },
	}
	Reference = &Setting{
		Name: "reference", Flag: "reference", Bool: true,
		Usage: "run against hsemu's built-in reference endpoints, in-process",
		apply: boolInto(func(c *Config) *bool { return &c.Reference }),
	}
	Bug = &Setting{
		Name: "bug", Flag: "bug",
		Usage: "with --reference: a broken variant by `name` (hsemu reference --list-bugs)",
		apply: func(c *Config, v []string, _ bool) error { c.Bug = strings.TrimSpace(last(v)); return nil },
	}
	Verbose = &Setting{
		Name: "v", Flag: "v", Bool: true,
		Usage: "print every check's detail, not only the failures'",
		apply: boolInto(func(c *Config) *bool { return &c.Verbose }),
	}
	ThirdPartyCookies = &Setting{
		Name: "third-party-cookies", Flag: "third-party-cookies", Default: "allow",
		Usage: "the browser's cookie `policy` in HubSpot's frame: allow (Chrome) or block (Safari, Firefox)",
		apply: func(c *Config, v []string, _ bool) error {
			switch strings.TrimSpace(last(v)) {
			case "allow":
				c.Options.ThirdPartyCookies = browser.ThirdPartyAllow
			case "block":
				c.Options.ThirdPartyCookies = browser.ThirdPartyBlock
			default:
				return fmt.Errorf("%q: use allow or block", last(v))
			}
			return nil
		},
	}
	Engine = &Setting{
		Name: "engine", Flag: "engine", Env: "HSEMU_ENGINE", Default: EngineAuto,
		Usage: "the user's `browser`: http (hsemu's virtual browser: fast, runs no JavaScript), chromium (headless Chromium: runs scripts, enforces framing and cookies; needs Debian's chromium, or HSEMU_CHROMIUM_PATH), or auto (http, then chromium for what http could not decide, when Chromium is installed)",
		apply: func(c *Config, v []string, _ bool) error {
			switch e := strings.TrimSpace(last(v)); e {
			case EngineHTTP, EngineChromium, EngineAuto:
				c.Engine = e
			default:
				return fmt.Errorf("%q: use http, chromium or auto", last(v))
			}
			return nil
		},
	}
	Artifacts = &Setting{
		Name: "artifacts", Flag: "artifacts", Env: "HSEMU_ARTIFACTS",
		Usage: "a `directory` where the chromium engine saves a screenshot per step (<scenario>--<step>.png)",
		apply: func(c *Config, v []string, _ bool) error { c.Artifacts = strings.TrimSpace(last(v)); return nil },
	}
	CAFile = &Setting{
		Name: "ca-file", Flag: "ca-file", Env: "HSEMU_CA_FILE",
		Usage: "a `file` of PEM certificates to trust besides the system's, for https endpoints on a private CA: every client hsemu runs trusts them (the browser, the webhook sender, the listing probes)",
		apply: func(c *Config, v []string, _ bool) error {
			c.CAFile = strings.TrimSpace(last(v))
			if c.CAFile == "" {
				c.Options.TLSRootCAs = nil
				return nil
			}
			pool, err := loadCAFile(c.CAFile)
			c.Options.TLSRootCAs = pool
			return err
		},
	}
	Concurrency = &Setting{
		Name: "concurrency", Flag: "concurrency", Env: "HSEMU_CONCURRENCY", Shown: "8",
		Usage: "how many scenarios, and with --repeat how many installs, run at once (a `number`)",
		apply: positiveInto(func(c *Config) *int { return &c.Options.Concurrency }),
	}
	Repeat = &Setting{
		Name: "repeat", Flag: "repeat", Env: "HSEMU_REPEAT", Default: "1",
		Usage: "with a `number` above 1, also run that many normal installs at once (up to --concurrency in flight), each in its own portal, and check that none is mixed up with another (seamless/install/concurrent, partner/finalize/concurrent)",
		apply: positiveInto(func(c *Config) *int { return &c.Options.Repeat }),
	}
	HopBudget = &Setting{
		Name: "hop-budget", Flag: "hop-budget", Shown: "5s",
		Usage: "how long one hop should take (a `duration`)",
		apply: durationInto(func(c *Config) *time.Duration { return &c.Options.HopBudget }),
	}
	HopTimeout = &Setting{
		Name: "hop-timeout", Flag: "hop-timeout", Shown: "15s",
		Usage: "hard deadline of one hop (a `duration`)",
		apply: durationInto(func(c *Config) *time.Duration { return &c.Options.HopTimeout }),
	}
	ObserveWindow = &Setting{
		Name: "observe-window", Flag: "observe-window", Shown: "250ms",
		Usage: "how long (a `duration`) to wait for a late token request after the endpoint's last response",
		apply: durationInto(func(c *Config) *time.Duration { return &c.Options.ObserveWindow }),
	}
	SlowExchange = &Setting{
		Name: "slow-exchange", Flag: "slow-exchange", Shown: "8s",
		Usage: "how long (a `duration`) the token endpoint stalls in the 'too slow' provocation",
		apply: durationInto(func(c *Config) *time.Duration { return &c.Options.SlowExchange }),
	}
)

// Reports: hsemu check and the TUI. (--format and --out are read in order, by the command.)
var (
	ExpectFail = &Setting{
		Name: "expect-fail", Flag: "expect-fail", Env: "HSEMU_EXPECT_FAIL",
		Usage: "a `file` of known failures, one 'CHECK-ID YYYY-MM-DD reason' a line: they do not fail the run until the date",
		apply: func(c *Config, v []string, _ bool) error { c.ExpectFail = strings.TrimSpace(last(v)); return nil },
	}
	List = &Setting{
		Name: "list", Flag: "list", Bool: true,
		Usage: "list the checks that would run (after --profile, --only, --skip) and exit without running them",
		apply: boolInto(func(c *Config) *bool { return &c.List }),
	}
	ReportDir = &Setting{
		Name: "report-dir", Flag: "report-dir", Default: ".",
		Usage: "the `directory` where the TUI's c key writes a check's report (hsemu-<check>.txt)",
		apply: func(c *Config, v []string, _ bool) error { c.ReportDir = last(v); return nil },
	}
)

// RunSettings are how hsemu check and the TUI run the catalogue.
var RunSettings = []*Setting{Addr, Profile, Strict, Only, Skip, Reference, Bug, Verbose, Engine, Artifacts, ThirdPartyCookies, CAFile, Concurrency, Repeat, HopBudget, HopTimeout, ObserveWindow, SlowExchange}

// The browser engines (--engine), as package chromium names them.
const (
	EngineHTTP     = chromium.EngineHTTP
	EngineChromium = chromium.EngineChromium
	EngineAuto     = chromium.EngineAuto
)

func boolInto(field func(*Config) *bool) func(*Config, []string, bool) error {
	return func(c *Config, v []string, _ bool) error {
		b, err := ParseBool(last(v))
		*field(c) = b
		return err
	}
}

func positiveInto(field func(*Config) *int) func(*Config, []string, bool) error {
	return func(c *Config, v []string, _ bool) error {
		n, err := strconv.Atoi(strings.TrimSpace(last(v)))
		if err != nil || n < 1 {
			return fmt.Errorf("%q is not a whole number of at least 1", last(v))
		}
		*field(c) = n
		return nil
	}
}

func durationInto(field func(*Config) *time.Duration) func(*Config, []string, bool) error {
	return func(c *Config, v []string, _ bool) error {
		d, err := time.ParseDuration(strings.TrimSpace(last(v)))
		if err != nil {
			return fmt.Errorf("%q is not a duration: write it like 500ms, 5s or 1m", last(v))
		}
		if d < 0 {
			return fmt.Errorf("%q is negative: give a positive duration, or 0 for the default", last(v))
		}
		*field(c) = d
		return nil
	}
}
