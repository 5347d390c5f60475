import math

import pytest

from grubook.stats import proportion_interval


def test_wilson_interval_known_values():
    # Wilson (1927) score interval; reference values computed by hand from the closed form
    lo, hi = proportion_interval(997, 1000)
    assert lo == pytest.approx(0.99124, abs=1e-4) and hi == pytest.approx(0.99898, abs=1e-4)
    lo, hi = proportion_interval(1000, 1000)
    assert hi == 1.0 and lo == pytest.approx(0.99617, abs=1e-4)
    lo, hi = proportion_interval(0, 10)
    assert lo == 0.0 and 0.25 < hi < 0.35


def test_interval_contains_the_estimate_and_narrows_with_n():
    for k, n in ((1, 3), (50, 100), (999, 1000)):
        lo, hi = proportion_interval(k, n)
        assert lo <= k / n <= hi
    small = proportion_interval(90, 100)
    large = proportion_interval(900, 1000)
    assert large[1] - large[0] < small[1] - small[0]
    wide = proportion_interval(90, 100, confidence=0.99)
    assert wide[0] < small[0] and wide[1] > small[1]


@pytest.mark.parametrize(
    ("args", "error", "names"),
    [
        ((5, 3), ValueError, "5 of 3"),
        ((1, 0), ValueError, "n >= 1"),
        ((-1, 10), ValueError, "-1 of 10"),
        ((1.5, 10), TypeError, "successes"),
        ((1, True), TypeError, "`n`"),
        ((1, 10, 1.0), ValueError, "confidence"),
        ((1, 10, math.nan), ValueError, "confidence"),
    ],
)
def test_bad_input(args, error, names):
    with pytest.raises(error, match=names):
        proportion_interval(*args)
