"""remove_stale with a stale folder nested in another stale folder (the search bundles: pagefind/1/…)."""

import os

from ssjpub.site import inplace


def test_nested_stale_folders_are_removed(tmp_path):
    for rel in ("a/pagefind/1/x.pf", "a/pagefind/1/y/z.pf", "a/pagefind/k.pf", "a/index.html"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    since = max(os.lstat(p).st_ctime_ns for p in tmp_path.rglob("*")) + 1
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    left = inplace.remove_stale(tmp_path, files, since, {"a/index.html"})
    assert left == ["a/index.html"]
    assert not (tmp_path / "a/pagefind").exists()
