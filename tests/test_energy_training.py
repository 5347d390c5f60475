"""Chapter 6: a tiny forecaster trains, keeps its best validation epoch, and the gate views
agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from grubook import energy as E
from grubook.sliders import step_data
from grubook.views import energy as V


@pytest.fixture(scope="module")
def prep():
    idx = pd.date_range("2013-01-01", periods=24 * 150, freq="h", tz="Australia/Melbourne")
    rng = np.random.default_rng(0)
    load = 4000 + 800 * np.sin(2 * np.pi * (idx.hour - 6) / 24) + rng.normal(0, 30, len(idx))
    df = pd.DataFrame({"load": load, "temperature": 20.0, "filled": False}, index=idx)
    return E.prepare(df, lookback=12, test_months=1, val_months=1)


@pytest.fixture(scope="module")
def trained(prep):
    torch.set_num_threads(1)
    return E.fit(prep, "gru", 8, epochs=3, windows_per_epoch=512, batch_size=64, lr=1e-2, seed=0)


def test_fit_records_epochs_and_keeps_the_best(prep, trained):
    model, res = trained
    assert len(res.val_smape) == 3 and len(res.train_seconds) == 3
    assert res.best_epoch == int(np.argmin(res.val_smape)) + 1
    assert res.n_params == E.forecast.count_parameters(model)
    rows = prep.targets("val")
    assert E.smape(E.predict(model, prep, rows), prep.load[rows]) == pytest.approx(
        min(res.val_smape), rel=1e-5
    )
    assert len(res.history.loss) == 3 * (512 // 64)


def test_fit_is_reproducible_with_a_seed(prep, trained):
    _, again = E.fit(
        prep, "gru", 8, epochs=3, windows_per_epoch=512, batch_size=64, lr=1e-2, seed=0
    )
    assert again.val_smape == pytest.approx(trained[1].val_smape)


def test_predict_carries_no_state_between_batches(prep, trained):
    """Forecasting in one batch or many gives the same numbers: every window starts from zeros."""
    model, _ = trained
    rows = prep.targets("test")[:50]
    np.testing.assert_allclose(
        E.predict(model, prep, rows, batch_size=7),
        E.predict(model, prep, rows, batch_size=50),
        rtol=1e-5,
    )


def test_timing_helpers_return_positive_seconds(prep, trained):
    model, _ = trained
    rows = prep.targets("test")[:32]
    assert E.time_inference(model, prep, rows, repeats=1) > 0
    x, y = prep.windows(rows)
    for cell in ("gru", "lstm"):
        assert E.time_training_step(E.TorchForecaster(cell, 5, 8), x, y, repeats=1) > 0
    with pytest.raises(ValueError, match="cell"):
        E.TorchForecaster("rnn", 5, 8)


def test_gate_week_static_steps_equal_the_data_function(prep, trained):
    model, _ = trained
    week = V.gate_week(model, prep, prep.split.test.start, hours=48)
    assert week.update.shape == (48, 8) and week.reset.shape == (48, 8)
    assert ((week.update > 0) & (week.update < 1)).all()
    stds = week.update.std(axis=0)[week.order]
    assert (np.diff(stds) <= 0).all()  # rank 0 is the unit whose z_t moves most
    fig = V.static_gate_figure(week, ranks=[0, 3, 7])
    for i, rank in enumerate([0, 3, 7]):
        d = V.unit_data(week, rank)
        data = step_data(fig, i)
        np.testing.assert_allclose(data["y"][1], d["update"], rtol=1e-6)
        np.testing.assert_allclose(data["y"][2], d["reset"], rtol=1e-6)
        np.testing.assert_allclose(data["y"][0], d["load"])
    # the gate at row r is the one the forecaster computes at the last step of the window for r + 1
    r = prep.split.test.start + 5
    x, _ = prep.windows(np.array([r + 1]))
    with torch.no_grad():
        _, g = model(x, return_gates=True)
    np.testing.assert_allclose(week.update[5], g.update[-1, 0, -1].numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="rank"):
        V.unit_data(week, 8)


def test_live_gate_view_and_other_figures(prep, trained):
    import matplotlib

    matplotlib.use("Agg")
    model, _ = trained
    week = V.gate_week(model, prep, prep.split.test.start, hours=24)
    box = V.live_gate_view(week)
    assert box.children[0].children[0].max == 8
    rows = prep.targets("test")[:24]
    fig = V.forecast_week_figure(prep.times[rows], prep.load[rows], {"GRU": prep.load[rows]})
    assert len(fig.data) == 2 and fig.layout.yaxis.title.text == "demand (MW)"
    err = {"GRU": E.error_by_hour(prep.times[rows], prep.load[rows], prep.load[rows])}
    assert V.error_by_hour_figure(err).axes[0].get_xlabel().startswith("hour")
    lstm, _ = E.fit(prep, "lstm", 4, epochs=1, windows_per_epoch=64, batch_size=64)
    with pytest.raises(ValueError, match="GRU"):
        V.gate_week(lstm, prep, prep.split.test.start)
