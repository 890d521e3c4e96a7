package scenarios

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
)

// The concurrent-installs scenario (--repeat): many normal installs at once against one
// endpoint, each in its own portal, to catch state one install leaves for another.
const (
	scenarioSeamlessConcurrent ScenarioID = "seamless/install/concurrent"
	scenarioPartnerConcurrent  ScenarioID = "partner/finalize/concurrent"
)

// stepFinalizeConcurrent begins the names of the concurrent installs' finalize steps:
// "finalize #1", "finalize #2" and so on.
const stepFinalizeConcurrent StepName = stepFinalize + " #"

// stepFinalizeSwapped is the partner flow's extra finalize: a fresh code in the first install's
// portal with the second install's state, which that install already used.
const stepFinalizeSwapped StepName = stepFinalize + " (another install's state)"

// concurrentHold is how long HubSpot's token endpoint holds each concurrent install's exchange,
// so that the installs are in flight at the endpoint together rather than one after another.
const concurrentHold = 50 * time.Millisecond

func concurrentScenarios() []Scenario {
	repeated := func(f Flow) func(Target, Options) bool {
		return func(t Target, o Options) bool { return o.Repeat > 1 && t.hasFlow(f) }
	}
	return []Scenario{
		{
			ID: scenarioSeamlessConcurrent, Group: GroupSeamless, Solo: true, Applies: repeated(Seamless),
			Title: "Many installs at once",
			Provokes: "--repeat normal installs at once (up to --concurrency in flight), each in its own portal with its own code and returnUrl; " +
				"HubSpot holds each token request " + concurrentHold.String() + " so that they overlap",
			Run: func(s *Session) error {
				_, err := runConcurrentInstalls(s, func(c *Session, name StepName) error {
					_, err := seamlessInstall(c, c.NewBrowser(c.opts.ThirdPartyCookies), name, concurrentFault())
					return err
				})
				return err
			},
		},
		{
			ID: scenarioPartnerConcurrent, Group: GroupPartner, Solo: true, Applies: repeated(Partner),
			Title: "Many installs with partner sign-in at once",
			Provokes: "--repeat normal installs with partner sign-in at once (up to --concurrency in flight), each in its own portal with its own browser, sign-in, state, code and returnUrl; " +
				"HubSpot holds each token request " + concurrentHold.String() + " so that they overlap; then one more finalize in the first install's portal with the second install's state",
			Run: func(s *Session) error {
				installs, err := runConcurrentInstalls(s, func(c *Session, name StepName) error {
					_, err := partnerInstall(c, c.NewBrowser(c.opts.ThirdPartyCookies), concurrentFault(), name)
					return err
				})
				if err != nil || s.obs.Halt != "" {
					return err
				}
				return swapState(s, installs[0], installs[1])
			},
		},
	}
}

// concurrentFault holds a concurrent install's token request (its code is filled in).
func concurrentFault() *emulator.Fault {
	return &emulator.Fault{Kind: emulator.FaultDelay, Delay: concurrentHold, Times: 1}
}

// runConcurrentInstalls runs opts.Repeat installs, at most opts.Concurrency at once, each in a
// session of its own (its own portal, code, returnUrl and browser), then adopts their steps and
// hops into s's observation in install order. The scenario runs alone (Solo), so no other
// scenario's install overlaps them.
func runConcurrentInstalls(s *Session, install func(c *Session, name StepName) error) ([]*Session, error) {
	n := s.opts.Repeat
	children := make([]*Session, n)
	errs := make([]error, n)
	sem := make(chan struct{}, s.opts.Concurrency)
	var wg sync.WaitGroup
	for i := range n {
		child := newSession(s.ctx, s.h, s.disp, s.opts, s.target, s.sc, nil)
		children[i] = child
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = child.concurrentInstall(stepFinalizeConcurrent+StepName(strconv.Itoa(i+1)), install)
		})
	}
	wg.Wait()
	for i, child := range children {
		if errs[i] != nil {
			return nil, fmt.Errorf("install #%d: %w", i+1, errs[i])
		}
		if child.obs.Halt != "" && s.obs.Halt == "" {
			s.obs.Halt = fmt.Sprintf("install #%d: %s", i+1, child.obs.Halt)
		}
		s.adopt(child.obs)
	}
	return children, nil
}

// swapState finalizes once more in the first install's portal, with a fresh code and the
// state the second install signed in with: the endpoint must not complete it.
func swapState(s, first, second *Session) error {
	signIn := second.obs.Step(stepAuthorize)
	if signIn == nil || signIn.State == "" {
		return nil
	}
	code, err := first.MintCode(nil)
	if err != nil {
		return fmt.Errorf("mint a code for the swapped state: %w", err)
	}
	b := first.NewBrowser(first.opts.ThirdPartyCookies)
	defer first.closeEngines()
	first.obs.Steps, first.obs.Hops = nil, nil
	first.Finalize(b, stepFinalizeSwapped, code, signIn.State, true, first.ReturnURL(hubspot.StepFinalize))
	s.adopt(first.obs)
	return nil
}

// concurrentInstall is one of the concurrent installs, in its own portal.
func (s *Session) concurrentInstall(name StepName, install func(c *Session, name StepName) error) error {
	p, err := s.h.Emulator.CreatePortal(emulator.Portal{})
	if err != nil {
		return fmt.Errorf("create a portal for the install: %w", err)
	}
	s.portal = p
	defer s.closeEngines()
	return install(s, name)
}

// adopt appends what another session saw to s's observation, its hops renumbered after s's own.
func (s *Session) adopt(o *Observation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	off := s.seq
	last := off
	renumber := func(hops []HopRecord) {
		for i := range hops {
			hops[i].Seq += off
			last = max(last, hops[i].Seq)
		}
	}
	for _, st := range o.Steps {
		renumber(st.Hops)
		if st.CredentialHop > 0 {
			st.CredentialHop += off
		}
	}
	renumber(o.Hops)
	s.seq = last
	s.obs.Steps = append(s.obs.Steps, o.Steps...)
	s.obs.Hops = append(s.obs.Hops, o.Hops...)
	s.obs.Secrets = append(s.obs.Secrets, o.Secrets...)
	s.obs.States = append(s.obs.States, o.States...)
}
