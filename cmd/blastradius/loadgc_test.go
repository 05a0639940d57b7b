package main

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// TestCollectAfterLoad holds the collector off while loads run, with a
// memory limit that grows with each file, and its settings restored once
// the last load is done, even when loads overlap (diff's two models).
func TestCollectAfterLoad(t *testing.T) {
	if userGC {
		t.Skip("GOGC or GOMEMLIMIT set: the CLI leaves the collector alone")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	if err := os.WriteFile(a, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, make([]byte, 3000), 0o644); err != nil {
		t.Fatal(err)
	}
	percent := debug.SetGCPercent(137)
	limit := debug.SetMemoryLimit(1 << 40)
	defer func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}()

	doneA := collectAfterLoad(a)
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("during a load GOGC is %d, want off", p)
	}
	inUse := loadGC.inUse
	if got, want := debug.SetMemoryLimit(-1), inUse+loadGCBase+10*1000; got != want {
		t.Errorf("memory limit with one file %d, want %d", got, want)
	}
	doneB := collectAfterLoad(b)
	if got, want := debug.SetMemoryLimit(-1), inUse+loadGCBase+10*4000; got != want {
		t.Errorf("memory limit with two files %d, want %d", got, want)
	}
	doneA()
	if got, want := debug.SetMemoryLimit(-1), inUse+loadGCBase+10*3000; got != want {
		t.Errorf("memory limit once the first is done %d, want %d", got, want)
	}
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("with a load left GOGC is %d, want off", p)
	}
	doneB()
	if p := debug.SetGCPercent(-1); p != 137 {
		t.Errorf("after the loads GOGC is %d, want 137 back", p)
	}
	debug.SetGCPercent(137)
	if l := debug.SetMemoryLimit(-1); l != 1<<40 {
		t.Errorf("after the loads the memory limit is %d, want %d back", l, int64(1<<40))
	}

	// Not a regular file: nothing changes.
	done := collectAfterLoad(dir)
	if p := debug.SetGCPercent(-1); p != 137 {
		t.Errorf("loading a directory turned GOGC to %d", p)
	}
	debug.SetGCPercent(137)
	done()
	if p := debug.SetGCPercent(-1); p != 137 {
		t.Errorf("after a directory GOGC is %d", p)
	}
	debug.SetGCPercent(137)
}

func TestLoadLimit(t *testing.T) {
	for _, c := range []struct{ inUse, size, want int64 }{
		{0, 0, loadGCBase},
		{5, 143 << 20, 5 + loadGCBase + 1430<<20},
		{0, math.MaxInt64 / 4, math.MaxInt64},
	} {
		if got := loadLimit(c.inUse, c.size); got != c.want {
			t.Errorf("loadLimit(%d, %d) = %d, want %d", c.inUse, c.size, got, c.want)
		}
	}
}
