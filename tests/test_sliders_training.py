"""The two slider drivers (static steps, live ipywidgets) and the shared training loop."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from grubook import sliders
from grubook.plotting import figure_html
from grubook.training import SequenceModel, train


def figure(a):
    """A two-trace figure whose data and title depend on a, and whose axis title does not."""
    fig = go.Figure([go.Scatter(x=np.arange(4), y=a * np.arange(4.0)), go.Heatmap(z=a * np.eye(2))])
    fig.update_layout(title={"text": f"a = {a}"}, xaxis={"title": {"text": "step"}})
    return fig


def test_static_steps_equal_the_figure_function():
    values = [0.5, 1.0, 2.0]
    fig = sliders.static(figure, values, label="a", initial=1)
    assert len(fig.layout.sliders[0].steps) == 3 and fig.layout.sliders[0].active == 1
    assert fig.layout.sliders[0].steps[2].label == "2"
    assert sliders.same_figure(fig, figure(1.0))  # it opens at the initial step
    for i, a in enumerate(values):
        assert sliders.same_figure(sliders.step_figure(fig, i), figure(a))
        assert not sliders.same_figure(sliders.step_figure(fig, i), figure(a + 1))
        np.testing.assert_allclose(sliders.step_data(fig, i)["z"][1], a * np.eye(2))
        assert sliders.step_layout(fig, i) == {"title.text": f"a = {a}"}  # only what changes
    assert "x" not in sliders.step_data(fig, 0)  # the same in every step: stored once


def test_a_key_that_only_some_traces_have_rebuilds_exactly():
    def two(a):  # marker.color varies on the scatter; the heat map has no marker at all
        return go.Figure(
            [go.Scatter(y=[1, 2], marker={"color": ["red", "blue"][a]}), go.Heatmap(z=[[a]])]
        )

    fig = sliders.static(two, [0, 1], label="a")
    assert sliders.step_data(fig, 1)["marker.color"] == ["blue", None]
    for a in (0, 1):
        assert sliders.same_figure(sliders.step_figure(fig, a), two(a))
        assert "marker" not in sliders.step_figure(fig, a)["data"][1]


def test_static_without_layout_changes_restyles_only():
    fig = sliders.static(lambda a: go.Figure(go.Bar(y=[a, 2 * a])), [1, 2], label="a")
    assert fig.layout.sliders[0].steps[1].method == "restyle"
    assert sliders.step_layout(fig, 1) == {}


def test_static_rejects_changing_traces_and_bad_arguments():
    with pytest.raises(ValueError, match="same traces"):
        sliders.static(lambda a: go.Figure([go.Scatter(y=[1])] * a), [1, 2], label="a")
    with pytest.raises(ValueError, match="same traces"):
        sliders.static(
            lambda a: go.Figure(go.Bar(y=[1]) if a else go.Scatter(y=[1])), [0, 1], label="a"
        )
    with pytest.raises(ValueError, match="at least one slider position"):
        sliders.static(figure, [], label="a")
    with pytest.raises(ValueError, match="initial must index values"):
        sliders.static(figure, [1, 2], label="a", initial=2)
    with pytest.raises(ValueError, match="label must be a non-empty string"):
        sliders.static(figure, [1, 2], label="")


def test_figure_html_draws_with_page_plotly_and_falls_back_to_cdn():
    html = figure_html(go.Figure(go.Scatter(y=[1, 2])))
    assert "window.Plotly" in html and "Plotly.newPlot" in html and "cdn.plot.ly" in html
    assert html == figure_html(
        go.Figure(go.Scatter(y=[1, 2]))
    )  # stable id: cache-friendly rebuilds


def test_live_redraws_the_same_figure_function():
    import ipywidgets as w

    box = sliders.explorer(figure, a=w.FloatSlider(value=0.3, min=0, max=1, step=0.01))
    assert sliders.same_figure(box.figure, figure(0.3))
    box.controls["a"].value = 0.7  # moving the control calls the figure function again
    assert sliders.same_figure(box.figure, figure(0.7))
    assert isinstance(box.children[-1], w.Output)


def test_live_rejects_missing_or_wrong_controls():
    with pytest.raises(ValueError, match="at least one control"):
        sliders.explorer(figure)
    with pytest.raises(TypeError, match="control 'a' must be an ipywidgets control"):
        sliders.explorer(figure, a=0.5)


def test_train_reduces_loss_and_stops_early():
    torch.manual_seed(0)
    model = SequenceModel("gru", 2, 8, 1)

    def batch(gen):  # recall the first input of the sequence
        x = torch.randn(32, 5, 2, generator=gen)
        return x, x[:, 0, :1]

    hist = train(
        model,
        batch,
        torch.nn.functional.mse_loss,
        steps=300,
        lr=1e-2,
        evaluate=lambda m: 0.0,
        eval_every=50,
        stop_when=lambda r: False,
    )
    assert np.mean(hist.loss[-20:]) < 0.2 * np.mean(hist.loss[:20])
    stopped = train(
        SequenceModel("lstm", 2, 4, 1),
        batch,
        torch.nn.functional.mse_loss,
        steps=100,
        evaluate=lambda m: 1.0,
        eval_every=10,
        stop_when=lambda r: r > 0.5,
    )
    assert len(stopped.loss) == 10 and stopped.eval_step == [10]


def test_sequence_model_shapes_and_gates():
    per_step = SequenceModel("gru", 2, 6, 1, per_step=True)
    y, gates = per_step(torch.randn(3, 9, 2), return_gates=True)
    assert y.shape == (3, 9, 1) and gates.update.shape == (1, 3, 9, 6)
    assert SequenceModel("rnn", 2, 6, 4)(torch.randn(3, 9, 2)).shape == (3, 4)
    with pytest.raises(ValueError, match="needs a gated cell"):
        SequenceModel("rnn", 2, 6, 4)(torch.randn(3, 9, 2), return_gates=True)


def test_hidden_size_for_budget_finds_the_closest_count():
    import grubook
    from grubook.training import hidden_size_for_budget

    def lstm(h):
        return grubook.count_parameters(grubook.LSTM(2, h))

    budget = grubook.count_parameters(grubook.GRU(2, 16))  # 960
    best = hidden_size_for_budget(budget, lstm)
    assert all(abs(lstm(best) - budget) <= abs(lstm(h) - budget) for h in range(1, 64))
    assert hidden_size_for_budget(10**6, lstm) > 256  # no fixed ceiling on the search
    with pytest.raises(ValueError, match="n_params must be a positive integer"):
        hidden_size_for_budget(0, lstm)
