// Writes the JSON Schemas that @backstage/catalog-model ships (compiled into
// CommonJS modules under dist/schema) as plain .json files, for the Go test
// that validates the catalog fixtures against them.
//
//   node dump-schemas.js NODE_MODULES/@backstage/catalog-model OUT_DIR
const fs = require('fs');
const path = require('path');
const [pkg, out] = process.argv.slice(2);
if (!pkg || !out) {
  console.error('usage: node dump-schemas.js CATALOG_MODEL_DIR OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });
let n = 0;
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      walk(p);
    } else if (e.name.endsWith('.schema.json.cjs.js')) {
      const schema = require(path.resolve(p)).default;
      fs.writeFileSync(path.join(out, e.name.replace(/\.cjs\.js$/, '')), JSON.stringify(schema, null, 2));
      n++;
    }
  }
})(path.join(pkg, 'dist', 'schema'));
const version = require(path.resolve(pkg, 'package.json')).version;
fs.writeFileSync(path.join(out, 'VERSION'), version + '\n');
console.log(`${n} schemas of @backstage/catalog-model ${version} in ${out}`);
