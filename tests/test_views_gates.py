"""Chapter 3 views: the data functions run the real GRU; the static figures hold their output."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from grubook import GRUCell
from grubook.sliders import step_data
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


def test_static_mix_and_reset_steps_equal_the_data_function():
    fig = views.static_mix_figure(r=1.0)
    for i, z in enumerate(views.GATE_VALUES):
        d = views.gate_mix(z, 1.0)
        step = step_data(fig, i)
        np.testing.assert_allclose(step["y"][0], d["h_prev"])
        np.testing.assert_allclose(step["y"][1], d["candidate"])
        np.testing.assert_allclose(step["y"][2], d["h"])
    fig = views.static_reset_figure(z=0.5)
    for i, r in enumerate(views.GATE_VALUES):
        d = views.gate_mix(0.5, r)
        step = step_data(fig, i)
        np.testing.assert_allclose(step["y"][1], d["gated_recurrent"])
        np.testing.assert_allclose(step["y"][3], d["candidate"])


def test_static_sliders_change_the_figure():
    """A slider that moves but changes nothing is a defect: every step must differ from the next."""
    for fig, trace in (
        (views.static_mix_figure(), 2),
        (views.static_reset_figure(), 3),
        (views.static_memory_figure(), 0),
    ):
        steps = fig.layout.sliders[0].steps
        for a, b in zip(steps[:-1], steps[1:]):
            assert not np.allclose(a.args[0]["y"][trace], b.args[0]["y"][trace])


def test_static_memory_steps_equal_the_data_function():
    fig = views.static_memory_figure()
    for i, z in enumerate(views.MEMORY_Z):
        d = views.memory_trace(z)
        step = step_data(fig, i)
        np.testing.assert_allclose(step["y"][0], d["retained"])
        assert step["x"][1][0] == pytest.approx(views.half_life(z))


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


def test_static_recall_steps_equal_the_data_function(recall_model):
    model, x, y = recall_model
    order = views.unit_order(model, x)
    fig = views.static_recall_figure(model, x, y, examples=range(4), order=order)
    assert len(fig.layout.sliders[0].steps) == 4
    for i in range(4):
        d = views.recall_gates(model, x, y, i, order)
        step = fig.layout.sliders[0].steps[i]
        data, layout = step.args
        np.testing.assert_allclose(data["y"][0], d["value"], atol=1e-7)
        np.testing.assert_allclose(data["z"][1], d["z"], atol=1e-7)
        np.testing.assert_allclose(data["z"][2], d["r"], atol=1e-7)
        assert layout["shapes"][0]["x0"] == d["marked"]
        assert f"{d['target']:+.2f}" in layout["title"]["text"]


def test_live_views_build(recall_model):
    model, x, y = recall_model
    import matplotlib

    matplotlib.use("Agg")
    for box in (views.live_gate_explorer(), views.live_memory(), views.live_recall(model, x, y)):
        assert "kernel" in box.children[-1].value.lower()


def test_static_recall_slider_changes_the_heat_maps(recall_model):
    model, x, y = recall_model
    fig = views.static_recall_figure(model, x, y, examples=range(3))
    steps = fig.layout.sliders[0].steps
    for a, b in zip(steps[:-1], steps[1:]):
        assert not np.allclose(a.args[0]["z"][1], b.args[0]["z"][1])
