"""What `make setup` promises: CPU-only torch at the pin, prerequisites checked first."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "scripts" / "check_prereqs.sh"


def test_torch_is_the_cpu_build_at_the_pinned_version():
    pins = dict(
        line.split("#")[0].strip().split("==")
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line.split("#")[0]
    )
    assert torch.__version__.split("+")[0] == pins["torch"]
    assert torch.version.cuda is None, f"a CUDA build of torch is installed ({torch.version.cuda})"
    nvidia = sorted(
        d.metadata["Name"]
        for d in metadata.distributions()
        if d.metadata["Name"].startswith("nvidia")
    )
    assert nvidia == [], f"CUDA libraries installed beside torch: {nvidia}"


def test_package_declares_the_python_it_needs():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.11"' in text
    assert sys.version_info >= (3, 11)


def _check(python: str, path: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/sh", str(CHECK), python],
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_prerequisite_check_passes_here():
    result = _check(sys.executable, os.environ["PATH"])
    assert result.returncode == 0, result.stderr


def _fake(tmp_path: Path, name: str, body: str) -> None:
    exe = tmp_path / name
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(0o755)


@pytest.mark.parametrize(
    ("fakes", "python", "expected"),
    [
        # an interpreter older than 3.11: it runs and says its version, the 3.11 check exits 1
        (
            {
                "node": "echo v20.0.0",
                "npm": "echo 10",
                "python3.10": 'case "$2" in *version_info[[]:3]*) echo 3.10.4;; *) exit 1;; esac',
            },
            "FAKE/python3.10",
            ["is Python 3.10.4, but the book needs Python 3.11", "PY=/path/to/python3.11"],
        ),
        # an interpreter that does not run at all (exit 1 for everything)
        (
            {"node": "echo v20.0.0", "npm": "echo 10"},
            "FAKE/python3",
            ["was found but does not run", "PY=/path/to/python3.11"],
        ),
        # no interpreter at all
        ({"node": "echo v20.0.0", "npm": "echo 10"}, "no-such-python3", ["not found"]),
        # no Node.js and no npm
        ({}, sys.executable, ["Node.js not found", "apt-get install nodejs npm", "npm not found"]),
        # Node.js 16: too old (node -e exits 1 for it)
        ({"node": "exit 1", "npm": "echo 8"}, sys.executable, ["Node.js 18 or newer"]),
    ],
)
def test_prerequisite_check_names_what_is_missing(tmp_path, fakes, python, expected):
    _fake(tmp_path, "python3", "exit 1")
    for name, body in fakes.items():
        _fake(tmp_path, name, body)
    python = python.replace("FAKE", str(tmp_path))
    result = _check(python, str(tmp_path))
    assert result.returncode == 1
    for text in expected:
        assert text in result.stderr, result.stderr


def test_setup_refuses_a_cuda_torch_before_installing_the_rest(tmp_path):
    """The check runs right after torch alone is installed (no dependencies yet, so it reads the
    wheel's metadata): a CUDA torch would otherwise pull GBs of CUDA libraries with the
    requirements before anything failed."""
    import re

    recipe = subprocess.run(
        ["make", "-n", "setup"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert recipe.index("m.version('torch')") < recipe.index("pip install -r requirements.txt")
    code = re.search(r'python -c "(import sys, importlib\.metadata.*?)" \|\|', recipe, re.S)
    code = code.group(1).replace("\\\n", "")
    wheels = [
        ("2.13.0+cpu", [], 0),
        ("2.13.0", ["nvidia-cudnn-cu12==9.1"], 1),
        ("2.13.0+cu128", [], 1),
    ]
    for version, requires, refused in wheels:
        dist = tmp_path / version / f"torch-{version}.dist-info"
        dist.mkdir(parents=True)
        lines = ["Metadata-Version: 2.1", "Name: torch", f"Version: {version}"]
        lines += [f"Requires-Dist: {r}" for r in requires]
        (dist / "METADATA").write_text("\n".join(lines) + "\n")
        env = dict(os.environ, PYTHONPATH=str(dist.parent))  # this fake torch is found first
        rc = subprocess.run([sys.executable, "-c", code], env=env).returncode
        assert rc == refused, (version, requires)
