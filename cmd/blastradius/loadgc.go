package main

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// The collector while a model file loads. Loading allocates about six
// bytes per byte of the file (the file itself, the compact columns, the
// graph) and keeps most of it live to the end, so the collector's cycles
// during a load find little garbage: at 1,000,000 nodes (143 MB of YAML)
// the default GOGC ran five of them, each marking the columns' strings and
// the index, and a third of a second of CPU went to cycles that freed
// almost nothing. So while a file loads the collector is off, bounded by
// a memory limit of 64 MiB plus ten times the file's size (the peak a
// command may reach, see issue 12): a load that needs more than the
// limit (the full model of a broken file, read again for its messages)
// is collected as it nears it instead of growing without bound. Once
// the load is done the previous settings come back. A user's GOGC or
// GOMEMLIMIT is theirs: with either set, nothing is changed.
//
// Loads may run at once (diff loads its two models on two cores): the
// first sets the budget, each adds its file's share, and the last one
// out restores the settings.
var loadGC struct {
	mu      sync.Mutex
	n       int   // loads under way
	bytes   int64 // the sum of their files' sizes
	inUse   int64 // memory in use when the first began
	percent int   // the settings before the first
	limit   int64
}

// loadGCBase is the memory limit's part that does not grow with the files,
// on top of what the process used already (a model loaded before, as
// recover --what-if does).
const loadGCBase = 64 << 20

// userGC reports whether the user set the collector's settings.
var userGC = os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != ""

// collectAfterLoad turns the collector off for the load of the file at
// path (see loadGC) and returns what turns it back on. A path that is not
// a regular file (standard input, a pipe) keeps the settings as they are.
func collectAfterLoad(path string) func() {
	if userGC {
		return func() {}
	}
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return func() {}
	}
	size := st.Size()
	loadGC.mu.Lock()
	defer loadGC.mu.Unlock()
	if loadGC.n == 0 {
		loadGC.percent = debug.SetGCPercent(-1)
		loadGC.limit = debug.SetMemoryLimit(-1)
		loadGC.inUse = memoryInUse()
	}
	loadGC.n++
	loadGC.bytes += size
	debug.SetMemoryLimit(loadLimit(loadGC.inUse, loadGC.bytes))
	return func() {
		loadGC.mu.Lock()
		defer loadGC.mu.Unlock()
		loadGC.n--
		loadGC.bytes -= size
		if loadGC.n > 0 {
			debug.SetMemoryLimit(loadLimit(loadGC.inUse, loadGC.bytes))
			return
		}
		debug.SetMemoryLimit(loadGC.limit)
		debug.SetGCPercent(loadGC.percent)
	}
}

// loadLimit is the memory limit of loads of files of size bytes in all,
// begun with inUse bytes in use.
func loadLimit(inUse, size int64) int64 {
	if size > (math.MaxInt64-loadGCBase-inUse)/10 {
		return math.MaxInt64
	}
	return inUse + loadGCBase + 10*size
}

// memoryInUse is the memory the runtime holds, as its memory limit counts
// it.
func memoryInUse() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64() - s[1].Value.Uint64())
}
