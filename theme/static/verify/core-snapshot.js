// ssjpub browser verifier: the directory snapshot CSV (docs/draw-spec.md §2 item 1), read as
// ssjpub reads it: UTF-8 with an optional BOM, CRLF/CR as LF, Python csv's excel dialect (quoted
// fields, "" inside quotes, and, as ssjpub splits lines first, a line break inside quotes dropped),
// blank lines skipped, header and values stripped of the 29 white space code points, exactly the
// nine columns. Rows are kept by column (a million rows must fit in a browser tab).
function ssjpubSnapshot(enc) {
  "use strict";
  const COLUMNS = ["credit_code", "name", "area", "industry", "grade", "complaints", "serious_violation",
    "status", "source"];
  const FLAGS = ["是", "否"];
  const STATUSES = ["在营", "停业", "注销"];
  const SOURCES = ["参保登记", "本部门审批"];

  class BadSnapshot extends Error {
    constructor(line, message) {
      super(message);
      this.line = line;
    }
  }

  // Every record of `text` (LF line ends) from offset `from`, as Python's csv.reader over
  // text.split("\n") gives it: visit(cells, line, start) with the line number where the record
  // ends and the offset where it starts; visit returns false to stop.
  function eachRecord(text, visit, from, firstLine) {
    let line = firstLine || 1, at = from || 0;
    if (!text.includes('"', at)) {  // the common case: a record is a line split at commas
      while (at <= text.length) {
        let end = text.indexOf("\n", at);
        if (end < 0) end = text.length;
        if (visit(end === at ? [] : text.slice(at, end).split(","), line, at) === false) return;
        line++;
        at = end + 1;
      }
      return;
    }
    let cells = [], cell = "", state = 0;  // 0 start of field, 1 in field, 2 quoted, 3 quote in quoted
    let start = at;
    const n = text.length;
    for (let i = at; i <= n; i++) {
      const c = i < n ? text.charCodeAt(i) : 10;
      if (c === 10) {
        if (state === 2) {  // ssjpub hands csv the lines without their LF: the quoted field goes on
          cell += text.slice(at, i);
          at = i + 1;
          if (i === n) { cells.push(cell); visit(cells, line, start); return; }  // unexpected end of data
          line++;
          continue;
        }
        if (state === 1) cell += text.slice(at, i);
        if (state !== 0 || cells.length) cells.push(cell);
        if (visit(cells, line, start) === false) return;
        cells = []; cell = ""; state = 0; at = i + 1; start = at; line++;
        if (i === n) return;
        continue;
      }
      if (state === 0) {
        if (c === 0x22) { state = 2; at = i + 1; }
        else if (c === 0x2c) { cells.push(""); at = i + 1; }
        else { state = 1; at = i; }
      } else if (state === 1) {
        if (c === 0x2c) { cells.push(cell + text.slice(at, i)); cell = ""; state = 0; at = i + 1; }
      } else if (state === 2) {
        if (c === 0x22) { cell += text.slice(at, i); state = 3; }
      } else {  // state 3: after a quote inside a quoted field
        if (c === 0x22) { cell += '"'; state = 2; at = i + 1; }
        else if (c === 0x2c) { cells.push(cell); cell = ""; state = 0; at = i + 1; }
        else { state = 1; at = i; }  // non-strict csv: the rest is taken literally
      }
    }
  }

  function intern(map, values, v) {
    let id = map.get(v);
    if (id === undefined) { id = values.length; values.push(v); map.set(v, id); }
    return id;
  }

  // The snapshot from its bytes: {rows, code[], line, area/industry/grade ids into values,
  // complaints, serious (1 = 是), active (1 = 在营), name(i)}; throws BadSnapshot(line, 中文)
  // when the file is not one ssjpub validate accepts in the ways the draw depends on. Only the
  // codes are kept as strings: a name is read again from its row when a target needs it.
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
    let lines = 1;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
    let header = null, order = null, width = 0;
    const snap = {
      rows: 0, code: [], line: new Int32Array(lines), start: new Float64Array(lines), area: new Int32Array(lines),
      industry: new Int32Array(lines), grade: new Uint8Array(lines), complaints: new Float64Array(lines),
      serious: new Uint8Array(lines), active: new Uint8Array(lines), values: { area: [], industry: [], grade: [] },
      name: (i) => {
        let name = null;
        eachRecord(text, (cells) => { name = enc.strip(cells[order[1]]); return false; }, snap.start[i], snap.line[i]);
        return name;
      },
    };
    const maps = { area: new Map(), industry: new Map(), grade: new Map() };
    const seen = new Map();
    let k = 0;
    eachRecord(text, (cells, line, start) => {
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
      const strip = enc.strip;
      const code = strip(cells[order[0]]), name = strip(cells[order[1]]), area = strip(cells[order[2]]),
        industry = strip(cells[order[3]]), grade = strip(cells[order[4]]), complaints = strip(cells[order[5]]),
        violation = strip(cells[order[6]]), status = strip(cells[order[7]]), source = strip(cells[order[8]]);
      if (!code) throw new BadSnapshot(line, "credit_code（统一社会信用代码）为空");
      if (seen.has(code)) throw new BadSnapshot(line, `统一社会信用代码 ${code} 与第 ${seen.get(code)} 行重复`);
      if (!name || !area || !industry) throw new BadSnapshot(line, "name、area、industry 不得为空");
      if (grade !== "A" && grade !== "B" && grade !== "C") throw new BadSnapshot(line, `grade 为“${grade}”，只能是 A、B 或 C`);
      if (!/^[0-9]+$/.test(complaints)) throw new BadSnapshot(line, `complaints 为“${complaints}”，应为非负整数`);
      if (!FLAGS.includes(violation)) throw new BadSnapshot(line, `serious_violation 为“${violation}”，只能是 是 或 否`);
      if (!STATUSES.includes(status)) throw new BadSnapshot(line, `status 为“${status}”，只能是 在营、停业 或 注销`);
      if (!SOURCES.includes(source)) throw new BadSnapshot(line, `source 为“${source}”，只能是 参保登记 或 本部门审批`);
      seen.set(code, line);
      snap.code.push(code);
      snap.line[k] = line;
      snap.start[k] = start;
      snap.area[k] = intern(maps.area, snap.values.area, area);
      snap.industry[k] = intern(maps.industry, snap.values.industry, industry);
      snap.grade[k] = intern(maps.grade, snap.values.grade, grade);
      // Longer digit strings exceed every at_least (a positive integer of the plan) anyway.
      snap.complaints[k] = complaints.length > 15 ? Number.MAX_SAFE_INTEGER : Number(complaints);
      snap.serious[k] = violation === "是" ? 1 : 0;
      snap.active[k] = status === "在营" ? 1 : 0;
      k++;
      return true;
    });
    if (header === null) throw new BadSnapshot(1, "文件为空：第一行应为表头");
    snap.rows = k;
    return snap;
  }

  return { parseSnapshot, BadSnapshot, eachRecord, COLUMNS };
}
