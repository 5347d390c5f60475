"""Chapter 6's study settings, defined once: the chapter trains with them, and chapter 4 times its
layers at the same sizes. Change a field with ``dataclasses.replace(SETTINGS, epochs=30)``."""

from __future__ import annotations

from dataclasses import dataclass

from .prep import FEATURES


@dataclass(frozen=True)
class StudySettings:
    lookback: int = 90  # hours of history in each window
    hidden_gru: int = 32  # the LSTM gets the same parameter budget
    epochs: int = 8
    windows_per_epoch: int = 8192  # a random sample of the ~21,800 training windows
    batch_size: int = 128
    lr: float = 1e-2
    seeds: tuple[int, ...] = (0, 1)  # two seeds per model: the spread

    @property
    def n_features(self) -> int:
        """Input features per step without temperature: the load and the calendar columns."""
        return len(FEATURES)


SETTINGS = StudySettings()
