"""How chapter 6 scores forecasts: sMAPE and MAE (finite values only; a NaN forecast must not
drop out of a mean and score as perfect), and :class:`EarlyStopping` on a validation score.

The study (:mod:`grubook.energy.study`) depends on this module and hashes it; what else chapter 6
uses lives in :mod:`grubook.energy.forecast`, which the committed results do not depend on.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from .. import _checks
from ..training import DivergenceError


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
    """The formula a widely copied tutorial uses, mean(|F - A| / (F + A) / 2) * 100: for values of
    zero or more exactly a quarter of :func:`smape` (a pair with F = A = 0 counts as 0, as there).
    Kept only to show the difference; do not report it. Negative values are refused: the formula
    was written for loads, and F + A can then be 0 with F != A."""
    f, a = _pair("tutorial_smape", forecast, actual)
    for name, x in (("forecast", f), ("actual", a)):
        if (x < 0).any():
            first = int(np.argmax(x < 0))
            raise ValueError(
                f"tutorial_smape: `{name}` must be zero or more (the formula divides by F + A), "
                f"got {x[first]} at index {first}."
            )
    denom = f + a
    ratio = np.divide(np.abs(f - a), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(np.mean(ratio / 2) * 100)


def mae(forecast, actual) -> float:
    """Mean absolute error, in the units of the data (MW here). forecast, actual: (n,) or (n, 1),
    finite."""
    f, a = _pair("mae", forecast, actual)
    return float(np.mean(np.abs(f - a)))


# ----- early stopping ----------------------------------------------------------------------------
class EarlyStopping:
    """Keep the best validation score seen so far and say when to stop.

    ``update(score, model)`` records one epoch's score (lower is better), copies the model's weights
    when it is the best so far, and returns True once ``patience`` epochs in a row have not improved
    on the best by more than ``min_delta``. A score that is not a finite number raises a
    :class:`grubook.training.DivergenceError`: a diverged epoch is never kept. ``best_epoch`` is
    1-based; ``best_state`` the kept weights."""

    def __init__(self, patience: int | None = None, min_delta: float = 0.0):
        self.patience = None if patience is None else _checks.positive_int("patience", patience)
        self.min_delta = _checks.finite_number("min_delta", min_delta)
        self.scores: list[float] = []
        self.best_epoch = 0
        self.best_score = np.inf
        self.best_state = None

    def update(self, score: float, model: torch.nn.Module | None = None) -> bool:
        if isinstance(score, (str, bytes, bool)):
            raise TypeError(f"score must be a number (a validation error), got {score!r}.")
        score = float(score)
        if not np.isfinite(score):
            raise DivergenceError(
                f"the validation score of epoch {len(self.scores) + 1} is {score}, not a finite "
                "number",
                len(self.scores) + 1,
            )
        self.scores.append(score)
        if score < self.best_score - self.min_delta or self.best_epoch == 0:
            self.best_score, self.best_epoch = score, len(self.scores)
            if model is not None:
                self.best_state = copy.deepcopy(model.state_dict())
        waited = len(self.scores) - self.best_epoch
        return self.patience is not None and waited >= self.patience
