"""Metrics, baselines and the GRU / LSTM forecasters of chapter 6.

Forecasts and actuals are numpy arrays of load in MW, one value per target row (see
:meth:`grubook.energy.prep.Prepared.targets`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from .. import _checks, count_parameters
from ..training import DivergenceError, History, SequenceModel, hidden_size_for_budget, train
from .prep import Prepared
from .scoring import EarlyStopping, _pair, mae, smape, tutorial_smape  # noqa: F401 (re-exported)


# ----- baselines ----------------------------------------------------------------------------------
def clock_lag(times: pd.DatetimeIndex, rows: np.ndarray, days: int) -> np.ndarray:
    """Row numbers of the same *wall-clock* time ``days`` days before each of ``rows``.

    Across a daylight-saving change a day has 23 or 25 hours, so "the same hour yesterday" is not
    always 24 rows back. times: the local (tz-aware) index; rows: (n,) row numbers. Where the
    wanted clock time does not exist (the hour skipped in spring) the first row after it is used;
    where it exists twice (autumn) the first of the two. Raises when a lag falls before row 0."""
    if not isinstance(times, pd.DatetimeIndex):
        raise TypeError(f"times must be a pandas DatetimeIndex, got {type(times).__name__}.")
    days = _checks.positive_int("days", days)
    rows = np.asarray(rows)
    wall = times.tz_localize(None) if times.tz is not None else times
    wanted = wall[rows] - pd.Timedelta(days=days)
    if len(rows) and wanted.min() < wall[0]:
        raise ValueError(
            f"every target row needs {days} day(s) of history; the first target, row "
            f"{rows.min()} ({times[rows.min()]}), has less."
        )
    return np.asarray(wall.searchsorted(wanted, side="left"))


def baselines(
    load: np.ndarray,
    rows: np.ndarray,
    steps_per_hour: int = 1,
    times: pd.DatetimeIndex | None = None,
) -> dict[str, np.ndarray]:
    """Forecasts of ``load[rows]`` that need no model: the last value (persistence), the same hour
    one day earlier (seasonal naive, 24 h) and one week earlier (weekly naive, 168 h).

    load: (n,) in MW; rows: target row numbers, each at least one week in. steps_per_hour: 1 for
    hourly data, 2 for half-hourly. times: the local index (``prep.times``); when given, the day
    and week lags follow the wall clock (:func:`clock_lag`), as people do, instead of counting
    rows. Returns {name: (len(rows),) forecasts}.
    """
    rows = np.asarray(rows)
    steps_per_hour = _checks.positive_int("steps_per_hour", steps_per_hour, 60)
    week = 168 * steps_per_hour
    if rows.size and rows.min() < week:
        raise ValueError(
            f"every target row needs a week of history ({week} rows); the first is {rows.min()}."
        )
    if times is None:
        day_rows, week_rows = rows - 24 * steps_per_hour, rows - week
    else:
        if len(times) != len(load):
            raise ValueError(
                f"times must have one entry per load value, got {len(times)} and {len(load)}."
            )
        day_rows, week_rows = clock_lag(times, rows, 1), clock_lag(times, rows, 7)
    return {
        "persistence": load[rows - 1],
        "seasonal naive (24 h)": load[day_rows],
        "weekly naive (168 h)": load[week_rows],
    }


def day_ahead_naive(prep: Prepared, origins: np.ndarray, horizon: int = 24) -> np.ndarray:
    """Same hour yesterday for every target of a ``horizon``-hour forecast made at each origin:
    (n, horizon) in MW. The lag follows the wall clock, but never reaches past the origin's last
    known hour (on a 23-hour day the last target's "yesterday" is not yet known)."""
    origins = np.asarray(origins)
    target = origins[:, None] + np.arange(_checks.positive_int("horizon", horizon))[None, :]
    lag = clock_lag(prep.times, target.ravel(), 1).reshape(target.shape)
    return prep.load[np.minimum(lag, origins[:, None] - 1)]


# ----- a linear autoregression --------------------------------------------------------------------
def linear_features(prep: Prepared, origins: np.ndarray, horizon: int = 1) -> np.ndarray:
    """The inputs of the linear model for each origin t: (n, lookback + 168 [+ horizon]).

    The scaled load of the window (rows t - lookback .. t - 1), the first target hour's hour of the
    week (168 indicator columns, Monday 0 h first: a separate level for every hour of every weekday)
    and, when ``prep`` has a temperature column, the scaled temperature of each target hour
    t .. t + horizon - 1 (used as observed)."""
    origins = np.asarray(origins)
    x, _ = prep.windows(origins, horizon)
    parts = [x[:, :, 0].numpy().astype(float)]
    when = prep.times[origins]
    parts.append(np.eye(168)[24 * when.day_of_week + when.hour])
    if "temperature" in prep.columns:
        col = prep.columns.index("temperature")
        target = origins[:, None] + np.arange(horizon)[None, :]
        parts.append(prep.features[target - prep.lead, col].astype(float))  # row r holds r + lead
    return np.concatenate(parts, axis=1)


def ridge(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Ridge regression in closed form: the weights w (features, outputs) and intercept b (outputs,)
    minimising |x w + b - y|^2 + alpha |w|^2 (the intercept is not penalised).

    x: (n, features); y: (n,) or (n, outputs); alpha >= 0 (0: ordinary least squares)."""
    x = _checks.finite("ridge: x", _checks.float_array("ridge: x", x))
    y = _checks.finite("ridge: y", _checks.float_array("ridge: y", y))
    alpha = _checks.finite_number("alpha", alpha)
    if alpha < 0:
        raise ValueError(f"alpha must be a number >= 0, got {alpha}.")
    if x.ndim != 2 or y.ndim not in (1, 2) or len(x) != len(y):
        raise ValueError(
            f"ridge: x must be (n, features) and y (n,) or (n, outputs) with the same n, got "
            f"{_checks.shape_str(x.shape)} and {_checks.shape_str(y.shape)}."
        )
    mx, my = x.mean(axis=0), y.mean(axis=0)
    xc, yc = x - mx, y - my
    gram = xc.T @ xc + alpha * np.eye(x.shape[1])
    w = np.linalg.lstsq(gram, xc.T @ yc, rcond=None)[0]
    return w, my - mx @ w


@dataclass
class LinearForecaster:
    """A ridge autoregression fit by :func:`fit_linear`: forecasts (n, horizon) scaled loads from
    :func:`linear_features`. val_smape: {alpha: validation sMAPE (%)} for every alpha tried."""

    weights: np.ndarray
    intercept: np.ndarray
    alpha: float
    horizon: int
    val_smape: dict = field(default_factory=dict)

    def scaled(self, prep: Prepared, origins: np.ndarray) -> np.ndarray:
        out = linear_features(prep, origins, self.horizon) @ self.weights + self.intercept
        return out.reshape(len(origins), self.horizon)


def fit_linear(
    prep: Prepared,
    horizon: int = 1,
    alphas=(1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0),
) -> LinearForecaster:
    """Fit :func:`ridge` on the training origins for each of ``alphas`` and keep the alpha with the
    lowest validation sMAPE (the test months are not looked at). Closed form: well under a second.
    """
    if not isinstance(prep, Prepared):
        raise TypeError(
            f"prep must be a Prepared (from energy.prepare), got {type(prep).__name__}."
        )
    horizon = _checks.positive_int("horizon", horizon)
    if isinstance(alphas, (str, bytes)) or not hasattr(alphas, "__iter__"):
        raise TypeError(f"alphas must be a list of numbers >= 0, got {type(alphas).__name__}.")
    alphas = [_checks.finite_number(f"alphas[{i}]", a) for i, a in enumerate(alphas)]
    if not alphas:
        raise ValueError("alphas must hold at least one value.")
    for i, a in enumerate(alphas):
        if a < 0:
            raise ValueError(f"alphas[{i}] must be a number >= 0 (0: least squares), got {a}.")
    train_rows, val_rows = prep.targets("train", horizon), prep.targets("val", horizon)
    x = linear_features(prep, train_rows, horizon)
    y = prep.windows(train_rows, horizon)[1].numpy().astype(float)
    best = None
    scores = {}
    for alpha in alphas:
        w, b = ridge(x, y, alpha)
        model = LinearForecaster(w, b, alpha, horizon)
        f = predict(model, prep, val_rows)
        scores[alpha] = smape(np.ravel(f), np.ravel(_actual(prep, val_rows, horizon)))
        if best is None or scores[alpha] < scores[best.alpha]:
            best = model
    best.val_smape = scores
    return best


def _actual(prep: Prepared, origins: np.ndarray, horizon: int) -> np.ndarray:
    """The load (MW) at the targets of ``origins``: (n,) for horizon 1, else (n, horizon)."""
    origins = np.asarray(origins)
    a = prep.load[origins[:, None] + np.arange(horizon)[None, :]]
    return a[:, 0] if horizon == 1 else a


def actual(prep: Prepared, origins: np.ndarray, horizon: int = 1) -> np.ndarray:
    """The load (MW) at the targets of ``origins``: (n,) for horizon 1, else (n, horizon)."""
    return _actual(prep, origins, _checks.positive_int("horizon", horizon))


# ----- comparing over seeds -----------------------------------------------------------------------
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


@dataclass(frozen=True)
class Paired:
    """The difference a - b over paired runs (the same seeds): mean, sd (sample standard deviation),
    n, the 95% t interval (lo, hi) of the mean, and wins: in how many pairs a < b."""

    mean: float
    sd: float
    n: int
    lo: float
    hi: float
    wins: int

    @property
    def clear(self) -> bool:
        """True when the interval excludes 0: the two can be told apart."""
        return self.lo > 0 or self.hi < 0


def paired_difference(a, b) -> Paired:
    """Summarise a - b for paired scores (for example validation sMAPE of two models, seed by seed):
    a, b: (n,) finite, n >= 2. The interval is mean +- t(0.975, n - 1) * sd / sqrt(n)."""
    a, b = _pair("paired_difference", a, b)
    if len(a) < 2:
        raise ValueError(f"paired_difference needs at least 2 pairs, got {len(a)}.")
    d = a - b
    n = len(d)
    sd = float(d.std(ddof=1))
    half = _T975.get(n - 1, 1.96 + 2.4 / (n - 1)) * sd / np.sqrt(n)
    m = float(d.mean())
    return Paired(m, sd, n, m - half, m + half, int((d < 0).sum()))


def error_by_hour(times: pd.DatetimeIndex, forecast, actual) -> pd.Series:
    """Mean absolute error (MW) for each local hour of the day (index 0-23) of the target times."""
    f, a = _pair("error_by_hour", forecast, actual)
    if len(times) != len(f):
        raise ValueError(
            f"error_by_hour: `times` must have one entry per forecast, got {len(times)} times "
            f"and {len(f)} forecasts."
        )
    err = np.abs(f - a)
    return pd.Series(err, index=pd.Index(times.hour, name="hour")).groupby(level=0).mean()


# ----- models -------------------------------------------------------------------------------------
def matched_hidden_size(cell: str, n_params: int, input_size: int, num_layers: int = 1) -> int:
    """The hidden size whose :class:`SequenceModel` (one output) has the parameter count closest to
    ``n_params``: how to give a GRU and an LSTM the same budget."""

    def count(h):
        with torch.device("meta"):  # the shapes only: nothing is allocated
            return count_parameters(SequenceModel(cell, input_size, h, 1, num_layers=num_layers))

    return hidden_size_for_budget(n_params, count)


class ChangeForecaster(SequenceModel):
    """A :class:`grubook.training.SequenceModel` that forecasts the *change* from a naive
    forecast: output j is added to the scaled load ``horizon - j`` steps before the end of the
    window. One hour ahead that is the last hour (persistence); 24 hours ahead, the same hour
    yesterday. The network only has to learn what the naive forecast gets wrong. The read-out
    starts at zero (the untrained model *is* the naive forecast) and is multiplied by ``scale``,
    the typical size of the change (:func:`fit` passes its standard deviation on the training
    windows), so that the network's outputs are of order 1, the size Adam's steps suit.

    x: (batch, time, features), load in column 0 -> (batch, horizon) scaled load."""

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        horizon: int = 1,
        scale: float = 1.0,
        **kwargs,
    ):
        super().__init__(cell, input_size, hidden_size, horizon, **kwargs)
        self.horizon = _checks.positive_int("horizon", horizon)
        self.register_buffer("scale", torch.tensor(_checks.positive_number("scale", scale)))
        torch.nn.init.zeros_(self.head.weight)
        torch.nn.init.zeros_(self.head.bias)

    def forward(self, x, return_gates: bool = False):
        out = super().forward(x, return_gates=return_gates)
        y, gates = out if return_gates else (out, None)
        if x.shape[1] < self.horizon:
            raise ValueError(
                f"ChangeForecaster: a window of {x.shape[1]} steps is shorter than the horizon "
                f"({self.horizon})."
            )
        y = x[:, x.shape[1] - self.horizon :, 0] + self.scale * y
        return (y, gates) if return_gates else y


@dataclass
class FitResult:
    """What :func:`fit` measured. val_smape: validation sMAPE (%) after each epoch; best_epoch: the
    epoch (1-based) whose weights were kept; train_seconds: wall-clock training time per epoch
    (validation passes excluded); history: the :class:`grubook.training.History` of the loop;
    stopped_early: True when patience ran out before ``epochs``."""

    cell: str
    hidden_size: int
    n_params: int
    seed: int
    val_smape: list = field(default_factory=list)
    best_epoch: int = 0
    train_seconds: list = field(default_factory=list)
    history: History | None = None
    stopped_early: bool = False

    @property
    def best_val(self) -> float:
        """The validation sMAPE (%) of the kept epoch."""
        return float(self.val_smape[self.best_epoch - 1])


def predict(model, prep: Prepared, rows: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """Forecasts (MW) from origins ``rows``: (n,) for a one-output model, (n, horizon) otherwise.
    ``model``: a torch module (every window starts from a zero hidden state, exactly as in
    training) or a :class:`LinearForecaster`."""
    batch_size = _checks.positive_int("batch_size", batch_size)
    rows = np.asarray(rows)
    if isinstance(model, LinearForecaster):
        out = prep.to_load(model.scaled(prep, rows))
        return out[:, 0] if model.horizon == 1 else out
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(rows), batch_size):
            x, _ = prep.windows(rows[i : i + batch_size])
            out.append(model(x))
    if not out:
        return np.zeros(0)
    y = prep.to_load(torch.cat(out))
    return y[:, 0] if y.shape[1] == 1 else y


def stretch_forecasts(model: torch.nn.Module, x: torch.Tensor, first: int, horizon: int = 1):
    """The forecasts a model makes at every step of a stretch, from step ``first`` (0-based) on:
    (batch, time - first, horizon) scaled load. Step k forecasts the ``horizon`` hours after row k,
    exactly as a window ending at row k would, except that the state has read all of rows 0..k.
    ``model``: a :class:`grubook.training.SequenceModel` or :class:`ChangeForecaster`; x: (batch,
    time, features), load in column 0."""
    if not isinstance(model, SequenceModel):
        raise TypeError(f"model must be a SequenceModel, got {type(model).__name__}.")
    first = _checks.non_negative_int("first", first)
    if not first < x.shape[1]:
        raise ValueError(f"first={first} must be below the stretch length {x.shape[1]}.")
    y = model.head(model.rnn(x)[0][:, first:])
    if isinstance(model, ChangeForecaster):
        if first + 1 < model.horizon:
            raise ValueError(
                f"first={first}: a change forecast at step k adds rows k - {model.horizon - 1} "
                f"to k, so first must be at least {model.horizon - 1}."
            )
        naive = x[:, :, 0].unfold(1, model.horizon, 1)  # naive[:, i] = load rows i .. i + h - 1
        y = naive[:, first + 1 - model.horizon :] + model.scale * y
    return y


class _Stretches(torch.nn.Module):
    """``model`` read over stretches: forward(x) -> the forecasts of every step that has read at
    least ``lookback`` rows, (batch, span, horizon); for :func:`fit`'s ``span``."""

    def __init__(self, model: torch.nn.Module, lookback: int, horizon: int):
        super().__init__()
        self.model, self.first, self.horizon = model, lookback - 1, horizon

    def forward(self, x):
        return stretch_forecasts(self.model, x, self.first, self.horizon)


def fit(
    prep: Prepared,
    cell: str,
    hidden_size: int,
    *,
    num_layers: int = 1,
    epochs: int = 5,
    windows_per_epoch: int | None = None,
    batch_size: int = 128,
    lr: float = 3e-3,
    seed: int = 0,
    clip: float | None = 1.0,
    horizon: int = 1,
    change: bool = False,
    patience: int | None = None,
    span: int = 1,
) -> tuple[SequenceModel, FitResult]:
    """Train a ``cell`` ('gru' or 'lstm') forecaster with :func:`grubook.training.train`.

    Each epoch shuffles the training windows (a fresh permutation from a seeded generator) and walks
    through ``windows_per_epoch`` of them (all of them when None) in batches of ``batch_size``.
    Every batch starts from a zero hidden state: nothing is carried from one shuffled batch into the
    next. Loss: mean squared error on the scaled load of the ``horizon`` target hours. After each
    epoch the validation sMAPE is computed and the weights of the best epoch are kept
    (:class:`EarlyStopping`; the test part is never looked at); with ``patience``, training stops
    after that many epochs without improvement, and ``epochs`` is the most it may run.
    ``span`` > 1 trains on *stretches* instead of single windows: a stretch covers ``span``
    consecutive origins, ``lookback + span - 1`` rows read once from a zero state, and the network
    is scored at each of its last ``span`` steps, where it has read at least ``lookback`` hours
    (:func:`stretch_forecasts`). One pass then yields ``span`` forecasts instead of one; each
    batch holds ``batch_size`` stretches and ``windows_per_epoch`` counts stretches. Forecasting
    (validation, :func:`predict`) still reads single ``lookback``-hour windows.
    ``change=True`` builds a :class:`ChangeForecaster` (forecast the change from the naive
    forecast), otherwise a plain :class:`SequenceModel`. ``seed`` seeds torch's global generator
    (the initial weights) and the generator that shuffles the windows. An epoch whose loss or
    validation forecasts are not finite (NaN or infinite) stops training with a
    :class:`grubook.training.DivergenceError` naming the epoch: it is never kept.
    """
    if not isinstance(prep, Prepared):
        raise TypeError(
            f"prep must be a Prepared (from energy.prepare), got {type(prep).__name__}."
        )
    epochs = _checks.positive_int("epochs", epochs)
    batch_size = _checks.positive_int("batch_size", batch_size)
    seed = _checks.integer("seed", seed)
    horizon = _checks.positive_int("horizon", horizon)
    _checks.boolean("change", change)
    if change and prep.lookback < horizon:
        raise ValueError(
            f"change=True adds the last {horizon} hours of the window to the forecast, but "
            f"lookback={prep.lookback} is shorter than horizon={horizon}."
        )
    span = _checks.positive_int("span", span)
    stopper = EarlyStopping(patience)
    origins = prep.targets("train", horizon)
    x_train, y_train = prep.windows(origins, horizon)
    if len(x_train) == 0:
        raise ValueError(f"the training part has no windows for horizon={horizon}.")
    if span > 1:  # stretches start at origins[i] and cover origins[i] .. origins[i] + span - 1
        starts = origins[: max(len(origins) - span + 1, 0)]
        if len(starts) == 0:
            raise ValueError(
                f"span={span} is longer than the {len(origins)} training origins for "
                f"horizon={horizon}."
            )
        starts = torch.from_numpy(starts)
        steps = torch.arange(prep.lookback + span - 1) - prep.lookback  # rows, from each start
        ahead = torch.arange(span)[:, None] + torch.arange(horizon)  # (span, horizon): i + j
    n = len(x_train) if span == 1 else len(starts)
    torch.manual_seed(seed)
    n_in = prep.features.shape[1]
    if change:
        typical = float((y_train - x_train[:, -horizon:, 0]).std()) or 1.0
        model = ChangeForecaster(cell, n_in, hidden_size, horizon, typical, num_layers=num_layers)
    else:
        model = SequenceModel(cell, n_in, hidden_size, horizon, num_layers=num_layers)
    per_epoch = (
        n
        if windows_per_epoch is None
        else min(_checks.positive_int("windows_per_epoch", windows_per_epoch), n)
    )
    steps_per_epoch = max(per_epoch // batch_size, 1)
    val_rows = prep.targets("val", horizon)
    val_actual = np.ravel(_actual(prep, val_rows, horizon))

    order = {"perm": None, "pos": 0}

    def make_batch(gen):
        if order["perm"] is None or order["pos"] + batch_size > per_epoch:
            order["perm"], order["pos"] = torch.randperm(n, generator=gen)[:per_epoch], 0
        idx = order["perm"][order["pos"] : order["pos"] + batch_size]
        order["pos"] += batch_size
        if span == 1:
            return x_train[idx], y_train[idx]
        first = starts[idx]  # row indices per batch only: all of them at once would be large
        # (b, lookback + span - 1, features), (b, span, horizon)
        return feats[first[:, None] + steps], feats[first[:, None, None] + ahead, 0]

    feats = torch.from_numpy(prep.features)
    net = model if span == 1 else _Stretches(model, prep.lookback, horizon)

    result = FitResult(cell, hidden_size, count_parameters(model), seed)
    clock = {"last": time.perf_counter()}

    def evaluate(_):
        t0 = time.perf_counter()
        result.train_seconds.append(t0 - clock["last"])
        forecast = np.ravel(predict(model, prep, val_rows))
        bad = int((~np.isfinite(forecast)).sum())
        if bad:  # a diverged epoch must never score, nor be kept as the best
            step = (len(result.val_smape) + 1) * steps_per_epoch
            raise DivergenceError(
                f"{bad} of {len(forecast)} validation forecasts are not finite numbers; "
                "try a smaller lr or clip=1.0",
                step,
            )
        score = smape(forecast, val_actual)
        result.val_smape.append(score)
        clock["stop"] = stopper.update(score, model)
        clock["last"] = time.perf_counter()
        return score

    try:
        result.history = train(
            net,
            make_batch,
            torch.nn.functional.mse_loss,
            steps=epochs * steps_per_epoch,
            lr=lr,
            seed=seed,
            evaluate=evaluate,
            eval_every=steps_per_epoch,
            stop_when=lambda _: clock["stop"],
            clip=clip,
        )
    except DivergenceError as err:
        epoch = (err.step - 1) // steps_per_epoch + 1
        raise DivergenceError(
            f"fit({cell!r}, hidden_size={hidden_size}, lr={lr:g}): epoch {epoch} of {epochs} "
            f"diverged: {err}",
            err.step,
        ) from None
    result.best_epoch = stopper.best_epoch
    result.stopped_early = len(result.val_smape) < epochs
    model.load_state_dict(stopper.best_state)
    model.eval()
    return model, result


def time_inference(
    model: torch.nn.Module, prep: Prepared, rows: np.ndarray, repeats: int = 3
) -> float:
    """Seconds for one pass of forecasts over ``rows`` (the fastest of ``repeats`` passes), timed
    with ``time.perf_counter``."""
    best = np.inf
    for _ in range(_checks.positive_int("repeats", repeats)):
        t0 = time.perf_counter()
        predict(model, prep, rows)
        best = min(best, time.perf_counter() - t0)
    return float(best)


# ----- speed --------------------------------------------------------------------------------------
def time_training_step(
    model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, repeats: int = 5
) -> float:
    """Seconds of one training step (forward, MSE loss, backward, Adam update) on the batch x:
    (batch, time, features), y: (batch, 1): the fastest of ``repeats`` steps after one warm-up step
    (the minimum filters out pauses caused by other programs). Uses ``time.perf_counter``."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    times = []
    for i in range(_checks.positive_int("repeats", repeats) + 1):
        t0 = time.perf_counter()
        loss = torch.nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i:  # the first step warms up allocations and kernels
            times.append(time.perf_counter() - t0)
    model.eval()
    return float(min(times))
