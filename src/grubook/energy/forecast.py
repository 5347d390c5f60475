"""Metrics, baselines and the GRU / LSTM forecasters of chapter 6.

Forecasts and actuals are numpy arrays of load in MW, one value per target row (see
:meth:`grubook.energy.prep.Prepared.targets`).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from .. import _checks, count_parameters
from ..training import DivergenceError, History, SequenceModel, hidden_size_for_budget, train
from .prep import Prepared


# ----- metrics ------------------------------------------------------------------------------------
def _pair(where: str, forecast, actual) -> tuple[np.ndarray, np.ndarray]:
    """``forecast`` and ``actual`` as two float arrays of one length n, or a clear error.

    Each may be (n,) or (n, 1) (a trailing 1 is flattened; nothing else is, so (3, 1) against (3,)
    can never broadcast to a 3 x 3 grid), and every value must be finite: a NaN forecast must not
    drop out of a mean and score as perfect."""
    arrays = []
    for name, value in (("forecast", forecast), ("actual", actual)):
        label = f"{where}: `{name}`"
        x = _checks.float_array(label, value)
        if x.ndim == 2 and x.shape[1] == 1:
            x = x[:, 0]
        if x.ndim != 1:
            raise ValueError(
                f"{label} must be 1-D, shape (n,) or (n, 1), "
                f"got shape {_checks.shape_str(x.shape)}."
            )
        arrays.append(_checks.finite(label, x))
    f, a = arrays
    if len(f) != len(a):
        raise ValueError(
            f"{where}: `forecast` and `actual` must have the same length, got {len(f)} and "
            f"{len(a)}."
        )
    if not len(f):
        raise ValueError(
            f"{where}: `forecast` and `actual` are empty; expected at least one value."
        )
    return f, a


def smape(forecast, actual) -> float:
    """Symmetric mean absolute percentage error, the standard definition, in percent:
    mean(2 |F - A| / (|F| + |A|)) * 100. Between 0 and 200; a pair with F = A = 0 counts as 0.

    forecast, actual: (n,) or (n, 1), finite; anything else raises a ValueError."""
    f, a = _pair("smape", forecast, actual)
    denom = np.abs(f) + np.abs(a)
    ratio = np.divide(2 * np.abs(f - a), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(ratio.mean() * 100)


def tutorial_smape(forecast, actual) -> float:
    """The formula a widely copied tutorial uses, mean(|F - A| / (F + A) / 2) * 100: for positive
    values exactly a quarter of :func:`smape`. Kept only to show the difference; do not report
    it."""
    f, a = _pair("tutorial_smape", forecast, actual)
    return float(np.mean(np.abs(f - a) / (f + a) / 2) * 100)


def mae(forecast, actual) -> float:
    """Mean absolute error, in the units of the data (MW here). forecast, actual: (n,) or (n, 1),
    finite."""
    f, a = _pair("mae", forecast, actual)
    return float(np.mean(np.abs(f - a)))


# ----- baselines ----------------------------------------------------------------------------------
def baselines(load: np.ndarray, rows: np.ndarray, steps_per_hour: int = 1) -> dict[str, np.ndarray]:
    """Forecasts of ``load[rows]`` that need no model: the last value (persistence), the same hour
    one day earlier (seasonal naive, 24 h) and one week earlier (weekly naive, 168 h).

    load: (n,) in MW; rows: target row numbers, each at least one week in. steps_per_hour: 1 for
    hourly data, 2 for half-hourly. Returns {name: (len(rows),) forecasts}.
    """
    rows = np.asarray(rows)
    week = 168 * steps_per_hour
    if rows.size and rows.min() < week:
        raise ValueError(
            f"every target row needs a week of history ({week} rows); the first is {rows.min()}."
        )
    return {
        "persistence": load[rows - 1],
        "seasonal naive (24 h)": load[rows - 24 * steps_per_hour],
        "weekly naive (168 h)": load[rows - week],
    }


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


@dataclass
class FitResult:
    """What :func:`fit` measured. val_smape: validation sMAPE (%) after each epoch; best_epoch: the
    epoch (1-based) whose weights were kept; train_seconds: wall-clock training time per epoch
    (validation passes excluded); history: the :class:`grubook.training.History` of the loop."""

    cell: str
    hidden_size: int
    n_params: int
    seed: int
    val_smape: list = field(default_factory=list)
    best_epoch: int = 0
    train_seconds: list = field(default_factory=list)
    history: History | None = None


def predict(
    model: torch.nn.Module, prep: Prepared, rows: np.ndarray, batch_size: int = 2048
) -> np.ndarray:
    """One-step-ahead forecasts (MW) for target rows ``rows``. Every window starts from a zero
    hidden state, exactly as in training."""
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(rows), batch_size):
            x, _ = prep.windows(rows[i : i + batch_size])
            out.append(model(x)[:, 0])
    return prep.to_load(torch.cat(out)) if out else np.zeros(0)


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
) -> tuple[SequenceModel, FitResult]:
    """Train a ``cell`` ('gru' or 'lstm') forecaster with :func:`grubook.training.train`.

    Each epoch shuffles the training windows (a fresh permutation from a seeded generator) and walks
    through ``windows_per_epoch`` of them (all of them when None) in batches of ``batch_size``.
    Every batch starts from a zero hidden state: nothing is carried from one shuffled batch into the
    next. Loss: mean squared error on the scaled load. After each epoch the validation sMAPE is
    computed and the weights of the best epoch are kept (the test part is never looked at). ``seed``
    seeds torch's global generator (the initial weights) and the generator that shuffles the
    windows. An epoch whose loss or validation forecasts are not finite (NaN or infinite) stops
    training with a :class:`grubook.training.DivergenceError` naming the epoch: it is never kept.
    """
    if not isinstance(prep, Prepared):
        raise TypeError(
            f"prep must be a Prepared (from energy.prepare), got {type(prep).__name__}."
        )
    epochs = _checks.positive_int("epochs", epochs)
    batch_size = _checks.positive_int("batch_size", batch_size)
    seed = _checks.integer("seed", seed)
    torch.manual_seed(seed)
    model = SequenceModel(cell, prep.features.shape[1], hidden_size, 1, num_layers=num_layers)
    x_train, y_train = prep.windows(prep.targets("train"))
    n = len(x_train)
    per_epoch = (
        n
        if windows_per_epoch is None
        else min(_checks.positive_int("windows_per_epoch", windows_per_epoch), n)
    )
    steps_per_epoch = max(per_epoch // batch_size, 1)
    val_rows = prep.targets("val")
    val_actual = prep.load[val_rows]

    order = {"perm": None, "pos": 0}

    def make_batch(gen):
        if order["perm"] is None or order["pos"] + batch_size > per_epoch:
            order["perm"], order["pos"] = torch.randperm(n, generator=gen)[:per_epoch], 0
        idx = order["perm"][order["pos"] : order["pos"] + batch_size]
        order["pos"] += batch_size
        return x_train[idx], y_train[idx]

    result = FitResult(cell, hidden_size, count_parameters(model), seed)
    clock = {"last": time.perf_counter(), "best": None, "best_score": np.inf}

    def evaluate(m):
        t0 = time.perf_counter()
        result.train_seconds.append(t0 - clock["last"])
        forecast = predict(m, prep, val_rows)
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
        if score < clock["best_score"]:
            clock["best_score"], clock["best"] = score, copy.deepcopy(m.state_dict())
            result.best_epoch = len(result.val_smape)
        clock["last"] = time.perf_counter()
        return score

    try:
        result.history = train(
            model,
            make_batch,
            torch.nn.functional.mse_loss,
            steps=epochs * steps_per_epoch,
            lr=lr,
            seed=seed,
            evaluate=evaluate,
            eval_every=steps_per_epoch,
            clip=clip,
        )
    except DivergenceError as err:
        epoch = (err.step - 1) // steps_per_epoch + 1
        raise DivergenceError(
            f"fit({cell!r}, hidden_size={hidden_size}, lr={lr:g}): epoch {epoch} of {epochs} "
            f"diverged: {err}",
            err.step,
        ) from None
    model.load_state_dict(clock["best"])
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
class TorchForecaster(torch.nn.Module):
    """The same forecaster as :class:`SequenceModel` (last step read out by a linear layer) built on
    ``torch.nn.GRU`` / ``torch.nn.LSTM``, for speed comparisons. x: (batch, time, input_size) ->
    (batch, 1)."""

    def __init__(self, cell: str, input_size: int, hidden_size: int, num_layers: int = 1):
        super().__init__()
        layers = {"gru": torch.nn.GRU, "lstm": torch.nn.LSTM}
        if cell not in layers:
            raise ValueError(f"cell must be 'gru' or 'lstm', got {cell!r}.")
        self.rnn = layers[cell](input_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = torch.nn.Linear(hidden_size, 1)

    def forward(self, x):
        return self.head(self.rnn(x)[0][:, -1])


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
