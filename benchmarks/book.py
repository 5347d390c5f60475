"""Section 3: time to execute each chapter and the whole book, cold (fresh execution cache) and
unchanged (everything from the cache). Builds a temporary copy of the book, never the real
_build."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._common import table

ROOT = Path(__file__).resolve().parents[1]
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "_build",
    "node_modules",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    "__pycache__",
    "*.egg-info",
    "tests",
    "benchmarks",
    ".notes",
    ".npm-stub",
    ".ipynb_checkpoints",
)
COLD_TARGET_S, CACHED_TARGET_S = 8 * 60, 60


def verdict(seconds: float, target: float, rc: int) -> str:
    """The target column: within ``target`` seconds and a clean exit, or not."""
    return f"≤ {target} s {'✓' if seconds <= target and rc == 0 else '✗'}"


def jupyter_book() -> str | None:
    here = Path(sys.executable).parent / "jupyter-book"
    return str(here) if here.exists() else shutil.which("jupyter-book")


def build(exe: str, book: Path, timeout: float) -> tuple[float, int, str]:
    """One `jupyter-book build` of the copy in ``book``: (wall seconds, exit status, last lines)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [exe, "build", str(book), "--path-output", str(book)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-5:])
    return time.perf_counter() - start, proc.returncode, tail


def cache_records(cache_dir: Path) -> dict[str, dict]:
    """{notebook path: {"seconds": execution seconds, "created": time}} from jupyter-cache."""
    from jupyter_cache import get_cache

    if not cache_dir.exists():
        return {}
    return {
        Path(r.uri).name: {
            "seconds": float((r.data or {}).get("execution_seconds", float("nan"))),
            "created": r.created,
            "pk": r.pk,
        }
        for r in get_cache(str(cache_dir)).list_cache_records()
    }


def glue_values(cache_dir: Path, notebook: str) -> dict[str, str]:
    """The myst-nb glue values (their text/plain) of one executed notebook in the cache."""
    from jupyter_cache import get_cache

    from grubook_site.records import glued

    if not cache_dir.exists():
        return {}
    cache = get_cache(str(cache_dir))
    values = {}
    for record in cache.list_cache_records():
        if Path(record.uri).name == notebook:
            values.update(glued(cache.get_cache_bundle(record.pk).nb))
    return values


def run(timeout: float = 1500, root: Path = ROOT) -> tuple[str, Path | None]:
    """Build a fresh copy of ``root`` twice. Returns (markdown section, the copy's cache dir)."""
    head = "## 2. Executing the book\n\n"
    exe = jupyter_book()
    if exe is None:
        return head + "Skipped: `jupyter-book` is not installed in this environment.", None
    if not (root / "_toc.yml").exists():
        return head + "Skipped: no `_toc.yml` at the repository root.", None
    tmp = Path(tempfile.mkdtemp(prefix="grubook-bench-"))
    book = tmp / "book-copy"
    shutil.copytree(root, book, ignore=COPY_IGNORE)
    cache_dir = book / "_build" / ".jupyter_cache"
    cold_s, cold_rc, cold_tail = build(exe, book, timeout)
    cold = cache_records(cache_dir)
    warm_s, warm_rc, warm_tail = build(exe, book, timeout)
    warm = cache_records(cache_dir)
    re_executed = [
        nb for nb, rec in warm.items() if nb in cold and rec["created"] != cold[nb]["created"]
    ]

    from grubook_site.book import notebook_pages
    from grubook_site.records import chapter_runs

    runs = {p.name: r for p, r in chapter_runs(notebook_pages(book / "book"), cache_dir).items()}

    def measured(nb: str, field: str) -> str:
        value = getattr(runs.get(nb), field, None)
        return "" if value is None else f"{value:.0f}"

    rows = [
        [
            nb.removesuffix(".md").removesuffix(".ipynb"),
            f"{rec['seconds']:.1f}",
            measured(nb, "cpu_seconds"),
            measured(nb, "peak_rss_mib"),
            "re-executed" if nb in re_executed else "from cache",
        ]
        for nb, rec in sorted(cold.items())
    ]
    total_exec = sum(rec["seconds"] for rec in cold.values())
    rows.append(["**all chapters (execution only)**", f"**{total_exec:.1f}**", "", "", ""])
    lines = [
        head
        + "A copy of the repository (without `_build`) is built twice with `jupyter-book build`: "
        "cold, with a fresh execution cache, then again unchanged. Per-chapter seconds are "
        "jupyter-cache's own execution records of the cold build; CPU seconds and peak memory "
        "(resident, MiB) are each chapter's kernel as its last cell measured it "
        "(`grubook.timing.kernel_usage`), the numbers the instructor guide sizes a class hub from.",
        "",
        table(
            ["chapter", "cold execution s", "kernel CPU s", "peak memory MiB", "unchanged rebuild"],
            rows,
        ),
        "",
        table(
            ["build", "wall s", "exit status", "target"],
            [
                [
                    "cold (execute everything, then Sphinx)",
                    f"{cold_s:.1f}",
                    cold_rc,
                    verdict(cold_s, COLD_TARGET_S, cold_rc),
                ],
                [
                    "unchanged rebuild (from the cache)",
                    f"{warm_s:.1f}",
                    warm_rc,
                    verdict(warm_s, CACHED_TARGET_S, warm_rc),
                ],
            ],
        ),
    ]
    if cold_rc or warm_rc:
        lines += [
            "",
            "The build reported an error; its last lines:",
            "",
            "```",
            cold_tail or warm_tail,
            "```",
        ]
    return "\n".join(lines), cache_dir
