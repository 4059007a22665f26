// ssjpub browser verifier core: re-executes one draw or failure record (ssjpub-draw/1, /2 and
// /3, docs/draw-spec.md) from the files the site serves, step by step, and compares every step with
// the record. No DOM, no modules: works in a Web Worker and in Node 20.
//
// Every file is a classic script declaring one function. Load, in this order:
//   vendor/noble.js (ssjpubNoble), vendor/yaml.js (ssjpubYaml), core-encode.js (ssjpubEncode),
//   core-snapshot.js (ssjpubSnapshot), core-inputs.js (ssjpubInputs), core-draw.js (ssjpubDraw),
//   core.js (ssjpubCore)
// then `ssjpubCore().verifyRecord(path, reader, options)` (the shape is in the function below).
function ssjpubCore() {
  "use strict";
  const noble = ssjpubNoble();
  const enc = ssjpubEncode(noble);
  const csv = ssjpubSnapshot(enc);
  const inputs = ssjpubInputs(enc, ssjpubYaml());
  const draw = ssjpubDraw(enc);
  const A1 = "ssjpub-draw/1", A2 = "ssjpub-draw/2", A3 = "ssjpub-draw/3";
  const QUICKNET_KEY = "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a";
  const QUICKNET_DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
  const SLUG = /^[a-z0-9][a-z0-9-]*$/;
  const TITLES = {
    "record": "读取抽取记录",
    "snapshot-sha256": "名录快照的 SHA-256",
    "snapshot-rows": "名录快照的单位数",
    "parameters-sha256": "任务参数的摘要（规范 JSON）",
    "parameters-plan": "任务参数与年度计划一致",
    "randomness-sources": "各公开随机数来源的规范值",
    "randomness-signature": "drand 签名（BLS）",
    "randomness-canonical": "规范随机数",
    "seed": "种子",
    "prior-draws": "此前的抽取",
    "eligible": "可抽单位（不在营、不在范围、已达年度上限）",
    "strata": "各层的可抽家数、比例、抽取家数和截止签号",
    "targets": "抽中的单位（签号、第几张签、检查顺序、批次）",
    "inspectors": "检查人员名录的排除理由",
    "groups": "检查组（回避、上次检查、组员、组长）",
    "failure": "失败原因",
    "record-bytes": "记录文件与重新计算的结果逐字节相同",
  };
  const show = (v) => (v === undefined ? "（缺少此字段）" : JSON.stringify(v));
  // A BOM is kept (ignoreBOM): a record's bytes must stay exactly as written, without one.
  const decode = (bytes) => new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  const withoutBom = (text) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

  // The first difference between a recorded value and the recomputed one: {where, expected, actual}.
  function firstDiff(recorded, computed, path) {
    if (Array.isArray(recorded) && Array.isArray(computed)) {
      const n = Math.min(recorded.length, computed.length);
      for (let i = 0; i < n; i++) {
        const d = firstDiff(recorded[i], computed[i], `${path}[${i}]`);
        if (d) return d;
      }
      if (recorded.length !== computed.length) {
        return { where: path, expected: `${recorded.length} 项`, actual: `${computed.length} 项` };
      }
      return null;
    }
    if (isObj(recorded) && isObj(computed)) {
      for (const k of Object.keys(computed)) {
        if (!Object.prototype.hasOwnProperty.call(recorded, k)) {
          return { where: `${path}.${k}`, expected: "（缺少此字段）", actual: show(computed[k]) };
        }
        const d = firstDiff(recorded[k], computed[k], `${path}.${k}`);
        if (d) return d;
      }
      for (const k of Object.keys(recorded)) {
        if (!Object.prototype.hasOwnProperty.call(computed, k)) {
          return { where: `${path}.${k}`, expected: show(recorded[k]), actual: "（不应有此字段）" };
        }
      }
      return null;
    }
    if (recorded === computed) return null;
    return { where: path, expected: show(recorded), actual: show(computed) };
  }

  async function fileSha256(bytes, how) {
    const subtle = typeof crypto !== "undefined" && crypto && crypto.subtle;
    if (how !== "noble" && subtle) return enc.hex(new Uint8Array(await subtle.digest("SHA-256", bytes)));
    return enc.hex(noble.sha256(bytes));
  }

  // drand quicknet (§2.4): null if `signature` is the round's BLS signature, else why not.
  function drandProblem(round, signatureHex) {
    const bls = noble.bls12_381.shortSignatures;
    const msg = new Uint8Array(8);
    new DataView(msg.buffer).setBigUint64(0, BigInt(round));
    try {
      const point = bls.hash(noble.sha256(msg), QUICKNET_DST);
      if (bls.verify(enc.fromHex(signatureHex), point, enc.fromHex(QUICKNET_KEY))) return null;
      return "签名与 drand quicknet 的公钥不符：不是该轮的签名";
    } catch (e) {
      return "签名不是 BLS12-381 G1 上的合法点（多半是抄错了字符）";
    }
  }

  // Report = {record, algorithm, ok (no step failed), steps: [Step], unchecked: [中文], recomputed
  // (the record's text as `ssjpub draw` writes it, or null)}; Step = {id, title, status ('ok' |
  // 'fail' | 'skip': not recomputed, never shown as ✓), detail, where?, expected?, actual?}, where
  // expected (the record's value) and actual (the recomputed one) are JSON texts. A record or
  // input whose structure the algorithm cannot read gives a failed step, never a rejection.
  async function verifyRecord(recordPath, reader, options) {
    const report = { record: recordPath, algorithm: null, ok: true, steps: [], unchecked: [], recomputed: null };
    const opts = options || {};
    try {
      await run(recordPath, reader, opts, report);
    } catch (e) {
      const step = { id: "record", title: TITLES.record, status: "fail",
        detail: `核对到这里无法继续：记录或输入文件的结构不合算法的要求（${e && e.message}）` };
      report.ok = false;
      report.steps.push(step);
      if (opts.onStep) opts.onStep(step);
    }
    return report;
  }

  async function run(recordPath, reader, opts, report) {
    const progress = (f, label) => { if (opts.onProgress) opts.onProgress(Math.max(0, Math.min(1, f)), label); };
    const add = (id, status, detail, diff) => {
      const s = { id, title: TITLES[id], status, detail };
      if (diff) Object.assign(s, diff);
      if (status === "fail") report.ok = false;
      report.steps.push(s);
      if (opts.onStep) opts.onStep(s);
      return status === "ok";
    };
    // ok when nothing differs, else fail at the first difference
    const compare = (id, recorded, computed, path, okDetail, failDetail) => {
      const d = firstDiff(recorded, computed, path);
      if (!d) return add(id, "ok", okDetail);
      return add(id, "fail", failDetail || `记录中的 ${d.where} 与重新计算的结果不同`, d);
    };
    const cache = new Map();
    const read = async (p) => {
      if (!cache.has(p)) {
        const b = await reader.read(p);
        cache.set(p, b instanceof ArrayBuffer ? new Uint8Array(b) : b === undefined ? null : b);
      }
      return cache.get(p);
    };
    const readText = async (p) => {
      const b = await read(p);
      if (b === null || b === undefined) return { missing: true };
      try { return { text: withoutBom(decode(b)) }; } catch (e) { return { bad: `${p} 不是 UTF-8 编码` }; }
    };
    progress(0, "读取抽取记录");

    // ---- record
    const raw = await read(recordPath);
    let rec;
    const failure = /\/failures\/[^/]+\.json$/.test(recordPath);
    {
      let why = null;
      if (raw === null || raw === undefined) why = `找不到记录文件 ${recordPath}`;
      else {
        try { rec = JSON.parse(withoutBom(decode(raw))); } catch (e) { why = "记录文件不是 UTF-8 编码的合法 JSON"; }
      }
      if (!why && !isObj(rec)) why = "记录不是 JSON 对象";
      if (!why && ![A1, A2, A3].includes(rec.algorithm)) why = `记录的算法 ${show(rec.algorithm)} 不是 ssjpub-draw/1、ssjpub-draw/2 或 ssjpub-draw/3`;
      if (!why && !(typeof rec.agency === "string" && SLUG.test(rec.agency) && Number.isSafeInteger(rec.year) &&
          typeof rec.task === "string" && SLUG.test(rec.task))) why = "记录的 agency、year、task 缺失或写法不对";
      const where = !why && `plans/${rec.agency}/${rec.year}/${failure ? "failures" : "draws"}/${rec.task}.json`;
      if (!why && where !== recordPath) why = `记录的机关、年度、任务对应的文件应为 ${where}`;
      if (why) {
        add("record", "fail", why);
        return report;
      }
      report.algorithm = rec.algorithm;
      add("record", "ok", `${recordPath}：${failure ? "失败记录" : "抽取记录"}，算法 ${rec.algorithm}`);
    }
    const alg = rec.algorithm, agency = rec.agency, year = rec.year, task = rec.task;

    // ---- the task's parameters from the plan (needed for the snapshot's name)
    const planFile = `plans/${agency}/${year}/plan.yaml`;
    const plans = new Map();  // year → {doc} | {error}
    const planOf = async (y) => {
      if (!plans.has(y)) {
        const f = `plans/${agency}/${y}/plan.yaml`;
        const t = await readText(f);
        if (t.missing) plans.set(y, { error: `找不到年度计划 ${f}` });
        else if (t.bad) plans.set(y, { error: t.bad });
        else {
          try { plans.set(y, { doc: inputs.load(t.text, f) }); } catch (e) { plans.set(y, { error: e.message }); }
        }
      }
      return plans.get(y);
    };
    let derived = null, planError = null;
    {
      const plan = await planOf(year);
      if (plan.error) planError = plan.error;
      else {
        try { derived = inputs.taskParameters(plan.doc, task, alg); } catch (e) {
          if (!(e instanceof inputs.Bad)) throw e;
          planError = `${planFile}：${e.message}`;
        }
      }
    }
    const P = derived || (isObj(rec.parameters) ? rec.parameters : null);

    // ---- a snapshot split into parts (/3, §11.2): every part the record lists is fetched and
    // its digest checked; the parts are parsed as one file (one header, then each part's rows).
    async function readParts(day) {
      const folder = `plans/${agency}/targets/${day}`;
      const pop = isObj(rec.population) ? rec.population : {};
      const listed = Array.isArray(pop.parts) ? pop.parts : null;
      const none = { popFile: folder, popSha: null, snap: null, popParts: null };
      if (!listed || !listed.length || !listed.every((p) => isObj(p) && typeof p.file === "string")) {
        add("snapshot-sha256", "fail", "记录的 population.parts 应为各部分（file、sha256、rows）的列表", { where: "population.parts" });
        return none;
      }
      report.unchecked.push(`拆分的名录快照目录 ${folder}/ 中是否还有记录之外的文件（浏览器只读取记录列出的部分；由 ssjpub verify 和 docs/verify_draw.py 核对）`);
      const names = listed.map((p) => p.file.slice(folder.length + 1));
      const bad = listed.findIndex((p, i) => !p.file.startsWith(folder + "/") || !/^[^/]+\.csv$/.test(names[i]) ||
        (i > 0 && enc.cmp(names[i - 1], names[i]) >= 0));
      if (bad >= 0) {
        add("snapshot-sha256", "fail", `population.parts[${bad}] 的文件应为 ${folder}/ 中的 .csv 文件，各部分按文件名的码位顺序`,
          { where: `population.parts[${bad}].file` });
        return none;
      }
      const parts = [], texts = [];
      for (let i = 0; i < listed.length; i++) {
        progress(0.02 + 0.03 * i / listed.length, "读取名录快照的各部分");
        const bytes = await read(listed[i].file);
        if (bytes === null || bytes === undefined) {
          add("snapshot-sha256", "fail", `找不到名录快照的部分 ${listed[i].file}`, { where: `population.parts[${i}].file` });
          return none;
        }
        parts.push({ file: listed[i].file, sha256: await fileSha256(bytes, opts.sha256), rows: null });
        let text;
        try { text = withoutBom(decode(bytes)).replace(/\r\n?/g, "\n"); } catch (e) {
          add("snapshot-rows", "fail", `${listed[i].file} 不是 UTF-8 编码`, { where: listed[i].file });
          return none;
        }
        texts.push(text);
      }
      const popSha = enc.hex(enc.digest(A3, "population", ...parts.flatMap((p, i) => [names[i], p.sha256])));
      // One text: the first part's header, then every part's rows; `starts` maps its lines back.
      const headerOf = (t) => { let h = null; csv.eachRecord(t, (cells) => { h = cells.map(enc.strip); return false; }); return h; };
      const header = headerOf(texts[0]);
      let joined = "", line = 2;
      const starts = [];
      for (let i = 0; i < texts.length; i++) {
        const h = headerOf(texts[i]);
        if (JSON.stringify(h) !== JSON.stringify(header)) {
          add("snapshot-rows", "fail", `${listed[i].file} 的表头与 ${listed[0].file} 的不同（各部分的表头须完全相同）`, { where: `${listed[i].file} 第 1 行` });
          return { popFile: folder, popSha, snap: null, popParts: null };
        }
        const nl = texts[i].indexOf("\n");
        let body = nl < 0 ? "" : texts[i].slice(nl + 1);
        if (body && !body.endsWith("\n")) body += "\n";
        if (i === 0) joined = texts[0].slice(0, nl < 0 ? texts[0].length : nl) + "\n";
        starts.push(line);
        joined += body;
        for (let k = body.indexOf("\n"); k >= 0; k = body.indexOf("\n", k + 1)) line++;
      }
      const at = (l) => { let i = 0; while (i + 1 < starts.length && starts[i + 1] <= l) i++; return `${listed[i].file} 第 ${l === 1 ? 1 : l - starts[i] + 2} 行`; };
      compare("snapshot-sha256", { file: pop.file, sha256: pop.sha256, parts: listed.map((p) => ({ file: p.file, sha256: p.sha256 })) },
        { file: folder, sha256: popSha, parts: parts.map((p) => ({ file: p.file, sha256: p.sha256 })) }, "population",
        `${parts.length} 个部分的 SHA-256 与记录相同，各部分的摘要为 ${popSha}`, `名录快照 ${folder}/ 的部分与记录中的文件名或 SHA-256 不同`);
      progress(0.1, "解析名录快照");
      let snap = null;
      try {
        snap = csv.parseSnapshot(enc.utf8.encode(joined), (f) => progress(0.1 + 0.05 * f, "解析名录快照"));
      } catch (e) {
        if (!(e instanceof csv.BadSnapshot)) throw e;
        const where = e.line ? at(e.line) : folder;
        add("snapshot-rows", "fail", `名录快照 ${where}：${e.message}`, { where });
        return { popFile: folder, popSha, snap: null, popParts: null };
      }
      for (let i = 0; i < parts.length; i++) parts[i].rows = 0;
      for (let k = 0; k < snap.rows; k++) {
        let i = 0;
        while (i + 1 < starts.length && starts[i + 1] <= snap.line[k]) i++;
        parts[i].rows++;
      }
      compare("snapshot-rows", { rows: pop.rows, parts: listed.map((p) => p.rows) }, { rows: snap.rows, parts: parts.map((p) => p.rows) },
        "population", `${parts.length} 个部分共 ${snap.rows} 家单位（表头和空行不计），与记录相同`);
      return { popFile: folder, popSha, snap, popParts: parts };
    }

    // ---- snapshot
    let popSha = null, snap = null, popFile = null, popParts = null;
    progress(0.02, "读取名录快照");
    if (P && typeof P.snapshot === "string" && alg === A3) {
      ({ popFile, popSha, snap, popParts } = await readParts(P.snapshot));
    } else if (P && typeof P.snapshot === "string") {
      popFile = `plans/${agency}/targets/${P.snapshot}.csv`;
      const bytes = await read(popFile);
      if (bytes === null || bytes === undefined) {
        add("snapshot-sha256", "fail", `找不到名录快照 ${popFile}`);
      } else {
        progress(0.05, "计算名录快照的 SHA-256");
        popSha = await fileSha256(bytes, opts.sha256);
        const pop = isObj(rec.population) ? rec.population : {};
        compare("snapshot-sha256", { file: pop.file, sha256: pop.sha256 }, { file: popFile, sha256: popSha }, "population",
          `${popFile} 的 SHA-256 为 ${popSha}，与记录相同`, `名录快照 ${popFile} 与记录中的文件名或 SHA-256 不同`);
        progress(0.1, "解析名录快照");  // 0.10–0.15; the tickets take 0.15–0.95
        try {
          snap = csv.parseSnapshot(bytes, (f) => progress(0.1 + 0.05 * f, "解析名录快照"));
        } catch (e) {
          if (!(e instanceof csv.BadSnapshot)) throw e;
          add("snapshot-rows", "fail", `名录快照 ${popFile}${e.line ? ` 第 ${e.line} 行` : ""}：${e.message}`,
            { where: e.line ? `${popFile} 第 ${e.line} 行` : popFile });
        }
        if (snap) {
          compare("snapshot-rows", pop.rows, snap.rows, "population.rows", `快照中有 ${snap.rows} 家单位（表头和空行不计），与记录相同`);
        }
      }
    } else {
      add("snapshot-sha256", "skip", "不知道任务的快照日期，无法找到名录快照");
    }

    // ---- parameters
    let paramsSha = null;
    if (isObj(rec.parameters)) {
      let recordedSha;
      try { recordedSha = enc.hex(noble.sha256(enc.utf8.encode(enc.canonicalJson(rec.parameters)))); } catch (e) { recordedSha = null; }
      if (recordedSha === null) add("parameters-sha256", "fail", "记录中的 parameters 含整数以外的数", { where: "parameters" });
      else compare("parameters-sha256", rec.parameters_sha256, recordedSha, "parameters_sha256",
        `记录中 parameters 的规范 JSON 的 SHA-256 为 ${recordedSha}，与记录的 parameters_sha256 相同`);
    } else {
      add("parameters-sha256", "fail", "记录中没有 parameters 对象", { where: "parameters" });
    }
    if (derived) {
      compare("parameters-plan", rec.parameters, derived, "parameters",
        `由 ${planFile} 中任务 ${task} 得出的参数与记录中的 parameters 相同`,
        `记录中的 parameters 与 ${planFile} 中任务 ${task} 得出的不同`);
    } else {
      add("parameters-plan", "fail", planError || "无法读取年度计划", { where: planFile });
    }
    if (P) {
      try { paramsSha = enc.hex(noble.sha256(enc.utf8.encode(enc.canonicalJson(P)))); } catch (e) { paramsSha = null; }
    }

    // ---- randomness
    let canonical = null, parts = null;
    const rfile = `plans/${agency}/${year}/randomness/${task}.yaml`;
    const declared = P ? (alg === A1 ? (P.randomness ? [P.randomness] : []) : (Array.isArray(P.randomness) ? P.randomness : [])) : [];
    const kinds = new Set(declared.map((s) => s && s.kind));
    let entries = null;
    {
      const t = await readText(rfile);
      let why = null;
      if (t.missing) why = `找不到公开随机数文件 ${rfile}`;
      else if (t.bad) why = t.bad;
      else if (!P) why = "不知道任务声明的随机数来源";
      else {
        try {
          const got = inputs.randomnessEntries(inputs.load(t.text, rfile));
          entries = got.entries;
          const m = got.meta;
          if (m.agency !== agency || m.year !== year || m.task !== task) {
            why = `${rfile} 中的 agency、year、task 应为 ${agency}、${year}、${task}`;
          } else if (entries.length !== declared.length) {
            why = `任务声明了 ${declared.length} 个公开随机数来源，${rfile} 中有 ${entries.length} 项`;
          } else {
            for (let i = 0; i < entries.length && !why; i++) {
              const nth = entries.length > 1 ? `第 ${i + 1} 个来源` : "来源";
              if (entries[i].kind !== declared[i].kind) why = `${nth}声明为“${declared[i].kind}”，${rfile} 中填写的却是“${entries[i].kind}”的值`;
              else if (entries[i].kind === "drand" && (alg === A1 || entries[i].round !== declared[i].round)) {
                why = `${nth}声明的 drand 轮次为 ${declared[i].round}，${rfile} 中为 ${entries[i].round}`;
              }
            }
          }
        } catch (e) {
          if (!(e instanceof inputs.Bad)) throw e;
          why = `${rfile}：${e.message}`;
        }
      }
      if (why) {
        add("randomness-sources", "fail", why, { where: rfile });
        entries = null;
      } else {
        parts = entries.map((e, i) => ({ kind: declared[i].kind, canonical: inputs.sourceCanonical(e) }));
        canonical = parts.map((p) => p.canonical).join("");
        const r = isObj(rec.randomness) ? rec.randomness : {};
        const detail = `由 ${rfile} 得出各来源的规范值：${parts.map((p) => `${p.kind} ${p.canonical}`).join("；")}`;
        if (alg === A1) compare("randomness-sources", { file: r.file, canonical: r.canonical }, { file: rfile, canonical }, "randomness", detail);
        else compare("randomness-sources", { file: r.file, sources: r.sources }, { file: rfile, sources: parts }, "randomness", detail);
      }
    }
    let drandUnchecked = false;
    if (entries && entries.some((e) => e.kind === "drand")) {
      progress(0.12, "核验 drand 签名");
      const problems = [];
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (e.kind !== "drand") continue;
        const why = drandProblem(e.round, e.signature);
        const where = entries.length > 1 ? `${rfile} sources[${i}]` : rfile;
        if (why) problems.push({ detail: `drand 第 ${e.round} 轮：${why}`, where: `${where}.signature` });
        else if (e.randomness !== null && e.randomness + "/" !== parts[i].canonical) {
          problems.push({ detail: `drand 第 ${e.round} 轮：randomness 应为签名的 SHA-256`, where: `${where}.randomness`,
            expected: show(e.randomness), actual: show(parts[i].canonical.slice(0, -1)) });
        }
      }
      if (problems.length) {
        const { detail, ...diff } = problems[0];
        add("randomness-signature", "fail", detail, diff);
      } else {
        add("randomness-signature", "ok", "每个 drand 来源的签名都用 drand quicknet 的公钥（draw-spec 第 2.4 节）核验通过");
      }
    } else if (!entries && (kinds.has("drand"))) {
      add("randomness-signature", "skip", "没有读到 drand 签名，无法核验");
      drandUnchecked = true;
    }
    if (canonical !== null) {
      compare("randomness-canonical", isObj(rec.randomness) ? rec.randomness.canonical : undefined, canonical, "randomness.canonical",
        `各来源的规范值按声明顺序连接为 ${canonical}`);
    } else add("randomness-canonical", "skip", "没有得出各来源的规范值");

    // ---- seed
    let seed = null;
    if (popSha && paramsSha && canonical !== null) {
      seed = enc.hex(enc.digest(alg, "seed", agency, String(year), task, popSha, paramsSha, canonical));
      compare("seed", rec.seed, seed, "seed", `由机关、年度、任务、快照和参数的摘要、规范随机数算出种子 ${seed}`);
    } else add("seed", "skip", "缺少快照摘要、参数摘要或规范随机数，无法计算种子");

    // ---- prior draws
    let prior = null;
    {
      const all = reader.list ? await reader.list() : null;
      if (all) {
        const mine = [];
        const re = new RegExp(`^plans/${agency}/([0-9]+)/draws/([^/]+)\\.json$`);
        for (const p of all) {
          const m = re.exec(p);
          if (m && Number(m[1]) <= year) mine.push([Number(m[1]), m[2]]);
        }
        const orders = new Map();
        let why = null;
        for (const y of [...new Set(mine.map((k) => k[0]).concat([year]))]) {
          const plan = await planOf(y);
          if (plan.error) { why = plan.error; break; }
          try { orders.set(y, inputs.taskIds(plan.doc)); } catch (e) { why = `plans/${agency}/${y}/plan.yaml：${e.message}`; break; }
        }
        if (why) add("prior-draws", "fail", `无法确定任务的先后：${why}`, { where: "prior_draws" });
        else {
          const at = ([y, t]) => { const ids = orders.get(y) || []; const i = ids.indexOf(t); return [y, i < 0 ? ids.length : i, t]; };
          const before = (a, b) => a[0] - b[0] || a[1] - b[1] || enc.cmp(a[2], b[2]);
          const here = at([year, task]);
          prior = mine.map(at).filter((k) => before(k, here) < 0).sort(before).map((k) => `${k[0]}/${k[2]}`);
          compare("prior-draws", rec.prior_draws, prior, "prior_draws",
            prior.length ? `本机关此前的抽取记录，按年度和计划中的顺序：${prior.join("、")}` : "本机关此前没有抽取记录");
        }
      } else {
        add("prior-draws", "skip", "没有网站的文件清单，无法列出本机关已有的抽取记录；以下按记录中的 prior_draws 计算");
        if (Array.isArray(rec.prior_draws) && rec.prior_draws.every((x) => typeof x === "string")) prior = rec.prior_draws;
      }
    }
    // What earlier records pass on: draws per code this year (the cap), last inspectors per code.
    let times = null, previous = null;
    if (prior) {
      times = new Map(); previous = new Map();
      for (const key of prior) {
        const m = /^([0-9]+)\/([a-z0-9][a-z0-9-]*)$/.exec(key);
        const f = m && `plans/${agency}/${m[1]}/draws/${m[2]}.json`;
        let r = null;
        if (f) {
          const t = await readText(f);
          try { r = t.text !== undefined ? JSON.parse(t.text) : null; } catch (e) { r = null; }
        }
        if (!isObj(r)) {
          add("prior-draws", "fail", `无法读取此前的抽取记录 ${f || key}`, { where: "prior_draws" });
          times = previous = null;
          break;
        }
        for (const g of Array.isArray(r.groups) ? r.groups : []) {
          if (isObj(g) && typeof g.target === "string" && Array.isArray(g.members)) previous.set(g.target, g.members.slice());
        }
        if (Number(m[1]) === year) {
          for (const t of Array.isArray(r.targets) ? r.targets : []) {
            if (isObj(t) && typeof t.code === "string") times.set(t.code, (times.get(t.code) || 0) + 1);
          }
        }
      }
    }

    // ---- eligible, strata, targets
    const head = seed === null ? null : {
      algorithm: alg, agency, year, task, parameters: P, parameters_sha256: paramsSha,
      population: popParts ? { file: popFile, sha256: popSha, rows: snap ? snap.rows : null, parts: popParts }
        : { file: popFile, sha256: popSha, rows: snap ? snap.rows : null },
      randomness: alg === A1 ? { file: rfile, canonical } : { file: rfile, sources: parts, canonical },
      seed, prior_draws: prior,
    };
    let sel = null, fail = null;
    const ready = head && snap && times && P;
    if (ready) {
      progress(0.15, "计算签号");
      sel = draw.select(snap, P, alg, seed, times, (f) => progress(0.15 + 0.8 * f, "计算签号"));
      fail = sel.failure || null;
    }
    if (!failure) {
      if (sel) {
        compare("eligible", rec.eligible, sel.eligible, "eligible",
          `可抽单位 ${sel.eligible.count} 家；不在营 ${sel.eligible.inactive} 家，不在抽查范围 ${sel.eligible.out_of_scope} 家，` +
          `本年度已抽中 2 次 ${sel.eligible.capped.length} 家`);
        if (fail) add("strata", "fail", `重新计算时抽取失败：${fail.message}`, { where: "strata" });
        else compare("strata", rec.strata, sel.strata, "strata", `${sel.strata.length} 层：` +
          sel.strata.map((s) => `${s.stratum || "（不分层）"} ${s.eligible} 家按 ${s.rule} 抽 ${s.count} 家`).join("；"));
        if (fail) add("targets", "skip", "抽取失败，没有抽中的单位");
        else compare("targets", rec.targets, sel.targets, "targets", `抽中 ${sel.targets.length} 家，每家的签号、第几张签、顺序` +
          (P.batches ? "和批次" : "") + "都与记录相同");
      } else {
        for (const id of ["eligible", "strata", "targets"]) add(id, "skip", "缺少前面的输入，无法重新计算");
      }
    }

    // ---- inspectors and groups
    let roster = null;
    {
      const sec = rec.inspectors;
      const usable = isObj(sec) && typeof sec.file === "string" && Array.isArray(sec.requirements) &&
        sec.requirements.every((r) => typeof r === "string") && Array.isArray(sec.pool) &&
        sec.pool.every((p) => isObj(p) && typeof p.id === "string" && Array.isArray(p.qualifications) &&
          Array.isArray(p.conflicts) && typeof p.cert_expires === "string" && typeof p.department === "string" && "active" in p && "name" in p);
      if (!usable) add("inspectors", "fail", "记录中的 inspectors 缺少字段或结构不对", { where: "inspectors" });
      else if (!P) add("inspectors", "skip", "不知道任务的参数");
      else {
        roster = draw.withExclusions(sec, P);
        compare("inspectors", sec, roster, "inspectors", `实施股室 ${roster.pool.length} 人，` +
          `其中 ${roster.pool.filter((p) => p.excluded.length).length} 人按记录中的事实排除（不在岗、无资格或证件在 ${P.window.end} 前到期）`);
      }
    }
    let groups = null;
    if (sel && !fail && roster) {
      const g = draw.assignInspectors(alg, seed, sel.targets, roster.pool, previous, P.group_size);
      groups = g.groups;
      fail = g.failure || null;
    }
    if (!failure) {
      if (groups && !fail) compare("groups", rec.groups, groups, "groups", `${groups.length} 个检查组的回避、上次检查人员、组员和组长都与记录相同`);
      else if (fail && sel && !sel.failure) add("groups", "fail", `重新计算时抽取失败：${fail.message}`, { where: "groups" });
      else add("groups", "skip", sel && sel.failure ? "抽取失败，没有检查组" : "缺少前面的输入，无法重新编组");
    }

    // ---- the record as `ssjpub draw` writes it
    let recomputed = null;
    if (head && roster && sel && (fail || groups)) {
      recomputed = fail ? { ...head, inspectors: roster, outcome: "failed", failure: [fail] }
        : { ...head, eligible: sel.eligible, strata: sel.strata, targets: sel.targets, inspectors: roster, groups };
    }
    if (failure) {
      if (!recomputed) add("failure", "skip", "缺少前面的输入，无法重新执行");
      else if (!fail) add("failure", "fail", "用同样的输入重新执行，这次抽取能够完成：失败记录不成立", { where: "failure" });
      else compare("failure", { outcome: rec.outcome, failure: rec.failure }, { outcome: "failed", failure: [fail] }, "",
        `重新执行同样失败：${fail.message}`);
    }
    if (recomputed) {
      try { report.recomputed = enc.renderRecord(recomputed); } catch (e) { report.recomputed = null; }
    }
    if (report.recomputed === null) add("record-bytes", "skip", "没有完整地重新计算出记录");
    else {
      const text = decode(raw);
      if (text === report.recomputed) add("record-bytes", "ok", "记录文件的每一个字节都与按算法重新写出的记录相同");
      else {
        const a = text.split("\n"), b = report.recomputed.split("\n");
        let i = 0;
        while (i < a.length && i < b.length && a[i] === b[i]) i++;
        add("record-bytes", "fail", `记录文件第 ${i + 1} 行与按算法重新写出的记录不同`,
          { where: `${recordPath} 第 ${i + 1} 行`, expected: i < a.length ? a[i] : "（文件结束）", actual: i < b.length ? b[i] : "（文件结束）" });
      }
    }

    // ---- what was not checked
    const u = report.unchecked;
    u.push("名录快照是否与社会保险登记等名录一致：这里只核对快照文件本身。");
    if (kinds.has("公开开奖")) u.push("彩票开奖号码是否为官方公布的号码：请到彩票的官方开奖结果页面核对这一期的号码。");
    if (kinds.has("公开摇号")) u.push("公开摇号的数字是否为现场摇出的数字：请看摇号记录和见证人。");
    u.push("名录快照、任务参数和随机数来源的声明是否在公开随机数产生之前提交：请看本页的先后证据。");
    u.push("记录中的检查人员名录（inspectors）是否与抽取前提交的执法检查人员名录和事项清单一致：这里按记录中的事实重新编组。");
    if (prior && prior.length) u.push(`此前的抽取记录（${prior.join("、")}）本身是否正确：它们在各自的页面上核对。`);
    u.push("同名的 .yaml 副本：它只是给人看的副本，不属于算法。");
    if (drandUnchecked) u.push("drand 签名：没有读到签名，没有核验。");
    progress(1, "完成");
    return report;
  }

  return {
    verifyRecord, firstDiff,
    // component functions (tests/vectors/*.json)
    field: (t) => enc.hex(enc.field(t)),
    digest: (...t) => enc.hex(enc.digest(...t)),
    canonicalJson: enc.canonicalJson,
    renderRecord: enc.renderRecord,
    strip: enc.strip, cmp: enc.cmp,
    sourceCanonical: inputs.sourceCanonical,
    seed: (alg, agency, year, task, pop, params, randomness) =>
      enc.hex(enc.digest(alg, "seed", agency, String(year), task, pop, params, randomness)),
    populationDigest: (alg, parts) => enc.hex(enc.digest(alg, "population", ...parts.flatMap((p) => [p.name, p.sha256]))),
    ticket: draw.ticket,
    count: (ratio, n) => draw.count(ratio, n),
    select: (alg, seed, candidates, counts) => draw.drawLowest(alg, seed,
      candidates.map((c, i) => ({ i, code: c.code, stratum: c.stratum, weight: c.weight })), counts)
      .map((t) => ({ code: t.code, stratum: t.stratum, weight: t.weight, ticket: enc.hex(t.ticket), copy: t.copy })),
    parseSnapshot: csv.parseSnapshot,
    taskParameters: (text, task, alg) => inputs.taskParameters(inputs.load(text, "plan.yaml"), task, alg || A2),
    randomnessEntries: (text) => inputs.randomnessEntries(inputs.load(text, "randomness.yaml")),
    drandProblem,
  };
}
