// ssjpub browser verifier: the directory snapshot CSV (docs/draw-spec.md §2 item 1), read as
// ssjpub reads it: UTF-8 with an optional BOM, CRLF/CR as LF, Python csv's excel dialect (quoted
// fields, "" inside quotes, and, as ssjpub splits lines first, a line break inside quotes dropped),
// blank lines skipped, header and values stripped of the 29 white space code points, exactly the
// nine columns. Rows are kept by column (a million rows must fit in a browser tab).
function ssjpubSnapshot(enc) {
  "use strict";
  const COLUMNS = ["credit_code", "name", "area", "industry", "grade", "complaints", "serious_violation",
    "status", "source"];
  const GRADES = ["A", "B", "C"];
  const FLAGS = ["是", "否"];
  const STATUSES = ["在营", "停业", "注销"];
  const SOURCES = ["参保登记", "本部门审批"];

  class BadSnapshot extends Error {
    constructor(line, message) {
      super(message);
      this.line = line;
    }
  }

  // Every record of `text` (LF line ends) as Python's csv.reader over text.split("\n") gives it:
  // calls visit(cells, line) with the line number where the record ends.
  function eachRecord(text, visit) {
    if (!text.includes('"')) {  // the common case: a record is a line split at commas
      let line = 0, at = 0;
      while (at <= text.length) {
        let end = text.indexOf("\n", at);
        if (end < 0) end = text.length;
        line++;
        if (visit(end === at ? [] : text.slice(at, end).split(","), line) === false) return;
        at = end + 1;
      }
      return;
    }
    let line = 1, cells = [], cell = "", state = 0;  // 0 start of field, 1 in field, 2 quoted, 3 quote in quoted
    let from = 0;
    const n = text.length;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? text.charCodeAt(i) : 10;
      if (c === 10) {
        if (state === 2) {  // ssjpub hands csv the lines without their LF: the quoted field goes on
          cell += text.slice(from, i);
          from = i + 1;
          line++;
          if (i === n) { cells.push(cell); visit(cells, line - 1); return; }  // unexpected end of data
          continue;
        }
        if (state === 1) cell += text.slice(from, i);
        if (state !== 0 || cells.length) cells.push(cell);
        if (visit(cells, line) === false) return;
        cells = []; cell = ""; state = 0; from = i + 1; line++;
        if (i === n) return;
        continue;
      }
      if (state === 0) {
        if (c === 0x22) { state = 2; from = i + 1; }
        else if (c === 0x2c) { cells.push(""); from = i + 1; }
        else { state = 1; from = i; }
      } else if (state === 1) {
        if (c === 0x2c) { cells.push(cell + text.slice(from, i)); cell = ""; state = 0; from = i + 1; }
      } else if (state === 2) {
        if (c === 0x22) { cell += text.slice(from, i); state = 3; }
      } else {  // state 3: after a quote inside a quoted field
        if (c === 0x22) { cell += '"'; state = 2; from = i + 1; }
        else if (c === 0x2c) { cells.push(cell); cell = ""; state = 0; from = i + 1; }
        else { state = 1; from = i; }  // non-strict csv: the rest is taken literally
      }
    }
  }

  function intern(map, values, v) {
    let id = map.get(v);
    if (id === undefined) { id = values.length; values.push(v); map.set(v, id); }
    return id;
  }

  // The snapshot from its bytes: {rows, code[], name[], line[], area/industry/grade ids, values,
  // complaints, serious (1 = 是), active (1 = 在营)}; throws BadSnapshot(line, 中文) when the
  // file is not one ssjpub validate accepts in the ways the draw depends on.
  function parseSnapshot(bytes) {
    let text;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch (e) {
      throw new BadSnapshot(null, "文件不是 UTF-8 编码");
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
    if (text.includes("\0")) throw new BadSnapshot(null, "文件含 NUL 字符，不是 CSV 文本");
    let header = null, order = null, width = 0;
    const snap = {
      rows: 0, code: [], name: [], line: [], area: [], industry: [], grade: [], complaints: [], serious: [],
      active: [], values: { area: [], industry: [], grade: [] },
    };
    const maps = { area: new Map(), industry: new Map(), grade: new Map() };
    const seen = new Map();
    eachRecord(text, (cells, line) => {
      if (header === null) {
        header = cells.map(enc.strip);
        const extra = header.filter((h) => !COLUMNS.includes(h));
        if (extra.length) throw new BadSnapshot(1, `表头有名录快照之外的列“${extra[0]}”（只能有 ${COLUMNS.join(", ")}）`);
        const missing = COLUMNS.filter((c) => !header.includes(c));
        if (missing.length) throw new BadSnapshot(1, `表头缺少列：${missing.join(", ")}`);
        if (new Set(header).size !== header.length) throw new BadSnapshot(1, "表头有重复的列");
        order = COLUMNS.map((c) => header.indexOf(c));
        width = header.length;
        return true;
      }
      if (!cells.length || (cells.length === 1 && cells[0] === "")) return true;  // blank line: skipped
      if (cells.length !== width) throw new BadSnapshot(line, `该行有 ${cells.length} 列，表头有 ${width} 列`);
      const v = order.map((i) => enc.strip(cells[i]));
      const [code, name, area, industry, grade, complaints, violation, status, source] = v;
      if (!code) throw new BadSnapshot(line, "credit_code（统一社会信用代码）为空");
      if (seen.has(code)) throw new BadSnapshot(line, `统一社会信用代码 ${code} 与第 ${seen.get(code)} 行重复`);
      if (!name || !area || !industry) throw new BadSnapshot(line, "name、area、industry 不得为空");
      if (!GRADES.includes(grade)) throw new BadSnapshot(line, `grade 为“${grade}”，只能是 A、B 或 C`);
      if (!/^[0-9]+$/.test(complaints)) throw new BadSnapshot(line, `complaints 为“${complaints}”，应为非负整数`);
      if (!FLAGS.includes(violation)) throw new BadSnapshot(line, `serious_violation 为“${violation}”，只能是 是 或 否`);
      if (!STATUSES.includes(status)) throw new BadSnapshot(line, `status 为“${status}”，只能是 在营、停业 或 注销`);
      if (!SOURCES.includes(source)) throw new BadSnapshot(line, `source 为“${source}”，只能是 参保登记 或 本部门审批`);
      seen.set(code, line);
      snap.code.push(code);
      snap.name.push(name);
      snap.line.push(line);
      snap.area.push(intern(maps.area, snap.values.area, area));
      snap.industry.push(intern(maps.industry, snap.values.industry, industry));
      snap.grade.push(intern(maps.grade, snap.values.grade, grade));
      // Longer digit strings exceed every at_least (a positive integer of the plan) anyway.
      snap.complaints.push(complaints.length > 15 ? Number.MAX_SAFE_INTEGER : Number(complaints));
      snap.serious.push(violation === "是" ? 1 : 0);
      snap.active.push(status === "在营" ? 1 : 0);
      return true;
    });
    if (header === null) throw new BadSnapshot(1, "文件为空：第一行应为表头");
    snap.rows = snap.code.length;
    return snap;
  }

  return { parseSnapshot, BadSnapshot, eachRecord, COLUMNS };
}
