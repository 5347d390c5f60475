"""Small statistics the chapters state: how sure a measured proportion is."""

from __future__ import annotations

import math
from statistics import NormalDist


def proportion_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n`` (Wilson, 1927).

    Unlike the normal approximation it stays inside [0, 1] and is not empty at 0 or n: 1000 of 1000
    right gives (0.996, 1.0) at 95%, a reminder that a perfect score on a sample is not a proof.
    """
    for name, value in (("successes", successes), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"proportion_interval: `{name}` must be an int, got {value!r}")
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(
            f"proportion_interval: expected 0 <= successes <= n and n >= 1, got {successes} of {n}"
        )
    if not (isinstance(confidence, float | int) and 0 < confidence < 1):
        raise ValueError(
            f"proportion_interval: `confidence` must lie in (0, 1), got {confidence!r}"
        )
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return lo, hi
