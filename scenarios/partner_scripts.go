package scenarios

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
	"github.com/hsemu/hsemu/scenarios/browser"
)

// The partner scenarios: HubSpot's marketplace install with partner sign-in.
const (
	scenarioPartnerInstall       ScenarioID = "partner/install"
	scenarioPartnerStateStrength ScenarioID = "partner/state-strength"
	scenarioPartnerStateTampered ScenarioID = "partner/state/tampered"
	scenarioPartnerStateMissing  ScenarioID = "partner/state/missing"
	scenarioPartnerStateReplayed ScenarioID = "partner/state/replayed"
	scenarioPartnerStateForeign  ScenarioID = "partner/state/foreign"
	scenarioPartnerNoCookie      ScenarioID = "partner/no-cookie"
	scenarioPartnerExchangeFails ScenarioID = "partner/exchange-fails"
	scenarioPartnerReflected     ScenarioID = "partner/reflected-markup"
)

// Steps of the partner scenarios, besides stepAuthorize, stepFinalize and the faulted finalizes.
const (
	// stepFinalizeTampered begins the names of finalize steps with a changed state:
	// "finalize (state changed at 12)" (tamperedStep).
	stepFinalizeTampered  StepName = stepFinalize + " (state changed"
	stepFinalizeNoState   StepName = stepFinalize + " (no state)"
	stepFinalizeReplayed  StepName = stepFinalize + " (state replayed)"
	stepFinalizeForeign   StepName = stepFinalize + " (foreign state)"
	stepFinalizeNoCookies StepName = stepFinalize + " (no cookies)"
	// stepSignInControl and stepFinalizeControl are a state scenario's control: a fresh sign-in
	// and a finalize with its genuine state, after the bad ones. An endpoint that refuses the
	// genuine state too rejects every state, and its refusing a bad one proves nothing.
	stepSignInControl StepName = stepAuthorize + " (control)"
	// stepAuthorizeMarkup and stepFinalizeMarkupState carry xssPayload in the authorize step's
	// returnUrl (on HubSpot's host) and as the finalize's state.
	stepAuthorizeMarkup     StepName = stepAuthorize + " (markup in returnUrl)"
	stepFinalizeMarkupState StepName = stepFinalize + " (markup as state)"
	stepFinalizeControl     StepName = stepFinalize + " (genuine state, control)"
)

// controlFinalize runs a state scenario's control: a fresh sign-in in b and a finalize with the
// state it returned and a new code.
func controlFinalize(s *Session, b Engine) error {
	st, err := signedIn(s, b, stepSignInControl)
	if err != nil {
		return err
	}
	code, err := approveInstall(s, st)
	if err != nil {
		return err
	}
	s.Finalize(b, stepFinalizeControl, code, st.State, true, s.ReturnURL(hubspot.StepFinalize))
	return nil
}

// tamperedStep names the finalize whose state was changed at pos.
func tamperedStep(pos int) StepName {
	return stepFinalizeTampered + StepName(fmt.Sprintf(" at %d)", pos))
}

// nthSignIn names the i-th of several sign-ins: "authorize #2".
func nthSignIn(i int) StepName { return stepAuthorize + StepName(fmt.Sprintf(" #%d", i)) }

// partnerInstall is HubSpot's install with partner sign-in, from step=authorize to finalize,
// and returns the finalize step. It stops early, returning no step and recording why in the
// observation, when a step leaves nothing to go on.
func partnerInstall(s *Session, b Engine, fault *emulator.Fault, finalizeName StepName) (*Step, error) {
	signIn := s.SignIn(b, stepAuthorize)
	if signIn.State == "" {
		s.obs.Halt = signIn.noState()
		return nil, nil
	}
	code, err := approveInstall(s, signIn)
	if err != nil {
		if se, ok := err.(*skipError); ok {
			s.obs.Halt = se.why
			return nil, nil
		}
		return nil, err
	}
	if fault != nil {
		f := *fault
		f.Code = code
		s.Fault(f)
	}
	return s.Finalize(b, finalizeName, code, signIn.State, true, s.ReturnURL(hubspot.StepFinalize)), nil
}

func partnerScenarios() []Scenario {
	return []Scenario{
		{
			ID: scenarioPartnerInstall, Group: GroupPartner, Applies: servesFlow(Partner),
			Title:    "A normal install with partner sign-in",
			Provokes: "step=authorize in a new window, the partner's sign-in, the return to HubSpot with state, then step=finalize with code and state in HubSpot's frame",
			Run: func(s *Session) error {
				_, err := partnerInstall(s, s.NewBrowser(s.opts.ThirdPartyCookies), nil, stepFinalize)
				return err
			},
		},
		{
			ID: scenarioPartnerStateStrength, Group: GroupPartner, Applies: servesFlow(Partner),
			Title:    "Several sign-ins, to compare their states",
			Provokes: "step=authorize and the sign-in, several times, each in a fresh browser",
			Run: func(s *Session) error {
				for i := 0; i < s.opts.StateSamples; i++ {
					b := s.NewBrowser(s.opts.ThirdPartyCookies)
					_, err := signedIn(s, b, nthSignIn(i+1))
					s.Done(b)
					if err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			ID: scenarioPartnerStateTampered, Group: GroupPartner, Applies: servesFlow(Partner),
			Title:    "Finalize with a tampered state",
			Provokes: "a real sign-in, then finalize with one character of the state changed (in each part of it)",
			Run: func(s *Session) error {
				b := s.NewBrowser(s.opts.ThirdPartyCookies)
				first, err := signedIn(s, b, stepAuthorize)
				if err != nil {
					return err
				}
				for i, pos := range tamperPositions(first.State) {
					st := first
					if i > 0 {
						if st, err = signedIn(s, b, nthSignIn(i+1)); err != nil {
							return err
						}
					}
					code, err := approveInstall(s, st)
					if err != nil {
						return err
					}
					bad := tamper(st.State, pos)
					s.Finalize(b, tamperedStep(pos), code, bad, true, s.ReturnURL(hubspot.StepFinalize))
				}
				return controlFinalize(s, b)
			},
		},
		{
			ID: scenarioPartnerStateMissing, Group: GroupPartner, Applies: servesFlow(Partner),
			Title:    "Finalize without a state",
			Provokes: "a real sign-in, then finalize with the code but no state",
			Run: func(s *Session) error {
				b, _, code, err := signedInAndApproved(s)
				if err != nil {
					return err
				}
				s.Finalize(b, stepFinalizeNoState, code, "", false, s.ReturnURL(hubspot.StepFinalize))
				return controlFinalize(s, b)
			},
		},
		{
			ID: scenarioPartnerStateReplayed, Group: GroupPartner, Applies: servesFlow(Partner),
			Title:    "Finalize with a state already used",
			Provokes: "a complete install, then a second finalize with a new code and the same state",
			Run: func(s *Session) error {
				b, st, code, err := signedInAndApproved(s)
				if err != nil {
					return err
				}
				first := s.Finalize(b, stepFinalize, code, st.State, true, s.ReturnURL(hubspot.StepFinalize))
				if len(codeExchanges(first.Exchanges)) == 0 {
					return &skipError{why: "the first install with this state was never completed (no exchange), so there is nothing to replay; see partner/finalize/exchanges-code"}
				}
				code2, err := approveInstall(s, st)
				if err != nil {
					return err
				}
				s.Finalize(b, stepFinalizeReplayed, code2, st.State, true, s.ReturnURL(hubspot.StepFinalize))
				return nil
			},
		},
		{
			ID: scenarioPartnerStateForeign, Group: GroupPartner, Applies: servesFlow(Partner),
			Title:    "Finalize with a state the endpoint never issued",
			Provokes: "a real sign-in, then finalize with a random state of the same shape",
			Run: func(s *Session) error {
				b, st, code, err := signedInAndApproved(s)
				if err != nil {
					return err
				}
				s.Finalize(b, stepFinalizeForeign, code, sameShape(st.State), true, s.ReturnURL(hubspot.StepFinalize))
				return controlFinalize(s, b)
			},
		},
		{
			ID: scenarioPartnerReflected, Group: GroupPartner, Applies: servesFlow(Partner),
			Title:    "Markup in the install requests' parameters",
			Provokes: "step=authorize with a returnUrl on HubSpot's host whose query carries " + xssPayload + ", then finalize with that markup as the state, and with it in returnUrl",
			Run: func(s *Session) error {
				b := s.NewBrowser(s.opts.ThirdPartyCookies)
				ret := s.ReturnURL(hubspot.StepAuthorize)
				ret.RawQuery += "&x=" + xssPayload
				s.Open(b, stepAuthorizeMarkup, s.installURL([][2]string{{paramReturnURL, ret.String()}, {"step", hubspot.StepAuthorize}}), browser.OpenedBy(emulator.WebOrigin), "", nil)
				for _, p := range []struct {
					name  StepName
					state string
					ret   *url.URL
				}{
					{stepFinalizeMarkupState, xssPayload, s.ReturnURL(hubspot.StepFinalize)},
					{stepFinalizeMarkupReturn, randomHex(32), markedReturnURL(s)},
				} {
					code, err := s.MintCode(nil)
					if err != nil {
						return fmt.Errorf("mint a code: %w", err)
					}
					b := s.NewBrowser(s.opts.ThirdPartyCookies)
					s.Finalize(b, p.name, code, p.state, true, p.ret)
					s.Done(b)
				}
				return nil
			},
		},
		{
			ID: scenarioPartnerNoCookie, Group: GroupPartner, Applies: servesFlow(Partner),
			Title:    "Finalize in a frame that gets no cookies",
			Provokes: "sign-in in a top-level window, then finalize framed under app.hubspot.com with third-party cookies blocked (Safari, Firefox)",
			Run: func(s *Session) error {
				fin, err := partnerInstall(s, s.NewBrowser(browser.ThirdPartyBlock), nil, stepFinalizeNoCookies)
				if err == nil && fin == nil {
					return &skipError{why: s.obs.Halt}
				}
				return err
			},
		},
		{
			ID: scenarioPartnerExchangeFails, Group: GroupPartner, Applies: servesFlow(Partner), Waits: true,
			Title:    "HubSpot's token endpoint fails at finalize",
			Provokes: "three installs whose token request is answered 400 BAD_AUTH_CODE, 503, and only after a long stall",
			Run: func(s *Session) error {
				for _, f := range exchangeFaults(s.opts) {
					b := s.NewBrowser(s.opts.ThirdPartyCookies)
					fin, err := partnerInstall(s, b, &f.fault, faultedStep(f.label))
					s.Done(b)
					if err != nil {
						return err
					}
					if fin == nil {
						return &skipError{why: s.obs.Halt}
					}
				}
				return nil
			},
		},
	}
}

// signedIn runs a sign-in and ends the scenario as skipped when it did not return a state:
// the checks that need one cannot run (partner/authorize/* say why).
func signedIn(s *Session, b Engine, name StepName) (*Step, error) {
	st := s.SignIn(b, name)
	if st.State == "" {
		return st, &skipError{why: st.noState() + " (see partner/authorize/signs-in and partner/authorize/returns-state)"}
	}
	return st, nil
}

// noState explains a sign-in step that returned no state to HubSpot.
func (st *Step) noState() string {
	why := "the partner sign-in did not return a state to HubSpot"
	switch {
	case st.Err == nil && st.Page != nil && !st.Page.Stopped && st.Page.JSRedirect:
		why += ": its page returns only with JavaScript (" + excerpt(st.Page.JSRedirectSnippet, 80) + "), which the http engine does not run; run with a browser engine that runs JavaScript (--engine chromium or auto; in the TUI, press e)"
	case st.Note != "":
		why += ": " + st.Note
	case st.Err != nil:
		why += ": " + st.Err.Error()
	}
	return why
}

// approveInstall is the user clicking "Connect app" after signing in: HubSpot checks the returned
// scopes and mints the code. A scope HubSpot refuses ends the scenario as skipped (the
// conditional-scopes check reports it).
func approveInstall(s *Session, signIn *Step) (string, error) {
	code, err := s.MintCode(strings.Fields(signIn.Scope))
	if err != nil {
		var se *emulator.ScopeError
		if errors.As(err, &se) {
			return "", &skipError{why: "HubSpot refused the install: " + se.Text + " (see partner/authorize/conditional-scopes)"}
		}
		return "", fmt.Errorf("mint a code after sign-in: %w", err)
	}
	return code, nil
}

// tamperPositions picks where to change one character: the middle of each part of a JWS-like
// state (header, payload, signature), else its start, middle and end.
func tamperPositions(state string) []int {
	var pos []int
	add := func(p int) {
		for _, q := range pos {
			if q == p {
				return
			}
		}
		if p >= 0 && p < len(state) {
			pos = append(pos, p)
		}
	}
	if parts := strings.Split(state, "."); len(parts) == 3 {
		off := 0
		for _, part := range parts {
			if len(part) > 0 {
				add(off + len(part)/2)
			}
			off += len(part) + 1
		}
		return pos
	}
	add(0)
	add(len(state) / 2)
	add(len(state) - 2)
	return pos
}

// tamper changes the character at pos to another of the same kind.
func tamper(state string, pos int) string {
	b := []byte(state)
	c := b[pos]
	switch {
	case c >= '0' && c <= '8', c >= 'a' && c <= 'y', c >= 'A' && c <= 'Y':
		b[pos] = c + 1
	case c == '9':
		b[pos] = '0'
	case c == 'z':
		b[pos] = 'a'
	case c == 'Z':
		b[pos] = 'A'
	default:
		b[pos] = 'x'
	}
	return string(b)
}

// sameShape returns a random string with state's shape: the same length, each character
// replaced by a random one of its kind, separators kept.
func sameShape(state string) string {
	hex := alphabetBits(state) == 4
	for {
		b := []byte(state)
		for i, c := range b {
			switch {
			case hex && (c >= '0' && c <= '9' || c >= 'a' && c <= 'f'):
				b[i] = pick("0123456789abcdef")
			case hex && c >= 'A' && c <= 'F':
				b[i] = pick("0123456789ABCDEF")
			case c >= '0' && c <= '9':
				b[i] = pick("0123456789")
			case c >= 'a' && c <= 'z':
				b[i] = pick("abcdefghijklmnopqrstuvwxyz")
			case c >= 'A' && c <= 'Z':
				b[i] = pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
			}
		}
		if s := string(b); s != state {
			return s
		}
	}
}

func pick(alphabet string) byte {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
	if err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return alphabet[n.Int64()]
}

// signedInAndApproved is the start of every state provocation: a fresh browser signs in at
// step=authorize, and the user clicks Connect app, which mints the code the finalize will carry.
func signedInAndApproved(s *Session) (Engine, *Step, string, error) {
	b := s.NewBrowser(s.opts.ThirdPartyCookies)
	st, err := signedIn(s, b, stepAuthorize)
	if err != nil {
		return nil, nil, "", err
	}
	code, err := approveInstall(s, st)
	if err != nil {
		return nil, nil, "", err
	}
	return b, st, code, nil
}
