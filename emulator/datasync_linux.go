package emulator

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// datasync flushes f's data to the disk, and of its metadata only what reading the data back
// needs (fdatasync(2)): the journal writes into space it zero-filled and fsynced beforehand
// (journal.extend), so an append changes no size or block map and needs no file system journal
// commit.
func datasync(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return fsync(f)
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			serr = syscall.Fdatasync(int(fd))
			if !errors.Is(serr, syscall.EINTR) {
				return
			}
		}
	}); err != nil {
		return fsync(f)
	}
	if serr != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: serr}
	}
	return nil
}

func fsync(f *os.File) error {
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync: %w", err)
	}
	return nil
}
