"""From a load table to model inputs: features, a chronological split, scaling fit on the training
part only, and lookback windows.

A window for target row t holds the ``lookback`` rows *before* it, ``features[t - lookback : t]``,
and its target is the load at row t (one hour ahead) or at rows t to t + horizon - 1 (``horizon``
hours ahead, for example 24: the day-ahead job): a forecast made only from the past.

With ``lead=k`` (:func:`prepare`) every row carries, beside its own load, the calendar (and the
temperature) of the hour k rows *later*: the last k steps of a window then hold the target hours'
calendar, which is known in advance, and their temperature, used as observed (a perfect weather
forecast).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from .. import _checks

FEATURES = ("load", "hour", "day_of_week", "month", "day_of_year")
CYCLE_FEATURES = (
    "load",
    "hour_sin",
    "hour_cos",
    "hour_sin2",
    "hour_cos2",
    "week_sin",
    "week_cos",
    "weekend",
)
CALENDARS = ("numbers", "cycles")


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


def _check_regular(df) -> None:
    """Raise unless ``df``'s index is regular: in time order, no time repeated, every step the same
    (an hour, or half an hour for ``load_vic_elec("30min")``). A window counts rows, so a 24-row
    window must span 24 steps."""
    steps = np.diff(df.index.to_numpy(dtype="datetime64[ns]"))  # absolute time, across DST
    zero = np.timedelta64(0, "ns")
    if (steps <= zero).any():
        i = int(np.flatnonzero(steps <= zero)[0])
        a, b = df.index[i], df.index[i + 1]
        problem = (
            f"the time {a} appears twice (rows {i} and {i + 1})"
            if a == b
            else f"row {i + 1} ({b}) comes before row {i} ({a}): the index is not in time order"
        )
    else:
        values, counts = np.unique(steps, return_counts=True)
        step = values[counts.argmax()] if len(steps) else zero  # the table's step: the commonest
        bad = np.flatnonzero(steps != step)
        if not len(bad):
            return
        i = int(bad[0])
        a, b = df.index[i], df.index[i + 1]
        problem = (
            f"its step is {pd.Timedelta(step)}, but rows {i} and {i + 1} are {b - a} apart "
            f"({a} to {b}): rows are missing"
        )
    raise ValueError(
        f"df must have one row per time step, in time order, with none missing or repeated; "
        f"{problem}. Load the file with energy.load_pjm_csv (which fills short gaps) or, after "
        "dropna(), reindex to every step and fill the gaps; sort with df.sort_index() and drop "
        "repeated times."
    )


def add_calendar_features(
    df: pd.DataFrame, temperature: bool = False, calendar: str = "numbers"
) -> pd.DataFrame:
    """The model's input columns, in order: ``load``, the calendar, and ``temperature`` when asked
    for.

    calendar="numbers" (:data:`FEATURES`): ``hour``, ``day_of_week`` (Monday = 0), ``month``
    (1-12), ``day_of_year`` (1-366), as plain numbers. calendar="cycles" (:data:`CYCLE_FEATURES`):
    the hour of the day as a point on a circle, twice (sin and cos of 2 pi h / 24 and of
    4 pi h / 24, so that 23 h sits next to 0 h and the two daily peaks are easy to draw), the hour
    of the week on a circle (168 hours), and ``weekend`` (1 on Saturday and Sunday).

    df: a table from :mod:`grubook.energy.data`, indexed by *local* time (the calendar features are
    read from the index, so a UTC index would put the morning peak at the wrong hour).
    """
    _check_table(df)
    _checks.boolean("temperature", temperature)
    _checks.one_of("calendar", calendar, CALENDARS)
    idx = df.index
    if calendar == "numbers":
        columns = {
            "hour": idx.hour,
            "day_of_week": idx.day_of_week,  # the older .dayofweek / .weekday names also exist
            "month": idx.month,
            "day_of_year": idx.day_of_year,
        }
    else:
        day = 2 * np.pi * np.asarray(idx.hour) / 24
        week = 2 * np.pi * np.asarray(24 * idx.day_of_week + idx.hour) / 168
        columns = {
            "hour_sin": np.sin(day),
            "hour_cos": np.cos(day),
            "hour_sin2": np.sin(2 * day),
            "hour_cos2": np.cos(2 * day),
            "week_sin": np.sin(week),
            "week_cos": np.cos(week),
            "weekend": np.asarray(idx.day_of_week >= 5, dtype=float),
        }
    out = pd.DataFrame({"load": df["load"].to_numpy(float), **columns}, index=idx)
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
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(
            f"index must be a pandas DatetimeIndex (a table's .index), got {type(index).__name__}."
        )
    if not len(index):
        raise ValueError("index is empty; expected the timestamps of an hourly series.")
    if not index.is_monotonic_increasing:
        raise ValueError("index must be in time order (sort the table with .sort_index() first).")
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
        name = "MinMaxScaler.fit: values"
        values = _checks.finite(name, _checks.float_array(name, values))
        if not len(values):
            raise ValueError("MinMaxScaler.fit: values is empty; expected at least one row.")
        self.data_min_ = values.min(axis=0)
        self.data_max_ = values.max(axis=0)
        self.scale_ = np.where(
            self.data_max_ > self.data_min_, self.data_max_ - self.data_min_, 1.0
        )
        return self

    def _fitted(self, method: str) -> None:
        if not hasattr(self, "data_min_"):
            raise RuntimeError(f"MinMaxScaler.{method}: call fit(values) first.")

    def transform(self, values: np.ndarray) -> np.ndarray:
        self._fitted("transform")
        return (np.asarray(values, dtype=float) - self.data_min_) / self.scale_

    def inverse_transform(self, values: np.ndarray, column: int | None = None) -> np.ndarray:
        """Undo :meth:`transform`: for every column, or for one ``column`` (e.g. 0, the load)."""
        self._fitted("inverse_transform")
        if column is None:
            return np.asarray(values, dtype=float) * self.scale_ + self.data_min_
        return np.asarray(values, dtype=float) * self.scale_[column] + self.data_min_[column]


@dataclass
class Prepared:
    """Everything the models and baselines need, built by :func:`prepare`.

    times: the index; load: (rows,) raw load in MW; features: (rows, n_features) scaled, float32;
    columns: feature names; scaler: fit on ``split.train`` rows only; lookback: window length;
    lead: the calendar and temperature columns of row r describe row r + lead (0: row r itself).
    """

    times: pd.DatetimeIndex
    load: np.ndarray
    features: np.ndarray
    columns: tuple
    scaler: MinMaxScaler
    split: Split
    lookback: int
    lead: int = 0

    def targets(self, part: str, horizon: int = 1) -> np.ndarray:
        """Forecast origins t in ``part`` ('train', 'val' or 'test'): every row of the part that
        has ``lookback`` rows before it and whose ``horizon`` target rows t .. t + horizon - 1 lie
        in the part, and for 'train', whose whole window lies in the training part too."""
        _checks.one_of("part", part, ("train", "val", "test"))
        horizon = _checks.positive_int("horizon", horizon)
        span = getattr(self.split, part)
        last = span.stop - max(horizon, self.lead)  # targets and lead columns stay in the part
        rows = np.arange(span.start, max(last + 1, span.start))
        return rows[rows >= self.lookback]

    def windows(self, rows: np.ndarray, horizon: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and targets for origins ``rows``: x (n, lookback, n_features), y (n, horizon),
        both scaled, float32. x[i] holds rows ``rows[i] - lookback`` to ``rows[i] - 1``; y[i, j] is
        the scaled load at ``rows[i] + j``."""
        horizon = _checks.positive_int("horizon", horizon)
        rows = np.asarray(rows)
        if rows.ndim != 1 or (rows.size and not np.issubdtype(rows.dtype, np.integer)):
            raise TypeError(
                f"rows must be a 1-D array of integer row numbers, got dtype {rows.dtype} and "
                f"shape {_checks.shape_str(rows.shape)}."
            )
        top = len(self.load) - max(horizon, self.lead)
        if rows.size and (rows.min() < self.lookback or rows.max() > top):
            raise ValueError(
                f"target rows (forecast origins) must lie in [{self.lookback}, {top}] for "
                f"horizon={horizon} and lead={self.lead}; got {rows.min()}..{rows.max()}."
            )
        feats = torch.from_numpy(self.features)
        idx = torch.from_numpy(rows[:, None] - self.lookback + np.arange(self.lookback)[None, :])
        tgt = torch.from_numpy(rows[:, None] + np.arange(horizon)[None, :])
        return feats[idx], feats[tgt, 0]

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
    lead: int = 0,
    calendar: str = "numbers",
) -> Prepared:
    """Features, split and scaling for a load table from :mod:`grubook.energy.data`.

    The scaler is fit on the training rows only and then applied to every row. ``lead``: row r's
    calendar and temperature columns describe the hour ``lead`` rows later (see the module
    docstring); the last ``lead`` rows then repeat the last known temperature and are never a
    window's input for a valid origin. ``calendar``: "numbers" or "cycles", see
    :func:`add_calendar_features`.
    """
    lookback = _checks.positive_int("lookback", lookback)
    lead = _checks.non_negative_int("lead", lead)
    _check_table(df)
    _check_regular(df)
    if df["load"].isna().any():
        raise ValueError(
            "the load column has missing values; load it with gaps='interpolate' first."
        )
    feats = add_calendar_features(df, temperature=temperature, calendar=calendar)
    for name in feats.columns:
        _checks.finite(f"prepare: column {name!r}", feats[name].to_numpy(float))
    split = chronological_split(feats.index, test_months, val_months)
    if lookback >= len(split.train):
        raise ValueError(
            f"lookback={lookback} leaves no training windows: the training part has only "
            f"{len(split.train)} rows; use a smaller lookback or a longer series."
        )
    if lead:
        if lead >= len(feats):
            raise ValueError(f"lead={lead} must be shorter than the series ({len(feats)} rows).")
        ahead = add_calendar_features(
            df.set_axis(df.index + pd.Timedelta(hours=lead)),
            temperature=temperature,
            calendar=calendar,
        )  # the calendar of each row's time + lead (exact in real time, read on the local clock)
        for name in feats.columns[1:]:
            col = ahead[name].to_numpy(float)
            if name == "temperature":  # observed temperature, lead rows later
                col = np.concatenate([col[lead:], np.repeat(col[-1], lead)])
            feats[name] = col
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
        lead=lead,
    )
