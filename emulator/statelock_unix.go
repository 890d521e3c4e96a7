//go:build linux || darwin || freebsd || netbsd || openbsd

package emulator

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// lockState takes an exclusive lock on the state file's lock file, so that two hsemu processes
// never append to (and compact) the same journal. The lock is a POSIX record lock: the kernel
// drops it when the process dies, kill -9 included; within one process it is always granted.
func lockState(path string) (io.Closer, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state lock %s: %w", path+".lock", err)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		_ = f.Close() // the lock failed already
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
			return nil, fmt.Errorf("state file %s is in use by another hsemu process: stop it, or give this one another state file", path)
		}
		return nil, fmt.Errorf("state lock %s: %w", path+".lock", err)
	}
	return f, nil
}
