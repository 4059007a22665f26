// ssjpub browser verifier: the byte-level primitives of docs/draw-spec.md (§1 fields and digests,
// §2 canonical JSON, §8 record bytes), plus text rules shared by the other parts (the 29 white
// space code points, code point order). A classic script declaring one function, so that it loads
// from a site opened from disk and can be passed to a Blob worker (see core.js).
function ssjpubEncode(noble) {
  "use strict";
  const sha256 = noble.sha256;
  const utf8 = new TextEncoder();
  const HEX = [];
  for (let i = 0; i < 256; i++) HEX.push((i < 16 ? "0" : "") + i.toString(16));

  // §2 item 1: exactly the characters Python's str.strip() removes (str.isspace()); not U+200B, U+FEFF.
  function isSpace(c) {
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c === 0x85 || c === 0xa0 ||
      c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
      c === 0x202f || c === 0x205f || c === 0x3000;
  }

  function strip(s) {
    let a = 0, b = s.length;
    while (a < b && isSpace(s.charCodeAt(a))) a++;
    while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
    return a === 0 && b === s.length ? s : s.slice(a, b);
  }

  // Code point order (= UTF-8 byte order). JS `<` compares UTF-16 code units, which puts astral
  // characters (surrogates D800–DFFF) before U+E000–U+FFFF: shift the code units so they do not.
  function cmp(a, b) {
    if (a === b) return 0;
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      let x = a.charCodeAt(i), y = b.charCodeAt(i);
      if (x !== y) {
        if (x >= 0xd800 && y >= 0xd800) {
          x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
          y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
        }
        return x < y ? -1 : 1;
      }
    }
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }

  function sorted(list) {
    return list.slice().sort(cmp);
  }

  function hex(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
    return s;
  }

  function fromHex(text) {
    const out = new Uint8Array(text.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }

  function compareBytes(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length - b.length;
  }

  // §1: F(s) = 4-byte big-endian length ‖ UTF-8 of NFC(s). Integers are passed as decimal text.
  function field(text) {
    const data = utf8.encode(String(text).normalize("NFC"));
    const out = new Uint8Array(4 + data.length);
    new DataView(out.buffer).setUint32(0, data.length, false);
    out.set(data, 4);
    return out;
  }

  function fields(texts) {
    const parts = texts.map(field);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }

  // §1: H(s1, s2, …) = SHA-256(F(s1) ‖ F(s2) ‖ …), 32 bytes.
  function digest(...texts) {
    return sha256(fields(texts));
  }

  // §2: strings escaped as Python's json.dumps(ensure_ascii=False) does.
  function jsonString(s) {
    let out = '"', from = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
      out += s.slice(from, i);
      from = i + 1;
      if (c === 0x22) out += '\\"';
      else if (c === 0x5c) out += "\\\\";
      else if (c === 0x0a) out += "\\n";
      else if (c === 0x0d) out += "\\r";
      else if (c === 0x09) out += "\\t";
      else if (c === 0x08) out += "\\b";
      else if (c === 0x0c) out += "\\f";
      else out += "\\u00" + HEX[c];
    }
    return out + s.slice(from) + '"';
  }

  function scalarJson(v) {
    if (v === null) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) throw new Error("only integers: " + v);
      return String(v);
    }
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "string") return jsonString(v);
    return undefined;
  }

  // §2: canonical JSON: keys in code point order at every level, no white space, integers only.
  function canonicalJson(v) {
    const s = scalarJson(v);
    if (s !== undefined) return s;
    if (Array.isArray(v)) return "[" + v.map(canonicalJson).join(",") + "]";
    if (typeof v === "object") {
      return "{" + sorted(Object.keys(v)).map((k) => jsonString(k) + ":" + canonicalJson(v[k])).join(",") + "}";
    }
    throw new Error("not a JSON value: " + typeof v);
  }

  // §8: the key order of every object of a record. A shape is {keys: [[name, shape]…]} for an
  // object, {map: shape} for a map whose keys are written in code point order (strata ratios,
  // grade weights), {list: shape} for an array, or null for a scalar. Objects are never written
  // in JS key order: JS puts integer-like keys first.
  const S = null;
  const obj = (...keys) => ({ keys: keys.map((k) => (Array.isArray(k) ? k : [k, S])) });
  const list = (shape) => ({ list: shape });
  const strs = list(S);
  const SOURCE_2 = obj("kind", "game", "source", "issue", "expected_on", "place", ["witnesses", strs], "round");
  const SOURCE_1 = obj("kind", "source", "issue", "expected_on", "place", ["witnesses", strs]);
  const params = (randomness) => obj(
    "agency", "year", "task", ["items", strs], ["departments", strs], "snapshot",
    ["scope", obj(["areas", strs], ["industries", strs], ["grades", strs])],
    "ratio", "count", ["strata", obj("by", ["ratios", { map: S }])],
    ["weights", obj(["grade", { map: S }], ["complaints", obj("at_least", "weight")], "serious_violation")],
    ["window", obj("start", "end")], "group_size", "batches", ["randomness", randomness], "retry_of");
  const INSPECTORS = obj("file", ["requirements", strs], ["pool", list(obj(
    "id", "name", "department", "active", ["qualifications", strs], "cert_expires", ["conflicts", strs],
    ["excluded", strs]))]);
  const head = (alg) => [
    "algorithm", "agency", "year", "task", ["parameters", params(alg === "ssjpub-draw/1" ? SOURCE_1 : list(SOURCE_2))],
    "parameters_sha256", ["population", obj("file", "sha256", "rows", ["parts", list(obj("file", "sha256", "rows"))])],
    ["randomness", obj("file", ["sources", list(obj("kind", "canonical"))], "canonical")],
    "seed", ["prior_draws", strs]];
  const RECORD = {};
  const FAILURE = {};
  for (const alg of ["ssjpub-draw/1", "ssjpub-draw/2", "ssjpub-draw/3"]) {
    RECORD[alg] = obj(...head(alg),
      ["eligible", obj("count", "inactive", "out_of_scope", ["capped", strs])],
      ["strata", list(obj("stratum", "eligible", "rule", "count", "cutoff"))],
      ["targets", list(obj("rank", "code", "name", "area", "industry", "grade", "stratum", "weight",
        "ticket", "copy", "batch"))],
      ["inspectors", INSPECTORS],
      ["groups", list(obj("target", "leader", ["members", strs], ["recused", strs], ["previous", strs]))]);
    FAILURE[alg] = obj(...head(alg), ["inspectors", INSPECTORS], "outcome",
      ["failure", list(obj("code", "message"))]);
  }

  // Python's json.dumps(value, ensure_ascii=False, indent=2), keys in the order of `shape`.
  function pretty(v, shape, indent) {
    const s = scalarJson(v);
    if (s !== undefined) return s;
    const inner = indent + "  ";
    if (Array.isArray(v)) {
      if (!v.length) return "[]";
      const item = shape && shape.list !== undefined ? shape.list : S;
      return "[\n" + v.map((x) => inner + pretty(x, item, inner)).join(",\n") + "\n" + indent + "]";
    }
    let entries;
    if (shape && shape.map !== undefined) {
      entries = sorted(Object.keys(v)).map((k) => [k, shape.map]);
    } else if (shape && shape.keys) {
      const known = new Set(shape.keys.map((k) => k[0]));
      const extra = Object.keys(v).filter((k) => !known.has(k));
      if (extra.length) throw new Error("unexpected key " + extra[0]);
      entries = shape.keys.filter((k) => Object.prototype.hasOwnProperty.call(v, k[0]));
    } else {
      throw new Error("object without a key order");
    }
    if (!entries.length) return "{}";
    return "{\n" + entries.map(([k, sub]) => inner + jsonString(k) + ": " + pretty(v[k], sub, inner)).join(",\n") +
      "\n" + indent + "}";
  }

  // §8 / §8.1: the bytes `ssjpub draw` writes for a record (as text), with its final newline.
  function renderRecord(record) {
    const shapes = record.outcome === "failed" ? FAILURE : RECORD;
    const shape = shapes[record.algorithm] || shapes["ssjpub-draw/2"];
    return pretty(record, shape, "") + "\n";
  }

  return { isSpace, strip, cmp, sorted, hex, fromHex, compareBytes, utf8, field, fields, digest, jsonString,
    canonicalJson, renderRecord, sha256 };
}
