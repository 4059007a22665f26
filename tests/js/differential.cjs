// node tests/js/differential.cjs < roots.txt
// tests/test_js_differential.py's runner: the verifier core, loaded once, on every record of
// many repositories (one root a line on stdin), so that hundreds of generated repositories cost
// one Node start. Prints what tests/js/verify.cjs prints, one JSON line per record, with "root".
"use strict";
const fs = require("fs");
const { loadCore, dirReader } = require("./load.cjs");

const RECORD = /^plans\/[^/]+\/[^/]+\/(draws|failures)\/[^/]+\.json$/;

async function main() {
  const roots = fs.readFileSync(0, "utf8").split("\n").filter((r) => r);
  const core = loadCore();
  for (const root of roots) {
    const reader = dirReader(root);
    for (const p of (await reader.list()).filter((x) => RECORD.test(x))) {
      let line;
      try {
        const report = await core.verifyRecord(p, reader, {});
        const steps = report.steps.map((s) => ({ id: s.id, status: s.status, where: s.where, expected: s.expected,
          actual: s.actual, detail: s.detail }));
        line = { root, record: p, ok: report.ok, steps, recomputed: report.recomputed };
      } catch (e) { // a crash is a disagreement too, reported with the record it happened on
        line = { root, record: p, ok: false, steps: [{ id: "crash", status: "fail", detail: (e && e.stack) || String(e) }],
          recomputed: null };
      }
      process.stdout.write(JSON.stringify(line) + "\n");
    }
  }
}

main().catch((e) => { process.stderr.write((e && e.stack) || String(e)); process.exitCode = 2; });
