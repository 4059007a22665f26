"""manifest.json takes the digest of a file the generator wrote from its stamp (size and mtime as
written) instead of reading it back; a file changed since is read again (ssjpub.site.publish)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ssjpub.site.publish import manifest, read_manifest, stamp


def digests(output: Path, known: dict) -> dict[str, str]:
    _commit, _sources, files = read_manifest(manifest(output, "未知", {}, known=known))
    return {rel: f.sha256 for rel, f in files.items()}


def test_a_stamped_file_is_not_read_again_and_a_changed_one_is(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_bytes(b"<p>one</p>")
    real = hashlib.sha256(b"<p>one</p>").hexdigest()
    # The stamp's digest is trusted while size and mtime are as written: a stand-in digest shows it
    # is not read again (the generator's is that of the bytes it wrote).
    standin = "0" * 64
    known = {"a.html": stamp(page, standin, len(b"<p>one</p>"))}
    assert digests(tmp_path, known) == {"a.html": standin}

    # Rewritten with the same size: another mtime, so the file is read.
    st = page.stat()
    page.write_bytes(b"<p>two</p>")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert digests(tmp_path, known) == {"a.html": hashlib.sha256(b"<p>two</p>").hexdigest()}

    # Another size: read, whatever the time.
    page.write_bytes(b"<p>three</p>")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert digests(tmp_path, known) == {"a.html": hashlib.sha256(b"<p>three</p>").hexdigest()}

    # A file written with other bytes than stated is never stamped.
    page.write_bytes(b"<p>one</p>")
    assert stamp(page, real, 3) is None
    assert stamp(tmp_path / "missing.html", real, 3) is None
