"""Every Plotly figure reads at a phone's width as well as a desktop's (issue #12).

On every chapter of the built book (``_build/html``), in Chromium at 1280 px and at 390 px, and
again after each slider has moved to its last step: no two parts of a figure overlap (its title,
axis titles, annotations, legends, colour bars, sliders and menus; tick labels count against what
is laid over the plot: a legend, a slider, a title, a menu), no part sticks out of the figure's
sides, and no figure is wider than the page.

The measurement here is the test's own (it reads the SVG that plotly.js drew), not the one
``static/figures.js`` uses to fit the figures. ``test_figure_access.test_the_checks_bite`` runs it
with ``figures.js`` blocked, where chapter figures at 390 px do collide, and on a figure drawn later
whose legend sits on its long title, which figures.js must then pull apart.
"""

from __future__ import annotations

import re
import time

import pytest
import sitecheck

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": sitecheck.DESKTOP, "phone": sitecheck.PHONE}
SLACK = 2  # px: boxes that touch by this much do not count as overlapping

# The drawn parts of figure i, as {kind, name, box}; boxes in page pixels.
_PARTS_JS = r"""
const gd = document.querySelectorAll(".js-plotly-plot")[arguments[0]];
const out = [];
const box = (n) => { const r = n.getBoundingClientRect();
  return {x: r.left, y: r.top, r: r.right, b: r.bottom}; };
const add = (kind, name, n) => { const b = box(n);
  if (b.r - b.x > 0.5 && b.b - b.y > 0.5) out.push({kind, name, box: b}); };
gd.querySelectorAll(".g-gtitle text").forEach((n) => add("title", "title", n));
gd.querySelectorAll(".infolayer > g").forEach((g) => {
  const cls = (g.getAttribute("class") || "").split(" ")[0];
  let m = /^g-([xy]\d*)title$/.exec(cls);
  if (m) g.querySelectorAll("text").forEach((n) => add("axis-title", m[1] + " title", n));
  m = /^legend\d*$/.exec(cls);
  if (m) add("legend", cls, g.querySelector("rect.bg") || g);
});
gd.querySelectorAll("g.annotation").forEach((g) => add("annotation",
  "annotation " + g.getAttribute("data-index") + " '" + g.textContent.slice(0, 30) + "'",
  g.querySelector(".annotation-text-g") || g));
gd.querySelectorAll("g.colorbar").forEach((g, k) => add("colorbar", "colorbar " + k, g));
gd.querySelectorAll("g.slider-container").forEach((g, k) => add("slider", "slider " + k, g));
gd.querySelectorAll("g.updatemenu-container").forEach((g, k) => add("menu", "menu " + k, g));
const ticks = {};
gd.querySelectorAll(".cartesianlayer .subplot").forEach((sp) => {
  sp.querySelectorAll("g[class$='tick'] text").forEach((n) => {
    const layer = n.closest("[class*='axislayer']");
    const key = sp.getAttribute("class") + " " + (layer ? layer.getAttribute("class") : "");
    const b = box(n);
    if (b.r - b.x < 0.5) return;
    const t = ticks[key];
    ticks[key] = !t ? b : {x: Math.min(t.x, b.x), y: Math.min(t.y, b.y),
                           r: Math.max(t.r, b.r), b: Math.max(t.b, b.b)};
  });
});
Object.entries(ticks).forEach(([key, b]) => out.push({kind: "ticks",
  name: "tick labels " + key.replace(/subplot|axislayer-above|axislayer-below/g, "").trim(),
  box: b}));
gd.querySelectorAll(".draglayer .nsewdrag").forEach((n, k) => add("plot", "plot " + k, n));
const f = box(gd);
return {parts: out, figure: f, page: document.documentElement.clientWidth,
        title: ((gd.layout || {}).title || {}).text || String((gd.layout || {}).title || ""),
        sliders: ((gd.layout || {}).sliders || []).length};
"""

# Move every slider of figure i to its last step through Plotly's own API.
_LAST_STEP_JS = r"""
const done = arguments[arguments.length - 1];
const gd = document.querySelectorAll(".js-plotly-plot")[arguments[0]];
(async () => {
  const sliders = (gd.layout.sliders || []);
  for (let k = 0; k < sliders.length; k++) {
    const steps = sliders[k].steps || [];
    const last = steps.length - 1;
    if (last < 1) continue;
    const step = steps[last];
    const update = {};
    update["sliders[" + k + "].active"] = last;
    await Plotly.relayout(gd, update);
    if (step.method && step.method !== "skip" && Plotly[step.method]) {
      await Plotly[step.method](gd, ...(step.args || []));
    }
  }
  done(true);
})().catch((e) => done(String(e)));
"""


def _inside(a: dict, b: dict) -> bool:
    return (
        a["box"]["x"] >= b["box"]["x"] - SLACK
        and a["box"]["r"] <= b["box"]["r"] + SLACK
        and a["box"]["y"] >= b["box"]["y"] - SLACK
        and a["box"]["b"] <= b["box"]["b"] + SLACK
    )


def _ignored(a: dict, b: dict) -> bool:
    kinds = " ".join(sorted((a["kind"], b["kind"])))
    if kinds == "legend plot":
        # a legend wholly inside a plot is an inset put there on purpose; one that is partly
        # over a plot covers what it was not placed to cover
        legend, plot = (a, b) if a["kind"] == "legend" else (b, a)
        return _inside(legend, plot)
    if "ticks" in kinds:
        # tick labels only count against what is laid over the figure
        return not re.search(r"legend|slider|\btitle|menu", kinds.replace("axis-title", ""))
    return kinds in {
        "plot plot",  # subplots share edges
        "annotation plot",  # an annotation is placed on or beside its panel on purpose
        "axis-title axis-title",  # shared-axis titles of stacked panels meet at the panel edge
        "colorbar plot",  # a colour bar sits beside its heat map in the margin Plotly gives it
    }


def layout_problems(fig: dict, where: str) -> list[str]:
    """Overlapping parts, parts outside the figure, a figure wider than the page."""
    out = []
    f = fig["figure"]
    if f["r"] > fig["page"] + SLACK or f["x"] < -SLACK:
        out.append(f"{where}: the figure spans {f['x']:.0f}-{f['r']:.0f} px, page {fig['page']} px")
    parts = fig["parts"]
    for i, a in enumerate(parts):
        if a["box"]["x"] < f["x"] - SLACK or a["box"]["r"] > f["r"] + SLACK:
            out.append(f"{where}: {a['name']} sticks out of the figure")
        for b in parts[i + 1 :]:
            if _ignored(a, b):
                continue
            w = min(a["box"]["r"], b["box"]["r"]) - max(a["box"]["x"], b["box"]["x"])
            h = min(a["box"]["b"], b["box"]["b"]) - max(a["box"]["y"], b["box"]["y"])
            if w > SLACK and h > SLACK:
                out.append(f"{where}: {a['name']} overlaps {b['name']} ({w:.0f} x {h:.0f} px)")
    return out


def _open(driver, base: str, page: str, size: tuple[int, int]) -> int:
    sitecheck.load(driver, base + page, size)
    time.sleep(1.0)  # figures.js fits each figure in a few relayouts after it is drawn
    return driver.execute_script("return document.querySelectorAll('.js-plotly-plot').length")


def page_problems(driver, base: str, page: str, size, move_sliders: bool = True) -> list[str]:
    n = _open(driver, base, page, size)
    out = []
    for i in range(n):
        fig = driver.execute_script(_PARTS_JS, i)
        where = f"{page} at {size[0]} px, figure {i} ({fig['title'][:40]!r})"
        out += layout_problems(fig, where)
        if move_sliders and fig["sliders"]:
            moved = driver.execute_async_script(_LAST_STEP_JS, i)
            assert moved is True, f"{where}: moving its sliders failed: {moved}"
            time.sleep(0.5)
            out += layout_problems(driver.execute_script(_PARTS_JS, i), where + " at last step")
    return out


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", sitecheck.CHAPTERS)
def test_no_part_of_a_figure_hides_another(driver, served, emulation, page, width):
    problems = page_problems(driver, served, page, WIDTHS[width])
    assert problems == [], "\n".join(problems)


# A figure drawn after the page loaded, whose legend (top right, inside the plot) lies on a title
# too long for a phone: figures.js must wrap the title and move the legend clear of it.
_CROWDED_JS = r"""
const d = document.createElement("div");
d.className = "grubook-plotly";
d.style.height = "360px";
document.querySelector("article").prepend(d);
Plotly.newPlot(d, [{y: [1, 3, 2], name: "a long trace name"}, {y: [2, 1, 3], name: "another"}],
  {title: {text: "A title far too long to fit on one line of a figure on a phone screen"},
   showlegend: true, legend: {x: 1, xanchor: "right", y: 1.12, yanchor: "bottom"},
   margin: {t: 40}});
"""


def crowded_problems(driver) -> list[str]:
    """What :func:`layout_problems` finds in ``_CROWDED_JS``'s figure, drawn on the open page."""
    driver.execute_script(_CROWDED_JS)
    time.sleep(1.5)
    return layout_problems(driver.execute_script(_PARTS_JS, 0), "a crowded figure")
