"""The GRU Book's site machinery: the Sphinx extensions and static files that turn the chapters
into the published site, and the commands that cut notebooks, editions, slides and a PDF from it
(README.md's module map lists each module). Not part of what the book teaches (that is
:mod:`grubook`, which never imports Sphinx).

The extensions (:mod:`.cache`, :mod:`.assets`, :mod:`.lab`, :mod:`.play`, :mod:`.widgets`,
:mod:`.single_page`) are enabled as one Sphinx extension in ``_config.yml``::

    sphinx:
      extra_extensions: [grubook_site]
"""

from __future__ import annotations

from . import assets, cache, lab, play, single_page, widgets

__version__ = "0.1.0"


def setup(app):
    for module in (cache, assets, lab, play, single_page, widgets):
        module.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": __version__}
