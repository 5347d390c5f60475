"""The shared Plotly set-up: the mode bar sends nothing off the site, every figure's HTML carries
that config, and the site ships the script that makes figures accessible
(tests/browser/test_figure_access.py checks what it does in a browser)."""

from __future__ import annotations

import json
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import plotly.graph_objects as go

from grubook import plotting

ROOT = Path(__file__).resolve().parents[1]


def test_the_mode_bar_has_no_button_that_sends_data_off_the_site():
    config = plotting.PLOTLY_CONFIG
    assert config["showSendToCloud"] is False  # "Share chart...": plotly.js 4 shows it by default
    assert config["displaylogo"] is False  # the Plotly logo links to plotly.com
    assert config["plotlyServerURL"] == ""


def test_every_figure_is_drawn_with_the_shared_config():
    html = plotting.figure_html(go.Figure(go.Scatter(y=[1, 2]), {"title": {"text": "t"}}))
    found = re.search(r"var config = (\{.*?\});", html)
    assert found, html[:500]
    assert json.loads(found.group(1)) == plotting.PLOTLY_CONFIG
    assert 'class="grubook-plotly"' in html  # what static/figures.js looks for


def test_the_figure_script_and_style_ship_with_the_package():
    from grubook_site import assets

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = data["tool"]["setuptools"]["package-data"]["grubook_site"]
    for name in (assets.FIGURE_SCRIPT, assets.FIGURE_CSS, assets.PRINT_SCRIPT, assets.PRINT_CSS):
        assert (assets.STATIC / name).is_file(), name
        assert any(fnmatch(f"static/{name}", g) for g in globs), (name, globs)
