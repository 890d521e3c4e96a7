// Package scenarios is hsemu's catalogue of checks and the driver that runs it.
//
// The catalogue is data: each Check is a struct literal with its ID, title, level, the
// requirement it enforces, its source and its fix, linked to the Scenario that provokes it and
// the steps it judges by typed values, so a link that drifts is a compile error. Each group
// (seamless, partner, robust, connect, listing, webhooks) keeps its check literals in
// <group>_checks.go, its scripts in <group>_scripts.go and its judges in <group>_judges.go.
//
// A scenario's script drives the endpoint under test through a Session: the virtual browser
// opens the install URL, follows the endpoint's redirects to the emulator and back, and every
// exchange is recorded as a Step of its Observation. A check's judge reads that Observation and
// returns an Outcome: pass, fail (the endpoint is wrong: expected vs got), error (the harness or
// the network broke) or skip.
//
// The driver (a Runner over a Harness, the emulator on a port) runs the scenarios the catalogue
// needs for each target, judges their checks and emits events as it goes; sinks — the reporters in
// scenarios/report, the TUI, go test — show the verdicts it made and never judge themselves.
package scenarios
