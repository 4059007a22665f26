// The browser verifier's component function behind each tests/vectors/<name>.json, shared by Node
// (tests/js/vectors.cjs) and Chromium (tests/test_browser_vectors.py): a classic script declaring
// one function. ssjpubVectorCompute(core)({"<file>.json": <its parsed data>}) gives
// {"<file>.json": [<each vector's outputs as JS computes them, with the vector's keys>]}.
function ssjpubVectorCompute(core) {
  "use strict";
  const COMPUTE = {
    "encoding": (v) => ({ field_hex: core.field(v.text) }),
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
  COMPUTE["population-v3"] = (v, alg) => {
    const digest = core.populationDigest(alg, v.parts);
    return { population_sha256: digest,
      seed: core.seed(alg, v.agency, v.year, v.task, digest, v.parameters_sha256, v.randomness) };
  };
  COMPUTE["seed-v2"] = COMPUTE.seed;
  COMPUTE["tickets-v2"] = COMPUTE.tickets;

  return function computeAll(files) {
    const out = {};
    for (const f of Object.keys(files).sort()) {
      const name = f.replace(/\.json$/, "");
      if (!Object.prototype.hasOwnProperty.call(COMPUTE, name)) throw new Error("no JS computation for " + f);
      out[f] = files[f].vectors.map((v) => COMPUTE[name](v, files[f].algorithm));
    }
    return out;
  };
}
