"""Open built pages in headless Chromium, offline, and record what a reader would see.

Used by the browser tests for both the real book (test_site.py) and the fixture book whose broken
pages prove that each check catches what it is meant to catch (test_fixture_site.py).

Offline: the site is served from a local folder on 127.0.0.1, Chromium resolves every other host
name to "not found" and sends every non-loopback request to a dead proxy, and the test checks that
every request a page made went to 127.0.0.1.
"""

from __future__ import annotations

import base64
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bookbuild import ROOT

from grubook_site.book import is_chapter, is_notebook, toc_pages
from grubook_site.browser import (  # noqa: F401  (the tests use them through this module)
    MAX_PAGE_BYTES,
    READY_JS,
    Request,
    Visit,
    drain_performance,
    serve,
    weight_table,
)

DESKTOP = (1280, 900)
PHONE = (390, 844)
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# the numbered chapters of the real book, in order
CHAPTERS = [p for p in toc_pages(ROOT / "_toc.yml") if is_chapter(p)]
# What the site must never load: require.js and the ipywidgets manager (the site embeds no
# widgets; grubook_site.widgets fails the build on a page that does).
WIDGET_SCRIPTS = re.compile(r"require(\.min)?\.js|requirejs|embed-amd|html-manager|jupyter-widgets")

# Console messages at error level that are not defects of the book, each with the reason.
KNOWN_HARMLESS = [
    (
        re.compile(r"/favicon\.ico - Failed to load resource: .*404"),
        "the browser asks every site for /favicon.ico on its own; the book sets no favicon",
    ),
]


# --------------------------------------------------------------------------------------------
# driving Chromium (started by grubook_site.browser: conftest's ``driver``)


def block_urls(driver, patterns: list[str]) -> None:
    """Make Chromium refuse requests whose URL matches one of ``patterns`` (wildcards ``*``), with
    the cache off so a blocked file is not served from it; ``[]`` lifts the block."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": patterns})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": bool(patterns)})


def poll(fn, timeout: float, every: float = 0.2, done=bool):
    """Call ``fn`` until ``done`` of its value is true or ``timeout`` seconds have passed; returns
    its last value."""
    deadline = time.time() + timeout
    while not done(value := fn()) and time.time() < deadline:
        time.sleep(every)
    return value


@contextmanager
def blocked(driver, patterns: list[str]):
    """:func:`block_urls` for the length of a ``with`` block."""
    block_urls(driver, patterns)
    try:
        yield
    finally:
        block_urls(driver, [])


def emulate(driver, size: tuple[int, int] | None) -> None:
    """Lay pages out at ``size`` (width, height; under 600 px wide as a phone), or, with None, at
    the window's own size."""
    if size is None:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        return
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": size[0] < 600},
    )


def load(driver, url: str, size: tuple[int, int] | None = None) -> None:
    """Open ``url`` in the desktop window (or laid out at ``size``) and wait until it settles."""
    emulate(driver, size)
    if size is None:
        driver.set_window_size(*DESKTOP)
    driver.get(url)
    driver.execute_async_script(READY_JS)


_AT_PHONE_JS = r"""
const box = document.querySelector(arguments[0]);
const named = (i) => (i.labels && i.labels.length) || i.getAttribute('aria-label');
return {wide: document.documentElement.scrollWidth,
        box: box.getBoundingClientRect().width,
        ranges: box.querySelectorAll('input[type=range]').length,
        unlabelled: [...box.querySelectorAll('input, select')].filter(
          (i) => !named(i)).map((i) => i.outerHTML)};
"""


def at_phone(driver, selector: str) -> dict:
    """Lay the open page out at 390 px (a phone) and measure the element ``selector``: the page's
    scroll width, the element's width, its range inputs, and its inputs and selects that have no
    label (their HTML); the page goes back to its own size afterwards."""
    emulate(driver, PHONE)
    try:
        time.sleep(0.5)
        return driver.execute_script(_AT_PHONE_JS, selector)
    finally:
        emulate(driver, None)


# --------------------------------------------------------------------------------------------
# what a page shows

DESCRIBE_JS = r"""
const root = document.querySelector("article.bd-article") || document.querySelector("main")
  || document.body;
const text = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : "");
const shown = (el) => el.getClientRects().length > 0
  && getComputedStyle(el).visibility !== "hidden";
const hiddenByToggle = (el) => !!el.closest("details:not([open]), .toggle-hidden, [hidden]");
const fileLike = /^[^\s]+\.(png|jpe?g|svg|gif|webp)$/i;

// math: TeX delimiters left in visible prose, and math elements MathJax did not typeset
const rawTex = [];
const skip = "pre, code, script, style, textarea, mjx-container, .highlight, .MathJax";
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
const pattern = /\$\$|\\\[|\\\]|\\\(|\\\)|\\begin\{/;
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!el || el.closest(skip)) continue;
  if (pattern.test(node.textContent)) rawTex.push(node.textContent.trim().slice(0, 120));
}
const mathEls = [...root.querySelectorAll(".math")];
const untypeset = mathEls.filter((m) => !m.querySelector("mjx-container"))
  .map((m) => text(m).slice(0, 120));

// images
const images = [...root.querySelectorAll("img")].map((img) => {
  const fig = img.closest("figure");
  const cap = fig ? fig.querySelector("figcaption") : null;
  const alt = (img.getAttribute("alt") || "").trim();
  return {
    src: (img.getAttribute("src") || "").slice(0, 200),
    alt: alt,
    altIsText: alt.length > 0 && !fileLike.test(alt),
    caption: text(cap),
    loaded: img.complete && img.naturalWidth > 0,
    shown: shown(img) && img.getBoundingClientRect().width > 1,
    hiddenByToggle: hiddenByToggle(img),
  };
});

// Plotly figures and their sliders
const plots = [...root.querySelectorAll(".js-plotly-plot")].map((gd, i) => {
  gd.setAttribute("data-grubook-plot", String(i));
  const fig = gd.closest("figure");
  const layout = gd.layout || {};
  const t = layout.title;
  const title = t ? (typeof t === "string" ? t : t.text || "") : "";
  // a trace whose type this site's plotly.js bundle lacks is dropped or drawn as something else
  const full = gd._fullData || [];
  const missingTypes = (gd.data || []).map((trace) => {
    const type = trace.type || "scatter";
    const f = full.find((x) => x._input === trace);
    return f && f.type === type && f._module ? null : type;
  }).filter((type) => type !== null);
  return {
    index: i,
    drawn: !!gd.querySelector(".main-svg") && gd.getBoundingClientRect().height > 10,
    hiddenByToggle: hiddenByToggle(gd),
    title: title,
    missingTypes: missingTypes,
    caption: text(fig ? fig.querySelector("figcaption") : null),
    sliders: (layout.sliders || []).map(
      (s) => ({steps: (s.steps || []).length, active: s.active || 0})),
  };
});
const plotDivs = [...root.querySelectorAll(".grubook-plotly")]
  .filter((d) => !d.classList.contains("js-plotly-plot")).length;

// widgets: the site embeds none, and loads no widget manager
const widgetViews = document.querySelectorAll(
  'script[type="application/vnd.jupyter.widget-view+json"]').length;
const widgetState = document.querySelectorAll(
  'script[type="application/vnd.jupyter.widget-state+json"]').length;
const scripts = [...document.querySelectorAll("script[src]")].map((s) => s.src);

// code cells and their outputs, in page order
const cells = [...root.querySelectorAll("div.cell")].map((c) => {
  const out = c.querySelector(":scope > .cell_output, :scope > details .cell_output");
  return {
    classes: c.className,
    hasOutput: !!out && out.childElementCount > 0 && (text(out).length > 0
      || !!out.querySelector("img, svg, iframe, .js-plotly-plot")),
  };
});

return {
  title: document.title,
  rawTex: rawTex, mathCount: mathEls.length, untypeset: untypeset,
  images: images, plots: plots, plotDivsNotDrawn: plotDivs,
  widgetViews: widgetViews, widgetState: widgetState, scripts: scripts,
  cells: cells,
  thebeButton: !!document.querySelector(".btn-launch-thebe"),
  thebeConfig: [...document.querySelectorAll('script[type="text/x-thebe-config"]')]
    .map((s) => s.textContent),
  height: document.documentElement.scrollHeight,
};
"""

# images without alternative text, elements with the role img without an accessible name
NAMES_JS = r"""
const fileLike = /^[^\s]+\.(png|jpe?g|svg|gif|webp)$/i;
const out = [];
for (const img of document.querySelectorAll("img")) {
  const alt = (img.getAttribute("alt") || "").trim();
  if (!alt || fileLike.test(alt)) out.push("img " + (img.getAttribute("src") || "").slice(0, 80)
    + " alt=" + JSON.stringify(alt));
}
for (const el of document.querySelectorAll('[role="img"], svg[role="img"], figure svg[role]')) {
  const label = (el.getAttribute("aria-label") || "").trim();
  const by = (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)).filter(Boolean)
    .map((n) => n.textContent.trim()).join(" ");
  const title = el.querySelector(":scope > title");
  if (!label && !by && !(title && title.textContent.trim()))
    out.push(el.tagName.toLowerCase() + " role=img without a name: " + el.outerHTML.slice(0, 80));
}
return out;
"""

_SNAPSHOT_JS = r"""
const gd = document.querySelector('[data-grubook-plot="' + arguments[0] + '"]');
return JSON.stringify((gd.data || []).map(
  (t) => [t.x, t.y, t.z, t.text, t.customdata, t.marker && t.marker.color]));
"""


@dataclass
class PageReport(Visit):
    """What one visit to a page showed (its requests and weight: :class:`Visit`)."""

    dom: dict = field(default_factory=dict)
    console: list = field(default_factory=list)  # (level, message)
    sliders: list = field(default_factory=list)  # (plot index, slider index, changed, detail)
    screenshots: list = field(default_factory=list)
    unnamed: list = field(default_factory=list)  # NAMES_JS: images and role=img without a name
    seconds: float = 0.0

    # ---- verdicts: each returns a list of problems (empty = fine)

    def console_errors(self) -> list[str]:
        bad = []
        for level, message in self.console:
            if level != "SEVERE":
                continue
            if any(p.search(message) for p, _ in KNOWN_HARMLESS):
                continue
            bad.append(message[:400])
        return bad

    def offsite_requests(self) -> list[str]:
        out = []
        for r in self.requests.values():
            parts = urlsplit(r.url)
            if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension"):
                continue
            if parts.hostname not in LOCAL_HOSTS:
                out.append(r.url[:200])
        return out

    def math_problems(self) -> list[str]:
        d = self.dom
        return [f"raw TeX on the page: {t!r}" for t in d["rawTex"]] + [
            f"math not typeset: {t!r}" for t in d["untypeset"]
        ]

    def figure_problems(self) -> list[str]:
        out = []
        for img in self.dom["images"]:
            where = img["src"][:80]
            if not img["loaded"]:
                out.append(f"image does not load: {where}")
            elif not img["shown"] and not img["hiddenByToggle"]:
                out.append(f"image is not visible: {where}")
            if not img["altIsText"] and not img["caption"]:
                out.append(
                    f"image has neither alt text nor a caption: {where} (alt={img['alt']!r})"
                )
        for plot in self.dom["plots"]:
            if not plot["drawn"] and not plot["hiddenByToggle"]:
                out.append(f"Plotly figure {plot['index']} is not drawn")
            if not plot["title"] and not plot["caption"]:
                out.append(f"Plotly figure {plot['index']} has neither a title nor a caption")
            for kind in plot["missingTypes"]:
                out.append(
                    f"Plotly figure {plot['index']}: trace type {kind!r} is not in the site's "
                    "plotly.js bundle (grubook_site serves the cartesian one)"
                )
        if self.dom["plotDivsNotDrawn"]:
            out.append(
                f"{self.dom['plotDivsNotDrawn']} Plotly figure(s) never drawn (plotly.js missing?)"
            )
        return out

    def widget_problems(self) -> list[str]:
        """The site embeds no ipywidgets and loads neither require.js nor the widget manager."""
        d = self.dom
        out = []
        if d["widgetState"]:
            out.append(f"{d['widgetState']} embedded widget state script(s) on the page")
        if d["widgetViews"]:
            out.append(f"{d['widgetViews']} widget view(s) on the page")
        loaded = {r.url for r in self.requests.values()} | set(d["scripts"])
        for url in sorted(u for u in loaded if WIDGET_SCRIPTS.search(urlsplit(u).path)):
            out.append(f"the page loads the widget manager or require.js: {url[:200]}")
        return out

    def slider_problems(self) -> list[str]:
        return [
            f"Plotly figure {p} slider {s}: {detail}"
            for p, s, changed, detail in self.sliders
            if not changed
        ]


# --------------------------------------------------------------------------------------------
# visiting a page


def _screenshot(driver, path: Path, size: tuple[int, int]) -> None:
    width = size[0]
    emulate(driver, size)
    time.sleep(0.6)  # responsive layout and Plotly's resize handler
    full = min(int(driver.execute_script("return document.documentElement.scrollHeight")), 16000)
    # Grow the viewport to the whole page ourselves rather than with captureBeyondViewport: that
    # option briefly resizes the viewport to 1x1 px, which flips the theme into its phone layout
    # and back, and the primary sidebar's 0.25 s margin-left transition was caught half-way
    # (the page looked shifted left, the sidebar cut off, Plotly figures narrower than the text).
    emulate(driver, (width, full))
    time.sleep(0.6)
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"format": "png", "clip": {"x": 0, "y": 0, "width": width, "height": full, "scale": 1}},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


_RAIL_JS = r"""
// Fit the figure to its container (a resize during the screenshots can leave it wider), then find
// the rail and the point nearest its far end that a click would really hit.
const done = arguments[arguments.length - 1];
const gd = document.querySelector('[data-grubook-plot="' + arguments[0] + '"]');
const slider = arguments[1], toEnd = arguments[2];
(async () => {
  try { await Plotly.Plots.resize(gd); } catch (e) {}
  await new Promise((r) => setTimeout(r, 200));
  const container = gd.querySelectorAll(".slider-container")[slider];
  if (!container) return done(null);
  container.scrollIntoView({block: "center"});
  await new Promise((r) => setTimeout(r, 100));
  const rect = container.querySelector(".slider-rail-touch-rect");
  const box = rect.getBoundingClientRect();
  const y = box.y + box.height / 2;
  for (let i = 0; i < 200; i++) {
    const x = toEnd ? box.right - 4 - i * 4 : box.left + 4 + i * 4;
    if (x < box.left || x > box.right) break;
    const hit = document.elementFromPoint(x, y);
    if (hit && container.contains(hit)) {
      return done([rect, x - (box.left + box.width / 2), y - (box.top + box.height / 2)]);
    }
  }
  done([rect, null, null]);
})();
"""
_ACTIVE_JS = r"""
const gd = document.querySelector('[data-grubook-plot="' + arguments[0] + '"]');
return [gd.layout.sliders[arguments[1]].active || 0, gd._fullLayout ? gd._fullLayout.width : 0];
"""


def move_slider(driver, plot: int, slider: int, steps: int, active: int) -> tuple[bool, str]:
    """Click the far end of a Plotly slider's rail, as a reader would, and report whether the
    figure's data changed. The click is retried (a figure may still be resizing after the
    screenshots); a slider that moves but changes no data fails at once."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.action_chains import ActionChains

    before = driver.execute_script(_SNAPSHOT_JS, plot)
    target = 0 if active == steps - 1 else steps - 1
    now = active
    for attempt in range(4):
        found = driver.execute_async_script(_RAIL_JS, plot, slider, target == steps - 1)
        if found is None:
            return False, "slider is not drawn"
        rail, dx, dy = found
        if dx is None:
            return False, "no part of the slider's rail can be clicked (covered or clipped)"
        try:
            ActionChains(driver).move_to_element_with_offset(
                rail, int(dx), int(dy)
            ).click().perform()
        except WebDriverException as exc:  # stale element: the figure redrew under us
            now = f"click failed ({type(exc).__name__})"
            continue
        deadline = time.time() + 2
        while time.time() < deadline:
            now = driver.execute_script(_ACTIVE_JS, plot, slider)[0]
            if driver.execute_script(_SNAPSHOT_JS, plot) != before:
                return True, f"step {active} -> {now}: data changed"
            if now != active:
                break
            time.sleep(0.1)
        if now != active:
            time.sleep(0.5)
            if driver.execute_script(_SNAPSHOT_JS, plot) != before:
                return True, f"step {active} -> {now}: data changed"
            return (
                False,
                f"moved from step {active} to {now} of {steps}, "
                "but the figure's data did not change",
            )
    return False, f"the slider did not move when clicked (step {active}, then {now}; {steps} steps)"


def visit(driver, base_url: str, page: str, screenshot_dir: Path | None) -> PageReport:
    """Load one page, wait for it to settle, describe it, screenshot it, move its sliders."""
    t0 = time.time()
    url = base_url + page
    driver.get_log("browser")  # drop anything left from the last page
    driver.get_log("performance")
    load(driver, url)
    report = PageReport(page=page, url=url)
    report.dom = driver.execute_script(DESCRIBE_JS)
    report.unnamed = driver.execute_script(NAMES_JS)
    if screenshot_dir is not None:
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", page.removesuffix(".html"))
        for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            path = screenshot_dir / f"{stem}-{name}.png"
            _screenshot(driver, path, size)
            report.screenshots.append(path)
        emulate(driver, None)
        time.sleep(0.3)
    for plot in report.dom["plots"]:
        for k, s in enumerate(plot["sliders"]):
            if s["steps"] < 2:
                report.sliders.append((plot["index"], k, False, f"only {s['steps']} step(s)"))
                continue
            changed, detail = move_slider(driver, plot["index"], k, s["steps"], s["active"])
            report.sliders.append((plot["index"], k, changed, detail))
    time.sleep(0.2)
    report.console = [(e["level"], e["message"]) for e in driver.get_log("browser")]
    drain_performance(driver, report.requests)
    report.seconds = time.time() - t0
    return report


# --------------------------------------------------------------------------------------------
# code cells against the execution cache


def expected_outputs(book: Path, page: str, build: Path, cache_dir: Path) -> list[bool] | None:
    """For each code cell shown on ``page`` (cells tagged remove-cell are not), whether it must show
    an output. None when the page is not a notebook.

    The truth is the executed notebook in the build's jupyter-cache (``cache_dir``): an output there
    that the page lacks was lost between execution and the page. Pages that are executed outside
    the cache (``execution_mode: force``) fall back to the outputs recorded in the build's doctree
    (``build/.doctrees``), which myst-nb writes from the execution before it renders the page."""
    import jupytext
    from jupyter_cache import get_cache

    stem = page.removesuffix(".html")
    found = [Path(book) / (stem + s) for s in (".md", ".ipynb", ".rst")]
    source = next((f for f in found if f.is_file()), None)
    if source is None:
        raise FileNotFoundError(f"no source for {page} in {book}")
    if not is_notebook(source):
        return None
    nb = jupytext.read(source)
    if not any(c.cell_type == "code" for c in nb.cells):
        return None
    cache = get_cache(os.fspath(cache_dir))
    try:
        executed = cache.get_cache_bundle(cache.match_cache_notebook(nb).pk).nb
    except KeyError:
        return _expected_from_doctree(
            build / ".doctrees" / (page.removesuffix(".html") + ".doctree")
        )
    out = []
    for cell in executed.cells:
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        if "remove-cell" in tags:
            continue
        if "remove-output" in tags:
            out.append(False)
            continue
        shown = []
        for o in cell.outputs:
            if o.output_type == "stream":
                if (o.name == "stderr" and "remove-stderr" in tags) or (
                    o.name == "stdout" and "remove-stdout" in tags
                ):
                    continue
                if o.get("text", "").strip():
                    shown.append(o)
            elif o.output_type in ("display_data", "execute_result"):
                data = o.get("data", {})
                if data and not all(k.startswith("application/papermill.record/") for k in data):
                    shown.append(o)
            else:  # error
                shown.append(o)
        out.append(bool(shown))
    return out


def _expected_from_doctree(path: Path) -> list[bool]:
    import pickle

    from docutils import nodes

    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: the page is neither in the execution cache nor in the build's doctrees"
        )
    with open(path, "rb") as f:
        doctree = pickle.load(f)
    out = []
    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") != "cell_code":
            continue
        outputs = [k for k in cell.children if k.get("nb_element") == "cell_code_output"]
        out.append(
            any(
                g.get("nb_element") != "mime_bundle" or len(g.children) > 0
                for o in outputs
                for g in o.children
            )
        )
    return out


def output_problems(report: PageReport, expected: list[bool] | None) -> list[str]:
    if expected is None:
        return []
    cells = report.dom["cells"]
    if len(cells) != len(expected):
        return [
            f"the page shows {len(cells)} code cells, the executed notebook has {len(expected)}"
        ]
    return [
        f"code cell {i + 1} ran and has output in the notebook, but none on the page"
        for i, (want, cell) in enumerate(zip(expected, cells))
        if want and not cell["hasOutput"]
    ]
