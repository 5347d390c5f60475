"""Chapter 3 views: the data functions run the real GRU; every static step and the live explorer
are the view's one figure function."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from grubook import GRUCell, sliders
from grubook.plotting import GATE_SCALES
from grubook.tasks.recall import recall_batch
from grubook.training import SequenceModel
from grubook.views import gates as views


@pytest.mark.parametrize("z, r", [(0.0, 0.0), (0.3, 0.7), (0.5, 1.0), (1.0, 0.2)])
def test_gate_mix_holds_the_hand_set_gates_and_the_mix_equation(z, r):
    d = views.gate_mix(z, r)
    np.testing.assert_allclose(d["z"], z, atol=1e-12)
    np.testing.assert_allclose(d["r"], r, atol=1e-12)
    # h_t = (1 - z) * candidate + z * h_{t-1}, and the two parts add up
    np.testing.assert_allclose(d["h"], (1 - z) * d["candidate"] + z * d["h_prev"], atol=1e-12)
    np.testing.assert_allclose(d["h"], d["kept"] + d["new"], atol=1e-12)
    # the candidate is tanh(input term + r * recurrent term), and lies in (-1, 1)
    np.testing.assert_allclose(d["gated_recurrent"], r * d["recurrent_term"], atol=1e-12)
    np.testing.assert_allclose(
        d["candidate"], np.tanh(d["input_term"] + d["gated_recurrent"]), atol=1e-12
    )
    assert (np.abs(d["candidate"]) < 1).all()
    # every unit of h_t lies between h_{t-1} and the candidate
    lo, hi = np.minimum(d["h_prev"], d["candidate"]), np.maximum(d["h_prev"], d["candidate"])
    assert ((d["h"] >= lo - 1e-12) & (d["h"] <= hi + 1e-12)).all()


def test_gate_values_of_a_free_cell_lie_in_zero_one():
    """Without hand-setting, the same GRUCell gives gates strictly inside (0, 1)."""
    torch.manual_seed(3)
    free = GRUCell(1, views.HIDDEN, dtype=views.DTYPE)
    _, g = free.step(
        torch.randn(5, 1, dtype=views.DTYPE), torch.randn(5, views.HIDDEN, dtype=views.DTYPE)
    )
    for gate in (g.update, g.reset):
        assert ((gate > 0) & (gate < 1)).all()


def test_hand_set_cell_does_not_touch_the_callers_random_stream():
    torch.manual_seed(11)
    a = torch.rand(3)
    torch.manual_seed(11)
    views.hand_set_cell(0.2, 0.4)
    assert torch.equal(torch.rand(3), a)


def test_gate_values_out_of_range_are_rejected():
    with pytest.raises(ValueError, match="z must be a gate value in \\[0, 1\\]"):
        views.gate_mix(1.5, 0.5)
    with pytest.raises(ValueError, match="r must be"):
        views.gate_mix(0.5, -0.1)


@pytest.mark.parametrize("z", [0.5, 0.8, 0.9, 0.99])
def test_memory_trace_is_z_to_the_k_and_the_half_life_formula(z):
    d = views.memory_trace(z, steps=50)
    np.testing.assert_allclose(d["retained"], z ** d["k"], rtol=1e-10)
    hl = views.half_life(z)
    assert hl == pytest.approx(math.log(0.5) / math.log(z))
    assert z**hl == pytest.approx(0.5)
    assert d["half_life"] == hl


def test_half_life_edges():
    assert views.half_life(0.0) == 0.0
    assert views.half_life(1.0) == math.inf
    assert views.half_life(0.5) == pytest.approx(1.0)


@pytest.fixture(scope="module")
def recall_model():
    torch.manual_seed(0)
    model = SequenceModel("gru", 2, 8, 1)
    x, y, _ = recall_batch(6, 10, generator=torch.Generator().manual_seed(0))
    return model, x, y


def test_recall_gates_shapes_and_ranges(recall_model):
    model, x, y = recall_model
    d = views.recall_gates(model, x, y, 2)
    assert d["z"].shape == (8, 10) and d["r"].shape == (8, 10)
    for g in (d["z"], d["r"]):
        assert ((g > 0) & (g < 1)).all()
    assert d["marked"] == int(x[2, :, 1].argmax()) + 1
    assert d["target"] == pytest.approx(float(y[2, 0]))
    np.testing.assert_allclose(d["value"], x[2, :, 0].numpy())
    with torch.no_grad():
        _, gates = model(x, return_gates=True)  # the same numbers from the whole batch
    np.testing.assert_allclose(d["z"], gates.update[0, 2].T.numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="index must be in 0..5"):
        views.recall_gates(model, x, y, 6)


def test_unit_order_is_a_permutation_and_reorders_rows(recall_model):
    model, x, y = recall_model
    order = views.unit_order(model, x)
    assert sorted(order.tolist()) == list(range(8))
    plain, ordered = views.recall_gates(model, x, y, 0), views.recall_gates(model, x, y, 0, order)
    np.testing.assert_allclose(ordered["z"], plain["z"][order])
    assert ordered["units"].tolist() == (order + 1).tolist()


def assert_steps_are_the_figure(fig, values, figure, labels=None):
    """Step i of a static figure is figure(values[i]) (labelled ``labels[i]`` when given), the
    figure opens on its active step, and every move of the slider (last to first included)
    changes what is shown. Returns the steps as shown."""
    slider = fig.layout.sliders[0]
    assert len(slider.steps) == len(values)
    if labels is not None:
        assert [s.label for s in slider.steps] == labels
    shown = [sliders.step_figure(fig, i) for i in range(len(values))]
    for i, v in enumerate(values):
        assert sliders.same_figure(shown[i], figure(v)), f"step {i} ({v!r})"
    for i, a in enumerate(shown):  # a slider that moves but changes nothing is a defect
        assert not sliders.same_figure(a, shown[(i + 1) % len(shown)])
    assert sliders.same_figure(fig, shown[slider.active or 0])
    return shown


def test_gate_step_figure_shows_the_data_function():
    fig = views.gate_step_figure(z=0.3, r=0.6)
    d = views.gate_mix(0.3, 0.6)
    ys = [np.asarray(t.y) for t in fig.data]
    for y, key in zip(
        ys,
        (
            "input_term",
            "gated_recurrent",
            "recurrent_term",
            "candidate",
            "h_prev",
            "candidate",
            "h",
        ),
    ):
        np.testing.assert_allclose(y, d[key])
    assert [t.yaxis for t in fig.data] == ["y"] * 4 + ["y2"] * 3
    assert "z<sub>t</sub> = 0.30" in fig.layout.title.text


def test_static_mix_steps_are_the_figure_function():
    fig = views.static_mix_figure(r=1.0)
    assert fig.layout.sliders[0].active == views.GATE_VALUES.index(0.5)
    assert_steps_are_the_figure(fig, views.GATE_VALUES, lambda z: views.gate_step_figure(z, 1.0))
    # z does not enter the candidate: the top panel never changes, the new state does
    first, last = (
        sliders.step_data(fig, 0)["y"],
        sliders.step_data(fig, len(views.GATE_VALUES) - 1)["y"],
    )
    for trace in range(4):
        np.testing.assert_allclose(first[trace], last[trace])
    assert not np.allclose(first[6], last[6])


def test_static_reset_steps_are_the_figure_function():
    fig = views.static_reset_figure(z=0.5)
    assert_steps_are_the_figure(fig, views.GATE_VALUES, lambda r: views.gate_step_figure(0.5, r))


def test_static_memory_steps_are_the_figure_function():
    fig = views.static_memory_figure()
    assert_steps_are_the_figure(fig, views.MEMORY_Z, lambda z: views.memory_figure(z))
    for i, z in enumerate(views.MEMORY_Z):  # and the figure function shows the data function
        shown = sliders.step_figure(fig, i)
        np.testing.assert_allclose(shown["data"][0]["y"], views.memory_trace(z)["retained"])
        assert shown["data"][1]["x"][0] == pytest.approx(views.half_life(z))


def test_gate_explorer_redraws_the_figure_function():
    box = views.gate_explorer()
    assert sliders.same_figure(box.figure, views.gate_step_figure(0.5, 1.0))
    before = box.figure
    box.controls["z"].value = 0.2
    assert sliders.same_figure(box.figure, views.gate_step_figure(0.2, 1.0))
    assert not sliders.same_figure(box.figure, before)
    box.controls["r"].value = 0.4
    assert sliders.same_figure(box.figure, views.gate_step_figure(0.2, 0.4))
    assert all(c.continuous_update for c in box.controls.values())


def test_memory_explorer_redraws_the_figure_function():
    box = views.memory_explorer()
    before = box.figure
    assert sliders.same_figure(before, views.memory_figure(0.9))
    box.controls["z"].value = 0.7
    assert sliders.same_figure(box.figure, views.memory_figure(0.7))
    assert not sliders.same_figure(box.figure, before)
    assert box.controls["z"].continuous_update


def test_recall_figure_shows_the_data_function(recall_model):
    model, x, y = recall_model
    order = views.unit_order(model, x)
    fig = views.recall_figure(model, x, y, index=2, order=order)
    d = views.recall_gates(model, x, y, 2, order)
    unmarked, marked, z, r = fig.data
    assert list(marked.x) == [d["marked"]] and d["marked"] not in list(unmarked.x)
    values = dict(zip(unmarked.x, unmarked.y)) | dict(zip(marked.x, marked.y))
    np.testing.assert_allclose([values[t] for t in d["time"]], d["value"], atol=1e-7)
    np.testing.assert_allclose(np.asarray(z.z), d["z"], atol=1e-7)
    np.testing.assert_allclose(np.asarray(r.z), d["r"], atol=1e-7)
    for trace, gate in ((z, "update"), (r, "reset")):
        assert [list(c) for c in trace.colorscale] == GATE_SCALES[gate]
    assert fig.layout.shapes[0].x0 == d["marked"]
    assert f"{d['target']:+.2f}" in fig.layout.title.text


def test_static_recall_steps_are_the_figure_function(recall_model):
    model, x, y = recall_model
    order = views.unit_order(model, x)
    fig = views.static_recall_figure(model, x, y, examples=range(4), order=order, name="held-out")
    # counted from 1, as the chapter and its lab count them: x[0] is "held-out = 1"
    assert_steps_are_the_figure(
        fig,
        range(4),
        lambda i: views.recall_figure(model, x, y, index=i, order=order),
        labels=["1", "2", "3", "4"],
    )
    assert fig.layout.sliders[0].currentvalue.prefix == "held-out = "


def test_recall_explorer_redraws_the_figure_function(recall_model):
    model, x, y = recall_model
    box = views.recall_explorer(model, x, y)
    before = box.figure
    assert sliders.same_figure(before, views.recall_figure(model, x, y, index=0))
    assert box.controls["sequence"].value == 1 and box.controls["sequence"].min == 1
    box.controls["sequence"].value = 4  # counted from 1: x[3]
    assert sliders.same_figure(box.figure, views.recall_figure(model, x, y, index=3))
    assert not sliders.same_figure(box.figure, before)


def test_memory_trace_refuses_z_one_instead_of_returning_nan():
    """At z = 1 nothing is written (h_0 = 0): the retained fraction would be 0/0, so we refuse."""
    with pytest.raises(ValueError, match=r"z=1 writes nothing"):
        views.memory_trace(1.0)
    d = views.memory_trace(1 - 1e-12, steps=5)  # just below 1: written, and kept almost whole
    assert np.isfinite(d["retained"]).all() and d["retained"][-1] > 0.999
