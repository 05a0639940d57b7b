package cache

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// BenchmarkLoad loads a synthetic catalog of 100,000 nodes from its YAML
// file: without the cache ("off", the baseline), through an empty cache
// ("cold": decode, compile and store) and through a warm one ("warm").
func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "m.yaml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := graph.Encode(f, synth.Services(synth.Default(100_000, 1)), graph.YAML); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.Run("off", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := graph.LoadCompiled(path, graph.Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			c, err := Open(b.TempDir(), DefaultSize)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := c.Load(path, graph.Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		c, err := Open(b.TempDir(), DefaultSize)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Load(path, graph.Limits{}); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Load(path, graph.Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
