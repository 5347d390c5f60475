"""Reading chapter 6's study (:mod:`grubook.energy.study`): the three error measures, every model's
forecasts in one table, paired comparisons over seeds, and sentences that follow their intervals.

Nothing here trains anything, so the committed results do not depend on this file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from .forecast import Paired, mae, paired_difference, smape
from .study import (
    MODELS,
    Corrector,
    Data,
    Results,
    actual,
    hidden_size,
    inputs,
    n_inputs,
    naive,
    origins,
    targets,
)

RIDGE = {False: "ridge, no temperature", True: "ridge, with temperature"}  # the two linear models
SEASON = 24  # the seasonal naive that MASE is scaled by: the same hour one day earlier


def mase_scale(data: Data) -> float:
    """The MAE (MW) of the seasonal naive forecast (24 hours back) on the training rows: the M4
    competition's scale for MASE."""
    train = data.load[data.split.train.start : data.split.train.stop]
    return float(np.mean(np.abs(train[SEASON:] - train[:-SEASON])))


def scores(forecast, truth, scale: float) -> dict:
    """MAE (MW), sMAPE (%) and MASE of one forecast against the truth (any matching shapes)."""
    f, a = np.ravel(forecast), np.ravel(truth)
    err = mae(f, a)
    return {"MAE (MW)": err, "sMAPE (%)": smape(f, a), "MASE": err / scale}


def forecasts(results: Results, data: Data, task: str, part: str, linear: dict) -> dict:
    """Every model's forecasts (MW) of ``part`` ('val' or 'test'): {name: [array, ...]}, one array
    per seed for the networks and a single one for the naive forecasts and the linear models.
    linear: {False: model, True: model} from :func:`grubook.energy.study.best_linear`."""
    orig = origins(data, task, part)
    out = {name: [f] for name, f in naive(data, task, orig).items()}
    out[RIDGE[False]] = [linear[False].forecast(data, orig)]
    out[RIDGE[True]] = [linear[True].forecast(data, orig)]
    for model in MODELS:
        out[model] = [results.forecast(r, part) for r in results.final(task, model)]
    return out


def table(fcs: dict, truth, scale: float) -> pd.DataFrame:
    """One row per model: the mean of :func:`scores` over its seeds, and how many seeds."""
    rows = {}
    for name, fs in fcs.items():
        s = pd.DataFrame([scores(f, truth, scale) for f in fs]).mean()
        rows[name] = {**s.to_dict(), "seeds": len(fs)}
    return pd.DataFrame(rows).T


def smapes(fs: list, truth) -> np.ndarray:
    """sMAPE (%) of each forecast in ``fs`` (one per seed)."""
    return np.array([smape(np.ravel(f), np.ravel(truth)) for f in fs])


def compare(fcs: dict, truth, a: str, b: str) -> Paired:
    """Paired difference of validation sMAPE, a - b, over the seeds; a model without seeds (one
    forecast) is repeated for every seed of the other."""
    sa, sb = smapes(fcs[a], truth), smapes(fcs[b], truth)
    n = max(len(sa), len(sb))
    return paired_difference(np.resize(sa, n), np.resize(sb, n))


def judgement(p: Paired) -> str:
    """The interval in words: "clearly better" or "clearly worse" (a than b) only when it excludes
    zero, "cannot tell apart" when it spans it."""
    if not p.clear:
        return "cannot tell apart"
    return f"clearly {'better' if p.mean < 0 else 'worse'}"


def verdict(p: Paired, a: str, b: str) -> str:
    """:func:`judgement` as a sentence about ``a`` and ``b``."""
    if not p.clear:
        return f"we cannot tell {a} and {b} apart"
    return f"{a} is {judgement(p)} than {b}"


def interval(p: Paired) -> str:
    """``+0.12 pp (95% interval +0.05 to +0.19)``."""
    return f"{p.mean:+.2f} pp (95% interval {p.lo:+.2f} to {p.hi:+.2f})"


def comparisons(fcs: dict, truth, pairs) -> pd.DataFrame:
    """A table of paired comparisons (validation sMAPE, a - b) with the verdict of each."""
    out = {}
    for a, b in pairs:
        p = compare(fcs, truth, a, b)
        out[f"{a} vs {b}"] = {
            "mean a - b (pp)": f"{p.mean:+.3f}",
            "95% interval (pp)": f"{p.lo:+.3f} to {p.hi:+.3f}",
            "seeds a lower": f"{p.wins} of {p.n}",
            "verdict": judgement(p),
        }
    return pd.DataFrame(out).T


def holiday_mask(data: Data, task: str, part: str) -> np.ndarray:
    """For each origin of ``part``: True when its target hour (one hour ahead) or target day (day
    ahead) is a public holiday."""
    tg = targets(task, origins(data, task, part))
    return data.holiday[tg].any(axis=1)


def by_hour(data: Data, task: str, part: str, fs: list) -> np.ndarray:
    """MAE (MW) by hour of the day of the target (0-23), averaged over the seeds in ``fs``."""
    tg = targets(task, origins(data, task, part)).ravel()
    hours = np.asarray(data.times[tg].hour)
    truth = data.load[tg]
    err = np.mean([np.abs(np.ravel(f) - truth) for f in fs], axis=0)
    return pd.Series(err).groupby(hours).mean().to_numpy()


def trained(results: Results, data: Data, run: dict) -> Corrector:
    """The network of one committed run, with its trained weights."""
    cell = "gru" if "GRU" in run["model"] else "lstm"
    k = 1 if run["task"] == "hour" else 24
    key = f"{run['task']}/{run['model']}/lr={run['lr']:g}/seed={run['seed']}|"
    state = {
        name[len(key) :]: torch.from_numpy(v)
        for name, v in results.weights.items()
        if name.startswith(key)
    }
    net = Corrector(cell, n_inputs(run["task"]), hidden_size(run["model"], run["task"]), k, 1.0)
    net.load_state_dict(state)
    return net.eval()


class HourWindows:
    """The one-hour-ahead windows in the shape :func:`grubook.views.energy.gate_week` reads:
    ``windows(rows)`` -> (inputs, targets) for origins ``rows``, with ``times`` and ``load``."""

    def __init__(self, data: Data):
        self.data, self.times, self.load = data, data.times, data.load

    def windows(self, rows):
        rows = np.asarray(rows)
        return inputs(self.data, "hour", rows), torch.from_numpy(self.data.z[rows])


def truth(data: Data, task: str, part: str) -> np.ndarray:
    """The load (MW) at the targets of ``part``."""
    return actual(data, task, origins(data, task, part))
