package chromium

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/chromedp/chromedp"
)

// This file measures the CPU time of the pool's Chromium process tree, for the benchmarks:
// CPU-seconds hold when other work loads the machine, where wall time does not.

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat's times (100 on Linux).
const clockTicks = 100

// procStat is what /proc/<pid>/stat says of a process.
type procStat struct {
	ppid  int
	ticks int64 // utime + stime + cutime + cstime: its own time and its reaped children's
}

// readStat reads /proc/<pid>/stat; ok is false for a process gone.
func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return procStat{}, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	// After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
	if len(f) < 15 {
		return procStat{}, false
	}
	var s procStat
	s.ppid, _ = strconv.Atoi(f[1])
	for _, k := range []int{11, 12, 13, 14} {
		v, _ := strconv.ParseInt(f[k], 10, 64)
		s.ticks += v
	}
	return s, true
}

// processType is Chromium's --type= of a process ("browser" for the main one).
func processType(pid int) string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return "?"
	}
	// A child process sets its title: its arguments joined by spaces.
	args := bytes.Fields(bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
	for _, a := range args {
		if t, ok := bytes.CutPrefix(a, []byte("--type=")); ok {
			s := string(t)
			if s == "utility" {
				for _, a := range args {
					if u, ok := bytes.CutPrefix(a, []byte("--utility-sub-type=")); ok {
						s = string(u)
					}
				}
			}
			return s
		}
	}
	return "browser"
}

// chromiumCPU returns the CPU-seconds the pool's Chromium and all its descendants have used,
// by process type, and their sum under "total".
func chromiumCPU(p *Pool) map[string]float64 {
	out := map[string]float64{}
	b := chromedp.FromContext(p.browserCtx)
	if b == nil || b.Browser == nil || b.Browser.Process() == nil {
		return out
	}
	root := b.Browser.Process().Pid
	entries, _ := os.ReadDir("/proc")
	stats := map[int]procStat{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if s, ok := readStat(pid); ok {
			stats[pid] = s
		}
	}
	for pid, s := range stats {
		for q := pid; q > 1; q = stats[q].ppid {
			if q == root {
				sec := float64(s.ticks) / clockTicks
				out[processType(pid)] += sec
				out["total"] += sec
				break
			}
			if _, ok := stats[q]; !ok {
				break
			}
		}
	}
	return out
}

// selfCPU returns the CPU-seconds this process has used.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
