"""The built book, page by page, as a reader sees it in Chromium with no network.

Every page listed in _toc.yml is opened once from _build/html (``make test`` builds the book first);
``test_page`` reads what was seen, one check of :data:`CHECKS` at a time. Screenshots at desktop and
phone width, and the page-weight table, are written to _build/screenshots.
"""

from __future__ import annotations

import pytest
import sitecheck
from bookbuild import ROOT

pytestmark = pytest.mark.browser

PAGES = sitecheck.toc_pages(ROOT / "_toc.yml")


def _outputs(r, site) -> list[str]:
    """Every code cell that ran shows its output."""
    expected = sitecheck.expected_outputs(ROOT, r.page, ROOT / "_build", site["cache"])
    return sitecheck.output_problems(r, expected)


def _sliders(r, _) -> list[str]:
    """Every static slider was moved, and its figure's data changed."""
    n = sum(len(p["sliders"]) for p in r.dom["plots"])
    return r.slider_problems() + ([] if len(r.sliders) == n else [f"{len(r.sliders)} of {n} tried"])


def _live_code(r, _) -> list[str]:
    """Pages with code cells offer "Live Code" (Thebe), configured for the book's kernel."""
    button, config = r.dom["thebeButton"], r.dom["thebeConfig"]
    if r.dom["cells"] and not (button and any('"kernelName": "python3"' in c for c in config)):
        return [f"no Live Code button for the python3 kernel: button {button}, config {config}"]
    return []


# each check: (report, real_site) -> its problems; the fixture book shows each of them bite
CHECKS = {
    "no_javascript_errors": lambda r, _: r.console_errors(),
    # every request the page made went to the local server (nothing from a CDN)
    "works_offline": lambda r, _: r.offsite_requests() if r.requests else ["no requests recorded"],
    "math_is_rendered": lambda r, _: r.math_problems(),
    "figures_are_visible_and_described": lambda r, _: r.figure_problems(),
    "every_cell_that_ran_shows_its_output": _outputs,
    "static_sliders_move": _sliders,
    # live explorers are not run by the build (skip-execution): no widget state on the page, and
    # neither require.js nor the ipywidgets manager loaded
    "no_widgets_and_no_widget_manager": lambda r, _: r.widget_problems(),
    "live_code_button_on_notebook_pages": _live_code,
    # a first visit (the document and everything it loads, decoded, as Chromium received it) is at
    # most 6 MB; the table is in _build/screenshots/page-weight.md
    "page_weight": lambda r, _: r.weight_problems(),
    "screenshots_written": lambda r, _: (
        []
        if len(r.screenshots) == 2 and all(p.stat().st_size > 5_000 for p in r.screenshots)
        else [f"screenshots {r.screenshots}"]
    ),
}


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("page", PAGES)
def test_page(real_site, page, check):
    assert CHECKS[check](real_site["reports"][page], real_site) == []
