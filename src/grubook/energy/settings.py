"""Chapter 6's study settings, defined once: the chapter trains with them, and chapter 4 times its
layers at the same sizes. Change a field with ``dataclasses.replace(SETTINGS, max_epochs=40)``.

The sizes are chosen so that the whole chapter (20 one-hour and 10 day-ahead network runs) executes
in about two and a half minutes on one core: ``windows_per_epoch`` and ``max_epochs`` are the two
fields a bigger machine would raise first."""

from __future__ import annotations

from dataclasses import dataclass

from .prep import CYCLE_FEATURES, FEATURES


@dataclass(frozen=True)
class StudySettings:
    lookback: int = 90  # hours of history in each window
    hidden_gru: int = 16  # the LSTM gets the same parameter budget
    max_epochs: int = 10  # the most epochs a run may take (early stopping may end it sooner)
    patience: int = 4  # stop after this many epochs without a better validation score
    span: int = 90  # origins per training stretch: lookback + span - 1 rows, scored at span steps
    windows_per_epoch: int = 384  # stretches per epoch, a random sample of the ~21,700 start hours
    batch_size: int = 32  # stretches per batch: 32 x 90 = 2,880 forecasts per step
    lr: float = 3e-2
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)  # five seeds per configuration: the spread
    calendar: str = "cycles"  # how the networks see the clock (energy.add_calendar_features)

    @property
    def epochs(self) -> int:
        """The older name of :attr:`max_epochs`."""
        return self.max_epochs

    @property
    def stretch_rows(self) -> int:
        """Rows in one training stretch: the first forecast reads ``lookback`` of them."""
        return self.lookback + self.span - 1

    @property
    def n_features(self) -> int:
        """Input features per step without temperature: the load and the calendar columns."""
        return len(CYCLE_FEATURES if self.calendar == "cycles" else FEATURES)


SETTINGS = StudySettings()
