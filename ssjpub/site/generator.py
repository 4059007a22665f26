"""The Pelican generator: validate the repository, then write the pages ``ssjpub.site.pages``
describes with the theme's templates.

Validation happens when Pelican creates its generators, which is before it empties the output
folder: a repository with errors stops the build there and the previous ``output/`` stays.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterable

from jinja2 import Template
from markupsafe import Markup
from pelican.generators import Generator

from ssjpub.loader.repository import Repository
from ssjpub.problems import Pos, Problem, Severity, format_problems, has_errors
from ssjpub.site.pages import Document, SitePage, nav_links, site_pages
from ssjpub.validate import find_root, validate

logger = logging.getLogger(__name__)

UNKNOWN_COMMIT = "未知"
_COMMIT = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
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
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN_COMMIT
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and _COMMIT.match(commit) else UNKNOWN_COMMIT


def load_valid_repository(root: Path) -> Repository:
    """The validated repository; on any error, report every problem and stop the build."""
    repo, problems = validate(root)
    for p in problems:
        if p.severity is Severity.WARNING:
            logger.warning("%s", format_problems([p]).rstrip("\n"))
    if has_errors(problems):
        raise fail([p for p in problems if p.severity is Severity.ERROR], "数据校验未通过")
    return repo


def documents(pages: Iterable[Any]) -> list[Document]:
    """The source documents among the Markdown pages Pelican read: those with a ``Source:``."""
    out = []
    for page in pages:
        if "source" not in page.metadata:
            continue
        summary = Markup(getattr(page, "summary", "") or "").striptags()
        out.append(Document(page.title, page.url, summary, page.metadata.get("source", "")))
    return out


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
        self.repo = load_valid_repository(self.root)
        self.commit = build_commit(self.root)
        # Every text from the data reaches HTML through autoescaping, whatever JINJA_ENVIRONMENT
        # says. A fresh template cache: nothing compiled without autoescaping is reused.
        self.data_env = self.env.overlay(autoescape=True, cache_size=400)
        self.pages: list[SitePage] = []

    def template(self, name: str) -> Template:
        return self.data_env.get_template(name)

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
        self.pages = site_pages(self.repo, documents(self.context.get("pages", [])))
        # Shared with every template, Pelican's page.html included.
        self.context["ssjpub_commit"] = self.commit
        self.context["ssjpub_nav"] = nav_links(self.repo)
        self.context["ssjpub_pages"] = self.pages
        self.context["ssjpub_content_dir"] = f"{content_dir}/" if content_dir else ""

    def _content_dir(self) -> str:
        try:
            return Path(self.path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return ""

    def generate_output(self, writer: Any) -> None:
        for page in self.pages:
            writer.write_file(
                page.save_as,
                self.template(page.template),
                self.context,
                relative_urls=self.settings["RELATIVE_URLS"],
                view=page,
                **page.data,
            )
