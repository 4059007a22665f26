"""`ssjpub verify --cache`: a pull request re-executes only the draws whose inputs changed, and the
cache never hides a tamper. Real CLI runs on a copy of the demo made a real git repository (inputs
committed before the randomness, as the roster check needs); one byte of each input kind changed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from ssjpub.draw.record import render_yaml
from ssjpub.draw.verifycache import DEFAULT_DIR

ROOT = Path(__file__).resolve().parent.parent
DRAWS = "plans/baofeng/2024/draws"
BAOFENG = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-07"]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@invalid", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture(scope="module")
def committed(tmp_path_factory) -> Path:
    """The demo as a repository: every input first, then the randomness and the records."""
    root = tmp_path_factory.mktemp("cached") / "demo"
    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, root / name)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A", "--", ".", ":(exclude,glob)plans/*/*/randomness/**", ":(exclude,glob)plans/*/*/draws/**",
         ":(exclude,glob)plans/*/*/failures/**")
    _git(root, "commit", "-qm", "inputs")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "randomness and records")
    return root


@pytest.fixture
def demo(committed, tmp_path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(committed, root, symlinks=True)
    return root


def verify(root: Path, *args: str) -> tuple[int, int, int, str]:
    """(exit code, draws re-executed, draws confirmed by the cache, stdout)."""
    done = subprocess.run([sys.executable, "-m", "ssjpub", "verify", "--root", str(root), "--jobs", "1", *args],
                          capture_output=True, text=True)
    assert "Traceback" not in done.stderr, done.stderr
    ran = re.search(r"已重新执行 (\d+) 次抽取", done.stderr)
    assert ran, done.stderr
    cached = re.search(r"另有 (\d+) 次抽取的输入", done.stderr)
    return done.returncode, int(ran.group(1)), int(cached.group(1)) if cached else 0, done.stdout


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def flip_ticket(path: Path) -> None:
    """One byte of the first ticket, another hex digit."""
    text = path.read_text(encoding="utf-8")
    m = re.search(r"ticket\"?: '?\"?([0-9a-f])", text)
    i = m.start(1)
    path.write_text(text[:i] + ("0" if text[i] != "0" else "1") + text[i + 1:], encoding="utf-8")


def total(root: Path) -> int:
    return len(list((root / "plans").glob("*/*/draws/*.json"))) + len(list((root / "plans").glob("*/*/failures/*.json")))


def verdicts(cache: Path, verdict: str = '"exact"') -> list[Path]:
    """The cache's entries of re-executed draws (roster checks and parsed documents beside them)."""
    return sorted(p for p in cache.glob("??/*") if p.is_file() and verdict in p.read_text())


def test_a_second_run_reexecutes_nothing_and_the_full_run_everything(demo):
    cache = demo / "cache"
    n = total(demo)
    assert verify(demo, "--cache", str(cache))[:3] == (0, n, 0)
    assert verify(demo, "--cache", str(cache))[:3] == (0, 0, n)
    assert verify(demo, "--no-cache")[:3] == (0, n, 0)
    assert verify(demo)[:3] == (0, n, 0)  # outside a pull request: no cache unless asked


def _in_record(root: Path) -> None:
    flip_ticket(root / DRAWS / "2024-03.json")


def _in_yaml_copy(root: Path) -> None:
    flip_ticket(root / DRAWS / "2024-03.yaml")


def _in_snapshot(root: Path) -> None:
    path = root / "plans/baofeng/targets/2024-01-05.csv"
    text = path.read_text(encoding="utf-8")
    i = text.index("示例", text.index("\n"))  # an enterprise's name, one character another
    path.write_text(text[:i] + "范" + text[i + 1:], encoding="utf-8")


def _in_randomness(root: Path) -> None:
    replace_once(root / "plans/baofeng/2024/randomness/2024-03.yaml", "474537513764833751826065", "474537513764833751826066")


def _in_plan(root: Path) -> None:
    replace_once(root / "plans/baofeng/2024/plan.yaml", "  batches: 3\n  window:\n    start: 2024-06-03",
                 "  batches: 2\n  window:\n    start: 2024-06-03")


def _in_prior_record(root: Path) -> None:
    flip_ticket(root / DRAWS / "2024-02.json")


def _in_recorded_roster(root: Path) -> None:
    """A name in the record's roster, the YAML copy rewritten to match: only the roster committed
    before the randomness (git history) shows it."""
    path = root / DRAWS / "2024-03.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["inspectors"]["pool"][0]["name"] += "某"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (root / DRAWS / "2024-03.yaml").write_text(render_yaml(record), encoding="utf-8")


# (change, what must be re-executed at least, the problem reported at)
TAMPERS = {
    "record": (_in_record, {"2024-03"}, ("plans/baofeng/2024/draws/2024-03.json", "draw-mismatch")),
    "yaml-copy": (_in_yaml_copy, {"2024-03"}, ("plans/baofeng/2024/draws/2024-03.yaml", "draw-mismatch")),
    "snapshot": (_in_snapshot, {"2024-03"}, ("plans/baofeng/2024/draws/2024-03.json", "draw-mismatch")),
    "randomness": (_in_randomness, {"2024-03"}, ("plans/baofeng/2024/draws/2024-03.json", "draw-mismatch")),
    "plan": (_in_plan, {"2024-03"}, ("plans/baofeng/2024/draws/2024-03.json", "draw-mismatch")),
    "prior-record": (_in_prior_record, {"2024-02", "2024-03", "2024-04", "2024-05", "2024-07"},
                     ("plans/baofeng/2024/draws/2024-02.json", "draw-mismatch")),
    "roster": (_in_recorded_roster, {"2024-03"}, ("plans/baofeng/2024/draws/2024-03.json", "roster-changed")),
}


@pytest.mark.parametrize("kind", sorted(TAMPERS))
def test_one_byte_of_any_input_reexecutes_the_draw_and_reports_it(demo, kind):
    change, at_least, (file, code) = TAMPERS[kind]
    cache = demo / "cache"
    assert verify(demo, "--cache", str(cache))[0] == 0
    change(demo)
    rc, ran, cached, out = verify(demo, "--cache", str(cache))
    assert rc == 1 and ran >= len(at_least) and ran + cached == total(demo), (kind, ran, cached, out)
    assert any(line.startswith(f"{file}:") and f" {code} " in line for line in out.splitlines()), out
    # The same verdict as the full run, and the cache learnt nothing from the failed run.
    assert verify(demo, "--no-cache")[3] == out
    assert verify(demo, "--cache", str(cache))[3] == out


def test_an_edit_of_the_current_roster_reexecutes_its_agencys_draws_and_results_none(demo):
    cache = demo / "cache"
    verify(demo, "--cache", str(cache))
    with open(demo / "plans/baofeng/inspectors.yaml", "a", encoding="utf-8") as fh:
        fh.write("# 名录更新\n")
    assert verify(demo, "--cache", str(cache))[:3] == (0, len(BAOFENG), total(demo) - len(BAOFENG))
    results = sorted((demo / "results/baofeng").rglob("*.yaml"))[0]
    with open(results, "a", encoding="utf-8") as fh:
        fh.write("# 复查\n")
    assert verify(demo, "--cache", str(cache))[:3] == (0, 0, total(demo))  # verify reads no results


def test_a_corrupt_or_foreign_entry_is_never_trusted(demo):
    cache = demo / "cache"
    verify(demo, "--cache", str(cache))
    entries = verdicts(cache)
    assert len(entries) == total(demo)
    entries[0].write_bytes(entries[0].read_bytes()[:-2])  # torn
    entries[1].write_bytes(b"")  # empty
    text = entries[2].read_text()
    entries[2].write_text(text.replace('"exact"', '"mismatch"'))  # some other content
    assert verify(demo, "--cache", str(cache))[:3] == (0, 3, total(demo) - 3)
    assert verify(demo, "--cache", str(cache))[:3] == (0, 0, total(demo))  # rewritten whole
    assert not [p for p in cache.rglob(".*") if p.is_file()]  # no temporary file left


def test_pull_requests_use_the_default_cache_and_cache_with_no_cache_is_refused(demo):
    import os

    env = {**os.environ, "GITHUB_EVENT_NAME": "pull_request"}
    run = [sys.executable, "-m", "ssjpub", "verify", "--root", str(demo)]
    subprocess.run(run, env=env, check=True, capture_output=True)
    assert len(verdicts(demo / DEFAULT_DIR)) == total(demo)
    again = subprocess.run(run, env=env, capture_output=True, text=True)
    assert "已重新执行 0 次抽取" in again.stderr
    both = subprocess.run([*run, "--cache", "x", "--no-cache"], capture_output=True, text=True)
    assert both.returncode == 2 and "只能写一个" in both.stderr


def test_agency_limits_validate_and_verify_to_that_agency_and_the_shared_files(demo):
    yanshi = len(list((demo / "plans/yanshi").glob("*/draws/*.json"))) + len(list((demo / "plans/yanshi").glob("*/failures/*.json")))
    _in_record(demo)  # a baofeng record tampered
    (demo / "results/baofeng/2024/2024-01.yaml").write_text("tasks: [\n", encoding="utf-8")  # and a result broken
    assert verify(demo, "--agency", "yanshi", "--no-cache")[:2] == (0, yanshi)
    assert verify(demo, "--agency", "baofeng", "--no-cache")[0] == 1
    run = [sys.executable, "-m", "ssjpub", "validate", str(demo)]
    assert subprocess.run([*run, "--agency", "yanshi"], capture_output=True).returncode == 0
    broken = subprocess.run([*run, "--agency", "baofeng"], capture_output=True, text=True)
    assert broken.returncode == 1 and "results/baofeng/2024/2024-01.yaml:" in broken.stdout
    with open(demo / "plans/lottery-games.yaml", "a", encoding="utf-8") as fh:
        fh.write("bad: [\n")  # a shared file: every agency's run sees it
    shared = subprocess.run([*run, "--agency", "yanshi"], capture_output=True, text=True)
    assert shared.returncode == 1 and "plans/lottery-games.yaml:" in shared.stdout
    unknown = subprocess.run([*run, "--agency", "nowhere"], capture_output=True, text=True)
    assert unknown.returncode == 2 and "不存在" in unknown.stderr and "Traceback" not in unknown.stderr


# A cached run reads only what the draws it re-executes read (their record's shape, snapshot and
# randomness file): those it checks as a full run does. Each change below also changes the draw's
# key, so the file is read; the problem is the full run's, at the same place.
def _bad_snapshot_row(root: Path) -> None:
    path = root / "plans/baofeng/targets/2024-01-05.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[41] = lines[41][:17] + "X" + lines[41][18:]  # a credit code's check digit
    path.write_text("\n".join(lines), encoding="utf-8")


def _bad_randomness(root: Path) -> None:
    with open(root / "plans/baofeng/2024/randomness/2024-03.yaml", "a", encoding="utf-8") as fh:
        fh.write("values: [\n")


def _bad_record_shape(root: Path) -> None:
    path = root / DRAWS / "2024-03.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["targets"][0]["weight"] = "1"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (root / DRAWS / "2024-03.yaml").write_text(render_yaml(record), encoding="utf-8")


INVALID = {
    "snapshot": (_bad_snapshot_row, "plans/baofeng/targets/2024-01-05.csv"),
    "randomness": (_bad_randomness, "plans/baofeng/2024/randomness/2024-03.yaml"),
    "record-shape": (_bad_record_shape, "plans/baofeng/2024/draws/2024-03.json"),
}


@pytest.mark.parametrize("kind", sorted(INVALID))
def test_a_file_a_reexecuted_draw_reads_is_checked_in_the_cached_run(demo, kind):
    change, file = INVALID[kind]
    cache = demo / "cache"
    verify(demo, "--cache", str(cache))
    change(demo)
    run = [sys.executable, "-m", "ssjpub", "verify", "--root", str(demo), "--jobs", "1"]
    cached = subprocess.run([*run, "--cache", str(cache)], capture_output=True, text=True)
    full = subprocess.run([*run, "--no-cache"], capture_output=True, text=True)
    assert cached.returncode == full.returncode == 1 and "Traceback" not in cached.stderr, cached.stderr
    mine = [line for line in cached.stdout.splitlines() if line.startswith(f"{file}:")]
    assert mine and set(mine) <= set(full.stdout.splitlines()), (cached.stdout, full.stdout)
    assert "数据未通过校验" in cached.stderr


def test_a_cached_run_leaves_what_no_reexecuted_draw_reads_to_validate(demo):
    """A snapshot no task names and a randomness file of a task not drawn are in no draw's key: the
    cached run does not read them; `validate`, which CI runs in the same job, reports them."""
    cache = demo / "cache"
    verify(demo, "--cache", str(cache))
    snapshot = demo / "plans/baofeng/targets/2024-01-05.csv"
    stray = demo / "plans/baofeng/targets/2024-12-30.csv"
    stray.write_text(snapshot.read_text(encoding="utf-8").replace(",", ";", 1), encoding="utf-8")  # its header broken
    orphan = demo / "plans/baofeng/2024/randomness/2024-99.yaml"
    orphan.write_text("values: [\n", encoding="utf-8")
    assert verify(demo, "--cache", str(cache))[:3] == (0, 0, total(demo))
    checked = subprocess.run([sys.executable, "-m", "ssjpub", "validate", str(demo)], capture_output=True, text=True)
    assert checked.returncode == 1, checked.stdout
    assert "plans/baofeng/targets/2024-12-30.csv:" in checked.stdout
    assert "plans/baofeng/2024/randomness/2024-99.yaml:" in checked.stdout
    full = subprocess.run([sys.executable, "-m", "ssjpub", "verify", "--root", str(demo), "--no-cache"],
                          capture_output=True, text=True)
    assert full.returncode == 1 and full.stdout == checked.stdout  # the full run validates everything first


# The parse cache (ssjpub.loader.parsecache, `parsed/` in the cache folder): a YAML file changed by
# one byte is read again, and the cached run reports what the full run reports, at the same place.
YAML_INPUTS = {
    "agency": ("plans/baofeng/agency.yaml", "\n", "\nstray: 1\n"),
    "checklist": ("plans/baofeng/checklist.yaml", "\n", "\nstray: 1\n"),
    "inspectors": ("plans/baofeng/inspectors.yaml", "\n", "\nstray: 1\n"),
    "plan": ("plans/baofeng/2024/plan.yaml", "  batches: 3\n", "  batches: x\n"),
    "categories": ("plans/result-categories.yaml", "\n", "\nstray: 1\n"),
    "games": ("plans/lottery-games.yaml", "\n", "\nstray: 1\n"),
}


@pytest.mark.parametrize("kind", sorted(YAML_INPUTS))
def test_a_changed_yaml_input_is_parsed_again(demo, kind):
    rel, old, new = YAML_INPUTS[kind]
    cache = demo / "cache"
    assert verify(demo, "--cache", str(cache))[0] == 0
    assert list((cache / "parsed").rglob("*")), "nothing cached"
    replace_once(demo / rel, old, new)
    run = [sys.executable, "-m", "ssjpub", "verify", "--root", str(demo), "--jobs", "1"]
    cached = subprocess.run([*run, "--cache", str(cache)], capture_output=True, text=True)
    full = subprocess.run([*run, "--no-cache"], capture_output=True, text=True)
    assert cached.returncode == full.returncode == 1 and "Traceback" not in cached.stderr, cached.stderr
    mine = [line for line in cached.stdout.splitlines() if line.startswith(f"{rel}:")]
    assert mine and set(mine) <= set(full.stdout.splitlines()), (cached.stdout, full.stdout)


def test_a_corrupt_parsed_entry_is_a_miss_and_rewritten(demo):
    cache = demo / "cache"
    n = total(demo)
    assert verify(demo, "--cache", str(cache))[:3] == (0, n, 0)
    parsed = sorted(p for p in (cache / "parsed").rglob("*") if p.is_file())
    assert len(parsed) > 10
    for i, entry in enumerate(parsed):
        raw = entry.read_bytes()
        if i % 3 == 0:
            entry.write_bytes(raw[:-1])  # torn
        elif i % 3 == 1:
            entry.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))  # one byte of the pickle
        else:
            entry.write_bytes(b"")
    assert verify(demo, "--cache", str(cache))[:3] == (0, 0, n)
    assert [p.read_bytes() for p in parsed] != [b""] * len(parsed)
    fresh = {p: p.read_bytes() for p in parsed}
    assert verify(demo, "--cache", str(cache))[:3] == (0, 0, n)  # rewritten whole: read as they are
    assert {p: p.read_bytes() for p in parsed} == fresh
    assert not [p for p in cache.rglob(".*") if p.is_file()]


def test_a_roster_rewritten_in_history_is_caught_though_the_files_are_unchanged(demo):
    """The roster check's entries are keyed by the roster versions in git: the same files today,
    a history whose roster before the values differs (one name), and the cached run reports it."""
    cache = demo / "cache"
    assert verify(demo, "--cache", str(cache))[0] == 0
    assert verdicts(cache, '"roster-agrees"')
    roster = demo / "plans/baofeng/inspectors.yaml"
    today = roster.read_bytes()
    first = yaml_name(roster)
    shutil.rmtree(demo / ".git")
    replace_once(roster, first, first + "某")
    _git(demo, "init", "-q", "-b", "main")
    _git(demo, "add", "-A", "--", ".", ":(exclude,glob)plans/*/*/randomness/**", ":(exclude,glob)plans/*/*/draws/**",
         ":(exclude,glob)plans/*/*/failures/**", ":(exclude)cache")
    _git(demo, "commit", "-qm", "inputs, one name otherwise")
    roster.write_bytes(today)
    _git(demo, "add", "-A", "--", ".", ":(exclude)cache")
    _git(demo, "commit", "-qm", "randomness and records, the roster as it is today")
    rc, ran, cached, out = verify(demo, "--cache", str(cache))
    assert (rc, ran, cached) == (1, 0, total(demo)), out
    assert "roster-changed" in out and out == verify(demo, "--no-cache")[3]


def yaml_name(roster: Path) -> str:
    m = re.search(r"name: (\S+)", roster.read_text(encoding="utf-8"))
    assert m
    return m.group(1)


def test_what_a_record_passes_on_is_what_the_readers_read():
    """A cached run keeps of an unchanged record only its passed_on part: the state it hands to
    later draws and the roster check's facts are the same from it as from the whole record."""
    from ssjpub.draw.engine import PriorDraws
    from ssjpub.draw.history import _facts
    from ssjpub.loader.records import passed_on

    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "plans").glob("*/*/draws/*.json"))]
    assert records
    whole, part = PriorDraws(), PriorDraws()
    for i, record in enumerate(records):
        whole.add((2024, str(i)), record)
        part.add((2024, str(i)), passed_on(record))
        assert _facts(record.get("inspectors")) == _facts(passed_on(record).get("inspectors"))
        assert record["randomness"] == passed_on(record)["randomness"]
    assert vars(whole) == vars(part)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=3),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                     max_leaves=8)
_group = st.fixed_dictionaries({}, optional={"target": _json | st.text(max_size=2), "members": _json, "x": _json})
_target = st.fixed_dictionaries({}, optional={"code": _json | st.text(max_size=2), "name": _json})
_record = st.fixed_dictionaries({}, optional={
    "groups": st.lists(_group | _json, max_size=4) | _json, "targets": st.lists(_target | _json, max_size=4) | _json,
    "inspectors": _json, "randomness": _json, "seed": _json})


@given(st.lists(_record, max_size=4))
def test_passed_on_keeps_what_prior_draws_reads_whatever_the_shape(records):
    from ssjpub.draw.engine import PriorDraws
    from ssjpub.loader.records import passed_on

    whole, part = PriorDraws(), PriorDraws()
    for i, record in enumerate(records):
        whole.add((2024 + i % 2, str(i)), record)
        part.add((2024 + i % 2, str(i)), passed_on(record))
        assert {k: record[k] for k in ("inspectors", "randomness") if k in record} == \
            {k: v for k, v in passed_on(record).items() if k in ("inspectors", "randomness")}
    assert vars(whole) == vars(part)


def _latest_verdict(root: Path, cache: Path) -> tuple[str, Path]:
    """The agency's last record in draw order (what a pull request adds) and its verdict entry."""
    from ssjpub.draw import verifycache
    from ssjpub.draw.engine import made_at
    from ssjpub.loader.repository import load_repository

    repo, _ = load_repository(root, results=False, deferred=True)
    data = repo.agencies["baofeng"]
    latest = max(data.draws, key=lambda k: made_at(data, *k))
    return data.draws[latest].file, verifycache.Cache(cache).path(verifycache.record_keys(repo)[("baofeng", *latest, "draw")])


def test_a_pull_request_starts_from_the_cached_state_and_it_never_hides_a_tamper(demo):
    """The draw a pull request adds starts from the state cached for the chain of records before it
    (verifycache.States); torn or swapped state entries are misses; a tampered record is reported
    exactly as by the full run."""
    cache = demo / "cache"
    n = total(demo)
    assert verify(demo, "--cache", str(cache))[:3] == (0, n, 0)
    states = sorted(p for p in (cache / "states").rglob("*") if p.is_file())
    assert len(states) >= 2
    record, entry = _latest_verdict(demo, cache)
    entry.unlink()
    assert verify(demo, "--cache", str(cache))[:3] == (0, 1, n - 1)
    first, second = states[0].read_bytes(), states[1].read_bytes()
    states[0].write_bytes(second)  # another chain's state under this key: its header names the other key
    states[1].write_bytes(first[:-1])  # torn
    for path in states[2:]:
        path.write_bytes(b"")
    entry.unlink()
    assert verify(demo, "--cache", str(cache))[:3] == (0, 1, n - 1)
    import hashlib

    from ssjpub.loader.parsecache import FORMAT

    def intact(path: Path) -> bool:
        header, _, payload = path.read_bytes().partition(b"\n")
        return header == f"{FORMAT} {path.name} {hashlib.sha256(payload).hexdigest()}".encode()

    kept = sorted(p for p in (cache / "states").rglob("*") if p.is_file())
    assert kept == states and all(intact(p) for p in kept)  # each agency's two rewritten whole
    entry.unlink()
    flip_ticket(demo / record)
    rc, ran, cached, out = verify(demo, "--cache", str(cache))
    assert (rc, ran) == (1, 1) and f"{record}:" in out and " draw-mismatch " in out, out
    assert out == verify(demo, "--no-cache")[3]


def test_the_cached_states_are_those_the_records_add_up_to(demo):
    """What States keeps for an agency (before its last record, after all) is the PriorDraws of
    adding up its whole records in draw order, and the record index names each record's values."""
    from ssjpub.draw import verifycache
    from ssjpub.draw.engine import PriorDraws, made_at
    from ssjpub.loader.parsecache import ParseCache
    from ssjpub.loader.repository import load_repository

    cache = demo / "cache"
    assert verify(demo, "--cache", str(cache))[0] == 0
    repo, _ = load_repository(demo, results=False, deferred=True, parsed=ParseCache(cache / "parsed"))
    chains: dict[str, list[str]] = {}
    verifycache.record_keys(repo, chains)
    states = verifycache.States(cache)
    for code, data in sorted(repo.agencies.items()):
        order = sorted(data.draws, key=lambda k: made_at(data, *k))
        whole = PriorDraws()
        for i, key in enumerate(order):
            if i == len(order) - 1:
                assert vars(states.get(chains[code][i])) == vars(whole), code
            record = json.loads((demo / data.draws[key].file).read_text(encoding="utf-8"))
            assert data.draws[key].values_file == record["randomness"]["file"]
            whole.add(key, record)
        assert vars(states.get(chains[code][len(order)])) == vars(whole), code
