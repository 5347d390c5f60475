"""Accessibility of the built site, checked in Chromium.

- axe-core (``node_modules/axe-core``, injected, nothing from the network) on every page of
  ``_build/html`` at 1280 px and 390 px, in the light and the dark theme, with the rule tags of
  :data:`grubook_site.audit.TAGS` (WCAG 2.0/2.1 A and AA, and axe's best practices), as
  ``make audit`` ran it and wrote it into the accessibility statement: any violation of impact
  serious or critical fails, so does a page not audited or changed since (sha256);
- the same audit reports the known violations of ``tests/fixtures/a11y/broken.html`` and none on
  ``good.html`` (the check bites), and its results are written and read back;
- every image has alternative text, every element with the role img an accessible name;
- keyboard: the first Tab reaches the skip link, which moves the focus to the article, and what a
  keyboard reaches shows its focus.

The audit is :mod:`grubook_site.audit`, the code ``make book`` runs to fill in the statement.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sitecheck
from bookbuild import ROOT

from grubook_site import audit

pytestmark = pytest.mark.browser

HTML = ROOT / "_build" / "html"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "a11y"


@pytest.fixture(scope="module")
def statement():
    """The results ``make audit`` (``make test`` runs it after the build) wrote into the built
    accessibility statement: axe is not run over the site a second time."""
    text = (HTML / audit.STATEMENT).read_text(encoding="utf-8")
    data = audit.read_results(text)
    assert data is not None, (
        f"{audit.STATEMENT} was not audited: run `make audit` "
        "(`python -m grubook_site.audit _build/html`) after the build; `make test` does"
    )
    print(f"\naxe-core {data['axe']}, {data['date']}: elements by rule {data['rules']}")
    return text, data


@pytest.fixture(scope="module")
def fixture_audit(tmp_path_factory, driver):
    folder = tmp_path_factory.mktemp("a11y")
    for page in ("broken.html", "good.html"):
        shutil.copy(FIXTURES / page, folder / page)
    try:
        return audit.audit_site(folder, ["broken.html", "good.html"], driver=driver), folder
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_every_page_of_this_build_is_audited(statement, real_pages):
    """Every page of the site, in every view, with the pinned axe-core; and the pages are the ones
    audited (their sha256 is the audit's), not those of an earlier build."""
    text, data = statement
    pages = audit.site_pages(HTML)
    assert set(real_pages) <= set(pages) and sorted(data["pages"]) == pages
    assert data["axe"] == audit.axe_version() and f"axe-core {data['axe']}" in text
    assert data["widths"] == [w for w, _ in audit.WIDTHS] and data["themes"] == list(audit.THEMES)
    assert data["tags"] == list(audit.TAGS)
    audited = [p for p in pages if p != audit.STATEMENT]
    assert sorted(data["sha256"]) == audited
    changed = [p for p in audited if audit.digest(HTML / p) != data["sha256"][p]]
    assert not changed, f"changed since the audit (run `make audit` again): {changed}"


def test_no_serious_or_critical_violations(statement):
    _, data = statement
    failing = {p: n for p, n in data["pages"].items() if any(n[i] for i in audit.FAILING)}
    assert not failing and not data["failures"], (
        f"serious or critical axe violations on {failing} (page [view] impact rule: element):\n"
        + "\n".join(data["failures"])
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
    assert data["failures"] == result.failures()
    # the page the results went into is no longer the page audited; the other one still is
    assert audit.digest(path) != data["sha256"]["good.html"]
    assert audit.digest(folder / "broken.html") == data["sha256"]["broken.html"]
    assert data["axe"] == audit.axe_version()
    # a second audit replaces the first one's results
    audit.write_results(folder, result, page="good.html")
    assert path.read_text().count('id="grubook-a11y-data"') == 1


def test_every_image_has_alt_text(real_site):
    problems = {p: r.unnamed for p, r in real_site["reports"].items() if r.unnamed}
    assert not problems, problems


def test_the_check_for_alt_text_bites(driver):
    with audit.serve(FIXTURES) as base:
        driver.get(base + "broken.html")
        assert len(driver.execute_script(sitecheck.NAMES_JS)) == 1
        driver.get(base + "good.html")
        assert driver.execute_script(sitecheck.NAMES_JS) == []


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
def test_keyboard_skip_link_and_visible_focus(driver, served, page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    sitecheck.load(driver, served + page)
    ActionChains(driver).send_keys(Keys.TAB).perform()
    first = driver.switch_to.active_element
    assert first.get_attribute("href").endswith("#main-content"), first.get_attribute("outerHTML")
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
