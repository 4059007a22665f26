# Pelican settings for building the site locally: `make html` (relative URLs, works from file://).
# publishconf.py adds what publishing needs. See ssjpub/site/__init__.py for the SSJPUB_* settings.
import os

HERE = os.path.dirname(os.path.abspath(__file__))

SITENAME = "“双随机、一公开”公示平台（演示）"
SITEURL = ""
RELATIVE_URLS = True
DEFAULT_LANG = "zh-CN"
TIMEZONE = "Asia/Shanghai"

PATH = "content"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = ["articles"]  # none yet: announcements come from the data
STATIC_PATHS = []
OUTPUT_PATH = "output"
DELETE_OUTPUT_DIRECTORY = True
THEME = os.path.join(HERE, "theme")

# The data: the repository root holding plans/ and results/, validated before anything is built.
SSJPUB_ROOT = HERE
SSJPUB_DEMO = True  # a banner on every page: the data is fictional
PLUGINS = ["ssjpub.site"]  # the installed package (pip install -e .); no PLUGIN_PATHS needed
# The repository address for files outside an agency's folders (content/, theme/) and for the clone
# command on the how-to-verify page; by default the address every agency.yaml names. Checked like
# agency.yaml's `repository` (https://host/path only): a bad one stops the build.
SSJPUB_REPOSITORY = None
# Incremental builds: each agency's pages and downloads are kept in this folder (under SSJPUB_ROOT,
# git-ignored) by the digest of everything they are made from, and reused while that is unchanged.
# None builds every page every time.
SSJPUB_CACHE = ".ssjpub-cache/site"
# A site of some agencies only (one site per agency when a city or province outgrows one host,
# docs/scale.md), e.g. ["x419001"]: the repository is checked whole, only these agencies' pages and
# their own and the shared input files are published. None: every agency (an empty list is an error).
SSJPUB_AGENCIES = None
# Only render these agencies' pages into SSJPUB_CACHE, as the whole site shows them (CI's
# per-agency jobs; the assembling build merges their caches: python -m ssjpub.site.sitecache merge).
# The output folder of such a build is not a site. None: a normal build.
SSJPUB_CACHE_ONLY = None

# Escape every value; page.html marks the rendered Markdown as safe itself.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True, "extensions": []}

# The home page is the plugin's (index.html): no blog index, tag, category, author or archive pages.
DIRECT_TEMPLATES = []
INDEX_SAVE_AS = ""
TAGS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
TAG_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
AUTHOR_SAVE_AS = ""

# Directory-style URLs, explicit ASCII slugs. A page names its own `Slug:` (the plugin refuses a
# page without one); a slug is never made from a Chinese title, which Pelican would turn to pinyin.
SLUGIFY_SOURCE = "basename"
SLUGIFY_USE_UNICODE = False
SLUGIFY_PRESERVE_CASE = False
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{slug}/{lang}/"
PAGE_LANG_SAVE_AS = "{slug}/{lang}/index.html"
ARTICLE_URL = "articles/{slug}/"
ARTICLE_SAVE_AS = "articles/{slug}/index.html"
ARTICLE_LANG_URL = "articles/{slug}/{lang}/"
ARTICLE_LANG_SAVE_AS = "articles/{slug}/{lang}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
DRAFT_PAGE_URL = "drafts/pages/{slug}/"
DRAFT_PAGE_SAVE_AS = "drafts/pages/{slug}/index.html"

# Pelican's own feeds are off: the plugin writes feed.atom from the data's announcements.
FEED_DOMAIN = None
FEED_ATOM = None
FEED_RSS = None
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

DEFAULT_PAGINATION = False

# Search: Pagefind (pip package pagefind[extended]) indexes the built site before it is swapped in,
# each agency's pages into their own bundle (ssjpub.site.search_index). An agency's bundle is kept
# in this folder (under SSJPUB_ROOT, git-ignored) by the digest of its pages and reused while they
# are unchanged; None indexes every agency every time.
SSJPUB_PAGEFIND = True
SSJPUB_PAGEFIND_CACHE = ".ssjpub-cache/pagefind"
