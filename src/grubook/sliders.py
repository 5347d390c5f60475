"""Two kinds of slider, one source of numbers.

Every interactive view in the book is three small pieces:

1. a *data function* in ``grubook.views`` that computes what the view shows for one slider value,
   by running the real ``grubook`` model (never a second copy of the equations);
2. a *live* wrapper, :func:`live`, that puts ipywidgets sliders in front of a drawing function and
   recomputes through the data function when a kernel is running (Binder, Colab, Jupyter);
3. a *static* wrapper, :func:`static_slider`, that evaluates the data function at every slider value
   when the page is built and stores the results as the steps of a Plotly slider, so a reader of the
   published site can drag it with no kernel at all.

Tests check that the steps stored in a static figure equal what the data function (and so the live
view) computes for the same slider value.
"""

from __future__ import annotations

from typing import Callable, Sequence

# The sentence shown next to every live widget on the static site.
KERNEL_NOTE = (
    "The sliders above run Python: they respond in a live notebook (Binder, Colab or your own "
    "Jupyter). On the static website they cannot recompute; use the Plotly figure with its own "
    "slider, computed when the page was built by the same function."
)

# trace attributes that a slider step may change
DATA_KEYS = ("x", "y", "z", "text", "customdata", "marker.color", "marker.size", "width", "base")


def _plain(value):
    """Numpy arrays and tensors become nested lists: slider steps are replayed by plotly.js's
    ``restyle``, which expects plain JSON arrays."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _trace_dict(trace) -> dict:
    d = trace.to_plotly_json() if hasattr(trace, "to_plotly_json") else dict(trace)
    return _plain(d)


def _get(d: dict, dotted: str):
    for part in dotted.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def static_slider(
    make_traces: Callable[[object], Sequence],
    values: Sequence,
    *,
    label: str,
    fmt: Callable[[object], str] | str = "{:g}",
    initial: int = 0,
    layout: dict | None = None,
    layout_for: Callable[[object], dict] | None = None,
):
    """A Plotly figure whose slider switches between precomputed versions of the same traces.

    make_traces(value) -> list of Plotly traces (``go.Scatter``, ``go.Heatmap``, ...) with the same
    number and kinds of traces for every value; only their data (x, y, z, text, marker colours)
    changes between steps. values: the slider positions. label: the slider's name, shown with the
    current value. fmt: a format string or function for the step labels. layout_for(value), if
    given, returns layout changes for that step (a title, an annotation text).

    Returns a ``plotly.graph_objects.Figure``; each step's data is in
    ``fig.layout.sliders[0].steps[i].args[0]``.
    """
    import plotly.graph_objects as go

    values = list(values)
    if not values:
        raise ValueError("values must hold at least one slider position, got an empty sequence.")
    if not 0 <= initial < len(values):
        raise ValueError(f"initial must index values (0..{len(values) - 1}), got {initial}.")
    label_of = fmt.format if isinstance(fmt, str) else fmt
    per_value = [[_trace_dict(t) for t in make_traces(v)] for v in values]
    n_traces = len(per_value[0])
    for v, traces in zip(values, per_value):
        if len(traces) != n_traces:
            raise ValueError(
                f"make_traces must return the same number of traces for every value: {n_traces} for "
                f"{values[0]!r} but {len(traces)} for {v!r}."
            )
    keys = [k for k in DATA_KEYS if any(_get(t, k) is not None for t in per_value[0])]
    steps = []
    for v, traces in zip(values, per_value):
        data_update = {k: [_get(t, k) for t in traces] for k in keys}
        if layout_for is None:
            steps.append({"method": "restyle", "args": [data_update], "label": label_of(v)})
        else:
            steps.append({"method": "update", "args": [data_update, layout_for(v)], "label": label_of(v)})
    fig = go.Figure(data=[go.Figure(data=per_value[initial]).data[i] for i in range(n_traces)])
    fig.update_layout(**(layout or {}))
    if layout_for is not None:
        fig.update_layout(**layout_for(values[initial]))
    fig.update_layout(
        sliders=[{
            "active": initial,
            "currentvalue": {"prefix": f"{label} = ", "font": {"size": 14}},
            "pad": {"t": 50},
            "steps": steps,
        }]
    )
    return fig


def step_data(fig, index: int) -> dict:
    """The data update stored in step ``index`` of a figure made by :func:`static_slider`."""
    return fig.layout.sliders[0].steps[index].args[0]


def live(draw: Callable[..., None], note: bool = True, **controls):
    """Live ipywidgets view: ``draw(**values)`` redraws (typically a matplotlib figure) whenever a
    control moves. controls: ipywidgets controls (``FloatSlider``...) keyed by ``draw``'s arguments.

    Returns a ``VBox`` of the controls and their output, followed by :data:`KERNEL_NOTE` as small
    HTML when ``note`` is true.
    """
    import ipywidgets as widgets

    view = widgets.interactive(draw, **controls)
    children = [view]
    if note:
        children.append(widgets.HTML(f'<p class="grubook-kernel-note"><em>{KERNEL_NOTE}</em></p>'))
    return widgets.VBox(children)
