"""A small Sphinx extension: put the JavaScript the book needs into the site's ``_static`` folder
from installed packages, so the built pages work with no network.

- plotly.js, from the installed ``plotly`` package, loaded on every page before anything else
  (before require.js, which would otherwise capture plotly.js as an anonymous AMD module).

Enabled in ``_config.yml`` under ``sphinx.extra_extensions``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def _asset_dir(app) -> Path:
    return Path(app.doctreedir).parent / "grubook_static"


def _collect(app, config) -> None:
    out = _asset_dir(app)
    out.mkdir(parents=True, exist_ok=True)
    import plotly

    src = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    dst = out / "plotly.min.js"
    if not dst.exists() or dst.stat().st_size != src.stat().st_size:
        shutil.copyfile(src, dst)
    config.html_static_path = list(config.html_static_path) + [os.fspath(out)]


def setup(app):
    app.connect("config-inited", _collect)
    app.add_js_file("plotly.min.js", priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.1"}
