"""Section ``site``: what a first visit to each page of the built site costs a reader.

Each page of ``_toc.yml`` is opened from ``_build/html`` (``make book`` builds it) in headless
Chromium with no network, served with ``Cache-Control: no-store`` so that every page is a first
visit; the table counts the decoded bytes of the document and of everything it loaded, by kind
(html, js, css, fonts, other), against the 6 MB limit the browser tests enforce
(``grubook_site.browser``: the same measurement, the same table).

Then the playground (``book/playground.html``): one training step of the page's engine (a batch
of 8-bit sums drawn, forward, backpropagation through time, Adam) for each cell at hidden size 16
and batch 32, timed in the page with ``performance.now()`` (``grubook_site.play.step_times``, the
measurement the browser test prints), against the issue's bar of one frame (16 ms).
"""

from __future__ import annotations

from pathlib import Path

from grubook_site import browser, play
from grubook_site.book import toc_pages

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
HEAD = "## 4. The site: page weight on a first visit\n\n"
PLAY_HEAD = "### Training in the browser: one step of the playground's engine\n\n"


def measure(html: Path, pages: list[str]) -> tuple[list[browser.Visit], dict | None]:
    """One :class:`grubook_site.browser.Visit` per page, with its requests; and the playground's
    step times (:func:`grubook_site.play.step_times`), None when it is not among ``pages``."""
    driver = browser.start(logs=True, script_timeout=60)
    visits, steps = [], None
    try:
        with browser.serve(html) as base:
            for page in pages:
                driver.get_log("performance")
                driver.get(base + page)
                driver.execute_async_script(browser.READY_JS)
                visit = browser.Visit(page=page, url=base + page)
                browser.drain_performance(driver, visit.requests)
                visits.append(visit)
                if page == play.PAGE:
                    steps = play.step_times(driver)
    finally:
        driver.quit()
    return visits, steps


def play_table(steps: dict | None) -> str:
    """The playground's step times as a markdown table, or a sentence saying why there are none."""
    if steps is None:
        return PLAY_HEAD + f"**Not measured: {play.PAGE} is not built.**"
    size = play.STEP
    rows = [
        f"| {cell.upper()} | {t['median']:.2f} | {sorted(t['times'])[-1]:.2f} | "
        f"{'yes' if t['median'] < play.LIMIT_MS else '**no**'} |"
        for cell, t in steps.items()
    ]
    return (
        PLAY_HEAD
        + f"Hidden size {size['hidden_size']}, batch {size['batch_size']}, {size['bits']}-bit "
        f"sums ({size['bits'] + 1} steps), float64; median and slowest of {size['steps']} steps "
        f"after {size['warmup']} to warm up, in headless Chromium.\n\n"
        f"| cell | median ms | slowest ms | under {play.LIMIT_MS} ms |\n|---|---|---|---|\n"
        + "\n".join(rows)
    )


def run(html: Path = HTML, toc: Path = ROOT / "_toc.yml") -> str:
    """The section's markdown: a table per page of ``toc`` built in ``html``, or a sentence saying
    why there is none."""
    pages = toc_pages(toc)
    built = [p for p in pages if (html / p).is_file()]
    if not html.is_dir():
        return HEAD + f"**Not measured: {html} is missing.** Run `make book` first."
    if not built:
        return HEAD + (
            f"**Not measured: the site is not built** ({html} has none of the {len(pages)} pages "
            "of _toc.yml). Run `make book` first."
        )
    missing = browser.missing()
    if missing:
        return HEAD + f"**Not measured: Chromium is needed** ({missing}): {browser.INSTALL_HINT}"
    reports, steps = measure(html, built)
    over = [r.page for r in reports if r.weight_problems()]
    heaviest = max(reports, key=lambda r: r.weight()["total"])
    note = (
        f"{len(reports)} pages from {html.relative_to(ROOT) if html.is_relative_to(ROOT) else html}"
        f", opened in headless Chromium, offline; decoded bytes (KB = 1000 bytes, MB = 10^6) of "
        f"the document and everything it loaded. Limit: {browser.MAX_PAGE_BYTES / 1e6:g} MB. "
        f"Heaviest: {heaviest.page} ({heaviest.weight()['total'] / 1e6:.2f} MB). "
        + (f"**Over the limit: {', '.join(over)}.**" if over else "Every page is within it.")
    )
    if len(built) < len(pages):
        note += f" Not built, so not measured: {', '.join(p for p in pages if p not in built)}."
    return HEAD + note + "\n\n" + browser.weight_table(reports) + "\n\n" + play_table(steps)


if __name__ == "__main__":
    print(run())
