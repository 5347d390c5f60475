"""Before any chapter executes: forget the cached runs that other grubook code computed.

myst-nb's execution cache (``execute_notebooks: cache``, ``_build/.jupyter_cache``) recognises a
chapter by its code cells only. After a change to ``src/grubook`` (or to the committed results it
reads) a chapter whose cells did not change would come back from the cache with the old numbers,
figures and lab weights. So each chapter's last cell records the grubook files it loaded and
their fingerprint (:func:`grubook.timing.kernel_usage`, glued as ``run_usage``), and at the start of
every build this module removes the records whose files no longer have that fingerprint, or that
carry none (runs from before the fingerprint). Those chapters execute again; the others still come
from the cache. A cache in any state (empty, partial, complete, stale) then gives the site of the
code as it is (tests/test_cache_states.py builds a fixture book from each).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from sphinx.util import logging

from grubook import timing

from .records import USAGE, glued

logger = logging.getLogger(__name__)


def stale(nb) -> str | None:
    """Why the executed notebook ``nb`` is out of date with the grubook code now, or None when it
    is current or records nothing (a page without ``run_usage``)."""
    text = glued(nb).get(USAGE)
    if text is None:
        return None
    try:
        record = ast.literal_eval(text).get("grubook")
    except (ValueError, SyntaxError, AttributeError):
        return f"its {USAGE} is not a kernel_usage() result"
    if not isinstance(record, dict) or "fingerprint" not in record:
        return "it records no fingerprint of the grubook code that ran"
    if timing.fingerprint(record.get("files", [])) != record["fingerprint"]:
        return "grubook code it loaded has changed since"
    return None


def prune(cache_dir) -> list[tuple[str, str]]:
    """Remove the stale records of the jupyter-cache at ``cache_dir``; return (notebook, reason) for
    each one removed. Nothing happens where there is no cache yet."""
    if not (Path(cache_dir) / "global.db").exists():
        return []
    from jupyter_cache import get_cache

    cache = get_cache(os.fspath(cache_dir))
    removed = []
    for record in cache.list_cache_records():
        try:
            nb = cache.get_cache_bundle(record.pk).nb
        except (KeyError, OSError, ValueError) as err:  # an unreadable record is no record
            why = f"its record cannot be read ({type(err).__name__})"
        else:
            why = stale(nb)
        if why:
            cache.remove_cache(record.pk)
            removed.append((record.uri, why))
    return removed


def _on_builder_inited(app) -> None:
    config = getattr(app.env, "mystnb_config", None)  # myst-nb's, set on builder-inited before this
    if config is None or config.execution_mode != "cache":
        return
    rerun = app.env.__dict__.setdefault("grubook_rerun", set())
    for uri, why in prune(config.execution_cache_path):
        logger.info(f"grubook: {Path(uri).name} runs again: {why}")
        doc = app.env.path2doc(uri)
        if doc:
            rerun.add(doc)


def uncached(cache_dir, paths) -> list[Path]:
    """Of the notebook sources ``paths`` (MyST ``.md`` with a kernel, or ``.ipynb``), those with no
    record in the cache at ``cache_dir`` that matches their code now."""
    import jupytext
    from jupyter_cache import get_cache

    store = get_cache(os.fspath(cache_dir)) if (Path(cache_dir) / "global.db").exists() else None
    missing = []
    for path in map(Path, paths):
        if path.suffix not in (".md", ".ipynb") or not path.is_file():
            continue
        nb = jupytext.read(path)
        if path.suffix == ".md" and "kernelspec" not in nb.metadata:
            continue  # a page of prose, not a notebook
        try:
            if store is None:
                raise KeyError(path)
            store.match_cache_notebook(nb)
        except KeyError:
            missing.append(path)
    return missing


def _outdated(app, env, added, changed, removed) -> list[str]:
    """An incremental build would keep the pages of unchanged sources as they were: read again the
    chapters whose records were removed (the list is kept in the environment until each is read,
    so an interrupted build still reads them next time), and any other notebook the cache has no
    record for (its page came from a run nobody can check any more)."""
    config = getattr(env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache":
        return []
    rerun = set(getattr(env, "grubook_rerun", set()))
    unchanged = sorted(set(env.found_docs) - set(added) - set(changed) - set(removed))
    paths = {Path(env.doc2path(doc)).resolve(): doc for doc in unchanged}
    rerun.update(paths[p.resolve()] for p in uncached(config.execution_cache_path, paths))
    return sorted(rerun & set(unchanged))


def _read(app, doctree) -> None:
    getattr(app.env, "grubook_rerun", set()).discard(app.env.docname)


def setup(app):
    app.connect("builder-inited", _on_builder_inited, priority=900)  # after myst-nb's (500)
    app.connect("env-get-outdated", _outdated)
    app.connect("doctree-read", _read)
