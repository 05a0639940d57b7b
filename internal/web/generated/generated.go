// Package generated holds the third-party front-end code that
// scripts/build-web.sh builds from the npm registry at the versions of
// internal/web/package-lock.json: do not edit its files by hand. It is a
// package of its own so that both the explorer (internal/web) and the
// self-contained HTML report (export.OutcomeHTML) embed the one copy.
package generated

import "embed"

// FS holds viz-global.js and LICENSES.md.
//
//go:embed viz-global.js LICENSES.md
var FS embed.FS

// VizGlobalJS is @viz-js/viz's viz-global.js: Graphviz compiled to
// WebAssembly, the module inlined, as one classic script that defines the
// global Viz.
//
//go:embed viz-global.js
var VizGlobalJS string
