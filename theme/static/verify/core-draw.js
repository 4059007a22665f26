// ssjpub browser verifier: the draw itself (docs/draw-spec.md §4–§7): eligible units, weights,
// strata and counts, tickets, ranks and batches, the roster's exclusions and the inspector groups.
// Integers only (BigInt for the ratio ceiling); tickets compared as bytes; text in code point order.
function ssjpubDraw(enc) {
  "use strict";
  const YEARLY_CAP = 2;  // S1 四（四）：同一年度内对同一企业的抽查次数不超过 2 次
  const OTHER = "其他";
  const sha256 = enc.sha256;

  // §5: ⌈p·N / q⌉ for a ratio p/q, with integers.
  function count(ratio, n) {
    const r = typeof ratio === "string" ? ratioParts(ratio) : ratio;
    return Number((r.p * BigInt(n) + r.q - 1n) / r.q);
  }
  function ratioParts(t) {
    const m = /^([0-9]+)(?:\.([0-9]+))?%$/.exec(t);
    if (!m) throw new Error("not a ratio: " + t);
    const dec = m[2] || "";
    return { p: BigInt(m[1] + dec), q: 100n * 10n ** BigInt(dec.length) };
  }

  // A SHA-256 state after F(A) ‖ F(kind) ‖ F(seed): every ticket continues a copy of it.
  function prefix(algorithm, kind, seed) {
    return sha256.create().update(enc.fields([algorithm, kind, seed]));
  }

  // Hashing many small messages: one hasher, one input and one output buffer, reused.
  // The digest is written into the hasher's own block buffer (as noble's digest() does), so that
  // no DataView is made per ticket; `out` receives a copy only when asked.
  function hasher(base) {
    const h = sha256.create();
    const fast = typeof base._cloneInto === "function" && h.buffer instanceof Uint8Array && h.buffer.length >= 32;
    return (bytes, out) => {
      if (!fast) {
        const d = base.clone().update(bytes).digest();
        if (out) { out.set(d); return out; }
        return d;
      }
      base._cloneInto(h);
      h.update(bytes);
      h.digestInto(h.buffer);
      if (out) { out.set(h.buffer.subarray(0, 32)); return out; }
      return h.buffer;
    };
  }

  // Writes F(code) into buf from `at`; returns the end. ASCII without NFC work (NFC keeps ASCII).
  function putField(buf, at, s) {
    const n = s.length;
    let ascii = n < 0x10000;
    for (let i = 0; i < n && ascii; i++) if (s.charCodeAt(i) > 0x7f) ascii = false;
    if (ascii) {
      buf[at] = 0; buf[at + 1] = 0; buf[at + 2] = n >> 8; buf[at + 3] = n & 0xff;
      for (let i = 0; i < n; i++) buf[at + 4 + i] = s.charCodeAt(i);
      return at + 4 + n;
    }
    const f = enc.field(s);
    buf.set(f, at);
    return at + f.length;
  }

  function less32(a, b) {
    for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i] < b[i];
    return false;
  }

  // §6: T(c, k) for one code and copy, as hex (the test vectors' entry point).
  function ticket(algorithm, seed, code, copy) {
    return enc.hex(enc.digest(algorithm, "target", seed, code, String(copy)));
  }

  // §5–§6: the drawn units. cands: [{i (row), code, stratum, weight}], counts: {stratum: n}.
  // Returns [{i, code, stratum, weight, ticket (bytes), copy}] in (ticket, code) order overall.
  // Only tickets under a bound on their first 32 bits are kept and sorted (expected n + 6√n + 32
  // of them per stratum); if fewer than n are kept the stratum is redone without a bound.
  function drawLowest(algorithm, seed, cands, counts, onProgress) {
    const sizes = new Map();
    for (const c of cands) sizes.set(c.stratum, (sizes.get(c.stratum) || 0) + 1);
    const bound = new Map();
    for (const [s, n] of Object.entries(counts)) {
      const size = sizes.get(s) || 0;
      const wanted = n + 6 * Math.floor(Math.sqrt(n)) + 32;
      bound.set(s, wanted >= size ? Infinity : Math.floor((wanted / size) * 4294967296));
    }
    const run = (only) => {
      const hash = hasher(prefix(algorithm, "target", seed));
      const buf = new Uint8Array(1 << 16);
      const best = new Uint8Array(32);
      const pools = new Map();
      for (const s of bound.keys()) pools.set(s, []);
      const step = Math.max(1, Math.ceil(cands.length / 100));
      for (let j = 0; j < cands.length; j++) {
        if (onProgress && j % step === 0) onProgress(j / cands.length);
        const c = cands[j];
        if (only && !only.has(c.stratum)) continue;
        const lim = only ? Infinity : bound.get(c.stratum);
        if (lim === undefined) continue;
        const codeEnd = putField(buf, 0, c.code);
        let bestCopy = 0;
        for (let k = 1; k <= c.weight; k++) {
          const end = putField(buf, codeEnd, String(k));
          const out = hash(buf.subarray(0, end), null);
          if (bestCopy === 0 || less32(out, best)) { best.set(out.subarray(0, 32)); bestCopy = k; }
        }
        const top = ((best[0] << 24) >>> 0) + (best[1] << 16) + (best[2] << 8) + best[3];
        if (top < lim) pools.get(c.stratum).push({ i: c.i, code: c.code, stratum: c.stratum, weight: c.weight,
          ticket: best.slice(), copy: bestCopy });
      }
      return pools;
    };
    const order = (a, b) => enc.compareBytes(a.ticket, b.ticket) || enc.cmp(a.code, b.code);
    let pools = run(null);
    const short = new Set([...pools].filter(([s, pool]) => pool.length < counts[s]).map(([s]) => s));
    if (short.size) for (const [s, pool] of run(short)) if (short.has(s)) pools.set(s, pool);
    if (onProgress) onProgress(1);
    let drawn = [];
    for (const [s, pool] of pools) {
      pool.sort(order);
      drawn = drawn.concat(pool.slice(0, counts[s]));
    }
    return drawn.sort(order);
  }

  // §4–§6 over a parsed snapshot: {eligible, strata, targets} or {failure: {code, message}} (with
  // `eligible` known either way). times: draws per code this year; P: the task's parameters.
  function select(snap, P, algorithm, seed, times, onProgress) {
    const inScope = (col, list) => {
      const ok = snap.values[col].map((v) => !list.length || list.includes(v));
      return (id) => ok[id];
    };
    const areaOk = inScope("area", P.scope.areas), industryOk = inScope("industry", P.scope.industries),
      gradeOk = inScope("grade", P.scope.grades);
    const by = P.strata ? P.strata.by : null;
    const W = P.weights;
    const gradeW = snap.values.grade.map((g) => (Object.prototype.hasOwnProperty.call(W.grade, g) ? W.grade[g] : 1));
    let inactive = 0, outOfScope = 0;
    const capped = [], cands = [];
    for (let i = 0; i < snap.rows; i++) {
      if (!snap.active[i]) { inactive++; continue; }
      if (!areaOk(snap.area[i]) || !industryOk(snap.industry[i]) || !gradeOk(snap.grade[i])) { outOfScope++; continue; }
      const code = snap.code[i];
      if ((times.get(code) || 0) >= YEARLY_CAP) { capped.push(code); continue; }
      let w = gradeW[snap.grade[i]];
      if (W.complaints !== null && snap.complaints[i] >= W.complaints.at_least) w *= W.complaints.weight;
      if (W.serious_violation !== null && snap.serious[i]) w *= W.serious_violation;
      cands.push({ i, code, stratum: by ? snap.values[by][snap[by][i]] : "", weight: w });
    }
    const eligible = { count: cands.length, inactive, out_of_scope: outOfScope, capped: enc.sorted(capped) };
    const sizes = new Map();
    for (const c of cands) sizes.set(c.stratum, (sizes.get(c.stratum) || 0) + 1);
    const strata = [], counts = {};
    for (const s of enc.sorted([...sizes.keys()])) {
      const N = sizes.get(s);
      let n, rule;
      if (P.strata) {
        const r = Object.prototype.hasOwnProperty.call(P.strata.ratios, s) ? P.strata.ratios[s]
          : Object.prototype.hasOwnProperty.call(P.strata.ratios, OTHER) ? P.strata.ratios[OTHER] : null;
        if (r === null) {
          return { eligible, failure: { code: "missing-field",
            message: `分层“${s}”有 ${N} 家可抽单位，但没有规定比例（可用“${OTHER}”规定其余各层）` } };
        }
        n = count(r, N); rule = r;
      } else if (P.ratio !== null) {
        n = count(P.ratio, N); rule = P.ratio;
      } else {
        n = P.count; rule = `${P.count} 家`;
      }
      if (n > N) return { eligible, failure: { code: "invalid-value", message: `要求抽取 ${n} 家，但只有 ${N} 家可抽单位` } };
      counts[s] = n;
      strata.push({ stratum: s, eligible: N, rule, count: n });
    }
    if (!cands.length) return { eligible, failure: { code: "invalid-value", message: "按抽查范围筛选后没有可抽单位" } };
    const drawn = drawLowest(algorithm, seed, cands, counts, onProgress);
    for (const s of strata) {
      const mine = drawn.filter((t) => t.stratum === s.stratum);
      s.cutoff = mine.length ? enc.hex(mine[mine.length - 1].ticket) : null;
    }
    const targets = drawn.map((t, j) => {
      const i = t.i;
      const entry = { rank: j + 1, code: t.code, name: snap.name(i), area: snap.values.area[snap.area[i]],
        industry: snap.values.industry[snap.industry[i]], grade: snap.values.grade[snap.grade[i]],
        stratum: t.stratum, weight: t.weight, ticket: enc.hex(t.ticket), copy: t.copy };
      if (P.batches) entry.batch = Math.floor((j * P.batches) / drawn.length) + 1;
      return entry;
    });
    return { eligible, strata, targets };
  }

  // §7: the recorded roster section with every `excluded` recomputed from the facts.
  function withExclusions(section, P) {
    const required = enc.sorted([...new Set(section.requirements)]);
    const pool = section.pool.filter((p) => P.departments.includes(p.department))
      .sort((a, b) => enc.cmp(a.id, b.id))
      .map((p) => {
        const reasons = [];
        if (!p.active) reasons.push("不在岗");
        if (!required.every((r) => p.qualifications.includes(r))) reasons.push("不具备资格");
        if (enc.cmp(p.cert_expires, P.window.end) < 0) reasons.push("监察证在任务结束前到期");
        return { id: p.id, name: p.name, department: p.department, active: p.active,
          qualifications: p.qualifications, cert_expires: p.cert_expires, conflicts: p.conflicts, excluded: reasons };
      });
    return { file: section.file, requirements: required, pool };
  }

  // §7: a group for every target in rank order; {groups} or {groups, failure}.
  function assignInspectors(algorithm, seed, targets, pool, previous, size) {
    const base = pool.filter((p) => !p.excluded.length);
    const load = new Map(base.map((p) => [p.id, 0]));
    const hash = hasher(prefix(algorithm, "inspector", seed));
    const buf = new Uint8Array(1 << 17);
    const groups = [];
    for (const t of targets) {
      const code = t.code;
      const recused = base.filter((p) => p.conflicts.includes(code)).map((p) => p.id);
      const barred = (previous.get(code) || []).filter((i) => load.has(i));
      const free = base.map((p) => p.id).filter((i) => !recused.includes(i) && !barred.includes(i));
      if (free.length < size) {
        return { groups, failure: { code: "invalid-value", message:
          `单位 ${code} 只有 ${free.length} 名可选检查人员，每组需要 ${size} 名` +
          `（实施股室共 ${pool.length} 人，其中不在岗、无资格或证件到期 ${pool.length - base.length} 人，` +
          `回避 ${recused.length} 人，上次检查过该单位 ${barred.length} 人）` } };
      }
      const codeEnd = putField(buf, 0, code);
      const keyed = free.map((i) => {
        const end = putField(buf, codeEnd, i);
        return { i, load: load.get(i), t: hash(buf.subarray(0, end), new Uint8Array(32)) };
      });
      keyed.sort((a, b) => a.load - b.load || enc.compareBytes(a.t, b.t) || enc.cmp(a.i, b.i));
      const members = keyed.slice(0, size).map((k) => k.i);
      for (const i of members) load.set(i, load.get(i) + 1);
      groups.push({ target: code, leader: members[0], members, recused, previous: barred });
    }
    return { groups };
  }

  return { count, ratioParts, ticket, drawLowest, select, withExclusions, assignInspectors, YEARLY_CAP };
}
