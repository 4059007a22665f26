"""What a built site is made of, by part, and a linear projection to a larger scale.

    .venv/bin/python bench/sizes.py bench/data/site/county [--to city]

Each file of the site is put in one part (task pages and their downloads, enterprise records, the
enterprise list, the served raw inputs, …) and each part is scaled by what its size follows: the
number of drawn enterprises, of enterprises, of draws, of agencies (the facts of bench/synth.py's
scales; the city's from its last generated data, docs/scale.md). A projection, not a measurement:
it assumes a page of each part keeps its county size, which holds for records and lists and
under-states task pages, whose tables grow with the enterprises a draw picks.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

MiB = 1024 * 1024
# What each scale has (bench/synth.py; the city's as its last `make bench` generated it).
SCALES = {
    "county": {"agencies": 1, "enterprises": 4_847, "draws": 200, "drawn": 16_202},
    "city": {"agencies": 10, "enterprises": 97_407, "draws": 2_000, "drawn": 328_647},
    "province": {"agencies": 100, "enterprises": 1_000_000, "draws": 20_000, "drawn": 3_300_000},
}
# (part, what it grows with, pattern on the site-relative path); the first match wins.
PARTS = [
    ("任务页面及其下载", "drawn", r"[^/]+/\d{4}/[^/]+/"),
    ("年度计划页面及其下载", "draws", r"[^/]+/\d{4}/[^/]+$"),
    ("企业抽查档案", "enterprises", r"[^/]+/enterprises/"),
    ("检查对象名录和名单", "enterprises", r"[^/]+/targets/"),
    ("原样发布的输入文件（files/）", "enterprises", r"files/"),
    ("manifest.json", "enterprises", r"manifest\.json$"),
    ("站点地图", "enterprises", r"sitemap\.xml$"),
    ("结果公示、如何验证、订阅", "draws", r"(results/|verify/|feed\.atom$)"),
    ("主题（CSS、脚本）", "", r"theme/"),
    ("其余（首页、各机关页面、清单、名录、关于、搜索）", "agencies", r""),
]


def part_of(rel: str) -> tuple[str, str]:
    for name, driver, pattern in PARTS:
        if re.match(pattern, rel):
            return name, driver
    raise AssertionError(rel)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--scale", default="county", choices=SCALES, help="the scale the site was built at")
    parser.add_argument("--to", default="city", choices=SCALES)
    args = parser.parse_args()
    sizes, counts, drivers = Counter(), Counter(), {}
    for path in sorted(args.site.rglob("*")):
        if path.is_file():
            name, driver = part_of(path.relative_to(args.site).as_posix())
            sizes[name] += path.stat().st_size
            counts[name] += 1
            drivers[name] = driver
    here, there = SCALES[args.scale], SCALES[args.to]
    print(f"| 部分 | 文件数 | {args.scale}（实测） | 随之增长 | {args.to}（推算） |")
    print("|---|---:|---:|---|---:|")
    total = projected = 0.0
    for name, _driver, _ in PARTS:
        if not counts[name]:
            continue
        driver = drivers[name]
        factor = there[driver] / here[driver] if driver else 1.0
        total += sizes[name]
        projected += sizes[name] * factor
        print(f"| {name} | {counts[name]:,} | {sizes[name] / MiB:.1f} MiB | {driver or '不变'}（×{factor:.1f}） | "
              f"{sizes[name] * factor / MiB:,.0f} MiB |")
    print(f"| 合计 | {sum(counts.values()):,} | {total / MiB:.1f} MiB | | {projected / MiB:,.0f} MiB |")


if __name__ == "__main__":
    sys.exit(main())
