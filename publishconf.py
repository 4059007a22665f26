# Pelican settings for publishing: `pelican content -s publishconf.py`.
# The absolute site URL comes from SSJPUB_SITEURL (CI sets it from the Pages URL).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SSJPUB_SITEURL", "https://ssjpub.github.io/ssjpub").rstrip("/")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
