"""Section ``site``: what a first visit to each page of the built site costs a reader.

Each page of ``_toc.yml`` is opened from ``_build/html`` (``make book`` builds it) in headless
Chromium with no network, served with ``Cache-Control: no-store`` so that every page is a first
visit; the table counts the decoded bytes of the document and of everything it loaded, by kind
(html, js, css, fonts, other), against the 6 MB limit the browser tests enforce
(``tests/browser/sitecheck.py``: the same measurement, the same table).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
HEAD = "## 5. The site: page weight on a first visit\n\n"


def _sitecheck():
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    import sitecheck

    return sitecheck


def measure(html: Path, pages: list[str]):
    """One :class:`sitecheck.PageReport` per page, with its requests (nothing else looked at)."""
    sitecheck = _sitecheck()
    driver = sitecheck.start_chromium()
    reports = []
    try:
        with sitecheck.serve(html) as base:
            for page in pages:
                driver.get_log("performance")
                driver.get(base + page)
                driver.execute_async_script(sitecheck._READY_JS)
                report = sitecheck.PageReport(page=page, url=base + page)
                sitecheck._drain_performance(driver, report.requests)
                reports.append(report)
    finally:
        driver.quit()
    return reports


def run(html: Path = HTML, toc: Path = ROOT / "_toc.yml") -> str:
    """The section's markdown: a table per page of ``toc`` built in ``html``, or a sentence saying
    why there is none."""
    sitecheck = _sitecheck()
    pages = sitecheck.toc_pages(toc)
    built = [p for p in pages if (html / p).is_file()]
    if not html.is_dir():
        return HEAD + f"**Not measured: {html} is missing.** Run `make book` first."
    if not built:
        return HEAD + (
            f"**Not measured: the site is not built** ({html} has none of the {len(pages)} pages "
            "of _toc.yml). Run `make book` first."
        )
    missing = sitecheck.browser_missing()
    if missing:
        return HEAD + f"**Not measured: Chromium is needed.** {missing}"
    reports = measure(html, built)
    over = [r.page for r in reports if r.weight_problems()]
    heaviest = max(reports, key=lambda r: r.weight()["total"])
    note = (
        f"{len(reports)} pages from {html.relative_to(ROOT) if html.is_relative_to(ROOT) else html}"
        f", opened in headless Chromium, offline; decoded bytes (KB = 1000 bytes, MB = 10^6) of "
        f"the document and everything it loaded. Limit: {sitecheck.MAX_PAGE_BYTES / 1e6:g} MB. "
        f"Heaviest: {heaviest.page} ({heaviest.weight()['total'] / 1e6:.2f} MB). "
        + (f"**Over the limit: {', '.join(over)}.**" if over else "Every page is within it.")
    )
    if len(built) < len(pages):
        note += f" Not built, so not measured: {', '.join(p for p in pages if p not in built)}."
    return HEAD + note + "\n\n" + sitecheck.weight_table(reports)


if __name__ == "__main__":
    print(run())
