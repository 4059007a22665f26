"""Reading a Pagefind bundle back in tests: which pages it indexed."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from ssjpub.site import pagefind_bundle


def bundle_urls(bundle: Path) -> set[str]:
    """Every page URL a bundle's fragments name (relative to its base)."""
    out = set()
    for frag in (bundle / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(frag.read_bytes())
        out.add(json.loads(raw[len(pagefind_bundle.SIGNATURE):])["url"])
    return out
