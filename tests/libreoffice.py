"""LibreOffice headless (Debian's ``libreoffice-calc-nogui``) for the tests that check a spreadsheet
opens in it and survives being saved by it. Tests skip when ``soffice`` is absent; CI installs it.

Each call gets its own user profile: two LibreOffice processes sharing one profile block each other.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")

# Filter names: https://help.libreoffice.org/latest/en-US/text/shared/guide/convertfilters.html
XLSX = "xlsx:Calc MS Excel 2007 XML"
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76"  # comma, double quote, UTF-8


def convert(src: Path, to: str, outdir: Path, timeout: float = 120) -> Path:
    """``src`` opened and saved by LibreOffice as ``to`` (XLSX or CSV_UTF8) in ``outdir``."""
    assert SOFFICE is not None
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".lo-profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
         "--convert-to", to, "--outdir", str(outdir), str(src)],
        check=True, capture_output=True, timeout=timeout,
    )
    out = outdir / (src.stem + "." + to.split(":", 1)[0])
    assert out.exists(), f"LibreOffice wrote nothing for {src}"
    return out


def convert_all(srcs: list[Path], to: str, outdir: Path, timeout: float = 300) -> list[Path]:
    """Like ``convert``, for many files in one LibreOffice run (its start-up is most of the time).
    The files' names must differ: each is written as ``outdir/<its stem>.<ext>``."""
    assert SOFFICE is not None
    assert len({s.stem for s in srcs}) == len(srcs), "two files of the same name would overwrite each other"
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".lo-profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
         "--convert-to", to, "--outdir", str(outdir), *map(str, srcs)],
        check=True, capture_output=True, timeout=timeout,
    )
    outs = [outdir / (s.stem + "." + to.split(":", 1)[0]) for s in srcs]
    missing = [o.name for o in outs if not o.exists()]
    assert not missing, f"LibreOffice wrote nothing for {missing}"
    return outs
