"""Speed and quality tables for The GRU Book: ``python -m benchmarks`` (``--help`` for options).

Sections: ``speed`` (grubook's kernel and readable loop vs torch.nn, forward+backward), ``book``
(time to execute each chapter, cold and from the execution cache), ``site`` (bytes each built page
loads, in Chromium), ``quality`` (addition task and energy forecasting). Tables are printed and
written to ``_build/benchmarks.md``. Nothing here is asserted in unit tests: these machines are
shared and noisy, so the tables quote medians of interleaved repeats and ratios measured in the
same process.
"""

import os

# NumPy's OpenBLAS threads keep spinning after a call and slow the next torch call on 2 cores
# (DESIGN.md): one BLAS thread for NumPy, set before NumPy or torch is imported.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
