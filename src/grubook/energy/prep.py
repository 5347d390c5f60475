"""From a load table to model inputs: features, a chronological split, scaling fit on the training
part only, and lookback windows.

A window for target row t holds the ``lookback`` rows *before* it, ``features[t - lookback : t]``,
and its target is the load at row t: a one-step-ahead forecast made only from the past.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from .. import _checks

FEATURES = ("load", "hour", "day_of_week", "month", "day_of_year")


def _check_table(df) -> None:
    """Raise unless ``df`` looks like a table from :mod:`grubook.energy.data`: a DataFrame with a
    DatetimeIndex and a ``load`` column."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"df must be a pandas DataFrame (from energy.load_vic_elec or energy.load_pjm_csv), "
            f"got {type(df).__name__}."
        )
    if not isinstance(df.index, pd.DatetimeIndex):
        raise TypeError(
            f"df must be indexed by time (a DatetimeIndex), got a {type(df.index).__name__}."
        )
    if "load" not in df.columns:
        raise ValueError(
            f"df must have a 'load' column (MW), as the energy loaders return; "
            f"found columns {list(df.columns)}."
        )


def add_calendar_features(df: pd.DataFrame, temperature: bool = False) -> pd.DataFrame:
    """The model's input columns, in order: ``load``, ``hour``, ``day_of_week`` (Monday = 0),
    ``month`` (1-12), ``day_of_year`` (1-366), and ``temperature`` when asked for.

    df: a table from :mod:`grubook.energy.data`, indexed by *local* time (the calendar features are
    read from the index, so a UTC index would put the morning peak at the wrong hour).
    """
    _check_table(df)
    _checks.boolean("temperature", temperature)
    idx = df.index
    out = pd.DataFrame(
        {
            "load": df["load"].to_numpy(float),
            "hour": idx.hour,
            "day_of_week": idx.day_of_week,  # the older .dayofweek / .weekday names also exist
            "month": idx.month,
            "day_of_year": idx.day_of_year,
        },
        index=idx,
    )
    if temperature:
        if "temperature" not in df.columns:
            raise ValueError(
                f"temperature=True needs a 'temperature' column; this table has {list(df.columns)}."
            )
        out["temperature"] = df["temperature"].to_numpy(float)
    return out.astype(float)


@dataclass(frozen=True)
class Split:
    """Row ranges of a chronological split: ``train``, ``val`` and ``test`` are ``range``
    objects."""

    train: range
    val: range
    test: range


def chronological_split(
    index: pd.DatetimeIndex, test_months: int = 3, val_months: int = 3
) -> Split:
    """Train on the past, validate on the months after it, test on the last ``test_months`` months.

    The test part starts at the first row on or after (last timestamp - ``test_months`` months,
    rounded up to the next midnight), the validation part ``val_months`` months before that.
    """
    test_months = _checks.positive_int("test_months", test_months)
    val_months = _checks.positive_int("val_months", val_months)
    end = index[-1]
    test_start = (end - pd.DateOffset(months=test_months)).ceil("D")
    val_start = test_start - pd.DateOffset(months=val_months)
    t0 = int(index.searchsorted(val_start))
    t1 = int(index.searchsorted(test_start))
    if t0 == 0:
        raise ValueError(
            f"the series ({index[0]} to {end}) is too short for {val_months} validation and "
            f"{test_months} test months with any training left."
        )
    return Split(range(0, t0), range(t0, t1), range(t1, len(index)))


class MinMaxScaler:
    """Scale every column to [0, 1] using the minimum and maximum of the rows it was fit on.

    Fit it on the training rows only: fitting on the whole series would let the test period's
    extremes shape the training inputs (a leak).
    """

    def fit(self, values: np.ndarray) -> MinMaxScaler:
        values = np.asarray(values, dtype=float)
        self.data_min_ = values.min(axis=0)
        self.data_max_ = values.max(axis=0)
        self.scale_ = np.where(
            self.data_max_ > self.data_min_, self.data_max_ - self.data_min_, 1.0
        )
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, dtype=float) - self.data_min_) / self.scale_

    def inverse_transform(self, values: np.ndarray, column: int | None = None) -> np.ndarray:
        """Undo :meth:`transform`: for every column, or for one ``column`` (e.g. 0, the load)."""
        if column is None:
            return np.asarray(values, dtype=float) * self.scale_ + self.data_min_
        return np.asarray(values, dtype=float) * self.scale_[column] + self.data_min_[column]


@dataclass
class Prepared:
    """Everything the models and baselines need, built by :func:`prepare`.

    times: the index; load: (rows,) raw load in MW; features: (rows, n_features) scaled, float32;
    columns: feature names; scaler: fit on ``split.train`` rows only; lookback: window length.
    """

    times: pd.DatetimeIndex
    load: np.ndarray
    features: np.ndarray
    columns: tuple
    scaler: MinMaxScaler
    split: Split
    lookback: int

    def targets(self, part: str) -> np.ndarray:
        """Row numbers t forecast in ``part`` ('train', 'val' or 'test'): every row of the part that
        has ``lookback`` rows before it, and for 'train', whose whole window lies in the training
        part."""
        rows = np.arange(getattr(self.split, part).start, getattr(self.split, part).stop)
        return rows[rows >= self.lookback]

    def windows(self, rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and targets for target rows ``rows``: x (n, lookback, n_features), y (n, 1), both
        scaled, float32. x[i] holds rows ``rows[i] - lookback`` to ``rows[i] - 1``; y[i] is the
        scaled load at ``rows[i]``."""
        rows = np.asarray(rows)
        if rows.size and (rows.min() < self.lookback or rows.max() >= len(self.load)):
            raise ValueError(
                f"target rows must lie in [{self.lookback}, {len(self.load)}); "
                f"got {rows.min()}..{rows.max()}."
            )
        feats = torch.from_numpy(self.features)
        idx = torch.from_numpy(rows[:, None] - self.lookback + np.arange(self.lookback)[None, :])
        return feats[idx], feats[torch.from_numpy(rows), :1]

    def to_load(self, scaled) -> np.ndarray:
        """Scaled load (any shape) back to MW."""
        if hasattr(scaled, "detach"):
            scaled = scaled.detach().cpu().numpy()
        return self.scaler.inverse_transform(np.asarray(scaled, dtype=float), column=0)


def prepare(
    df: pd.DataFrame,
    lookback: int = 90,
    test_months: int = 3,
    val_months: int = 3,
    temperature: bool = False,
) -> Prepared:
    """Features, split and scaling for a load table from :mod:`grubook.energy.data`.

    The scaler is fit on the training rows only and then applied to every row.
    """
    lookback = _checks.positive_int("lookback", lookback)
    _check_table(df)
    if df["load"].isna().any():
        raise ValueError(
            "the load column has missing values; load it with gaps='interpolate' first."
        )
    feats = add_calendar_features(df, temperature=temperature)
    for name in feats.columns:
        _checks.finite(f"prepare: column {name!r}", feats[name].to_numpy(float))
    split = chronological_split(feats.index, test_months, val_months)
    if lookback >= len(split.train):
        raise ValueError(
            f"lookback={lookback} leaves no training windows: the training part has only "
            f"{len(split.train)} rows; use a smaller lookback or a longer series."
        )
    values = feats.to_numpy(float)
    scaler = MinMaxScaler().fit(values[split.train.start : split.train.stop])
    return Prepared(
        times=feats.index,
        load=values[:, 0].copy(),
        features=scaler.transform(values).astype(np.float32),
        columns=tuple(feats.columns),
        scaler=scaler,
        split=split,
        lookback=lookback,
    )
