"""Build N task pages from synthetic data, and in the same run plain Pelican building N equivalent
Markdown pages with its default theme; report the time ratio (goal ≤ 0.3×) and page sizes.

    make bench-site        (or: .venv/bin/python bench/site.py [N] [--repeats R])

The synthetic repository is the demo's 宝丰 agency with its 2024 plan holding N copies of task
2024-01 (each with its draw record, public randomness and results, under its own id); it is
validated by the build as any repository is. The Markdown pages hold the same content: the task's
facts, the drawn targets with their tickets, the groups and the results, as Markdown tables.

Both sides run as `python -m pelican` subprocesses (start-up included), best of R runs. ssjpub is
measured as `make html` builds (validation, pages, feed, manifest) with and without the
CSV/JSON/XLSX downloads, and without the Pagefind index (a separate step over any site).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_TASK = "2024-01"


def synthetic_repo(dst: Path, n: int) -> list[str]:
    """The demo with one agency whose 2024 plan has N copies of task 2024-01. Returns the ids."""
    shutil.copytree(ROOT / "plans", dst / "plans")
    shutil.rmtree(dst / "plans" / "yanshi")
    (dst / "results" / "baofeng" / "2024").mkdir(parents=True)
    (dst / "content" / "pages").mkdir(parents=True)
    year = dst / "plans" / "baofeng" / "2024"
    for sub in ("draws", "randomness"):
        shutil.rmtree(year / sub)
        (year / sub).mkdir()
    plan = (ROOT / "plans/baofeng/2024/plan.yaml").read_text(encoding="utf-8")
    head, _, rest = plan.partition("tasks:\n")
    blocks = re.split(r"(?m)^(?=- id: )", rest)
    [block] = [b for b in blocks if b.startswith(f"- id: {SOURCE_TASK}\n")]
    ids = [f"b{i:05d}" for i in range(1, n + 1)]
    (year / "plan.yaml").write_text(
        head + "tasks:\n" + "".join(block.replace(f"- id: {SOURCE_TASK}\n", f"- id: {t}\n", 1) for t in ids),
        encoding="utf-8",
    )
    record = json.loads((ROOT / f"plans/baofeng/2024/draws/{SOURCE_TASK}.json").read_text(encoding="utf-8"))
    randomness = (ROOT / f"plans/baofeng/2024/randomness/{SOURCE_TASK}.yaml").read_text(encoding="utf-8")
    results = (ROOT / f"results/baofeng/2024/{SOURCE_TASK}.yaml").read_text(encoding="utf-8")
    for t in ids:
        rec = dict(record, task=t, parameters=dict(record["parameters"], task=t))
        rec["randomness"] = dict(record["randomness"], file=f"plans/baofeng/2024/randomness/{t}.yaml")
        rec["prior_draws"] = []
        (year / "draws" / f"{t}.json").write_text(json.dumps(rec, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (year / "randomness" / f"{t}.yaml").write_text(randomness.replace(f"task: {SOURCE_TASK}", f"task: {t}"), encoding="utf-8")
        (dst / "results/baofeng/2024" / f"{t}.yaml").write_text(results.replace(f"task: {SOURCE_TASK}", f"task: {t}"), encoding="utf-8")
    return ids


def markdown_pages(dst: Path, ids: list[str]) -> None:
    """The same content as Markdown pages: facts, drawn targets, groups and results tables."""
    record = json.loads((ROOT / f"plans/baofeng/2024/draws/{SOURCE_TASK}.json").read_text(encoding="utf-8"))
    results = {}
    import yaml

    for r in yaml.safe_load((ROOT / f"results/baofeng/2024/{SOURCE_TASK}.yaml").read_text(encoding="utf-8"))["results"]:
        results[r["target"]] = r

    def row(cells) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    lines = ["## 抽取记录", "", f"种子：`{record['seed']}`", "",
             f"名录快照 `{record['population']['file']}`，SHA-256 `{record['population']['sha256']}`", "",
             row(["顺序", "统一社会信用代码", "单位名称", "检查结果", "区域", "行业", "诚信等级", "权重", "签", "签号"]),
             row(["---"] * 10)]
    for t in record["targets"]:
        r = results.get(t["code"], {})
        lines.append(row([t["rank"], t["code"], t["name"], r.get("category", ""), t["area"], t["industry"],
                          t["grade"], t["weight"], t["copy"], t["ticket"]]))
    lines += ["", "## 检查组", "", row(["顺序", "检查对象", "组长", "组员", "回避人数", "上次检查人员数"]), row(["---"] * 6)]
    names = {t["code"]: t["name"] for t in record["targets"]}
    for i, g in enumerate(record["groups"], 1):
        lines.append(row([i, names[g["target"]], g["leader"], "、".join(g["members"]), len(g["recused"]), len(g["previous"])]))
    lines += ["", "## 检查结果", "", row(["检查对象", "统一社会信用代码", "结果类别", "检查日期", "发现的问题", "处理情况"]), row(["---"] * 6)]
    for code, r in results.items():
        lines.append(row([names.get(code, code), code, r["category"], r["inspected_on"], r.get("findings") or "", r.get("handling") or ""]))
    body = "\n".join(lines) + "\n"
    pages = dst / "pages"
    pages.mkdir(parents=True)
    for t in ids:
        (pages / f"{t}.md").write_text(f"Title: 任务 {t}\nSlug: {t}\n\n{body}", encoding="utf-8")


def timed(cmd: list[str], cwd: Path, repeats: int) -> float:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"build failed: {' '.join(cmd)}\n{done.stdout}{done.stderr}")
        best = min(best, elapsed)
    return best


def sizes(folder: Path, pattern: str) -> list[int]:
    return [p.stat().st_size for p in folder.glob(pattern)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="ssjpub-bench-") as tmp:
        tmp = Path(tmp)
        repo = tmp / "repo"
        ids = synthetic_repo(repo, args.n)
        md = tmp / "markdown"
        markdown_pages(md, ids)
        out = tmp / "out"
        def ssjpub(dst: Path, *settings: str) -> list[str]:
            return [py, "-m", "pelican", str(repo / "content"), "-s", str(ROOT / "pelicanconf.py"), "-o", str(dst),
                    "--fatal", "errors", "-e", f"SSJPUB_ROOT={json.dumps(str(repo))}", "SSJPUB_PAGEFIND=false",
                    *settings]

        ssjpub_full = timed(ssjpub(out / "ssjpub"), ROOT, args.repeats)
        ssjpub_pages = timed(ssjpub(out / "pages", "SSJPUB_DOWNLOADS=false"), ROOT, args.repeats)
        # Plain Pelican: default settings and default theme, the Markdown pages only.
        pelican = timed([py, "-m", "pelican", str(md), "-o", str(out / "pelican"), "--fatal", "errors"],
                        tmp, args.repeats)
        task_sizes = sizes(out / "ssjpub", "baofeng/2024/b*/index.html")
        all_sizes = sorted(p.stat().st_size for p in (out / "ssjpub").rglob("*.html"))
        md_sizes = sizes(out / "pelican", "pages/*.html") or sizes(out / "pelican", "*.html")
        assert len(task_sizes) == args.n, len(task_sizes)
    print(f"{args.n} task pages (best of {args.repeats}), Python {sys.version.split()[0]}")
    print(f"  plain Pelican, {args.n} Markdown pages, default theme : {pelican:7.2f} s")
    print(f"  ssjpub, pages only (no downloads)               : {ssjpub_pages:7.2f} s  ratio {ssjpub_pages / pelican:.2f}×")
    print(f"  ssjpub, pages + CSV/JSON/XLSX downloads          : {ssjpub_full:7.2f} s  ratio {ssjpub_full / pelican:.2f}×")
    print("  (goal: ratio ≤ 0.3×; ssjpub's times include validating the whole repository)")
    print(f"  ssjpub task page: median {statistics.median(task_sizes) / 1024:.1f} KB, largest {max(task_sizes) / 1024:.1f} KB")
    print(f"  ssjpub all pages: median {statistics.median(all_sizes) / 1024:.1f} KB, largest {max(all_sizes) / 1024:.1f} KB")
    print(f"  Pelican Markdown page: median {statistics.median(md_sizes) / 1024:.1f} KB, largest {max(md_sizes) / 1024:.1f} KB")


if __name__ == "__main__":
    main()
