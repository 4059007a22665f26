// ssjpub browser verifier: the YAML inputs of a draw (docs/draw-spec.md §2, §2.1, §2.2, §11):
// a task's parameters derived from plans/<agency>/<year>/plan.yaml, the task order of a plan, and
// the public values of plans/<agency>/<year>/randomness/<task>.yaml. YAML 1.2 core schema (the
// vendored yaml library's default, as ssjpub's loader): `010` is 10, dates stay text; anchors,
// aliases, tags and duplicate keys are refused; every type is checked, nothing converted.
function ssjpubInputs(enc, yaml) {
  "use strict";
  class Bad extends Error {}
  const FLOAT = { float: true };  // a YAML float: never a valid value of any draw field
  const INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;

  // The document as JS values: mappings as objects without prototype, integers as numbers,
  // floats as FLOAT; `where` names the file in messages.
  function load(text, where) {
    const lc = new yaml.LineCounter();
    const doc = yaml.parseDocument(text, { lineCounter: lc, keepSourceTokens: true, uniqueKeys: true });
    const at = (node) => (node && node.range ? `${where} 第 ${lc.linePos(node.range[0]).line} 行` : where);
    if (doc.errors.length) {
      const e = doc.errors[0];
      const line = e.linePos && e.linePos[0] ? `第 ${e.linePos[0].line} 行` : "";
      throw new Bad(`${where} ${line}不是合法的 YAML（${e.code}）`);
    }
    function value(node) {
      if (node === null || node === undefined) return null;
      if (yaml.isAlias(node) || node.anchor) throw new Bad(`${at(node)}：不允许使用锚点和别名`);
      if (node.tag) throw new Bad(`${at(node)}：不允许使用标签（${node.tag}）`);
      if (yaml.isMap(node)) {
        const out = Object.create(null);
        for (const pair of node.items) {
          const key = value(pair.key);
          if (typeof key !== "string") throw new Bad(`${at(pair.key)}：键应为文字`);
          out[key] = value(pair.value);
        }
        return out;
      }
      if (yaml.isSeq(node)) return node.items.map(value);
      if (yaml.isScalar(node)) {
        const v = node.value;
        if (typeof v === "number") {
          const src = node.srcToken && node.srcToken.source;
          if (node.type === "PLAIN" && INT.test(src) && Number.isSafeInteger(v)) return v;
          if (node.type === "PLAIN" && INT.test(src)) throw new Bad(`${at(node)}：整数 ${src} 太大`);
          return FLOAT;
        }
        return v;  // string, boolean or null
      }
      throw new Bad(`${at(node)}：无法读取`);
    }
    return value(doc.contents);
  }

  // --- typed reads (§2.1): text is stripped of the 29 white space code points, never converted
  const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && v !== FLOAT;
  function text(v, path, optional) {
    if (v === null || v === undefined) {
      if (optional) return null;
      throw new Bad(`${path}：缺少此字段`);
    }
    if (typeof v !== "string") throw new Bad(`${path}：应为文字（加引号），这里是 ${shown(v)}`);
    return enc.strip(v);
  }
  function int(v, path, optional, min) {
    if (v === null || v === undefined) {
      if (optional) return null;
      throw new Bad(`${path}：缺少此字段`);
    }
    if (typeof v !== "number") throw new Bad(`${path}：应为整数（不加引号），这里是 ${shown(v)}`);
    if (min !== undefined && v < min) throw new Bad(`${path}：应不小于 ${min}`);
    return v;
  }
  function texts(v, path) {
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) throw new Bad(`${path}：应为列表`);
    return v.map((x, i) => text(x, `${path}[${i}]`));
  }
  function date(v, path, optional) {
    const d = text(v, path, optional);
    if (d === null) return null;
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(d)) throw new Bad(`${path}：应为日期 YYYY-MM-DD，这里是 ${shown(d)}`);
    const [y, m, day] = d.split("-").map(Number);
    const t = new Date(Date.UTC(y, m - 1, day));
    if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== day) {
      throw new Bad(`${path}：日期 ${d} 不存在`);
    }
    return d;
  }
  function shown(v) {
    return v === FLOAT ? "浮点数" : JSON.stringify(v);
  }

  // §2: a ratio as exact integers {p, q} (p/q of 1) and its minimal text (`5.0%` → `5%`).
  const RATIO = /^(100(?:\.0{1,4})?|[0-9]{1,2}(?:\.[0-9]{1,4})?)%$/;
  function ratio(v, path) {
    const t = text(v, path);
    if (!RATIO.test(t) || /^0{1,2}(?:\.0{1,4})?%$/.test(t)) {
      throw new Bad(`${path}：比例应写成大于 0% 且不超过 100% 的百分数（最多 4 位小数），这里是 ${shown(t)}`);
    }
    const [whole, dec = ""] = t.slice(0, -1).split(".");
    const decimals = dec.replace(/0+$/, "");
    return { text: String(Number(whole)) + (decimals ? "." + decimals : "") + "%",
      p: BigInt(whole + dec), q: 100n * 10n ** BigInt(dec.length) };
  }
  function parseRatioText(t) {  // a ratio as a record writes it (already minimal)
    return ratio(t, "ratio");
  }

  function source(s, path, algorithm) {
    if (!isObj(s)) throw new Bad(`${path}：应为映射`);
    const kind = text(s.kind, `${path}.kind`);
    if (!["公开开奖", "公开摇号", "drand"].includes(kind)) throw new Bad(`${path}.kind：未知的来源类型 ${shown(kind)}`);
    const out = { kind, game: text(s.game, `${path}.game`, true), source: text(s.source, `${path}.source`, true),
      issue: text(s.issue, `${path}.issue`, true), expected_on: date(s.expected_on, `${path}.expected_on`),
      place: text(s.place, `${path}.place`, true), witnesses: texts(s.witnesses, `${path}.witnesses`),
      round: int(s.round, `${path}.round`, true, 1) };
    if ((kind === "drand") !== (out.round !== null)) throw new Bad(`${path}.round：只有 drand 来源填写且必须填写 round`);
    if (algorithm === "ssjpub-draw/1") {
      delete out.game;
      delete out.round;
    }
    return out;
  }

  function scopeOf(s, path) {
    if (s === null || s === undefined) return { areas: [], industries: [], grades: [] };
    if (!isObj(s)) throw new Bad(`${path}：应为映射`);
    return { areas: texts(s.areas, `${path}.areas`), industries: texts(s.industries, `${path}.industries`),
      grades: texts(s.grades, `${path}.grades`) };
  }

  function weightsOf(w, path) {
    if (w === null || w === undefined) return { grade: {}, complaints: null, serious_violation: null };
    if (!isObj(w)) throw new Bad(`${path}：应为映射`);
    const grade = {};
    if (w.grade !== null && w.grade !== undefined) {
      if (!isObj(w.grade)) throw new Bad(`${path}.grade：应为映射`);
      for (const k of Object.keys(w.grade)) grade[enc.strip(k)] = int(w.grade[k], `${path}.grade.${k}`, false, 1);
    }
    let complaints = null;
    if (w.complaints !== null && w.complaints !== undefined) {
      if (!isObj(w.complaints)) throw new Bad(`${path}.complaints：应为映射`);
      complaints = { at_least: int(w.complaints.at_least, `${path}.complaints.at_least`, false, 1),
        weight: int(w.complaints.weight, `${path}.complaints.weight`, false, 1) };
    }
    return { grade, complaints, serious_violation: int(w.serious_violation, `${path}.serious_violation`, true, 1) };
  }

  // §2: the parameters of task `taskId` of a plan (as `ssjpub draw` records them for `algorithm`).
  function taskParameters(plan, taskId, algorithm) {
    if (!isObj(plan) || !Array.isArray(plan.tasks)) throw new Bad("plan.yaml 中没有任务列表 tasks");
    const index = plan.tasks.findIndex((t) => isObj(t) && typeof t.id === "string" && enc.strip(t.id) === taskId);
    if (index < 0) throw new Bad(`plan.yaml 的 tasks 中没有任务 ${taskId}`);
    const t = plan.tasks[index];
    const p = `tasks[${index}]`;
    const basis = text(t.basis, `${p}.basis`, true);
    if (basis !== null && basis !== "随机抽查") throw new Bad(`${p}.basis：“${basis}”的检查不是随机抽取`);
    let strata = null;
    if (t.strata !== null && t.strata !== undefined) {
      if (!isObj(t.strata) || !isObj(t.strata.ratios)) throw new Bad(`${p}.strata：应为含 by 和 ratios 的映射`);
      const by = text(t.strata.by, `${p}.strata.by`);
      if (!["grade", "area", "industry"].includes(by)) throw new Bad(`${p}.strata.by：应为 grade、area 或 industry`);
      const ratios = {};
      for (const k of Object.keys(t.strata.ratios)) ratios[enc.strip(k)] = ratio(t.strata.ratios[k], `${p}.strata.ratios.${k}`).text;
      strata = { by, ratios };
    }
    const r = t.ratio === null || t.ratio === undefined ? null : ratio(t.ratio, `${p}.ratio`).text;
    const count = int(t.count, `${p}.count`, true, 1);
    if ([r, count, strata].filter((x) => x !== null).length !== 1) {
      throw new Bad(`${p}：ratio、count、strata 应恰好填写一项`);
    }
    if (!isObj(t.window)) throw new Bad(`${p}.window：缺少实施时间`);
    let randomness = null;
    const declared = t.randomness === null || t.randomness === undefined ? [] : Array.isArray(t.randomness) ? t.randomness : [t.randomness];
    const sources = declared.map((s, i) => source(s, Array.isArray(t.randomness) ? `${p}.randomness[${i}]` : `${p}.randomness`, algorithm));
    if (algorithm === "ssjpub-draw/1") {
      // §11: /1 knew one lottery or ceremony source without a game (as ssjpub re-executes /1).
      if (sources.length > 1 || (sources[0] && (declared[0].kind === "drand" || declared[0].game !== undefined && declared[0].game !== null))) {
        throw new Bad(`${p}.randomness：记录的算法是 ssjpub-draw/1，它只能有一个公开开奖或公开摇号来源（不含 game）`);
      }
      randomness = sources.length ? sources[0] : null;
    } else {
      randomness = sources.length ? sources : null;
    }
    const params = {
      agency: text(plan.agency, "agency"), year: int(plan.year, "year"), task: taskId,
      items: texts(t.items, `${p}.items`), departments: texts(t.departments, `${p}.departments`),
      snapshot: date(t.snapshot, `${p}.snapshot`, true), scope: scopeOf(t.scope, `${p}.scope`),
      ratio: r, count, strata, weights: weightsOf(t.weights, `${p}.weights`),
      window: { start: date(t.window.start, `${p}.window.start`), end: date(t.window.end, `${p}.window.end`) },
      group_size: t.group_size === null || t.group_size === undefined ? 2 : int(t.group_size, `${p}.group_size`, false, 1),
      batches: int(t.batches, `${p}.batches`, true, 2),
      randomness,
    };
    const retry = text(t.retry_of, `${p}.retry_of`, true);
    if (retry) params.retry_of = retry;
    return params;
  }

  // Task ids of a plan in plan order (§4: the order draws are made in).
  function taskIds(plan) {
    if (!isObj(plan) || !Array.isArray(plan.tasks)) throw new Bad("plan.yaml 中没有任务列表 tasks");
    return plan.tasks.map((t, i) => text(isObj(t) ? t.id : null, `tasks[${i}].id`));
  }

  // §2.2: the entries of a randomness file, one per source (the one-source form is one entry):
  // {kind, numbers | digits | round + signature, randomness}; plus the file's agency, year, task.
  const ENTRY_KEYS = ["announced_on", "numbers", "digits", "round", "signature", "randomness", "evidence", "schedule_notice"];
  function entry(e, path) {
    if (!isObj(e)) throw new Bad(`${path}：应为映射`);
    const given = [];
    if (Array.isArray(e.numbers) ? e.numbers.length : e.numbers !== undefined && e.numbers !== null) given.push("numbers");
    if (e.digits !== undefined && e.digits !== null) given.push("digits");
    if ((e.round !== undefined && e.round !== null) || (e.signature !== undefined && e.signature !== null)) given.push("round");
    if (given.length !== 1) throw new Bad(`${path}：须恰好填写 numbers、digits 或 round 与 signature 之一`);
    date(e.announced_on, `${path}.announced_on`);
    text(e.evidence, `${path}.evidence`);
    if (given[0] === "numbers") {
      if (!Array.isArray(e.numbers)) throw new Bad(`${path}.numbers：应为号码组的列表`);
      const numbers = e.numbers.map((g, i) => {
        if (!Array.isArray(g) || !g.length) throw new Bad(`${path}.numbers[${i}]：每组至少一个号码`);
        return g.map((n, j) => int(n, `${path}.numbers[${i}][${j}]`, false, 0));
      });
      return { kind: "公开开奖", numbers };
    }
    if (given[0] === "digits") {
      const digits = text(e.digits, `${path}.digits`);
      if (!/^[0-9]{20,}$/.test(digits)) throw new Bad(`${path}.digits：应为至少 20 位十进制数字的文字`);
      return { kind: "公开摇号", digits };
    }
    const round = int(e.round, `${path}.round`, false, 1);
    const signature = text(e.signature, `${path}.signature`);
    if (!/^[0-9a-f]{96}$/.test(signature)) throw new Bad(`${path}.signature：应为 96 位小写十六进制`);
    const copy = text(e.randomness, `${path}.randomness`, true);
    if (copy !== null && !/^[0-9a-f]{64}$/.test(copy)) throw new Bad(`${path}.randomness：应为 64 位小写十六进制`);
    return { kind: "drand", round, signature, randomness: copy };
  }

  function randomnessEntries(doc) {
    if (!isObj(doc)) throw new Bad("随机数文件应为映射");
    const meta = { agency: text(doc.agency, "agency"), year: int(doc.year, "year"), task: text(doc.task, "task") };
    if (doc.sources !== undefined && doc.sources !== null) {
      const top = ENTRY_KEYS.filter((k) => doc[k] !== undefined);
      if (top.length) throw new Bad(`填写了 sources 时，“${top[0]}”应写在各来源之中`);
      if (!Array.isArray(doc.sources) || !doc.sources.length) throw new Bad("sources 应为非空列表");
      return { meta, form: "sources", entries: doc.sources.map((e, i) => entry(e, `sources[${i}]`)) };
    }
    return { meta, form: "top", entries: [entry(doc, "（顶层）")] };
  }

  // §2.3: one entry's canonical value. The drand value needs SHA-256 of the signature's bytes.
  function sourceCanonical(e) {
    if (e.kind === "公开开奖") {
      return e.numbers.map((g) => g.slice().sort((a, b) => a - b).map((n) => n + ".").join("") + "/").join("");
    }
    if (e.kind === "公开摇号") return e.digits + "/";
    return enc.hex(enc.sha256(enc.fromHex(e.signature))) + "/";
  }

  return { Bad, load, taskParameters, taskIds, randomnessEntries, sourceCanonical, ratio: parseRatioText };
}
