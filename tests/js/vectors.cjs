// node tests/js/vectors.cjs <vectors-dir>: every tests/vectors/*.json through the browser
// verifier's component functions. Prints {"<file>": [<the vector's outputs as JS computes them>]}
// with the same keys as the vector, for tests/test_js_verifier.py to compare.
"use strict";
const fs = require("fs");
const path = require("path");
const { loadCore } = require("./load.cjs");

const core = loadCore();

const COMPUTE = {
  "encoding": (v, alg) => ({ field_hex: core.field(v.text) }),
  "randomness": (v) => ({ canonical: core.sourceCanonical(v.kind === "numbers"
    ? { kind: "公开开奖", numbers: v.input } : { kind: "公开摇号", digits: v.input }) }),
  "randomness-v2": (v) => {
    const parts = v.sources.map((s) => core.sourceCanonical(s));
    return { parts, canonical: parts.join("") };
  },
  "seed": (v, alg) => ({ seed: core.seed(alg, v.agency, v.year, v.task, v.population_sha256, v.parameters_sha256, v.randomness) }),
  "tickets": (v, alg) => ({ ticket: core.ticket(alg, v.seed, v.code, v.copy) }),
  "counts": (v) => ({ count: core.count(v.ratio, v.eligible) }),
  "selection": (v, alg) => ({ drawn: core.select(alg, v.seed, v.candidates, v.counts)
    .map((t) => ({ code: t.code, stratum: t.stratum, ticket: t.ticket, copy: t.copy })) }),
};
COMPUTE["seed-v2"] = COMPUTE.seed;
COMPUTE["tickets-v2"] = COMPUTE.tickets;

const dir = process.argv[2];
const out = {};
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
  const name = f.slice(0, -5);
  const data = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  if (!COMPUTE[name]) throw new Error("no JS computation for " + f);
  out[f] = data.vectors.map((v) => COMPUTE[name](v, data.algorithm));
}
process.stdout.write(JSON.stringify(out) + "\n");
