"""The docs are part of the product: they must cover every code, field and command there is."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from ssjpub.cli.main import cli
from ssjpub.model import DOCUMENTS, SNAPSHOT_COLUMNS
from ssjpub.problems import CODES

ROOT = Path(__file__).resolve().parent.parent


def _models(model: type[BaseModel], seen: set) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        for tp in re.findall(r"ssjpub\.model\.(\w+)", str(field.annotation)):
            import ssjpub.model as m

            sub = getattr(m, tp)
            if isinstance(sub, type) and issubclass(sub, BaseModel):
                _models(sub, seen)


def test_every_error_code_is_documented_and_nothing_else():
    text = (ROOT / "docs/errors.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", text, flags=re.M))
    assert documented == set(CODES)


def test_every_field_is_in_the_staff_guide():
    text = (ROOT / "docs/staff-guide.md").read_text(encoding="utf-8")
    models: set = set()
    for model in DOCUMENTS.values():
        _models(model, models)
    missing = sorted(
        f"{m.__name__}.{name}" for m in models for name in m.model_fields if f"`{name}`" not in text
    )
    assert missing == []
    assert [c for c in SNAPSHOT_COLUMNS if f"`{c}`" not in text] == []


@pytest.mark.parametrize("command", cli.list_commands(None))
def test_every_command_has_chinese_help_and_is_in_the_readme(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert re.search(r"[\u4e00-\u9fff]", result.output)
    assert f"ssjpub {command}" in (ROOT / "README.md").read_text(encoding="utf-8") or command == "schema"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make html" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_readme_sample_output_is_what_validate_prints(tmp_path):
    """The README shows real output of a broken copy of the demo; keep it true."""
    import shutil

    for name in ("plans", "results"):
        shutil.copytree(ROOT / name, tmp_path / name)
    plan = tmp_path / "plans/baofeng/2024/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("  items:", "  itmes:", 1), encoding="utf-8")
    csv = tmp_path / "plans/baofeng/targets/2024-01-05.csv"
    lines = csv.read_text(encoding="utf-8").split("\n")
    lines[41] = lines[41][:17] + "X" + lines[41][18:]
    csv.write_text("\n".join(lines), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "ssjpub", "validate", str(tmp_path)], capture_output=True, text=True
    )
    assert out.returncode == 1
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in out.stdout.splitlines() + [out.stderr.strip()]:
        assert line in readme


# --- docs/draw-spec.md: every hex value it shows is recomputed here from its own words ----------

def _spec_hash(*texts: str) -> str:
    import hashlib
    import unicodedata

    data = b""
    for t in texts:
        b = unicodedata.normalize("NFC", t).encode()
        data += len(b).to_bytes(4, "big") + b
    return hashlib.sha256(data).hexdigest()


def test_every_hex_value_in_the_draw_spec_is_recomputed():
    import hashlib

    spec = (ROOT / "docs/draw-spec.md").read_text(encoding="utf-8")
    pop = hashlib.sha256(b"credit_code,name\n").hexdigest()
    par = hashlib.sha256(b'{"count":2,"task":"t1"}').hexdigest()
    units = (("91110000600037341L", 1), ("91310115MA1K3BTP2B", 3), ("91410421DEM00001A7", 1))
    shown = {pop, par}
    # §2.4: the pinned quicknet chain (ssjpub/beacon pins the same; drand's /info publishes them).
    shown |= {"52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
              "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"}
    assert "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_" in spec and "1692803367 + 3·(r − 1)" in spec
    # The chain hash as §2.4 derives it, from the key and the group hash it shows.
    group_hash = "f477d5c89f21a17c863a7f937c6a6d15859414d2be09cd448d4279af331c5d3e"
    key = bytes.fromhex(sorted(shown, key=len)[-1])
    chain = hashlib.sha256((3).to_bytes(4, "big") + (1692803367).to_bytes(8, "big") + key
                           + bytes.fromhex(group_hash) + b"quicknet").hexdigest()
    assert chain == "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
    shown.add(group_hash)
    # §10.2: drand quicknet round 123's published signature, and what §2.3 makes of it.
    signature = "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92"
    drand = hashlib.sha256(bytes.fromhex(signature)).hexdigest()
    combined = "3.12.15.22.28.31./9./" + "09876543210123456789/" + drand + "/"
    assert f"`{combined}`" in spec and f"共 {len(combined.encode())} 字节" in spec
    assert f"`{len(combined.encode()):08x}`" in spec
    shown |= {signature, drand}
    for algorithm, randomness, ranked in (
        ("ssjpub-draw/1", "3.12.15.22.28.31./9./", ["91410421DEM00001A7", "91310115MA1K3BTP2B"]),
        ("ssjpub-draw/2", combined, ["91310115MA1K3BTP2B", "91410421DEM00001A7"]),
    ):
        label = " ".join(["0000000d"] + [algorithm.encode().hex()[i:i + 4] for i in range(0, 26, 4)])
        assert label in spec, label
        seed = _spec_hash(algorithm, "seed", "demo", "2024", "t1", pop, par, randomness)
        assert f"seed = {seed}" in spec
        tickets = {c: [_spec_hash(algorithm, "target", seed, c, str(k)) for k in range(1, w + 1)] for c, w in units}
        shown |= {seed} | {t for ts in tickets.values() for t in ts}
        best = sorted((min(ts), c) for c, ts in tickets.items())
        assert [c for _, c in best[:2]] == ranked
        assert f"rank 1 = {ranked[0]}" in spec and f"rank 2 = {ranked[1]}" in spec
    # §10.3: the same units split in two files (ssjpub-draw/3), the parts' digest in the seed.
    parts = [("410402.csv", b"credit_code,name\n91110000600037341L,\n91310115MA1K3BTP2B,\n"),
             ("410421.csv", b"credit_code,name\n91410421DEM00001A7,\n")]
    digests = [hashlib.sha256(raw).hexdigest() for _, raw in parts]
    pop3 = _spec_hash("ssjpub-draw/3", "population", parts[0][0], digests[0], parts[1][0], digests[1])
    seed3 = _spec_hash("ssjpub-draw/3", "seed", "demo", "2024", "t1", pop3, par, "3.12.15.22.28.31./9./")
    tickets = {c: [_spec_hash("ssjpub-draw/3", "target", seed3, c, str(k)) for k in range(1, w + 1)] for c, w in units}
    best = sorted((min(ts), c) for c, ts in tickets.items())
    assert f"seed = {seed3}" in spec and f"rank 1 = {best[0][1]}" in spec and f"rank 2 = {best[1][1]}" in spec
    shown |= {*digests, pop3, seed3} | {t for ts in tickets.values() for t in ts}
    found = set(re.findall(r"(?<![0-9a-f])[0-9a-f]{64,}(?![0-9a-f])", spec))
    assert found and found <= shown, sorted(found - shown)
