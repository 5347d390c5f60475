"""grubook.timing: forward+backward timings of a layer, alone and interleaved."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

import grubook
from grubook import timing


@pytest.fixture
def layers():
    torch.manual_seed(0)
    return {"gru": grubook.GRU(3, 4), "lstm": torch.nn.LSTM(3, 4)}


def test_time_fwd_bwd_returns_one_positive_time_per_repeat(layers):
    x = torch.randn(5, 2, 3)
    times = timing.time_fwd_bwd(layers["gru"], x, repeats=4, warmup=1)
    assert len(times) == 4 and all(t > 0 for t in times)
    # it really ran backward: every parameter has a gradient
    assert all(p.grad is not None for p in layers["gru"].parameters())


def test_time_fwd_bwd_counts_calls():
    calls = []

    class Counting(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(1))

        def forward(self, x):
            calls.append(1)
            return x * self.w  # a plain tensor output works too

    timing.time_fwd_bwd(Counting(), torch.ones(3), repeats=3, warmup=2)
    assert len(calls) == 5


def test_compare_times_every_module_equally_often(layers):
    x = torch.randn(5, 2, 3)
    times = timing.compare(layers, x, repeats=3, warmup=0)
    assert set(times) == {"gru", "lstm"}
    assert all(len(v) == 3 and min(v) > 0 for v in times.values())


def test_median():
    assert timing.median([3.0, 1.0, 2.0]) == 2.0
    assert timing.median([1.0, 2.0, 3.0, 10.0]) == 2.5
    with pytest.raises(ValueError, match="at least one"):
        timing.median([])


def test_bad_arguments(layers):
    x = torch.randn(5, 2, 3)
    with pytest.raises(ValueError, match="repeats"):
        timing.time_fwd_bwd(layers["gru"], x, repeats=0)
    with pytest.raises(ValueError, match="warmup"):
        timing.time_fwd_bwd(layers["gru"], x, repeats=1, warmup=-1)
    with pytest.raises(ValueError, match="non-empty dict"):
        timing.compare({}, x)


def test_interleaved_runs_every_function_equally_often_in_shuffled_rounds():
    calls = []
    fns = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    times = timing.interleaved(fns, repeats=4, warmup=1, seed=3)
    assert set(times) == set("abc") and all(len(v) == 4 for v in times.values())
    warm, rounds = calls[:3], [calls[3 + 3 * i : 6 + 3 * i] for i in range(4)]
    assert warm == list("abc") and all(sorted(r) == list("abc") for r in rounds)
    assert len({tuple(r) for r in rounds}) > 1  # the order changes between rounds
    with pytest.raises(ValueError, match="non-empty dict"):
        timing.interleaved({})
    with pytest.raises(ValueError, match="repeats"):
        timing.interleaved(fns, repeats=0)


def test_compare_and_time_fwd_bwd_use_the_one_interleaved_timer(layers, monkeypatch):
    seen = []
    real = timing.interleaved

    def spy(fns, *args, **kwargs):
        seen.append(sorted(fns))
        return real(fns, *args, **kwargs)

    monkeypatch.setattr(timing, "interleaved", spy)
    x = torch.randn(5, 2, 3)
    timing.compare(layers, x, repeats=1, warmup=0)
    timing.time_fwd_bwd(layers["gru"], x, repeats=1, warmup=0)
    assert seen == [["gru", "lstm"], ["module"]]


def test_kernel_usage_sees_memory_the_process_touches_and_cpu_it_spends():
    # in a fresh process (as a chapter's kernel is), so the peak starts low
    code = """
import json, time
import numpy as np
from grubook.timing import kernel_usage
before = kernel_usage()
block = np.ones(512 * 2**20 // 8)  # 512 MiB, written, so resident
t0 = time.process_time()
while time.process_time() - t0 < 0.3:
    block[::4096] += 1.0
print(json.dumps([before, kernel_usage()]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = json.loads(out.stdout)
    # the peak includes the whole block (the process without it is about 300 MiB; pages of the
    # rest may have been dropped since `before`, so the rise is not exactly 512)
    assert after["peak_rss_mib"] >= max(512, before["peak_rss_mib"])
    assert after["cpu_seconds"] >= before["cpu_seconds"] + 0.25
