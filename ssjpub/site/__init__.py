"""ssjpub's Pelican plugin: the public website's data pages.

``PLUGINS = ["ssjpub.site"]`` in pelicanconf.py. As in Pelican's own plugins, ``register()`` only
connects signals; what each page shows is built by plain functions in ``ssjpub.site.pages``,
tested without Pelican, and ``ssjpub.site.generator`` writes it.

Settings: ``SSJPUB_ROOT`` (the data repository, holding plans/ and results/; default: found at or
above the content folder) and ``SSJPUB_DEMO`` (show the "fictional demo data" banner).
"""

from __future__ import annotations


def get_generators(pelican: object) -> type:
    from ssjpub.site.generator import SiteGenerator

    return SiteGenerator


def register() -> None:
    from pelican import signals

    signals.get_generators.connect(get_generators)
