"""A small Sphinx extension: make a single-page build behave like the full book for paths and
citations, so a chapter can be previewed alone without warnings that the full build would not give.

A single page is built with ``jupyter-book build --config _config.yml book/<page>.md``; Sphinx's
source folder is then ``book/``, not the repository root, and the bibliography page is not part of
the build. Two things follow, and this extension handles both:

- ``_config.yml`` names ``bibtex_bibfiles`` and ``html_static_path`` from the repository root
  (``book/references.bib``, ``book/_static``). An entry missing from the source folder is looked
  up in the folders above it and rewritten relative to the source folder. Entries that exist are
  left alone, so the full build is unaffected.
- sphinxcontrib-bibtex resolves ``{cite}`` only against a ``{bibliography}`` directive in the build.
  In a single-page build (a source folder with no ``_toc.yml``), a page that cites and has no
  bibliography of its own gets one appended, listing what it cites. The full build has one
  bibliography, ``book/bibliography.md``, and is not changed.

Set up by :mod:`grubook_site` (``_config.yml``: ``sphinx.extra_extensions``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PATH_KEYS = ("bibtex_bibfiles", "html_static_path")
LOCAL_BIBLIOGRAPHY = "\n\n```{bibliography}\n:filter: docname in docnames\n```\n"


def resolve(entry: str, srcdir: Path) -> str:
    """``entry`` if it exists under ``srcdir``, else the same path found from a folder above it,
    written relative to ``srcdir``."""
    if os.path.isabs(entry) or (srcdir / entry).exists():
        return entry
    for folder in srcdir.resolve().parents:
        if (folder / entry).exists():
            return os.path.relpath(folder / entry, srcdir.resolve())
    return entry


def is_single_page(srcdir) -> bool:
    return not (Path(srcdir) / "_toc.yml").exists()


def _fix_paths(app, config) -> None:
    srcdir = Path(app.srcdir)
    for key in PATH_KEYS:
        value = getattr(config, key, None)
        if value:
            setattr(config, key, [resolve(str(entry), srcdir) for entry in value])


def local_bibliography(app, docname, source) -> None:
    if not is_single_page(app.srcdir) or "sphinxcontrib.bibtex" not in app.extensions:
        return
    text = source[0]
    if re.search(r"\{cite(:[a-z]+)?\}`", text) and "{bibliography}" not in text:
        source[0] = text.rstrip("\n") + LOCAL_BIBLIOGRAPHY


def setup(app):
    app.connect("config-inited", _fix_paths, priority=100)
    app.connect("source-read", local_bibliography)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.1"}
