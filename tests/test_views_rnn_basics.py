"""Chapter 1 views: the hidden-state trajectory data and figure functions, and their static and
live drivers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_views_gates import assert_steps_are_the_figure

from grubook import sliders
from grubook.views import rnn_basics as rb


def test_scale_spectral_radius_sets_the_radius():
    torch.manual_seed(0)
    U = torch.randn(8, 8, dtype=torch.float64)
    for radius in (0.3, 1.0, 2.5):
        scaled = rb.scale_spectral_radius(U, radius)
        assert torch.linalg.eigvals(scaled).abs().max().item() == pytest.approx(radius)


def test_trajectory_rnn_has_zero_biases_and_the_requested_radius():
    rnn = rb.trajectory_rnn(1.3)
    assert torch.count_nonzero(rnn.bias_ih_l0) == 0 and torch.count_nonzero(rnn.bias_hh_l0) == 0
    assert torch.linalg.eigvals(rnn.weight_hh_l0.detach()).abs().max().item() == pytest.approx(1.3)


def test_hidden_trajectory_shapes_and_input():
    d = rb.hidden_trajectory(1.0, 2.0, steps=30, burst=5, hidden_size=8)
    assert d["time"].shape == (30,) and d["x"].shape == (30,) and d["rms"].shape == (30,)
    assert d["h"].shape == (30, 8)
    np.testing.assert_array_equal(d["time"], np.arange(1, 31))
    assert np.all(d["x"][:5] == 2.0) and np.all(d["x"][5:] == 0.0)
    assert np.all(np.abs(d["h"]) < 1.0)  # tanh keeps every unit in (-1, 1)


def test_hidden_trajectory_is_deterministic():
    a, b = rb.hidden_trajectory(1.2, 3.0), rb.hidden_trajectory(1.2, 3.0)
    np.testing.assert_array_equal(a["h"], b["h"])


def test_small_radius_fades_and_large_radius_does_not():
    assert rb.hidden_trajectory(0.5, 2.0)["rms"][-1] < 1e-6
    assert rb.hidden_trajectory(1.5, 2.0)["rms"][-1] > 0.3
    assert rb.hidden_trajectory(2.5, 2.0)["rms"][-1] > 0.5


def test_larger_input_saturates_more_during_the_burst():
    small = np.abs(rb.hidden_trajectory(1.0, 0.5)["h"][: rb.BURST]).max()
    large = np.abs(rb.hidden_trajectory(1.0, 8.0)["h"][: rb.BURST]).max()
    assert small < 0.7 and large > 0.9


def test_trajectory_figure_draws_the_data_function():
    amplitudes, units = (0.5, 8.0), 3
    fig = rb.trajectory_figure(1.5, amplitudes, units=units, steps=25)
    assert len(fig.data) == len(amplitudes) * units
    for r, amplitude in enumerate(amplitudes):
        expected = rb.hidden_trajectory(1.5, amplitude, steps=25)
        for i in range(units):
            trace = fig.data[r * units + i]
            np.testing.assert_array_equal(trace.y, expected["h"][:, i])
            np.testing.assert_array_equal(trace.x, expected["time"])
    assert "ρ = 1.5" in fig.layout.title.text
    assert fig.layout.xaxis2.title.text == "time step t"
    assert fig.layout.yaxis.title.text == "h_t, input 0.5"
    assert len(fig.layout.shapes) == 3 * len(amplitudes)  # the burst, tanh's bounds per row
    with pytest.raises(ValueError, match="amplitudes"):
        rb.trajectory_figure(1.0, ())


def test_static_figure_steps_equal_the_figure_function():
    radii, amplitudes, units = (0.5, 1.0, 2.5), (0.5, 8.0), 3
    fig = rb.static_trajectory_figure(radii, amplitudes, units=units, steps=25)
    assert_steps_are_the_figure(
        fig,
        radii,
        lambda radius: rb.trajectory_figure(radius, amplitudes, units=units, steps=25),
        ["0.5", "1", "2.5"],
    )
    assert "title.text" in sliders.step_layout(fig, 0)  # the slider changes the title too
    # the figure opens on radius 1
    assert fig.layout.sliders[0].active == 1
    assert sliders.same_figure(fig, rb.trajectory_figure(1.0, amplitudes, units=units, steps=25))


def test_unrolled_diagram_draws():
    import matplotlib.pyplot as plt

    fig = rb.unrolled_diagram(steps=3)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "$x_{1}$" in texts and "$h_{T}$" in texts and "$h_0$" in texts
    plt.close(fig)


def test_explorer_redraws_the_figure_function():
    box = rb.explorer()
    assert list(box.controls) == ["radius", "amplitude"]
    assert [c.description for c in box.controls.values()] == ["ρ of U", "input"]
    assert all(c.continuous_update for c in box.controls.values())
    assert sliders.same_figure(box.figure, rb.trajectory_figure(1.0, amplitudes=(2.0,)))
    before = box.figure
    box.controls["radius"].value = 2.5
    assert sliders.same_figure(box.figure, rb.trajectory_figure(2.5, amplitudes=(2.0,)))
    assert not sliders.same_figure(box.figure, before)
    box.controls["amplitude"].value = 8.0
    assert sliders.same_figure(box.figure, rb.trajectory_figure(2.5, amplitudes=(8.0,)))
