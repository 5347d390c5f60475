"""The playground's directive: a page that trains a recurrent network in the reader's browser.

On a page::

    ```{playground}
    ```

puts ``<div class="grubook-play" data-settings="{...}">`` there, the settings being
:func:`grubook.play.settings` (the tasks' defaults and the book's colours, read from the code),
and makes the page load ``static/play.js`` and ``static/play.css``, which draw the playground and
train the network (the engine is described in play.js's header).
"""

from __future__ import annotations

import html
import json

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from grubook.play import settings

SCRIPT, CSS = "play.js", "play.css"


class play_node(nodes.General, nodes.Element):
    pass


class PlaygroundDirective(SphinxDirective):
    def run(self):
        node = play_node()
        data = html.escape(json.dumps(settings(), separators=(",", ":")), quote=True)
        node["html"] = (
            f'<div class="grubook-play" data-settings="{data}">'
            "<p>The playground trains a network in your browser; it needs JavaScript.</p></div>"
        )
        return [node]


def _visit(self, node):
    self.body.append(node["html"])
    raise nodes.SkipNode


def _page(app, pagename, templatename, context, doctree):
    if doctree is not None and any(doctree.findall(play_node)):
        app.add_js_file(SCRIPT, defer="defer")
        app.add_css_file(CSS)


def setup(app):
    app.add_node(play_node, html=(_visit, None))
    app.add_directive("playground", PlaygroundDirective)
    app.connect("html-page-context", _page)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.1"}


# ---------------------------------------------------------------------------------------------
# the speed of one training step in the page (the browser test prints it, `python -m
# benchmarks` tabulates it)

PAGE = "book/playground.html"
STEP = {"hidden_size": 16, "batch_size": 32, "bits": 8, "steps": 200, "warmup": 20}
LIMIT_MS = 16  # the bar: one step must fit in one frame at 60 frames a second

_BENCH_JS = "return window.grubookPlay.benchmark(arguments[0]);"


def step_times(driver, cells=("rnn", "gru", "lstm"), **sizes) -> dict[str, dict]:
    """{cell: {"median": ms, "times": [ms, ...]}}: one training step of the page's engine
    (drawing a batch of sums, forward, backpropagation through time, Adam), timed with
    ``performance.now()`` in the page open in ``driver`` (the playground page), at :data:`STEP`'s
    sizes unless ``sizes`` says otherwise."""
    settings = {**STEP, **sizes}
    return {cell: driver.execute_script(_BENCH_JS, {**settings, "cell": cell}) for cell in cells}
