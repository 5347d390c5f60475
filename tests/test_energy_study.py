"""Chapter 6's study tools: ridge, clock-time lags, early stopping, multi-horizon windows, the
change forecaster and paired differences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from grubook import energy as E
from grubook.training import DivergenceError


def table(days=150, start="2013-01-01", temperature=True):
    """An hourly Melbourne load (a daily cycle plus noise; seeded) from ``start``, as
    energy.prepare reads it; test_energy_training and test_views_energy use it too."""
    idx = pd.date_range(start, periods=24 * days, freq="h", tz="Australia/Melbourne")
    rng = np.random.default_rng(0)
    load = 4000 + 800 * np.sin(2 * np.pi * (idx.hour - 6) / 24) + rng.normal(0, 30, len(idx))
    df = pd.DataFrame({"load": load, "filled": False}, index=idx)
    if temperature:
        df["temperature"] = 20 + 5 * np.sin(2 * np.pi * np.arange(len(idx)) / 24)
    return df


@pytest.fixture(scope="module")
def prep():
    return E.prepare(table(), lookback=12, test_months=1, val_months=1)


# ----- ridge --------------------------------------------------------------------------------------
def test_ridge_at_alpha_zero_is_least_squares():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 6))
    y = x @ rng.normal(size=(6, 3)) + 0.5 + rng.normal(0, 0.1, (200, 3))
    w, b = E.ridge(x, y, 0.0)
    ref = np.linalg.lstsq(np.c_[x, np.ones(len(x))], y, rcond=None)[0]
    np.testing.assert_allclose(w, ref[:-1], atol=1e-10)
    np.testing.assert_allclose(b, ref[-1], atol=1e-10)
    w1, _ = E.ridge(x, y[:, 0], 0.0)  # one output as a 1-D y
    np.testing.assert_allclose(w1, ref[:-1, 0], atol=1e-10)


def test_ridge_shrinks_with_alpha():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(50, 4)), rng.normal(size=50)
    norms = [np.linalg.norm(E.ridge(x, y, a)[0]) for a in (0.0, 1.0, 100.0)]
    assert norms[0] > norms[1] > norms[2]


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: E.ridge(np.ones((3, 2)), np.ones(3), -1.0),
            ValueError,
            "alpha must be a number >= 0",
        ),
        (lambda: E.ridge(np.ones((3, 2)), np.ones(4), 1.0), ValueError, "the same n"),
        (lambda: E.ridge(np.ones(3), np.ones(3), 1.0), ValueError, r"x must be \(n, features\)"),
        (lambda: E.ridge([[1.0, np.nan]], [1.0], 1.0), ValueError, "ridge: x has 1 non-finite"),
        (lambda: E.fit_linear(table()), TypeError, "prep must be a Prepared"),
    ],
)
def test_ridge_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_fit_linear_keeps_the_best_validation_alpha(prep):
    model = E.fit_linear(prep, alphas=(1e-3, 1.0, 1e3))
    assert set(model.val_smape) == {1e-3, 1.0, 1e3}
    assert model.alpha == min(model.val_smape, key=model.val_smape.get)
    rows = prep.targets("val")
    f = E.predict(model, prep, rows)
    assert f.shape == rows.shape
    assert E.smape(f, prep.load[rows]) == pytest.approx(model.val_smape[model.alpha])
    assert E.smape(f, prep.load[rows]) < 2.0  # a sine plus noise is easy for it


def test_linear_features_shapes():
    p = E.prepare(table(), lookback=12, test_months=1, val_months=1, temperature=True)
    rows = p.targets("test", 24)
    x = E.linear_features(p, rows, 24)
    assert x.shape == (len(rows), 12 + 168 + 24)  # window, hour of the week, target temperatures
    np.testing.assert_array_equal(x[:, 12:180].sum(axis=1), 1)  # one hour of the week each


# ----- clock lags ---------------------------------------------------------------------------------
def test_seasonal_naive_lags_by_the_clock_across_daylight_saving():
    # Melbourne: clocks go back at 3 am on 7 April 2013 (a 25-hour day) and forward at 2 am on
    # 6 October 2013 (a 23-hour day)
    idx = pd.date_range("2013-03-20", "2013-10-20", freq="h", tz="Australia/Melbourne")
    load = np.arange(len(idx), dtype=float)
    for day, rows_back in (("2013-04-07 12:00", 25), ("2013-10-06 12:00", 23)):
        target = int(idx.get_loc(pd.Timestamp(day, tz="Australia/Melbourne")))
        lag = E.clock_lag(idx, np.array([target]), 1)[0]
        assert idx[lag].hour == 12 and target - lag == rows_back
        b = E.baselines(load, np.array([target]), times=idx)
        assert b["seasonal naive (24 h)"][0] == load[target - rows_back]
        assert (
            E.baselines(load, np.array([target]))["seasonal naive (24 h)"][0] == load[target - 24]
        )
    week_target = int(idx.get_loc(pd.Timestamp("2013-04-10 12:00", tz="Australia/Melbourne")))
    week_lag = E.clock_lag(idx, np.array([week_target]), 7)[0]
    assert week_target - week_lag == 169 and idx[week_lag].hour == 12


def test_clock_lag_bad_inputs():
    idx = pd.date_range("2013-01-01", periods=48, freq="h", tz="Australia/Melbourne")
    with pytest.raises(ValueError, match="needs 1 day"):
        E.clock_lag(idx, np.array([5]), 1)
    with pytest.raises(TypeError, match="times must be a pandas DatetimeIndex"):
        E.clock_lag(list(idx), np.array([30]), 1)
    with pytest.raises(ValueError, match="one entry per load value"):
        E.baselines(np.ones(400), np.array([300]), times=idx)


def test_day_ahead_naive_is_yesterday_and_never_unknown(prep):
    rows = prep.targets("test", 24)
    f = E.day_ahead_naive(prep, rows, 24)
    assert f.shape == (len(rows), 24)
    np.testing.assert_array_equal(f[:, 0], prep.load[rows - 24])  # no DST change in this series


# ----- multi-horizon windows and the lead columns -------------------------------------------------
def test_targets_and_windows_for_24_hours():
    p = E.prepare(table(), lookback=12, test_months=1, val_months=1, lead=24)
    for part in ("train", "val", "test"):
        rows = p.targets(part, 24)
        span = getattr(p.split, part)
        assert rows.max() + 23 <= span.stop - 1 and rows.min() >= max(span.start, 12)
    rows = p.targets("test", 24)
    x, y = p.windows(rows, 24)
    assert tuple(x.shape) == (len(rows), 12, p.features.shape[1]) and tuple(y.shape) == (
        len(rows),
        24,
    )
    np.testing.assert_allclose(y[5].numpy(), p.features[rows[5] : rows[5] + 24, 0])
    np.testing.assert_allclose(E.actual(p, rows, 24)[5], p.load[rows[5] : rows[5] + 24])
    with pytest.raises(ValueError, match="target rows"):
        p.windows(np.array([len(p.load) - 10]), 24)
    with pytest.raises(ValueError, match="horizon must be a positive integer"):
        p.windows(rows, 0)
    with pytest.raises(TypeError, match="rows must be a 1-D array of integer"):
        p.windows(rows.astype(float))
    with pytest.raises(ValueError, match="part must be one of"):
        p.targets("testing")


def test_lead_columns_describe_the_hour_ahead():
    df = table()
    now = E.prepare(df, lookback=12, test_months=1, val_months=1, temperature=True)
    ahead = E.prepare(df, lookback=12, test_months=1, val_months=1, temperature=True, lead=3)
    hour = now.columns.index("hour")
    np.testing.assert_allclose(ahead.features[:-3, hour], now.features[3:, hour], atol=1e-6)
    t = now.columns.index("temperature")
    np.testing.assert_allclose(ahead.features[:-3, t], now.features[3:, t], atol=1e-6)
    np.testing.assert_array_equal(ahead.features[:, 0], now.features[:, 0])  # the load is not moved


def test_cycles_calendar():
    f = E.add_calendar_features(table(temperature=False), calendar="cycles")
    assert tuple(f.columns) == E.CYCLE_FEATURES
    np.testing.assert_allclose(f["hour_sin"] ** 2 + f["hour_cos"] ** 2, 1)
    with pytest.raises(ValueError, match="calendar must be one of"):
        E.add_calendar_features(table(), calendar="clock")


# ----- the change forecaster and early stopping ---------------------------------------------------
def test_untrained_change_forecaster_is_the_naive_forecast():
    torch.manual_seed(0)
    x = torch.rand(5, 30, 3)
    for horizon in (1, 24):
        m = E.ChangeForecaster("gru", 3, 4, horizon, scale=0.1)
        y = m(x)
        assert tuple(y.shape) == (5, horizon)
        torch.testing.assert_close(y, x[:, -horizon:, 0])
    with pytest.raises(ValueError, match="shorter than the horizon"):
        E.ChangeForecaster("gru", 3, 4, 24)(torch.rand(2, 10, 3))


def test_early_stopping_keeps_the_best_and_stops_after_patience():
    stop = E.EarlyStopping(patience=2)
    model = torch.nn.Linear(1, 1)
    decisions = []
    for epoch, score in enumerate([5.0, 3.0, 4.0, 2.5, 2.6, 2.7, 1.0], start=1):
        torch.nn.init.constant_(model.weight, epoch)
        decisions.append(stop.update(score, model))
        if decisions[-1]:
            break
    assert decisions == [False, False, False, False, False, True]
    assert stop.best_epoch == 4 and stop.best_score == 2.5
    assert stop.best_state["weight"].item() == 4  # the weights of the best epoch, not the last


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_early_stopping_never_keeps_a_non_finite_epoch(bad):
    stop = E.EarlyStopping(patience=3)
    stop.update(2.0)
    with pytest.raises(DivergenceError, match="epoch 2 is"):
        stop.update(bad)
    assert stop.best_epoch == 1 and stop.scores == [2.0]
    with pytest.raises(ValueError, match="patience must be a positive integer"):
        E.EarlyStopping(patience=0)


def test_fit_with_patience_and_24_hours():
    torch.set_num_threads(1)
    p = E.prepare(table(), lookback=30, test_months=1, val_months=1, lead=24, calendar="cycles")
    with pytest.raises(ValueError, match="lookback=30 is shorter than horizon=48"):
        E.fit(p, "gru", 4, horizon=48, change=True)
    model, res = E.fit(
        p,
        "gru",
        4,
        horizon=24,
        change=True,
        epochs=6,
        patience=2,
        windows_per_epoch=256,
        batch_size=64,
        lr=1e-2,
        seed=0,
    )
    assert 1 <= len(res.val_smape) <= 6
    assert res.best_epoch == int(np.argmin(res.val_smape)) + 1
    assert res.stopped_early == (len(res.val_smape) < 6)
    rows = p.targets("val", 24)
    f = E.predict(model, p, rows)
    assert f.shape == (len(rows), 24)
    assert E.smape(f.ravel(), E.actual(p, rows, 24).ravel()) == pytest.approx(
        res.best_val, rel=1e-5
    )


# ----- paired differences -------------------------------------------------------------------------
def test_paired_difference():
    a, b = np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([1.5, 2.4, 3.6, 4.5, 5.5])
    p = E.paired_difference(a, b)
    d = a - b
    assert p.mean == pytest.approx(d.mean()) and p.sd == pytest.approx(d.std(ddof=1))
    half = 2.776 * d.std(ddof=1) / np.sqrt(5)
    assert (p.lo, p.hi) == pytest.approx((d.mean() - half, d.mean() + half))
    assert p.clear and p.wins == 5
    noisy = E.paired_difference([1.0, 2.0, 3.0], [1.5, 1.5, 3.1])
    assert noisy.lo < 0 < noisy.hi and not noisy.clear
    with pytest.raises(ValueError, match="at least 2 pairs"):
        E.paired_difference([1.0], [2.0])
    with pytest.raises(ValueError, match="non-finite"):
        E.paired_difference([1.0, np.nan], [2.0, 1.0])
