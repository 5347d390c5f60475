"""Chapter 4 view: keep and write fractions of a GRU and an LSTM on the same inputs; every static
step and the live explorer are the view's one figure function."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_views_gates import assert_steps_are_the_figure

import grubook
from grubook import sliders
from grubook.tasks.memory import adding_batch
from grubook.training import SequenceModel
from grubook.views import lstm_compare as lc

LENGTH = 8


@pytest.fixture(scope="module")
def models():
    torch.manual_seed(0)
    return SequenceModel("gru", 2, 5, 1), SequenceModel("lstm", 2, 4, 1)


@pytest.fixture(scope="module")
def x():
    return adding_batch(3, LENGTH, generator=torch.Generator().manual_seed(1))[0]


def test_gru_keep_is_z_and_keep_plus_write_is_one(models, x):
    gru, _ = models
    d = lc.gate_fractions(gru, x)
    assert d["cell"] == "gru"
    assert d["keep"].shape == d["write"].shape == (3, LENGTH, 5)
    assert d["marked"].shape == (3, LENGTH) and d["marked"].sum() == 6
    np.testing.assert_allclose(d["keep"] + d["write"], 1.0, atol=1e-6)
    # the keep fraction is the update gate of the readable cell, stepped by hand
    cell = grubook.GRUCell(2, 5)
    cell.load_state_dict({k.removesuffix("_l0"): v for k, v in gru.rnn.state_dict().items()})
    h = None
    with torch.no_grad():
        for t in range(LENGTH):
            h, gates = cell.step(x[:, t], h)
            np.testing.assert_allclose(d["keep"][:, t], gates.update.numpy(), atol=1e-6)
        np.testing.assert_allclose(d["prediction"], gru.head(h)[:, 0].numpy(), atol=1e-6)


def test_lstm_keep_is_f_and_write_is_i_from_the_cell(models, x):
    _, lstm = models
    d = lc.gate_fractions(lstm, x)
    assert d["cell"] == "lstm" and d["keep"].shape == (3, LENGTH, 4)
    cell = grubook.LSTMCell(2, 4)
    cell.load_state_dict({k.removesuffix("_l0"): v for k, v in lstm.rnn.state_dict().items()})
    state = None
    with torch.no_grad():
        for t in range(LENGTH):
            state, gates = cell.step(x[:, t], state)
            np.testing.assert_allclose(d["keep"][:, t], gates.forget.numpy(), atol=1e-6)
            np.testing.assert_allclose(d["write"][:, t], gates.input.numpy(), atol=1e-6)
    # independent gates: keep + write is not tied to 1
    assert np.abs(d["keep"] + d["write"] - 1).max() > 0.05


def test_keep_write_step_slices_the_batch(models, x):
    gru, lstm = models
    g, l = lc.gate_fractions(gru, x), lc.gate_fractions(lstm, x)
    d = lc.keep_write_step(gru, lstm, x, index=2, t=4)
    np.testing.assert_allclose(d["gru_keep"], g["keep"][2, 3], atol=1e-6)
    np.testing.assert_allclose(d["lstm_write"], l["write"][2, 3], atol=1e-6)
    assert d["marked"] == [int(s) + 1 for s in np.flatnonzero(g["marked"][2])]
    assert d["is_marked"] == (4 in d["marked"])
    assert d["target"] == pytest.approx(float(x[2, np.array(d["marked"]) - 1, 0].sum()))
    assert d["gru_prediction"] == pytest.approx(float(g["prediction"][2]), abs=1e-6)


def test_keep_write_figure_shows_the_data_function(models, x):
    gru, lstm = models
    fig = lc.keep_write_figure(gru, lstm, x, index=1, t=3)
    d = lc.keep_write_step(gru, lstm, x, 1, 3)
    np.testing.assert_allclose(fig.data[0].y, d["value"], atol=1e-7)
    assert list(fig.data[1].x) == [3, 3]
    np.testing.assert_allclose(fig.data[3].x, d["gru_keep"], atol=1e-6)
    np.testing.assert_allclose(fig.data[3].y, d["gru_write"], atol=1e-6)
    np.testing.assert_allclose(fig.data[5].x, d["lstm_keep"], atol=1e-6)
    np.testing.assert_allclose(fig.data[5].y, d["lstm_write"], atol=1e-6)
    assert fig.layout.title.text.startswith("Step 3 ")


def test_static_steps_are_the_figure_function(models, x):
    gru, lstm = models
    fig = lc.static_keep_write_figure(gru, lstm, x, index=1)
    first_marker = lc.keep_write_step(gru, lstm, x, 1, 1)["marked"][0]
    assert fig.layout.sliders[0].active == first_marker - 1
    assert_steps_are_the_figure(
        fig, range(1, LENGTH + 1), lambda t: lc.keep_write_figure(gru, lstm, x, index=1, t=t)
    )


def test_explorer_redraws_the_figure_function(models, x):
    gru, lstm = models
    box = lc.keep_write_explorer(gru, lstm, x)
    before = box.figure
    assert sliders.same_figure(before, lc.keep_write_figure(gru, lstm, x, index=0, t=1))
    box.controls["t"].value = 5
    assert sliders.same_figure(box.figure, lc.keep_write_figure(gru, lstm, x, index=0, t=5))
    assert not sliders.same_figure(box.figure, before)
    box.controls["index"].value = 2
    assert sliders.same_figure(box.figure, lc.keep_write_figure(gru, lstm, x, index=2, t=5))
    assert all(c.continuous_update for c in box.controls.values())


def test_keep_write_cloud_draws(models, x):
    gru, lstm = models
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    lc.draw_keep_write_cloud(axes, lc.gate_fractions(gru, x), lc.gate_fractions(lstm, x))
    assert [ax.get_title() for ax in axes] == ["GRU", "LSTM"]
    plt.close(fig)


def test_bad_arguments(models, x):
    gru, lstm = models
    with pytest.raises(ValueError, match="cell 'gru' or 'lstm'"):
        lc.gate_fractions(SequenceModel("rnn", 2, 3, 1), x)
    with pytest.raises(ValueError, match=r"\(batch, length, 2\)"):
        lc.gate_fractions(gru, x[0])
    with pytest.raises(ValueError, match="GRU model first"):
        lc.keep_write_step(lstm, gru, x, 0, 1)
    with pytest.raises(ValueError, match="index"):
        lc.keep_write_step(gru, lstm, x, 3, 1)
    with pytest.raises(ValueError, match="t must be a step"):
        lc.keep_write_step(gru, lstm, x, 0, LENGTH + 1)
