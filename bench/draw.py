"""Draw 5% of 1,000,000 synthetic candidates: ssjpub vs the raw SHA-256 floor vs consistent_sampler.

    make bench-draw        (or: .venv/bin/python bench/draw.py [N])

All three get the same list of ids, in one run, on this machine. The raw loop only hashes
(prefix + id) once per id and selects nothing: no draw can be faster, so it is the floor.
consistent_sampler (Rivest; PyPI 1.0.10, used by Arlo's election audits) draws the same number.
Timings are wall-clock seconds, best of the given repeats. Above 200,000 candidates ssjpub splits
the hashing between two processes (ssjpub.draw.tickets.PARALLEL_MIN); the one-process figure is
printed beside it, and the raw loop is one process.
"""

from __future__ import annotations

import hashlib
import platform
import sys
import time
from fractions import Fraction

from ssjpub.demo.fake import fictional_credit_code
from ssjpub.draw import tickets
from ssjpub.draw.tickets import Candidate, count_for, draw_lowest, draw_plain

SEED = "a2f66b03fbbefe880aedd1cb7e9471bb7482adfb3952eab16f1b3f397742a84d"


def best_of(repeats: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(n: int = 1_000_000, repeats: int = 3) -> None:
    ids = [fictional_credit_code("410000", i) for i in range(n)]
    take = count_for(Fraction(5, 100), n)
    prefix = SEED.encode()

    def raw():
        sha = hashlib.sha256
        for i in ids:
            sha(prefix + i.encode()).digest()

    def ours():
        return draw_plain(SEED, ids, take)

    def ours_one_core():
        # The same draw with the split across processes switched off.
        saved, tickets.PARALLEL_MIN = tickets.PARALLEL_MIN, n + 1
        try:
            return draw_plain(SEED, ids, take)
        finally:
            tickets.PARALLEL_MIN = saved

    def ours_weighted():
        # Not the peer comparison: what weights (C grade ×3) and three strata cost on top.
        candidates = [Candidate(i, "ABC"[k % 3], 3 if k % 11 == 0 else 1) for k, i in enumerate(ids)]
        return draw_lowest(SEED, candidates, {s: take // 3 for s in "ABC"})

    def theirs():
        from consistent_sampler import sampler

        return list(sampler(ids, SEED, take=take, output="id"))

    t_raw, _ = best_of(repeats, raw)
    t_ours, drawn = best_of(repeats, ours)
    assert len(drawn) == take
    t_one, same = best_of(repeats, ours_one_core)
    assert same == drawn
    t_weighted, _ = best_of(1, ours_weighted)
    t_cs, sample = best_of(1, theirs)
    assert len(sample) == take
    print(f"机器：{platform.processor() or platform.machine()}，Python {platform.python_version()}")
    print(f"从 {n:,} 个候选中抽取 5%（{take:,} 个）")
    print(f"{'方法':<28}{'秒':>8}{'相对原始哈希':>14}")
    for name, t in (("原始 sha256(prefix+id) 循环", t_raw), ("ssjpub draw_plain（两个进程）", t_ours),
                    ("ssjpub draw_plain（单进程）", t_one),
                    ("consistent_sampler 1.0.10", t_cs),
                    ("ssjpub 加权、三层（参考）", t_weighted)):
        print(f"{name:<28}{t:>8.2f}{t / t_raw:>13.2f}×")
    print(f"ssjpub / 原始哈希 = {t_ours / t_raw:.2f}（目标 ≤ 1.5；单进程 {t_one / t_raw:.2f}）；"
          f"consistent_sampler / ssjpub = {t_cs / t_ours:.1f}（目标 ≥ 3）")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
