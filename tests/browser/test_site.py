"""The built book, page by page, as a reader sees it in Chromium with no network.

Every page listed in _toc.yml is opened once from _build/html (``make test`` builds the book first);
these tests read what was seen. Screenshots at desktop and phone width, and the page-weight table,
are written to _build/screenshots.
"""

from __future__ import annotations

import pytest
import sitecheck
from bookbuild import ROOT

pytestmark = pytest.mark.browser

PAGES = sitecheck.toc_pages(ROOT / "_toc.yml")


def _report(real_site, page):
    return real_site["reports"][page]


@pytest.mark.parametrize("page", PAGES)
def test_no_javascript_errors(real_site, page):
    assert _report(real_site, page).console_errors() == []


@pytest.mark.parametrize("page", PAGES)
def test_works_offline(real_site, page):
    """Every request the page made went to the local server (nothing from a CDN)."""
    r = _report(real_site, page)
    assert r.requests, "no requests were recorded"
    assert r.offsite_requests() == []


@pytest.mark.parametrize("page", PAGES)
def test_math_is_rendered(real_site, page):
    assert _report(real_site, page).math_problems() == []


@pytest.mark.parametrize("page", PAGES)
def test_figures_are_visible_and_described(real_site, page):
    assert _report(real_site, page).figure_problems() == []


@pytest.mark.parametrize("page", PAGES)
def test_every_cell_that_ran_shows_its_output(real_site, page):
    expected = sitecheck.expected_outputs(ROOT, page, ROOT / "_build", real_site["cache"])
    assert sitecheck.output_problems(_report(real_site, page), expected) == []


@pytest.mark.parametrize("page", PAGES)
def test_static_sliders_move(real_site, page):
    r = _report(real_site, page)
    assert r.slider_problems() == []
    assert len(r.sliders) == sum(len(p["sliders"]) for p in r.dom["plots"])


@pytest.mark.parametrize("page", PAGES)
def test_no_widgets_and_no_widget_manager(real_site, page):
    """Live explorers are not run by the build (skip-execution): no widget state on the page, and
    neither require.js nor the ipywidgets manager loaded."""
    assert _report(real_site, page).widget_problems() == []


@pytest.mark.parametrize("page", PAGES)
def test_live_code_button_on_notebook_pages(real_site, page):
    """Pages with code cells offer "Live Code" (Thebe), configured for the book's kernel."""
    r = _report(real_site, page)
    if not r.dom["cells"]:
        return
    assert r.dom["thebeButton"], "no Live Code button"
    assert any('"kernelName": "python3"' in c for c in r.dom["thebeConfig"]), r.dom["thebeConfig"]


@pytest.mark.parametrize("page", PAGES)
def test_page_weight(real_site, page):
    """A first visit to any page (the document and everything it loads, decoded, as Chromium
    received it) is at most 6 MB; the table is in _build/screenshots/page-weight.md."""
    assert _report(real_site, page).weight_problems() == []


@pytest.mark.parametrize("page", PAGES)
def test_screenshots_written(real_site, page):
    shots = _report(real_site, page).screenshots
    assert len(shots) == 2 and all(p.stat().st_size > 5_000 for p in shots), shots
