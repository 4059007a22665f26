"""The browser verifier's speed: a county draw (3,000 rows), a 100,000-row and a 1,000,000-row draw
re-computed in headless Chromium by the real task-page verifier, beside `ssjpub verify` of the same
record (and the Node runner) in the same run.

    make bench-verify      (or: .venv/bin/python bench/browser_verify.py [--checkout DIR] [county 100k 1m])

--checkout DIR measures the verifier of another tree (its theme/static/verify/ and tests/js/: a
worktree, or a copy with a proposed change), on the same data.

Each draw is a one-task repository made by bench/synth.py's province generator (fictional
enterprises, weighted 5 % draw, 30 inspectors) at that size, drawn by `ssjpub draw`, kept in
bench/data/verify-<size>/ (git-ignored) and reused while the generator and engine are unchanged.
It is served over HTTP on 127.0.0.1 as a site: `files/<repo path>` and `files/index.json` as the
site publishes them, `theme/verify/` (theme/static/verify/), and a page with the task page's
verifier markup and page.js. The page's button is clicked (a real mouse event over the DevTools
protocol); the time is from the click to the result shown (loading the verifier included), with the
worker's own time beside it. Responsiveness meanwhile: the longest main-thread task (Long Tasks
API) and the longest gap between animation frames; the page is responsive if neither exceeds
200 ms. Goals (issue 13): county < 1 s, 1,000,000 rows < 20 s.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))  # the DevTools client and Chromium of the browser tests

from run import BIN, DATA, measure  # noqa: E402
from synth import PROVINCE, PROVINCE_TASK, PROVINCE_YEAR, Scale, generate_province, read_stamp  # noqa: E402
from test_browser import BROWSER, _close_page, _new_page, chromium  # noqa: E402

SIZES = {"county": 3_000, "100k": 100_000, "1m": 1_000_000}
GOALS = {"county": 1.0, "1m": 20.0}  # seconds, click to result
RESPONSIVE_MS = 200  # a longer task or frame gap is felt as a stall
RECORD = f"plans/{PROVINCE}/{PROVINCE_YEAR}/draws/{PROVINCE_TASK}.json"
TIMEOUT = 600
NODE = shutil.which("node") or shutil.which("nodejs")

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>bench: browser verifier</title>
<link rel="stylesheet" href="theme/css/site.css"></head><body>
<section id="verifier" aria-labelledby="verifier-h" data-record="{record}" data-root="">
  <h2 id="verifier-h">在浏览器中重新计算</h2>
  <div class="verifier-ui" hidden></div>
</section>
<script src="theme/verify/page.js" defer></script>
</body></html>
"""

# Installed before the click: frame gaps (requestAnimationFrame), long tasks, and the moment the
# run's data-state leaves "running".
PROBE = """(() => {
  const b = window.__bench = {frames: 0, maxGap: 0, last: 0, longest: 0, longTasks: 0, clickAt: null, doneAt: null};
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      if (b.clickAt !== null && e.startTime >= b.clickAt) { b.longest = Math.max(b.longest, e.duration); b.longTasks++; }
    }
  }).observe({entryTypes: ['longtask']});
  const tick = t => {
    if (b.doneAt !== null) return;
    b.frames++; b.maxGap = Math.max(b.maxGap, t - b.last); b.last = t;
    requestAnimationFrame(tick);
  };
  document.addEventListener('click', () => {
    b.clickAt = b.last = performance.now(); requestAnimationFrame(tick);
  }, true);
  new MutationObserver(() => {
    const run = document.querySelector('.verifier-run');
    const state = run && run.getAttribute('data-state');
    if (state && state !== 'running' && b.doneAt === null) {
      b.doneAt = performance.now(); b.state = state; b.ms = Number(run.getAttribute('data-ms'));
      b.summary = document.querySelector('.verifier-summary').textContent;
      b.steps = [...document.querySelectorAll('.verifier-steps li')].map(li => li.dataset.step + ':' + li.dataset.status);
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-state']});
  return true;
})()"""


def dataset(name: str) -> tuple[Path, dict]:
    """The repository of one size with its draw made (generated and drawn when not current)."""
    rows = SIZES[name]
    out = DATA / f"verify-{name}"
    stamp = read_stamp(out)
    if stamp is None or stamp.get("snapshot_rows") != rows or not (out / RECORD).is_file():
        print(f"生成 {name}（{rows:,} 行）……", flush=True)
        stamp = generate_province(Scale(name, max(1, rows // 10_000), rows), out)
        run = measure(f"verify-draw-{name}", [str(BIN / "ssjpub"), "draw", stamp["task"], "--root", str(out)])
        if not run.ok:
            raise SystemExit(f"ssjpub draw 失败（{run.log}）")
        stamp["draw_seconds"] = round(run.seconds, 2)
        (out / ".synth.json").write_text(json.dumps(stamp, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out, stamp


def site(repo: Path, out: Path, checkout: Path) -> Path:
    """The repository as the site serves it: files/ (hard links) with index.json, the verifier's
    scripts and styles, and the bench page."""
    shutil.rmtree(out, ignore_errors=True)
    index = {}
    for top in ("plans", "results"):
        for p in sorted((repo / top).rglob("*")):
            if p.is_file():
                rel = p.relative_to(repo).as_posix()
                dst = out / "files" / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.link(p, dst)
                with open(p, "rb") as f:
                    index[rel] = {"sha256": hashlib.file_digest(f, "sha256").hexdigest(), "bytes": p.stat().st_size}
    (out / "files" / "index.json").write_text(
        json.dumps({"format": "ssjpub-files/1", "files": dict(sorted(index.items()))}, ensure_ascii=False), encoding="utf-8")
    shutil.copytree(checkout / "theme" / "static" / "verify", out / "theme" / "verify")
    shutil.copytree(ROOT / "theme" / "static" / "css", out / "theme" / "css")
    (out / "bench.html").write_text(PAGE.format(record=RECORD), encoding="utf-8")
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(folder: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def in_browser(port: int, url: str) -> dict:
    """Open the page, click its button, wait for the result; what the probe saw."""
    page, target = _new_page(port)
    try:
        page.call("Page.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        page.call("Page.navigate", url=url)
        page.wait_for("Page.loadEventFired", timeout=60)
        page.evaluate(PROBE)
        box = page.evaluate("(() => { const r = document.querySelector('.verifier-button').getBoundingClientRect();"
                            " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            page.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            seen = page.evaluate("window.__bench.doneAt === null ? null : window.__bench")
            if seen:
                return seen
            time.sleep(0.05)
        return {"state": f"超过 {TIMEOUT:g} 秒未完成"}
    finally:
        page.ws.close()
        _close_page(port, target)


def node_seconds(repo: Path, checkout: Path) -> tuple[float | None, bool]:
    if NODE is None:
        return None, False
    run = measure(f"verify-node-{repo.name}", [NODE, str(checkout / "tests" / "js" / "verify.cjs"), str(repo), RECORD],
                  timeout=TIMEOUT)
    return (run.seconds if not run.timed_out else None), run.ok


def main(names: list[str], checkout: Path = ROOT) -> None:
    if BROWSER is None:
        raise SystemExit("没有安装 Chromium（apt-get install -y chromium）")
    results = []
    with chromium() as port:
        for name in names:
            repo, stamp = dataset(name)
            record = json.loads((repo / RECORD).read_text(encoding="utf-8"))
            folder = site(repo, DATA / "verify-sites" / name, checkout)
            server, url = serve(folder)
            try:
                seen = in_browser(port, url + "bench.html")
            finally:
                server.shutdown()
                server.server_close()
            py = measure(f"verify-python-{name}", [str(BIN / "ssjpub"), "verify", "--root", str(repo)], timeout=TIMEOUT)
            node, node_ok = node_seconds(repo, checkout)
            r = {"name": name, "rows": stamp["snapshot_rows"], "targets": len(record.get("targets", [])),
                 "browser": (seen["doneAt"] - seen["clickAt"]) / 1000 if seen.get("doneAt") else None,
                 "worker": seen.get("ms", 0) / 1000 if seen.get("ms") else None, "state": seen.get("state"),
                 "longest": seen.get("longest", 0), "gap": seen.get("maxGap", 0), "frames": seen.get("frames", 0),
                 "python": py.seconds if py.ok else None, "python_rss": py.rss, "node": node if node_ok else None,
                 "steps": seen.get("steps", []), "summary": seen.get("summary", "")}
            results.append(r)
            print(json.dumps(r, ensure_ascii=False), flush=True)
    print()
    print(f"{'规模':<8}{'行数':>10}{'抽中':>8}{'浏览器 s':>10}{'worker s':>10}{'Node s':>8}{'ssjpub verify s':>17}"
          f"{'浏览器/Python':>14}{'最长任务 ms':>12}{'最大帧间隔 ms':>14}  目标")
    for r in results:
        b, p = r["browser"], r["python"]
        goal = GOALS.get(r["name"])
        verdict = "" if goal is None or b is None else f"< {goal:g} s {'达到' if b < goal else '未达到'}"
        responsive = "响应正常" if max(r["longest"], r["gap"]) <= RESPONSIVE_MS else "有卡顿"
        cell = lambda v, w: f"{v:>{w}.2f}" if v is not None else f"{'—':>{w}}"  # noqa: E731
        print(f"{r['name']:<8}{r['rows']:>10,}{r['targets']:>8,}{cell(b, 10)}{cell(r['worker'], 10)}{cell(r['node'], 8)}"
              f"{cell(p, 17)}{cell(b / p if b and p else None, 14)}{r['longest']:>12.0f}{r['gap']:>14.0f}  "
              f"{verdict}；{responsive}；结果 {r['state']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", metavar="|".join(SIZES), help="default: all three")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the tree whose verifier is measured")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds each verification may take")
    args = parser.parse_args()
    TIMEOUT = args.timeout
    if set(args.sizes) - set(SIZES):
        parser.error(f"sizes are {', '.join(SIZES)}")
    main(args.sizes or list(SIZES), args.checkout.resolve())
