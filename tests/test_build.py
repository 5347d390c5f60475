"""The build fails loudly: a failing cell or a Sphinx warning gives a non-zero exit.

Fixture books (tests/fixtures/) are built with the repository's own _config.yml and the Makefile's
jupyter-book flags, exactly as ``make book`` builds the real book: ``broken`` carries every failure
a finished build reports, ``failing`` a cell that stops the build where it runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
from bookbuild import ROOT, build_book, jb_flags  # noqa: E402

pytestmark = pytest.mark.build


def test_makefile_builds_with_warnings_as_errors():
    flags = jb_flags()
    assert "-W" in flags and "--keep-going" in flags, flags


def test_a_failing_cell_fails_the_build(tmp_path):
    result = build_book("failing", tmp_path / "failing")
    assert result.returncode != 0, result.stdout[-3000:]
    # the reader of the log is told which cell failed and why
    assert "ZeroDivisionError" in result.stdout, result.stdout[-3000:]
    assert "this cell fails on purpose" in result.stdout


def test_every_warning_fails_the_build_and_each_is_reported(tmp_path):
    """One book, every failure mode a finished build reports: a broken cross-reference, a missing
    image, and a page that embeds ipywidgets (the site has no widget manager: a live explorer the
    build runs would be dead on the page). With -W the build fails; with --keep-going every one is
    reported, and the widget page is named with the fix (tag the cell skip-execution)."""
    # the widget cell's Output capture has once left nbclient waiting for the kernel after the
    # outputs were in (CI, 2026-12-07): a minute, not the book's 10, before that cell gives up
    result = build_book("broken", tmp_path / "broken", config={"execute": {"timeout": 60}})
    log = result.stdout
    assert result.returncode != 0, log[-3000:]
    assert "a-label-that-does-not-exist" in log, log[-3000:]
    assert "missing-figure.png" in log, log[-3000:]
    assert "page book/widget embeds ipywidgets" in log, log[-3000:]
    assert "application/vnd.jupyter.widget-state+json" in log, log[-3000:]
    assert "application/vnd.jupyter.widget-view+json" in log, log[-3000:]
    assert "skip-execution" in log, log[-3000:]


def test_the_plotly_js_bundle_must_match_plotly_py(tmp_path, monkeypatch):
    """The site's plotly.js (npm) is the version plotly.py writes figures for, else no build."""
    import json

    from plotly.offline import get_plotlyjs_version
    from sphinx.errors import ExtensionError

    from grubook_site import assets

    assert assets.check_plotly_version(assets.node_modules(ROOT)) == get_plotlyjs_version()
    fake = tmp_path / "node_modules" / assets.PLOTLY_PACKAGE
    fake.mkdir(parents=True)
    (fake / "package.json").write_text(json.dumps({"version": "0.0.1"}))
    with pytest.raises(ExtensionError, match=r"plotly\.js .* but node_modules has .* 0\.0\.1"):
        assets.check_plotly_version(tmp_path / "node_modules")
    # and a real build stops with that message before it reads a page
    for package in ("mathjax", "thebe"):
        (tmp_path / "node_modules" / package).symlink_to(assets.node_modules(ROOT) / package)
    (fake / assets.PLOTLY_JS).write_text("/* not plotly.js */")
    monkeypatch.setenv("GRUBOOK_NODE_MODULES", str(tmp_path / "node_modules"))
    result = build_book("failing", tmp_path / "book")
    assert result.returncode != 0
    assert f"node_modules has {assets.PLOTLY_PACKAGE} 0.0.1" in result.stdout, result.stdout[-3000:]
    lock = json.loads((ROOT / "package-lock.json").read_text())
    pinned = lock["packages"][f"node_modules/{assets.PLOTLY_PACKAGE}"]["version"]
    assert pinned == get_plotlyjs_version(), "package-lock.json pins another plotly.js"


def test_no_widget_manager_or_require_js_in_the_npm_packages():
    import json

    deps = json.loads((ROOT / "package.json").read_text())["dependencies"]
    assert "requirejs" not in deps and "@jupyter-widgets/html-manager" not in deps, deps


def test_the_teaching_package_holds_no_build_machinery():
    """Sphinx extensions and site assets live in src/grubook_site, never in src/grubook."""
    import re

    src = ROOT / "src" / "grubook"
    offenders = [
        str(f.relative_to(ROOT))
        for f in src.rglob("*.py")
        if re.search(r"^\s*(import sphinx|from sphinx)", f.read_text(), re.M)
    ]
    assert not offenders, f"these modules of the teaching package import Sphinx: {offenders}"
    assert not list(src.rglob("*.css")) and not list(src.rglob("*.js"))
    static = ROOT / "src" / "grubook_site" / "static"
    assert (static / "grubook.css").is_file() and (static / "grubook.js").is_file()


def test_a_thebe_server_url_with_a_token_is_refused():
    """Every built page would publish the token, and with it the right to run code on the server."""
    from sphinx.errors import ExtensionError

    from grubook_site import assets

    with pytest.raises(ExtensionError, match=r"holds a token: it would be written into every"):
        assets.thebe_server("http://127.0.0.1:8888/?token=abc")
    settings = assets.thebe_server("http://127.0.0.1:8888/lab")
    assert settings == {"baseUrl": "http://127.0.0.1:8888/lab", "token": ""}


def test_the_sites_javascript_builds_the_page_from_text_never_from_markup():
    """A Plotly title or a Thebe status holding <img src=x onerror=...> must never run: the site's
    scripts set textContent, build elements, or read markup through an inert DOMParser document."""
    import re

    markup = re.compile(r"\.(innerHTML|outerHTML)\s*\+?=|insertAdjacentHTML|document\.write")
    static = ROOT / "src" / "grubook_site" / "static"
    found = [
        f"{js.name}:{n}: {line.strip()}"
        for js in sorted(static.glob("*.js"))
        for n, line in enumerate(js.read_text().splitlines(), 1)
        if markup.search(line)
    ]
    assert not found, "markup from strings in the site's JavaScript:\n" + "\n".join(found)
