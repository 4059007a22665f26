// node tests/js/vectors.cjs <vectors-dir>: every tests/vectors/*.json through the browser
// verifier's component functions (tests/js/vector-compute.js, which Chromium runs too). Prints
// {"<file>": [<the vector's outputs as JS computes them>]} with the same keys as the vector, for
// tests/test_js_verifier.py to compare.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");
const { loadCore } = require("./load.cjs");

const core = loadCore();
vm.runInThisContext(fs.readFileSync(path.join(__dirname, "vector-compute.js"), "utf8"), { filename: "vector-compute.js" });
const dir = process.argv[2];
const files = {};
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
  files[f] = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
}
process.stdout.write(JSON.stringify(ssjpubVectorCompute(core)(files)) + "\n"); // eslint-disable-line no-undef
