// Loads the browser verifier's classic scripts into this Node context, as a page or a Blob
// worker does (each file declares one function); returns ssjpubCore().
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const DIR = path.join(__dirname, "..", "..", "theme", "static", "verify");
const FILES = ["vendor/noble.js", "vendor/yaml.js", "core-encode.js", "core-snapshot.js", "core-inputs.js",
  "core-draw.js", "core.js"];

function loadCore() {
  for (const f of FILES) vm.runInThisContext(fs.readFileSync(path.join(DIR, f), "utf8"), { filename: f });
  return ssjpubCore(); // eslint-disable-line no-undef
}

// A reader over a directory: repo paths of plans/ and results/, as the site publishes them.
function dirReader(root) {
  return {
    read: async (p) => {
      if (p.split("/").some((x) => x === ".." || x === "." || x === "")) return null;
      try { return new Uint8Array(fs.readFileSync(path.join(root, p))); } catch (e) { return null; }
    },
    list: async () => {
      const out = [];
      const walk = (rel) => {
        let entries;
        try { entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true }); } catch (e) { return; }
        for (const e of entries) {
          const p = rel + "/" + e.name;
          if (e.isDirectory()) walk(p);
          else if (e.isFile()) out.push(p);
        }
      };
      walk("plans");
      walk("results");
      return out.sort();
    },
  };
}

module.exports = { loadCore, dirReader, FILES, DIR };
