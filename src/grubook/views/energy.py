"""Chapter 6 views: forecasts against the actual load, error by hour of day, and the gates of the
trained GRU over a week.

Data function: :func:`gate_week` runs the trained forecaster (a
:class:`grubook.training.SequenceModel` with a GRU) on the windows of one week and records z_t and
r_t at the last step of every window: the gate values at the moment each forecast is made.
:func:`unit_data` picks one hidden unit out of it.

One figure function, :func:`gate_figure` (z_t and r_t of one unit beside the load), drawn by
:func:`static_gate_figure` (a slider over the units, computed when the page is built) and
:func:`gate_explorer` (a continuous slider, in a kernel). :func:`forecast_week_figure` (Plotly) and
:func:`error_by_hour_figure`, :func:`error_by_horizon_figure` and :func:`learning_curves_figure`
(matplotlib) draw the other plots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from .. import _checks
from ..plotting import COLORS, OKABE_ITO

# line styles for the forecasts: the two networks in their fixed colours, the baselines in the
# baseline colour and grey, told apart by dash pattern as well as colour
STYLES = {
    "actual": {"color": COLORS["actual"], "width": 2.5, "dash": "solid"},
    "GRU": {"color": COLORS["gru"], "width": 2, "dash": "solid"},
    "LSTM": {"color": COLORS["lstm"], "width": 2, "dash": "solid"},
    "persistence": {"color": COLORS["baseline"], "width": 1.5, "dash": "dot"},
    "seasonal naive (24 h)": {"color": OKABE_ITO["grey"], "width": 1.5, "dash": "dash"},
    "weekly naive (168 h)": {"color": OKABE_ITO["sky_blue"], "width": 1.5, "dash": "dashdot"},
    "same hour yesterday": {"color": OKABE_ITO["grey"], "width": 1.5, "dash": "dash"},
    "linear (ridge)": {"color": OKABE_ITO["bluish_green"], "width": 2, "dash": "dash"},
    "ridge, no temperature": {"color": OKABE_ITO["bluish_green"], "width": 1.5, "dash": "dot"},
    "ridge, with temperature": {"color": OKABE_ITO["bluish_green"], "width": 2, "dash": "dash"},
    "ridge + GRU": {"color": COLORS["gru"], "width": 2, "dash": "dashdot"},
    "ridge + LSTM": {"color": COLORS["lstm"], "width": 2, "dash": "dashdot"},
    "same hour last week": {"color": OKABE_ITO["sky_blue"], "width": 1.5, "dash": "dot"},
    "same hour two days before": {"color": OKABE_ITO["grey"], "width": 1.5, "dash": "dash"},
}
MPL_DASH = {"solid": "-", "dot": ":", "dash": "--", "dashdot": "-."}


def _style(name: str) -> dict:
    return STYLES.get(name, {"color": OKABE_ITO["grey"], "width": 1.5, "dash": "solid"})


def _naive(times: pd.DatetimeIndex) -> list:
    """Wall-clock timestamps for Plotly (it would otherwise convert tz-aware times to UTC)."""
    return [t.strftime("%Y-%m-%d %H:%M") for t in times]


# ----- forecast against actual --------------------------------------------------------------------
def forecast_week_figure(
    times: pd.DatetimeIndex,
    actual,
    forecasts: dict,
    units: str = "MW",
    title: str = "One-step-ahead forecasts and the actual load",
    hidden: tuple = ("seasonal naive (24 h)", "weekly naive (168 h)"),
):
    """Plotly line chart of ``actual`` and every forecast in ``forecasts`` ({name: array}) over
    ``times`` (local time). Series named in ``hidden`` start switched off (click the legend)."""
    import plotly.graph_objects as go

    x = _naive(times)
    fig = go.Figure()
    for name, f in {"actual": actual, **forecasts}.items():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=np.asarray(f),
                name=name,
                line=_style(name),
                visible="legendonly" if name in hidden else True,
                hovertemplate="%{y:,.0f} " + units,
            )
        )
    fig.update_layout(
        title={"text": title, "x": 0.02},
        height=520,
        hovermode="x unified",
        xaxis_title="local time (Melbourne)",
        yaxis_title=f"demand ({units})",
        legend={"orientation": "h", "yanchor": "top", "y": -0.24, "x": 0},
        margin={"t": 60, "b": 40, "l": 70, "r": 20},
    )
    return fig


# ----- error by hour of day -----------------------------------------------------------------------
def _error_lines(lines: dict, ylabel: str, title: str, ncol: int):
    """Matplotlib: one line per entry of ``lines`` ({name: (x, y)}) in the forecasts' styles, y
    from 0, the legend under the axes. Returns (fig, ax)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.2))
    for name, (x, y) in lines.items():
        s = _style(name)
        ax.plot(
            x,
            y,
            color=s["color"],
            ls=MPL_DASH[s["dash"]],
            lw=s["width"] + (0.5 if name in ("GRU", "LSTM") else 0),
            marker="o",
            ms=3,
            label=name,
        )
    ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(ncol=ncol, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    return fig, ax


def error_by_hour_figure(
    errors: dict, units: str = "MW", title: str = "Where in the day the errors are"
):
    """Matplotlib: mean absolute error against the local hour of the forecast target, one line per
    entry of ``errors`` ({name: pandas Series indexed by hour 0-23})."""
    lines = {name: (err.index, err.to_numpy()) for name, err in errors.items()}
    fig, ax = _error_lines(lines, f"mean absolute error ({units})", title, ncol=3)
    ax.set_xticks(range(0, 24, 3))
    ax.set_xlim(-0.5, 23.5)
    ax.set_xlabel("hour of the day being forecast (local time)")
    fig.tight_layout()
    return fig


# ----- the gates of the trained GRU over a week ---------------------------------------------------
@dataclass
class WeekGates:
    """Gate activations of a trained GRU forecaster over consecutive hours.

    times: (T,) local times of the hour read at the last step; load: (T,) that hour's load (MW);
    update, reset: (T, hidden) z_t and r_t of the last layer at the last step of each window;
    order: unit indices sorted by how much their z_t moves over the week (std, largest first).
    """

    times: pd.DatetimeIndex
    load: np.ndarray
    update: np.ndarray
    reset: np.ndarray
    order: np.ndarray


def gate_week(model, prep, first_row: int, hours: int = 168) -> WeekGates:
    """Run ``model`` (a GRU :class:`grubook.training.SequenceModel`) on the windows that end at rows
    ``first_row`` .. ``first_row + hours - 1`` and keep z_t and r_t of the last step of each window,
    i.e. the gates while the network reads that hour, just before it forecasts the next one."""
    if getattr(model, "cell", None) != "gru":
        raise ValueError(
            f"gate_week needs a GRU forecaster, got cell {getattr(model, 'cell', None)!r}."
        )
    first_row = _checks.index("first_row", first_row)
    hours = _checks.positive_int("hours", hours)
    rows = np.arange(first_row, first_row + hours)
    x, _ = prep.windows(rows + 1)  # the window for target row r + 1 ends with row r
    model.eval()
    with torch.no_grad():
        _, gates = model(x, return_gates=True)  # each (num_layers, batch, time, hidden)
    update = gates.update[-1, :, -1].numpy()
    reset = gates.reset[-1, :, -1].numpy()
    order = np.argsort(-update.std(axis=0), kind="stable")
    return WeekGates(prep.times[rows], prep.load[rows], update, reset, order)


def unit_data(week: WeekGates, rank: int) -> dict:
    """What the gate view shows for slider position ``rank`` (0 = the unit whose z_t moves most):
    {"unit": hidden unit index, "time": (T,) local times, "load": (T,) MW, "update": (T,) z_t,
    "reset": (T,) r_t}."""
    rank = _checks.index("rank", rank)
    if not 0 <= rank < len(week.order):
        raise ValueError(f"rank must be in 0..{len(week.order) - 1}, got {rank}.")
    unit = int(week.order[rank])
    return {
        "unit": unit,
        "time": week.times,
        "load": week.load,
        "update": week.update[:, unit],
        "reset": week.reset[:, unit],
    }


def _gate_title(d: dict, rank: int) -> str:
    return f"Gates of hidden unit {d['unit'] + 1} (rank {rank + 1})"  # units numbered from 1


def gate_figure(week: WeekGates, rank: int = 0):
    """The gate view as one Plotly figure: z_t and r_t of the hidden unit at ``rank`` (0 = the
    unit whose z_t moves most; left axis, 0-1) and the load being read (right axis, MW) over the
    hours of ``week`` (from :func:`gate_week`). The numbers are :func:`unit_data`'s."""
    import plotly.graph_objects as go

    d = unit_data(week, rank)
    x = _naive(d["time"])
    data = [
        go.Scatter(
            x=x,
            y=d["load"],
            name="load read (MW, right axis)",
            yaxis="y2",
            line={"color": OKABE_ITO["grey"], "width": 1.5},
            opacity=0.7,
            hovertemplate="%{y:,.0f} MW<extra>load</extra>",
        ),
        go.Scatter(
            x=x,
            y=d["update"],
            name="update gate z_t",
            line={"color": COLORS["update"], "width": 2},
            hovertemplate="%{y:.2f}<extra>z_t</extra>",
        ),
        go.Scatter(
            x=x,
            y=d["reset"],
            name="reset gate r_t",
            line={"color": COLORS["reset"], "width": 2, "dash": "dot"},
            hovertemplate="%{y:.2f}<extra>r_t</extra>",
        ),
    ]
    layout = {
        "title": {"text": _gate_title(d, rank), "x": 0.02, "y": 0.98},
        "height": 500,
        "xaxis": {"title": {"text": "local time (Melbourne)"}},
        "yaxis": {"title": {"text": "gate value"}, "range": [0, 1]},
        "yaxis2": {
            "title": {"text": "load (MW)"},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "tickmode": "auto",
            "tickformat": ",.0f",
        },
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "margin": {"t": 100, "b": 40, "l": 70, "r": 70},
    }
    return go.Figure(data=data, layout=layout)


def static_gate_figure(week: WeekGates, ranks=None):
    """:func:`gate_figure` with a slider over the hidden units by rank (all of them when ``ranks``
    is None), computed now; step i is ``gate_figure(week, rank=ranks[i])``. The slider counts
    ranks from 1."""
    from .. import sliders

    ranks = list(range(len(week.order))) if ranks is None else list(ranks)
    return sliders.static(
        lambda r: gate_figure(week, rank=r), ranks, label="unit rank", fmt=lambda r: f"{r + 1}"
    )


def gate_explorer(week: WeekGates, rank: int = 1):
    """ipywidgets: a continuous slider over the hidden units by rank (1 = the unit whose z_t
    moves most, as on the static figure's slider) redraws :func:`gate_figure`."""
    import ipywidgets as widgets

    from .. import sliders

    rank = _checks.index("rank", rank)  # an IntSlider would silently truncate 1.5 to 1
    if not 1 <= rank <= len(week.order):
        raise ValueError(f"rank must be in 1..{len(week.order)}, got {rank}.")
    return sliders.explorer(
        lambda rank: gate_figure(week, rank=rank - 1),
        rank=widgets.IntSlider(value=rank, min=1, max=len(week.order), description="unit rank"),
    )


# ----- error by horizon (day ahead) ---------------------------------------------------------------
def error_by_horizon_figure(
    errors: dict, title: str = "Day-ahead error by horizon", ylabel: str = "sMAPE (%)"
):
    """Matplotlib: error against the forecast horizon (1 = the first hour after the window), one
    line per entry of ``errors`` ({name: sequence of 24 values, horizon 1 first})."""
    lines = {n: (np.arange(1, len(e) + 1), np.asarray(e, dtype=float)) for n, e in errors.items()}
    fig, ax = _error_lines(lines, ylabel, title, ncol=4)
    ax.set_xticks([1, 6, 12, 18, 24])
    ax.set_xlabel("horizon (hours after the last known hour)")
    fig.tight_layout()
    return fig


def learning_curves_figure(runs: list, tasks=("hour", "day"), titles=None):
    """Matplotlib: the validation sMAPE of every run against the optimiser steps, one panel per
    task; ``runs`` are the dicts of :attr:`grubook.energy.study.Results.runs`. Runs kept for the
    comparison are solid, learning rates tried and not kept are thin and dotted; a dot marks the
    step whose weights each run kept. The y axis is logarithmic: the networks that correct the
    linear model sit far below the others."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullFormatter

    from ..energy.study import ISSUE_HOUR

    titles = titles or {
        "hour": "one hour ahead",
        "day": f"day ahead (issued at {ISSUE_HOUR:02d}:00)",
    }
    fig, axes = plt.subplots(1, len(tasks), figsize=(9, 4.2), sharey=False)
    for ax, task in zip(np.atleast_1d(axes), tasks):
        seen = set()
        for r in runs:
            if r["task"] != task:
                continue
            s = _style(r["model"])
            final = r["final"]
            label = None
            if final and r["model"] not in seen:
                label = r["model"]
                seen.add(label)
            ax.plot(
                r["steps"],
                r["val_smape"],
                color=s["color"],
                ls=MPL_DASH[s["dash"]] if final else ":",
                lw=1.4 if final else 0.8,
                alpha=0.9 if final else 0.6,
                label=label,
            )
            best = int(np.argmin(r["val_smape"]))
            ax.plot(r["steps"][best], r["val_smape"][best], "o", color=s["color"], ms=3)
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(FixedLocator([0.5, 0.7, 1, 1.5, 2, 3, 4, 5, 6, 8]))
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("optimiser steps")
        ax.set_title(titles.get(task, task))
        ax.grid(True, which="both", alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("validation sMAPE (%), log scale")
    handles, labels = np.atleast_1d(axes)[0].get_legend_handles_labels()
    fig.legend(handles, labels, ncol=4, fontsize=9, loc="lower center", frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
