"""Plotly figures for a reader who cannot see them or cannot use a mouse (issue #17).

On every chapter of the built book (``_build/html``), in Chromium:

- every Plotly figure has an accessible name and a text description written from its data, its
  role allows the controls inside it, and Plotly's SVG is hidden from assistive technology;
- every Plotly slider has a labelled native range; reached with Tab, ArrowRight changes the
  figure's data, moves the Plotly slider and updates the live region; the focus ring is visible
  (3:1 against the page); dragging the Plotly slider moves the native one;
- no mode-bar button sends the chart off the site ("Share chart...");
- readers who ask for reduced motion get slider transitions of duration 0;
- axe-core finds nothing inside the figures.

``test_the_checks_bite`` runs the same checks, and test_figure_layout's, with ``static/figures.js``
blocked, with a focus ring that is too faint and with a figure that has the "Share chart..."
button, and sees each fail.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import sitecheck
import test_figure_layout as layout

pytestmark = pytest.mark.browser

# mode-bar buttons that send the chart or its data to a server that is not the site
OFFSITE_TITLES = re.compile(r"share|cloud|chart studio|edit in|plotly\.com", re.I)
MIN_RING_CONTRAST = 3.0  # WCAG 2.2 focus appearance / 1.4.11 non-text contrast

_FIGURES_JS = r"""
const text = (e) => (e ? e.textContent.replace(/\s+/g, " ").trim() : "");
const byIds = (ids) => (ids || "").split(/\s+/).filter(Boolean)
  .map((id) => text(document.getElementById(id))).join(" ").trim();
return [...document.querySelectorAll(".js-plotly-plot")].map((gd, i) => {
  gd.setAttribute("data-grubook-plot", String(i));
  const wrap = gd.closest('[role="figure"], [role="group"], [role="img"], [role="region"]');
  const ctx = gd._context || {};
  return {
    index: i,
    title: ((gd.layout || {}).title || {}).text || "",
    role: wrap ? wrap.getAttribute("role") : "",
    name: wrap ? (wrap.getAttribute("aria-label") || byIds(wrap.getAttribute("aria-labelledby")))
      : "",
    description: wrap ? byIds(wrap.getAttribute("aria-describedby")) : "",
    svgExposed: [...gd.querySelectorAll("svg.main-svg")]
      .filter((s) => !s.closest('[aria-hidden="true"]')).length,
    sliders: ((gd.layout || {}).sliders || []).map((s) => (s.steps || []).length),
    ranges: wrap ? [...wrap.querySelectorAll('input[type="range"]')].map((r) => ({
      label: r.labels && r.labels.length ? text(r.labels[0]) : (r.getAttribute("aria-label") || ""),
      max: Number(r.max), valuetext: r.getAttribute("aria-valuetext") || "",
    })) : [],
    modebar: [...gd.querySelectorAll(".modebar-btn, .modebar a")].map((b) => ({
      title: b.getAttribute("data-title") || b.getAttribute("aria-label") || text(b),
      href: b.getAttribute("href") || "",
    })),
    config: {showSendToCloud: !!ctx.showSendToCloud, showEditInChartStudio:
      !!ctx.showEditInChartStudio, showLink: !!ctx.showLink, displaylogo: !!ctx.displaylogo},
  };
});
"""

# Start keyboard navigation just before figure i, then report what has focus.
_FOCUS_BEFORE_JS = r"""
const gd = document.querySelector('[data-grubook-plot="' + arguments[0] + '"]');
const start = gd.closest('[role="figure"], [role="group"]') || gd;
start.scrollIntoView({block: "center"});
start.setAttribute("tabindex", "-1");
start.focus();
start.removeAttribute("tabindex");
return document.activeElement === start;
"""

_ACTIVE_JS = r"""
const gd = document.querySelector('[data-grubook-plot="' + arguments[0] + '"]');
const k = arguments[1];
const wrap = gd.closest('[role="figure"], [role="group"]') || gd.parentElement;
const ranges = [...wrap.querySelectorAll('input[type="range"]')];
const a = document.activeElement;
const live = wrap.querySelector('[aria-live], [role="status"]');
const page = (el) => {
  for (let e = el; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (c && c !== "transparent" && !/rgba\(.*,\s*0\)$/.test(c)) return c;
  }
  return "rgb(255, 255, 255)";
};
const style = getComputedStyle(a);
return {
  focused: ranges.indexOf(a) === k,
  focusedTag: a ? a.tagName + (a.className ? "." + String(a.className).split(" ")[0] : "") : "",
  value: ranges[k] ? Number(ranges[k].value) : null,
  valuetext: ranges[k] ? ranges[k].getAttribute("aria-valuetext") : null,
  max: ranges[k] ? Number(ranges[k].max) : null,
  active: (gd.layout.sliders[k] || {}).active || 0,
  live: live ? live.textContent.trim() : null,
  outline: [style.outlineStyle, parseFloat(style.outlineWidth) || 0, style.outlineColor],
  background: page(a ? a.parentElement : document.body),
  data: JSON.stringify((gd.data || []).map((t) => [t.x, t.y, t.z, t.text])),
};
"""


# --------------------------------------------------------------------------------------------
# the checks: each returns a list of problems (empty = fine)


def access_problems(fig: dict) -> list[str]:
    """A figure's name, description, role and native slider controls."""
    where = f"figure {fig['index']} ({fig['title'][:50]!r})"
    out = []
    if fig["role"] not in ("figure", "group"):
        out.append(f"{where}: no role=figure/group container (role={fig['role']!r})")
    if not fig["name"] or fig["name"] == "Figure":
        out.append(f"{where}: no accessible name")
    if len(fig["description"]) < 40:
        out.append(f"{where}: no text description (got {fig['description']!r})")
    if fig["svgExposed"]:
        out.append(f"{where}: {fig['svgExposed']} Plotly SVG layer(s) exposed to screen readers")
    if len(fig["ranges"]) != len(fig["sliders"]):
        out.append(
            f"{where}: {len(fig['sliders'])} Plotly slider(s) but {len(fig['ranges'])} native "
            "range control(s)"
        )
    for r, steps in zip(fig["ranges"], fig["sliders"]):
        if not r["label"]:
            out.append(f"{where}: a range control has no label")
        if r["max"] != steps - 1:
            out.append(f"{where}: range max {r['max']} for {steps} steps")
        if not r["valuetext"]:
            out.append(f"{where}: a range control has no aria-valuetext")
    return out


def offsite_problems(fig: dict) -> list[str]:
    """No mode-bar button or link that sends the chart to another site."""
    where = f"figure {fig['index']}"
    out = [
        f"{where}: mode-bar button {b['title']!r} {b['href']}".rstrip()
        for b in fig["modebar"]
        if OFFSITE_TITLES.search(b["title"]) or re.match(r"https?:", b["href"])
    ]
    out += [f"{where}: config {k} is on" for k, on in fig["config"].items() if on]
    return out


def _luminance(css: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css)[:3])
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS ``rgb(...)`` colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def ring_problems(state: dict) -> list[str]:
    style, width, colour = state["outline"]
    if style == "none" or width <= 0:
        return [f"no visible focus ring on the range control (outline {style} {width}px)"]
    ratio = contrast(colour, state["background"])
    if ratio < MIN_RING_CONTRAST:
        return [f"focus ring {colour} on {state['background']}: contrast {ratio:.2f} < 3"]
    return []


def keyboard_problems(driver, fig: dict, k: int = 0) -> list[str]:
    """Tab to slider k's native range, press ArrowRight (ArrowLeft at the last step): the data,
    the Plotly slider and the live region must follow; the focus ring must be visible."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    where = f"figure {fig['index']} slider {k}"
    driver.execute_script(_FOCUS_BEFORE_JS, fig["index"])
    state = driver.execute_script(_ACTIVE_JS, fig["index"], k)
    for _ in range(40):
        if state["focused"]:
            break
        ActionChains(driver).send_keys(Keys.TAB).perform()
        state = driver.execute_script(_ACTIVE_JS, fig["index"], k)
    if not state["focused"]:
        return [f"{where}: Tab never reached a range control (stopped on {state['focusedTag']})"]
    out = [f"{where}: {p}" for p in ring_problems(state)]
    before = state
    back = before["value"] == before["max"]
    ActionChains(driver).send_keys(Keys.ARROW_LEFT if back else Keys.ARROW_RIGHT).perform()
    want = before["active"] + (-1 if back else 1)
    after = sitecheck.poll(
        lambda: driver.execute_script(_ACTIVE_JS, fig["index"], k),
        3,
        0.1,
        lambda a: a["data"] != before["data"] and a["live"] and a["live"] != before["live"],
    )
    if after["data"] == before["data"]:
        out.append(f"{where}: the arrow key did not change the figure's data")
    if after["active"] != want:
        out.append(f"{where}: the Plotly slider is at step {after['active']}, not {want}")
    if after["value"] != want:
        out.append(f"{where}: the range control is at {after['value']}, not {want}")
    if not after["live"] or after["live"] == before["live"]:
        out.append(f"{where}: the live region did not announce the new step ({after['live']!r})")
    return out


def _figures(driver) -> list[dict]:
    """The open page's figures, once figures.js has enhanced each (it does after plotly.js drew)."""
    figs = lambda: driver.execute_script(_FIGURES_JS)  # noqa: E731
    return sitecheck.poll(figs, 5, done=lambda figs: all(f["role"] for f in figs))


def rail_problems(driver, figs: list[dict]) -> list[str]:
    """A click on each Plotly slider's rail (as sitecheck does for every slider) moves the native
    range and announces the new step."""
    driver.execute_script(sitecheck.DESCRIBE_JS)  # the data-grubook-plot indices it clicks by
    problems = []
    for f in figs:
        for k, steps in enumerate(f["sliders"]):
            where = f"figure {f['index']} slider {k}"
            before = driver.execute_script(_ACTIVE_JS, f["index"], k)
            moved, detail = sitecheck.move_slider(driver, f["index"], k, steps, before["active"])
            time.sleep(0.3)
            after = driver.execute_script(_ACTIVE_JS, f["index"], k)
            if not moved:
                problems.append(f"{where}: {detail}")
            elif after["value"] != after["active"]:
                problems.append(
                    f"{where}: Plotly slider at {after['active']}, the range control at "
                    f"{after['value']}"
                )
            elif not after["live"] or after["live"] == before["live"]:
                problems.append(f"{where}: no announcement")
    return problems


# --------------------------------------------------------------------------------------------
# the book

GATES = "book/03-gru-gates.html"
_AXE_IN_FIGURES_JS = """
const done = arguments[arguments.length - 1];
const roots = [...document.querySelectorAll(".js-plotly-plot")]
  .map((gd) => gd.closest('[role="figure"], [role="group"]') || gd);
axe.run({include: roots.map((r) => [r.id ? "#" + r.id : ".js-plotly-plot"])},
        {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then((r) => done(r.violations.map((v) => v.id + " " + v.impact + ": " +
                    v.nodes.map((n) => n.target.join(" ")).join(", "))))
  .catch((e) => done(["axe failed: " + e]));
"""
_DURATIONS_JS = """return [...document.querySelectorAll('.js-plotly-plot')].flatMap((gd) =>
  (gd._fullLayout.sliders || []).map((s) => s.transition.duration));"""


@pytest.mark.parametrize("page", sitecheck.CHAPTERS)
def test_figures_are_accessible(driver, served, page):
    """On one load of each chapter: every figure is named, described, offline and clean for axe;
    every slider works from the keyboard and from its Plotly rail; and a reader who did not ask
    for reduced motion keeps Plotly's slider transitions."""
    from grubook_site.audit import TAGS, axe_dir

    sitecheck.load(driver, served + page)
    figs = _figures(driver)
    assert figs, f"{page} has no Plotly figure"
    problems = [p for f in figs for p in access_problems(f) + offsite_problems(f)]
    driver.execute_script((Path(axe_dir()) / "axe.min.js").read_text(encoding="utf-8"))
    problems += driver.execute_async_script(_AXE_IN_FIGURES_JS, list(TAGS))
    for f in figs:
        problems += [p for k in range(len(f["sliders"])) for p in keyboard_problems(driver, f, k)]
    problems += rail_problems(driver, figs)
    durations = driver.execute_script(_DURATIONS_JS)
    problems += [f"slider transition {d} ms, no reduced motion asked" for d in durations if d <= 0]
    assert problems == []


def test_reduced_motion_and_the_dark_theme(driver, served):
    """Readers who ask for reduced motion get slider transitions of duration 0; the focus ring
    shows in the dark theme."""
    motion = {"name": "prefers-reduced-motion", "value": "reduce"}
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [motion]})
    try:
        sitecheck.load(driver, served + GATES)
        figs = _figures(driver)
        durations = driver.execute_script(_DURATIONS_JS)
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert durations and all(d == 0 for d in durations), durations
    driver.execute_script(
        "document.documentElement.dataset.theme = 'dark';"
        "document.documentElement.dataset.mode = 'dark';"
    )
    slider = next(f for f in figs if f["sliders"])
    assert keyboard_problems(driver, slider) == []


# --------------------------------------------------------------------------------------------
# the checks bite, this file's and test_figure_layout's


def test_the_checks_bite(driver, served, emulation):
    # 1. without static/figures.js: at 390 px chapter figures collide (titles wider than the phone,
    #    legends on subplot titles), and so does a crowded figure drawn later; the figures have no
    #    names, no descriptions, no keyboard control
    with sitecheck.blocked(driver, ["*figures.js*"]):
        page = "book/05-addition-task.html"
        collide = layout.page_problems(driver, served, page, sitecheck.PHONE, move_sliders=False)
        collide += layout.page_problems(driver, served, GATES, sitecheck.PHONE, move_sliders=False)
        assert collide, "no figure collides without figures.js: the check cannot fail"
        figs = _figures(driver)
        assert figs and all(access_problems(f) for f in figs), "figures.js was not blocked"
        slider = next(f for f in figs if f["sliders"])
        assert any("never reached" in p for p in keyboard_problems(driver, slider))
        crowded = layout.crowded_problems(driver)
        assert any("overlaps" in p or "sticks out" in p for p in crowded), crowded
    # 2. with it, at 390 px: a crowded figure drawn later is pulled apart; a faint focus ring fails
    layout._open(driver, served, GATES, sitecheck.PHONE)
    figs = _figures(driver)
    driver.execute_script(
        "const s = document.createElement('style'); s.textContent = "
        "'input[type=range]:focus-visible { outline: 2px solid #dddddd !important; }'; "
        "document.head.appendChild(s);"
    )
    slider = next(f for f in figs if f["sliders"])
    assert any("contrast" in p for p in keyboard_problems(driver, slider))
    assert layout.crowded_problems(driver) == []
    # 3. Plotly's default mode bar, which has "Share chart..."
    driver.execute_script(
        "const d = document.createElement('div'); d.className = 'grubook-plotly';"
        "d.style.height = '300px'; document.querySelector('article').appendChild(d);"
        "Plotly.newPlot(d, [{y: [1, 3, 2]}], {title: {text: 'default config'}});"
    )
    time.sleep(0.5)
    fig = driver.execute_script(_FIGURES_JS)[-1]
    assert fig["title"] == "default config"
    assert not access_problems(fig), "figures.js did not enhance a figure drawn later"
    problems = offsite_problems(fig)
    assert any("Share chart" in p for p in problems), json.dumps(fig["modebar"])
