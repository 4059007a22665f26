"""The Pelican generator: validate the repository, then write the pages ``ssjpub.site.pages``
describes with the theme's templates, the data downloads beside every table, the Atom feed and the
sitemap; at the end, ``manifest.json`` and the swap of the staging folder into ``output/``.

Pelican writes into a staging folder beside ``output/`` (``ssjpub.site.publish``); only a build
that finished is swapped in. With the site cache, a build after one that finished updates
``output/`` in place instead, marked incomplete while it writes (``ssjpub.site.inplace``). Validation happens when Pelican creates its generators, so a
repository with errors stops the build before anything is written, and the previous ``output/``
stays whatever fails later.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from jinja2 import Template
from markupsafe import Markup
from pelican.generators import Generator
from pelican.utils import get_relative_path, path_to_url

from ssjpub import parallel
from ssjpub.draw.history import read_history
from ssjpub.loader import tree
from ssjpub.loader.parsecache import ParseCache
from ssjpub.loader.published import PUBLISHED, scan_unread
from ssjpub.loader.repository import Repository
from ssjpub.draw.stale import stale_records
from ssjpub.problems import Pos, Problem, Severity, format_problems, has_errors, sort_problems
from ssjpub.site import (
    downloads, groups, inplace, publish, search_index, selection, served, sitecache, table_html, trace, urls,
)
from ssjpub.site.pages import (
    Document, SitePage, agency_pages, announcements, clip, nav_links, page_tables, shared_pages,
)
from ssjpub.site.pages.common import _agencies
from ssjpub.site.setting_line import setting_problem
from ssjpub.site.tables import Link
from ssjpub.rules.catalogue import RuleContext, calendar_of, commit_date, latest_data_date, run_rules
from ssjpub.rules.tasks import compliance
from ssjpub.validate import find_root, validate
from ssjpub.weburl import EXAMPLE, web_url_problem

logger = logging.getLogger(__name__)

UNKNOWN_COMMIT = trace.UNKNOWN
OUTPUTS_KEY = "SSJPUB_BUILT_FILES"
WRITTEN_KEY = "SSJPUB_WRITTEN_FILES"  # output file → its Stamp, as the generator wrote it
HELD_KEY = "SSJPUB_HELD"  # the output folder's record, when it is updated in place (ssjpub.site.inplace)
SINCE_KEY = "SSJPUB_HELD_SINCE"
BLOBS_KEY = "SSJPUB_BLOBS"  # output file → the cache blob it was made from
AS_OF_KEY = "SSJPUB_HELD_AS_OF"  # the compliance date the pages were written with
AGENCIES_KEY = "SSJPUB_SEARCH_AGENCIES"  # the agencies' codes: each folder its own search bundle
_PAGE_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class BuildFailed(SystemExit):
    """Stops the build with exit status 1.

    A SystemExit, on purpose: Pelican's command line logs any Exception with its Python traceback,
    and no traceback may reach a user (DESIGN §6). ``fail`` reports the problems before it is raised.
    """

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(1)
        self.problems = problems

    def __str__(self) -> str:
        return format_problems(self.problems).rstrip("\n")


def fail(problems: list[Problem], what: str) -> BuildFailed:
    # The problems go to stderr one per line, as `ssjpub validate` prints them (the log handler
    # would wrap them). CRITICAL, not ERROR: under `pelican --fatal errors` an ERROR record
    # raises at once, with a traceback.
    sys.stderr.write(format_problems(problems))
    sys.stderr.flush()
    logger.critical("%s：%d 个错误，网站未生成。", what, len(problems))
    return BuildFailed(problems)


def repository_root(settings: dict[str, Any]) -> Path:
    """``SSJPUB_ROOT``, else the folder holding plans/ at or above the content folder."""
    root = settings.get("SSJPUB_ROOT")
    return Path(root).resolve() if root else find_root(Path(settings["PATH"]))


def build_commit(root: Path) -> str:
    """The commit the site is built from: one `git rev-parse HEAD`; "未知" outside a checkout."""
    return trace.build_commit(root)


def repository_for(path: str, repositories: dict[str, str | None], default: str | None) -> str | None:
    """The repository address a source file links to: its agency's (plans/<code>/…,
    results/<code>/…), else the site's."""
    parts = path.split("/")
    if len(parts) > 2 and parts[0] in ("plans", "results") and repositories.get(parts[1]):
        return repositories[parts[1]]
    return default


def site_repository(settings: dict[str, Any], repositories: dict[str, str | None]) -> str | None:
    """``SSJPUB_REPOSITORY``, else the address the agencies name when they all name the same one."""
    if settings.get("SSJPUB_REPOSITORY"):
        return str(settings["SSJPUB_REPOSITORY"])
    named = {r for r in repositories.values() if r}
    return named.pop() if len(named) == 1 else None


def settings_problems(settings: dict[str, Any], root: Path) -> list[Problem]:
    """``SSJPUB_REPOSITORY`` reaches every page (links, the clone command): it is checked as the
    data's addresses are (ssjpub.weburl), reported at the line that set it (ssjpub.site.setting_line)."""
    value = settings.get("SSJPUB_REPOSITORY")
    why = web_url_problem(value) if value not in (None, "") else None
    if why is None:
        return []
    return [setting_problem(root, "SSJPUB_REPOSITORY", value, "invalid-url",
                            f"设置 SSJPUB_REPOSITORY 的网址无效：{why}。请写成“https://主机名/路径”，如 {EXAMPLE}")]


def content_links(content: Path, root: Path) -> list[Problem]:
    """Symbolic links in Pelican's content folder, which Pelican would follow: refused before it
    reads anything (validate refuses those of the repository's content/ too)."""
    content = content.absolute()
    content = content.parent.resolve() / content.name  # the folder itself may be the link
    base = root if content.is_relative_to(root) else content.parent
    return [tree.symlink_problem(p.relative_to(base).as_posix()) for p in tree.links_under(content)]


def load_valid_repository(root: Path, also: Iterable[Problem] = (), parsed: ParseCache | None = None) -> Repository:
    """The validated repository; on any error (or any in `also`), report every problem and stop
    the build. `parsed`: the YAML documents read by earlier builds (with the site cache)."""
    repo, problems = validate(root, parsed=parsed)
    problems = sort_problems([*problems, *also])
    for p in problems:
        if p.severity is Severity.WARNING:
            logger.warning("%s", format_problems([p]).rstrip("\n"))
    if has_errors(problems):
        raise fail([p for p in problems if p.severity is Severity.ERROR], "数据校验未通过")
    return repo


def published_problems(settings: dict[str, Any], root: Path) -> list[Problem]:
    """Personal data in what the site publishes beyond what `validate` scanned: the content folder
    Pelican reads when it is not the repository's own, and the theme."""
    scanned = [(root / f).resolve() for f in PUBLISHED]
    folders = [Path(settings["PATH"]).resolve(), Path(settings["THEME"]).resolve()]
    return scan_unread(root, [f for f in folders if not any(f == s or s in f.parents for s in scanned)], skip=scanned)


def checked_compliance(repo: Repository, root: Path) -> tuple[str, dict]:
    """Run the rule catalogue: an error stops the build like a validation error does; otherwise
    each task's compliance record, judged as of the commit's date (never the build's clock)."""
    ctx = RuleContext(repo, commit_date(root) or latest_data_date(repo), calendar_of(repo))
    problems = run_rules(ctx)
    for p in problems:
        if p.severity is Severity.WARNING:
            logger.warning("%s", format_problems([p]).rstrip("\n"))
    if has_errors(problems):
        raise fail([p for p in problems if p.severity is Severity.ERROR], "规则检查未通过")
    return ctx.as_of.isoformat(), compliance(ctx)


def documents(pages: Iterable[Any]) -> list[Document]:
    """The source documents among the Markdown pages Pelican read: those with a ``Source:``."""
    out = []
    for page in pages:
        if "source" not in page.metadata:
            continue
        summary = Markup(getattr(page, "summary", "") or "").striptags()
        out.append(Document(page.title, page.url, summary, page.metadata.get("source", "")))
    return out


def summary_description(content: Any) -> str:
    """A Markdown page's description: its ``Summary:``, else the start of its text, as plain text
    (the page's own words; the PII scan has read them)."""
    return clip(Markup(getattr(content, "summary", "") or "").striptags() or content.title)


def content_problems(
    contents: Iterable[Any], agencies: Iterable[str], content_dir: str, default_lang: str
) -> list[Problem]:
    """Markdown pages must carry an explicit ASCII ``Slug:`` (never a pinyin one made from a
    Chinese title) and must not land on a page the generator writes."""
    reserved = {"index.html", *(f"{code}/" for code in agencies)}
    problems = []
    for page in contents:
        file = f"{content_dir}/{page.relative_source_path}" if content_dir else page.relative_source_path
        lang = str(page.metadata.get("lang", default_lang))
        if lang != default_lang and lang.lower() == default_lang.lower():
            # Pelican compares the page's language with DEFAULT_LANG lower-cased: "zh-CN" would
            # be taken for a translation and saved under .../zh-CN/.
            problems.append(
                Pos(file).problem(
                    "invalid-value",
                    f"请删去“Lang: {lang}”：页面默认即为该语言，写明后会被当作译文，网址多出 /{lang}/",
                )
            )
        slug = page.metadata.get("slug")
        if slug is None:
            problems.append(Pos(file).problem("missing-field", "页面缺少“Slug:”：请用小写字母、数字和连字符写明网址"))
        elif not _PAGE_SLUG.match(str(slug)):
            problems.append(
                Pos(file).problem("invalid-value", f"“Slug: {slug}”只能用小写字母、数字和连字符")
            )
        elif any(page.save_as.startswith(r) for r in reserved):
            problems.append(
                Pos(file).problem("invalid-value", f"网址“{page.url}”与数据页面冲突，请换一个 Slug")
            )
    return problems


class SiteGenerator(Generator):
    """Writes the data pages. Registered by ``ssjpub.site.register`` on ``get_generators``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.root = repository_root(self.settings)
        # Pelican reads the content only after every generator is made: this runs first.
        also = settings_problems(self.settings, self.root) + content_links(Path(self.path), self.root)
        also += content_links(Path(self.settings["THEME"]), self.root)  # the theme is published too
        self.repo = load_valid_repository(self.root, also, parse_cache(self.settings, self.root))
        stale = stale_records(self.repo)  # never publish a draw its inputs no longer give
        if stale:
            raise fail(stale, "抽取记录与它的输入不符")
        problems = published_problems(self.settings, self.root)
        if problems:
            raise fail(problems, "网站内容含有个人信息")
        self.commit = build_commit(self.root)
        self.compliance_as_of, self.compliance = checked_compliance(self.repo, self.root)
        self.history = trace.read_history(self.root)
        self.proof = read_history(self.repo)  # what the task pages may claim about the order
        self.repositories = {
            code: (d.agency.model.repository if d.agency else None) for code, d in self.repo.agencies.items()
        }
        self.repository = site_repository(self.settings, self.repositories)
        self.served = served.catalogue(self.root)  # the raw inputs the pages link with their digests
        codes, problems = selection.selection(self.settings, self.repo, self.root)
        self.fill, fill_problems = selection.selection(self.settings, self.repo, self.root, selection.FILL)
        problems += fill_problems
        if self.fill is not None and not self.settings.get("SSJPUB_CACHE"):
            problems.append(setting_problem(self.root, selection.FILL, self.settings[selection.FILL], "invalid-value",
                                            f"设置 {selection.FILL} 只把页面生成到网站缓存，需要同时设置 SSJPUB_CACHE"))
        if problems:
            raise fail(problems, "网站设置有误")
        if codes is not None:  # a site of some agencies (SSJPUB_AGENCIES): checked whole, published in part
            every = set(self.repo.agencies)
            self.repo = selection.only(self.repo, codes)
            self.served = {rel: f for rel, f in self.served.items() if selection.served_by(rel, codes, every)}
        # Every text from the data reaches HTML through autoescaping, whatever JINJA_ENVIRONMENT
        # says. A fresh template cache: nothing compiled without autoescaping is reused.
        self.data_env = self.env.overlay(autoescape=True, cache_size=400)
        self.shared: list[SitePage] = []  # the cross-agency pages, rendered every time
        self.pages: list[SitePage] = []  # every page of the site: the shared ones, then each agency's
        self.cache = site_cache(self.settings, self.root)
        self.placeholders = sitecache.Placeholders(self.commit, self.compliance_as_of)
        self.keys: sitecache.Keys | None = None  # the cached pages' keys (the build-wide part)
        self._data_files: list[str] | None = None
        self._file_parts: dict[str, str] = {}
        self.content_pages: dict[str, str] = {}  # save_as → its Markdown source
        # Output file → the source files it comes from, for manifest.json. The settings are the
        # Pelican object's own dict: `finish_build` reads it there on `finalized`.
        self.outputs: dict[str, list[str]] = {}
        self.settings[OUTPUTS_KEY] = self.outputs
        # Each file this generator wrote, with its SHA-256: manifest.json need not read it back.
        self.written: dict[str, publish.Stamp] = {}
        self.settings[WRITTEN_KEY] = self.written
        self.held: inplace.Held | None = self.settings.get(HELD_KEY)
        self.blobs: dict[str, str] = {}
        self.settings[BLOBS_KEY] = self.blobs
        self.settings[AS_OF_KEY] = self.compliance_as_of
        self.settings[AGENCIES_KEY] = [code for code, _ in _agencies(self.repo)]

    def template(self, name: str) -> Template:
        return self.data_env.get_template(name)

    def source_ref(self, path: str) -> trace.SourceRef:
        return trace.source_ref(self.history, path, repository_for(path, self.repositories, self.repository))

    def generate_context(self) -> None:
        # Pelican's own generators (pages included) have read the content by now.
        contents = [*self.context.get("pages", []), *self.context.get("hidden_pages", [])]
        contents += self.context.get("articles", [])
        content_dir = self._content_dir()
        problems = content_problems(
            contents, self.repo.agencies, content_dir, self.settings["DEFAULT_LANG"]
        )
        if problems:
            raise fail(problems, "页面设置有误")
        prefix = f"{content_dir}/" if content_dir else ""
        for page in contents:
            self.content_pages[page.save_as] = prefix + page.relative_source_path
        extra = [Link(p.title, p.url) for p in self.context.get("pages", []) if p.url == urls.ABOUT]
        if self.fill is None:  # a cache-only build (SSJPUB_CACHE_ONLY) has no cross-agency pages
            self.shared = shared_pages(self.repo, documents(self.context.get("pages", [])), self.commit,
                                       self.repository, self.served)
        self.context["compliance_as_of"] = self.compliance_as_of
        # Shared with every template, Pelican's page.html included.
        self.context["ssjpub_commit"] = self.commit
        self.context["ssjpub_commit_url"] = trace.commit_url(self.repository, self.commit)
        self.context["ssjpub_nav"] = nav_links(self.repo, extra)
        self.context["ssjpub_content_dir"] = prefix
        self.context["ssjpub_refs"] = lambda files: trace.by_commit([self.source_ref(f) for f in files])
        self.context["ssjpub_rows"] = table_html.table_rows
        self.context["ssjpub_href"] = table_html.href
        self.context["ssjpub_foot"] = table_html.table_foot
        self.context["ssjpub_download"] = downloads.table_base
        self.context["ssjpub_card_labels"] = table_html.card_labels
        self.context["ssjpub_summary"] = summary_description
        self.context["ssjpub_feed"] = urls.FEED
        # The browser verifier's script, when the theme has it (a site's own THEME may not): without
        # it the pages keep its explanations and say what to do instead, and link no missing file.
        self.context["ssjpub_verifier_js"] = (Path(self.settings["THEME"]) / "static/verify/page.js").is_file()
        if self.cache is not None:
            self.keys = self.build_keys()
        if self.held is not None:
            # Every check has passed, every generator has read its content: the writing starts.
            self.settings[SINCE_KEY] = inplace.begin(self.cache.folder, Path(self.output_path), urls.MANIFEST)

    def build_keys(self) -> sitecache.Keys:
        """The build-wide part of every cached page's key: see ssjpub.site.sitecache."""
        shown = self.placeholders.shown_commit
        return sitecache.Keys({
            "settings": sitecache.output_settings(self.settings),
            "theme": sitecache.folder_digests(Path(self.settings["THEME"])),
            # Where the theme is (pages name its templates as repository paths), not the absolute path.
            "theme_in_repository": _theme_file(Path(self.settings["THEME"]).resolve(), "", "", self.root),
            "content": sitecache.folder_digests(Path(self.path)),
            "context": {k: self.context[k] for k in ("ssjpub_nav", "ssjpub_content_dir", "ssjpub_verifier_js")},
            "commit": shown,
            "commit_url": trace.commit_url(self.repository, shown),
            "as_of": self.placeholders.AS_OF,
            "repository": self.repository,
        })

    def _content_dir(self) -> str:
        try:
            return Path(self.path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return ""

    def generate_output(self, writer: Any) -> None:
        # The downloads are written by a forked second process while this one renders the pages
        # (ssjpub.parallel); the files are the same bytes either way.
        if self.fill is None:  # a cache-only build writes the pages' files only: the inputs are not cached
            held, output, p = self.held, Path(self.output_path), self.placeholders
            there = None if held is None else (
                lambda rel, sha: inplace.unchanged(held, output, rel, sha, None, p.commit, p.as_of) is not None)
            written, problems = served.write(self.served, self.root, output, there)
            if problems:
                raise fail(problems, "输入文件在生成期间被改动")
            self.outputs.update(written)
            self.note_written({urls.FILES + rel: (f.sha256, f.bytes) for rel, f in self.served.items()})
        # The agencies' pages, built with the placeholders when cached (ssjpub.site.sitecache).
        commit = self.placeholders.shown_commit if self.cache is not None else self.commit
        by_agency: dict[str | None, list[SitePage]] = {None: self.shared}  # None: the shared pages
        built: list[tuple[str, list[tuple[str, list[SitePage]]]]] = []  # per agency: its groups built, by key
        self.pages = list(self.shared)
        restored: dict[str, tuple[str, int]] = {}
        for code, _data in _agencies(self.repo):
            if self.fill is not None and code not in self.fill:
                continue
            if self.cache is None:
                by_agency[code] = agency_pages(self.repo, code, commit, self.compliance, self.proof,
                                            self.history.dirty, self.served)
                self.pages += by_agency[code]
            else:
                pages, fresh = self.grouped_pages(code, commit, restored)
                self.pages += pages
                by_agency[code] = [p for _key, ps in fresh for p in ps]
                built.append((code, fresh))
        # Each page with the downloads it is the first of its group to show (each dataset once).
        owned = [(page, jobs) for pages in by_agency.values() for page, jobs in downloads.owned(
            (page, (page.url, page.sources, page_tables(page))) for page in pages)]
        for page, jobs in owned:
            self.outputs[page.save_as] = list(page.inputs)
            if self.settings.get("SSJPUB_DOWNLOADS", True):
                for job in jobs:
                    for rel in downloads.files(job.base):
                        self.outputs[rel] = list(job.sources)
        plain: list[tuple[SitePage, list[downloads.Job]]] = owned[: len(self.shared)]  # through the writer
        cached: list[tuple[SitePage, list[downloads.Job], str | None]] = []  # rendered with the placeholders
        if self.cache is None:
            plain = owned
        else:
            output = Path(self.output_path)
            page_keys: dict[str, tuple[str | None, list[downloads.Job]]] = {}  # save_as → its key and downloads
            for page, jobs in owned[len(self.shared):]:
                key = self.page_key(page, jobs)
                page_keys[page.save_as] = (key, jobs)
                if key is None or not self.cache.restore(key, output, self.placeholders, restored, *self.in_place()):
                    cached.append((page, jobs, key))
            self.note_written(restored)
            logger.info("增量构建：%d 个页面沿用缓存（其中 %d 个未重新计算内容），%d 个重新生成",
                        len(self.pages) - len(self.shared) - len(cached),
                        len(self.pages) - len(owned), len(cached))
        tasks: list[Callable[[], dict]] = [lambda: self.write_pages(writer, plain, cached)]
        if self.settings.get("SSJPUB_DOWNLOADS", True):
            tasks.append(lambda: self.write_downloads([*plain, *((p, j) for p, j, _k in cached)]))
        forked = len(tasks) > 1 and parallel.usable_cpus() > 1
        stored: dict[str, str | None] = {}
        for done, digests in parallel.share_forked(_call, None, tasks) if forked else [task() for task in tasks]:
            stored.update(done)
            self.note_written(digests)
        if self.cache is not None:
            self.blobs.update((rel, sha) for rel, sha in stored.items() if sha)
            for page, jobs, key in cached:
                rels = [page.save_as, *(rel for job in jobs for rel in downloads.files(job.base) if rel in stored)]
                self.cache.keep(key, page.save_as, {rel: stored.get(rel) for rel in rels})
            for code, fresh in built:
                for gkey, pages in fresh:
                    entries = [self.group_entry(page, *page_keys[page.save_as]) for page in pages]
                    if all(e["key"] is not None for e in entries):
                        self.cache.keep_group(gkey, entries)
            self.cache.save()
        for save_as, source in self.content_pages.items():
            self.outputs[save_as] = [source]
        if self.fill is None:
            self.write_feeds()

    def grouped_pages(self, code: str, commit: str, restored: dict[str, tuple[str, int]]
                      ) -> tuple[list[SitePage], list[tuple[str, list[SitePage]]]]:
        """One agency's pages by groups (ssjpub.site.groups): a group whose key is in the cache is
        not computed, its files are restored and its pages stand in as the summaries stored with
        them; the others are built. Returns every page in order (for the sitemap), and the groups
        built, by key."""
        plan = groups.plan(self.repo, code, self.data_files(), commit, self.compliance, self.proof,
                           self.history.dirty, self.served)
        output = Path(self.output_path)
        done: list[tuple[groups.Group, list[SitePage]]] = []
        fresh: list[tuple[str, list[SitePage]]] = []
        # The records first: the agency group is built from their summaries.
        for group in sorted(plan.groups, key=groups.is_agency):
            key = self.keys.group(group.name, group.files, self.file_part, group.values)
            entries = self.cache.group(key)
            if entries is not None and self.restore_group(entries, output, restored):
                self.cache.keep_group(key, entries)
                pages = [self.stub(e) for e in entries]
                entries_of = {e["url"]: e for e in entries}
            else:
                pages, entries_of = group.build(), {}
                self.cache.computed.append(group.name)
                fresh.append((key, pages))
            for page in pages:
                if page.template == "enterprise.html":
                    # Always as read back from JSON: the records' index is keyed by the pickle of its
                    # value, and a pickle tells shared strings from equal ones.
                    entry = entries_of.get(page.url) or json.loads(json.dumps(self.group_entry(page, "", [])))
                    plan.summaries[page.url] = self.stub(entry)
            done.append((group, pages))
        return groups.assemble(done), fresh

    def restore_group(self, entries: list[dict], output: Path, restored: dict[str, tuple[str, int]]) -> bool:
        """Restore every page of a stored group with its downloads; False if any is missing (the
        group is then built, and the pages restored so far are written again)."""
        for e in entries:
            if not self.cache.restore(e["key"], output, self.placeholders, restored, *self.in_place()):
                return False
            self.outputs[urls.save_as(e["url"])] = list(dict.fromkeys((*e["sources"], *e["depends"])))
            for rel, sources in e["downloads"]:
                self.outputs[rel] = list(sources)
        return True

    def in_place(self) -> tuple[Callable[[str, str], tuple[str, int] | None] | None, dict[str, str]]:
        """What ``SiteCache.restore`` needs to keep the files already in an output folder updated
        in place, and to note each file's blob."""
        if self.held is None:
            return None, self.blobs
        output, held, p = Path(self.output_path), self.held, self.placeholders
        return (lambda rel, blob: inplace.unchanged(held, output, rel, "", blob, p.commit, p.as_of)), self.blobs

    def group_entry(self, page: SitePage, key: str | None, jobs: list[downloads.Job]) -> dict:
        """What a group stores of one page: its key, what the manifest and sitemap take, and a
        record's summary."""
        entry = {"key": key, "url": page.url, "template": page.template, "sources": list(page.sources),
                 "depends": list(page.depends),
                 "downloads": [[rel, list(job.sources)] for job in jobs for rel in downloads.files(job.base)
                               if self.settings.get("SSJPUB_DOWNLOADS", True)]}
        if page.template == "enterprise.html":
            entry["summary"] = groups.summary_json(page)
        return entry

    @staticmethod
    def stub(entry: dict) -> SitePage:
        data = groups.summary_from_json(entry["summary"]) if "summary" in entry else {}
        return SitePage(entry["url"], entry["template"], "", sources=tuple(entry["sources"]),
                        depends=tuple(entry["depends"]), data=data)

    def data_files(self) -> list[str]:
        """Every data file: those served (under plans/ and results/) and those read."""
        if self._data_files is None:
            self._data_files = sorted({*self.served, *self.repo.files})
        return self._data_files

    def file_part(self, path: str) -> str:
        """A group key's part for one input file: its bytes' SHA-256 and how pages show it."""
        part = self._file_parts.get(path)
        if part is None:
            entry = self.served.get(path)
            try:
                sha = entry.sha256 if entry else hashlib.sha256((self.root / path).read_bytes()).hexdigest()
            except OSError:
                sha = "missing"
            part = self._file_parts[path] = sha + self.keys.part(("ref", path), lambda: self.source_ref(path))
        return part

    def page_key(self, page: SitePage, jobs: list[downloads.Job]) -> str | None:
        """A page's cache key: its value, and each file its page and downloads name as they show
        it (the commit, day and link of ``source_ref``)."""
        names = sorted({*page.sources, *(s for job in jobs for s in job.sources)})
        return self.keys.page(page, {"refs": [self.keys.part(("ref", p), lambda p=p: self.source_ref(p)) for p in names],
                                     "downloads": [job.base for job in jobs],
                                     "write_downloads": self.settings.get("SSJPUB_DOWNLOADS", True)})

    def write_pages(self, writer: Any, plain: list[tuple[SitePage, Any]],
                    cached: list[tuple[SitePage, Any, str | None]]) -> tuple[dict[str, str | None], dict]:
        """The pages through the theme: `plain` by Pelican's writer with the build's values,
        `cached` with the placeholders, stored, then written with the real values. Returns each
        cached page's stored digest, and each written page's (sha256, size)."""
        relative = self.settings["RELATIVE_URLS"]
        for page, _jobs in plain:
            writer.write_file(page.save_as, self.template(page.template), self.context,
                              relative_urls=relative, view=page, **page.data)
        stored: dict[str, str | None] = {}
        digests: dict[str, tuple[str, int]] = {}
        if cached:
            context = {**self.context, "ssjpub_commit": self.placeholders.shown_commit,
                       "ssjpub_commit_url": trace.commit_url(self.repository, self.placeholders.shown_commit),
                       "compliance_as_of": self.placeholders.AS_OF}
        for page, _jobs, _key in cached:
            data = _render(self.template(page.template), context, page, relative).encode("utf-8")
            stored[page.save_as] = self.cache.put(data)
            digests[page.save_as] = _put(self.output_path, self.held is not None, page.save_as, self.placeholders.real(data))
        return stored, digests

    def write_downloads(self, owned: list[tuple[SitePage, list[downloads.Job]]]) -> tuple[dict[str, str | None], dict]:
        """Every table's CSV, JSON and XLSX, each dataset once; with the cache, each file's stored
        digest (None: not to be stored, the build-wide values are inside); and each file's
        (sha256, size)."""
        stored: dict[str, str | None] = {}
        digests: dict[str, tuple[str, int]] = {}
        author = self.settings.get("SITENAME", "")
        for _page, jobs in owned:
            for job in jobs:
                refs = [self._ref_dict(s) for s in job.sources]
                table = job.table
                csv, js = downloads.table_csv(table), downloads.table_json(table, refs)
                keep = self.cache is not None
                if keep and (self.placeholders.within(csv) or self.placeholders.within(js)):
                    # Rendered with the placeholders: written from the real values, never stored.
                    table, keep = downloads.replace_text(table, self.placeholders.text), False
                    csv, js = downloads.table_csv(table), downloads.table_json(table, refs)
                xlsx = downloads.table_xlsx(table, trace.latest_day(self.history, job.sources), author)
                for rel, data in zip(downloads.files(job.base), (csv, js, xlsx)):
                    digests[rel] = _put(self.output_path, self.held is not None, rel, data)
                    if self.cache is not None:
                        stored[rel] = self.cache.put(data) if keep else None
        return stored, digests

    def _write(self, rel: str, data: bytes, sources: Iterable[str]) -> None:
        self.note_written({rel: _put(self.output_path, self.held is not None, rel, data)})
        self.outputs[rel] = list(sources)

    def note_written(self, digests: dict[str, tuple[str, int]]) -> None:
        """Record the files just written with their digests, stamped as they are now on disk."""
        for rel, (sha, size) in digests.items():
            stamp = publish.stamp(Path(self.output_path, rel), sha, size)
            if stamp is not None:
                self.written[rel] = stamp

    def _ref_dict(self, path: str) -> dict:
        ref = self.source_ref(path)
        return {"path": ref.path, "commit": ref.sha}

    def write_feeds(self) -> None:
        items = announcements(self.repo)
        siteurl = self.settings.get("SITEURL", "")
        sources = sorted({s for a in items for s in a.sources})
        feed = publish.atom_feed(items, self.settings["SITENAME"], siteurl, urls.FEED, "ssjpub-feed")
        self._write(urls.FEED, feed, sources)
        sitemap = None
        if publish.is_absolute(siteurl):
            # The shared pages, then each agency's.
            entries = [publish.SitemapEntry(p.url, self.last_changed(p)) for p in self.pages]
            entries += [
                publish.SitemapEntry(save_as[: -len("index.html")], trace.latest_day(self.history, [src]))
                for save_as, src in self.content_pages.items()
                if save_as.endswith("index.html")
            ]
            self._write(urls.SITEMAP, publish.sitemap_xml(entries, siteurl), [])
            sitemap = f"{siteurl}/{urls.SITEMAP}"
        self._write(urls.ROBOTS, publish.robots_txt(sitemap), [])

    def last_changed(self, page: SitePage) -> date | None:
        """The day of the latest commit that changed a file the page is built from; for a page
        built from no data file (the search page), its template's. Never the build's clock.

        Commit days, not the days the data states: the sitemap tells a crawler when the published
        page last changed, and a page changes when its files land (results dated 5 May that are
        committed on 9 May change the page on 9 May; a date from the data would say "unchanged
        since 5 May" and a crawler that came on 7 May would skip the change). They are the same
        days each page's "数据来源" lists beside each file's commit. That commit days prove nothing
        (DESIGN §7) does not matter here: lastmod is a hint for crawlers, no claim the site makes
        about a draw. The published demo (`make demo-history`) commits each file on the day the
        data gives it, so its pages are dated apart (tests/test_replay.py)."""
        day = trace.latest_day(self.history, page.inputs)
        if day is None:
            template = _theme_file(Path(self.settings["THEME"]).resolve(), "templates", page.template, self.root)
            day = trace.latest_day(self.history, template)
        return day


def _put(folder: str, atomic: bool, rel: str, data: bytes) -> tuple[str, int]:
    """Write the file (`atomic`: by a temporary file renamed, into a folder updated in place); its
    SHA-256 and size."""
    path = Path(folder, rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    sitecache.replace_file(path, data) if atomic else path.write_bytes(data)
    return hashlib.sha256(data).hexdigest(), len(data)


def _call(_shared: None, job: Callable[[], Any]) -> Any:
    return job()


def _render(template: Template, context: dict[str, Any], page: SitePage, relative: bool) -> str:
    """The page as Pelican's writer renders it (``Writer.write_file``: the same local context)."""
    local = {**context, "localsiteurl": context.get("localsiteurl")}
    if relative:
        local["SITEURL"] = local["localsiteurl"] = path_to_url(get_relative_path(page.save_as))
    local["output_file"] = page.save_as
    local.update(view=page, **page.data)
    return template.render(local)


def parse_cache(settings: dict[str, Any], root: Path) -> ParseCache | None:
    """With the site cache, the loader's parse cache in its ``parsed/`` folder: unchanged YAML files
    are neither parsed nor validated again (ssjpub.loader.parsecache)."""
    folder = settings.get("SSJPUB_CACHE")
    return ParseCache(root / folder / sitecache.PARSED) if folder else None


def site_cache(settings: dict[str, Any], root: Path) -> sitecache.SiteCache | None:
    """``SSJPUB_CACHE``: the folder of the per-page cache, relative to the repository root; None,
    False or "" builds every page every time (publishconf.py does, see there why)."""
    folder = settings.get("SSJPUB_CACHE")
    if not folder:
        return None
    return sitecache.SiteCache(root / folder)


# --- the staging folder and manifest.json (Pelican signals; see ssjpub.site.register) ---------


def start_staging(pelican: Any) -> None:
    """On ``initialized``: build into a staging folder beside the output folder. Only the
    Pelican object's path changes: the settings keep the real one (``pelican --listen`` serves it)."""
    final = Path(pelican.output_path).resolve()
    pelican.settings["SSJPUB_FINAL_OUTPUT"] = str(final)
    folder = pelican.settings.get("SSJPUB_CACHE")
    cache = repository_root(pelican.settings) / folder if folder else None
    # Pelican may skip copying an unchanged static file (STATIC_CHECK_IF_MODIFIED): in place, it
    # would look like a file no longer produced.
    # A cache-only build (SSJPUB_CACHE_ONLY) writes no site: it neither updates one nor records one.
    in_place = cache and not pelican.settings.get("STATIC_CHECK_IF_MODIFIED") and not pelican.settings.get("SSJPUB_CACHE_ONLY")
    held = inplace.previous(cache, final) if in_place else None
    if held is not None:  # the last build there finished: update it in place (ssjpub.site.inplace)
        pelican.settings[HELD_KEY] = held
        pelican.delete_outputdir = False
        pelican.output_path = str(final)
        return
    pelican.output_path = str(publish.start_staging(final))


def finish_build(pelican: Any) -> None:
    """On ``finalized``: write manifest.json over everything built, then swap it into place."""
    final = pelican.settings.get("SSJPUB_FINAL_OUTPUT")
    staging = Path(pelican.output_path)
    held = pelican.settings.pop(HELD_KEY, None)
    if not final or (staging == Path(final) and held is None):
        return
    root = repository_root(pelican.settings)
    known: dict[str, publish.Stamp] = pelican.settings.get(WRITTEN_KEY, {})
    files = publish.tree_files(staging)
    if held is not None:
        files = inplace.remove_stale(staging, files, pelican.settings.get(SINCE_KEY, 0), set(known))
    history = trace.read_history(root)
    theme = Path(pelican.settings["THEME"]).resolve()
    outputs: dict[str, list[str]] = pelican.settings.get(OUTPUTS_KEY, {})
    sources: dict[str, list[dict]] = {}
    commits: dict[str, dict] = {}  # a source file → its entry, looked up once (thousands of files share one)
    for rel in files:
        inputs = outputs.get(rel)
        if inputs is None:
            inputs = _theme_source(rel, pelican.settings.get("THEME_STATIC_DIR", "theme"), theme, root)
        for f in inputs:
            if f not in commits:
                commits[f] = {"path": f, "commit": trace.source_ref(history, f, None).sha}
        sources[rel] = [commits[f] for f in inputs]
    if pelican.settings.get("SSJPUB_PAGEFIND"):
        cache = search_cache(pelican.settings, root)
        for rel in search_index.index_site(staging, pelican.settings.get(AGENCIES_KEY, ()), cache):
            sources.setdefault(rel, [])  # derived from the pages: its source is the build itself
        files = publish.tree_files(staging)
    commit = trace.build_commit(root)
    data = publish.manifest(staging, commit, sources, exclude=[urls.MANIFEST, inplace.MARK], known=known,
                            files_in=files)
    sitecache.replace_file(staging / urls.MANIFEST, data)
    if held is None:
        publish.swap_into(staging, Path(final))
    folder = pelican.settings.get("SSJPUB_CACHE")
    if folder and not pelican.settings.get("SSJPUB_CACHE_ONLY"):
        blobs: dict[str, str] = pelican.settings.get(BLOBS_KEY, {})
        as_of = pelican.settings.get(AS_OF_KEY, "")
        held_files = {rel: [blobs.get(rel), s.sha256, s.bytes, s.mtime_ns] for rel, s in known.items()}
        inplace.finish(root / folder, Path(final), commit, as_of, held_files)
    pelican.output_path = str(publish.start_staging(Path(final)))  # the next run (autoreload)


def search_cache(settings: dict[str, Any], root: Path) -> sitecache.SiteCache | None:
    """``SSJPUB_PAGEFIND_CACHE``: the folder of the search bundles' cache (ssjpub.site.search_index),
    relative to the repository root; None, False or "" indexes every agency every time."""
    folder = settings.get("SSJPUB_PAGEFIND_CACHE")
    return sitecache.SiteCache(root / folder) if folder else None


def _theme_file(theme: Path, folder: str, rel: str, root: Path) -> list[str]:
    """A theme file as a repository path; none when the theme lies outside the repository."""
    try:
        return [(theme / folder / rel).relative_to(root).as_posix()]
    except ValueError:
        return []


def _theme_source(rel: str, static_dir: str, theme: Path, root: Path) -> list[str]:
    prefix = f"{static_dir}/"
    if not rel.startswith(prefix):
        return []
    return _theme_file(theme, "static", rel[len(prefix):], root)
