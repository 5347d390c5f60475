"""The browser checks work: they pass on good pages and catch each deliberately broken one.

The fixture book (tests/fixtures/site) is built with the repository's own _config.yml, so these
tests also prove the build's set-up: math, Plotly (the cartesian plotly.js bundle) and Thebe from
local files, no widget manager, and every page under the page-weight limit.
"""

from __future__ import annotations

import pytest
import sitecheck

pytestmark = [pytest.mark.browser, pytest.mark.build]

GOOD = ["book/intro.html", "book/good.html", "book/thebe.html"]


def _expected(site, page):
    return sitecheck.expected_outputs(site["dest"], page, site["dest"] / "_build", site["cache"])


def _all_problems(site, page) -> list[str]:
    r = site["reports"][page]
    return (
        r.console_errors()
        + r.offsite_requests()
        + r.math_problems()
        + r.figure_problems()
        + r.widget_problems()
        + r.weight_problems()
        + r.slider_problems()
        + sitecheck.output_problems(r, _expected(site, page))
    )


def test_the_fixture_book_builds_with_local_assets_only(fixture_build):
    html = fixture_build["html"]
    for page in sorted(html.rglob("*.html")):
        if page.name == "offsite.html":
            continue
        text = page.read_text(encoding="utf-8")
        for host in ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "unpkg.com", "cdn.plot.ly"):
            assert f'src="https://{host}' not in text, (page, host)
        assert "THEBE_JS_URL" not in text, (
            f"{page}: sphinx-thebe's duplicated inline script is back"
        )
        assert "sphinx-thebe.js" not in text, page
    static = html / "_static"
    for asset in (
        "plotly-cartesian.min.js",
        "mathjax/tex-mml-chtml.js",
        "thebe/index.js",
        "grubook.js",
        "grubook.css",
    ):
        assert (static / asset).is_file(), asset
    # the full plotly.js, require.js and the ipywidgets manager are not copied
    for gone in ("plotly.min.js", "require.js", "jupyter-widgets"):
        assert not (static / gone).exists(), gone


@pytest.mark.parametrize("page", GOOD)
def test_good_pages_pass_every_check(fixture_site, page):
    assert _all_problems(fixture_site, page) == []


def test_the_good_page_exercises_every_check(fixture_site):
    """The good page really has what the checks look at, so a pass above means something."""
    r = fixture_site["reports"]["book/good.html"]
    d = r.dom
    assert d["mathCount"] >= 2
    assert any(i["loaded"] and i["altIsText"] and i["caption"] for i in d["images"])
    assert [p["sliders"] for p in d["plots"]] == [[{"steps": 3, "active": 0}], []]
    assert all(p["drawn"] and not p["missingTypes"] for p in d["plots"]), d["plots"]
    assert r.sliders and all(changed for _, _, changed, _ in r.sliders)
    # print, matplotlib, static slider, bar + heatmap; the live explorer is skip-execution, glue
    # shows nothing
    assert [c["hasOutput"] for c in d["cells"]] == [True, True, True, True, False, False]
    assert d["widgetViews"] == 0 and d["widgetState"] == 0
    assert len(r.screenshots) == 2 and all(p.stat().st_size > 10_000 for p in r.screenshots)
    assert r.requests and not r.offsite_requests()
    loaded = [q.url.split("?")[0] for q in r.requests.values()]
    assert any(u.endswith("/_static/plotly-cartesian.min.js") for u in loaded), loaded
    assert not any(u.endswith("/plotly.min.js") for u in loaded), loaded
    # the theme's icons draw from Font Awesome's web font; its 1.5 MB SVG+JS build is not loaded
    assert not any(u.endswith("/fontawesome.js") for u in loaded), loaded
    assert any(u.endswith("/fa-solid-900.woff2") for u in loaded), loaded
    w = r.weight()
    assert w["html"] > 0 and w["js"] > 1_000_000 and w["css"] > 0, w  # plotly.js alone ~1.4 MB


def test_a_dead_slider_is_caught(fixture_site):
    r = fixture_site["reports"]["book/broken-slider.html"]
    problems = r.slider_problems()
    assert len(problems) == 1 and "did not change" in problems[0], problems
    assert r.console_errors() == [] and r.figure_problems() == []


def test_a_removed_figure_and_output_are_caught(fixture_site):
    r = fixture_site["reports"]["book/broken-figure.html"]
    assert any("does not load" in p for p in r.figure_problems()), r.figure_problems()
    outputs = sitecheck.output_problems(r, _expected(fixture_site, "book/broken-figure.html"))
    assert outputs == ["code cell 2 ran and has output in the notebook, but none on the page"], (
        outputs
    )
    # the browser also reports the missing image file
    assert any("404" in e for e in r.console_errors())


def test_a_request_to_another_host_is_blocked_and_caught(fixture_site):
    r = fixture_site["reports"]["book/offsite.html"]
    assert any("cdn.jsdelivr.net" in u for u in r.offsite_requests()), r.offsite_requests()
    assert all(q.failed or q.status is None for q in r.requests.values() if "jsdelivr" in q.url)
    assert r.console_errors(), "a blocked script must show as a console error"


def test_a_page_over_the_weight_limit_is_caught(fixture_site):
    r = fixture_site["reports"]["book/heavy.html"]
    problems = r.weight_problems()
    assert len(problems) == 1 and "over the 6 MB limit" in problems[0], problems
    assert r.weight()["html"] > 6_000_000
    assert r.console_errors() == [] and r.figure_problems() == []


# a broken page of the fixture book, the verdict that must catch it, and what its problems must say
CAUGHT = [
    ("js-error", "console_errors", ["deliberate error"]),
    ("raw-math", "math_problems", ["$$", "\\["]),
    ("broken-widget", "widget_problems", ["widget state", "widget manager", "embed-amd.js"]),
    ("broken-trace", "figure_problems", ["'sankey' is not in the site's plotly.js bundle"]),
]


@pytest.mark.parametrize(("page", "verdict", "said"), CAUGHT)
def test_a_broken_page_is_caught(fixture_site, page, verdict, said):
    problems = getattr(fixture_site["reports"][f"book/{page}.html"], verdict)()
    assert all(any(s in p for p in problems) for s in said), problems
