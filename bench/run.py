"""`make bench`: county, city and province benchmarks side by side; prints a table and writes
docs/benchmarks.md.

    make bench            (or: .venv/bin/python bench/run.py [--budget SECONDS] [--no-write])

Every step runs once, in its own process (os.wait4 gives that process tree's peak memory), on the
synthetic repositories of bench/synth.py (generated into bench/data/, git-ignored, and reused while
the code they depend on is unchanged). The whole run keeps to a time budget (default 14 minutes, the
issue allows 15 on this 2-core machine): a step that would overrun it is stopped, and the table
says so with what was measured instead — never a made-up number. The city site does not fit that
budget: `make bench-city` (`--city-site`, one hour) measures it into docs/benchmarks-city.md.

Side by side:
  - draw 5 % of 1,000,000 ids: the raw SHA-256 loop (the floor), ssjpub, consistent_sampler 1.0.10
    (bench/draw.py's contenders and seed), and `ssjpub draw` end to end on a 1,000,000-row snapshot;
  - `ssjpub verify` of every draw, county and city, 10 years; at county, with the verification
    cache, a pull request adding one draw and one changing nothing (bench/verify_cache.py);
  - the site: `pelican content -s pelicanconf.py` as `make html` runs it (Pagefind off, timed on
    its own) against plain Pelican (default settings and theme) building the same number of
    Markdown pages holding the same text and tables (bench/steps.py markdown; run last, with the
    time left: stopped, it still bounds the ratio); the site's size; a rebuild after a new commit
    changing one result file, the page cache warm; Pagefind's index time, size and peak memory;
  - git size of the data: every object of the synthetic repositories after `git gc`, by kind.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
DATA = HERE / "data"
LOGS = DATA / "logs"
SITES = DATA / "site"
DOC = ROOT / "docs" / "benchmarks.md"
COMMAND = "make bench"
CITY_DOC = ROOT / "docs" / "benchmarks-city.md"
CITY_COMMAND = "make bench-city"
PELICAN_RESERVE = 300  # seconds kept after the county site: city verify (~80 s) and plain Pelican
MiB = 1024 * 1024


@dataclass
class Run:
    cmd: list[str]
    seconds: float
    rss: int  # bytes, peak resident set of the process tree
    code: int
    timed_out: bool
    stdout: str
    log: Path
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for

    @property
    def ok(self) -> bool:
        return self.code == 0 and not self.timed_out


def measure(name: str, cmd: list[str], *, cwd: Path = ROOT, env: dict | None = None,
            timeout: float | None = None) -> Run:
    """Run `cmd` in a new session; wall time and the peak RSS os.wait4 reports for it (the
    largest of the process and the children it waited for). Stopped (the session, by its id)
    after `timeout` seconds."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}.log"
    with open(log, "w", encoding="utf-8") as err, tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        stopped = threading.Event()

        def stop() -> None:
            stopped.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, stop) if timeout is not None else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read()
    err_text = log.read_text(encoding="utf-8", errors="replace")
    log.write_text(f"$ {' '.join(cmd)}\n{stdout}\n{err_text}", encoding="utf-8")
    return Run(cmd, seconds, usage.ru_maxrss * 1024, proc.returncode, stopped.is_set(), stdout, log,
               usage.ru_utime + usage.ru_stime)


@dataclass
class Row:
    step: str
    scale: str
    run: Run | None = None
    seconds: float | None = None  # when the step reports its own (draw alone, without setup)
    peer: str = ""
    ratio: str = ""
    goal: str = ""
    verdict: str = ""
    note: str = ""
    untimed: bool = False  # a size, not a step that ran
    gap: str = ""  # how far from the goal, when it is not met

    def time_text(self) -> str:
        if self.untimed:
            return ""
        if self.run is None:
            return "未测量"
        if self.run.timed_out:
            return f"> {self.run.seconds:.0f}（中止）"
        if not self.run.ok:
            return f"失败（退出码 {self.run.code}）"
        return f"{self.seconds if self.seconds is not None else self.run.seconds:.2f}"

    def memory_text(self) -> str:
        return f"{self.run.rss / MiB:,.0f}" if self.run and self.run.ok else "—"


@dataclass
class Bench:
    budget: float
    started: float = field(default_factory=time.perf_counter)
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    def left(self) -> float:
        return self.budget - (time.perf_counter() - self.started)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        measured = row.ratio if row.untimed else row.time_text() if row.run is None else \
            f"{row.time_text()} s，峰值内存 {row.memory_text()} MiB{'，' + row.ratio if row.ratio else ''}"
        print(f"  {row.step}（{row.scale}）：{measured}{'，' + row.verdict if row.verdict else ''}", flush=True)
        return row


def python(*args: str) -> list[str]:
    return [str(BIN / "python"), *args]


def env_with(**extra: str) -> dict:
    return {**os.environ, "PYTHONHASHSEED": "0", **extra}


def met(ok: bool) -> str:
    return "达到" if ok else "未达到"


# --- the steps -----------------------------------------------------------------------------------


def generate(b: Bench, scale: str) -> dict | None:
    run = measure(f"generate-{scale}", python(str(HERE / "synth.py"), scale), timeout=max(b.left(), 1))
    if not run.ok:
        b.add(Row("生成合成数据", scale, run, note=f"见 {run.log.relative_to(ROOT)}"))
        return None
    stamp = json.loads(run.stdout)
    fresh = stamp.pop("generated_now")
    note = "本次生成" if fresh else f"沿用 bench/data/{scale}（代码未变）；首次生成用时 {stamp['generate_seconds']} s"
    if fresh and scale == "city":
        b.notes.append(f"本次运行先生成了市级数据（{run.seconds:.0f} s），占用了时间预算；数据保留在 bench/data/，"
                       "代码不变时再次运行 `make bench` 直接沿用，可测量更多步骤。")
    b.add(Row("生成合成数据", scale, run, note=note))
    b.facts[scale] = stamp
    return stamp


def draws(b: Bench) -> None:
    out = {}
    for kind in ("draw-raw", "draw-ssjpub", "draw-cs"):
        run = measure(kind, python(str(HERE / "steps.py"), kind, "1000000"), timeout=max(b.left(), 1))
        out[kind] = (run, json.loads(run.stdout)["seconds"] if run.ok else None)
    (raw, t_raw), (ours, t_ours), (cs, t_cs) = out["draw-raw"], out["draw-ssjpub"], out["draw-cs"]
    b.add(Row("抽取 5%：原始 sha256 循环（下限）", "1,000,000", raw, t_raw, note="只哈希不选取，任何抽取都不可能更快"))
    row = Row("抽取 5%：ssjpub draw_plain", "1,000,000", ours, t_ours, peer="原始哈希", goal="≤ 1.5× 原始哈希")
    if t_raw and t_ours:
        row.ratio = f"{t_ours / t_raw:.2f}× 原始哈希"
        row.verdict = met(t_ours / t_raw <= 1.5)
        row.gap = f"{t_ours / t_raw:.2f}× 原始哈希，目标的 {t_ours / t_raw / 1.5:.2f} 倍"
    b.add(row)
    row = Row("抽取 5%：consistent_sampler 1.0.10", "1,000,000", cs, t_cs, peer="ssjpub", goal="≥ 3× ssjpub（ssjpub 更快）")
    if t_cs and t_ours:
        row.ratio = f"{t_cs / t_ours:.1f}× ssjpub"
        row.verdict = met(t_cs / t_ours >= 3)
        row.gap = f"consistent_sampler 只是 ssjpub 的 {t_cs / t_ours:.1f} 倍"
    b.add(row)
    b.notes.append("三种抽取的时间只含抽取本身（与 bench/draw.py 相同，不含生成 100 万个代码）；峰值内存是整个进程的，"
                   "含 100 万个代码的列表。")


def province_draw(b: Bench) -> None:
    stamp = b.facts.get("province")
    if not stamp:
        return
    root = DATA / "province"
    for f in (root / "plans" / "x41" / "2025" / "draws").glob("*"):
        f.unlink()
    run = measure("draw-province", [str(BIN / "ssjpub"), "draw", stamp["task"], "--root", str(root)],
                  timeout=max(b.left(), 1))
    row = Row("`ssjpub draw` 全流程（读取、校验、抽取、写记录）", "省 1,000,000 行快照", run,
              goal="≤ 10 s，峰值内存 < 1 GiB")
    if run.ok:
        row.verdict = met(run.seconds <= 10 and run.rss < 1024 * MiB)
        row.gap = (f"{run.seconds:.1f} s（CPU {run.cpu:.1f} s），比目标多 {run.seconds - 10:.1f} s" if run.seconds > 10
                   else f"峰值内存 {run.rss / MiB:,.0f} MiB")
        # The machine is shared: CPU time (both processes of the ticket scan) is the steadier figure.
        row.ratio = f"CPU {run.cpu:.1f} s"
        record = json.loads((root / "plans/x41/2025/draws/2025-01.json").read_text(encoding="utf-8"))
        size = sum(p.stat().st_size for p in (root / "plans/x41/2025/draws").glob("*"))
        row.note = (f"抽中 {len(record['targets']):,} 家（5%，加权），记录 JSON+YAML 共 {size / MiB:.0f} MiB；"
                    f"快照 {stamp['snapshot_bytes'] / MiB:.0f} MiB"
                    + (f"，按县分成 {stamp['snapshot_parts']} 个文件（最大 {stamp['largest_part_bytes'] / MiB:.1f} MiB，"
                       f"{record['algorithm']}）" if stamp.get("snapshot_parts") else ""))
    b.add(row)


def verify(b: Bench, scale: str, goal: float | None) -> None:
    stamp = b.facts.get(scale)
    if not stamp:
        return
    run = measure(f"verify-{scale}", [str(BIN / "ssjpub"), "verify", "--root", str(DATA / scale)],
                  timeout=max(b.left(), 1))
    row = Row("`ssjpub verify`（重新执行全部抽取）", f"{scale}，{stamp['years']} 年，{stamp['draws']:,} 次抽取", run)
    if goal is not None:
        row.goal = f"≤ {goal:g} s"
        if run.ok:
            row.verdict = met(run.seconds <= goal)
            row.gap = f"{run.seconds:.2f} s（CPU {run.cpu:.1f} s），比目标多 {run.seconds - goal:.2f} s"
    if run.ok:
        row.ratio = f"每次抽取 {run.seconds / stamp['draws'] * 1000:.0f} ms，CPU {run.cpu:.1f} s"
    b.add(row)


def verify_cached(b: Bench, scale: str) -> None:
    """bench/verify_cache.py's scenario once: a pull request that adds one draw (the verification
    cache holds every other record's entry), and nothing changed; CPU time beside the wall time."""
    stamp = b.facts.get(scale)
    if not stamp:
        return
    run = measure(f"verify-cached-{scale}", python(str(HERE / "verify_cache.py"), scale, "--runs", "1", "--cached-only"),
                  timeout=max(b.left(), 1))
    found = json.loads(run.stdout.strip().splitlines()[-1]) if run.ok and run.stdout.strip() else {}
    for name, step, goal in (("one_new_draw", "拉取请求新增一次抽取（其余命中验证缓存）", 0.5),
                             ("unchanged", "没有改动（全部命中验证缓存）", None)):
        row = Row(f"`ssjpub verify --cache`：{step}", f"{scale}，{stamp['draws']:,} 次抽取", run,
                  goal=f"≤ {goal:g} s" if goal else "")
        if found.get("ok"):
            row.seconds, row.ratio = found[name]["wall"], f"CPU {found[name]['cpu']:.2f} s"
            row.verdict = met(row.seconds <= goal) if goal else ""
            row.gap = f"{row.seconds:.2f} s，比目标多 {row.seconds - goal:.2f} s" if goal else ""
        else:
            row.verdict = "未测量" if not found else "验证未通过"
        b.add(row)


def ssjpub_build(scale: str, out: Path, timeout: float, name: str) -> Run:
    """As `make html` builds (pelican content -s pelicanconf.py -o OUT), on the synthetic root;
    Pagefind off here, timed on its own."""
    root = DATA / scale
    cmd = [str(BIN / "pelican"), str(root / "content"), "-s", str(ROOT / "pelicanconf.py"), "-o", str(out),
           "--fatal", "errors", "-e", f"SSJPUB_ROOT={json.dumps(str(root))}", "SSJPUB_PAGEFIND=false"]
    return measure(name, cmd, env=env_with(), timeout=max(timeout, 1))


def rebuild_after_commit(scale: str, out: Path, timeout: float) -> tuple[str, Run, int]:
    """Commit a change to the first agency's latest year's first result file, build over `out`
    with the warm cache, undo the commit; the file, the run and how many pages it rendered."""
    root = DATA / scale
    agency = sorted((root / "results").iterdir())[0]
    target = sorted(sorted(agency.iterdir())[-1].glob("*.yaml"))[0]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("已整改到位", "已整改到位（复查确认）", 1) if "已整改到位" in text
                      else text + "# 复查\n", encoding="utf-8")
    day = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%cI"], capture_output=True,
                         text=True, check=True).stdout.strip()
    env = {**os.environ, "GIT_AUTHOR_DATE": day, "GIT_COMMITTER_DATE": day}
    git = ["git", "-C", str(root), "-c", "user.name=bench", "-c", "user.email=bench@example.org",
           "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "commit", "-q", "-m", "复查", "--", str(target)], env=env, check=True)
    try:
        run = ssjpub_build(scale, out, timeout, f"rebuild-{scale}")
    finally:
        subprocess.run([*git, "reset", "-q", "--hard", "HEAD~1"], check=True)
    try:
        rendered = len(json.loads((root / SITE_CACHE / "index.json").read_bytes())["rendered"])
    except (OSError, ValueError, KeyError):
        rendered = -1
    return target.relative_to(root).as_posix(), run, rendered


SITE_CACHE = ".ssjpub-cache/site"  # pelicanconf's SSJPUB_CACHE, under the synthetic root
MIN_STEP = 30  # seconds: a step started with less left would only be stopped
OUT_OF_TIME = "本次运行的时间预算已用完；完整测量用 `bench/run.py --budget 3600`"


def tree_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


SITE_STEP = "网站完整构建（ssjpub，不含 Pagefind）"
REBUILD_STEP = "新提交改动一个结果文件后重新构建"
PAGEFIND_STEP = "Pagefind 建立全文索引（每个机关按页数分成几个索引）"
SIZE_LIMIT = 300 * MiB  # issue 16: the city site in all


def site(b: Bench, scale: str, reserve: float = 0.0) -> Row | None:
    """Full build, the site's size, a rebuild after a commit changing one result, Pagefind; each only
    when the budget (less `reserve` for what must follow) allows. Plain Pelican, which only gives
    the full build's ratio, runs later (`plain_pelican`) with whatever time is left then. Returns the
    full build's row when the build succeeded."""
    stamp = b.facts.get(scale)
    if not stamp:
        return None
    out = SITES / scale
    shutil.rmtree(out, ignore_errors=True)
    projection = ""
    county = b.facts.get("site-county")
    if county and scale != "county":  # the county's build time per draw, times this scale's draws
        projection = f"；按县级每次抽取的构建用时推算约 {county['seconds'] / b.facts['county']['draws'] * stamp['draws']:.0f} s"
    goal = "≤ 0.3× 纯 Pelican" if scale == "county" else ""
    if b.left() - reserve < 120:
        b.add(Row(SITE_STEP, scale, None, goal=goal, verdict="未测量",
                  note=f"本次运行剩余时间 {max(b.left(), 0):.0f} s，不足以构建{projection}；{OUT_OF_TIME}"))
        return None
    shutil.rmtree(DATA / scale / SITE_CACHE, ignore_errors=True)  # the full build renders every agency
    build = ssjpub_build(scale, out, b.left() - reserve, f"build-{scale}")
    row = b.add(Row(SITE_STEP, scale, build, goal=goal))
    if not build.ok:
        row.verdict = "未达到" if build.timed_out and goal else "未测量" if build.timed_out else "失败"
        if build.timed_out:
            row.note = f"在本次运行的时间预算内未完成（{build.seconds:.0f} s 时中止）{projection}；{OUT_OF_TIME}"
        else:
            row.note = f"构建失败，见 {build.log.relative_to(ROOT)}"
        return None
    files, size = tree_size(out)
    pages = sum(1 for _ in out.rglob("*.html"))
    sizes = sorted(p.stat().st_size for p in out.rglob("*.html"))
    b.facts[f"site-{scale}"] = {"pages": pages, "files": files, "bytes": size, "seconds": build.seconds}
    row.ratio = f"CPU {build.cpu:.0f} s"
    row.note = (f"{pages:,} 个 HTML 页面（中位数 {statistics.median(sizes) / 1024:.0f} KiB，最大 {sizes[-1] / 1024:.0f} KiB），"
                f"共 {files:,} 个文件 {size / MiB:.0f} MiB（含 CSV/JSON/XLSX 下载）")
    site_size(b, scale, stamp, files, size)

    # Rebuild after a new commit that changes one result file: the same command over the same
    # output folder, the cache warm from the full build (pelicanconf's SSJPUB_CACHE). The commit is
    # dated as the last one, so that the compliance date stays; it is undone afterwards.
    if b.left() - reserve < MIN_STEP:
        b.add(Row(REBUILD_STEP, scale, None, verdict="未测量", note=OUT_OF_TIME))
        b.add(Row(PAGEFIND_STEP, scale, None, verdict="未测量", note=OUT_OF_TIME))
        return row
    target, rebuild, rendered = rebuild_after_commit(scale, out, b.left() - reserve)
    rrow = Row(REBUILD_STEP, scale, rebuild, goal="≤ 0.1× 完整构建",
               note=f"改动并提交 {target}，缓存来自上一次构建；重新生成 {rendered} 个页面")
    if rebuild.ok:
        ratio = rebuild.seconds / build.seconds
        rrow.ratio = f"{ratio:.2f}× 完整构建（CPU {rebuild.cpu:.0f} s，完整构建 CPU {build.cpu:.0f} s）"
        rrow.verdict = met(ratio <= 0.1)
        rrow.gap = f"{ratio:.2f}× 完整构建（CPU {rebuild.cpu / build.cpu:.2f}×），目标的 {ratio / 0.1:.1f} 倍"
    elif rebuild.timed_out:
        rrow.verdict = "未测量"
        rrow.note = f"{rrow.note}；{OUT_OF_TIME}"
    b.add(rrow)

    if not (out / "index.html").exists():
        return row
    if b.left() - reserve < MIN_STEP:
        b.add(Row(PAGEFIND_STEP, scale, None, verdict="未测量", note=OUT_OF_TIME))
        return row
    # As the build indexes (ssjpub.site.search_index): each agency's pages in bundles of at most
    # search_index.PAGES pages, one after another, then the rest of the site; the peak is that of
    # the largest bundle's Pagefind, not of an agency or the whole site.
    agencies = sorted(p.parent.name for p in (DATA / scale / "plans").glob("*/agency.yaml"))
    index = measure(f"pagefind-{scale}", python("-m", "ssjpub.site.search_index", str(out), *agencies),
                    timeout=max(b.left() - reserve, 1))
    irow = Row(PAGEFIND_STEP, scale, index, goal="峰值内存 ≤ 1.5 GiB")
    if index.ok:
        folders = [out / "pagefind", *(out / a / "pagefind" for a in agencies)]
        files, size = map(sum, zip(*(tree_size(f) for f in folders)))
        bundles = sum(1 for f in folders for _ in f.rglob("pagefind-entry.json"))
        irow.ratio = f"{bundles} 个索引共 {size / MiB:.1f} MiB（{files:,} 个文件），CPU {index.cpu:.0f} s"
        irow.verdict = met(index.rss <= 1.5 * 1024 * MiB)
        irow.gap = f"峰值内存 {index.rss / MiB:,.0f} MiB，比目标多 {index.rss / MiB - 1536:,.0f} MiB"
        b.facts[f"pagefind-{scale}"] = {"files": files, "bytes": size, "bundles": bundles}
    else:
        irow.verdict = "未测量" if index.timed_out else "失败"
        irow.note = OUT_OF_TIME if index.timed_out else f"见 {index.log.relative_to(ROOT)}"
    b.add(irow)
    return row


def site_size(b: Bench, scale: str, stamp: dict, files: int, size: int) -> None:
    """The built site's bytes (without the Pagefind index); the goal is the city's. At county scale,
    the city figure it projects to, by draws (a city is ten such agencies)."""
    row = Row("生成的网站（不含 Pagefind 索引）", scale, None, goal="市级 ≤ 300 MiB", untimed=True)
    row.ratio = f"{size / MiB:,.1f} MiB，{files:,} 个文件"
    city = b.facts.get("city")
    if scale == "city":
        row.verdict = met(size <= SIZE_LIMIT)
        row.gap = f"{size / MiB:,.0f} MiB，目标的 {size / SIZE_LIMIT:.1f} 倍"
    elif city:
        projected = size / stamp["draws"] * city["draws"]
        row.note = (f"按抽取次数推算市级（{city['draws']:,} 次抽取）约 {projected / MiB:,.0f} MiB；"
                    "市级实测用 `make bench-city`（见 benchmarks-city.md）")
    b.add(row)


def plain_pelican(b: Bench, scale: str, build_row: Row | None) -> None:
    """Plain Pelican (default settings and theme) on as many Markdown pages holding the same text and
    tables, with all the time left: if stopped, its time is a lower bound, so the full build's
    ratio has an upper bound — enough to say the goal is met when that bound is under it."""
    out = SITES / scale
    if build_row is None or not (out / "index.html").exists():
        return
    md = DATA / "markdown" / scale
    shutil.rmtree(md, ignore_errors=True)
    convert = measure(f"markdown-{scale}", python(str(HERE / "steps.py"), "markdown", str(out), str(md)))
    plain_out = SITES / f"{scale}-pelican"
    shutil.rmtree(plain_out, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="ssjpub-bench-") as cwd:  # no pelicanconf.py here: defaults
        plain = measure(f"pelican-{scale}", python("-m", "pelican", str(md), "-o", str(plain_out), "--fatal", "errors"),
                        cwd=Path(cwd), env=env_with(), timeout=b.left()) \
            if convert.ok and b.left() >= MIN_STEP else None
    md_facts = json.loads(convert.stdout) if convert.ok else {}
    prow = Row("纯 Pelican（默认设置和主题），同样多的 Markdown 页面", scale, plain,
               note=f"{md_facts.get('pages', 0):,} 个页面，内容为 ssjpub 各页的文字和表格"
                    f"（Markdown 共 {md_facts.get('markdown_bytes', 0) / MiB:.1f} MiB）")
    build = build_row.run
    build_row.peer = "纯 Pelican"
    if plain is None:
        prow.verdict, prow.note = "未测量", f"{prow.note}；{OUT_OF_TIME}"
        build_row.verdict = "未测量"
        build_row.ratio += "；纯 Pelican 未测量"
    elif plain.ok:
        ratio = build.seconds / plain.seconds
        build_row.ratio = f"{ratio:.2f}× 纯 Pelican（{build_row.ratio}）"
        build_row.verdict = met(ratio <= 0.3)
        build_row.gap = f"{ratio:.2f}× 纯 Pelican，目标的 {ratio / 0.3:.1f} 倍"
    elif plain.timed_out:
        bound = build.seconds / plain.seconds
        build_row.ratio = f"< {bound:.2f}× 纯 Pelican（纯 Pelican > {plain.seconds:.0f} s 时中止；{build_row.ratio}）"
        build_row.verdict = "达到" if bound <= 0.3 else "未测量"
    else:
        build_row.verdict = "未测量"
        prow.note = f"{prow.note}；失败，见 {plain.log.relative_to(ROOT)}"
    b.add(prow)
    b.rows.remove(prow)  # shown beside the build it is compared with, though it ran last
    b.rows.insert(b.rows.index(build_row) + 1, prow)


def git_sizes(b: Bench, scale: str) -> None:
    """`git gc`, then every object's packed size, by the kind of file it is (all versions)."""
    stamp = b.facts.get(scale)
    root = DATA / scale
    if not stamp or not (root / ".git").is_dir() or b.left() < 60:
        return
    run = measure(f"gc-{scale}", ["git", "-C", str(root), "gc", "--quiet"], timeout=max(b.left() - 30, 1))
    b.add(Row("`git gc`（数据仓库打包）", scale, run))
    if not run.ok:
        return
    objects = subprocess.run(["git", "-C", str(root), "rev-list", "--objects", "--all"],
                             capture_output=True, text=True, check=True).stdout
    sizes = subprocess.run(["git", "-C", str(root), "cat-file", "--batch-check=%(objectsize) %(objectsize:disk) %(rest)"],
                           input=objects, capture_output=True, text=True, check=True).stdout
    kinds: dict[str, list[int]] = {}
    for line in sizes.splitlines():
        raw, disk, path = (line.split(" ", 2) + [""])[:3]
        if not path:
            kind = "提交和目录"
        elif "/targets/" in path:
            kind = "名录快照 CSV"
        elif "/draws/" in path and path.endswith(".json"):
            kind = "抽取记录 JSON"
        elif "/draws/" in path:
            kind = "抽取记录 YAML 副本"
        elif path.startswith("results/"):
            kind = "检查结果 YAML"
        else:
            kind = "计划、随机数、清单、名录等"
        entry = kinds.setdefault(kind, [0, 0, 0])
        entry[0] += 1
        entry[1] += int(raw)
        entry[2] += int(disk)
    pack = subprocess.run(["git", "-C", str(root), "count-objects", "-v"], capture_output=True, text=True,
                          check=True).stdout
    size_pack = next(int(line.split()[1]) for line in pack.splitlines() if line.startswith("size-pack")) * 1024
    b.facts[f"git-{scale}"] = {"kinds": kinds, "size_pack": size_pack}


# --- the report ----------------------------------------------------------------------------------


def machine() -> dict:
    mem = next((int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or platform.machine())

    def version(*cmd: str) -> str:
        try:
            return subprocess.run(list(cmd), capture_output=True, text=True, check=False).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "未知"

    return {"cpus": os.cpu_count(), "memory": mem, "model": model, "python": platform.python_version(),
            "system": platform.platform(), "pelican": version(str(BIN / "pelican"), "--version"),
            "pagefind": version(str(BIN / "python"), "-m", "pagefind", "--version"),
            "git": version("git", "--version")}


def commit_info() -> tuple[str, str, bool]:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False).stdout.strip()

    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return git("rev-parse", "--short", "HEAD"), git("log", "-1", "--format=%cs"), dirty


# Why a goal is not met and what comes next, by step (the analysis is in docs/scale.md §六; these
# lines are its summary, shown only for the goals a run did not meet).
GAPS = {
    "抽取 5%：ssjpub draw_plain": (
        "单进程时每个代码在 Python 层的开销（复制哈希状态、拼接长度前缀、比较界限）；两个进程时冷启动和负载的波动",
        "多次取最好时两个进程约 1.06×（`make bench-draw`）；每代码的开销只能靠 C 扩展再降，暂不做"),
    "`ssjpub draw` 全流程": (
        "读入并校验 100 万行（100 个文件）、算 100 万张签、写 4.7 万家的记录，全部进程 CPU 约 18 s，2 核上墙钟的下限约 9 s",
        "签在读入各部分的进程中直接算出（种子在读入前已知），未抽中的行不建模型对象"),
    "`ssjpub verify`（": (
        "读入和校验在分给两个进程之前串行完成，约占 40%",
        "两个进程各自读入并校验自己那几段抽取用到的快照（scale.md 第四节第 4 条）"),
    "`ssjpub verify --cache`：": (
        "剩下的一半以上是导入（重新执行要用 pydantic 模型，约 0.25 s）",
        "重新执行的路径不经过 pydantic 模型"),
    SITE_STEP: (
        "读入、校验、合规判定和每页内容的计算随页面数线性增长",
        "见 scale.md 第六节"),
    REBUILD_STEP: (
        "输出已原地更新（没变的文件不读不写），但每页页脚印着构建提交，任何提交之后约 5,700 个页面都要重写；"
        "读入、校验和合规判定仍对全部文件做，求组的键、manifest.json 每次重新算出",
        "页脚不再逐页印构建提交（由 manifest.json 和首页给出），合规判定按任务缓存，组的键和 manifest 条目按文件摘要缓存"
        "（scale.md 第六节）"),
    PAGEFIND_STEP: (
        "每个索引的页数过多", "按页数分成更多的索引"),
    "生成的网站（": (
        "剩下的是公开的内容本身（每家企业一页的事实、每张表三种格式的下载、逐字节发布的输入），都随企业数和抽中户数线性增长",
        "按机关分开发布（每个机关约 0.23 GiB）加一个门户，省级再加对象存储（scale.md 第四节第 2 条）"),
}


def gaps(rows: list[Row]) -> list[str]:
    """Each goal a run did not meet or could not measure: the gap, the reason, the next step."""
    out = []
    for r in rows:
        if not r.goal or r.verdict not in ("未达到", "未测量"):
            continue
        reason, step = next((v for k, v in GAPS.items() if r.step.startswith(k)), ("", ""))
        measured = r.gap if r.verdict == "未达到" else f"未测量（{r.note or r.ratio}）"
        line = f"- **{r.step}（{r.scale}），目标 {r.goal}**：{measured}。"
        if reason and r.verdict == "未达到":
            line += f"原因：{reason}。下一步：{step}。"
        out.append(line + "详见 [scale.md](scale.md) 第六节。")
    return out


def table(rows: list[Row]) -> list[str]:
    out = ["| 步骤 | 规模 | 时间（秒） | 比较 | 峰值内存（MiB） | 目标 | 结果 | 说明 |",
           "|---|---|---:|---|---:|---|---|---|"]
    for r in rows:
        cells = [r.step, r.scale, r.time_text(), r.ratio, r.memory_text(), r.goal, r.verdict, r.note]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return out


def git_table(b: Bench) -> list[str]:
    out = []
    for scale in ("county", "city"):
        g = b.facts.get(f"git-{scale}")
        stamp = b.facts.get(scale)
        if not g or not stamp:
            continue
        thousands = stamp["enterprises_last"] / 1000
        years = stamp["years"]
        out += [f"**{scale}**（{stamp['agencies']} 个机关，约 {stamp['enterprises_last']:,} 家企业，{years} 年，"
                f"每年 2 个快照；`git gc` 后打包共 {g['size_pack'] / MiB:.1f} MiB，数据提交 {stamp['commit'][:12]}）",
                "",
                "| 文件 | 对象数 | 原始大小（MiB） | 打包后（MiB） | 每千家企业每年（KiB，打包后） |",
                "|---|---:|---:|---:|---:|"]
        for kind, (count, raw, disk) in sorted(b.facts[f"git-{scale}"]["kinds"].items(), key=lambda kv: -kv[1][2]):
            out.append(f"| {kind} | {count:,} | {raw / MiB:.1f} | {disk / MiB:.2f} | "
                       f"{disk / 1024 / thousands / years:.1f} |")
        out.append("")
    return out


def shown(cmd: list[str]) -> str:
    """A step's command as it can be typed from the repository root."""
    text = " ".join(json.dumps(c, ensure_ascii=False) if " " in c else c for c in cmd)
    return text.replace(str(ROOT) + "/", "").replace(str(ROOT), ".")


def write_doc(b: Bench, m: dict, commit: tuple[str, str, bool], load: tuple, total: float,
              command: str, doc: Path) -> None:
    sha, day, dirty = commit
    lines = [
        "# 性能基准：市级网站" if doc == CITY_DOC else "# 性能基准：县、市、省三种规模",
        "",
        f"由 `{command}`（`bench/run.py`）生成，请勿手工修改。每一步运行一次，各在独立进程中（峰值内存取自 `os.wait4`，"
        "含该进程等待过的子进程）。合成数据由 `bench/synth.py` 生成到 `bench/data/`（不进入 git）。",
        "",
        f"- 命令：`{command}`",
        f"- 代码：提交 `{sha}`（{day}）" + ("，测量时工作区另有未提交的改动" if dirty else ""),
        f"- 机器：{m['cpus']} 核（{m['model']}），内存 {m['memory'] / 1024 ** 3:.1f} GiB；{m['system']}",
        f"- 软件：Python {m['python']}，Pelican {m['pelican']}，{m['pagefind']}，{m['git']}",
        f"- 开始时 1/5/15 分钟平均负载 {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"
        f"（2 核机器上负载高于 0 说明有其他进程同时运行，时间偏大）；全程 {total / 60:.1f} 分钟",
        "",
        "## 结果",
        "",
        *table(b.rows),
        "",
    ]
    unmet = gaps(b.rows)
    if unmet:
        lines += ["## 没有达到的目标：差距、原因和下一步", "",
                  *(["开始时负载高于 1：墙钟偏大，以同一行的 CPU 时间为准。", ""] if load[0] > 1 else []), *unmet, ""]
    if b.notes:
        lines += ["## 说明", "", *[f"- {n}" for n in b.notes], ""]
    g = git_table(b)
    if g:
        lines += ["## 数据在 git 中的大小", "", "所有版本、所有对象，`git gc` 之后按文件种类汇总（`git cat-file` 的 `objectsize:disk`）。", "",
                  *g]
    sizes = []
    for scale in ("county", "city"):
        s = b.facts.get(scale)
        if s:
            sizes.append(f"| {scale} | {s['agencies']} | {s['enterprises_last']:,} | {s['years']} | {s['draws']:,} | "
                         f"{s['drawn_targets']:,} | {s['snapshot_rows']:,} | {s['generate_seconds']} |")
    if sizes:
        lines += ["## 合成数据", "",
                  "| 规模 | 机关 | 企业（最后一个快照） | 年数 | 抽取次数 | 抽中户次 | 快照总行数 | 生成用时（秒） |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|", *sizes, ""]
    p = b.facts.get("province")
    if p:
        lines += [f"省级规模只生成抽取所需的部分：一个省级机关，一个 {p['snapshot_rows']:,} 行的名录快照"
                  f"（{p['snapshot_bytes'] / MiB:.0f} MiB，100 个县各 1 万家企业，每县一个文件），一个抽取 5% 的加权任务。"
                  "完整的 100 个机关、10 年的仓库约为市级的 10 倍（2 万次抽取），本基准不生成。", ""]
    commands = []
    for r in b.rows:
        if r.run is not None:
            commands.append(f"- {r.step}（{r.scale}）：`{shown(r.run.cmd)}`")
    if commands:
        lines += ["## 各步骤的命令", "", f"`{command}` 依次运行下列命令（各步骤的输出在 `bench/data/logs/`）：", "", *commands, ""]
    lines += ["规模的分析和扩展方案见 [scale.md](scale.md)。", ""]
    doc.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds for the whole run (default 840; 3600 with --city-site)")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--site-only", action="store_true",
                      help="only the county site steps and plain Pelican (make bench-site); implies --no-write")
    mode.add_argument("--city-site", action="store_true",
                      help="the city site: build, size, rebuild, Pagefind (make bench-city); writes "
                           f"{CITY_DOC.relative_to(ROOT)}")
    args = parser.parse_args()
    budget = args.budget if args.budget is not None else 3600 if args.city_site else 14 * 60
    load = os.getloadavg()
    m = machine()
    b = Bench(budget)
    command, doc = (CITY_COMMAND, CITY_DOC) if args.city_site else (COMMAND, DOC)
    print(f"{command}：{m['cpus']} 核，内存 {m['memory'] / 1024 ** 3:.1f} GiB，平均负载 {load[0]:.2f}；时间预算 {budget:.0f} s",
          flush=True)
    if args.site_only:
        generate(b, "county")
        plain_pelican(b, "county", site(b, "county"))
        print()
        print("\n".join(table(b.rows)))
        return
    if args.city_site:
        generate(b, "city")
        site(b, "city")
    else:
        for scale in ("county", "city", "province"):
            generate(b, scale)
        draws(b)
        province_draw(b)
        verify(b, "county", 2.0)
        verify_cached(b, "county")
        # What follows the county site: the city's verify and git size, then plain Pelican, which
        # needs at least the county build's time / 0.3 to show the goal met even when stopped.
        county_build = site(b, "county", reserve=PELICAN_RESERVE)
        git_sizes(b, "county")
        verify(b, "city", None)
        git_sizes(b, "city")
        plain_pelican(b, "county", county_build)
        b.notes.append(f"市级网站（构建、大小、改动一个结果后重建、Pagefind 索引）放不进这里的时间预算，由 `{CITY_COMMAND}`"
                       f"单独测量，结果见 [{CITY_DOC.name}]({CITY_DOC.name})。")
    total = time.perf_counter() - b.started
    print()
    print("\n".join(table(b.rows)))
    print(f"\n全程 {total / 60:.1f} 分钟。")
    if not args.no_write:
        write_doc(b, m, commit_info(), load, total, command, doc)
        print(f"已写入 {doc.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
