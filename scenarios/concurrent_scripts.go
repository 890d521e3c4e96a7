package scenarios

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/hsemu/hsemu/emulator"
)

// The concurrent-installs scenario (--repeat): many normal installs at once against one
// endpoint, each in its own portal, to catch state one install leaves for another.
const scenarioSeamlessConcurrent ScenarioID = "seamless/install/concurrent"

// stepFinalizeConcurrent begins the names of the concurrent installs' finalize steps:
// "finalize #1", "finalize #2" and so on.
const stepFinalizeConcurrent StepName = stepFinalize + " #"

// concurrentHold is how long HubSpot's token endpoint holds each concurrent install's exchange,
// so that the installs are in flight at the endpoint together rather than one after another.
const concurrentHold = 50 * time.Millisecond

func concurrentScenarios() []Scenario {
	return []Scenario{{
		ID: scenarioSeamlessConcurrent, Group: GroupSeamless, Solo: true,
		Applies: func(t Target, o Options) bool { return o.Repeat > 1 && t.hasFlow(Seamless) },
		Title:   "Many installs at once",
		Provokes: "--repeat normal installs at once (up to --concurrency in flight), each in its own portal with its own code and returnUrl; " +
			"HubSpot holds each token request " + concurrentHold.String() + " so that they overlap",
		Run: runConcurrentInstalls,
	}}
}

// runConcurrentInstalls runs opts.Repeat seamless installs, at most opts.Concurrency at once,
// each in a session of its own (its own portal, code, returnUrl and browser), then adopts their
// steps and hops into s's observation in install order. The scenario runs alone (Solo), so no
// other scenario's install overlaps them.
func runConcurrentInstalls(s *Session) error {
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
			errs[i] = child.concurrentInstall(stepFinalizeConcurrent + StepName(strconv.Itoa(i+1)))
		})
	}
	wg.Wait()
	for i, child := range children {
		if errs[i] != nil {
			return fmt.Errorf("install #%d: %w", i+1, errs[i])
		}
		s.adopt(child.obs)
	}
	return nil
}

// concurrentInstall is one of the concurrent installs, in its own portal.
func (s *Session) concurrentInstall(name StepName) error {
	p, err := s.h.Emulator.CreatePortal(emulator.Portal{})
	if err != nil {
		return fmt.Errorf("create a portal for the install: %w", err)
	}
	s.portal = p
	defer s.closeEngines()
	_, err = seamlessInstall(s, s.NewBrowser(s.opts.ThirdPartyCookies), name,
		&emulator.Fault{Kind: emulator.FaultDelay, Delay: concurrentHold, Times: 1})
	return err
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
