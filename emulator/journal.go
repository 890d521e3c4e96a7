package emulator

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// The state on disk is a snapshot (the state file, written whole and atomically) continued by
// an append-only journal: one JSON line per change (a statePatch), flushed to the disk before the
// change is acknowledged, so a change costs one small append whatever the size of the state. The
// journal file is zero-filled ahead of its lines (extend), so that an append is a flush of data
// only (fdatasync). When the
// journal outgrows the snapshot (compactFactor), a new snapshot is written in the background and
// the journal starts over (persist.go).
//
// Journals are numbered by generation: snapshot generation G is continued by the journal file
// "<state file>.journal-G", then -G+1, … . Compaction moves new changes to generation G+1 at the
// instant it copies the state, writes snapshot G+1, then deletes the older journals; a kill at
// any step leaves snapshot G with journals G and G+1, or snapshot G+1 with journal G+1 (and a
// stale journal G, deleted at the next start). Journal lines of generation G are always on disk
// before any line of G+1 is written.

// journal appends change lines to the journal files with group commit: a request waits until a
// write holding its change is fsynced, and one write serves every change recorded while the
// previous write ran.
type journal struct {
	base string // the state file; journals are base.journal-<gen>
	dir  string

	mu       sync.Mutex
	cond     *sync.Cond
	gen      uint64  // the generation new lines go to
	pending  []chunk // recorded, not yet written, oldest first
	queued   uint64  // the highest change version recorded
	written  uint64  // the highest change version on disk
	writing  bool
	err      error // sticky: once a write failed, the journal may miss a line
	closed   bool  // lines recorded now are dropped
	stopping bool  // no compaction starts any more

	sizes      map[uint64]int64 // bytes in each live journal file
	snapSize   int64            // bytes in the last snapshot
	factor     int64            // compactFactor when opened
	minSize    int64            // compactMin when opened
	compacting bool
	bg         sync.WaitGroup // background compactions

	lock io.Closer // the state lock (statelock_unix.go), released by close

	// Only the writer (writing set) touches the open file.
	f     *os.File
	fgen  uint64
	off   int64 // the end of the lines in f
	alloc int64 // the end of f's zero-filled space (extend), at least off
}

// chunk is consecutive lines of one generation.
type chunk struct {
	gen  uint64
	data []byte
}

func newJournal(base string, gen uint64, sizes map[uint64]int64, snapSize int64) *journal {
	dir := filepath.Dir(base)
	j := &journal{
		base: base, dir: dir, gen: gen, sizes: sizes, snapSize: snapSize,
		factor: compactFactor, minSize: compactMin,
	}
	if j.sizes == nil {
		j.sizes = map[uint64]int64{}
	}
	j.cond = sync.NewCond(&j.mu)
	return j
}

// journalFile is the journal of generation gen of the state file base.
func journalFile(base string, gen uint64) string {
	return base + ".journal-" + strconv.FormatUint(gen, 10)
}

// journalFiles lists the journal files of base by generation.
func journalFiles(base string) map[uint64]string {
	out := map[uint64]string{}
	matches, _ := filepath.Glob(base + ".journal-*")
	for _, m := range matches {
		n, err := strconv.ParseUint(strings.TrimPrefix(m, base+".journal-"), 10, 64)
		if err == nil {
			out[n] = m
		}
	}
	return out
}

// record queues line (a change's JSON line, newline included; nil for a change that wrote
// nothing) as change version v. The caller holds the state lock, so lines are queued in the
// order the changes were made.
func (j *journal) record(v uint64, line []byte) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		j.queued, j.written = v, v
		return
	}
	j.queued = v
	if len(line) == 0 {
		return
	}
	if n := len(j.pending); n > 0 && j.pending[n-1].gen == j.gen {
		j.pending[n-1].data = append(j.pending[n-1].data, line...)
		return
	}
	j.pending = append(j.pending, chunk{gen: j.gen, data: append([]byte(nil), line...)})
}

// wait returns once change version v (and every earlier one) is fsynced to a journal.
func (j *journal) wait(v uint64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.written < v {
		if j.err != nil {
			return j.err
		}
		if j.writing {
			j.cond.Wait()
			continue
		}
		j.writing = true
		// Let the requests that are running record their changes first, so that this
		// write and fsync serve them too (group commit).
		j.mu.Unlock()
		runtime.Gosched()
		j.mu.Lock()
		chunks, target := j.pending, j.queued
		j.pending = nil
		j.mu.Unlock()
		err := j.write(chunks)
		j.mu.Lock()
		j.writing = false
		j.cond.Broadcast()
		if err != nil {
			j.err = fmt.Errorf("append to the state journal: %w", err)
			return j.err
		}
		for _, c := range chunks {
			j.sizes[c.gen] += int64(len(c.data))
		}
		if target > j.written {
			j.written = target
		}
	}
	return nil
}

// write appends chunks to their journal files and flushes them to the disk. Only one write
// runs at a time.
func (j *journal) write(chunks []chunk) error {
	dirty, grown := false, false
	for _, c := range chunks {
		if j.f == nil || j.fgen != c.gen {
			if err := j.switchFile(c.gen, dirty, grown); err != nil {
				return err
			}
			grown = false // the old file was flushed
		}
		if _, err := j.f.WriteAt(c.data, j.off); err != nil {
			return fmt.Errorf("write %d bytes: %w", len(c.data), err)
		}
		j.off += int64(len(c.data))
		dirty = true
		if j.off > j.alloc {
			if err := j.extend(); err != nil {
				return err
			}
			grown = true
		}
	}
	if dirty {
		return j.flush(grown)
	}
	return nil
}

// flush makes what was written to the open file durable: a full fsync when the file grew (its
// new size and blocks must survive too), else fdatasync, which the zero-filled space ahead
// (extend) makes enough.
func (j *journal) flush(grown bool) error {
	sync := datasync
	if grown {
		sync = (*os.File).Sync
	}
	if err := sync(j.f); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

// Preallocation: the journal file is zero-filled ahead of its lines, by a step that doubles
// with the file from preallocMin to preallocMax, so that most appends overwrite space the
// file already has. The zeros are real writes, not fallocate(2), whose unwritten extents
// would need a metadata change at the first write into them. A reader stops at the first zero
// byte, which no journal line holds (replayJournal); close cuts the zeros off.
const (
	preallocMin = 64 << 10
	preallocMax = 4 << 20
)

var zeros [preallocMin]byte

// extend zero-fills the open file from the end of its lines (off) to a new end (alloc) past it.
func (j *journal) extend() error {
	step := min(max(j.off, preallocMin), preallocMax)
	end := j.off + step
	for at := j.off; at < end; {
		n := min(int64(len(zeros)), end-at)
		if _, err := j.f.WriteAt(zeros[:n], at); err != nil {
			return fmt.Errorf("preallocate: %w", err)
		}
		at += n
	}
	j.alloc = end
	return nil
}

// switchFile closes the open journal file, flushing it first when dirty, and opens the file of
// generation gen, creating it, to write after the lines it has.
func (j *journal) switchFile(gen uint64, dirty, grown bool) error {
	if j.f != nil {
		if dirty {
			if err := j.flush(grown); err != nil {
				return fmt.Errorf("before switching files: %w", err)
			}
		}
		_ = j.f.Close() // flushed: nothing written is lost
		j.f = nil
	}
	f, err := os.OpenFile(journalFile(j.base, gen), os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("new file: %w", err)
	}
	j.mu.Lock()
	off := j.sizes[gen]
	j.mu.Unlock()
	// Whatever follows the lines (zeros, or nothing: a file loaded at start was cut to its
	// lines) is overwritten with zeros by the first extend.
	j.f, j.fgen, j.off, j.alloc = f, gen, off, off
	syncDir(j.dir) // the new file's name must survive a crash too
	return nil
}

// closeFile cuts the preallocated zeros off the open file and closes it. Only the writer, or
// close once no write runs, calls it.
func (j *journal) closeFile() error {
	if j.f == nil {
		return nil
	}
	err := j.f.Truncate(j.off)
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.f = nil
	return err
}

// rotate moves new lines to the next generation and returns it with the last version of the
// previous one. The caller holds the state lock and copies the state in the same critical
// section, so the copy holds exactly the changes up to that version.
func (j *journal) rotate() (gen, last uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.gen++
	return j.gen, j.queued
}

// compacted records that snapshot gen (size bytes) is on disk and every line of the older
// generations too, and deletes their journals.
func (j *journal) compacted(gen uint64, size int64) {
	j.mu.Lock()
	j.snapSize = size
	for g := range j.sizes {
		if g < gen {
			delete(j.sizes, g)
		}
	}
	j.mu.Unlock()
	for g, f := range journalFiles(j.base) {
		if g < gen {
			_ = os.Remove(f)
		}
	}
}

// Compaction thresholds: a new snapshot is written once the current journal holds more than
// compactFactor times the snapshot's bytes, and at least compactMin bytes. Variables so tests
// can compact constantly.
var (
	compactFactor int64 = 4
	compactMin    int64 = 1 << 20
)

// grown reports whether the journal has outgrown the snapshot.
func (j *journal) grownLocked() bool {
	n := j.sizes[j.gen]
	return n >= j.minSize && n > j.factor*j.snapSize
}

// startCompaction reports whether the caller should compact now, and if so counts the
// compaction as running until compactionDone.
func (j *journal) startCompaction() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.stopping || j.compacting || j.err != nil || !j.grownLocked() {
		return false
	}
	j.compacting = true
	j.bg.Add(1)
	return true
}

func (j *journal) compactionDone() {
	j.mu.Lock()
	j.compacting = false
	j.mu.Unlock()
	j.bg.Done()
}

// close waits for a running compaction, writes every recorded line and closes the file. Lines
// recorded later are dropped.
func (j *journal) close() error {
	j.mu.Lock()
	j.stopping = true
	j.mu.Unlock()
	j.bg.Wait()
	j.mu.Lock()
	v := j.queued
	j.mu.Unlock()
	err := j.wait(v)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.closed = true
	for j.writing {
		j.cond.Wait()
	}
	if cerr := j.closeFile(); err == nil {
		err = cerr
	}
	if j.lock != nil {
		_ = j.lock.Close() // closing the lock file only drops the lock
		j.lock = nil
	}
	return err
}

// syncDir fsyncs a directory so that a file created or renamed in it survives a crash. Some
// file systems refuse to fsync a directory; the rename or create is still atomic.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close() // read-only: nothing to lose
}
