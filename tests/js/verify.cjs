// node tests/js/verify.cjs <repo-root> [record-path ...] [--noble]
// Runs the browser verifier core on records under a repository (or a site's files/ folder):
// one JSON line per record, {"record", "ok", "steps": [{id, status, where, expected, actual}],
// "recomputed"}; without record paths every plans/*/*/draws/*.json and failures/*.json.
// --noble: whole files hashed with noble instead of WebCrypto. Exit 0 if all ok, else 1.
"use strict";
const { loadCore, dirReader } = require("./load.cjs");

async function main(argv) {
  const noble = argv.includes("--noble");
  const args = argv.filter((a) => a !== "--noble");
  if (!args.length) {
    process.stderr.write("用法：node tests/js/verify.cjs <仓库根目录> [记录路径 ...] [--noble]\n");
    return 2;
  }
  const [root, ...records] = args;
  const core = loadCore();
  const reader = dirReader(root);
  let paths = records;
  if (!paths.length) {
    paths = (await reader.list()).filter((p) => /^plans\/[^/]+\/[^/]+\/(draws|failures)\/[^/]+\.json$/.test(p));
  }
  let ok = true;
  for (const p of paths) {
    const report = await core.verifyRecord(p, reader, { sha256: noble ? "noble" : "webcrypto" });
    ok = ok && report.ok;
    const steps = report.steps.map((s) => ({ id: s.id, status: s.status, where: s.where, expected: s.expected,
      actual: s.actual, detail: s.detail }));
    process.stdout.write(JSON.stringify({ record: p, ok: report.ok, steps, unchecked: report.unchecked,
      recomputed: report.recomputed }) + "\n");
  }
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write((e && e.stack) || String(e));
  process.exitCode = 2;
});
