package cache

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// model copies a testdata model into a temporary directory and returns its
// path there.
func model(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("../../testdata", name))
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, src, 0o644))
	return p
}

// entries lists the entry files of c.
func entries(t *testing.T, c *Cache) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(c.dir, "*"+suffix))
	require.NoError(t, err)
	return m
}

// sameAsLoad loads path through c and checks the graph is the one
// graph.LoadCompiled gives, byte for byte in binary form.
func sameAsLoad(t *testing.T, c *Cache, path string) {
	t.Helper()
	got, err := c.Load(path, graph.Limits{})
	require.NoError(t, err)
	_, want, err := graph.LoadCompiled(path, graph.Limits{})
	require.NoError(t, err)
	gb, err := got.MarshalBinary()
	require.NoError(t, err)
	wb, err := want.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, wb, gb)
	require.Equal(t, want.String(), got.String())
}

func TestLoadColdWarm(t *testing.T) {
	c, err := Open(t.TempDir(), DefaultSize)
	require.NoError(t, err)
	p := model(t, "kakao-2022.yaml")
	sameAsLoad(t, c, p) // cold: decoded and stored
	require.Len(t, entries(t, c), 1)
	sameAsLoad(t, c, p) // warm: read from the entry
	require.Len(t, entries(t, c), 1)

	// A changed file is another key; the old entry stays until trimmed.
	src, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, append(src, "\n# changed\n"...), 0o644))
	sameAsLoad(t, c, p)
	require.Len(t, entries(t, c), 2)

	// The same bytes under another name are another entry: the graph
	// records its file, and names an unnamed model by it.
	q := filepath.Join(filepath.Dir(p), "other.yaml")
	require.NoError(t, os.WriteFile(q, src, 0o644))
	sameAsLoad(t, c, q)
	require.Len(t, entries(t, c), 3)

	// Other limits are another key too: an entry stored under raised
	// limits must not let a file past the default ones.
	_, err = c.Load(p, graph.Limits{Nodes: 10})
	require.Error(t, err)
	require.Len(t, entries(t, c), 3)
}

func TestLoadInvalidNeverStored(t *testing.T) {
	c, err := Open(t.TempDir(), DefaultSize)
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(p, []byte("nodes:\n  a: {kind: service, requires: [b]}\n"), 0o644))
	_, _, want := graph.LoadCompiled(p, graph.Limits{})
	require.Error(t, want)
	for range 2 {
		_, err := c.Load(p, graph.Limits{})
		require.EqualError(t, err, want.Error())
		var verr *graph.ValidationError
		require.True(t, errors.As(err, &verr))
	}
	require.Empty(t, entries(t, c))

	// Errors before decoding are LoadCompiled's too.
	for _, path := range []string{filepath.Join(t.TempDir(), "missing.yaml"), t.TempDir()} {
		_, _, want := graph.LoadCompiled(path, graph.Limits{})
		_, err := c.Load(path, graph.Limits{})
		require.EqualError(t, err, want.Error())
	}
	big := model(t, "kakao-2022.yaml")
	_, _, want = graph.LoadCompiled(big, graph.Limits{FileSize: 100})
	_, err = c.Load(big, graph.Limits{FileSize: 100})
	require.EqualError(t, err, want.Error())
	require.Empty(t, entries(t, c))
}

// TestLoadDamaged damages a stored entry every way a disk or a killed run
// can: each is ignored, the right graph returned, and the entry rewritten.
func TestLoadDamaged(t *testing.T) {
	c, err := Open(t.TempDir(), DefaultSize)
	require.NoError(t, err)
	p := model(t, "naver-2022.yaml")
	sameAsLoad(t, c, p)
	e := entries(t, c)[0]
	good, err := os.ReadFile(e)
	require.NoError(t, err)
	flip := func(i int) []byte {
		b := append([]byte(nil), good...)
		b[i] ^= 0x10
		return b
	}
	other := append([]byte(nil), good...)
	copy(other[len(magic):], strings.Repeat("x", 32)) // another key's entry
	for name, bad := range map[string][]byte{
		"empty":            {},
		"header only":      good[:headerSize],
		"truncated":        good[:len(good)-1],
		"longer":           append(append([]byte(nil), good...), 0),
		"magic":            flip(0),
		"key":              flip(len(magic)),
		"length":           flip(len(magic) + 32),
		"checksum":         flip(len(magic) + 40),
		"payload":          flip(headerSize + 10),
		"last byte":        flip(len(good) - 1),
		"another key":      other,
		"not a cache file": []byte("nodes: {}\n"),
	} {
		require.NoError(t, os.WriteFile(e, bad, 0o644), name)
		_, ok := c.get(keyOf(t, c, p))
		require.False(t, ok, name)
		sameAsLoad(t, c, p)
		fixed, err := os.ReadFile(e)
		require.NoError(t, err)
		require.Equal(t, good, fixed, "%s: the entry is not rewritten", name)
	}
}

// TestLoadBadPayload stores, with a sound checksum, bytes ReadCompiled
// refuses (as an entry of an older layout would be): the file is decoded.
func TestLoadBadPayload(t *testing.T) {
	c, err := Open(t.TempDir(), DefaultSize)
	require.NoError(t, err)
	p := model(t, "naver-2022.yaml")
	k := keyOf(t, c, p)
	require.NoError(t, c.put(k, []byte("BRCG\x07 an old layout")))
	sameAsLoad(t, c, p)
	data, ok := c.get(k)
	require.True(t, ok)
	_, err = graph.ReadCompiled(data)
	require.NoError(t, err)
}

func keyOf(t *testing.T, c *Cache, path string) Key {
	t.Helper()
	k, ok := c.key(path, graph.DefaultLimits())
	require.True(t, ok)
	return k
}

// TestLoadConcurrent loads the same and different files from many
// goroutines into one empty cache (as parallel CI jobs would): every one
// gets the right graph, and no temporary file is left.
func TestLoadConcurrent(t *testing.T) {
	c, err := Open(t.TempDir(), DefaultSize)
	require.NoError(t, err)
	paths := []string{model(t, "kakao-2022.yaml"), model(t, "naver-2022.yaml"), model(t, "kakao-2022-hot.yaml")}
	want := map[string][]byte{}
	for _, p := range paths {
		_, g, err := graph.LoadCompiled(p, graph.Limits{})
		require.NoError(t, err)
		want[p], err = g.MarshalBinary()
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 24 {
		p := paths[i%len(paths)]
		wg.Go(func() {
			g, err := c.Load(p, graph.Limits{})
			if err == nil {
				var b []byte
				if b, err = g.MarshalBinary(); err == nil && !reflect.DeepEqual(b, want[p]) {
					err = errors.New(p + ": another graph")
				}
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.Len(t, entries(t, c), len(paths))
	tmp, err := filepath.Glob(filepath.Join(c.dir, "*"+tmpMark+"*"))
	require.NoError(t, err)
	require.Empty(t, tmp)
}

func TestTrim(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, 1000)
	require.NoError(t, err)
	payload := make([]byte, 300-headerSize) // entries of 300 bytes
	old := time.Now().Add(-3 * time.Hour)
	var keys []Key
	for i := range 3 {
		k := Key{byte(i)}
		keys = append(keys, k)
		require.NoError(t, c.put(k, payload))
		// Entry i was last used i hours after the oldest.
		at := old.Add(time.Duration(i) * time.Hour)
		require.NoError(t, os.Chtimes(c.path(k), at, at))
	}
	// A hit makes entry 0 the most recently used.
	_, ok := c.get(keys[0])
	require.True(t, ok)
	stale := filepath.Join(dir, "x"+suffix+tmpMark+"1")
	require.NoError(t, os.WriteFile(stale, []byte("left by a killed run"), 0o644))
	require.NoError(t, os.Chtimes(stale, old, old))
	fresh := filepath.Join(dir, "y"+suffix+tmpMark+"2")
	require.NoError(t, os.WriteFile(fresh, []byte("being written"), 0o644))

	// A fourth entry goes past 1000 bytes: the least recently used (1) goes.
	k := Key{3}
	require.NoError(t, c.put(k, payload))
	for i, k := range append(keys, k) {
		_, err := os.Stat(c.path(k))
		assert.Equal(t, i != 1, err == nil, "entry %d", i)
	}
	assert.NoFileExists(t, stale)
	assert.FileExists(t, fresh)
	assert.FileExists(t, filepath.Join(dir, "CACHEDIR.TAG"))

	// An entry larger than half the cache is not stored.
	require.NoError(t, c.put(Key{9}, make([]byte, 600)))
	assert.NoFileExists(t, c.path(Key{9}))
}

func TestFromEnv(t *testing.T) {
	t.Setenv(Env, "off")
	c, err := FromEnv()
	require.NoError(t, err)
	require.Nil(t, c)

	dir := filepath.Join(t.TempDir(), "a", "b")
	t.Setenv(Env, dir)
	c, err = FromEnv()
	require.NoError(t, err)
	require.Equal(t, dir, c.Dir())
	require.DirExists(t, dir)

	t.Setenv(Env, "relative/dir")
	_, err = FromEnv()
	require.EqualError(t, err, "BLASTRADIUS_CACHE=relative/dir: want an absolute directory, or off")

	home := t.TempDir()
	t.Setenv(Env, "")
	t.Setenv("XDG_CACHE_HOME", home)
	t.Setenv("HOME", home)
	t.Setenv("LocalAppData", home)
	c, err = FromEnv()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(c.Dir(), home), c.Dir())
	require.Equal(t, "blastradius", filepath.Base(c.Dir()))
}

// TestLoadReadsEntry proves a warm Load reads the entry, not the file: an
// entry planted under the file's key (another model's graph) is what it
// returns.
func TestLoadReadsEntry(t *testing.T) {
	c, err := Open(t.TempDir(), DefaultSize)
	require.NoError(t, err)
	p := model(t, "kakao-2022.yaml")
	_, other, err := graph.LoadCompiled(model(t, "naver-2022.yaml"), graph.Limits{})
	require.NoError(t, err)
	data, err := other.MarshalBinary()
	require.NoError(t, err)
	require.NoError(t, c.put(keyOf(t, c, p), data))
	g, err := c.Load(p, graph.Limits{})
	require.NoError(t, err)
	require.Equal(t, other.String(), g.String())
}
