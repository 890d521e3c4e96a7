package emulator

import "fmt"

// SyncMode is when hsemu serve acknowledges a change of its state file (Config.StateSync,
// hsemu serve --state-sync).
type SyncMode string

const (
	// SyncWrite acknowledges a change once it is written to the journal file: a kill of hsemu
	// (kill -9, a crash) loses nothing acknowledged, since the kernel holds what was written;
	// the flush to the disk follows at once, behind the answer, so a power cut or a crash of
	// the machine may lose the last few milliseconds. The default ("").
	SyncWrite SyncMode = "write"
	// SyncFlush acknowledges a change once it is flushed to the disk (fdatasync): nothing
	// acknowledged is lost even to a power cut, at the cost of one flush per answer (changes
	// at once share it).
	SyncFlush SyncMode = "flush"
)

// ParseSyncMode reads "write" or "flush" ("" is write).
func ParseSyncMode(s string) (SyncMode, error) {
	switch SyncMode(s) {
	case "", SyncWrite:
		return SyncWrite, nil
	case SyncFlush:
		return SyncFlush, nil
	}
	return "", fmt.Errorf("state sync %q: use write (acknowledge once written: a kill of hsemu loses nothing) or flush (once on the disk: a power cut loses nothing)", s)
}
