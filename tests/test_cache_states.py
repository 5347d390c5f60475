"""A build from every state of the execution cache a CI or deploy runner can have gives a working
site of the code as it is (issue 26): empty, complete (only the cache kept, as the deploy job
keeps it), partial (some chapters cached), and stale (a chapter cached by other grubook code).

The fixture book ``tests/fixtures/cachestates`` has three chapters that, like the book's, end by
gluing ``kernel_usage()`` (the grubook files they loaded and their fingerprint); one exports a
lab. Marked ``build``: it runs ``jupyter-book`` three times (the last from a cache both partial and
stale).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))

from bookbuild import build_book, rebuild  # noqa: E402

from grubook import timing  # noqa: E402
from grubook_site import cache as site_cache  # noqa: E402

pytestmark = pytest.mark.build
PAGES = ("plain", "with-lab")


def _build(tmp: Path, cache: Path, in_place: bool = False):
    """Build the fixture into ``tmp / "book"`` with the execution cache at ``cache``: a fresh copy
    of the sources, so that nothing but the cache carries over (book/lab included), or
    ``in_place`` (the last build's doctrees and site kept, as in an incremental ``make book``)."""
    if in_place:
        result = rebuild(tmp / "book")
    else:
        result = build_book("cachestates", tmp / "book", config={"execute": {"cache": str(cache)}})
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout


def _executed(log: str) -> int:
    return len(re.findall(r"Executed notebook in", log))


def _site_works(tmp: Path) -> None:
    html = tmp / "book" / "_build" / "html" / "book"
    plain = re.sub(r"<[^>]+>", "", (html / "plain.html").read_text())
    assert "has 63 parameters" in plain  # 3 * 3 * (2 + 3 + 2)
    page = (html / "with-lab.html").read_text()
    assert 'data-lab="adder"' in page and 'data-weights="lab/tiny.json"' in page
    weights = json.loads((html / "lab" / "tiny.json").read_text())
    assert weights["config"]["cell"] == "gru"


def _records(cache: Path):
    from jupyter_cache import get_cache

    return get_cache(str(cache))


def test_a_build_from_each_cache_state_gives_the_site_of_the_code_as_it_is(tmp_path):
    cache = tmp_path / "cache"

    log = _build(tmp_path, cache)  # empty: every chapter runs
    assert _executed(log) == 3
    _site_works(tmp_path)

    log = _build(tmp_path, cache)  # complete: a fresh checkout with the cache only; nothing runs
    assert _executed(log) == 0 and log.count("Using cached notebook") == 3
    _site_works(tmp_path)  # the lab's weights came from the cached notebook, not book/lab

    # partial and stale at once, in place: one chapter's record lost, the lab chapter's record made
    # by other grubook code (as after an edit to src/), the third still current. Their sources did
    # not change, so only the build's own check makes Sphinx read (and run) the first two again.
    from jupyter_cache.base import CacheBundleIn

    store = _records(cache)
    by_page = {Path(r.uri).stem: r for r in store.list_cache_records()}
    store.remove_cache(by_page["plain"].pk)
    nb = store.get_cache_bundle(by_page["with-lab"].pk).nb
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            scrap = out.get("metadata", {}).get("scrapbook", {})
            if scrap.get("name") == "run_usage":
                key = scrap.get("mime_prefix", "") + "text/plain"
                out["data"][key] = re.sub(
                    r"'fingerprint': '[0-9a-f]+'",
                    "'fingerprint': '0000000000000000'",
                    out["data"][key],
                )
    assert site_cache.stale(nb) == "grubook code it loaded has changed since"
    store.cache_notebook_bundle(CacheBundleIn(nb, by_page["with-lab"].uri), overwrite=True)
    log = _build(tmp_path, cache, in_place=True)
    assert "with-lab.md runs again: grubook code it loaded has changed since" in log
    assert _executed(log) == 2
    _site_works(tmp_path)
    assert not site_cache.prune(cache)  # and every record is current again


def test_a_record_without_a_fingerprint_or_with_other_files_is_stale(tmp_path):
    """The rule itself, on notebooks made by hand: no run_usage -> not judged; no fingerprint (a
    run from before it existed) -> stale; a file it loaded now differs -> stale."""
    import nbformat

    def notebook(usage):
        nb = nbformat.v4.new_notebook()
        out = nbformat.v4.new_output(
            "display_data",
            data={"text/plain": repr(usage)},
            metadata={"scrapbook": {"name": "run_usage", "mime_prefix": ""}},
        )
        nb.cells.append(nbformat.v4.new_code_cell("glue(...)", outputs=[out]))
        return nb

    assert site_cache.stale(nbformat.v4.new_notebook()) is None
    old = {"peak_rss_mib": 1.0, "cpu_seconds": 1.0}
    assert site_cache.stale(notebook(old)) == (
        "it records no fingerprint of the grubook code that ran"
    )
    files = ["__init__.py", "gru.py"]
    now = {**old, "grubook": {"fingerprint": timing.fingerprint(files), "files": files}}
    assert site_cache.stale(notebook(now)) is None
    gone = {**old, "grubook": {"fingerprint": timing.fingerprint(files), "files": files + ["x.py"]}}
    assert site_cache.stale(notebook(gone)) == "grubook code it loaded has changed since"


def test_the_loaded_files_include_the_data_folders_of_loaded_packages():
    from grubook.energy import study  # noqa: F401 (loads grubook.energy, whose results it reads)

    files = timing.code_files()
    assert "gru.py" in files and "energy/study.py" in files
    assert "energy/results/manifest.json" in files
    assert not any("__pycache__" in f for f in files)
