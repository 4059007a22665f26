"""Shared helpers: fixture repositories, identifier generators, and the CLI runner.

Every test works on copies under ``tmp_path``; nothing is ever written into the repository.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import settings
from hypothesis import strategies as st

from ssjpub.cli.main import cli
from ssjpub.identifiers import CREDIT_CHARSET, credit_check_char
from ssjpub.problems import Problem
from ssjpub.validate import validate

# No example database (it would be written into the working tree) and no deadline (timing is
# never asserted: a loaded CI machine must not turn a slow example into a failure).
settings.register_profile("ssjpub", database=None, deadline=None)
settings.load_profile("ssjpub")

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
FIXTURES = TESTS / "fixtures"
BASE = FIXTURES / "base"
ERRORS = FIXTURES / "errors"

# Files in an error case that describe the case rather than overlay the base repository.
CASE_FILES = {"expect.yaml", "remove.txt", "symlinks.yaml"}


# --- identifiers ---------------------------------------------------------------------------


def credit_code(body: str) -> str:
    """A valid 统一社会信用代码 for 17 characters from the charset."""
    return body + credit_check_char(body)


def fictional_code(serial: int, division: str = "410999", kind: str = "91") -> str:
    """kind + division + 'DEM0' + five serial characters + check, like the demo's codes."""
    chars, n = [], serial
    for _ in range(5):
        n, r = divmod(n, len(CREDIT_CHARSET))
        chars.append(CREDIT_CHARSET[r])
    return credit_code(f"{kind}{division}DEM0{''.join(reversed(chars))}")


def with_wrong_check(code: str) -> str:
    """The same code with a check character that is wrong (the next one in the charset)."""
    i = CREDIT_CHARSET.index(code[17])
    return code[:17] + CREDIT_CHARSET[(i + 1) % len(CREDIT_CHARSET)]


_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def resident_id(first17: str) -> str:
    """An 18-character 居民身份证号码 with the GB 11643 check digit (computed here, independently)."""
    assert len(first17) == 17 and first17.isdigit()
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS))
    return first17 + "10X98765432"[total % 11]


# A fictional but well-formed 身份证号: region 110101, born 1990-03-07, sequence 457.
SAMPLE_ID = resident_id("11010119900307457")
SAMPLE_MOBILE = "13912345678"

# The provinces of GB/T 2260 (with 81-83 of the residence permits), written out here on purpose.
ID_PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
                "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
                "71", "81", "82", "83"]

# Valid 身份证号 (GB 11643): address code, birth date, sequence, check digit.
resident_ids = st.builds(
    lambda province, place, born, seq: resident_id(f"{province}{place:04d}{born:%Y%m%d}{seq:03d}"),
    st.sampled_from(ID_PROVINCES), st.integers(0, 9999), st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    st.integers(0, 999),
)
# Mobile numbers: 1[3-9] and nine digits.
mobiles = st.builds(lambda second, rest: f"1{second}{rest:09d}", st.sampled_from("3456789"),
                    st.integers(0, 10**9 - 1))


# --- repositories ---------------------------------------------------------------------------


def copy_tree(src: Path, dst: Path, skip: set[str] = frozenset()) -> None:
    """Copy ``src`` over ``dst`` (merging), skipping top-level names in ``skip``."""
    for item in sorted(src.iterdir()):
        if item.name in skip:
            continue
        target = dst / item.name
        if item.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            copy_tree(item, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item, target)


def make_repo(dst: Path, case: Path | None = None) -> Path:
    """The base repository at ``dst``, with the error case's overlay applied (and removals done)."""
    dst.mkdir(parents=True, exist_ok=True)
    copy_tree(BASE, dst)
    if case is not None:
        copy_tree(case, dst, skip=CASE_FILES)
        removals = case / "remove.txt"
        if removals.exists():
            for rel in removals.read_text(encoding="utf-8").split():
                path = dst / rel
                assert path.is_file(), f"remove.txt names {rel}, which the base does not have"
                path.unlink()
        # Symbolic links cannot be copied as files: symlinks.yaml lists {link, target} to make.
        links = case / "symlinks.yaml"
        for entry in yaml.safe_load(links.read_text(encoding="utf-8")) if links.exists() else []:
            path = dst / entry["link"]
            if path.is_file():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.symlink_to(entry["target"])
    return dst


def copy_demo(dst: Path) -> Path:
    """The committed demo data (plans/ and results/) copied to ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("plans", "results"):
        shutil.copytree(REPO / name, dst / name)
    return dst


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh copy of the minimal valid base repository."""
    return make_repo(tmp_path / "repo")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A fresh copy of the committed demo data."""
    return copy_demo(tmp_path / "demo")


def problems_of(root: Path) -> list[Problem]:
    _repo, problems = validate(root)
    return problems


def where(problems: list[Problem]) -> set[tuple[str, int, str]]:
    return {(p.file, p.line, p.code) for p in problems}


def append_text(path: Path, text: str) -> int:
    """Append ``text`` to a UTF-8 file; return the 1-based line number the text starts on."""
    old = path.read_text(encoding="utf-8")
    assert old.endswith("\n")
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the single occurrence of ``old``; return the line number where it stood."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


# --- error cases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """tests/fixtures/errors/<code>/[<variant>/]: an overlay on base plus expect.yaml."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.relative_to(ERRORS).as_posix()

    @property
    def code(self) -> str:
        return self.path.relative_to(ERRORS).parts[0]

    def expected(self) -> list[dict]:
        entries = yaml.safe_load((self.path / "expect.yaml").read_text(encoding="utf-8"))
        assert isinstance(entries, list) and entries, f"{self.name}/expect.yaml must be a non-empty list"
        for e in entries:
            assert {"file", "line", "code"} <= set(e), f"{self.name}: entry {e} lacks file/line/code"
            assert set(e) <= {"file", "line", "column", "code", "contains", "excludes"}, e
        return entries


def error_cases() -> list[Case]:
    return sorted((Case(p.parent) for p in ERRORS.rglob("expect.yaml")), key=lambda c: c.name)


# --- CLI ------------------------------------------------------------------------------------


def run_cli(*args: str | Path) -> Result:
    """Run ``ssjpub ARGS`` in-process; stdout and stderr are kept apart (click >= 8.2)."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)


def console_script() -> Path | None:
    """The installed ``ssjpub`` script next to the running interpreter (the venv's), if any."""
    path = Path(sys.executable).parent / "ssjpub"
    return path if path.exists() else None


# --- a real time-stamping authority (tests/tsa_server.py) ----------------------------------


@pytest.fixture(scope="module")
def local_tsa(tmp_path_factory):
    """`openssl ts -reply` behind HTTP on 127.0.0.1, with its own CA; one per test module."""
    from tsa_server import LocalTSA

    tsa = LocalTSA(tmp_path_factory.mktemp("tsa")).start()
    yield tsa
    tsa.stop()


# --- the demo site, built once for the whole run -------------------------------------------------
# Building it takes half a minute; the modules that only read the built demo (pages, links,
# downloads, the browser tests) share this one build rather than each making its own.

@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    from test_site import build  # the one way the tests run Pelican

    return build(REPO / "content", tmp_path_factory.mktemp("demo-site") / "output")


@pytest.fixture(scope="session")
def demo_served(demo_site):
    """http://127.0.0.1:<port>/ serving the built demo."""
    import functools
    import http.server
    import threading

    from test_browser import _QuietHandler

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(demo_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
