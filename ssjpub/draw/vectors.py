"""Generate tests/vectors/*.json: inputs and expected outputs of ssjpub-draw/1, /2 and /3 for
re-implementers (the files named *-v2 are /2's, *-v3 /3's; the others /1's, which /2 shares except
the label).

python -m ssjpub.draw.vectors tests/vectors
"""

from __future__ import annotations

import hashlib
import json
import sys
from fractions import Fraction
from pathlib import Path

from ssjpub.draw.encoding import ALGORITHM_1, ALGORITHM_2, ALGORITHM_3, canonical_digits, parts_digest, canonical_drand, canonical_lottery, derive_seed, field
from ssjpub.draw.tickets import Candidate, count_for, draw_lowest, ticket_digest, ticket_prefix
from ssjpub.identifiers import credit_check_char


def _code(i: int) -> str:
    body = f"91410421DEM0{i:05d}"
    return body + credit_check_char(body)


def vectors() -> dict[str, list[dict]]:
    enc = [{"text": t, "field_hex": field(t).hex()} for t in ("", "2024", "宝丰", "ssjpub-draw/1", "e\u0301")]
    randomness = [
        {"kind": "numbers", "input": [[31, 3, 12, 15, 22, 28], [9]], "canonical": canonical_lottery([[31, 3, 12, 15, 22, 28], [9]])},
        {"kind": "numbers", "input": [[7, 1, 30]], "canonical": canonical_lottery([[7, 1, 30]])},
        {"kind": "digits", "input": "09876543210123456789", "canonical": canonical_digits("09876543210123456789")},
    ]
    seeds = []
    for agency, year, task, r in (("demo", 2024, "t1", "3.12.15.22.28.31./9./"), ("宝丰", 2023, "2023-01", "09876543210123456789/")):
        pop = hashlib.sha256(f"{agency}-population".encode()).hexdigest()
        par = hashlib.sha256(f"{agency}-parameters".encode()).hexdigest()
        seeds.append({"agency": agency, "year": year, "task": task, "population_sha256": pop,
                      "parameters_sha256": par, "randomness": r,
                      "seed": derive_seed(agency, year, task, pop, par, r, ALGORITHM_1)})
    seed = seeds[0]["seed"]
    prefix = ticket_prefix(seed, "target", ALGORITHM_1)
    tickets = [{"seed": seed, "code": _code(i), "copy": k, "ticket": ticket_digest(prefix, _code(i), k).hex()}
               for i in range(1, 6) for k in (1, 2)]
    counts = [{"ratio": r, "eligible": n, "count": count_for(Fraction(*f), n)}
              for r, f, n in (("5%", (5, 100), 1), ("5%", (5, 100), 20), ("5%", (5, 100), 21),
                              ("12.5%", (1, 8), 7), ("20%", (1, 5), 331), ("100%", (1, 1), 9))]
    selections = []
    for name, n, strata, weights, want in (
        ("plain", 40, None, None, {"": 5}),
        ("weighted", 40, None, {3: 5, 7: 2, 11: 9}, {"": 6}),
        ("strata", 60, ("A", "B", "C"), {2: 3}, {"A": 2, "B": 3, "C": 4}),
    ):
        cands = [Candidate(_code(i), strata[i % 3] if strata else "", (weights or {}).get(i, 1)) for i in range(n)]
        drawn = draw_lowest(seed, cands, want, algorithm=ALGORITHM_1)
        selections.append({
            "name": name, "seed": seed,
            "candidates": [{"code": c.code, "stratum": c.stratum, "weight": c.weight} for c in cands],
            "counts": want,
            "drawn": [{"code": t.code, "stratum": t.stratum, "ticket": t.hex, "copy": t.copy} for t in drawn],
        })
    return {"encoding": enc, "randomness": randomness, "seed": seeds, "tickets": tickets,
            "counts": counts, "selection": selections, **vectors_v2(), **vectors_v3()}


# Not a real drand round: any 48 bytes show how the canonical value is derived (the signature
# check is the beacon's own; real rounds are the drand fixtures').
FAKE_SIGNATURE = bytes(range(48)).hex()


def vectors_v2() -> dict[str, list[dict]]:
    """/2: each source's canonical part, combined sources, and seeds and tickets under the /2 label."""
    lottery = {"kind": "公开开奖", "numbers": [[31, 3, 12, 15, 22, 28], [9]]}
    digits3d = {"kind": "公开开奖", "numbers": [[3], [0], [7]]}  # positional digits: one group each
    ceremony = {"kind": "公开摇号", "digits": "09876543210123456789"}
    drand = {"kind": "drand", "round": 5000000, "signature": FAKE_SIGNATURE, "note": "不是真实的 drand 轮次，只演示规范值的算法"}

    def part(source: dict) -> str:
        if source["kind"] == "公开开奖":
            return canonical_lottery(source["numbers"])
        if source["kind"] == "公开摇号":
            return canonical_digits(source["digits"])
        return canonical_drand(source["signature"])

    combos = [[lottery], [digits3d], [drand], [lottery, ceremony], [ceremony, lottery], [lottery, drand],
              [drand, ceremony, lottery]]
    randomness = [{"sources": c, "parts": [part(s) for s in c], "canonical": "".join(part(s) for s in c)}
                  for c in combos]
    seeds = []
    for agency, year, task, r in (("demo", 2024, "t1", randomness[3]["canonical"]),
                                  ("宝丰", 2024, "2024-01", randomness[6]["canonical"]),
                                  ("demo", 2024, "t1", "3.12.15.22.28.31./9./")):
        pop = hashlib.sha256(f"{agency}-population".encode()).hexdigest()
        par = hashlib.sha256(f"{agency}-parameters".encode()).hexdigest()
        seeds.append({"agency": agency, "year": year, "task": task, "population_sha256": pop,
                      "parameters_sha256": par, "randomness": r,
                      "seed": derive_seed(agency, year, task, pop, par, r, ALGORITHM_2)})
    seed = seeds[0]["seed"]
    prefix = ticket_prefix(seed, "target", ALGORITHM_2)
    tickets = [{"seed": seed, "code": _code(i), "copy": k, "ticket": ticket_digest(prefix, _code(i), k).hex()}
               for i in range(1, 4) for k in (1, 2)]
    return {"randomness-v2": randomness, "seed-v2": seeds, "tickets-v2": tickets}


SNAPSHOT_HEADER = "credit_code,name,area,industry,grade,complaints,serious_violation,status,source\n"


def vectors_v3() -> dict[str, list[dict]]:
    """/3: a split population's parts (file name, bytes) in order, their digest, and the seed it
    enters (the parameters and randomness of the /2 seed vectors' first)."""
    def row(i: int, area: str) -> str:
        return f"{_code(i)},示例单位{i},{area},制造业,A,0,否,在营,参保登记\n"

    cases = [
        ("one part", {"410402.csv": SNAPSHOT_HEADER + row(1, "卫东区")}),
        ("two counties", {"410402.csv": SNAPSHOT_HEADER + row(1, "卫东区") + row(2, "卫东区"),
                          "410421.csv": SNAPSHOT_HEADER + row(3, "宝丰县")}),
        ("names in code point order", {"b.csv": SNAPSHOT_HEADER + row(4, "乙"), "a.csv": SNAPSHOT_HEADER + row(5, "甲"),
                                       "宝丰县.csv": SNAPSHOT_HEADER + row(6, "宝丰县"), "Z.csv": SNAPSHOT_HEADER}),
    ]
    par = hashlib.sha256(b"demo-parameters").hexdigest()
    r = "3.12.15.22.28.31./9./"
    out = []
    for note, files in cases:
        parts = [{"name": name, "text": files[name], "sha256": hashlib.sha256(files[name].encode()).hexdigest(),
                  "rows": files[name].count("\n") - 1} for name in sorted(files)]
        digest = parts_digest([(p["name"], p["sha256"]) for p in parts])
        out.append({"note": note, "parts": parts, "population_sha256": digest, "agency": "demo", "year": 2024,
                    "task": "t1", "parameters_sha256": par, "randomness": r,
                    "seed": derive_seed("demo", 2024, "t1", digest, par, r, ALGORITHM_3)})
    return {"population-v3": out}


def render(name: str, items: list[dict]) -> str:
    algorithm = ALGORITHM_3 if name.endswith("-v3") else ALGORITHM_2 if name.endswith("-v2") else ALGORITHM_1
    return json.dumps({"algorithm": algorithm, "vectors": items}, ensure_ascii=False, indent=2) + "\n"


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, items in vectors().items():
        (out / f"{name}.json").write_text(render(name, items), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/vectors"))
