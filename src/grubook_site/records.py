"""The build's execution records of the chapters, read from myst-nb's execution cache
(jupyter-cache, ``_build/.jupyter_cache``).

A chapter's record is the one whose code matches the chapter's code now, the way the build itself
finds a chapter in the cache. From it: the seconds the run took (jupyter-cache's own
``execution_seconds``) and what the chapter's last cell measured of its fresh kernel
(:func:`grubook.timing.kernel_usage`, glued as ``run_usage``): peak memory and CPU time. The
instructor guide and ``python -m benchmarks`` read the same records through :func:`chapter_runs`
and :func:`glued`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

#: the glue name of a chapter's measurement of its own kernel
USAGE = "run_usage"


@dataclass(frozen=True)
class Run:
    """One chapter's last run in the build: wall seconds, peak resident memory (MiB) and CPU
    seconds of its kernel (``None`` where the record has no such measurement)."""

    seconds: float | None
    peak_rss_mib: float | None
    cpu_seconds: float | None


def glued(nb) -> dict[str, str]:
    """{glue name: its text/plain} of an executed notebook (myst-nb keeps a glued value as a
    cell output marked with ``scrapbook`` metadata)."""
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            scrap = out.get("metadata", {}).get("scrapbook", {})
            key = scrap.get("mime_prefix", "") + "text/plain"
            if scrap.get("name") and key in out.get("data", {}):
                values[scrap["name"]] = out["data"][key]
    return values


def usage(values: dict[str, str]) -> tuple[float | None, float | None]:
    """(peak MiB, CPU seconds) from a notebook's glue values; (None, None) if it has none."""
    text = values.get(USAGE)
    if text is None:
        return None, None
    try:
        data = ast.literal_eval(text)
        return float(data["peak_rss_mib"]), float(data["cpu_seconds"])
    except (ValueError, SyntaxError, KeyError, TypeError) as err:
        raise ValueError(f"glue {USAGE!r} is not a kernel_usage() result: {text!r}") from err


def chapter_runs(chapters: list[Path], cache_dir: Path) -> dict[Path, Run]:
    """{chapter path (resolved): its :class:`Run`} for the chapters (MyST .md files) that have a
    record in the cache at ``cache_dir`` matching their code now; {} if there is no cache."""
    if not (Path(cache_dir) / "global.db").exists():
        return {}
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    cache = get_cache(str(cache_dir))
    out = {}
    for path in chapters:
        try:
            record = cache.match_cache_notebook(read_myst_markdown_notebook(path.read_text()))
        except KeyError:
            continue
        peak, cpu = usage(glued(cache.get_cache_bundle(record.pk).nb))
        out[Path(path).resolve()] = Run(record.data.get("execution_seconds"), peak, cpu)
    return out
