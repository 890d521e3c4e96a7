//go:build !linux

package emulator

import "os"

// datasync flushes f to the disk: a full fsync where fdatasync(2) is not at hand.
func datasync(f *os.File) error { return f.Sync() }
