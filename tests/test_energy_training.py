"""Chapter 6: a tiny forecaster trains, keeps its best validation epoch, and the gate views
agree."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_energy_study import table

from grubook import energy as E
from grubook.sliders import step_data
from grubook.views import energy as V


@pytest.fixture(scope="module")
def prep():
    return E.prepare(table(150), lookback=12, test_months=1, val_months=1)


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
    assert E.time_training_step(model, x, y, repeats=1) > 0


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


def test_gate_explorer_and_other_figures(prep, trained):
    model, _ = trained
    week = V.gate_week(model, prep, prep.split.test.start, hours=24)
    box = V.gate_explorer(week)
    assert box.children[0].children[0].max == 8
    rows = prep.targets("test")[:24]
    fig = V.forecast_week_figure(prep.times[rows], prep.load[rows], {"GRU": prep.load[rows]})
    assert len(fig.data) == 2 and fig.layout.yaxis.title.text == "demand (MW)"
    err = {"GRU": E.error_by_hour(prep.times[rows], prep.load[rows], prep.load[rows])}
    assert V.error_by_hour_figure(err).axes[0].get_xlabel().startswith("hour")
    lstm, _ = E.fit(prep, "lstm", 4, epochs=1, windows_per_epoch=64, batch_size=64)
    with pytest.raises(ValueError, match="GRU"):
        V.gate_week(lstm, prep, prep.split.test.start)


# ----- training on stretches (fit(span=...)) ---------------------------------------------------
@pytest.mark.parametrize("horizon", [1, 6])
@pytest.mark.parametrize("change", [False, True])
def test_stretch_forecasts_equal_window_forecasts(prep, horizon, change):
    """Step k of a stretch forecasts what a window ending at row k forecasts, from the state
    after rows 0..k: so on a stretch that starts where a window starts, the first scored step
    equals the window's forecast exactly, and every later step equals the window of the same
    rows read from the stretch's start."""
    torch.manual_seed(3)
    L = prep.lookback
    if change:
        model = E.ChangeForecaster("gru", prep.features.shape[1], 5, horizon, 0.1)
        torch.nn.init.normal_(model.head.weight)  # not the zero read-out: the change must show
    else:
        model = E.forecast.SequenceModel("gru", prep.features.shape[1], 5, horizon)
    origins = prep.targets("train", horizon)[:40]
    x = torch.from_numpy(prep.features[origins[0] - L : origins[-1]])[None]  # one stretch
    with torch.no_grad():
        got = E.stretch_forecasts(model, x, L - 1, horizon)[0]  # (40, horizon)
        assert got.shape == (len(origins), horizon)
        first = model(prep.windows(origins[:1], horizon)[0])[0]
        np.testing.assert_allclose(got[0].numpy(), first.numpy(), rtol=1e-5, atol=1e-6)
        for i in (5, 39):
            whole = model(x[:, : L + i])[0]  # the window of all rows up to origin i
            np.testing.assert_allclose(got[i].numpy(), whole.numpy(), rtol=1e-5, atol=1e-6)


def test_fit_with_span_scores_every_step_of_a_stretch(prep):
    """span=20: each batch is (batch, lookback + 19, features) against (batch, 20, 1) targets,
    training lowers the loss, the best epoch is kept, and a rerun gives the same numbers."""
    torch.set_num_threads(1)
    seen = []
    real = E.forecast.train

    def spy(model, make_batch, loss_fn, **kw):
        x, y = make_batch(torch.Generator().manual_seed(0))
        seen.append((tuple(x.shape), tuple(y.shape), tuple(model(x).shape)))
        return real(model, make_batch, loss_fn, **kw)

    def run():
        E.forecast.train = spy
        try:
            return E.fit(
                prep, "gru", 8, epochs=4, windows_per_epoch=64, batch_size=16, lr=1e-2, span=20
            )
        finally:
            E.forecast.train = real

    model, res = run()
    L, f = prep.lookback, prep.features.shape[1]
    assert seen == [((16, L + 19, f), (16, 20, 1), (16, 20, 1))]  # the spy saw one fit
    assert len(res.history.loss) == 4 * (64 // 16)
    assert np.mean(res.history.loss[-4:]) < np.mean(res.history.loss[:4])
    rows = prep.targets("val")
    assert E.smape(E.predict(model, prep, rows), prep.load[rows]) == pytest.approx(
        res.best_val, rel=1e-5
    )
    _, again = run()
    assert again.val_smape == pytest.approx(res.val_smape)


def test_stretch_targets_are_the_hours_after_each_step(prep):
    """Each stretch of a batch is the rows before span consecutive origins, and its targets are
    what prep.windows gives for those origins: y[:, i] holds the horizon hours from origin i."""
    captured = {}
    real = E.forecast.train

    def grab(model, make_batch, loss_fn, **kw):
        captured["batch"] = make_batch(torch.Generator().manual_seed(1))
        return real(model, make_batch, loss_fn, **kw)

    E.forecast.train = grab
    try:
        E.fit(prep, "gru", 4, epochs=1, windows_per_epoch=8, batch_size=8, span=5, horizon=3)
    finally:
        E.forecast.train = real
    x, y = captured["batch"]
    L, feats = prep.lookback, torch.from_numpy(prep.features)
    origins = prep.targets("train", 3)
    for b in range(len(x)):
        (first,) = [o for o in origins[:-4] if torch.equal(feats[o - L : o + 4], x[b])]
        _, expect = prep.windows(np.arange(first, first + 5), 3)
        np.testing.assert_array_equal(y[b].numpy(), expect.numpy())


@pytest.mark.parametrize(
    "kwargs, match",
    [({"span": 0}, "span"), ({"span": 2.5}, "span"), ({"span": 10**6}, "span=1000000")],
)
def test_fit_refuses_a_bad_span(prep, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        E.fit(prep, "gru", 4, epochs=1, windows_per_epoch=8, batch_size=8, **kwargs)


def test_stretch_forecasts_refuse_bad_arguments(prep):
    model = E.ChangeForecaster("gru", prep.features.shape[1], 4, 6, 0.1)
    x = torch.zeros(1, 20, prep.features.shape[1])
    with pytest.raises(ValueError, match="first must be at least 5"):
        E.stretch_forecasts(model, x, 2, 6)
    with pytest.raises(ValueError, match="first=20"):
        E.stretch_forecasts(model, x, 20, 6)
    with pytest.raises(TypeError, match="SequenceModel"):
        E.stretch_forecasts(torch.nn.Linear(2, 2), x, 5)
