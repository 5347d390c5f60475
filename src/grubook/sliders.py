"""One figure function per view, two drivers.

Every interactive view in the book is one *figure function* in ``grubook.views``: it takes the
slider values as keyword arguments, runs the real ``grubook`` model, and returns a whole Plotly
figure. Nothing else draws that view. Two drivers put sliders in front of it:

- :func:`static`, for the published site: it calls the figure function at every slider position
  when the page is built and stores what changes between the figures (trace data, and layout
  such as a title or a marker line) as the steps of a Plotly slider, so a reader can drag it with
  no kernel at all;
- :func:`live`, for a running kernel (Colab, Binder, Live Code, local Jupyter): ipywidgets
  controls that call the same figure function on every move and show the figure it returns.

Tests check that step ``i`` of a static figure equals the figure function at ``values[i]``
(:func:`step_figure` rebuilds it).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence

# what a slider step never changes: the trace's kind and plotly's bookkeeping
_FIXED_TRACE_KEYS = ("type", "uid")
_FIXED_LAYOUT_KEYS = ("sliders", "template", "updatemenus")


def _plain(value):
    """Numpy arrays, tensors and plotly's base64 typed arrays (``{"dtype", "bdata", "shape"}``)
    become nested lists, so steps compare and replay as plain JSON arrays."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        import base64

        import numpy as np

        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        if isinstance(shape, str):
            shape = [int(n) for n in shape.split(",")]
        return (array.reshape(shape) if shape else array).tolist()
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def figure_dict(fig) -> dict:
    """A Plotly figure (or its dict) as plain JSON-ready ``{"data": [...], "layout": {...}}``."""
    d = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else dict(fig)
    d = _plain(d)
    return {"data": list(d.get("data") or []), "layout": dict(d.get("layout") or {})}


def _flatten(d: dict, skip=(), prefix: str = "") -> dict:
    """Nested dicts as dotted paths (``{"marker": {"color": c}}`` -> ``{"marker.color": c}``);
    lists are leaves, as plotly.js's ``restyle`` and ``relayout`` take them."""
    flat = {}
    for key, value in d.items():
        if not prefix and key in skip:
            continue
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, (), path + "."))
        else:
            flat[path] = value
    return flat


def _same(a, b) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def static(
    figure: Callable[[object], object],
    values: Sequence,
    *,
    label: str,
    fmt: Callable[[object], str] | str = "{:g}",
    initial: int = 0,
):
    """The static driver: one Plotly figure whose slider switches between ``figure(v)`` for every
    ``v`` in ``values``, all computed now.

    figure(value) -> ``plotly.graph_objects.Figure`` with the same number and kinds of traces for
    every value. values: the slider positions. label: the slider's name, shown with the current
    value. fmt: a format string or function for the step labels. initial: the index of the step
    the figure opens at.

    Returns a ``plotly.graph_objects.Figure`` equal to ``figure(values[initial])`` plus one slider;
    step ``i`` holds every trace attribute and layout entry in which ``figure(values[i])``
    differs from the other steps (:func:`step_data`, :func:`step_layout`).
    """
    import plotly.graph_objects as go

    values = list(values)
    if not values:
        raise ValueError("values must hold at least one slider position, got an empty sequence.")
    if isinstance(initial, bool) or not isinstance(initial, int) or not 0 <= initial < len(values):
        raise ValueError(f"initial must index values (0..{len(values) - 1}), got {initial!r}.")
    if not isinstance(label, str) or not label:
        raise ValueError(f"label must be a non-empty string naming the slider, got {label!r}.")
    label_of = fmt.format if isinstance(fmt, str) else fmt
    figs = [figure_dict(figure(v)) for v in values]
    kinds = [[t.get("type", "scatter") for t in f["data"]] for f in figs]
    for v, k in zip(values, kinds):
        if k != kinds[0]:
            raise ValueError(
                "figure must return the same traces (number and kinds) for every value: "
                f"{kinds[0]} for {values[0]!r} but {k} for {v!r}."
            )
    traces = [[_flatten(t, _FIXED_TRACE_KEYS) for t in f["data"]] for f in figs]
    layouts = [_flatten(f["layout"], _FIXED_LAYOUT_KEYS) for f in figs]

    def varying(dicts):  # the keys whose value is not the same in every step
        keys = sorted({k for d in dicts for k in d})
        return [k for k in keys if not all(_same(d.get(k), dicts[0].get(k)) for d in dicts)]

    data_keys = sorted({k for i in range(len(kinds[0])) for k in varying([t[i] for t in traces])})
    layout_keys = varying(layouts)
    steps = []
    for v, step_traces, step_layout_ in zip(values, traces, layouts):
        data = {k: [t.get(k) for t in step_traces] for k in data_keys}
        args = [data, {k: step_layout_.get(k) for k in layout_keys}] if layout_keys else [data]
        method = "update" if layout_keys else "restyle"
        steps.append({"method": method, "args": args, "label": label_of(v)})
    out = go.Figure(figs[initial])
    slider = {
        "active": initial,
        "currentvalue": {"prefix": f"{label} = ", "font": {"size": 14}},
        "pad": {"t": 50},
        "steps": steps,
    }
    out.update_layout(sliders=[slider])
    return out


def step_data(fig, index: int) -> dict:
    """The trace data stored in step ``index`` of a figure made by :func:`static`: dotted
    attribute -> one value per trace."""
    return fig.layout.sliders[0].steps[index].args[0]


def step_layout(fig, index: int) -> dict:
    """The layout entries stored in step ``index`` of a figure made by :func:`static` (empty when
    only trace data changes)."""
    args = fig.layout.sliders[0].steps[index].args
    return args[1] if len(args) > 1 else {}


def step_figure(fig, index: int) -> dict:
    """What a reader sees at step ``index`` of a static figure, rebuilt in Python as plotly.js
    does it: the figure's data and layout with the step's changes applied. Returns the plain dict
    of :func:`figure_dict`, without the slider, so a test can compare it with the figure function.
    """
    d = figure_dict(fig)
    d["layout"].pop("sliders", None)
    for key, per_trace in step_data(fig, index).items():
        for trace, value in zip(d["data"], per_trace):
            _set(trace, key, value)
    for key, value in step_layout(fig, index).items():
        _set(d["layout"], key, value)
    return d


def _set(d: dict, dotted: str, value) -> None:
    """Set (or, for None, remove) a dotted attribute, as plotly.js's restyle/relayout do; removing
    one that is not there leaves no empty parent behind."""
    *parents, last = dotted.split(".")
    for part in parents:
        if value is None and not isinstance(d.get(part), dict):
            return
        d = d.setdefault(part, {})
    if value is None:
        d.pop(last, None)
    else:
        d[last] = copy.deepcopy(value)


def same_figure(a, b) -> bool:
    """True when two figures (or figure dicts) hold the same traces and layout, ignoring sliders
    and the template (what :func:`step_figure` leaves out)."""

    def norm(f):
        d = figure_dict(f)
        d["layout"] = {
            k: v for k, v in _flatten(d["layout"], _FIXED_LAYOUT_KEYS).items() if v is not None
        }
        d["data"] = [
            {k: v for k, v in _flatten(t, ("uid",)).items() if v is not None} for t in d["data"]
        ]
        return d

    return _same(norm(a), norm(b))


def explorer(figure: Callable[..., object], **controls):
    """The explorer: ipywidgets ``controls`` (``FloatSlider``, ``IntSlider``, ``Dropdown``...)
    keyed by ``figure``'s keyword arguments; every move calls ``figure(**values)`` and shows the
    Plotly figure it returns, in place of the last one.

    Returns an ``ipywidgets.VBox`` (the controls, then an ``Output`` with the figure) with three
    extra attributes: ``controls`` (the dict given), ``output`` and ``figure``, the figure now
    shown. Set a control's ``value`` from code and ``figure`` follows.
    """
    import ipywidgets as widgets

    if not controls:
        raise ValueError("explorer needs at least one control, e.g. z=ipywidgets.FloatSlider(...).")
    for name, control in controls.items():
        if not isinstance(control, widgets.ValueWidget):
            raise TypeError(
                f"control {name!r} must be an ipywidgets control with a value (FloatSlider, "
                f"IntSlider, Dropdown...), got {type(control).__name__}."
            )
    output = widgets.Output()
    box = widgets.VBox([widgets.HBox(list(controls.values())), output])
    box.controls, box.output, box.figure = controls, output, None

    def redraw(_change=None):
        box.figure = figure(**{name: c.value for name, c in controls.items()})
        from IPython import get_ipython

        if get_ipython() is None:  # plain Python (a test): nothing to show the figure in
            return
        from IPython.display import display

        with output:
            output.clear_output(wait=True)
            display(box.figure)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return box
