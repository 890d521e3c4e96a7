package scenarios

import (
	"fmt"
	"net/url"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
)

// The seamless scenarios: HubSpot's marketplace install without partner sign-in.
const (
	scenarioSeamlessInstall       ScenarioID = "seamless/install"
	scenarioSeamlessExchangeFails ScenarioID = "seamless/exchange-fails"
	scenarioSeamlessMissingCode   ScenarioID = "seamless/missing-code"
	scenarioSeamlessReload        ScenarioID = "seamless/reload"
	scenarioSeamlessReflected     ScenarioID = "seamless/reflected-markup"
)

// Steps of the seamless scenarios (the partner flow's exchange-fails shares stepFinalizeFaulted).
const (
	// stepFinalizeMarkupReturn and stepFinalizeMarkupCode carry xssPayload in returnUrl's
	// query (on HubSpot's host) and as the code.
	stepFinalizeMarkupReturn StepName = stepFinalize + " (markup in returnUrl)"
	stepFinalizeMarkupCode   StepName = stepFinalize + " (markup as code)"
	// stepFinalizeFaulted begins the names of finalize steps whose token request HubSpot
	// answers badly: "finalize (503)" (faultedStep).
	stepFinalizeFaulted StepName = stepFinalize + " ("
	stepFinalizeNoCode  StepName = stepFinalize + " (no code)"
	stepFinalizeReload  StepName = stepFinalize + " (reload)"
)

// faultedStep names the finalize step of an install whose token request fails as label says.
// markedReturnURL is a returnUrl on HubSpot's host whose query carries xssPayload: it passes an
// allow-list of HubSpot hosts, so an endpoint that echoes it is caught even if it refuses others.
func markedReturnURL(s *Session) *url.URL {
	u := s.ReturnURL(hubspot.StepFinalize)
	u.RawQuery += "&x=" + xssPayload // raw: the endpoint decodes the returnUrl parameter once
	return u
}

func faultedStep(label string) StepName { return stepFinalizeFaulted + StepName(label) + ")" }

func seamlessScenarios() []Scenario {
	return []Scenario{
		{
			ID: scenarioSeamlessInstall, Group: GroupSeamless, Applies: servesFlow(Seamless),
			Title:    "A normal install without partner sign-in",
			Provokes: "HubSpot sends the browser, framed under app.hubspot.com, to {install URL}?code=…&returnUrl=…&step=finalize",
			Run: func(s *Session) error {
				_, err := seamlessInstall(s, s.NewBrowser(s.opts.ThirdPartyCookies), stepFinalize, nil)
				return err
			},
		},
		{
			ID: scenarioSeamlessExchangeFails, Group: GroupSeamless, Applies: servesFlow(Seamless), Waits: true,
			Title:    "HubSpot's token endpoint fails during the install",
			Provokes: "three installs whose token request is answered 400 BAD_AUTH_CODE, 503, and only after a long stall",
			Run: func(s *Session) error {
				for _, f := range exchangeFaults(s.opts) {
					b := s.NewBrowser(s.opts.ThirdPartyCookies)
					_, err := seamlessInstall(s, b, faultedStep(f.label), &f.fault)
					s.Done(b)
					if err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			ID: scenarioSeamlessMissingCode, Group: GroupSeamless, Applies: servesFlow(Seamless), Solo: true,
			Title:    "Finalize without a code",
			Provokes: "{install URL}?returnUrl=…&step=finalize with no code",
			Run: func(s *Session) error {
				s.Finalize(s.NewBrowser(s.opts.ThirdPartyCookies), stepFinalizeNoCode, "", "", false, s.ReturnURL(hubspot.StepFinalize))
				return nil
			},
		},
		{
			ID: scenarioSeamlessReflected, Group: GroupSeamless, Applies: servesFlow(Seamless),
			Title:    "Markup in the install request's parameters",
			Provokes: "finalize with a returnUrl on HubSpot's host whose query carries " + xssPayload + " (an allow-list of HubSpot hosts lets it through), then with that markup as the code",
			Run: func(s *Session) error {
				code, err := s.MintCode(nil)
				if err != nil {
					return fmt.Errorf("mint a code: %w", err)
				}
				b := s.NewBrowser(s.opts.ThirdPartyCookies)
				s.Finalize(b, stepFinalizeMarkupReturn, code, "", false, markedReturnURL(s))
				s.Done(b)
				s.Finalize(s.NewBrowser(s.opts.ThirdPartyCookies), stepFinalizeMarkupCode, xssPayload, "", false, s.ReturnURL(hubspot.StepFinalize))
				return nil
			},
		},
		{
			ID: scenarioSeamlessReload, Group: GroupSeamless, Applies: servesFlow(Seamless),
			Title:    "The same finalize URL opened twice",
			Provokes: "a normal install, then the same finalize URL loaded again in the same browser (a reload or back button)",
			Run: func(s *Session) error {
				b := s.NewBrowser(s.opts.ThirdPartyCookies)
				first, err := seamlessInstall(s, b, stepFinalize, nil)
				if err != nil {
					return err
				}
				s.Open(b, stepFinalizeReload, first.URL, first.Context, first.Code, first.Return)
				return nil
			},
		},
	}
}

// seamlessInstall is HubSpot's install without partner sign-in: mint a code, send the browser
// framed to {install URL}?code=…&returnUrl=…&step=finalize.
func seamlessInstall(s *Session, b Engine, name StepName, fault *emulator.Fault) (*Step, error) {
	code, err := s.MintCode(nil)
	if err != nil {
		return nil, fmt.Errorf("mint a code for the install: %w", err)
	}
	if fault != nil {
		f := *fault
		f.Code = code
		s.Fault(f)
	}
	return s.Finalize(b, name, code, "", false, s.ReturnURL(hubspot.StepFinalize)), nil
}

type labelledFault struct {
	label string
	fault emulator.Fault
}

// exchangeFaults are the ways the token endpoint fails in the exchange-fails scenarios.
func exchangeFaults(o Options) []labelledFault {
	return []labelledFault{
		{"400 BAD_AUTH_CODE", emulator.Fault{Kind: emulator.FaultError, Status: "BAD_AUTH_CODE", Times: 1}},
		{"503", emulator.Fault{Kind: emulator.FaultServerError, HTTPStatus: 503, Times: 1}},
		{fmt.Sprintf("stalls %s", o.SlowExchange), emulator.Fault{Kind: emulator.FaultDelay, Delay: o.SlowExchange, Times: 1}},
	}
}
