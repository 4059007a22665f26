# Pelican settings for publishing: `pelican content -s publishconf.py`.
# The absolute site URL comes from SSJPUB_SITEURL (CI sets it from the Pages URL).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SSJPUB_SITEURL", "https://ssjpub.github.io/ssjpub").rstrip("/")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
# No cache by default: a cache restored from elsewhere (a CI cache that pull-request jobs also
# write) is checked only for corruption, not for who made it, and what is published must come from
# the commit alone. CI passes -e SSJPUB_CACHE=… only for the caches its own agency jobs rendered
# from this commit in this run (.github/workflows/site.yml).
SSJPUB_CACHE = None
SSJPUB_PAGEFIND_CACHE = None  # the search bundles likewise
