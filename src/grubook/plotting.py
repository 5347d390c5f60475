"""One palette and one Plotly set-up for every figure in the book.

The palette is Okabe & Ito's colour-blind-safe set. A quantity keeps its colour in every chapter:
the update gate z_t is always ``COLORS["update"]`` and the reset gate r_t always
``COLORS["reset"]``.

:func:`setup_plotly` makes ``fig.show()`` (or a figure left at the end of a cell) emit HTML that
draws with the plotly.js the book copies into the site's ``_static`` folder, so figures work with no
network on the built site; in a live notebook without that file the same HTML loads plotly.js from
its CDN instead, and JupyterLab uses its own Plotly renderer.
"""

from __future__ import annotations

import hashlib
import json

# Okabe, M. & Ito, K. (2008) Color Universal Design: colours distinguishable under the common
# forms of colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}

COLORS = {
    # GRU quantities: fixed in every figure of the book
    "update": OKABE_ITO["blue"],  # z_t
    "reset": OKABE_ITO["vermillion"],  # r_t
    "candidate": OKABE_ITO["bluish_green"],  # n_t / h~_t
    "hidden": OKABE_ITO["black"],  # h_t
    "input": OKABE_ITO["grey"],  # x_t
    # LSTM gates
    "input_gate": OKABE_ITO["orange"],  # i_t
    "forget_gate": OKABE_ITO["reddish_purple"],  # f_t
    "output_gate": OKABE_ITO["sky_blue"],  # o_t
    "cell": OKABE_ITO["yellow"],  # c_t
    # models and baselines
    "rnn": OKABE_ITO["grey"],
    "gru": OKABE_ITO["blue"],
    "lstm": OKABE_ITO["orange"],
    "torch": OKABE_ITO["black"],
    "baseline": OKABE_ITO["reddish_purple"],
    "actual": OKABE_ITO["black"],
}

# an ordered list for series that have no fixed meaning
PALETTE = [
    OKABE_ITO[k]
    for k in (
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "reddish_purple",
        "sky_blue",
        "yellow",
        "black",
    )
]

# heat maps of a gate's values in [0, 1]: white (0) to the gate's own colour (1), so z_t and r_t
# keep their colours in heat maps too
GATE_SCALES = {
    name: [[0.0, "#FFFFFF"], [1.0, COLORS[name]]]
    for name in ("update", "reset", "candidate", "input_gate", "forget_gate", "output_gate")
}


def _plotly_cdn() -> str:
    try:
        from plotly.offline import get_plotlyjs_version

        return f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"
    except Exception:  # pragma: no cover - plotly missing or changed
        return "https://cdn.plot.ly/plotly-latest.min.js"


PLOTLY_CDN = _plotly_cdn()
# The mode bar keeps only what works on this page: no Plotly logo (a link to plotly.com) and no
# "Share chart..." button (plotly.js 4 shows it by default; it uploads the figure's data to Plotly
# Cloud). With no server URL, a figure that turned the button back on would have nowhere to send.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "showSendToCloud": False,
    "plotlyServerURL": "",
}


def figure_html(fig, div_id: str | None = None) -> str:
    """HTML for a Plotly figure that draws with a page-level ``window.Plotly`` when the page has one
    (the built book loads it from ``_static``) and loads plotly.js from the CDN otherwise."""
    spec = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig
    import plotly.io as pio

    payload = pio.to_json(spec, validate=False, remove_uids=True)
    if div_id is None:
        div_id = "grubook-plotly-" + hashlib.sha1(payload.encode()).hexdigest()[:12]
    height = (spec.get("layout") or {}).get("height") or 450
    return (
        f'<div id="{div_id}" class="grubook-plotly" style="height:{height}px; width:100%;"></div>\n'
        "<script>(function () {\n"
        f"  var spec = {payload};\n"
        f"  var config = {json.dumps(PLOTLY_CONFIG)};\n"
        f'  function draw() {{ window.Plotly.newPlot("{div_id}", '
        "spec.data, spec.layout, config); }\n"
        "  if (window.Plotly) { draw(); return; }\n"
        '  var s = document.createElement("script");\n'
        f'  s.src = "{PLOTLY_CDN}"; s.onload = draw; document.head.appendChild(s);\n'
        "})();</script>"
    )


def setup_plotly(default_height: int = 450) -> None:
    """Register the book's Plotly renderer and the shared template; call once per chapter."""
    import plotly.graph_objects as go
    import plotly.io as pio
    from plotly.io._base_renderers import MimetypeRenderer

    class BookRenderer(MimetypeRenderer):
        def to_mimebundle(self, fig_dict):
            return {
                "text/html": figure_html(fig_dict),
                "application/vnd.plotly.v1+json": fig_dict,
            }

    pio.renderers["grubook"] = BookRenderer()
    pio.renderers.default = "grubook"
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.colorway = PALETTE
    template.layout.height = default_height
    template.layout.font = {"size": 14}
    pio.templates["grubook"] = template
    pio.templates.default = "grubook"


def setup_matplotlib() -> None:
    """Shared matplotlib style: the palette as the colour cycle, readable sizes, print-quality
    output."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=PALETTE),
            "figure.dpi": 110,
            "savefig.dpi": 200,
            "figure.figsize": (7.5, 4.0),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "font.size": 11,
        }
    )


def setup() -> None:
    """Everything a chapter needs before its first figure."""
    setup_plotly()
    setup_matplotlib()
