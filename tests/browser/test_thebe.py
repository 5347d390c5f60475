"""Live code on the static pages, for real: press "Live Code", run a cell, read its output.

The fixture book is built with Thebe pointed at a Jupyter server this test session starts on
127.0.0.1 (``grubook_thebe_server``; the published site uses Binder instead). Thebe's JavaScript
comes from the site's own _static folder (npm package ``thebe``), so this runs offline.
"""

from __future__ import annotations

import pytest
import sitecheck
from bookbuild import ROOT

import grubook

pytestmark = [pytest.mark.browser, pytest.mark.build]


def _wait(driver, condition, timeout, what):
    value = sitecheck.poll(condition, timeout, 0.25)
    if value:
        return value
    errors = [
        m
        for lvl, m in ((e["level"], e["message"]) for e in driver.get_log("browser"))
        if lvl == "SEVERE"
    ]
    pytest.fail(f"timed out after {timeout} s waiting for {what}; console errors: {errors}")


def _shown(driver, css: str) -> list:
    """The elements matching ``css`` that are displayed."""
    from selenium.webdriver.common.by import By

    return [b for b in driver.find_elements(By.CSS_SELECTOR, css) if b.is_displayed()]


def test_live_code_runs_a_cell_that_imports_grubook(driver, fixture_build, jupyter_server):
    from selenium.webdriver.common.by import By

    with sitecheck.serve(fixture_build["html"]) as base:
        driver.get_log("browser")
        driver.get_log("performance")
        sitecheck.load(driver, base + "book/thebe.html")
        static_output = driver.find_element(By.CSS_SELECTOR, "div.cell .cell_output").text
        assert "grubook" in static_output and str(jupyter_server["root"]) not in static_output

        # the rocket menu, then "Live Code", as a reader would
        driver.find_element(By.CSS_SELECTOR, ".dropdown-launch-buttons .dropdown-toggle").click()
        live = ".btn-launch-thebe"
        _wait(driver, lambda: _shown(driver, live), 10, "the Live Code button")[0].click()

        _wait(
            driver,
            lambda: driver.execute_script("return !!(window.thebe && window.thebe.session)"),
            120,
            "Thebe to start a kernel on the local Jupyter server",
        )
        run = "#codecell0 .thebe-run-button"
        _wait(driver, lambda: _shown(driver, run), 30, "the cell's run button")[0].click()

        root = str(jupyter_server["root"])

        def live_output():
            text = driver.find_element(By.CSS_SELECTOR, "#codecell0").text
            return text if root in text else None

        text = _wait(driver, live_output, 120, "the cell's live output")
        assert f"grubook {grubook.__version__} in {root}" in text, text

        console = [(e["level"], e["message"]) for e in driver.get_log("browser")]
        report = sitecheck.PageReport(
            page="book/thebe.html", url=base + "book/thebe.html", console=console
        )
        sitecheck.drain_performance(driver, report.requests)
        assert report.console_errors() == []
        assert report.offsite_requests() == []
        assert any("/_static/thebe/index.js" in q.url for q in report.requests.values())
        shots = ROOT / "_build" / "screenshots-fixture"
        shots.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(shots / "thebe-live.png"))
