// A long-running helper for tests: each stdin line {"fn": name, "args": [...]} calls that
// component function of ssjpubCore() and prints one line {"result": …} or {"error": message}.
"use strict";
const readline = require("readline");
const { loadCore } = require("./load.cjs");

const core = loadCore();
const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  let out;
  try {
    const { fn, args } = JSON.parse(line);
    let result = core[fn](...args);
    if (result instanceof Uint8Array) result = Buffer.from(result).toString("hex");
    out = { result };
  } catch (e) {
    out = { error: String(e && e.message) };
  }
  process.stdout.write(JSON.stringify(out) + "\n");
});
