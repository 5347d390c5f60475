"""A class JupyterHub sized from the build's own measurements.

Each chapter's last cell measures its kernel (:func:`grubook.timing.kernel_usage`: peak resident
memory and CPU time, top to bottom in the fresh kernel the build starts for it), and
:mod:`grubook_site.records` reads that back from the execution cache. From those numbers this
module derives the per-student resources of a Zero to JupyterHub deployment (the JupyterHub Helm
chart for Kubernetes) and writes its values file, ``deploy/jupyterhub/values.yaml``::

    python -m grubook_site.hub                # write deploy/jupyterhub/values.yaml from _build
    python -m grubook_site.hub --check        # fail if the file no longer covers this build

The rules, each stated once here and quoted in the file and in the instructor guide:

- memory guaranteed = the largest chapter peak x :data:`MEMORY_HEADROOM`, rounded up to
  :data:`MEMORY_STEP_MIB`; the headroom covers the Jupyter server and a second notebook left open;
  the limit is :data:`LIMIT_OVER_GUARANTEE` times the guarantee (a student who runs two chapters at
  once slows down rather than losing a kernel);
- CPU guaranteed = the most CPU seconds a chapter needs, spread over :data:`CHAPTER_MINUTES`
  minutes (every chapter then runs top to bottom in that time even when every student runs one
  at once), rounded up to :data:`CPU_STEP`; the limit is the most cores a chapter kept busy in the
  build (CPU seconds over wall seconds, rounded up, at least one);
- idle servers are culled after :data:`CULL_IDLE_S` seconds.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import yaml

from . import book as structure
from .book import BOOK, ROOT
from .records import Run, chapter_runs

VALUES = ROOT / "deploy" / "jupyterhub" / "values.yaml"
CACHE = ROOT / "_build" / ".jupyter_cache"

MEMORY_HEADROOM = 1.5
MEMORY_STEP_MIB = 256
LIMIT_OVER_GUARANTEE = 2
CHAPTER_MINUTES = 10
CPU_STEP = 0.5  # half a core: a chapter's CPU time varies with the threads torch spins up
CULL_IDLE_S = 3600
CULL_EVERY_S = 600
#: the image repo2docker builds from the repository (it reads binder/); a class pushes it to its
#: own registry and sets these two
IMAGE_NAME = "registry.example.edu/gru-book"
IMAGE_TAG = "set-to-the-built-tag"


@dataclass(frozen=True)
class Sizing:
    """Per-student resources, and the measurements they come from."""

    memory_guarantee_mib: int
    memory_limit_mib: int
    cpu_guarantee: float
    cpu_limit: int
    peak_rss_mib: float  # the largest chapter peak
    peak_chapter: str
    cpu_seconds: float  # the most CPU time a chapter took
    cpu_chapter: str


def sizing(runs: dict[str, Run]) -> Sizing:
    """:class:`Sizing` from {chapter name: :class:`Run`} (every chapter must have been measured)."""
    if not runs:
        raise ValueError("sizing needs the chapters' runs; none were given (run `make book` first)")
    missing = sorted(
        n for n, r in runs.items() if None in (r.peak_rss_mib, r.cpu_seconds, r.seconds)
    )
    if missing:
        raise ValueError(
            f"no kernel measurement for {', '.join(missing)}: each chapter's last cell glues "
            "run_usage (grubook.timing.kernel_usage); rebuild with `make book`"
        )
    peak_chapter = max(runs, key=lambda n: runs[n].peak_rss_mib)
    cpu_chapter = max(runs, key=lambda n: runs[n].cpu_seconds)
    peak = runs[peak_chapter].peak_rss_mib
    cpu = runs[cpu_chapter].cpu_seconds
    guarantee = MEMORY_STEP_MIB * math.ceil(peak * MEMORY_HEADROOM / MEMORY_STEP_MIB)
    share = max(CPU_STEP, CPU_STEP * math.ceil(cpu / (CHAPTER_MINUTES * 60) / CPU_STEP))
    busy = max(r.cpu_seconds / r.seconds for r in runs.values() if r.seconds > 0)
    return Sizing(
        memory_guarantee_mib=guarantee,
        memory_limit_mib=LIMIT_OVER_GUARANTEE * guarantee,
        cpu_guarantee=share,
        cpu_limit=max(1, math.ceil(busy - 0.05)),  # 2.03 busy cores is two cores and timer noise
        peak_rss_mib=peak,
        peak_chapter=peak_chapter,
        cpu_seconds=cpu,
        cpu_chapter=cpu_chapter,
    )


def mebibytes(text: str) -> float:
    """A Kubernetes/KubeSpawner memory size ("768M", "1.5G", "1024Mi") in MiB."""
    units = {"K": 2**-10, "M": 1, "G": 2**10, "T": 2**20}
    text = str(text).strip().removesuffix("i")
    if not text or text[-1] not in units:
        raise ValueError(f"memory size {text!r}: expected a number followed by K, M, G or T")
    return float(text[:-1]) * units[text[-1]]


def links(repo_url: str, chapters: list[str], hub: str = "https://hub.example.edu") -> dict:
    """{chapter: the nbgitpuller link that clones (or updates) the book in the student's home and
    opens that chapter's notebook in JupyterLab}."""
    name = repo_url.rstrip("/").rsplit("/", 1)[-1]
    return {
        c: f"{hub}/hub/user-redirect/git-pull?repo={quote(repo_url, safe='')}&branch=main"
        f"&urlpath={quote(f'lab/tree/{name}/book/{c}.ipynb', safe='')}"
        for c in chapters
    }


def values(s: Sizing) -> dict:
    """The Zero to JupyterHub values for :class:`Sizing` ``s``."""
    return {
        "singleuser": {
            "image": {"name": IMAGE_NAME, "tag": IMAGE_TAG},
            "defaultUrl": "/lab",
            "memory": {
                "guarantee": f"{s.memory_guarantee_mib}M",
                "limit": f"{s.memory_limit_mib}M",
            },
            "cpu": {"guarantee": s.cpu_guarantee, "limit": s.cpu_limit},
            "storage": {"capacity": "1Gi"},
        },
        "cull": {"enabled": True, "timeout": CULL_IDLE_S, "every": CULL_EVERY_S},
        "prePuller": {"hook": {"enabled": True}, "continuous": {"enabled": True}},
        "scheduling": {"userScheduler": {"enabled": True}},
    }


def header(s: Sizing) -> str:
    return "\n".join(
        [
            "# Zero to JupyterHub values for a class running The GRU Book:",
            "#   helm upgrade --install hub jupyterhub/jupyterhub --values "
            "deploy/jupyterhub/values.yaml",
            "# Written by `python -m grubook_site.hub` from the build's measurements; do not edit",
            "# the resources by hand (`make test` checks that they still cover the chapters).",
            f"# Largest peak: {s.peak_chapter}, {s.peak_rss_mib:.0f} MiB; memory guaranteed =",
            f"# peak x {MEMORY_HEADROOM} rounded up to {MEMORY_STEP_MIB} MiB, limit x"
            f"{LIMIT_OVER_GUARANTEE}.",
            f"# Most CPU: {s.cpu_chapter}, {s.cpu_seconds:.0f} s; CPU guaranteed = that over",
            f"# {CHAPTER_MINUTES} min, rounded up to {CPU_STEP}; limit = most cores a chapter used",
            "# The image: `repo2docker --no-run --image-name IMAGE .` (it reads binder/), pushed",
            "# to your registry; set singleuser.image to it. Idle servers are culled after 1 h.",
            "",
        ]
    )


def book_runs(cache: Path = CACHE, book: Path = BOOK) -> dict[str, Run]:
    """{chapter stem: :class:`Run`} of the six chapters, from the build's execution cache."""
    chapters = structure.chapters(book)
    found = chapter_runs(chapters, cache)
    return {p.stem: found[p.resolve()] for p in chapters if p.resolve() in found}


def covers(file_values: dict, s: Sizing) -> list[str]:
    """What in a values file no longer covers the measured needs ``s`` ([] if all is well)."""
    user = file_values.get("singleuser", {})
    problems = []
    have = mebibytes(user.get("memory", {}).get("guarantee", "0M"))
    if have < s.peak_rss_mib:
        problems.append(
            f"memory guarantee {have:.0f} MiB is below {s.peak_chapter}'s peak {s.peak_rss_mib:.0f}"
        )
    limit = mebibytes(user.get("memory", {}).get("limit", "0M"))
    if limit < have:
        problems.append(f"memory limit {limit:.0f} MiB is below the guarantee {have:.0f} MiB")
    share = float(user.get("cpu", {}).get("guarantee", 0))
    if share * CHAPTER_MINUTES * 60 < s.cpu_seconds:
        problems.append(
            f"CPU guarantee {share} runs {s.cpu_chapter} ({s.cpu_seconds:.0f} CPU s) in more than "
            f"{CHAPTER_MINUTES} minutes"
        )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grubook_site.hub", description=__doc__)
    parser.add_argument("--cache", type=Path, default=CACHE, help="the build's execution cache")
    parser.add_argument("--out", type=Path, default=VALUES, help="the values file to write")
    parser.add_argument("--check", action="store_true", help="only check --out against the build")
    args = parser.parse_args(argv)
    runs = book_runs(args.cache)
    if len(runs) < 6:
        print(f"hub: only {len(runs)} chapters have a record in {args.cache}: run `make book`")
        return 1
    s = sizing(runs)
    if args.check:
        problems = covers(yaml.safe_load(args.out.read_text()), s)
        for p in problems:
            print(f"hub: {args.out}: {p}; rerun `python -m grubook_site.hub`")
        return 1 if problems else 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(header(s) + yaml.safe_dump(values(s), sort_keys=False))
    print(f"hub: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
