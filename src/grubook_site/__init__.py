"""The GRU Book's site machinery: the Sphinx extensions and static files that turn the chapters
into the published site. Not part of what the book teaches (that is :mod:`grubook`, which never
imports Sphinx).

- :mod:`grubook_site.assets`: everything a page loads comes from the site's own ``_static``
  folder (MathJax 3, a cartesian-only plotly.js, Thebe 0.9 for "Live Code", ``static/grubook.css``
  and ``static/grubook.js``), plus fixes for the Jupyter Book 1.0.4 / Sphinx 7.4 pairing;
- :mod:`grubook_site.lab`: the live labs (``{lab}``; ``static/lab.js`` runs the models);
- :mod:`grubook_site.widgets`: the build fails on a page that still embeds ipywidgets;
- :mod:`grubook_site.single_page`: a single-page build finds the bibliography and static paths;
- :mod:`grubook_site.pdf` (not an extension): ``make pdf`` prints the built site as one PDF.

Enabled as one Sphinx extension in ``_config.yml``::

    sphinx:
      extra_extensions: [grubook_site]
"""

from __future__ import annotations

from . import assets, lab, single_page, widgets

__version__ = "0.1.0"


def setup(app):
    for module in (assets, lab, single_page, widgets):
        module.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": __version__}
