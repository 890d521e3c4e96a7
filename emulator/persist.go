package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Limits on what is read at start.
const (
	maxStateSize   = 256 << 20 // the snapshot
	maxJournalSize = 1 << 30   // one journal file
)

// statePatch is one journal line: the records one change touched, as they are after it. In a
// map, null means the record is gone. Journal entries are appended (and the oldest dropped past
// maxJournal).
type statePatch struct {
	Meta          *patchMeta              `json:"meta,omitempty"`
	Codes         map[string]*codeRecord  `json:"codes,omitempty"`
	Spent         map[codeHash]*spentCode `json:"spent,omitempty"`
	Grants        map[string]*grant       `json:"grants,omitempty"`
	Installs      map[string]*install     `json:"installs,omitempty"`
	RevokedAccess map[string]*time.Time   `json:"revokedAccess,omitempty"`
	Journal       []*journalEntry         `json:"journal,omitempty"`
}

// patchMeta is the small part of the state written whole when any of it changes.
type patchMeta struct {
	Key       []byte    `json:"key"`
	NextAppID int64     `json:"nextAppId"`
	NextHubID int64     `json:"nextHubId"`
	Apps      []*App    `json:"apps"`
	Portals   []*Portal `json:"portals"`
}

// update runs fn with the state locked for writing, then records what fn touched as one
// journal line and returns the change's version, to pass to sync once the lock is released.
// The lock is released, and the change recorded, even when fn panics.
func (e *core) update(fn func() error) (v uint64, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer func() { v = e.commitLocked() }()
	return 0, fn()
}

// view runs fn with the state locked for reading.
func (e *core) view(fn func()) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	fn()
}

// Marks of what a change touched; e.mu is held.
func (e *core) touchMeta()             { e.dirty.meta = true }
func (e *core) touchCode(code string)  { e.dirty.codes = append(e.dirty.codes, code) }
func (e *core) touchSpent(h codeHash)  { e.dirty.spent = append(e.dirty.spent, h) }
func (e *core) touchGrant(id string)   { e.dirty.grants = append(e.dirty.grants, id) }
func (e *core) touchInstall(k string)  { e.dirty.installs = append(e.dirty.installs, k) }
func (e *core) touchRevoked(id string) { e.dirty.revoked = append(e.dirty.revoked, id) }
func (e *core) touchJournal()          { e.dirty.journal++ }

// commitLocked ends a change: it numbers it, prunes, and queues its journal line. e.mu is held
// for writing (or e is not shared yet).
func (e *core) commitLocked() uint64 {
	e.version++
	e.pruneLocked(e.now())
	if e.disk != nil {
		var line []byte
		if !e.dirty.empty() {
			line = e.patchLocked()
		}
		e.disk.record(e.version, line)
	}
	d := &e.dirty // keep the lists' arrays for the next change
	*d = change{codes: d.codes[:0], spent: d.spent[:0], grants: d.grants[:0], installs: d.installs[:0], revoked: d.revoked[:0]}
	return e.version
}

// patchLocked encodes the records the current change touched as a journal line (patchenc.go),
// into a buffer reused by the next change: record copies it.
func (e *core) patchLocked() []byte {
	e.lineBuf = appendPatch(e.lineBuf[:0], e.st, &e.dirty)
	if cap(e.lineBuf) > 64<<10 { // a big meta change: do not keep its buffer
		line := e.lineBuf
		e.lineBuf = nil
		return line
	}
	return e.lineBuf
}

// apply replays a journal line.
func (s *state) apply(p *statePatch) {
	if m := p.Meta; m != nil {
		s.Key, s.NextAppID, s.NextHubID, s.Apps, s.Portals = m.Key, m.NextAppID, m.NextHubID, m.Apps, m.Portals
	}
	applyMap(s.Codes, p.Codes)
	for h, sc := range p.Spent {
		if sc == nil {
			delete(s.Spent, h)
		} else {
			s.Spent[h] = *sc
		}
	}
	applyMap(s.Grants, p.Grants)
	applyMap(s.Installs, p.Installs)
	for k, t := range p.RevokedAccess {
		if t == nil {
			delete(s.RevokedAccess, k)
		} else {
			s.RevokedAccess[k] = *t
		}
	}
	if len(p.Journal) > 0 {
		s.Journal = append(s.Journal, p.Journal...)
		if n := len(s.Journal); n > maxJournal {
			s.Journal = slices.Clone(s.Journal[n-maxJournal:])
		}
	}
}

func applyMap[V any](dst, src map[string]*V) {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
		} else {
			dst[k] = v
		}
	}
}

// sync returns once change version v (or a later one) is on disk; in memory-only mode at
// once. When the journal has outgrown the snapshot, it starts a compaction in the background.
func (e *core) sync(v uint64) error {
	j := e.disk
	if j == nil {
		return nil
	}
	if err := j.wait(v); err != nil {
		e.log.Error("hsemu: state not saved", "path", e.cfg.StatePath, "err", err)
		return fmt.Errorf("save state: %w", err)
	}
	if j.startCompaction() {
		go func() {
			defer j.compactionDone()
			if err := e.compact(); err != nil {
				e.log.Error("hsemu: state not compacted", "path", e.cfg.StatePath, "err", err)
			}
		}()
	}
	return nil
}

// compact writes a new snapshot and drops the journals it replaces. Changes wait only while
// the state is copied (BenchmarkCompactionPause100k); encoding and writing happen without the
// lock.
func (e *core) compact() error {
	var (
		snap      *state
		gen, last uint64
	)
	// Every change is made and recorded under the write lock, so under the read lock the copy
	// and the switch of journal see the same changes; reads (token refreshes, API calls) go on.
	e.view(func() {
		snap = e.st.clone()
		gen, last = e.disk.rotate()
	})
	e.compactStep("journal switched")
	snap.Version, snap.Generation = stateVersion, gen
	data, err := encodeState(snap)
	if err != nil {
		return err
	}
	if err := writeAtomic(e.cfg.StatePath, data); err != nil {
		return fmt.Errorf("write state snapshot: %w", err)
	}
	e.compactStep("snapshot written")
	if err := e.disk.wait(last); err != nil {
		return err
	}
	e.compactStep("old journal complete")
	e.disk.compacted(gen, int64(len(data)))
	e.compactStep("old journals deleted")
	return nil
}

// loadState reads the state file and its journals (Config.StatePath), or starts empty when it
// is "" or does not exist yet, and opens the journal. compactNow says a snapshot should be
// written before serving: there is none yet, it is of the old format, or the journal outgrew
// it. Temp files a killed writer left behind are removed; every record is checked.
func (e *core) loadState() (st *state, compactNow bool, err error) {
	st = newState()
	path := e.cfg.StatePath
	if path == "" {
		return st, false, nil
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("state directory %s: %w", dir, err)
	}
	lock, err := lockState(path)
	if err != nil {
		return nil, false, err
	}
	defer func() {
		if err != nil {
			_ = lock.Close() // the open failed already
		}
	}()
	if stale, _ := filepath.Glob(filepath.Join(dir, base+".tmp-*")); len(stale) > 0 {
		for _, f := range stale {
			_ = os.Remove(f)
		}
	}
	var snapSize int64
	data, err := readBounded(path, maxStateSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		compactNow = true
	case err != nil:
		return nil, false, fmt.Errorf("state file %s: %w", path, err)
	default:
		if err := decodeStrict(data, st); err != nil {
			return nil, false, fmt.Errorf("state file %s is not valid hsemu state (%w): move it away to start afresh, or run with --ephemeral", path, err)
		}
		if st.Version < oldStateVersion || st.Version > stateVersion {
			return nil, false, fmt.Errorf("state file %s has version %d; this hsemu reads versions %d to %d: move it away to start afresh", path, st.Version, oldStateVersion, stateVersion)
		}
		if err := st.check(); err != nil {
			return nil, false, fmt.Errorf("state file %s: %w: fix it or move it away to start afresh", path, err)
		}
		st.fillMaps()
		snapSize = int64(len(data))
		compactNow = st.Version != stateVersion // migrate
	}

	files := journalFiles(path)
	gens := make([]uint64, 0, len(files))
	for g := range files {
		if g < st.Generation {
			_ = os.Remove(files[g]) // replaced by the snapshot; a compaction was cut short
			continue
		}
		gens = append(gens, g)
	}
	slices.Sort(gens)
	sizes := map[uint64]int64{}
	var journalBytes int64
	gen := st.Generation
	for i, g := range gens {
		n, torn, err := replayJournal(st, files[g], i == len(gens)-1)
		if err != nil {
			return nil, false, err
		}
		if torn {
			e.log.Warn("hsemu: dropped the unfinished last line of the state journal (a change never acknowledged)", "path", files[g])
		}
		sizes[g] = n
		journalBytes += n
		gen = g
	}
	st.index()
	st.prune(e.now(), e.cfg.AccessTTL)
	if journalBytes >= compactMin && journalBytes > compactFactor*snapSize {
		compactNow = true
	}
	e.disk = newJournal(path, gen, sizes, snapSize, e.cfg.StateSync == SyncFlush)
	e.disk.lock = lock
	return st, compactNow, nil
}

// fillMaps gives a decoded state empty maps where the file had none.
func (s *state) fillMaps() {
	if s.Codes == nil {
		s.Codes = map[string]*codeRecord{}
	}
	if s.Spent == nil {
		s.Spent = map[codeHash]spentCode{}
	}
	if s.Grants == nil {
		s.Grants = map[string]*grant{}
	}
	if s.RevokedAccess == nil {
		s.RevokedAccess = map[string]time.Time{}
	}
	if s.Installs == nil {
		s.Installs = map[string]*install{}
	}
}

// replayJournal applies the lines of one journal file to st and returns the size of its lines.
// The lines end at the first zero byte, which no line holds: the file's preallocated space
// (journal.extend). An unfinished last line (no newline, or not JSON) of the last file is a
// change a kill cut short before it was acknowledged: it is cut off the file (torn), as are
// the zeros. Any other bad line is an error naming the file and line.
func replayJournal(st *state, file string, last bool) (size int64, torn bool, err error) {
	data, err := readBounded(file, maxJournalSize)
	if err != nil {
		return 0, false, fmt.Errorf("state journal %s: %w", file, err)
	}
	fileSize := len(data)
	if z := bytes.IndexByte(data, 0); z >= 0 {
		// Only the file being written when a kill came may hold more than zeros after them
		// (lines never acknowledged).
		if !last && slices.ContainsFunc(data[z:], func(b byte) bool { return b != 0 }) {
			return 0, false, fmt.Errorf("state journal %s: data after a zero byte at offset %d: move the state file and its journals away to start afresh", file, z)
		}
		data = data[:z]
	}
	off, lineNo := 0, 0
	for off < len(data) {
		lineNo++
		i := bytes.IndexByte(data[off:], '\n')
		end := off + i + 1
		var p statePatch
		var perr error
		if i < 0 {
			perr = errors.New("unfinished line")
		} else {
			perr = decodeStrict(data[off:off+i], &p)
		}
		if perr != nil {
			if last && (i < 0 || end == len(data)) {
				torn = true
				break
			}
			return 0, false, fmt.Errorf("state journal %s line %d is not a valid hsemu change (%w): move the state file and its journals away to start afresh", file, lineNo, perr)
		}
		if err := p.check(); err != nil {
			return 0, false, fmt.Errorf("state journal %s line %d: %w", file, lineNo, err)
		}
		st.apply(&p)
		off = end
	}
	if last && off < fileSize {
		// New lines go right after the last whole one.
		if err := os.Truncate(file, int64(off)); err != nil {
			return 0, false, fmt.Errorf("state journal %s: cut it after its last whole line: %w", file, err)
		}
	}
	return int64(off), torn, nil
}

// decodeStrict decodes exactly one JSON value into v: unknown fields and anything but white
// space after the value are errors.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	return nil
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
		return fmt.Errorf("create temp file: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		_ = f.Close()      // the write failed already
		_ = os.Remove(tmp) // best effort: Open removes stale temp files too
		return fmt.Errorf("write temp file: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("close temp file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("replace: %w", err)
	}
	syncDir(dir)
	return nil
}
