"""The draw: vectors, properties, weights measured over many seeds, tampering, impossible draws."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import unicodedata
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ssjpub.cli.main import cli
from ssjpub.draw import vectors as vec
from ssjpub.draw.engine import DrawError, execute
from ssjpub.draw.record import render_json, render_yaml
from ssjpub.draw.tickets import Candidate, count_for, draw_lowest
from ssjpub.draw.verify import verify_draws
from ssjpub.validate import validate

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"


# --- vectors: committed, reproduced by the code, and recomputed here from the spec alone --------


def spec_field(text: str) -> bytes:
    data = unicodedata.normalize("NFC", text).encode()
    return len(data).to_bytes(4, "big") + data


def spec_hash(*texts: str) -> str:
    return hashlib.sha256(b"".join(spec_field(t) for t in texts)).hexdigest()


@pytest.mark.parametrize("name", sorted(vec.vectors()))
def test_committed_vectors_are_what_the_code_produces(name):
    assert (VECTORS / f"{name}.json").read_text(encoding="utf-8") == vec.render(name, vec.vectors()[name])


def load(name: str) -> list[dict]:
    return json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))["vectors"]


def test_vectors_agree_with_an_independent_reading_of_the_spec():
    for v in load("encoding"):
        assert spec_field(v["text"]).hex() == v["field_hex"]
    for v in load("seed"):
        assert spec_hash("ssjpub-draw/1", "seed", v["agency"], str(v["year"]), v["task"],
                         v["population_sha256"], v["parameters_sha256"], v["randomness"]) == v["seed"]
    for v in load("tickets"):
        assert spec_hash("ssjpub-draw/1", "target", v["seed"], v["code"], str(v["copy"])) == v["ticket"]
    for v in load("counts"):
        p, q = Fraction(v["ratio"][:-1]) / 100 and (Fraction(v["ratio"][:-1]) / 100).as_integer_ratio()
        assert v["count"] == (p * v["eligible"] + q - 1) // q
    for v in load("selection"):
        best = {}
        for c in v["candidates"]:
            tickets = [(spec_hash("ssjpub-draw/1", "target", v["seed"], c["code"], str(k)), k)
                       for k in range(1, c["weight"] + 1)]
            best[c["code"]] = (min(tickets)[0], min(tickets)[1], c["stratum"])
        chosen = []
        for stratum, n in v["counts"].items():
            pool = sorted((t, code, k) for code, (t, k, s) in best.items() if s == stratum)
            chosen += pool[:n]
        chosen.sort()
        assert [{"code": code, "stratum": best[code][2], "ticket": t, "copy": k} for t, code, k in chosen] == v["drawn"]


def spec_part(source: dict) -> str:
    """One source's canonical value as docs/draw-spec.md §2.3 words it."""
    if source["kind"] == "公开开奖":
        return "".join("".join(f"{n}." for n in sorted(group)) + "/" for group in source["numbers"])
    if source["kind"] == "公开摇号":
        return source["digits"] + "/"
    return hashlib.sha256(bytes.fromhex(source["signature"])).hexdigest() + "/"


def test_v2_vectors_agree_with_an_independent_reading_of_the_spec():
    kinds = set()
    for v in load("randomness-v2"):
        assert [spec_part(s) for s in v["sources"]] == v["parts"]
        assert "".join(v["parts"]) == v["canonical"]
        kinds |= {s["kind"] for s in v["sources"]}
    assert kinds == {"公开开奖", "公开摇号", "drand"}
    assert any(len(v["sources"]) > 1 for v in load("randomness-v2"))
    for v in load("seed-v2"):
        assert spec_hash("ssjpub-draw/2", "seed", v["agency"], str(v["year"]), v["task"],
                         v["population_sha256"], v["parameters_sha256"], v["randomness"]) == v["seed"]
    # The label is the only difference, and it changes every hash.
    assert load("seed-v2")[2]["seed"] != load("seed")[0]["seed"]
    assert load("seed-v2")[2]["randomness"] == load("seed")[0]["randomness"]
    for v in load("tickets-v2"):
        assert spec_hash("ssjpub-draw/2", "target", v["seed"], v["code"], str(v["copy"])) == v["ticket"]


def test_v3_vectors_agree_with_an_independent_reading_of_the_spec():
    """/3: the parts in file-name order, each file's SHA-256 and rows from its text, their digest
    H(A, "population", name, sha256, ...) and the seed it enters (docs/draw-spec.md §11.2)."""
    found = load("population-v3")
    assert any(len(v["parts"]) > 1 for v in found)
    for v in found:
        names = [p["name"] for p in v["parts"]]
        assert names == sorted(names, key=lambda n: n.encode("utf-8"))
        for p in v["parts"]:
            assert hashlib.sha256(p["text"].encode("utf-8")).hexdigest() == p["sha256"]
            assert p["rows"] == len(p["text"].splitlines()) - 1
        texts = [t for p in v["parts"] for t in (p["name"], p["sha256"])]
        assert spec_hash("ssjpub-draw/3", "population", *texts) == v["population_sha256"]
        assert spec_hash("ssjpub-draw/3", "seed", v["agency"], str(v["year"]), v["task"],
                         v["population_sha256"], v["parameters_sha256"], v["randomness"]) == v["seed"]


def test_worked_example_in_the_spec_is_true():
    spec = (ROOT / "docs/draw-spec.md").read_text(encoding="utf-8")
    pop = hashlib.sha256(b"credit_code,name\n").hexdigest()
    par = hashlib.sha256(b'{"count":2,"task":"t1"}').hexdigest()
    seed = spec_hash("ssjpub-draw/1", "seed", "demo", "2024", "t1", pop, par, "3.12.15.22.28.31./9./")
    assert pop in spec and par in spec and f"seed = {seed}" in spec
    for code, k in (("91110000600037341L", 1), ("91310115MA1K3BTP2B", 2), ("91410421DEM00001A7", 1)):
        assert spec_hash("ssjpub-draw/1", "target", seed, code, str(k)) in spec
    # 10.3: a population split in two files, their digest in the seed (ssjpub-draw/3)
    parts = [("410402.csv", b"credit_code,name\n91110000600037341L,\n91310115MA1K3BTP2B,\n"),
             ("410421.csv", b"credit_code,name\n91410421DEM00001A7,\n")]
    digests = [hashlib.sha256(raw).hexdigest() for _, raw in parts]
    assert all(d in spec for d in digests)
    pop3 = spec_hash("ssjpub-draw/3", "population", parts[0][0], digests[0], parts[1][0], digests[1])
    seed3 = spec_hash("ssjpub-draw/3", "seed", "demo", "2024", "t1", pop3, par, "3.12.15.22.28.31./9./")
    assert f"= {pop3}" in spec and f"seed = {seed3}" in spec
    for code, k in (("91110000600037341L", 1), ("91310115MA1K3BTP2B", 1), ("91310115MA1K3BTP2B", 3), ("91410421DEM00001A7", 1)):
        assert spec_hash("ssjpub-draw/3", "target", seed3, code, str(k)) in spec


# --- properties ---------------------------------------------------------------------------------

codes = st.lists(st.from_regex(r"[0-9A-Z]{18}", fullmatch=True), min_size=1, max_size=60, unique=True)
SEED = "a2f66b03fbbefe880aedd1cb7e9471bb7482adfb3952eab16f1b3f397742a84d"


@settings(max_examples=60, deadline=None)
@given(codes=codes, data=st.data())
def test_draw_is_exact_unique_and_independent_of_input_order(codes, data):
    weights = data.draw(st.lists(st.integers(1, 5), min_size=len(codes), max_size=len(codes)))
    strata = data.draw(st.lists(st.sampled_from("AB"), min_size=len(codes), max_size=len(codes)))
    cands = [Candidate(c, s, w) for c, s, w in zip(codes, strata, weights)]
    sizes = {s: strata.count(s) for s in set(strata)}
    counts = {s: data.draw(st.integers(0, n)) for s, n in sizes.items()}
    first = draw_lowest(SEED, cands, counts)
    shuffled = data.draw(st.permutations(cands))
    assert draw_lowest(SEED, list(shuffled), counts) == first
    assert draw_lowest(SEED, cands, counts) == first
    assert len({t.code for t in first}) == len(first)
    for s, n in counts.items():
        assert sum(t.stratum == s for t in first) == n
    assert [t.ticket for t in first] == sorted(t.ticket for t in first)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 500), percent=st.integers(1, 100))
def test_ceiling_keeps_the_ratio_floor(size, percent):
    n = count_for(Fraction(percent, 100), size)
    assert n * 100 >= percent * size and (n - 1) * 100 < percent * size and n <= size


def test_asking_more_than_there_is_fails_instead_of_drawing_fewer():
    with pytest.raises(ValueError, match="asked"):
        draw_lowest(SEED, [Candidate("A"), Candidate("B")], {"": 3})


def test_weights_shift_selection_as_stated_over_many_seeds():
    """P(candidate i drawn first) = w_i / W: chi-square over 3,000 seeds, 29 degrees of freedom."""
    weights = [3] * 10 + [1] * 20
    cands = [Candidate(f"C{i:02d}", "", w) for i, w in enumerate(weights)]
    total, runs = sum(weights), 3000
    first = {c.code: 0 for c in cands}
    for s in range(runs):
        seed = hashlib.sha256(f"seed-{s}".encode()).hexdigest()
        first[draw_lowest(seed, cands, {"": 1})[0].code] += 1
    chi2 = sum((first[c.code] - runs * c.weight / total) ** 2 / (runs * c.weight / total) for c in cands)
    assert chi2 < 58.3  # the 0.999 quantile of chi-square(29): fails by chance once in 1,000 runs
    heavy = sum(first[c.code] for c in cands if c.weight == 3)
    assert abs(heavy / runs - 30 / 50) < 0.04  # ~4.5 standard deviations


# --- the demo's draws, re-executed; tampering caught --------------------------------------------


@pytest.fixture
def demo(tmp_path) -> Path:
    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def problems_of(root: Path):
    repo, problems = validate(root)
    assert problems == []
    return verify_draws(repo)


def test_every_demo_draw_verifies(demo):
    checked, problems = problems_of(demo)
    assert checked == 10 and problems == []


def test_demo_draws_keep_the_yearly_cap_recusal_and_group_size():
    repo, _ = validate(ROOT)
    for code, data in repo.agencies.items():
        conflicts = {p.id: set(p.conflicts) for p in data.inspectors.model.inspectors}
        times: dict[str, int] = {}
        for (year, task), draw in sorted(data.draws.items()):
            for t in draw.data["targets"]:
                times[t["code"]] = times.get(t["code"], 0) + 1
            for g in draw.data["groups"]:
                assert len(g["members"]) >= 2 and g["leader"] == g["members"][0]
                assert not any(g["target"] in conflicts[m] for m in g["members"])
            loads = {}
            for g in draw.data["groups"]:
                for m in g["members"]:
                    loads[m] = loads.get(m, 0) + 1
            assert max(loads.values()) - min(loads.values()) <= 1
        assert max(times.values()) <= 2


def _edit_json(path: Path, edit) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    edit(record)
    path.write_text(render_json(record), encoding="utf-8")
    path.with_suffix(".yaml").write_text(render_yaml(record), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if needle in line)


@pytest.mark.parametrize("what", ["code", "ticket", "seed"])
def test_tampering_with_a_record_is_caught_at_the_field(demo, what):
    path = demo / "plans/baofeng/2024/draws/2024-02.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    if what == "seed":
        old = record["seed"]
        new = old[:-1] + ("0" if old[-1] != "0" else "1")
        _edit_json(path, lambda r: r.update(seed=new))
        field = "seed"
    else:
        old = record["targets"][3][what]
        new = old[:-1] + ("0" if old[-1] != "0" else "1")
        _edit_json(path, lambda r: r["targets"][3].update({what: new}))
        field = f"targets[3].{what}"
    _, problems = problems_of(demo)
    hits = [p for p in problems if p.file == "plans/baofeng/2024/draws/2024-02.json" and p.message.startswith(field + "：")]
    assert hits, problems
    assert hits[0].code == "draw-mismatch" and hits[0].line == _line_of(path, new)


def test_changing_one_snapshot_row_is_caught(demo):
    csv = demo / "plans/baofeng/targets/2024-01-05.csv"
    lines = csv.read_text(encoding="utf-8").split("\n")
    lines[10] = re.sub(r",([ABC]),", lambda m: ",B," if m.group(1) != "B" else ",A,", lines[10], count=1)
    csv.write_text("\n".join(lines), encoding="utf-8")
    _, problems = problems_of(demo)
    assert any(p.message.startswith("population.sha256：") and p.file.endswith("2024-01.json") for p in problems)


def test_hand_editing_the_yaml_copy_is_caught(demo):
    path = demo / "plans/yanshi/2023/draws/2023-03.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("leader:", "leader: ", 1), encoding="utf-8")
    _, problems = problems_of(demo)
    assert [p.file for p in problems] == ["plans/yanshi/2023/draws/2023-03.yaml"]


def test_draw_command_rebuilds_a_record_byte_for_byte_and_never_overwrites(demo):
    record = demo / "plans/baofeng/2024/draws/2024-07.json"
    before = record.read_bytes(), record.with_suffix(".yaml").read_bytes()
    record.unlink()
    record.with_suffix(".yaml").unlink()
    runner = CliRunner()
    result = runner.invoke(cli, ["draw", "baofeng/2024/2024-07", "--root", str(demo)])
    assert result.exit_code == 0, result.output
    assert (record.read_bytes(), record.with_suffix(".yaml").read_bytes()) == before
    again = runner.invoke(cli, ["draw", "baofeng/2024/2024-07", "--root", str(demo)])
    assert again.exit_code == 1 and "duplicate-id" in again.output


def test_verify_command_exit_codes(demo):
    runner = CliRunner()
    assert runner.invoke(cli, ["verify", "--root", str(demo)]).exit_code == 0
    _edit_json(demo / "plans/yanshi/2023/draws/2023-01.json", lambda r: r["groups"][0].update(leader="YA999"))
    result = runner.invoke(cli, ["verify", "--root", str(demo)])
    assert result.exit_code == 1
    assert "plans/yanshi/2023/draws/2023-01.json:" in result.output and "groups[0].leader" in result.output


# --- impossible or improper draws fail loudly ---------------------------------------------------


def _plan_edit(root: Path, old: str, new: str) -> None:
    plan = root / "plans/baofeng/2024/plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert old in text
    plan.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_too_few_inspectors_names_the_constraint(demo):
    _plan_edit(demo, "  ratio: 30%\n", "  ratio: 30%\n  group_size: 4\n")
    repo, _ = validate(demo)
    with pytest.raises(DrawError) as exc:
        execute(repo, "baofeng", 2024, "2024-05")
    assert "每组需要 4 名" in str(exc.value) and exc.value.problems[0].file == "plans/baofeng/2024/plan.yaml"


def test_non_random_tasks_are_never_drawn(demo):
    repo, _ = validate(demo)
    with pytest.raises(DrawError, match="不是随机抽取"):
        execute(repo, "baofeng", 2024, "2024-06")


def test_a_draw_without_declared_randomness_is_refused(demo):
    text = (demo / "plans/baofeng/2024/plan.yaml").read_text(encoding="utf-8")
    start = text.index("  randomness:", text.index("id: 2024-05"))
    end = text.index("- id:", start)
    (demo / "plans/baofeng/2024/plan.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    repo, _ = validate(demo)
    with pytest.raises(DrawError, match="声明公开随机数来源"):
        execute(repo, "baofeng", 2024, "2024-05")


def test_yearly_cap_excludes_enterprises_drawn_twice(demo):
    from ssjpub.draw.record import write_record

    text = (demo / "plans/baofeng/2024/plan.yaml").read_text(encoding="utf-8")
    (demo / "plans/baofeng/2024/plan.yaml").write_text(text.replace("ratio: 20%", "ratio: 100%"), encoding="utf-8")
    for task in ("2024-01", "2024-07"):
        for suffix in (".json", ".yaml"):
            (demo / f"plans/baofeng/2024/draws/{task}{suffix}").unlink()
    repo, _ = validate(demo)
    write_record(demo, execute(repo, "baofeng", 2024, "2024-01"))
    repo, _ = validate(demo)
    second = execute(repo, "baofeng", 2024, "2024-07")
    # Everyone in 建筑业 drawn by 2024-01 and again by 2024-02 or 2024-03 is now at the cap.
    assert second["eligible"]["capped"]
    capped = set(second["eligible"]["capped"])
    assert not capped & {t["code"] for t in second["targets"]}
    counted: dict[str, int] = {}
    for task in second["prior_draws"]:
        record = json.loads((demo / f"plans/baofeng/{task.replace('/', '/draws/')}.json").read_text(encoding="utf-8"))
        for t in record["targets"]:
            counted[t["code"]] = counted.get(t["code"], 0) + 1
    rows = [line.split(",") for line in (demo / "plans/baofeng/targets/2024-07-01.csv").read_text(encoding="utf-8").split("\n")[1:] if line]
    in_scope = {r[0] for r in rows if r[3] == "建筑业" and r[7] == "在营"}
    assert second["prior_draws"] == ["2024/2024-01", "2024/2024-02", "2024/2024-03", "2024/2024-04", "2024/2024-05"]
    assert capped == {c for c, n in counted.items() if n >= 2} & in_scope


def test_recusal_is_kept_when_an_inspector_declares_a_conflict(demo):
    record = json.loads((demo / "plans/baofeng/2024/draws/2024-07.json").read_text(encoding="utf-8"))
    target, member = record["groups"][0]["target"], record["groups"][0]["members"][0]
    path = demo / "plans/baofeng/inspectors.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index(f"- id: {member}\n")
    end = text.find("\n- id:", at + 1)
    end = len(text) if end < 0 else end
    block = text[at:end]
    block = block.replace("  conflicts:\n", f"  conflicts:\n  - {target}\n") if "conflicts:" in block else block + f"\n  conflicts:\n  - {target}"
    path.write_text(text[:at] + block + text[end:], encoding="utf-8")
    repo, problems = validate(demo)
    assert problems == []
    again = execute(repo, "baofeng", 2024, "2024-07")
    group = next(g for g in again["groups"] if g["target"] == target)
    assert member in group["recused"] and member not in group["members"]


@settings(max_examples=40, deadline=None)
@given(codes=codes, data=st.data())
def test_the_plain_fast_path_draws_exactly_what_the_general_one_does(codes, data):
    from ssjpub.draw.tickets import draw_plain

    n = data.draw(st.integers(0, len(codes)))
    assert draw_plain(SEED, codes, n) == draw_lowest(SEED, [Candidate(c) for c in codes], {"": n})


def test_non_ascii_ids_take_the_nfc_path_in_both_scans():
    from ssjpub.draw.tickets import draw_plain

    codes = ["e\u0301-组", "\u00e9-组", "ABC", "宝丰示例"]  # the first two are one id after NFC
    assert draw_plain(SEED, codes[1:], 2) == draw_lowest(SEED, [Candidate(c) for c in codes[1:]], {"": 2})
    with pytest.raises(ValueError, match="duplicate"):
        draw_plain(SEED, codes, 4)


def test_tasks_are_drawn_in_plan_order(demo):
    """Drawing an earlier task after a later one would change what the later record counted."""
    for suffix in (".json", ".yaml"):
        (demo / f"plans/baofeng/2024/draws/2024-04{suffix}").unlink()
    result = CliRunner().invoke(cli, ["draw", "baofeng/2024/2024-04", "--root", str(demo)])
    assert result.exit_code == 1
    assert "history-order" in result.output and "2024/2024-05" in result.output and "2024/2024-07" in result.output


def test_a_draw_split_between_two_processes_gives_the_same_tickets(monkeypatch):
    from ssjpub.draw import tickets as TK
    from ssjpub.demo.fake import fictional_credit_code

    codes = [fictional_credit_code("410000", i) for i in range(3000)]
    seed = "ab" * 32
    candidates = [TK.Candidate(c, "AB"[i % 2], 1 + i % 3) for i, c in enumerate(codes)]
    serial = TK.draw_plain(seed, codes, 150), TK.draw_lowest(seed, candidates, {"A": 40, "B": 60})
    monkeypatch.setattr(TK, "PARALLEL_MIN", 100)
    monkeypatch.setattr(TK.parallel, "usable_cpus", lambda: 2)
    calls = []
    real = TK.parallel.share_forked
    monkeypatch.setattr(TK.parallel, "share_forked", lambda *a: calls.append(1) or real(*a))
    split = TK.draw_plain(seed, codes, 150), TK.draw_lowest(seed, candidates, {"A": 40, "B": 60})
    assert calls and split == serial
