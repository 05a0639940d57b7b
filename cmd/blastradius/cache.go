package main

import (
	"fmt"

	"github.com/blastradius-go/blastradius/internal/cache"
)

// modelCache is the cache of compiled models a model file is read through,
// or nil when --no-cache or BLASTRADIUS_CACHE=off turn it off. A cache
// that cannot be opened is reported once and not used: the run goes on,
// only slower. A model from standard input is never cached.
func (x *command) modelCache() *cache.Cache {
	if x.noCache || x.cacheOpened {
		return x.cache
	}
	x.cacheOpened = true
	c, err := cache.FromEnv()
	if err != nil {
		fmt.Fprintf(x.stderr, "blastradius %s: %v; running without the cache\n", x.name, err)
		return nil
	}
	x.cache = c
	return c
}
