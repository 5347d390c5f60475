"""The shared slider helpers and the shared training loop."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from grubook.plotting import figure_html
from grubook.sliders import KERNEL_NOTE, live, static_slider, step_data
from grubook.training import SequenceModel, train


def traces(a):
    return [go.Scatter(x=np.arange(4), y=a * np.arange(4.0)), go.Heatmap(z=a * np.eye(2))]


def test_static_slider_steps_hold_every_value():
    values = [0.5, 1.0, 2.0]
    fig = static_slider(traces, values, label="a", initial=1)
    assert len(fig.layout.sliders[0].steps) == 3
    assert fig.layout.sliders[0].active == 1
    for i, a in enumerate(values):
        data = step_data(fig, i)
        assert data["y"][0] == pytest.approx(list(a * np.arange(4.0)))
        np.testing.assert_allclose(data["z"][1], a * np.eye(2))
    # the figure starts at the initial step's data
    assert list(fig.data[0].y) == pytest.approx(list(1.0 * np.arange(4.0)))
    assert fig.layout.sliders[0].steps[2].label == "2"


def test_static_slider_layout_per_step():
    fig = static_slider(traces, [1, 2], label="a", layout_for=lambda a: {"title": {"text": f"a={a}"}})
    assert fig.layout.sliders[0].steps[1].method == "update"
    assert fig.layout.sliders[0].steps[1].args[1] == {"title": {"text": "a=2"}}
    assert fig.layout.title.text == "a=1"


def test_static_slider_rejects_changing_trace_count_and_empty_values():
    with pytest.raises(ValueError, match="same number of traces"):
        static_slider(lambda a: [go.Scatter(y=[1])] * a, [1, 2], label="a")
    with pytest.raises(ValueError, match="at least one slider position"):
        static_slider(traces, [], label="a")


def test_figure_html_draws_with_page_plotly_and_falls_back_to_cdn():
    html = figure_html(go.Figure(go.Scatter(y=[1, 2])))
    assert "window.Plotly" in html and "Plotly.newPlot" in html and "cdn.plot.ly" in html
    assert html == figure_html(go.Figure(go.Scatter(y=[1, 2])))  # stable id: cache-friendly rebuilds


def test_live_view_carries_the_kernel_note():
    import ipywidgets as w

    seen = []
    box = live(lambda a: seen.append(a), a=w.FloatSlider(value=0.3, min=0, max=1))
    assert KERNEL_NOTE in box.children[-1].value
    box.children[0].children[0].value = 0.7  # moving the slider calls the draw function again
    assert seen[-1] == pytest.approx(0.7)


def test_train_reduces_loss_and_stops_early():
    torch.manual_seed(0)
    model = SequenceModel("gru", 2, 8, 1)

    def batch(gen):  # recall the first input of the sequence
        x = torch.randn(32, 5, 2, generator=gen)
        return x, x[:, 0, :1]

    hist = train(model, batch, torch.nn.functional.mse_loss, steps=300, lr=1e-2,
                 evaluate=lambda m: 0.0, eval_every=50, stop_when=lambda r: False)
    assert np.mean(hist.loss[-20:]) < 0.2 * np.mean(hist.loss[:20])
    stopped = train(SequenceModel("lstm", 2, 4, 1), batch, torch.nn.functional.mse_loss, steps=100,
                    evaluate=lambda m: 1.0, eval_every=10, stop_when=lambda r: r > 0.5)
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
