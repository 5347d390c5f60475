"""Chapter 6 views: the gate view's static steps and its live slider both equal the one figure
function, which shows the numbers of the data functions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_energy_study import table
from test_views_gates import assert_steps_are_the_figure

from grubook import energy, sliders, views
from grubook.training import SequenceModel


@pytest.fixture(scope="module")
def week():
    prep = energy.prepare(table(90), lookback=12, test_months=1, val_months=1)
    torch.manual_seed(0)  # untrained: the view must be exact, not right
    model = SequenceModel("gru", prep.features.shape[1], 6, 1)
    return views.energy.gate_week(model, prep, prep.split.test.start, hours=48)


def test_gate_figure_shows_the_unit_data(week):
    for rank in (0, 5):
        fig = views.energy.gate_figure(week, rank=rank)
        d = views.energy.unit_data(week, rank)
        np.testing.assert_allclose(np.array(fig.data[0].y), d["load"])
        np.testing.assert_allclose(np.array(fig.data[1].y), d["update"], rtol=1e-6)
        np.testing.assert_allclose(np.array(fig.data[2].y), d["reset"], rtol=1e-6)
        assert fig.data[1].line.color == views.energy.COLORS["update"]
        assert fig.data[2].line.color == views.energy.COLORS["reset"]
        assert fig.layout.title.text == f"Gates of hidden unit {d['unit'] + 1} (rank {rank + 1})"
        assert fig.layout.yaxis2.title.text == "load (MW)"


def test_static_gate_figure_steps_equal_the_figure_function(week):
    ranks = [0, 2, 5]
    fig = views.energy.static_gate_figure(week, ranks=ranks)
    assert fig.layout.sliders[0].active == 0
    assert_steps_are_the_figure(
        fig, ranks, lambda rank: views.energy.gate_figure(week, rank=rank), ["1", "3", "6"]
    )
    assert len(views.energy.static_gate_figure(week).layout.sliders[0].steps) == 6


def test_gate_explorer_redraws_the_figure_function(week):
    box = views.energy.gate_explorer(week)
    slider = box.controls["rank"]
    assert (slider.min, slider.max, slider.continuous_update) == (1, 6, True)
    first = box.figure
    assert sliders.same_figure(first, views.energy.gate_figure(week, rank=0))
    slider.value = 4  # the slider counts from 1, like the static figure's
    assert sliders.same_figure(box.figure, views.energy.gate_figure(week, rank=3))
    assert not sliders.same_figure(box.figure, first)


def test_error_by_horizon_figure_draws_each_series():
    import matplotlib.pyplot as plt

    errors = {"linear (ridge)": np.linspace(1, 4, 24), "GRU": np.linspace(2, 5, 24)}
    fig = views.energy.error_by_horizon_figure(errors)
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == list(errors)
    np.testing.assert_allclose(lines[0].get_xdata(), np.arange(1, 25))
    np.testing.assert_allclose(lines[1].get_ydata(), errors["GRU"])
    assert lines[0].get_color() == views.energy.STYLES["linear (ridge)"]["color"]
    plt.close(fig)
