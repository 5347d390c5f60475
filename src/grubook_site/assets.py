"""Make the built site work with no network, and keep each page light.

Everything a page loads is copied into the site's ``_static`` folder from installed packages, and a
few defects of the Jupyter Book 1.0.4 / Sphinx 7.4 pairing are fixed on the way:

- plotly.js, as npm's ``plotly.js-cartesian-dist-min``: plotly.js with only the cartesian trace
  types (scatter, bar, heatmap, ...), the ones the book draws, about a third of the full bundle.
  It must be the plotly.js version the installed plotly.py writes figures for; the build fails if
  the two differ. Loaded on every page before the figures' inline scripts run;
- MathJax 3 (npm ``mathjax``) instead of the CDN copy Sphinx points at, so formulas render offline;
- no ipywidgets manager and no require.js: myst-nb's ``nb_ipywidgets_js`` is emptied, and
  :mod:`grubook_site.widgets` fails the build on any page that still embeds widget state;
- Thebe (npm ``thebe``) for the "Live Code" button, replacing sphinx-thebe's page script:
  sphinx-thebe 0.3.1 puts its inline ``const THEBE_JS_URL = ...`` script on every page twice under
  Sphinx 7.4 (a ``SyntaxError`` in every browser), loads Thebe 0.8 from a CDN (0.8 is not in the
  npm registry this project installs from) and starts it in a way Thebe 0.9 no longer understands.
  We drop both of its scripts and add ``static/grubook.js``, which loads the local Thebe 0.9,
  starts it with the page's options and names the kernel the way Thebe 0.9 reads it
  (``kernelName``);
- ``static/grubook.css``: wide equations and tables scroll inside their own box on a phone;
- ``static/print.css`` and ``static/print.js``: the page on paper (``make pdf``,
  :mod:`grubook_site.pdf`, and a browser's Print): no controls or sidebars, code that wraps, a
  line under each slider figure naming the step it shows;
- ``static/figures.js`` and ``static/figures.css``: every Plotly figure gets an accessible name and
  a text description written from its data, its sliders a native keyboard control and a live
  region that reads the new values (see the script's header);
- no ``fontawesome.js``: pydata-sphinx-theme loads Font Awesome's 1.5 MB SVG+JS build on every
  page for custom icons the book does not have; its own icons draw from the web font its CSS
  already loads (``templates/static/webpack-macros.html`` drops that one script);
- pydata-sphinx-theme's console error on a reader's first visit ("Got invalid theme mode"), by
  setting its default colour mode;
- myst-nb's warning that it cannot show the Plotly JSON that ``grubook.plotting`` sends next to the
  figure's HTML (for JupyterLab); only that warning is dropped.

The npm packages are pinned in ``package.json``/``package-lock.json`` and installed by ``npm ci``
(``make setup`` runs it). Building without them fails with a message that says so.

Configuration (``_config.yml`` under ``sphinx: config:``):

``grubook_thebe_server``
    empty (the default): the Live Code button starts a kernel on Binder, from the repository in
    ``_config.yml``. A URL such as ``http://127.0.0.1:8888/``: it connects to that Jupyter server
    instead (the browser test does this; so can a teacher with a classroom server). A URL with a
    ``token`` is refused: the token would be written into every page and published with the site,
    and anyone reading it could run code on that server.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sphinx.errors import ExtensionError

STATIC = Path(__file__).resolve().with_name("static")
TEMPLATES = Path(__file__).resolve().with_name("templates")
PLOTLY_PACKAGE = "plotly.js-cartesian-dist-min"
PLOTLY_JS = "plotly-cartesian.min.js"  # its name in the npm package and in _static
# (npm package, path inside it, where it goes under _static, file patterns left out)
NPM_ASSETS = [
    (
        "mathjax",
        "es5",
        "mathjax",
        ("*.map", "tex-svg*.js", "tex-chtml*.js", "mml-*.js", "node-main.js", "svg"),
    ),
    (PLOTLY_PACKAGE, PLOTLY_JS, PLOTLY_JS, ()),
    ("thebe", "lib", "thebe", ("*.map", "types")),
]
SPHINX_DEFAULT_MATHJAX = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"
PAGE_CSS = "grubook.css"  # each of these static/ files is described in the docstring above
PAGE_SCRIPT = "grubook.js"
FIGURE_CSS = "figures.css"
FIGURE_SCRIPT = "figures.js"
PRINT_CSS = "print.css"
PRINT_SCRIPT = "print.js"


def _asset_dir(app) -> Path:
    return Path(app.doctreedir).parent / "grubook_static"


def node_modules(start: Path | None = None) -> Path | None:
    """The ``node_modules`` folder with the book's npm packages: ``$GRUBOOK_NODE_MODULES``, else the
    nearest one above ``start`` (the book's folder), else the one in this repository's root."""
    if os.environ.get("GRUBOOK_NODE_MODULES"):
        return Path(os.environ["GRUBOOK_NODE_MODULES"])
    here = Path(__file__).resolve()
    candidates = []
    if start is not None:
        candidates += [
            p / "node_modules" for p in [Path(start).resolve(), *Path(start).resolve().parents]
        ]
    candidates += [p / "node_modules" for p in here.parents]
    for c in candidates:
        if (c / "thebe").is_dir() and (c / "mathjax").is_dir():
            return c
    return None


def check_plotly_version(modules: Path) -> str:
    """The plotly.js version in ``node_modules``; raises if it is not the one plotly.py targets
    (figures written by one plotly.js version may draw wrongly, or not at all, with another)."""
    from plotly.offline import get_plotlyjs_version

    wanted = get_plotlyjs_version()
    manifest = modules / PLOTLY_PACKAGE / "package.json"
    have = json.loads(manifest.read_text())["version"] if manifest.is_file() else None
    if have != wanted:
        raise ExtensionError(
            f"grubook_site: the installed plotly.py writes figures for plotly.js {wanted}, but "
            f"node_modules has {PLOTLY_PACKAGE} {have or '(not installed)'}. Pin "
            f'"{PLOTLY_PACKAGE}": "{wanted}" in package.json and run `npm install`, or pin '
            "plotly in requirements.txt to a release that ships plotly.js "
            f"{have or 'of the pinned version'}."
        )
    return have


def sync(src: Path, dst: Path, ignore: tuple[str, ...]) -> None:
    """Copy a file or a tree, skipping files that are already there with the same size and time."""

    def copy(s, d):
        if (
            os.path.exists(d)
            and os.path.getsize(d) == os.path.getsize(s)
            and os.path.getmtime(d) >= os.path.getmtime(s)
        ):
            return d
        return shutil.copy2(s, d)

    if src.is_file():
        dst.parent.mkdir(parents=True, exist_ok=True)
        copy(src, dst)
        return
    shutil.copytree(
        src, dst, ignore=shutil.ignore_patterns(*ignore), copy_function=copy, dirs_exist_ok=True
    )


def copy_packages(packages, out: Path, error: type[Exception], start: Path | None = None) -> Path:
    """Copy ``packages`` (rows of :data:`NPM_ASSETS`) from :func:`node_modules` into ``out`` (the
    site's, or the slides', ``_static``); returns node_modules. Raises ``error`` saying how to
    install them when one is missing: without them a page would need the network."""
    modules = node_modules(start)
    if modules is None:
        raise error(
            "grubook_site: the book's JavaScript packages (MathJax, plotly.js, Thebe, reveal.js) "
            "are not installed, so the site would not work offline. Run `npm ci --ignore-scripts` "
            "in the repository root (`make setup` does it), or set GRUBOOK_NODE_MODULES to a "
            "node_modules folder."
        )
    for package, inner, target, ignore in packages:
        src = modules / package / inner
        if not src.exists():
            raise error(
                f"grubook_site: {src} is missing; run `npm ci --ignore-scripts` (package.json)"
            )
        sync(src, out / target, ignore)
    return modules


def thebe_server(url: str) -> dict:
    """Thebe's ``serverSettings`` for ``grubook_thebe_server``, or, for a URL with a token, an
    :class:`ExtensionError` that says why (see the module's docstring)."""
    parts = urlsplit(url)
    if "token" in parse_qs(parts.query) or "token" in parts.fragment:
        raise ExtensionError(
            f"grubook_thebe_server {url!r} holds a token: it would be written into every built "
            "page and published with the site, and anyone who reads it could run code on that "
            "server as you. Give the server's URL without a token and let the server check who "
            "connects (a JupyterHub login), or, for a test on this machine, run a server on "
            "127.0.0.1 without a token."
        )
    return {"baseUrl": f"{parts.scheme}://{parts.netloc}{parts.path or '/'}", "token": ""}


def _collect(app, config) -> None:
    if config.grubook_thebe_server:
        thebe_server(config.grubook_thebe_server)  # refuse a token before anything is built
    out = _asset_dir(app)
    # a fresh folder each build: nothing left over from an older build (plotly.min.js, require.js)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    modules = copy_packages(NPM_ASSETS, out, ExtensionError, Path(app.confdir))
    check_plotly_version(modules)
    names = (PAGE_CSS, PAGE_SCRIPT, FIGURE_CSS, FIGURE_SCRIPT, PRINT_CSS, PRINT_SCRIPT)
    for name in (*names, "lab.js", "lab.css", "play.js", "play.css"):
        sync(STATIC / name, out / name, ())

    config.html_static_path = list(config.html_static_path) + [os.fspath(out)]
    config.templates_path = [os.fspath(TEMPLATES), *config.templates_path]  # no fontawesome.js
    # "auto" follows the reader's system setting (and no "invalid theme mode" error)
    config.html_context = {"default_mode": "auto", **config.html_context}
    if config.mathjax_path in ("", SPHINX_DEFAULT_MATHJAX) or "://" in config.mathjax_path:
        config.mathjax_path = "mathjax/tex-mml-chtml.js"
    config.nb_ipywidgets_js = {}  # no widget manager; myst-nb reads it at builder-inited, later


def _fix_scripts(app, pagename, templatename, context, doctree) -> None:
    """Per page: drop sphinx-thebe's two scripts (ours replaces them) and any duplicate script."""
    scripts = context.get("script_files")
    if scripts is None:
        return
    kept, seen = [], set()
    for js in scripts:
        filename = getattr(js, "filename", js) or ""
        attributes = dict(getattr(js, "attributes", {}))
        body = attributes.get("body", "")
        if filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body:
            continue
        key = (filename, json.dumps(attributes, sort_keys=True, default=str))
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    scripts[:] = kept


def _thebe_page_config(app, doctree, docname) -> None:
    """Add a Thebe configuration fragment to every page; Thebe 0.9 merges it over sphinx-thebe's."""
    from docutils import nodes

    meta = app.env.metadata.get(docname, {})
    kernelspec = meta.get("kernelspec") or {}
    if isinstance(kernelspec, str):
        kernelspec = json.loads(kernelspec)
    kernel = meta.get("thebe-kernel") or kernelspec.get("name") or "python3"
    # mathjaxUrl "": Thebe would fetch MathJax 2 from a CDN to typeset LaTeX outputs of live cells
    # (the page's own MathJax 3 typesets the page); without it such outputs show as plain text.
    options: dict = {"kernelOptions": {"kernelName": kernel}, "mathjaxUrl": ""}
    server = app.config.grubook_thebe_server
    if server:
        options.update(useBinder=False, requestKernel=True, serverSettings=thebe_server(server))
        options["kernelOptions"]["path"] = str(Path(docname).parent)
    body = json.dumps(options).replace("</", "<\\/")
    doctree.append(
        nodes.raw(text=f'<script type="text/x-thebe-config">{body}</script>', format="html")
    )


class _PlotlyJsonIsExpected:
    """Drop one expected warning: the book's Plotly renderer (``grubook.plotting``) sends the
    figure's JSON for JupyterLab next to the HTML the site shows, and myst-nb says it cannot show
    the JSON. Any other unknown output type still warns (and fails ``-W``)."""

    def filter(self, record) -> bool:
        return "unknown output mime type: application/vnd.plotly.v1+json" not in str(record.msg)


def setup(app):
    import logging as std_logging

    for handler in std_logging.getLogger("sphinx").handlers:
        if not any(isinstance(f, _PlotlyJsonIsExpected) for f in handler.filters):
            handler.filters.insert(0, _PlotlyJsonIsExpected())
    app.add_config_value("grubook_thebe_server", "", "html", types=[str])
    app.connect("config-inited", _collect, priority=400)  # before myst-nb reads its config
    app.connect("html-page-context", _fix_scripts, priority=900)  # after every other script
    app.connect("doctree-resolved", _thebe_page_config, priority=600)  # after sphinx-thebe's own
    app.add_js_file(PLOTLY_JS, priority=100)  # in <head>, before the figures' inline scripts
    app.add_css_file(PAGE_CSS)
    app.add_js_file(PAGE_SCRIPT, priority=900, defer="defer")  # after MathJax (also deferred)
    app.add_css_file(FIGURE_CSS)
    # deferred: runs once the page is parsed, when every figure's inline script has drawn it
    app.add_js_file(FIGURE_SCRIPT, priority=500, defer="defer")
    app.add_css_file(PRINT_CSS)  # its rules are inside @media print, but for one that hides a note
    app.add_js_file(PRINT_SCRIPT, priority=510, defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.3"}
