package conformance

import (
	"github.com/hsemu/hsemu/conformance/inprocess"
	"github.com/hsemu/hsemu/conformance/reference"
	"github.com/hsemu/hsemu/scenarios"
)

// These forward to package inprocess, where the in-process reference wiring lives, for tests
// and documents written against their old home.

// StartReference is inprocess.StartReference.
func StartReference(h *scenarios.Harness, bug string, opts scenarios.Options) ([]scenarios.Target, func(), error) {
	return inprocess.StartReference(h, bug, opts)
}

// ReferenceConfig is inprocess.ReferenceConfig.
func ReferenceConfig(h *scenarios.Harness, bug string, opts scenarios.Options) reference.Config {
	return inprocess.ReferenceConfig(h, bug, opts)
}

// InProcessOptions is inprocess.FastOptions.
func InProcessOptions() scenarios.Options { return inprocess.FastOptions() }

// TestOptions is inprocess.TestOptions.
func TestOptions() scenarios.Options { return inprocess.TestOptions() }
