package main

import (
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/graph/k8s"
)

func init() {
	readK8s = func(paths []string, fromEnv bool) (*importer.Result, error) {
		return k8s.Read(paths, k8s.Options{FromEnv: fromEnv})
	}
}
