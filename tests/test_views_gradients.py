"""Chapter 2 views: gradient norms over distance for the vanilla RNN and the GRU, clipping, the
figure function and its static and live drivers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_views_gates import assert_steps_are_the_figure

from grubook import sliders
from grubook.views import gradients as gr


def test_jacobians_equal_the_product_of_step_jacobians():
    rnn = gr.rnn_with_radius(1.2, hidden_size=6)
    x = gr.input_sequences(steps=9, batch=2)
    J = gr.jacobians(rnn, x)
    assert J.shape == (10, 2, 6, 6)
    states = [h[0].detach() for h in gr.hidden_states(rnn, x)]
    U = rnn.weight_hh_l0.detach()
    for b in range(2):
        torch.testing.assert_close(J[9, b], torch.eye(6, dtype=torch.float64))
        product = torch.eye(6, dtype=torch.float64)
        for k in range(9, 2, -1):
            product = product @ torch.diag(1 - states[k][b] ** 2) @ U
        torch.testing.assert_close(J[2, b], product)


def test_hidden_states_equal_one_call_on_the_whole_sequence():
    gru = gr.gru_with_update_bias(1.0, hidden_size=5)
    x = gr.input_sequences(steps=12, batch=3)
    stepped = torch.stack([h[0] for h in gr.hidden_states(gru, x)[1:]])
    whole, _ = gru(x)
    torch.testing.assert_close(stepped, whole)


def test_rnn_norms_shape_and_distance_zero_is_identity():
    d = gr.rnn_gradient_norms(1.0, steps=40, hidden_size=8, batch=2)
    assert d["distance"].shape == d["norm"].shape == d["bound"].shape == (41,)
    assert d["norm"][0] == pytest.approx(1.0)
    assert d["radius"] == pytest.approx(1.0)


def test_rnn_norm_decays_for_small_radius_and_grows_for_large():
    small = gr.rnn_gradient_norms(0.5)["norm"]
    assert small[50] < 1e-10 and small[100] < small[50] < small[10] < 1
    # ||dh_T/dh_t|| <= ||U||_2 ** (T - t): every tanh derivative lies in (0, 1]
    spectral_norm = torch.linalg.matrix_norm(
        gr.rnn_with_radius(0.5).weight_hh_l0.detach(), ord=2
    ).item()
    assert np.all(small <= spectral_norm ** np.arange(101) * (1 + 1e-9))
    large = gr.rnn_gradient_norms(4.0)["norm"]
    assert large[100] > 1e3 and large[100] > large[50] > 1


def test_default_init_radius_and_decay():
    d = gr.rnn_gradient_norms(None)
    assert 0.4 < d["radius"] < 0.8  # uniform(+-1/sqrt(32)) init: about 1/sqrt(3)
    assert d["norm"][100] < 1e-15


def test_gru_update_bias_shift_touches_only_the_z_block():
    base, shifted = (
        gr.gru_with_update_bias(0.0, hidden_size=4),
        gr.gru_with_update_bias(2.5, hidden_size=4),
    )
    diff = (shifted.bias_ih_l0 - base.bias_ih_l0).detach()
    torch.testing.assert_close(
        diff, torch.tensor([0.0] * 4 + [2.5] * 4 + [0.0] * 4, dtype=torch.float64)
    )
    torch.testing.assert_close(shifted.bias_hh_l0, base.bias_hh_l0)
    torch.testing.assert_close(shifted.weight_hh_l0, base.weight_hh_l0)


def test_gru_bias_raises_the_norm_at_distance_100():
    runs = {b: gr.gru_gradient_norms(b) for b in (0.0, 2.0, 4.0)}
    at_100 = {b: r["norm"][100] for b, r in runs.items()}
    assert at_100[2.0] > 1e6 * at_100[0.0]
    assert at_100[0.0] < at_100[2.0] < at_100[4.0] < 1.0  # mitigated, not eliminated
    assert runs[0.0]["mean_update"] < runs[2.0]["mean_update"] < runs[4.0]["mean_update"] < 1
    assert 0.4 < runs[0.0]["mean_update"] < 0.6


def test_clipping_caps_the_norm_and_keeps_the_direction():
    demo = gr.clipping_step(radius=4.0, max_norm=1.0, lr=0.1, steps=60, batch=16)
    assert demo["grad_norm"] > 1e3
    assert demo["clipped"]["grad_norm"] == pytest.approx(1.0, rel=1e-5)
    assert demo["clipped"]["step"] == pytest.approx(0.1, rel=1e-5)
    assert demo["unclipped"]["grad_norm"] == pytest.approx(demo["grad_norm"])
    assert demo["cosine"] == pytest.approx(1.0, abs=1e-9)


KW = {"steps": 30, "batch": 2}


def test_gradient_reach_figure_draws_the_data_functions():
    fig = gr.gradient_reach_figure(1.5, 2.0, **KW)
    rnn, gru = gr.rnn_gradient_norms(1.5, **KW), gr.gru_gradient_norms(2.0, **KW)
    assert len(fig.data) == 3 and fig.layout.yaxis.type == "log"
    np.testing.assert_allclose(fig.data[0].y, rnn["norm"], rtol=1e-12)
    np.testing.assert_allclose(fig.data[1].y, rnn["bound"], rtol=1e-12)
    np.testing.assert_allclose(fig.data[2].y, gru["norm"], rtol=1e-12)
    np.testing.assert_array_equal(fig.data[0].x, rnn["distance"])
    assert "ρ = 1.5" in fig.layout.title.text and "+2" in fig.layout.title.text
    alone = gr.gradient_reach_figure(None, show_gru=False, **KW)
    assert len(alone.data) == 2 and "default init" in alone.layout.title.text
    np.testing.assert_allclose(alone.data[0].y, gr.rnn_gradient_norms(None, **KW)["norm"])


def test_static_rnn_figure_steps_equal_the_figure_function():
    radii = (0.5, 1.0, 4.0)
    fig = gr.static_rnn_figure(radii, **KW)
    assert fig.layout.sliders[0].active == 1
    assert_steps_are_the_figure(
        fig, radii, lambda r: gr.gradient_reach_figure(r, show_gru=False, **KW), ["0.5", "1", "4"]
    )


def test_static_gru_figure_steps_equal_the_figure_function():
    biases = (0.0, 2.0)
    fig = gr.static_gru_figure(biases, **KW)
    shown = assert_steps_are_the_figure(
        fig, biases, lambda shift: gr.gradient_reach_figure(None, shift, **KW), ["+0", "+2"]
    )
    # the default-init RNN is the fixed reference: only the GRU's trace changes
    assert shown[0]["data"][:2] == shown[1]["data"][:2]
    assert shown[0]["data"][2]["y"] != shown[1]["data"][2]["y"]


def test_explorer_redraws_the_figure_function():
    box = gr.explorer()
    assert list(box.controls) == ["radius", "update_bias"]
    assert [c.description for c in box.controls.values()] == ["ρ of U", "z bias"]
    assert all(c.continuous_update for c in box.controls.values())
    assert sliders.same_figure(box.figure, gr.gradient_reach_figure(1.0, 0.0))
    before = box.figure
    box.controls["update_bias"].value = 3.0
    assert sliders.same_figure(box.figure, gr.gradient_reach_figure(1.0, 3.0))
    assert not sliders.same_figure(box.figure, before)
    box.controls["radius"].value = 2.0
    assert sliders.same_figure(box.figure, gr.gradient_reach_figure(2.0, 3.0))
