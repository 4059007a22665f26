"""The browser verifier core (theme/static/verify/core*.js) run in Node: every test vector, every
whole-draw case and every demo record agree with the Python engine and `ssjpub verify` byte for
byte; tampered copies fail at the step that was changed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssjpub.draw.engine import DrawFailed, PriorDraws, canonical_json, execute
from ssjpub.draw.record import render_json
from ssjpub.draw.verify import _usable, verify_draws
from ssjpub.validate import validate

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "tests" / "js"
VERIFY_DIR = ROOT / "theme" / "static" / "verify"
CASES = sorted(p for p in (ROOT / "tests" / "vectors" / "draws").iterdir() if p.is_dir())
NODE = shutil.which("node") or shutil.which("nodejs")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")
STEP_ORDER = ["record", "snapshot-sha256", "snapshot-rows", "parameters-sha256", "parameters-plan",
              "randomness-sources", "randomness-signature", "randomness-canonical", "seed", "prior-draws",
              "eligible", "strata", "targets", "inspectors", "groups", "failure", "record-bytes"]


def node(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([NODE, *args], capture_output=True, text=True, timeout=300)
    assert "Error" not in done.stderr, done.stderr
    if check:
        assert done.returncode in (0, 1), done.stderr
    return done


def verify_js(*args: str) -> list[dict]:
    """Reports of tests/js/verify.cjs, one per record."""
    return [json.loads(line) for line in node(str(JS / "verify.cjs"), *args).stdout.splitlines()]


def python_records(root: Path) -> dict[str, str]:
    """Every draw and failure record under `root` as the Python engine re-executes it (the bytes
    `ssjpub draw` would write), with the recorded roster, as `ssjpub verify` does."""
    repo, _ = validate(root)
    out = {}
    for code, data in repo.agencies.items():
        for kind, records in (("draws", data.draws), ("failures", data.failures)):
            for (year, task), loaded in records.items():
                roster = _usable(loaded.data.get("inspectors"))
                prior = PriorDraws.before(data, year, task) if kind == "draws" else None
                try:
                    record = execute(repo, code, year, task, roster=roster, prior=prior,
                                     algorithm=loaded.data["algorithm"])
                except DrawFailed as exc:
                    record = exc.record
                out[loaded.file] = render_json(record)
    return out


def assert_all_ok(reports: list[dict], root: Path) -> None:
    for r in reports:
        bad = [s for s in r["steps"] if s["status"] != "ok"]
        assert r["ok"] and not bad, (r["record"], bad)
        ids = [s["id"] for s in r["steps"]]
        assert ids == sorted(ids, key=STEP_ORDER.index)
        assert ids[0] == "record" and ids[-1] == "record-bytes"
        assert r["recomputed"] == (root / r["record"]).read_text(encoding="utf-8")


# --- single-function vectors ----------------------------------------------------------------------


def assert_vectors_agree(computed: dict) -> None:
    """`computed` (what tests/js/vector-compute.js gives) has every vector's expected outputs."""
    files = sorted(p.name for p in (ROOT / "tests" / "vectors").glob("*.json"))
    assert sorted(computed) == files
    for name, results in computed.items():
        vectors = json.loads((ROOT / "tests" / "vectors" / name).read_text(encoding="utf-8"))["vectors"]
        assert len(results) == len(vectors)
        for vector, result in zip(vectors, results):
            for key, value in result.items():
                want = vector[key]
                if key == "drawn":
                    want = [{k: t[k] for k in ("code", "stratum", "ticket", "copy")} for t in want]
                assert value == want, (name, key)


def test_every_vector_file_through_the_component_functions():
    assert_vectors_agree(json.loads(node(str(JS / "vectors.cjs"), str(ROOT / "tests" / "vectors")).stdout))


# --- whole draws ------------------------------------------------------------------------------------


def test_every_whole_draw_case_recomputes_its_committed_record():
    reports = verify_js("--roots", *map(str, CASES))
    by_case = {}
    for r in reports:
        by_case.setdefault(Path(r["root"]).name, []).append(r)
    assert sorted(by_case) == [c.name for c in CASES]
    kinds = set()
    for case in CASES:
        assert_all_ok(by_case[case.name], case)
        expected = python_records(case)
        assert {r["record"]: r["recomputed"] for r in by_case[case.name]} == expected
        kinds |= {"failures" if "/failures/" in r["record"] else "draws" for r in by_case[case.name]}
    assert kinds == {"draws", "failures"}
    drand = [s for r in by_case["drand-and-lottery"] for s in r["steps"] if s["id"] == "randomness-signature"]
    assert [s["status"] for s in drand] == ["ok"]  # a real quicknet round, BLS-verified with noble


def test_every_demo_record_agrees_with_ssjpub_verify():
    reports = verify_js(str(ROOT))
    repo, _ = validate(ROOT)
    checked, mismatches = verify_draws(repo)
    assert mismatches == [] and checked == len(reports) >= 10
    assert_all_ok(reports, ROOT)
    assert {r["record"]: r["recomputed"] for r in reports} == python_records(ROOT)


def test_ssjpub_draw_1_records_are_verified_as_1():
    root = ROOT / "tests" / "fixtures" / "draw-v1"
    reports = verify_js(str(root))
    assert len(reports) == 3
    assert_all_ok(reports, root)
    assert {r["record"]: r["recomputed"] for r in reports} == python_records(root)


def test_whole_files_hashed_with_noble_and_with_webcrypto_give_the_same_reports():
    case = str(ROOT / "tests" / "vectors" / "draws" / "snapshot-text-forms")
    assert verify_js(case, "--noble") == verify_js(case)
    assert "crypto.subtle" not in (VERIFY_DIR / "core-draw.js").read_text(encoding="utf-8")


PROGRESS = """
const { loadCore, dirReader } = require(process.argv[1] + "/load.cjs");
const fractions = [], steps = [];
loadCore().verifyRecord(process.argv[3], dirReader(process.argv[2]), {
  onProgress: (f) => fractions.push(f), onStep: (s) => steps.push(s.id) })
  .then((r) => console.log(JSON.stringify({ ok: r.ok, fractions, steps, reported: r.steps.map((s) => s.id) })));
"""


def test_progress_goes_from_0_to_1_in_small_steps_and_steps_are_streamed():
    done = node("-e", PROGRESS, str(JS), str(ROOT), "plans/yanshi/2023/draws/2023-01.json")
    out = json.loads(done.stdout)
    f = out["fractions"]
    assert out["ok"] and f[0] == 0 and f[-1] == 1 and f == sorted(f)
    assert max(b - a for a, b in zip(f, f[1:])) <= 0.05  # tickets: every 1 % of them (0.8 % of the bar)
    assert out["steps"] == out["reported"]


# --- tampering ----------------------------------------------------------------------------------------


@pytest.fixture
def copy_of(tmp_path):
    def make(case: str) -> Path:
        src = ROOT if case == "demo" else ROOT / "tests" / "vectors" / "draws" / case
        shutil.copytree(src / "plans", tmp_path / "plans")
        return tmp_path
    return make


def first_fail(report: dict) -> dict:
    return next(s for s in report["steps"] if s["status"] == "fail")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_changed_snapshot_row_fails_first_at_the_snapshot_digest(copy_of):
    root = copy_of("demo")
    csv = root / "plans/baofeng/targets/2024-01-05.csv"
    lines = csv.read_text(encoding="utf-8").split("\n")
    lines[5] = lines[5].replace(",否,", ",是,") if ",否," in lines[5] else lines[5].replace(",是,", ",否,")
    csv.write_text("\n".join(lines), encoding="utf-8")
    [report] = verify_js(str(root), "plans/baofeng/2024/draws/2024-01.json")
    assert not report["ok"]
    step = first_fail(report)
    assert step["id"] == "snapshot-sha256" and step["where"] == "population.sha256"


SPLIT = "plans/shili/targets/2023-01-03"


def test_a_changed_part_of_a_split_snapshot_fails_at_that_part(copy_of):
    """ssjpub-draw/3: every part the record lists is fetched and its digest checked."""
    root = copy_of("split-population")
    edit(root / SPLIT / "410421-宝丰县.csv", "示例县示例005号", "示例县示例995号")
    [report] = verify_js(str(root), "plans/shili/2024/draws/2024-01.json")
    step = first_fail(report)
    assert step["id"] == "snapshot-sha256" and step["where"] == "population.sha256"
    assert any("记录之外的文件" in u for u in report["unchecked"])


def test_a_split_snapshot_with_a_code_in_two_parts_fails_at_the_second(copy_of):
    root = copy_of("split-population")
    first = (root / SPLIT / "410402.csv").read_text(encoding="utf-8").splitlines()[1]
    with (root / SPLIT / "410421-宝丰县.csv").open("a", encoding="utf-8") as fh:
        fh.write(first + "\n")
    [report] = verify_js(str(root), "plans/shili/2024/draws/2024-01.json")
    step = next(s for s in report["steps"] if s["id"] == "snapshot-rows")
    assert step["status"] == "fail" and step["where"] == f"{SPLIT}/410421-宝丰县.csv 第 5 行"


def test_a_changed_ticket_fails_at_targets_with_where(copy_of):
    root = copy_of("demo")
    path = root / "plans/baofeng/2024/draws/2024-05.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["targets"][3]["ticket"] = "0" * 64
    path.write_text(render_json(record), encoding="utf-8")
    [report] = verify_js(str(root), "plans/baofeng/2024/draws/2024-05.json")
    step = first_fail(report)
    assert (step["id"], step["where"]) == ("targets", "targets[3].ticket")
    assert step["expected"] == json.dumps("0" * 64) and step["actual"] != step["expected"]
    assert [s["id"] for s in report["steps"] if s["status"] == "fail"] == ["targets", "record-bytes"]


@pytest.mark.parametrize("case, old, new", [
    ("combined-ceremony-lottery", None, None),  # a digit of the ceremony
    ("demo", None, None),                        # a lottery number
])
def test_a_changed_digit_of_the_randomness_fails_at_its_source(copy_of, case, old, new):
    root = copy_of(case)
    files = sorted((root / "plans").glob("*/*/randomness/*.yaml"))
    target = files[0]
    text = target.read_text(encoding="utf-8")
    if case == "demo":
        changed = re.sub(r"(\n\s*- )(\d+)\n", lambda m: f"{m.group(1)}{int(m.group(2)) + 40}\n", text, count=1)
    else:
        changed = re.sub(r"digits: '(\d)", lambda m: f"digits: '{(int(m.group(1)) + 1) % 10}", text, count=1)
    assert changed != text
    target.write_text(changed, encoding="utf-8")
    rel = target.relative_to(root).as_posix()
    record = rel.replace("/randomness/", "/draws/").replace(".yaml", ".json")
    [report] = verify_js(str(root), record)
    step = first_fail(report)
    assert step["id"] == "randomness-sources" and step["where"].startswith("randomness.")


@pytest.mark.parametrize("how", ["negated", "mistyped"])
def test_a_wrong_drand_signature_fails_at_the_signature(copy_of, how):
    root = copy_of("drand-and-lottery")
    path = root / "plans/shili/2024/randomness/2024-01.yaml"
    text = path.read_text(encoding="utf-8")
    sig = re.search(r"signature: ([0-9a-f]{96})", text).group(1)
    if how == "negated":  # the sign bit of the compressed point: -S, on the curve, not the round's signature
        wrong = f"{int(sig[:2], 16) ^ 0x20:02x}" + sig[2:]
    else:  # most changed digits give no point of G1 at all
        wrong = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    path.write_text(text.replace(sig, wrong), encoding="utf-8")
    [report] = verify_js(str(root), "plans/shili/2024/draws/2024-01.json")
    step = next(s for s in report["steps"] if s["id"] == "randomness-signature")
    assert step["status"] == "fail" and step["where"].endswith("sources[0].signature")
    assert ("公钥不符" in step["detail"]) == (how == "negated")
    assert not report["ok"]


def test_a_changed_plan_fails_at_parameters_plan(copy_of):
    root = copy_of("demo")
    edit(root / "plans/baofeng/2024/plan.yaml", "    end: 2024-02-06", "    end: 2024-02-07")
    [report] = verify_js(str(root), "plans/baofeng/2024/draws/2024-01.json")
    step = first_fail(report)
    assert (step["id"], step["where"]) == ("parameters-plan", "parameters.window.end")


def test_reordered_keys_fail_only_at_the_record_bytes(copy_of):
    root = copy_of("demo")
    path = root / "plans/yanshi/2023/draws/2023-02.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(dict(reversed(record.items())), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    [report] = verify_js(str(root), "plans/yanshi/2023/draws/2023-02.json")
    assert [s["id"] for s in report["steps"] if s["status"] != "ok"] == ["record-bytes"]


@pytest.mark.parametrize("change", ["bom", "crlf", "no final newline"])
def test_a_record_with_other_bytes_fails_only_at_the_record_bytes(copy_of, change):
    root = copy_of("demo")
    path = root / "plans/yanshi/2023/draws/2023-03.json"
    raw = path.read_bytes()
    raw = {"bom": b"\xef\xbb\xbf" + raw, "crlf": raw.replace(b"\n", b"\r\n"), "no final newline": raw[:-1]}[change]
    path.write_bytes(raw)
    [report] = verify_js(str(root), "plans/yanshi/2023/draws/2023-03.json")
    assert [s["id"] for s in report["steps"] if s["status"] != "ok"] == ["record-bytes"]


def test_a_failure_record_that_would_succeed_is_refused(copy_of):
    root = copy_of("count-exceeds-eligible-fails")
    plan = root / "plans/shili/2024/plan.yaml"
    text = plan.read_text(encoding="utf-8")
    changed = re.sub(r"count: \d+", "count: 1", text)
    assert changed != text
    plan.write_text(changed, encoding="utf-8")
    [report] = verify_js(str(root), "plans/shili/2024/failures/2024-01.json")
    fails = [s["id"] for s in report["steps"] if s["status"] == "fail"]
    assert fails[0] == "parameters-plan" and "failure" in fails


def test_missing_files_are_failures_never_ticks(copy_of):
    root = copy_of("demo")
    (root / "plans/baofeng/2024/randomness/2024-02.yaml").unlink()
    [report] = verify_js(str(root), "plans/baofeng/2024/draws/2024-02.json")
    status = {s["id"]: s["status"] for s in report["steps"]}
    assert status["randomness-sources"] == "fail" and not report["ok"]
    assert status["seed"] == status["targets"] == status["groups"] == status["record-bytes"] == "skip"
    assert any("官方" in u for u in report["unchecked"])


def test_without_a_file_list_prior_draws_is_skipped_not_ticked():
    reports = verify_js(str(ROOT / "tests/vectors/draws/two-earlier-inspections"), "--no-list")
    for r in reports:
        status = {s["id"]: s["status"] for s in r["steps"]}
        assert status.pop("prior-draws") == "skip" and set(status.values()) == {"ok"} and r["ok"]


def test_a_record_of_the_wrong_shape_fails_without_an_exception(copy_of):
    root = copy_of("demo")
    (root / "plans/baofeng/2024/plan.yaml").unlink()
    path = root / "plans/baofeng/2024/draws/2024-01.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["parameters"]["weights"] = 5
    record["parameters"]["scope"] = None
    path.write_text(render_json(record), encoding="utf-8")
    [report] = verify_js(str(root), "plans/baofeng/2024/draws/2024-01.json")
    status = {s["id"]: s["status"] for s in report["steps"]}
    assert not report["ok"] and [status[i] for i in ("eligible", "targets", "groups", "record-bytes")] == ["skip"] * 4
    # without the file list, the record's own prior_draws: the draw runs into the broken weights
    [report] = verify_js(str(root), "plans/baofeng/2024/draws/2024-01.json", "--no-list")
    last = report["steps"][-1]
    assert not report["ok"] and (last["id"], last["status"]) == ("record", "fail") and "无法继续" in last["detail"]


# --- the traps: white space, code point order, canonical JSON --------------------------------------


@pytest.fixture(scope="module")
def js():
    proc = subprocess.Popen([NODE, str(JS / "eval.cjs")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def call(fn, *args):
        proc.stdin.write(json.dumps({"fn": fn, "args": list(args)}) + "\n")
        proc.stdin.flush()
        out = json.loads(proc.stdout.readline())
        assert "error" not in out, out
        return out["result"]
    yield call
    proc.stdin.close()
    proc.wait(timeout=10)


SPACES = [chr(c) for c in range(0x110000) if chr(c).isspace()]


def test_the_29_white_space_code_points_are_pythons(js):
    assert len(SPACES) == 29
    every = "".join(SPACES)
    assert js("strip", every + "x\u200b\ufeff" + every) == "x\u200b\ufeff"
    assert js("strip", "\u200bx") == "\u200bx"


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(["a", "\uffef", "\U0001f600", "\u3000", " ", "\ud7ff", "\u00e9", "\u0301"]),
                        max_size=4), min_size=2, max_size=8), texts)
def test_order_strip_and_nfc_fields_agree_with_python(js, words, text):
    assert [js("cmp", a, b) for a, b in zip(words, words[1:])] == [(a > b) - (a < b) for a, b in zip(words, words[1:])]
    assert js("strip", text) == text.strip()
    nfc = unicodedata.normalize("NFC", text).encode("utf-8")
    assert js("field", text) == (len(nfc).to_bytes(4, "big") + nfc).hex()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4), max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_canonical_json_agrees_with_python(js, value):
    assert js("canonicalJson", value) == canonical_json(value).decode("utf-8")


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(st.sampled_from(["A", "B", "C", "1", "10", "2", "其他", "\U0001f600", "\uffef"]),
                       st.sampled_from(["5%", "12.5%"]), min_size=1))
def test_map_keys_are_written_in_code_point_order_even_integer_like_ones(js, ratios):
    record = json.loads((ROOT / "plans/baofeng/2024/draws/2024-02.json").read_text(encoding="utf-8"))
    record["parameters"]["strata"]["ratios"] = dict(ratios)
    assert js("renderRecord", record) == render_json({**record, "parameters": {
        **record["parameters"], "strata": {"by": "grade", "ratios": dict(sorted(ratios.items()))}}})


def test_every_verifier_file_declares_exactly_one_function():
    for path in sorted(VERIFY_DIR.glob("core*.js")):
        text = path.read_text(encoding="utf-8")
        top = re.findall(r"^(?:function|const|let|var|class)\s+(\w+)", text, re.M)
        assert len(top) == 1 and text.count("\nfunction ") + text.startswith("function ") == 1, path.name
        assert not re.search(r"(?<![.\w])(?:require\(|document\.|window\.)|^\s*(?:import|export)\s", text, re.M), path.name


def test_the_page_node_and_core_load_the_same_scripts_in_the_same_order():
    """The load order is written in three places (core.js's header, page.js, tests/js/load.cjs):
    a file added to one and not the others would leave a function undefined in one of them."""
    verify = ROOT / "theme/static/verify"
    header = (verify / "core.js").read_text(encoding="utf-8").split("function ssjpubCore", 1)[0]
    documented = re.findall(r"([\w/-]+\.js) \(", header)
    page = re.search(r"var SCRIPTS = \[(.*?)\]", (verify / "page.js").read_text(encoding="utf-8"), re.S).group(1)
    node = re.search(r"const FILES = \[(.*?)\]", (ROOT / "tests/js/load.cjs").read_text(encoding="utf-8"), re.S).group(1)
    assert documented and re.findall(r"['\"]([\w/.-]+)['\"]", page) == documented + ["worker.js"]
    assert re.findall(r"['\"]([\w/.-]+)['\"]", node) == documented
