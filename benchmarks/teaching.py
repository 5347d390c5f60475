"""Section ``teaching``: the classroom commands of the README's "Teaching with the book", each
run once as a lecturer runs it (``make student``, ``make assignments``, ``make slides``,
``make pdf``), timed, with what it wrote, against the 10-minute limit each must keep on 2 cores.
The slides and the PDF need the built site (``make book``); without it they are reported as
skipped."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from ._common import table

ROOT = Path(__file__).resolve().parents[1]
HEAD = "## 5. Teaching: the classroom commands\n\n"
LIMIT_S = 10 * 60
#: (make target, the folder it writes, whether it needs the built site)
COMMANDS = (
    ("student", "_build/student", False),
    ("assignments", "_build/assignments", False),
    ("slides", "_build/slides", True),
    ("pdf", "_build/pdf", True),
)


def _size(folder: Path) -> tuple[int, float]:
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return len(files), sum(p.stat().st_size for p in files) / 1e6


def run(root: Path = ROOT) -> str:
    make = shutil.which("make")
    if make is None:
        return HEAD + "Skipped: `make` is not installed."
    built = (root / "_build" / "html" / "index.html").is_file()
    rows = []
    for target, folder, needs_site in COMMANDS:
        if needs_site and not built:
            rows.append([f"`make {target}`", "skipped: run `make book` first", "", "", ""])
            continue
        start = time.perf_counter()
        proc = subprocess.run(
            [make, "-s", target], cwd=root, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - start
        files, mb = _size(root / folder)
        ok = proc.returncode == 0 and seconds <= LIMIT_S
        verdict = f"≤ {LIMIT_S} s {'✓' if ok else '✗'}"
        if proc.returncode:
            verdict += f" (exit {proc.returncode}: {(proc.stdout + proc.stderr).strip()[-200:]})"
        rows.append([f"`make {target}`", f"{seconds:.1f}", files, f"{mb:.1f}", verdict])
    return (
        HEAD + "Each command once, in the repository, as the README gives it; files and size are "
        "what its output folder holds afterwards.\n\n"
        + table(["command", "wall s", "files", "MB", "target"], rows)
    )
