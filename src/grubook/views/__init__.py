"""The book's interactive views, one module per chapter.

Each view is one *data function* (the numbers, from the real ``grubook`` models) and one *figure
function* (a whole Plotly figure for given slider values). :func:`grubook.sliders.static` drives
the figure function with precomputed slider steps on the static site;
:func:`grubook.sliders.explorer` drives it with ipywidgets in a live kernel. Chapters write
``from grubook import views`` and call ``views.gates.static_mix_figure()``; a module is imported
the first time it is used.
"""

import importlib

MODULES = ("rnn_basics", "gradients", "gates", "lstm_compare", "addition", "energy")
__all__ = list(MODULES)


def __getattr__(name):
    if name in MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
