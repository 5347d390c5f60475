"""Data functions behind the book's interactive views, one module per chapter.

Each function computes what a view shows for one slider value by running the real ``grubook``
models. The live (ipywidgets) and static (Plotly) wrappers in the same module only draw it; see
:mod:`grubook.sliders`.
"""
