"""Chapter 6's study, run as a reproducible experiment: every network trained until validation
stops improving, the learning rate chosen on validation, five seeds, two tasks.

The tasks (:data:`TASKS`):

- ``"hour"``: one hour ahead, at every hour (the rolling job). A forecast for row t reads the
  ``lookback`` rows before it.
- ``"day"``: the day-ahead job. A forecast is issued once a day at 10:00 local time, knowing the
  load up to the hour that ended at 10:00, for the 24 hours 00:00 to 23:00 of the next day (lead
  times 14 to 37 hours). The network reads the known past and then walks on through the hours up to
  the last target, seeing only their calendar and temperature (its load input is 0 there, with a
  flag that says "unknown"); its forecast for each target hour is read at that hour's step.

The models: the linear model (ridge regression on the recent load, the hour of the week, the
month, the holiday flag and, if it helps on validation, Hong's polynomial temperature terms),
and four networks, each a :class:`grubook.training.SequenceModel` whose read-out starts at zero and
whose output is *added* to a base forecast: ``GRU`` and ``LSTM`` correct a naive forecast
(persistence one hour ahead, the same hour a week earlier day ahead); ``ridge + GRU`` and
``ridge + LSTM`` correct the linear model (the hybrid). Each starts from its base's score.

``python -m grubook.experiments energy`` runs it (:func:`run`) and writes :data:`FILES` to
``book/results/energy``; :func:`load` reads them back and refuses results whose code hash
(:func:`code_hash`) no longer matches the source they were computed with.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .. import _checks, count_parameters
from ..training import SequenceModel, hidden_size_for_budget, train
from .data import load_vic_elec
from .prep import CYCLE_FEATURES, chronological_split
from .scoring import EarlyStopping, smape

COMMAND = "python -m grubook.experiments energy"
MODELS = ("GRU", "LSTM", "ridge + GRU", "ridge + LSTM")
TASKS = ("hour", "day")
ISSUE_HOUR = 10  # the day-ahead forecast is issued at 10:00 local time
FIRST_LEAD, LAST_LEAD = 14, 37  # hours from 10:00 to the start of 00:00 and of 23:00 next day
DEPENDS = (  # the source files the results depend on, relative to src/grubook
    "energy/study.py",
    "energy/scoring.py",
    "energy/prep.py",
    "energy/data.py",
    "training.py",
    "_layers.py",
    "gru.py",
    "lstm.py",
)
FILES = ("manifest.json", "runs.json", "forecasts.npz", "weights.npz")
COVARIATES = (*CYCLE_FEATURES[1:], "holiday", "temperature")  # the inputs besides the load


class StaleResults(RuntimeError):
    """Committed results computed by different code, or missing: the message names the command."""


@dataclass(frozen=True)
class Plan:
    """The experiment's settings, in one place. ``lrs``: the learning rates tried with the first
    seed; the one with the best validation score is used for every seed. Validation is scored every
    ``check_every`` optimiser steps; a run stops after ``patience`` checks without a better score
    (``max_steps`` is a safety net that a run should not reach)."""

    lookback: int = 90
    hidden_gru: int = 16
    batch_size: int = 32
    span: int = 90  # one-hour task: forecasts scored per training stretch
    lrs: tuple = (3e-3, 1e-2)
    seeds: tuple = (0, 1, 2, 3, 4)
    check_every: dict = field(default_factory=lambda: {"hour": 100, "day": 100})
    patience: int = 10
    max_steps: int = 20_000
    clip: float = 1.0
    alphas: tuple = (1e-4, 1e-3, 0.01, 0.1, 1.0, 10.0, 100.0)


PLAN = Plan()


# ----- the data, as both tasks read it ------------------------------------------------------------
@dataclass
class Data:
    """The series and what every model reads. load: (rows,) MW; z: the load scaled to [0, 1] by
    the training rows' minimum and maximum; cov: (rows, 9) the :data:`COVARIATES` of each row
    (temperature scaled like the load); temp: (rows,) degrees C; holiday: (rows,) bool."""

    times: pd.DatetimeIndex
    load: np.ndarray
    z: np.ndarray
    cov: np.ndarray
    temp: np.ndarray
    holiday: np.ndarray
    split: object
    lo: float
    hi: float

    def to_mw(self, scaled) -> np.ndarray:
        return np.asarray(scaled, dtype=float) * (self.hi - self.lo) + self.lo

    def part_of(self, rows) -> np.ndarray:
        """'train', 'val' or 'test' for each row number."""
        rows = np.asarray(rows)
        return np.where(
            rows < self.split.val.start,
            "train",
            np.where(rows < self.split.test.start, "val", "test"),
        )


def build_data(df: pd.DataFrame) -> Data:
    """The study's :class:`Data` from ``energy.load_vic_elec()`` (hourly, with temperature and
    holiday columns): three months of validation and three of test, as in the chapter."""
    for col in ("load", "temperature", "holiday"):
        if col not in df.columns:
            raise ValueError(
                f"the study needs a table with a {col!r} column, as energy.load_vic_elec() "
                f"returns; found {list(df.columns)}."
            )
    split = chronological_split(df.index, 3, 3)
    load = df["load"].to_numpy(float)
    temp = df["temperature"].to_numpy(float)
    train = slice(split.train.start, split.train.stop)
    lo, hi = load[train].min(), load[train].max()
    tlo, thi = temp[train].min(), temp[train].max()
    idx = df.index
    day = 2 * np.pi * np.asarray(idx.hour) / 24
    week = 2 * np.pi * np.asarray(24 * idx.day_of_week + idx.hour) / 168
    holiday = df["holiday"].to_numpy(bool)
    cov = np.stack(
        [
            np.sin(day),
            np.cos(day),
            np.sin(2 * day),
            np.cos(2 * day),
            np.sin(week),
            np.cos(week),
            np.asarray(idx.day_of_week >= 5, dtype=float),
            holiday.astype(float),
            (temp - tlo) / (thi - tlo),
        ],
        axis=1,
    )
    return Data(idx, load, (load - lo) / (hi - lo), cov, temp, holiday, split, lo, hi)


def origins(data: Data, task: str, part: str) -> np.ndarray:
    """Forecast origins of ``part``: the first row a forecast does not know. One hour ahead, every
    row of the part with ``lookback`` rows before it (for 'train', inside the training part). Day
    ahead, every 10:00 whose next day has 24 hours (the two days a year with 23 or 25 are left out)
    and lies in the part; for 'train', every hour (the same 24 leads, 14 to 37 hours, from any
    issue time: more examples of the same job, all of it known at the time)."""
    _checks.one_of("task", task, TASKS)
    _checks.one_of("part", part, ("train", "val", "test"))
    span = getattr(data.split, part)
    low = (PLAN.lookback if task == "hour" else 168) + (span.start if part == "train" else 0)
    if task == "hour":
        rows = np.arange(max(span.start, low), span.stop)
        return rows
    t = data.times
    if part == "train":  # training also reads forecasts issued at every other hour: 24x the data
        rows = np.arange(low, span.stop - LAST_LEAD)
        return rows
    rows = np.flatnonzero((np.asarray(t.hour) == ISSUE_HOUR) & (np.asarray(t.minute) == 0))
    rows = rows[(rows >= low) & (rows + LAST_LEAD < len(t))]
    first, last = rows + FIRST_LEAD, rows + LAST_LEAD
    ok = (
        (np.asarray(t[first].hour) == 0)
        & (np.asarray(t[last].hour) == 23)
        & (t[first].date == t[last].date)
        & (first >= span.start)
        & (last < span.stop)
    )
    return rows[ok]


def targets(task: str, orig: np.ndarray) -> np.ndarray:
    """Target rows: (n, 1) one hour ahead, (n, 24) day ahead."""
    orig = np.asarray(orig)
    if task == "hour":
        return orig[:, None]
    return orig[:, None] + np.arange(FIRST_LEAD, LAST_LEAD + 1)[None, :]


def actual(data: Data, task: str, orig: np.ndarray) -> np.ndarray:
    """The load (MW) at the targets: (n, 1) or (n, 24)."""
    return data.load[targets(task, orig)]


# ----- baselines and the linear model -------------------------------------------------------------
def _lag(data: Data, rows: np.ndarray, days: int) -> np.ndarray:
    """Rows of the same wall-clock time ``days`` days before ``rows`` (any shape)."""
    wall = data.times.tz_localize(None)
    wanted = wall[np.ravel(rows)] - pd.Timedelta(days=days)
    return np.asarray(wall.searchsorted(wanted, side="left")).reshape(np.shape(rows))


def naive(data: Data, task: str, orig: np.ndarray) -> dict[str, np.ndarray]:
    """Forecasts (MW) that need no model, each (n, 1) or (n, 24). One hour ahead: persistence, the
    same hour yesterday and a week earlier. Day ahead, from what is known at 10:00: the same hour
    two days before the target (the last day whose load is known for every hour) and a week before.
    """
    tg = targets(task, orig)
    if task == "hour":
        return {
            "persistence": data.load[tg - 1],
            "same hour yesterday": data.load[_lag(data, tg, 1)],
            "same hour last week": data.load[_lag(data, tg, 7)],
        }
    return {
        "same hour two days before": data.load[_lag(data, tg, 2)],
        "same hour last week": data.load[_lag(data, tg, 7)],
    }


def naive_base(data: Data, task: str, orig: np.ndarray) -> np.ndarray:
    """The scaled naive forecast the plain networks correct: persistence one hour ahead, the same
    hour last week day ahead. (n, 1) or (n, 24)."""
    tg = targets(task, orig)
    return data.z[tg - 1] if task == "hour" else data.z[_lag(data, tg, 7)]


def _temp_terms(data: Data, tg: np.ndarray) -> np.ndarray:
    """Hong's temperature terms for target rows tg (flat): T, T^2, T^3 (T standardised on the
    training rows), alone and times the month and the hour of the day: 3 + 36 + 72 columns."""
    train = slice(data.split.train.start, data.split.train.stop)
    m, s = data.temp[train].mean(), data.temp[train].std()
    t = (data.temp[tg] - m) / s
    poly = np.stack([t, t**2, t**3], axis=1)
    month = np.eye(12)[np.asarray(data.times[tg].month) - 1]
    hour = np.eye(24)[np.asarray(data.times[tg].hour)]
    return np.concatenate(
        [
            poly,
            (poly[:, :, None] * month[:, None, :]).reshape(len(tg), -1),
            (poly[:, :, None] * hour[:, None, :]).reshape(len(tg), -1),
        ],
        axis=1,
    )


def linear_features(data: Data, task: str, orig: np.ndarray, temperature: bool) -> np.ndarray:
    """The linear model's inputs, one row per target: (n * K, columns), origins major.

    Calendar of the target hour: the hour of the week (168 indicators), the month (12), a holiday
    flag per hour of the day (24: a holiday has its own daily shape) and a trend. Known load: one
    hour ahead, the ``lookback`` hours before the target; day ahead, the last known hour, the mean
    of the last 24 known hours, and the same hour two days and a week before the target, each with
    a weight per hour of the day. Temperature (when asked): :func:`_temp_terms`."""
    orig = np.asarray(orig)
    tg = targets(task, orig)
    k = tg.shape[1]
    flat = tg.ravel()
    t = data.times[flat]
    hour = np.eye(24)[np.asarray(t.hour)]
    parts = [
        np.eye(168)[np.asarray(24 * t.day_of_week + t.hour)],
        np.eye(12)[np.asarray(t.month) - 1],
        hour * data.holiday[flat, None],
        (flat / len(data.load))[:, None],
    ]
    if task == "hour":
        window = orig[:, None] - PLAN.lookback + np.arange(PLAN.lookback)[None, :]
        parts.append(data.z[window])
    else:
        last = np.repeat(data.z[orig - 1], k)
        mean24 = np.repeat(data.z[orig[:, None] - np.arange(1, 25)[None, :]].mean(axis=1), k)
        two = data.z[_lag(data, flat, 2)]
        week = data.z[_lag(data, flat, 7)]
        lead = np.tile(np.eye(k), (len(orig), 1))  # a weight on the last known hour per lead
        parts += [last[:, None] * lead, mean24[:, None], two[:, None] * hour, week[:, None] * hour]
    if temperature:
        parts.append(_temp_terms(data, flat))
    return np.concatenate(parts, axis=1)


@dataclass
class Linear:
    """A fitted linear model: weights, intercept, alpha, whether it reads temperature, and its
    validation sMAPE for every alpha tried."""

    weights: np.ndarray
    intercept: float
    alpha: float
    temperature: bool
    task: str
    val_smape: dict

    def scaled(self, data: Data, orig: np.ndarray) -> np.ndarray:
        orig = np.asarray(orig)
        k = targets(self.task, orig[:1]).shape[1]
        out = [
            linear_features(data, self.task, block, self.temperature) @ self.weights
            for block in _blocks(orig)
        ]
        return (np.concatenate(out) + self.intercept if out else np.zeros(0)).reshape(-1, k)

    def forecast(self, data: Data, orig: np.ndarray) -> np.ndarray:
        return data.to_mw(self.scaled(data, orig))


BLOCK = 2048  # origins per block of linear-model features (day ahead: 24 rows of ~400 columns each)


def _blocks(orig: np.ndarray):
    for i in range(0, len(orig), BLOCK):
        yield orig[i : i + BLOCK]


def _moments(data: Data, task: str, orig: np.ndarray, temperature: bool):
    """The centred normal equations of ridge, accumulated block by block: (x^T x, x^T y, mean x,
    mean y) with x and y centred. All the training targets' features at once would take gigabytes
    (day ahead, 500,000 rows). Each block is shifted by the first block's means, so centring at the
    end loses no precision."""
    n, shift, sx, sy, xx, xy = 0, None, 0.0, 0.0, 0.0, 0.0
    for block in _blocks(orig):
        x = linear_features(data, task, block, temperature)
        y = data.z[targets(task, block)].ravel()
        if shift is None:
            shift = (x.mean(axis=0), y.mean())
        x, y = x - shift[0], y - shift[1]
        n, sx, sy = n + len(x), sx + x.sum(axis=0), sy + y.sum()
        xx, xy = xx + x.T @ x, xy + x.T @ y
    mx, my = sx / n, sy / n
    return xx - n * np.outer(mx, mx), xy - n * mx * my, mx + shift[0], my + shift[1]


def fit_linear(data: Data, task: str, temperature: bool) -> Linear:
    """Ridge on the training origins; alpha (:attr:`Plan.alphas`) chosen by validation sMAPE.
    The closed form of :func:`grubook.energy.ridge`, from :func:`_moments`."""
    tr, va = origins(data, task, "train"), origins(data, task, "val")
    gram, cross, mx, my = _moments(data, task, tr, temperature)
    truth = actual(data, task, va)
    best, scores = None, {}
    for alpha in PLAN.alphas:
        w = np.linalg.lstsq(gram + alpha * np.eye(len(gram)), cross, rcond=None)[0]
        model = Linear(w, float(my - mx @ w), alpha, temperature, task, {})
        scores[alpha] = smape(np.ravel(model.forecast(data, va)), np.ravel(truth))
        if best is None or scores[alpha] < scores[best.alpha]:
            best = model
    best.val_smape = scores
    return best


def best_linear(data: Data, task: str) -> tuple[Linear, dict]:
    """Both linear models (without and with temperature) and the one with the lower validation
    sMAPE: (kept, {False: model, True: model})."""
    both = {t: fit_linear(data, task, t) for t in (False, True)}
    kept = min(both.values(), key=lambda m: m.val_smape[m.alpha])
    return kept, both


# ----- the networks -------------------------------------------------------------------------------
class Corrector(torch.nn.Module):
    """A recurrent network that corrects a base forecast: forward((x, base)) = base + scale * head,
    read at the last ``k`` steps. x: (batch, time, inputs); base: (batch, k), scaled load. The
    read-out starts at zero, so the untrained network *is* its base forecast; ``scale`` (the
    standard deviation of the base's error on the training targets) keeps its outputs of order 1."""

    def __init__(self, cell: str, n_in: int, hidden: int, k: int, scale: float):
        super().__init__()
        self.net = SequenceModel(cell, n_in, hidden, 1, per_step=True)
        torch.nn.init.zeros_(self.net.head.weight)
        torch.nn.init.zeros_(self.net.head.bias)
        self.k = k
        self.register_buffer("scale", torch.tensor(float(scale)))

    def forward(self, batch):
        x, base = batch
        return base + self.scale * self.net(x)[:, -self.k :, 0]


def inputs(data: Data, task: str, orig: np.ndarray) -> torch.Tensor:
    """The network's input sequences for ``orig``: (n, time, inputs), float32.

    One hour ahead: the ``lookback`` rows before the target, each row holding its scaled load and
    the covariates of the row *after* it (the last step carries the target hour's calendar and
    temperature). Day ahead: the ``lookback`` known rows and then every row up to the last target,
    each holding its load (0 once unknown), a known flag and its own covariates."""
    orig = np.asarray(orig)
    if task == "hour":
        rows = orig[:, None] - PLAN.lookback + np.arange(PLAN.lookback)[None, :]
        x = np.concatenate([data.z[rows][..., None], data.cov[rows + 1]], axis=2)
    else:
        steps = np.arange(-PLAN.lookback, LAST_LEAD + 1)
        rows = orig[:, None] + steps[None, :]
        known = np.broadcast_to(steps < 0, rows.shape).astype(float)
        x = np.concatenate(
            [(data.z[rows] * known)[..., None], known[..., None], data.cov[rows]], axis=2
        )
    return torch.from_numpy(x.astype(np.float32))


def n_inputs(task: str) -> int:
    return 1 + len(COVARIATES) + (task == "day")


def hidden_size(model: str, task: str) -> int:
    """The GRU's hidden size, and for the LSTM the one whose parameter count is closest to it."""
    if "GRU" in model:
        return PLAN.hidden_gru

    def count(h, cell):
        with torch.device("meta"):
            return count_parameters(SequenceModel(cell, n_inputs(task), h, 1))

    return hidden_size_for_budget(count(PLAN.hidden_gru, "gru"), lambda h: count(h, "lstm"))


@dataclass
class Run:
    """One training run: what it was, its learning curve, where it stopped and how long it took."""

    task: str
    model: str
    lr: float
    seed: int
    hidden: int = 0
    n_params: int = 0
    steps: list = field(default_factory=list)  # optimiser steps at each validation check
    val_smape: list = field(default_factory=list)  # validation sMAPE (%) at each check
    best_step: int = 0
    stopped_early: bool = False
    seconds: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.task}/{self.model}/lr={self.lr:g}/seed={self.seed}"

    @property
    def best_val(self) -> float:
        return float(min(self.val_smape))


def train_run(
    data: Data, task: str, model: str, lr: float, seed: int, linear: Linear | None = None
) -> tuple[Run, Corrector, dict]:
    """Train one network until validation stops improving: (run, model with its best weights,
    {'val': forecasts, 'test': forecasts} in MW, each (n, 1) or (n, 24))."""
    _checks.one_of("model", model, MODELS)
    cell = "gru" if "GRU" in model else "lstm"
    hybrid = model.startswith("ridge")
    if hybrid and linear is None:
        raise ValueError(f"{model!r} corrects the linear model: pass linear=.")
    started = time.perf_counter()
    k = 1 if task == "hour" else LAST_LEAD - FIRST_LEAD + 1

    def base(orig):
        if hybrid:
            return linear.scaled(data, orig)
        return naive_base(data, task, orig)

    tr = origins(data, task, "train")
    if task == "hour":  # stretches: span consecutive forecasts from one read of the rows
        starts = tr[: len(tr) - PLAN.span + 1]
        ahead = np.arange(PLAN.span)
        span_rows = PLAN.lookback + PLAN.span - 1
        full = np.concatenate([data.z[:, None], np.vstack([data.cov[1:], data.cov[-1:]])], axis=1)
        full = torch.from_numpy(full.astype(np.float32))
        base_all = np.zeros(len(data.load))
        base_all[tr] = base(tr)[:, 0]
        base_all = torch.from_numpy(base_all.astype(np.float32))
        z = torch.from_numpy(data.z.astype(np.float32))
        steps = torch.arange(span_rows) - PLAN.lookback
        pool = torch.from_numpy(starts)
        err = data.z[tr] - base_all.numpy()[tr]
    else:
        x_tr, b_tr = inputs(data, task, tr), torch.from_numpy(base(tr).astype(np.float32))
        y_tr = torch.from_numpy(data.z[targets(task, tr)].astype(np.float32))
        pool = torch.arange(len(tr))
        err = (y_tr - b_tr).numpy()
    scale = float(np.std(err)) or 1.0

    torch.manual_seed(seed)
    hidden = hidden_size(model, task)
    net = Corrector(cell, n_inputs(task), hidden, k, scale)
    order = {"perm": torch.zeros(0, dtype=torch.long), "pos": 0}

    def make_batch(gen):
        if order["pos"] + PLAN.batch_size > len(order["perm"]):
            order["perm"], order["pos"] = pool[torch.randperm(len(pool), generator=gen)], 0
        idx = order["perm"][order["pos"] : order["pos"] + PLAN.batch_size]
        order["pos"] += PLAN.batch_size
        if task == "day":
            return (x_tr[idx], b_tr[idx]), y_tr[idx]
        rows = idx[:, None] + steps  # (b, span_rows)
        tgt = idx[:, None] + torch.as_tensor(ahead)  # (b, span)
        return (full[rows], base_all[tgt]), z[tgt]

    class Stretch(torch.nn.Module):  # one hour ahead, training reads stretches
        def __init__(self):
            super().__init__()
            self.inner = net

        def forward(self, batch):
            x, b = batch
            out = self.inner.net(x)[:, PLAN.lookback - 1 :, 0]
            return b + self.inner.scale * out

    va, te = origins(data, task, "val"), origins(data, task, "test")
    x_va, b_va = inputs(data, task, va), torch.from_numpy(base(va).astype(np.float32))
    truth = np.ravel(actual(data, task, va))
    run = Run(task, model, float(lr), int(seed), hidden, count_parameters(net))
    stopper = EarlyStopping(PLAN.patience)
    every = PLAN.check_every[task]

    def evaluate(_):
        with torch.no_grad():
            f = data.to_mw(net((x_va, b_va)).numpy())
        score = smape(np.ravel(f), truth)
        run.steps.append(len(run.steps) * every + every)
        run.val_smape.append(score)
        return stopper.update(score, net)

    train(
        Stretch() if task == "hour" else net,
        make_batch,
        torch.nn.functional.mse_loss,
        steps=PLAN.max_steps,
        lr=lr,
        seed=seed,
        evaluate=evaluate,
        eval_every=every,
        stop_when=bool,
        clip=PLAN.clip,
    )
    net.load_state_dict(stopper.best_state)
    net.eval()
    run.best_step = stopper.best_epoch * every
    run.stopped_early = run.steps[-1] < PLAN.max_steps
    out = {}
    with torch.no_grad():
        for name, o in (("val", va), ("test", te)):
            b = torch.from_numpy(base(o).astype(np.float32))
            out[name] = data.to_mw(net((inputs(data, task, o), b)).numpy())
    run.seconds = time.perf_counter() - started
    return run, net, out


# ----- the experiment -----------------------------------------------------------------------------
def _code_lines(text: str) -> list[str]:
    """A source file's lines without docstrings, comment lines, blank lines and trailing spaces:
    what :func:`code_hash` hashes. Read from the text (docstrings located by the syntax tree), so
    the hash is the same under every Python version."""
    drop = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            drop.update(range(body[0].lineno - 1, body[0].end_lineno))
    return [
        line.rstrip()
        for i, line in enumerate(text.splitlines())
        if i not in drop and line.strip() and not line.lstrip().startswith("#")
    ]


def code_hash() -> str:
    """sha256 of the code in :data:`DEPENDS` (:func:`_code_lines`): editing a docstring or a comment
    line keeps committed results valid, editing code makes them stale."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for rel in DEPENDS:
        lines = _code_lines((root / rel).read_text(encoding="utf-8"))
        digest.update(rel.encode() + b"\0" + "\n".join(lines).encode() + b"\0")
    return digest.hexdigest()


_WORKER_DATA: dict = {}


def _job(args):
    task, model, lr, seed = args
    torch.set_num_threads(1)
    if "data" not in _WORKER_DATA:
        data = build_data(load_vic_elec())
        _WORKER_DATA["data"] = data
        _WORKER_DATA["linear"] = {t: best_linear(data, t)[0] for t in TASKS}
    data = _WORKER_DATA["data"]
    run, net, out = train_run(data, task, model, lr, seed, _WORKER_DATA["linear"][task])
    state = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    return run, state, out


def run(out_dir, workers: int = 2, seeds=None, log=print) -> dict:
    """Run the whole experiment and write :data:`FILES` to ``out_dir``; returns the manifest.

    Phase 1 trains every model with the first seed at each learning rate in :attr:`Plan.lrs`;
    phase 2 trains the other seeds at the learning rate that scored best on validation."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    seeds = tuple(PLAN.seeds if seeds is None else seeds)
    started = time.perf_counter()
    runs, states, forecasts = [], {}, {}

    def go(jobs):
        jobs = sorted(jobs, key=lambda j: ("LSTM" in j[1], j[0] == "day"))  # slow GRUs first
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            for r, state, out in pool.map(_job, jobs):
                log(
                    f"{r.key}: {len(r.steps)} checks, best {r.best_val:.3f}% at step "
                    f"{r.best_step}, {r.seconds:.0f} s"
                )
                runs.append(r)
                states[r.key] = state
                forecasts[r.key] = out

    go([(t, m, lr, seeds[0]) for t in TASKS for m in MODELS for lr in PLAN.lrs])
    chosen = {}
    for t in TASKS:
        for m in MODELS:
            first = [r for r in runs if r.task == t and r.model == m]
            chosen[f"{t}/{m}"] = min(first, key=lambda r: r.best_val).lr
    go([(t, m, chosen[f"{t}/{m}"], s) for t in TASKS for m in MODELS for s in seeds[1:]])
    final = {r.key for r in runs if r.lr == chosen[f"{r.task}/{r.model}"]}
    np.savez_compressed(
        out_dir / "forecasts.npz",
        **{
            f"{k}|{part}": v[part].astype(np.float32)
            for k, v in forecasts.items()
            if k in final
            for part in ("val", "test")
        },
    )
    np.savez_compressed(
        out_dir / "weights.npz",
        **{f"{k}|{name}": v for k, s in states.items() if k in final for name, v in s.items()},
    )
    (out_dir / "runs.json").write_text(
        json.dumps([{**asdict(r), "final": r.key in final} for r in runs], indent=1) + "\n"
    )
    manifest = {
        "command": COMMAND,
        "code_hash": code_hash(),
        "depends": [f"src/grubook/{d}" for d in DEPENDS],
        "seeds": list(seeds),
        "lrs": list(PLAN.lrs),
        "chosen_lr": chosen,
        "plan": asdict(PLAN),
        "seconds": round(time.perf_counter() - started, 1),
        "workers": workers,
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "torch": torch.__version__,
        },
        "date": time.strftime("%Y-%m-%d"),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


@dataclass
class Results:
    """Committed results, read by :func:`load`: the manifest, every run (phase 1 and 2), and the
    validation and test forecasts (MW) and weights of the final runs."""

    manifest: dict
    runs: list
    forecasts: dict
    weights: dict

    def final(self, task: str, model: str) -> list:
        """The final runs of one model on one task, in seed order."""
        out = [r for r in self.runs if r["final"] and r["task"] == task and r["model"] == model]
        return sorted(out, key=lambda r: r["seed"])

    def forecast(self, run: dict, part: str) -> np.ndarray:
        key = f"{run['task']}/{run['model']}/lr={run['lr']:g}/seed={run['seed']}"
        return self.forecasts[f"{key}|{part}"].astype(float)


def load(folder) -> Results:
    """Read committed results and check that the code they came from is today's code; a
    :class:`StaleResults` error names the command that rewrites them."""
    folder = Path(folder)
    missing = [f for f in FILES if not (folder / f).is_file()]
    if missing:
        raise StaleResults(
            f"{folder}: missing {', '.join(missing)}; run `{COMMAND}` (about an hour on 2 cores) "
            "to write the study's results."
        )
    manifest = json.loads((folder / "manifest.json").read_text())
    now = code_hash()
    if manifest.get("code_hash") != now:
        raise StaleResults(
            f"{folder}/manifest.json was computed with code hash {manifest.get('code_hash')!r}, "
            f"but the code it depends on ({', '.join(DEPENDS)} in src/grubook) now hashes to "
            f"{now!r}: the results are stale. Re-run `{COMMAND}` and commit {folder}."
        )
    with np.load(folder / "forecasts.npz") as f:
        forecasts = {k: f[k] for k in f.files}
    with np.load(folder / "weights.npz") as w:
        weights = {k: w[k] for k in w.files}
    runs = json.loads((folder / "runs.json").read_text())
    return Results(manifest, runs, forecasts, weights)


def rerun(results: Results, task: str, model: str, seed: int) -> tuple[Run, dict]:
    """Train one committed configuration again (its learning rate, the same seed, one thread, as
    the experiment does), for comparison with the committed run."""
    data = build_data(load_vic_elec())
    lr = results.manifest["chosen_lr"][f"{task}/{model}"]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        run, _, out = train_run(data, task, model, lr, seed, best_linear(data, task)[0])
    finally:
        torch.set_num_threads(threads)
    return run, out
