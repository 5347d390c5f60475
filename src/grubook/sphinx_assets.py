"""A small Sphinx extension that makes the built site work with no network.

Everything a page loads is copied into the site's ``_static`` folder from installed packages, and a
few defects of the Jupyter Book 1.0.4 / Sphinx 7.4 pairing are fixed on the way:

- plotly.js, from the installed ``plotly`` package, loaded on every page before anything else
  (before require.js, which would otherwise capture plotly.js as an anonymous AMD module);
- MathJax 3 (npm ``mathjax``) instead of the CDN copy Sphinx points at, so formulas render offline;
- require.js and the ipywidgets HTML manager (npm ``requirejs``, ``@jupyter-widgets/html-manager``),
  which myst-nb adds to pages with embedded widget state, instead of their CDN copies; plus a
  require.js path so the manager finds its fonts, and a MathJax 2 shim (``MathJax.Hub.Queue``) that
  @jupyter-widgets/controls calls when it draws a labelled widget (a ``TypeError`` under MathJax 3);
- Thebe (npm ``thebe``) for the "Live Code" button, replacing sphinx-thebe's page script:
  sphinx-thebe 0.3.1 puts its inline ``const THEBE_JS_URL = ...`` script on every page twice under
  Sphinx 7.4 (a ``SyntaxError`` in every browser), loads Thebe 0.8 from a CDN (0.8 is not in the
  npm registry this project installs from) and starts it in a way Thebe 0.9 no longer understands.
  We drop both of its scripts and add ``grubook.js``, which loads the local Thebe 0.9, starts it
  with the page's options and names the kernel the way Thebe 0.9 reads it (``kernelName``);
- pydata-sphinx-theme's console error on a reader's first visit ("Got invalid theme mode"), by
  setting its default colour mode;
- myst-nb's warning that it cannot show the Plotly JSON that ``grubook.plotting`` sends next to the
  figure's HTML (for JupyterLab); only that warning is dropped.

The npm packages are pinned in ``package.json``/``package-lock.json`` and installed by ``npm ci``
(``make setup`` runs it). Building without them fails with a message that says so.

Configuration (``_config.yml`` under ``sphinx: config:``):

``grubook_thebe_server``
    empty (the default): the Live Code button starts a kernel on Binder, from the repository in
    ``_config.yml``. A URL such as ``http://127.0.0.1:8888/?token=abc``: it connects to that Jupyter
    server instead (the browser test does this; so can a teacher with a classroom server).

Enabled in ``_config.yml`` under ``sphinx.extra_extensions``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sphinx.errors import ExtensionError

# (npm package, path inside it, where it goes under _static, file patterns left out)
NPM_ASSETS = [
    (
        "mathjax",
        "es5",
        "mathjax",
        ("*.map", "tex-svg*.js", "tex-chtml*.js", "mml-*.js", "node-main.js", "svg"),
    ),
    ("requirejs", "require.js", "require.js", ()),
    (
        "@jupyter-widgets/html-manager",
        "dist",
        "jupyter-widgets",
        ("*.map", "embed.js", "embed.js.*", "libembed-amd.js", "*.eot", "*.ttf", "*.svg"),
    ),  # woff/woff2 fonts suffice
    ("thebe", "lib", "thebe", ("*.map", "types")),
]
SPHINX_DEFAULT_MATHJAX = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"
PAGE_CSS = "grubook.css"  # layout fixes: wide equations and tables scroll inside their box on phones
PAGE_SCRIPT = "grubook.js"  # the Live Code launcher and a MathJax 2 shim for ipywidgets
REQUIRE_PATHS = "jupyter-widgets/require-paths.js"


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


def _sync(src: Path, dst: Path, ignore: tuple[str, ...]) -> None:
    """Copy a file or a tree, skipping files that are already there with the same size and time."""
    if src.is_file():
        if (
            not dst.exists()
            or dst.stat().st_size != src.stat().st_size
            or dst.stat().st_mtime < src.stat().st_mtime
        ):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
        return

    def copy(s, d):
        if (
            os.path.exists(d)
            and os.path.getsize(d) == os.path.getsize(s)
            and os.path.getmtime(d) >= os.path.getmtime(s)
        ):
            return d
        return shutil.copy2(s, d)

    shutil.copytree(
        src, dst, ignore=shutil.ignore_patterns(*ignore), copy_function=copy, dirs_exist_ok=True
    )


def _collect(app, config) -> None:
    out = _asset_dir(app)
    out.mkdir(parents=True, exist_ok=True)
    import plotly

    _sync(
        Path(plotly.__file__).parent / "package_data" / "plotly.min.js", out / "plotly.min.js", ()
    )

    modules = node_modules(Path(app.confdir))
    if modules is None:
        raise ExtensionError(
            "grubook.sphinx_assets: the book's JavaScript packages (MathJax, require.js, the "
            "ipywidgets manager, Thebe) are not installed, so the site would not work offline. Run "
            "`npm ci` in the repository root (`make setup` does it), or set "
            "GRUBOOK_NODE_MODULES to a node_modules folder."
        )
    for package, inner, target, ignore in NPM_ASSETS:
        src = modules / package / inner
        if not src.exists():
            raise ExtensionError(
                f"grubook.sphinx_assets: {src} is missing; run `npm ci` in the repository root."
            )
        _sync(src, out / target, ignore)
    (out / PAGE_SCRIPT).write_text(PAGE_JS, encoding="utf-8")
    shutil.copyfile(Path(__file__).with_name(PAGE_CSS), out / PAGE_CSS)
    (out / REQUIRE_PATHS).write_text(REQUIRE_PATHS_JS, encoding="utf-8")

    config.html_static_path = list(config.html_static_path) + [os.fspath(out)]
    # pydata-sphinx-theme logs a console error ("Got invalid theme mode") on a reader's first visit
    # unless the default light/dark mode is set; "auto" follows the reader's system setting.
    config.html_context = {"default_mode": "auto", **config.html_context}
    if config.mathjax_path in ("", SPHINX_DEFAULT_MATHJAX) or "://" in config.mathjax_path:
        config.mathjax_path = "mathjax/tex-mml-chtml.js"
    # myst-nb adds these to every page with embedded widget state (it reads its config later, at
    # builder-inited). require.js first: the manager registers itself as AMD modules; then tell
    # require.js where the manager lives, so it finds its fonts in _static (not beside the page).
    config.nb_ipywidgets_js = {
        "require.js": {},
        REQUIRE_PATHS: {},
        "jupyter-widgets/embed-amd.js": {},
    }


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
        parts = urlsplit(server)
        token = (parse_qs(parts.query).get("token") or [""])[0]
        options.update(
            useBinder=False,
            requestKernel=True,
            serverSettings={
                "baseUrl": f"{parts.scheme}://{parts.netloc}{parts.path or '/'}",
                "token": token,
            },
        )
        options["kernelOptions"]["path"] = str(Path(docname).parent)
    body = json.dumps(options).replace("</", "<\\/")
    doctree.append(
        nodes.raw(text=f'<script type="text/x-thebe-config">{body}</script>', format="html")
    )


class _PlotlyJsonIsExpected:
    """Drop one expected warning: the book's Plotly renderer (``grubook.plotting``) sends the
    figure's JSON for JupyterLab next to the HTML the site shows, and myst-nb says it cannot show
    the JSON.
    Any other unknown output type still warns (and fails ``-W``)."""

    def filter(self, record) -> bool:
        return "unknown output mime type: application/vnd.plotly.v1+json" not in str(record.msg)


def setup(app):
    import logging as std_logging

    for handler in std_logging.getLogger("sphinx").handlers:
        if not any(isinstance(f, _PlotlyJsonIsExpected) for f in handler.filters):
            handler.filters.insert(0, _PlotlyJsonIsExpected())
    app.add_config_value("grubook_thebe_server", "", "html", types=[str])
    app.connect("config-inited", _collect, priority=400)  # before myst-nb reads its config
    app.connect(
        "html-page-context", _fix_scripts, priority=900
    )  # after myst-nb adds widget scripts
    app.connect("doctree-resolved", _thebe_page_config, priority=600)  # after sphinx-thebe's own
    app.add_js_file("plotly.min.js", priority=100)
    app.add_css_file(PAGE_CSS)
    app.add_js_file(PAGE_SCRIPT, priority=900, defer="defer")  # after MathJax (also deferred)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.2"}


REQUIRE_PATHS_JS = r"""/* The GRU Book: where require.js finds the ipywidgets manager. */
(function () {
  var dir = new URL(".", document.currentScript.src).href.replace(/\/$/, "");
  window.require.config({ paths: { "@jupyter-widgets/html-manager/dist": dir } });
})();
"""

# The page script: (1) MathJax 2's ``MathJax.Hub.Queue``, which @jupyter-widgets/controls calls to
# typeset widget labels, mapped onto MathJax 3 (without it every labelled widget throws a
# TypeError); (2) the Live Code button. (2) is adapted from sphinx-thebe 0.3.1's sphinx-thebe.js
# (BSD-3-Clause, Executable Books): same DOM changes and status messages, but it loads Thebe from
# this site's _static folder and passes the page's useBinder and requestKernel options to Thebe
# 0.9's bootstrap, which otherwise always asks Binder and starts no kernel.
PAGE_JS = r"""/* The GRU Book page script. See grubook/sphinx_assets.py. */
(function () {
  "use strict";
  if (window.MathJax && !window.MathJax.Hub) {
    window.MathJax.Hub = {
      Queue: function (job) {
        var el = Array.isArray(job) ? job[2] : null;
        var mj = window.MathJax;
        if (mj.typesetPromise) return mj.typesetPromise(el ? [el] : undefined);
      },
    };
  }
  var here = document.currentScript ? document.currentScript.src : "";
  var THEBE_JS_URL = new URL("thebe/index.js", here || window.location.href).href;
  var SELECTOR = ".thebe,.cell", SELECTOR_INPUT = "pre", SELECTOR_OUTPUT = ".output, .cell_output";

  function kernelName() {
    var cfg = window.thebe && window.thebe.getPageConfig ? window.thebe.getPageConfig() : {};
    return (cfg.kernelOptions && cfg.kernelOptions.kernelName) || "python3";
  }

  function configureThebe() {
    if (document.querySelectorAll("div.thebe-cell").length > 0) return;
    var useBinder = window.thebe.getPageConfig().useBinder !== false;
    document.querySelectorAll(".thebe-launch-button").forEach(function (button) {
      button.innerHTML = '<div class="spinner"><div class="rect1"></div>' +
        '<div class="rect2"></div><div class="rect3"></div><div class="rect4"></div></div>' +
        '<span class="loading-text"></span>';
    });
    var thebeStatus;
    window.thebe.on("status", function (evt, data) {
      var button = document.querySelector(".thebe-launch-button");
      if (button) {
        button.classList.remove("thebe-status-" + thebeStatus);
        button.classList.add("thebe-status-" + data.status);
        var text = button.querySelector(".loading-text");
        if (text) {
          text.innerHTML = "<span class='launch_msg'>" +
            (useBinder ? "Launching from mybinder.org: " : "Connecting to Jupyter: ") +
            "</span><span class='status'>" + data.status + "</span>";
        }
      }
      thebeStatus = data.status;
      if (data.status === "ready") {
        document.querySelectorAll(".thebe-init, .tag_thebe-init").forEach(function (cell) {
          var run = cell.querySelector(".thebe-run-button, .thebelab-run-button");
          if (run) run.click();
        });
      }
    });
  }

  function modifyDOMForThebe() {
    var language = kernelName().indexOf("python") > -1 ? "python" : kernelName();
    document.querySelectorAll(SELECTOR).forEach(function (codeCell, index) {
      codeCell.id = "codecell" + index;
      var input = codeCell.querySelector(SELECTOR_INPUT);
      var output = codeCell.querySelector(SELECTOR_OUTPUT);
      if (input) {
        input.setAttribute("data-language", language);
        input.setAttribute("data-executable", "true");
        if (output) {
          output.setAttribute("data-output", "");
          input.insertAdjacentElement("afterend", output);
        }
      }
      codeCell.querySelectorAll("button.copybtn").forEach(function (el) { el.remove(); });
    });
  }

  function start() {
    configureThebe();
    modifyDOMForThebe();
    var cfg = window.thebe.getPageConfig();
    // Thebe 0.9 lets these two arguments override the page's options (and starts no kernel
    // unless requestKernel is passed here), so pass the page's own values.
    return window.thebe.bootstrap({
      useBinder: cfg.useBinder !== false,
      requestKernel: cfg.requestKernel !== false,
    });
  }

  window.initThebe = function () {
    if (window.thebe && window.thebe.bootstrap) return start();
    var button = document.querySelector(".thebe-launch-button");
    if (button) button.innerText = "Loading Thebe...";
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("thebe/thebe.css", here || window.location.href).href;
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = THEBE_JS_URL;
    script.addEventListener("load", start);
    document.head.appendChild(script);
  };
})();
"""
