"""ssjpub's Pelican plugin: the public website's data pages.

``PLUGINS = ["ssjpub.site"]`` in pelicanconf.py. As in Pelican's own plugins, ``register()`` only
connects signals; what each page shows is built by plain functions in ``ssjpub.site.pages``,
tested without Pelican, and ``ssjpub.site.generator`` writes it.

Settings: ``SSJPUB_ROOT`` (the data repository, holding plans/ and results/; default: found at or
above the content folder), ``SSJPUB_DEMO`` (show the "fictional demo data" banner) and
``SSJPUB_REPOSITORY`` (the repository address for files outside an agency's folders; default: the
address the agencies' agency.yaml name, when they name one) and ``SSJPUB_CACHE`` (the folder, under
the root, of the per-page cache of incremental builds, ssjpub.site.sitecache; None: no cache).

Signals: ``content_object_init`` sanitises each Markdown page (ssjpub.site.sanitize);
``get_generators`` adds the generator; ``initialized`` points Pelican at a staging folder
and ``finalized`` writes manifest.json there and swaps it into the output folder, so that a build
that fails anywhere leaves the previous output untouched; with the site cache, after a build that
finished, ``output/`` is updated in place, marked incomplete until done (ssjpub.site.inplace).
"""

from __future__ import annotations


def get_generators(pelican: object) -> type:
    from ssjpub.site.generator import SiteGenerator

    return SiteGenerator


def initialized(pelican: object) -> None:
    from ssjpub.site.generator import start_staging

    start_staging(pelican)


def finalized(pelican: object) -> None:
    from ssjpub.site.generator import finish_build

    finish_build(pelican)


def content_object_init(content: object) -> None:
    from ssjpub.site.sanitize import sanitize_content

    sanitize_content(content)


def register() -> None:
    from pelican import signals

    signals.content_object_init.connect(content_object_init)
    signals.get_generators.connect(get_generators)
    signals.initialized.connect(initialized)
    signals.finalized.connect(finalized)
