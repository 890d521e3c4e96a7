package emulator

import (
	"errors"
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
// an append-only journal: one JSON line per change (a statePatch), written to the file before the
// change is acknowledged (Config.StateSync: and, with SyncFlush, flushed to the disk), so a
// change costs one small append whatever the size of the state. The
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

	mu        sync.Mutex
	cond      *sync.Cond
	gen       uint64  // the generation new lines go to
	pending   []chunk // recorded, not yet written, oldest first
	queued    uint64  // the highest change version recorded
	appended  uint64  // the highest change version written to a file, maybe not flushed yet
	written   uint64  // the highest change version flushed to the disk
	appending bool    // a request is appending lines (wait)
	flushing  int     // flushes running (wait)
	err       error   // sticky: once a write failed, the journal may miss a line
	closed    bool    // lines recorded now are dropped
	stopping  bool    // no compaction starts any more

	// flushEach acknowledges a change only once it is flushed to the disk (SyncFlush); else
	// once it is written to the file (SyncWrite), with the flush following in the background:
	// behind (a flush running) and dirty (lines written since it started) track that flush,
	// and last is the file the last lines went to.
	flushEach bool
	behind    bool
	dirty     bool
	last      *os.File

	sizes      map[uint64]int64 // bytes in each live journal file
	snapSize   int64            // bytes in the last snapshot
	factor     int64            // compactFactor when opened
	minSize    int64            // compactMin when opened
	compacting bool
	bg         sync.WaitGroup // background compactions

	lock io.Closer // the state lock (statelock_unix.go), released by close

	// Only the appender (appending set) touches these.
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

func newJournal(base string, gen uint64, sizes map[uint64]int64, snapSize int64, flushEach bool) *journal {
	dir := filepath.Dir(base)
	j := &journal{
		base: base, dir: dir, gen: gen, sizes: sizes, snapSize: snapSize,
		factor: compactFactor, minSize: compactMin, flushEach: flushEach,
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
		j.queued, j.appended, j.written = v, v, v
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

// wait returns once change version v (and every earlier one) is flushed to a journal.
//
// Group commit, pipelined: one request at a time appends every line recorded so far (the
// appender), lets the next appender go, then flushes the file (fdatasync). A flush that starts
// once a line is appended makes it and every line before it durable, so when it returns every
// change up to the version it appended is acknowledged. Flushes of successive batches overlap:
// a request waits for about one flush, not the rest of the running one and then its own.
func (j *journal) wait(v uint64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.written < v {
		if j.err != nil {
			return j.err
		}
		if j.appending || j.appended >= v { // a flush running or to come covers v
			j.cond.Wait()
			continue
		}
		j.appending = true
		// Let the requests that are running record their changes first, so that this
		// append and flush serve them too (group commit).
		j.mu.Unlock()
		runtime.Gosched()
		j.mu.Lock()
		chunks, target := j.pending, j.queued
		j.pending = nil
		unflushed := len(chunks) > 0 || j.appended > j.written
		j.mu.Unlock()
		f, err := j.write(chunks)
		j.mu.Lock()
		j.appending = false
		if err == nil {
			for _, c := range chunks {
				j.sizes[c.gen] += int64(len(c.data))
			}
			j.appended = max(j.appended, target)
		}
		if err == nil && !j.flushEach {
			// SyncWrite: the lines are in the file, so a kill of this process loses none of
			// them; the flush to the disk follows, behind the answers.
			j.written = max(j.written, target)
			if unflushed && f != nil {
				j.last = f
				j.flushBehindLocked()
			}
			j.cond.Broadcast()
			continue
		}
		j.flushing++
		j.cond.Broadcast()
		j.mu.Unlock()
		if err == nil && unflushed && f != nil {
			err = flushFile(f)
		}
		j.mu.Lock()
		j.flushing--
		j.cond.Broadcast()
		if err != nil {
			if j.err == nil {
				j.err = fmt.Errorf("append to the state journal: %w", err)
			}
			return j.err
		}
		j.written = max(j.written, target)
	}
	return nil
}

// flushBehindLocked starts the background flush of SyncWrite, or marks the running one dirty
// so that it flushes once more when it ends. A failed flush makes the journal fail, as a
// failed write does. The caller holds j.mu.
func (j *journal) flushBehindLocked() {
	if j.behind {
		j.dirty = true
		return
	}
	j.behind = true
	j.flushing++
	go func() {
		j.mu.Lock()
		defer j.mu.Unlock()
		for {
			f := j.last
			j.dirty = false
			j.mu.Unlock()
			err := flushFile(f)
			j.mu.Lock()
			if err != nil && j.err == nil {
				j.err = fmt.Errorf("append to the state journal: %w", err)
			}
			if !j.dirty || err != nil {
				break
			}
		}
		j.behind = false
		j.flushing--
		j.cond.Broadcast()
	}()
}

// write appends chunks to their journal files and returns the file the last went to, to
// flush. Only the appender calls it.
func (j *journal) write(chunks []chunk) (*os.File, error) {
	for _, c := range chunks {
		if j.f == nil || j.fgen != c.gen {
			if err := j.switchFile(c.gen); err != nil {
				return nil, err
			}
		}
		if _, err := j.f.WriteAt(c.data, j.off); err != nil {
			return nil, fmt.Errorf("write %d bytes: %w", len(c.data), err)
		}
		j.off += int64(len(c.data))
		if j.off > j.alloc {
			if err := j.extend(); err != nil {
				return nil, err
			}
		}
	}
	return j.f, nil
}

// flushFile makes what was written to f durable with fdatasync, which also commits a new size
// when the file grew (extend). A file closed meanwhile was closed by switchFile after a flush
// that covered every line written to it, or by close once no flush runs.
func flushFile(f *os.File) error {
	if err := datasync(f); err != nil && !errors.Is(err, os.ErrClosed) {
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

// switchFile flushes and closes the open journal file, and opens the file of generation gen,
// creating it, to write after the lines it has. Flushes of the old file may still run: they
// see it closed, after a flush that covered them.
func (j *journal) switchFile(gen uint64) error {
	if j.f != nil {
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("flush before switching files: %w", err)
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
	if serr := j.f.Sync(); err == nil {
		err = serr
	}
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
	for j.appending || j.flushing > 0 {
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
