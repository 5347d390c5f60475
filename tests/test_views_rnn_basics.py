"""Chapter 1 views: the hidden-state trajectory data function and its static and live wrappers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from grubook.sliders import KERNEL_NOTE, step_data
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


def test_static_figure_steps_equal_the_data_function():
    radii, amplitudes, units = (0.5, 1.0, 2.5), (0.5, 8.0), 3
    fig = rb.static_trajectory_figure(radii, amplitudes, units=units, steps=25)
    steps = fig.layout.sliders[0].steps
    assert len(steps) == len(radii)
    assert [s.label for s in steps] == ["0.5", "1", "2.5"]
    for k, radius in enumerate(radii):
        data = step_data(fig, k)
        assert len(data["y"]) == len(amplitudes) * units
        for r, amplitude in enumerate(amplitudes):
            expected = rb.hidden_trajectory(radius, amplitude, steps=25)
            for i in range(units):
                np.testing.assert_allclose(
                    data["y"][r * units + i], expected["h"][:, i], rtol=0, atol=0
                )
                np.testing.assert_array_equal(data["x"][r * units + i], expected["time"])
    # the figure opens on radius 1
    assert fig.layout.sliders[0].active == 1
    np.testing.assert_array_equal(
        fig.data[0].y, rb.hidden_trajectory(1.0, 0.5, steps=25)["h"][:, 0]
    )


def test_unrolled_diagram_draws():
    import matplotlib.pyplot as plt

    fig = rb.unrolled_diagram(steps=3)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "$x_{1}$" in texts and "$h_{T}$" in texts and "$h_0$" in texts
    plt.close(fig)


def test_live_view_has_both_sliders_and_the_kernel_note():
    import matplotlib.pyplot as plt

    box = rb.live_view()
    controls = [c.description for c in box.children[0].children[:-1]]
    assert controls == ["ρ of U", "input"]
    assert KERNEL_NOTE in box.children[-1].value
    plt.close("all")
