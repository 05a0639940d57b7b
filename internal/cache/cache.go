// Package cache keeps compiled models in the user's cache directory, keyed
// by the content of their file, so that a second run on an unchanged file
// reads the compiled graph instead of decoding, validating and compiling
// the file again.
//
// An entry's key is a SHA-256 over everything the compiled graph depends
// on: the layout version of graph.ReadCompiled, a hash of the running
// executable (so that a new build never reads what an old one wrote), the
// path as given (the graph records it, and names an unnamed model by it),
// the limits, and the file's bytes. An entry is a header (magic, key,
// length, SHA-256 of the payload) and the payload, graph.MarshalBinary's
// bytes; one whose header or checksum does not match, or that
// graph.ReadCompiled refuses, is ignored, and the file is decoded and the
// entry written again. Only a valid model is stored: a file with problems
// is read, and its problems reported, every time.
//
// Entries are written to a temporary file and renamed into place, so that
// concurrent runs see a whole entry or none. After each write the cache
// removes the least recently used entries beyond its size limit; a hit
// refreshes an entry's modification time (at most once an hour, as the go
// build cache does, to spare writes), which is what "used" means.
package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blastradius-go/blastradius/graph"
)

// Env is the environment variable that moves the cache (an absolute
// directory) or turns it off ("off").
const Env = "BLASTRADIUS_CACHE"

// DefaultSize is the default bound of the entries' total size.
const DefaultSize = 1 << 30

// Cache is a directory of compiled models.
type Cache struct {
	dir  string
	size int64 // bound of the entries' total size
}

// FromEnv returns the cache that Env selects: off (nil, nil) when it is
// "off", the directory it names when it is one, else the directory
// blastradius in the user's cache directory (os.UserCacheDir); nil, nil
// when there is no user cache directory (no HOME, as in some CI
// containers).
func FromEnv() (*Cache, error) {
	dir := os.Getenv(Env)
	switch {
	case dir == "off":
		return nil, nil
	case dir == "":
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, nil
		}
		dir = filepath.Join(base, "blastradius")
	case !filepath.IsAbs(dir):
		return nil, fmt.Errorf("%s=%s: want an absolute directory, or off", Env, dir)
	}
	return Open(dir, DefaultSize)
}

// Open returns the cache in dir, creating dir if need be, whose entries
// are kept under size bytes in total.
func Open(dir string, size int64) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	// Tell backup tools and people what the directory is (the Cache
	// Directory Tagging Specification).
	tag := filepath.Join(dir, "CACHEDIR.TAG")
	if _, err := os.Stat(tag); errors.Is(err, fs.ErrNotExist) {
		const text = "Signature: 8a477f597d28d172789f06886806bc55\n" +
			"# This directory holds compiled models cached by blastradius; it can be removed at any time.\n"
		writeFile(dir, tag, []byte(text)) // a missing tag costs nothing
	}
	return &Cache{dir: dir, size: size}, nil
}

// Dir is the cache's directory.
func (c *Cache) Dir() string { return c.dir }

// Load is graph.LoadGraph (graph.LoadCompiled without the Model) through the cache: the compiled model of the
// file at path, read from the cache when an entry for the file's bytes is
// there and sound, else loaded and stored. Its results, errors included,
// are those of graph.LoadCompiled, except that the Model is not returned
// (a cached graph has none).
func (c *Cache) Load(path string, l graph.Limits) (*graph.Compiled, error) {
	d := graph.DefaultLimits()
	if l.FileSize <= 0 {
		l.FileSize = d.FileSize
	}
	if l.Nodes <= 0 {
		l.Nodes = d.Nodes
	}
	key, ok := c.key(path, l)
	if !ok {
		// Not a regular file within the limit, or unreadable: what
		// LoadCompiled says about it is the answer.
		return graph.LoadGraph(path, l)
	}
	if data, ok := c.get(key); ok {
		if g, err := graph.ReadCompiled(data); err == nil {
			return g, nil
		}
	}
	g, err := graph.LoadGraph(path, l)
	if err != nil {
		return nil, err // problems are never stored
	}
	// Store the graph only if the file still holds the bytes of the key:
	// one changed while it was decoded must not be stored under the old
	// bytes' key.
	if again, ok := c.key(path, l); ok && again == key {
		if data, err := g.MarshalBinary(); err == nil {
			c.put(key, data) // a cache that cannot be written is no cache, not an error
		}
	}
	return g, nil
}

// Key is an entry's key: a SHA-256.
type Key [sha256.Size]byte

// key hashes what the compiled graph of path depends on. It is false when
// path is not a regular file within l.FileSize, or cannot be read.
func (c *Cache) key(path string, l graph.Limits) (Key, bool) {
	exe, ok := executableID()
	if !ok {
		return Key{}, false
	}
	f, err := os.Open(path)
	if err != nil {
		return Key{}, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > l.FileSize {
		return Key{}, false
	}
	h := sha256.New()
	fmt.Fprintf(h, "blastradius compiled model\x00layout %d\x00", graph.CompiledVersion)
	h.Write(exe[:])
	var n [8]byte
	for _, x := range []int64{int64(len(path)), l.FileSize, int64(l.Nodes)} {
		binary.LittleEndian.PutUint64(n[:], uint64(x))
		h.Write(n[:])
	}
	io.WriteString(h, path)
	// Hash at most one byte more than the limit: a file that grew past it
	// since Stat gets a key no later read of the same bytes can have.
	if _, err := io.Copy(h, io.LimitReader(f, l.FileSize+1)); err != nil {
		return Key{}, false
	}
	var k Key
	h.Sum(k[:0])
	return k, true
}

var exeOnce struct {
	sync.Once
	id Key
	ok bool
}

// executableID is a SHA-256 of the running executable: every build has its
// own, so a build never reads entries another build wrote, whatever their
// layout. The executable is a few MB, hashed in milliseconds, once.
func executableID() (Key, bool) {
	exeOnce.Do(func() {
		path, err := os.Executable()
		if err != nil {
			return
		}
		f, err := os.Open(path)
		if err != nil {
			return
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return
		}
		h.Sum(exeOnce.id[:0])
		exeOnce.ok = true
	})
	return exeOnce.id, exeOnce.ok
}

// An entry's file: magic, key, payload length (uint64, little-endian),
// SHA-256 of the payload, payload.
const (
	magic      = "blastradius cache 1\n"
	headerSize = len(magic) + sha256.Size + 8 + sha256.Size
	suffix     = ".model"
)

func (c *Cache) path(k Key) string {
	return filepath.Join(c.dir, hex.EncodeToString(k[:])+suffix)
}

// get returns the payload of the entry for k, when there is one and it is
// whole and sound.
func (c *Cache) get(k Key) ([]byte, bool) {
	p := c.path(k)
	data, err := os.ReadFile(p)
	if err != nil || len(data) < headerSize {
		return nil, false
	}
	h := data[:headerSize]
	payload := data[headerSize:]
	if string(h[:len(magic)]) != magic {
		return nil, false
	}
	h = h[len(magic):]
	if !bytes.Equal(h[:sha256.Size], k[:]) {
		return nil, false
	}
	h = h[sha256.Size:]
	if binary.LittleEndian.Uint64(h) != uint64(len(payload)) {
		return nil, false
	}
	if sum := sha256.Sum256(payload); !bytes.Equal(h[8:], sum[:]) {
		return nil, false
	}
	// Mark the entry used, for trim; once an hour is precise enough.
	if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > time.Hour {
		now := time.Now()
		os.Chtimes(p, now, now)
	}
	return payload, true
}

// put stores payload as the entry for k and trims the cache. An entry
// larger than half the cache is not stored: it would evict all the others.
func (c *Cache) put(k Key, payload []byte) error {
	if int64(len(payload)+headerSize) > c.size/2 {
		return nil
	}
	head := make([]byte, 0, headerSize)
	head = append(head, magic...)
	head = append(head, k[:]...)
	head = binary.LittleEndian.AppendUint64(head, uint64(len(payload)))
	sum := sha256.Sum256(payload)
	head = append(head, sum[:]...)
	if err := writeFile(c.dir, c.path(k), head, payload); err != nil {
		return err
	}
	return c.trim()
}

// writeFile writes the parts to path through a temporary file in dir and a
// rename, so that a reader sees the whole file or none (the rename is
// atomic; two runs writing the same entry write the same bytes).
func writeFile(dir, path string, parts ...[]byte) error {
	f, err := os.CreateTemp(dir, filepath.Base(path)+tmpMark+"*")
	if err != nil {
		return err
	}
	for _, p := range parts {
		if _, err = f.Write(p); err != nil {
			break
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// tmpMark is in the name of every temporary file, which trim removes once
// it is older than any write can take (left by a run that was killed).
const tmpMark = ".tmp-"

// trim removes the least recently used entries until the rest fit in
// c.size, and temporary files more than an hour old.
func (c *Cache) trim() error {
	des, err := os.ReadDir(c.dir)
	if err != nil {
		return err
	}
	type entry struct {
		name string
		size int64
		used time.Time
	}
	var entries []entry
	var total int64
	for _, de := range des {
		name := de.Name()
		info, err := de.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		switch {
		case strings.Contains(name, tmpMark):
			if time.Since(info.ModTime()) > time.Hour {
				os.Remove(filepath.Join(c.dir, name))
			}
		case strings.HasSuffix(name, suffix):
			entries = append(entries, entry{name, info.Size(), info.ModTime()})
			total += info.Size()
		}
	}
	if total <= c.size {
		return nil
	}
	slices.SortFunc(entries, func(a, b entry) int { return a.used.Compare(b.used) })
	for _, e := range entries {
		if total <= c.size {
			break
		}
		if err := os.Remove(filepath.Join(c.dir, e.name)); err == nil || errors.Is(err, fs.ErrNotExist) {
			total -= e.size
		}
	}
	return nil
}
