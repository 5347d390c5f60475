"""Accessibility of the built site, checked in Chromium.

- axe-core (``node_modules/axe-core``, injected, nothing from the network) on every page of
  ``_build/html`` at 1280 px and 390 px, in the light and the dark theme, with the rule tags of
  :data:`grubook_site.audit.TAGS` (WCAG 2.0/2.1 A and AA, and axe's best practices): any violation
  of impact serious or critical fails; the moderate and minor ones are printed per page;
- the same check function reports the known violations of ``tests/fixtures/a11y/broken.html``
  and none on ``good.html`` (the check bites);
- the accessibility statement shows the numbers of its own build;
- every image has alternative text, every element with the role img an accessible name;
- keyboard: the first Tab reaches the skip link, which moves the focus to the article, and what a
  keyboard reaches shows its focus.

The audit is :mod:`grubook_site.audit`, the code ``make book`` runs to fill in the statement.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bookbuild import ROOT

from grubook_site import audit

pytestmark = pytest.mark.browser

HTML = ROOT / "_build" / "html"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "a11y"


@pytest.fixture(scope="module")
def site_audit(driver, real_pages):
    """One axe audit of every page of the built site (its own two Chromiums, side by side)."""
    missing = [p for p in real_pages if not (HTML / p).is_file()]
    if missing:
        pytest.fail(f"the book is not built (missing {', '.join(missing)}): run `make book`")
    result = audit.audit_site(HTML)
    print(f"\naxe-core {result.version}: {len(result.pages)} pages in {result.seconds:.0f} s")
    print("elements with a minor or moderate violation, by page:")
    for page in result.pages:
        counts = result.counts(page)
        rules = sorted({f.rule for f in result.unique(page) if f.impact not in audit.FAILING})
        print(f"  {page}: {counts['moderate']} moderate, {counts['minor']} minor {rules}")
    return result


@pytest.fixture(scope="module")
def fixture_audit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("a11y")
    for page in ("broken.html", "good.html"):
        shutil.copy(FIXTURES / page, folder / page)
    return audit.audit_site(folder, ["broken.html", "good.html"], workers=1), folder


def test_every_page_of_the_site_is_audited(site_audit, real_pages):
    assert set(real_pages) <= set(site_audit.pages)
    for page, views in site_audit.pages.items():
        assert sorted(views) == sorted(
            audit.view_name(w, t) for w, _ in audit.WIDTHS for t in audit.THEMES
        ), page


def test_no_serious_or_critical_violations(site_audit):
    failures = site_audit.failures()
    assert not failures, (
        f"{len(failures)} serious or critical axe violations (page [view] impact rule: element):\n"
        + "\n".join(failures)
    )


def test_the_check_catches_known_violations(fixture_audit):
    result, _ = fixture_audit
    broken = result.pages["broken.html"]
    rules = {f.rule for f in broken["1280px light"] if f.impact in audit.FAILING}
    assert {
        "image-alt",
        "color-contrast",
        "aria-required-children",
        "label-content-name-mismatch",
    } <= rules, rules
    # in the dark theme only the colour rules run, and they still bite
    assert {f.rule for f in broken["1280px dark"]} == {"color-contrast"}
    assert {f.rule for f in broken["390px light"]} >= {"image-alt", "color-contrast"}
    assert result.failures() and all(line.startswith("broken.html") for line in result.failures())
    assert result.counts("good.html") == dict.fromkeys(audit.IMPACTS, 0), result.pages["good.html"]


def test_results_are_written_into_the_statement_and_read_back(fixture_audit):
    result, folder = fixture_audit
    path = audit.write_results(folder, result, page="good.html")
    text = path.read_text()
    assert "This build was not audited" not in text
    data = audit.read_results(text)
    assert data["pages"]["broken.html"] == result.counts("broken.html")
    assert data["axe"] == audit.axe_version()
    # a second audit replaces the first one's results
    audit.write_results(folder, result, page="good.html")
    assert path.read_text().count('id="grubook-a11y-data"') == 1


def test_the_statement_shows_this_builds_audit(site_audit):
    text = (HTML / audit.STATEMENT).read_text(encoding="utf-8")
    data = audit.read_results(text)
    assert data is not None, (
        f"{audit.STATEMENT} was not audited: `make book` runs "
        "`python -m grubook_site.audit _build/html` after Jupyter Book"
    )
    assert data["axe"] == site_audit.version
    assert f"axe-core {site_audit.version}" in text
    assert data["widths"] == [w for w, _ in audit.WIDTHS] and data["themes"] == list(audit.THEMES)
    assert set(data["pages"]) == set(site_audit.pages)
    differ = {
        p: (data["pages"][p], site_audit.counts(p))
        for p in site_audit.pages
        if data["pages"][p] != site_audit.counts(p)
    }
    assert not differ, f"the statement's numbers (first) differ from this audit's: {differ}"


_NAMES_JS = r"""
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


def test_every_image_has_alt_text(driver, real_pages):
    with audit.serve(HTML) as base:
        problems = {}
        for page in real_pages:
            driver.get(base + page)
            driver.execute_async_script(audit._READY_JS)
            found = driver.execute_script(_NAMES_JS)
            if found:
                problems[page] = found
    assert not problems, problems


def test_the_check_for_alt_text_bites(driver):
    with audit.serve(FIXTURES) as base:
        driver.get(base + "broken.html")
        assert len(driver.execute_script(_NAMES_JS)) == 1
        driver.get(base + "good.html")
        assert driver.execute_script(_NAMES_JS) == []


_FOCUS_JS = r"""
// For the first links and buttons of the article: focus each and report any that shows no
// outline and no box shadow, i.e. no sign of where the focus is.
const els = [...document.querySelectorAll("#main-content a[href], #main-content button")]
  .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
  .slice(0, 15);
const bad = [];
for (const el of els) {
  el.focus({focusVisible: true});
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== "none";
  if (document.activeElement === el && !outline && !shadow) bad.push(el.outerHTML.slice(0, 100));
}
return [els.length, bad];
"""


@pytest.mark.parametrize("page", ["book/intro.html", "book/03-gru-gates.html"])
def test_keyboard_skip_link_and_visible_focus(driver, page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    with audit.serve(HTML) as base:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.get(base + page)
        driver.execute_async_script(audit._READY_JS)
        ActionChains(driver).send_keys(Keys.TAB).perform()
        first = driver.switch_to.active_element
        assert first.get_attribute("href").endswith("#main-content"), first.get_attribute(
            "outerHTML"
        )
        assert first.get_attribute("textContent").strip().lower().startswith("skip to main content")
        ActionChains(driver).send_keys(Keys.ENTER).perform()
        assert driver.execute_script("return location.hash") == "#main-content"
        ActionChains(driver).send_keys(Keys.TAB).perform()
        inside = driver.execute_script(
            "return !!document.activeElement.closest('#main-content, .bd-main')"
        )
        assert inside, driver.switch_to.active_element.get_attribute("outerHTML")[:200]
        # keyboard focus (Tab) makes :focus-visible apply; after a key press, .focus() does too
        checked, bad = driver.execute_script(_FOCUS_JS)
        assert checked > 0
        assert not bad, f"focused without any visible sign: {bad}"
