#!/usr/bin/env bash
# build-web.sh: rebuild the third-party code the explorer (internal/web)
# embeds, from the npm registry at the versions pinned in
# internal/web/package-lock.json, into internal/web/generated/ with its
# licenses. The built files are committed, so `go install` needs no npm;
# run this only to change a version (edit package.json, then
# `npm install --package-lock-only` in internal/web) and commit the result.
set -euo pipefail
cd "$(dirname "$0")/../internal/web"

npm ci --no-audit --no-fund --ignore-scripts >/dev/null
viz=node_modules/@viz-js/viz
version=$(node -p "require('./$viz/package.json').version")
# The versions of Graphviz and Expat inside, from the package's build
# provenance.
inside() { node -p "require('./$viz/lib/provenance.json').predicate.buildDefinition.resolvedDependencies.map(d => d.uri).find(u => u.includes('$1/')).match(/[0-9]+[._][0-9]+[._][0-9]+/)[0].replace(/_/g, '.')"; }
graphviz=$(inside graphviz-releases)
expat=$(inside releases/download)

out=generated # a Go package too (generated.go embeds the files), so only the built files are replaced
rm -f "$out/viz-global.js" "$out/LICENSES.md"
# viz-global.js is Graphviz compiled to WebAssembly with the module
# inlined: one classic script, which the page loads and the HTML report
# inlines, with no fetch of a .wasm file.
cp "$viz/dist/viz-global.js" "$out/viz-global.js"

cat >"$out/LICENSES.md" <<LICENSES
# Licenses of the generated files

These files are built by scripts/build-web.sh from the npm registry; do not
edit them by hand.

## viz-global.js: @viz-js/viz $version

Viz.js, Copyright (c) Michael Daines, under the MIT License:

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.

It contains, in object code form:

- Graphviz $graphviz (https://www.graphviz.org), under the Eclipse Public License 1.0
  (https://www.eclipse.org/legal/epl-v10.html); its source is at
  https://gitlab.com/graphviz/graphviz.
- Expat $expat (https://libexpat.github.io), Copyright (c) 1998-2000 Thai Open
  Source Software Center Ltd and Clark Cooper, Copyright (c) 2001-2025
  Expat maintainers, under the MIT License (the text above, with these
  copyright lines).
LICENSES
echo "internal/web/$out: @viz-js/viz $version ($(wc -c <"$out/viz-global.js") bytes)"
