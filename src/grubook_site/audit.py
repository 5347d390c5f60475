"""The accessibility audit: axe-core over every page of the built site, in headless Chromium.

``python -m grubook_site.audit _build/html`` (``make audit``; ``make test`` runs it after the build)
opens every page of the built site at each width in :data:`WIDTHS` and in both colour themes, runs
axe-core (``node_modules/axe-core``, pinned in ``package.json``; injected into the page, never
fetched) with the rule tags in :data:`TAGS`, and writes the counts into the accessibility statement
(``book/accessibility.html``, in place of its placeholder element). Without Chromium the page keeps
its note that this build was not audited, and the command warns.

The browser tests (``tests/browser/test_accessibility.py``) read what this command wrote into the
statement: they fail on any violation of impact serious or critical, on a page left unaudited, and
on results of another build (each page's sha256 is recorded); they run :func:`audit_site` only on a
fixture page with known violations, to prove it catches them.

Not a Sphinx extension: it reads the finished HTML, as a reader's browser does.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import functools
import hashlib
import html as htmllib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import browser
from .browser import serve

#: (width, height) of the two viewports: a laptop and a phone (CSS pixels).
WIDTHS = ((1280, 900), (390, 844))
#: pydata-sphinx-theme's two colour themes (``<html data-theme="...">``).
THEMES = ("light", "dark")
#: axe-core rule tags: WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices. WCAG 2.2's
#: new AA rule (target-size) is left out: the theme's and Plotly's small icon buttons are spaced,
#: not enlarged, and the book does not claim 2.2.
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
#: the rules that read colours: the only ones a change of theme can change, so the only ones run
#: in the dark theme (the light theme runs every rule of :data:`TAGS`)
COLOUR_RULES = ("color-contrast", "link-in-text-block")
IMPACTS = ("critical", "serious", "moderate", "minor")
#: a violation of these impacts fails the browser tests
FAILING = ("critical", "serious")
#: the element of book/accessibility.md that the audit's results replace
PLACEHOLDER_ID = "grubook-a11y-results"
STATEMENT = "book/accessibility.html"
#: folders of the built site that hold no pages
NOT_PAGES = ("_static", "_sources", "_images", "_downloads", "_sphinx_design_static")


# --------------------------------------------------------------------------------------------
# axe-core


def axe_dir(start: Path | None = None) -> Path:
    """``node_modules/axe-core``: under ``$GRUBOOK_NODE_MODULES`` or the repository's
    ``node_modules``."""
    from grubook_site.assets import node_modules

    modules = node_modules(start or Path.cwd())
    folder = modules / "axe-core" if modules else None
    if folder is None or not (folder / "axe.min.js").is_file():
        raise FileNotFoundError(
            "axe-core is not installed: run `npm ci --ignore-scripts --no-audit --no-fund` "
            "(package.json pins it)"
        )
    return folder


def axe_version(start: Path | None = None) -> str:
    return json.loads((axe_dir(start) / "package.json").read_text())["version"]


@functools.cache
def _axe_source(folder: str) -> str:
    return (Path(folder) / "axe.min.js").read_text(encoding="utf-8")


_RUN_AXE_JS = r"""
const done = arguments[arguments.length - 1];
const options = arguments[0];
window.axe.run(document, options).then(
  (r) => done({ok: true, violations: r.violations.map((v) => ({
    rule: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      impact: n.impact || v.impact, target: n.target.map(String),
      html: (n.html || "").slice(0, 300), summary: (n.failureSummary || "").slice(0, 600),
    })),
  }))}),
  (e) => done({ok: false, error: String(e && e.stack || e)}));
"""


@dataclass(frozen=True)
class Finding:
    """One element that breaks one axe rule."""

    rule: str
    impact: str
    target: str  # axe's CSS selector for the element
    help: str = field(compare=False, default="")
    html: str = field(compare=False, default="")
    summary: str = field(compare=False, default="")

    def line(self) -> str:
        said = f" [{self.summary[:300]}]" if self.summary else ""
        return f"{self.impact} {self.rule}: {self.target} ({self.help}) {self.html[:160]}{said}"


def run_axe(driver, tags=TAGS, rules=None, start: Path | None = None) -> list[Finding]:
    """Inject axe-core into the page the driver shows and run the rules tagged ``tags`` (or just
    the rules named in ``rules``); one :class:`Finding` per element per broken rule (incomplete
    results, which need a person to judge, are not kept)."""
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(_axe_source(os.fspath(axe_dir(start))))
    only = (
        {"type": "rule", "values": list(rules)} if rules else {"type": "tag", "values": list(tags)}
    )
    options = {"runOnly": only, "resultTypes": ["violations"]}
    result = driver.execute_async_script(_RUN_AXE_JS, options)
    if not result.get("ok"):
        raise RuntimeError(f"axe-core failed on {driver.current_url}: {result.get('error')}")
    return [
        Finding(
            rule=v["rule"],
            impact=n["impact"] or "minor",
            target=" ".join(n["target"]),
            help=v["help"],
            html=n["html"],
            summary=n["summary"],
        )
        for v in result["violations"]
        for n in v["nodes"]
    ]


# --------------------------------------------------------------------------------------------
# pages, views, the browser

_READY_JS = r"""
const done = arguments[arguments.length - 1];
(async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    try { await MathJax.startup.promise; } catch (e) {}
  }
  await sleep(300);
  done(true);
})();
"""

_THEME_JS = r"""
// pydata-sphinx-theme keeps the reader's choice of theme in localStorage ("mode") and applies it
// before the page is drawn; the page is then loaded again, as a reader who chose it would see it.
localStorage.setItem("mode", arguments[0]);
"""
_BACKGROUND_JS = r"""
return [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor];
"""


def site_pages(html_dir: Path) -> list[str]:
    """Every page of a built site, as paths relative to ``html_dir``, sorted; a page that only
    redirects to another (Jupyter Book's ``index.html``) is left out."""
    html_dir = Path(html_dir)
    return sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not any(part in NOT_PAGES for part in p.relative_to(html_dir).parts)
        and not _REDIRECT.search(p.read_text(encoding="utf-8", errors="replace")[:2000])
    )


_REDIRECT = re.compile(r'<meta[^>]+http-equiv="refresh"', re.I)


def digest(path: Path) -> str:
    """A page file's sha256: the audit records each page's, so its results name their build."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def view_name(width: int, theme: str) -> str:
    return f"{width}px {theme}"


# After a resize, pydata-sphinx-theme (300 ms later) gives each code block and cell output that
# scrolls tabindex 0 and one that does not -1, and grubook.js (200 ms later) does the same for
# tables: wait until both have, at most 5 s.
_TAB_STOPS_JS = r"""
const done = arguments[arguments.length - 1];
const sel = "pre, .cell_output > .output, .pst-scrollable-table-container";
const scrolls = (el) => el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
const wide = (el) => el.scrollWidth > el.clientWidth + 1;  // grubook.js's test for tables
const settled = () => [...document.querySelectorAll(sel)].every(
  (el) => !el.getClientRects().length || (el.tabIndex === 0) === scrolls(el)) &&
  [...document.querySelectorAll(".bd-article table")].every(
  (el) => !el.getClientRects().length || !wide(el) || el.tabIndex === 0);
(async () => {
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 350));
  while (!settled() && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 100));
  done(settled());
})();
"""


def _resize(driver, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.execute_async_script(_TAB_STOPS_JS)


def confirmed(driver, found: list[Finding], url: str) -> list[Finding]:
    """``found`` without the serious colour findings that a second reading a second later no
    longer shows. A colour is read from the pixels' stack at one moment; on a loaded machine a
    page can be caught while something still moves over it (one CI run saw the footer of a short
    page fail once and pass in every other audit). A real violation is there both times; each one
    dropped is printed to stderr with axe's colours, so it is seen, not hidden."""
    colour = [f for f in found if f.rule in COLOUR_RULES and f.impact in FAILING]
    if not colour:
        return found
    time.sleep(1.0)
    again = set(run_axe(driver, rules=sorted({f.rule for f in colour})))
    gone = [f for f in colour if f not in again]
    for f in gone:
        print(f"audit: {url}: not seen a second time: {f.line()}", file=sys.stderr)
    return [f for f in found if f not in gone]


def audit_page(driver, url: str, tags=TAGS) -> dict[str, list[Finding]]:
    """Run axe on ``url`` in every view: each width of :data:`WIDTHS` in each theme of
    :data:`THEMES`, every rule in the light theme and :data:`COLOUR_RULES` in the dark one (the
    page is loaded once per theme, with the theme chosen as a reader chooses it). Returns view name
    -> findings. Animations are off (``prefers-reduced-motion`` emulated), so no colour is read
    half-way through a transition."""
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]},
    )
    out: dict[str, list[Finding]] = {}
    backgrounds = set()
    widths = list(WIDTHS)
    origin = re.match(r"[a-z]+://[^/]+/", url).group(0)
    if not driver.current_url.startswith(origin):
        driver.get(url)  # localStorage belongs to the site's origin
    now = driver.execute_script("return window.innerWidth")
    for k, theme in enumerate(THEMES):
        driver.execute_script(_THEME_JS, theme)
        driver.get(url)
        driver.execute_async_script(_READY_JS)
        for width, height in widths:
            if width != now:
                _resize(driver, width, height)
                now = width
            shown, background = driver.execute_script(_BACKGROUND_JS)
            if shown != theme:
                raise RuntimeError(f"{url}: the page shows the {shown} theme, not {theme}")
            backgrounds.add(background)
            rules = None if k == 0 else COLOUR_RULES
            out[view_name(width, theme)] = confirmed(driver, run_axe(driver, tags, rules), url)
        widths.reverse()  # the next theme starts at the width this one ended with
    if len(backgrounds) != len(THEMES):
        raise RuntimeError(f"{url}: the page looks the same in every theme ({backgrounds})")
    driver.execute_script("localStorage.removeItem('mode');")
    return out


# --------------------------------------------------------------------------------------------
# the whole site


@dataclass
class Audit:
    """What axe found on every page of one build."""

    version: str
    pages: dict[str, dict[str, list[Finding]]]  # page -> view -> findings
    date: str = ""
    seconds: float = 0.0
    digests: dict[str, str] = field(default_factory=dict)  # page -> sha256 of the file audited

    def unique(self, page: str) -> set[Finding]:
        """A page's findings over all views, each (rule, impact, element) once."""
        return {f for found in self.pages[page].values() for f in found}

    def counts(self, page: str) -> dict[str, int]:
        """Elements that break a rule, by impact, over all views of a page (each once)."""
        found = self.unique(page)
        return {impact: sum(f.impact == impact for f in found) for impact in IMPACTS}

    def failures(self) -> list[str]:
        """Every serious or critical finding: page, view, rule, element."""
        return [
            f"{page} [{view}] {f.line()}"
            for page, views in self.pages.items()
            for view, found in views.items()
            for f in found
            if f.impact in FAILING
        ]

    def rules(self) -> dict[str, dict[str, int]]:
        """rule -> impact -> elements, over the whole site (each element of a page once)."""
        out: dict[str, dict[str, int]] = {}
        for page in self.pages:
            for f in self.unique(page):
                out.setdefault(f.rule, dict.fromkeys(IMPACTS, 0))[f.impact] += 1
        return dict(sorted(out.items()))

    def to_json(self) -> dict:
        return {
            "axe": self.version,
            "date": self.date,
            "tags": list(TAGS),
            "widths": [w for w, _ in WIDTHS],
            "themes": list(THEMES),
            "pages": {p: self.counts(p) for p in self.pages},
            "rules": self.rules(),
            "sha256": self.digests,
            "failures": self.failures(),
        }


def audit_site(
    html_dir: Path, pages: list[str] | None = None, driver=None, workers: int = 2
) -> Audit:
    """Run :func:`audit_page` on every page of the built site in ``html_dir`` (or on ``pages``),
    served on 127.0.0.1: with the given ``driver``, or with ``workers`` Chromiums of its own side
    by side (axe is single-threaded: two browsers use two cores)."""
    t0 = time.time()
    pages = site_pages(html_dir) if pages is None else list(pages)
    digests = {p: digest(Path(html_dir) / p) for p in pages}
    found: dict[str, dict[str, list[Finding]]] = {}

    def work(d, share):
        try:
            for p in share:
                found[p] = audit_page(d, base + p)
        finally:
            d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    with serve(html_dir) as base:
        if driver is not None:
            work(driver, pages)
        else:
            n = max(1, min(workers, len(pages)))
            drivers = [browser.start(*WIDTHS[0]) for _ in range(n)]
            try:
                with concurrent.futures.ThreadPoolExecutor(n) as pool:
                    jobs = [pool.submit(work, d, pages[i::n]) for i, d in enumerate(drivers)]
                    for job in jobs:
                        job.result()
            finally:
                for d in drivers:
                    d.quit()
    return Audit(
        version=axe_version(),
        pages={p: found[p] for p in pages},
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        seconds=time.time() - t0,
        digests=digests,
    )


# --------------------------------------------------------------------------------------------
# the statement page


def results_html(audit: Audit) -> str:
    """The results block of the accessibility statement: a sentence, a table per page, a table
    per rule, and the same numbers as JSON for the tests."""
    esc = htmllib.escape
    views = ", ".join(f"{w} px" for w, _ in WIDTHS)
    total = {i: sum(audit.counts(p)[i] for p in audit.pages) for i in IMPACTS}
    failing = total["critical"] + total["serious"]
    verdict = (
        "no violation of impact serious or critical on any page"
        if failing == 0
        else f"{failing} elements with a serious or critical violation"
    )
    head = "".join(f'<th scope="col">{i}</th>' for i in IMPACTS)
    rows = "".join(
        f'<tr><th scope="row"><a href="{esc(os.path.relpath(p, "book"))}">{esc(p)}</a></th>'
        + "".join(f"<td>{audit.counts(p)[i]}</td>" for i in IMPACTS)
        + "</tr>"
        for p in audit.pages
    )
    rule_rows = (
        "".join(
            f'<tr><th scope="row"><code>{esc(rule)}</code></th>'
            + "".join(f"<td>{n[i]}</td>" for i in IMPACTS)
            + "</tr>"
            for rule, n in audit.rules().items()
        )
        or f'<tr><td colspan="{len(IMPACTS) + 1}">none</td></tr>'
    )
    data = json.dumps(audit.to_json(), sort_keys=True).replace("</", "<\\/")
    return (
        f'<div id="{PLACEHOLDER_ID}" class="grubook-a11y-results" data-audited="true">'
        f"<p>Audited on {esc(audit.date)} with axe-core {esc(audit.version)} "
        f"(rule tags {esc(', '.join(TAGS))}): {len(audit.pages)} pages, each at {views} wide, "
        f"in the {' and '.join(THEMES)} themes. Result: <strong>{verdict}</strong>. "
        "Each number counts the elements of a page that break a rule, each element and rule "
        "once over all widths and themes.</p>"
        '<table class="grubook-a11y-pages"><caption>Elements with a violation, by page and '
        f'impact</caption><thead><tr><th scope="col">page</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        '<table class="grubook-a11y-rules"><caption>Elements with a violation, by axe rule and '
        f'impact (all pages)</caption><thead><tr><th scope="col">rule</th>{head}</tr></thead>'
        f"<tbody>{rule_rows}</tbody></table>"
        f'<script type="application/json" id="grubook-a11y-data">{data}</script>'
        "</div>"
    )


_PLACEHOLDER = re.compile(
    r'<div id="' + PLACEHOLDER_ID + r'"[^>]*>.*?<!-- /' + PLACEHOLDER_ID + r" -->\s*</div>"
    r'|<div id="' + PLACEHOLDER_ID + r'"[^>]*data-audited="true">.*?</script></div>',
    re.S,
)


def write_results(html_dir: Path, audit: Audit, page: str = STATEMENT) -> Path:
    """Replace the placeholder (or an earlier audit's results) in the statement page."""
    path = Path(html_dir) / page
    text = path.read_text(encoding="utf-8")
    new, n = _PLACEHOLDER.subn(lambda m: results_html(audit), text, count=1)
    if n != 1:
        raise ValueError(f"{path} has no element with id {PLACEHOLDER_ID!r} to replace")
    path.write_text(new, encoding="utf-8")
    return path


def read_results(html_text: str) -> dict | None:
    """The audit's numbers as a statement page holds them; None if the build was not audited."""
    m = re.search(
        r'<script type="application/json" id="grubook-a11y-data">(.*?)</script>', html_text, re.S
    )
    return json.loads(m.group(1).replace("<\\/", "</")) if m else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m grubook_site.audit _build/html", file=sys.stderr)
        return 2
    html_dir = Path(argv[0])
    if not (html_dir / STATEMENT).is_file():
        print(
            f"grubook_site.audit: {html_dir / STATEMENT} not found: build the book first",
            file=sys.stderr,
        )
        return 2
    missing = browser.missing()
    if missing:
        print(
            f"WARNING grubook_site.audit: Chromium is needed for the accessibility audit "
            f"({missing}); {STATEMENT} says this build was not audited.",
            file=sys.stderr,
        )
        return 0
    audit = audit_site(html_dir)
    # the statement page changed: audit it again as readers get it
    write_results(html_dir, audit)
    audit.pages[STATEMENT] = audit_site(html_dir, [STATEMENT]).pages[STATEMENT]
    audit.digests.pop(STATEMENT)  # its text is the results, so no digest can hold
    write_results(html_dir, audit)
    rules = ", ".join(f"{r} {sum(n.values())}" for r, n in audit.rules().items()) or "none"
    print(
        f"grubook_site.audit: axe-core {audit.version}, {len(audit.pages)} pages x "
        f"{len(WIDTHS)} widths x {len(THEMES)} themes in {audit.seconds:.0f} s; "
        f"elements by rule: {rules}"
    )
    for line in audit.failures():
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
