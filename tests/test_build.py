"""The build fails loudly: a failing cell or a Sphinx warning gives a non-zero exit.

Each test builds a one-page fixture book (tests/fixtures/) with the repository's own _config.yml and
the Makefile's jupyter-book flags, exactly as ``make book`` builds the real book.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
from bookbuild import build_book, jb_flags  # noqa: E402

pytestmark = pytest.mark.build


def test_makefile_builds_with_warnings_as_errors():
    flags = jb_flags()
    assert "-W" in flags and "--keep-going" in flags, flags


def test_a_failing_cell_fails_the_build(tmp_path):
    result = build_book("failing", tmp_path / "failing")
    assert result.returncode != 0, result.stdout[-3000:]
    # the reader of the log is told which cell failed and why
    assert "ZeroDivisionError" in result.stdout, result.stdout[-3000:]
    assert "this cell fails on purpose" in result.stdout


def test_a_sphinx_warning_fails_the_build(tmp_path):
    result = build_book("warning", tmp_path / "warning")
    assert result.returncode != 0, result.stdout[-3000:]
    assert "a-label-that-does-not-exist" in result.stdout
    assert "missing-figure.png" in result.stdout
