"""The chapter slides (`make slides`, grubook_site.slides) in headless Chromium, offline.

Each deck is built from the built site (``_build/html``, made by `make book`) into a temporary
folder and served from 127.0.0.1, and must: have at least ten slides; typeset every formula (no raw
TeX left); log no console error and load nothing from another host; move to the next slide on the
right arrow key; draw every Plotly figure (its SVG, its data, at the slide's width, with a keyboard
slider where it has a Plotly slider: on the first, the arrow key moves the figure's step and not the
slide) and every image when its slide is shown; and show the
chapter page's own glued numbers (the summary's numbers equal the page's, in order).

The first figure of each deck is checked again at a phone's width (390 px, the window resized).
The check bites: the same check over a deck whose plotly.js is missing fails.
Screenshots of a few slides (1280 x 720 and 390 x 844) go to ``_build/screenshots/slides``.
"""

from __future__ import annotations

import base64
import shutil
import time
from pathlib import Path

import pytest
import sitecheck
from bookbuild import ROOT

from grubook_site import book, slides

pytestmark = pytest.mark.browser

SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots" / "slides"
CHAPTERS = [Path(p).name for p in book.toc_pages(ROOT / "_toc.yml") if book.is_chapter(p)]

_READY = r"""
const done = arguments[arguments.length - 1];
(async () => {
  if (document.readyState !== "complete") return done("document loading");
  if (!window.grubookSlides || !grubookSlides.ready) return done("reveal.js not started");
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return done("no MathJax");
  await MathJax.startup.promise;
  done("");
})().catch((e) => done("error: " + e));
"""

_FIGURE = r"""
const gd = document.getElementById(arguments[0]);
if (!gd) return "missing";
if (!gd.classList.contains("js-plotly-plot")) return "not drawn";
if (!gd.querySelector(".main-svg")) return "no SVG";
if (!gd.data || !gd.data.length) return "no data";
const w = gd.getBoundingClientRect().width, full = gd._fullLayout.width;
if (w < 300 || Math.abs(full - w) > 2) return `drawn ${full} px wide in a ${w} px box`;
const sliders = (gd.layout.sliders || []).length;
if (sliders && !gd.closest(".grubook-figure")) return "figures.js did not run";
const ranges = gd.closest(".grubook-figure")
  ? gd.closest(".grubook-figure").querySelectorAll("input[type=range]").length : 0;
if (ranges !== sliders) return `${sliders} Plotly sliders but ${ranges} keyboard controls`;
return "";
"""


_NO_PLOTLY = "return document.readyState === 'complete' && !window.Plotly;"


def _shot(driver, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})["data"]
    path.write_bytes(base64.b64decode(data))


def _keyboard_slider(driver, fig: str, problems: list[str]) -> bool:
    """On a figure with a slider: its keyboard control (figures.js) takes the arrow key, moves the
    figure's step, and the deck stays on its slide. False when the figure has no slider."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    before = driver.execute_script(
        "const gd = document.getElementById(arguments[0]);"
        "const r = gd.closest('.grubook-figure').querySelector('input[type=range]');"
        "if (!r) return null; r.value = 0; r.dispatchEvent(new Event('input')); r.focus();"
        "return [Reveal.getIndices().h, gd.layout.sliders[0].active || 0];",
        fig,
    )
    if before is None:
        return False
    time.sleep(0.5)
    ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
    time.sleep(0.8)
    after = driver.execute_script(
        "const gd = document.getElementById(arguments[0]); document.activeElement.blur();"
        "return [Reveal.getIndices().h, gd.layout.sliders[0].active || 0];",
        fig,
    )
    if after[0] != before[0]:
        problems.append(f"figure {fig}: the arrow key on its slider changed the slide")
    if after[1] != 1:
        problems.append(f"figure {fig}: the arrow key on its slider went to step {after[1]}, not 1")
    return True


def page_numbers(page_file: Path) -> list[str]:
    """The glued numbers in the points of a chapter page's summary, in order."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_file.read_text(encoding="utf-8"), "html.parser")
    summary = soup.find("section", id="summary")
    return [s.get_text() for s in summary.select("ul > li .pasted-text")] if summary else []


def deck_problems(driver, url: str, page_file: Path | None, shots: Path | None = None) -> dict:
    """Open a deck and check it; returns {"problems": [...], "slides": n, "figures": n}."""
    problems: list[str] = []
    seen = sitecheck.PageReport(page=url, url=url)  # its verdicts on the deck's math and console
    driver.get_log("browser")  # drop what earlier pages logged
    sitecheck.emulate(driver, (1280, 720))
    driver.get(url)
    state = sitecheck.poll(lambda: driver.execute_async_script(_READY), 60, 0.3, lambda s: not s)
    if state:
        problems.append(f"the deck did not start: {state}")
    total = driver.execute_script("return window.Reveal ? Reveal.getTotalSlides() : 0")
    if total < slides.MIN_SLIDES:
        problems.append(f"{total} slides, fewer than {slides.MIN_SLIDES}")

    if not state:
        seen.dom = driver.execute_script(sitecheck.DESCRIBE_JS)
        problems += seen.math_problems()
        if not driver.execute_script("return document.querySelectorAll('mjx-container').length"):
            problems.append("no typeset formula (mjx-container) in the deck")

        # the right arrow moves to the next slide
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        driver.execute_script("Reveal.slide(0); document.activeElement.blur();")
        before = driver.execute_script("return Reveal.getIndices().h")
        ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
        time.sleep(0.4)
        after = driver.execute_script("return Reveal.getIndices().h")
        if after != before + 1:
            problems.append(f"ArrowRight went from slide {before} to {after}, not {before + 1}")

    # every figure and image, when its slide is shown
    figures = driver.execute_script(
        "return [...document.querySelectorAll('.reveal .slides > section')].map((s, i) => "
        "[i, [...s.querySelectorAll('.grubook-plotly')].map((d) => d.id), "
        "s.querySelectorAll('img').length])"
    )
    drawn = 0
    keyboard_checked = phone_checked = False
    for index, ids, images in figures:
        if not ids and not images:
            continue
        if not state:
            driver.execute_script("Reveal.slide(arguments[0]);", index)
        for fig in ids:
            verdict = sitecheck.poll(  # until drawn, or never will be: plotly.js did not load
                lambda: driver.execute_script(_FIGURE, fig),
                20,
                0.25,
                lambda v: not v or driver.execute_script(_NO_PLOTLY),
            )
            if verdict:
                problems.append(f"slide {index + 1}: figure {fig}: {verdict}")
            else:
                drawn += 1
                if not keyboard_checked:
                    keyboard_checked = _keyboard_slider(driver, fig, problems)
        if images:
            broken = driver.execute_script(
                "return [...document.querySelectorAll('.reveal .slides > section')[arguments[0]]"
                ".querySelectorAll('img')].filter((i) => !i.complete || !i.naturalWidth)"
                ".map((i) => i.getAttribute('src'))",
                index,
            )
            problems += [f"slide {index + 1}: image not loaded: {src}" for src in broken]
        if ids and not phone_checked and not state:
            # the same slide on a phone (a window resized): the figure takes the new width
            phone_checked = True
            if shots is not None:
                _shot(driver, shots / "figure.png")
            sitecheck.emulate(driver, (390, 844))
            time.sleep(1.0)
            verdict = driver.execute_script(_FIGURE, ids[0])
            if verdict:
                problems.append(f"slide {index + 1}: figure {ids[0]} at 390 px: {verdict}")
            if shots is not None:
                _shot(driver, shots / "figure-phone.png")
            sitecheck.emulate(driver, (1280, 720))
            time.sleep(0.5)

    # the page's glued numbers, never retyped
    if page_file is not None and not state:
        want = page_numbers(page_file)
        have = driver.execute_script(
            "return [...document.querySelectorAll('section[data-kind=summary] .pasted-text')]"
            ".map((s) => s.textContent)"
        )
        if have != want:
            problems.append(f"summary numbers {have} differ from the page's {want}")
    if shots is not None and not state:
        driver.execute_script("Reveal.slide(1)")
        time.sleep(0.5)
        _shot(driver, shots / "objectives.png")

    local = ("127.0.0.1", "localhost")
    offsite = driver.execute_script(
        "return performance.getEntriesByType('resource').map((e) => e.name)"
        ".filter((u) => !/^(data|blob|about):/.test(u))"
    )
    problems += [f"loads from another host: {u}" for u in offsite if not any(h in u for h in local)]
    seen.console = [(e["level"], e["message"]) for e in driver.get_log("browser")]
    problems += [f"console error: {m[:300]}" for m in seen.console_errors()]
    return {"problems": problems, "slides": total, "figures": drawn}


@pytest.fixture(scope="module")
def built_decks(tmp_path_factory):
    if not (SITE / "index.html").is_file():
        pytest.fail("the book is not built: run `make book` first", pytrace=False)
    out = tmp_path_factory.mktemp("slides")
    done = slides.build_slides(SITE, out, ROOT)
    print(f"\nslides: {len(done['decks'])} decks in {done['seconds']:.1f} s")
    return out


@pytest.fixture(scope="module")
def deck_server(built_decks):
    with sitecheck.serve(built_decks) as base:
        yield base


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_deck(driver, built_decks, deck_server, chapter):
    shots = SHOTS / chapter.removesuffix(".html")
    shutil.rmtree(shots, ignore_errors=True)
    result = deck_problems(driver, deck_server + chapter, SITE / "book" / chapter, shots)
    print(f"{chapter}: {result['slides']} slides, {result['figures']} Plotly figures drawn")
    assert not result["problems"], f"{chapter}:\n  " + "\n  ".join(result["problems"])


def test_check_bites_on_a_deck_without_plotly(driver, built_decks, tmp_path):
    """A deck whose plotly.js is missing: its figures are not drawn and the browser logs the 404."""
    broken = tmp_path / "slides"
    shutil.copytree(built_decks, broken)
    (broken / "_static" / "plotly-cartesian.min.js").unlink()
    chapter = next(c for c in CHAPTERS if "grubook-plotly" in (broken / c).read_text())
    with sitecheck.serve(broken) as base:
        result = deck_problems(driver, base + chapter, SITE / "book" / chapter)
    text = "\n".join(result["problems"])
    assert "not drawn" in text, text
    assert "console error" in text and "plotly-cartesian.min.js" in text, text
