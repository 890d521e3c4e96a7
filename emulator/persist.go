package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// persister writes the state file with group commit: a request that changed the state waits
// until a write that includes its change is on disk, and one write serves every request that
// arrived while the previous write ran.
type persister struct {
	path string

	mu      sync.Mutex
	cond    *sync.Cond
	writing bool
	written uint64 // the highest state version on disk
}

func newPersister(path string) *persister {
	p := &persister{path: path}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// maxStateSize bounds the state file read at start.
const maxStateSize = 256 << 20

// loadState reads Config.StatePath, or starts empty when it is "" or does not exist yet.
// Temp files a killed writer left behind are removed.
func (e *core) loadState() (*state, error) {
	st := newState()
	if e.cfg.StatePath == "" {
		return st, nil
	}
	e.disk = newPersister(e.cfg.StatePath)
	dir, base := filepath.Split(e.cfg.StatePath)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	if stale, _ := filepath.Glob(filepath.Join(dir, base+".tmp-*")); len(stale) > 0 {
		for _, f := range stale {
			_ = os.Remove(f)
		}
	}
	data, err := readBounded(e.cfg.StatePath, maxStateSize)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w", e.cfg.StatePath, err)
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("state file %s is not valid hsemu state (%w): move it away to start afresh, or run with --ephemeral", e.cfg.StatePath, err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("state file %s has version %d; this hsemu reads version %d: move it away to start afresh", e.cfg.StatePath, st.Version, stateVersion)
	}
	if st.Codes == nil {
		st.Codes = map[string]*codeRecord{}
	}
	if st.Grants == nil {
		st.Grants = map[string]*grant{}
	}
	if st.RevokedAccess == nil {
		st.RevokedAccess = map[string]time.Time{}
	}
	if st.Installs == nil {
		st.Installs = map[string]*install{}
	}
	st.refresh = map[string]*grant{}
	for _, g := range st.Grants {
		if g.RefreshToken != "" {
			st.refresh[g.RefreshToken] = g
		}
	}
	for i, p := range st.Portals {
		if p == nil {
			return nil, fmt.Errorf("state file %s: portal %d is null", e.cfg.StatePath, i)
		}
	}
	for i, a := range st.Apps {
		if a == nil {
			return nil, fmt.Errorf("state file %s: app %d is null", e.cfg.StatePath, i)
		}
	}
	return st, nil
}

// sync returns once state version v (or a later one) is on disk. In memory-only mode it
// returns at once.
func (e *core) sync(v uint64) error {
	p := e.disk
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.written < v {
		if p.writing {
			p.cond.Wait()
			continue
		}
		p.writing = true
		p.mu.Unlock()
		data, ver, err := e.snapshot()
		if err == nil {
			err = writeAtomic(p.path, data)
		}
		p.mu.Lock()
		p.writing = false
		p.cond.Broadcast()
		if err != nil {
			e.log.Error("hsemu: state not saved", "path", p.path, "err", err)
			return fmt.Errorf("save state: %w", err)
		}
		if ver > p.written {
			p.written = ver
		}
	}
	return nil
}

// snapshot encodes the state and returns the version it holds.
func (e *core) snapshot() ([]byte, uint64, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	data, err := json.Marshal(e.st)
	if err != nil {
		return nil, 0, fmt.Errorf("encode state: %w", err)
	}
	return data, e.version, nil
}

// writeAtomic replaces path with data so that a reader (or a restart after a crash) sees
// either the old or the new file, never a torn one: write a temp file in the same directory,
// fsync it, rename it over path, fsync the directory (rename(2) is atomic within a file system;
// the directory fsync makes the rename itself durable).
func writeAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	d, err := os.Open(strings.TrimSuffix(dir, string(filepath.Separator)) + string(filepath.Separator))
	if err != nil {
		return nil // the file is in place; only the rename's durability is best effort
	}
	defer d.Close()
	_ = d.Sync() // some file systems refuse to fsync a directory; the rename is still atomic
	return nil
}
