"""python -m benchmarks [--only speed,book,quality,site,teaching] [--threads N] ..."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import benchmarks  # noqa: F401  sets OPENBLAS_NUM_THREADS before torch is imported

# isort: split

import torch

from grubook import timing

from ._common import SIZES

SECTIONS = ("speed", "book", "quality", "site", "teaching")


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run, from {', '.join(SECTIONS)} (default: all)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1: the book trains with one thread, and on a shared "
        "2-core machine two threads collapse when another process holds a core)",
    )
    p.add_argument("--cells", default="gru,lstm,rnn", help="layers for section 1")
    p.add_argument(
        "--sizes", default="all", help="indices into the size list, e.g. 0,1,2 (default all)"
    )
    p.add_argument("--quick", action="store_true", help="fewer repeats (noisier)")
    p.add_argument(
        "--out", default=str(Path("_build") / "benchmarks.md"), help="markdown file to write"
    )
    args = p.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(args.only) - set(SECTIONS))
    if unknown:
        p.error(
            f"--only: unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}"
        )
    return args


def pick(spec: str, items):
    return list(items) if spec == "all" else [items[int(i)] for i in spec.split(",")]


def header(threads: int) -> str:
    cpu = timing.processor()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (
        f"# The GRU Book: benchmarks\n\n"
        f"{datetime.datetime.now().isoformat(timespec='seconds')}; torch {torch.__version__}, "
        f"{threads} torch thread(s), {os.cpu_count()} CPU(s) ({cpu}), "
        f"Python {platform.python_version()}, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}; "
        f"load average at start: {load}."
    )


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    torch.set_num_threads(args.threads)
    from . import speed

    sizes = pick(args.sizes, SIZES)
    cells = [c.strip() for c in args.cells.split(",")]
    started = time.perf_counter()
    parts = [header(torch.get_num_threads())]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def emit(text):
        parts.append(text)
        print("\n" + text + "\n", flush=True)
        out.write_text("\n\n".join(parts) + "\n")

    print(parts[0], flush=True)
    results = {}
    if "speed" in args.only:
        speed.measure(sizes, cells, quick=args.quick, results=results)
        emit(speed.speed_section(results, sizes, cells))
    cache_dir = None
    if "book" in args.only:
        from . import book

        text, cache_dir = book.run()
        emit(text)
    if "quality" in args.only:
        from . import quality

        emit("## 3. Quality\n\n" + quality.addition() + "\n\n" + quality.energy(cache_dir))
    if "site" in args.only:
        from . import site

        emit(site.run())
    if "teaching" in args.only:
        from . import teaching

        emit(teaching.run())
    if cache_dir is not None:
        shutil.rmtree(cache_dir.parents[2], ignore_errors=True)  # the temporary copy of the book
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    emit(
        f"Total benchmark time: {time.perf_counter() - started:.0f} s; "
        f"load average at the end: {load}. "
        f"Sections run: {', '.join(args.only)}."
    )
    print(f"Written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
