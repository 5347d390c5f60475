"""The live labs: a directive that places one on a page, and the files it needs.

In a chapter::

    ```{lab} adder
    :weights: lab/05-addition-gru.json
    ```

The labs: ``adder`` (chapter 5, add your own numbers) and ``gates`` (chapter 3, turn the gates
of the recall model). ``weights`` is a JSON file the chapter wrote when it ran
(``grubook.lab.export_model``), found relative to the page's source. The directive puts
``<div class="grubook-lab" data-lab="adder" data-weights="lab/05-addition-gru.json">`` on the
page; the file is copied next to the built page (same relative path), and the page loads
``static/lab.js`` and ``static/lab.css``, which draw the lab and run the model.

The weights travel with the executed notebook: the page's export cell shows
``grubook.lab.Carried(path)``, an output that holds the whole file, and the directive reads it from
the notebook being rendered (executed now or taken from the jupyter cache, which writes no files).
A page without that output falls back to the file itself; the build fails when neither exists.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

from grubook.lab import MIME

LABS = ("adder", "gates")
SCRIPT, CSS = "lab.js", "lab.css"


class lab_node(nodes.General, nodes.Element):
    pass


class LabDirective(SphinxDirective):
    required_arguments = 1
    option_spec = {"weights": directives.unchanged_required}

    def run(self):
        lab = self.arguments[0]
        if lab not in LABS:
            raise self.error(f"lab-lab: unknown lab {lab!r}; one of {', '.join(LABS)}.")
        rel = self.options.get("weights", "")
        if not rel or os.path.isabs(rel) or ".." in Path(rel).parts:
            raise self.error("lab-lab needs :weights: a path relative to the page.")
        src = Path(self.env.doc2path(self.env.docname)).parent / rel
        text = carried(self.state.document, rel)
        if text is None and src.is_file():
            text = src.read_text(encoding="utf-8")
            self.env.note_dependency(str(src))
        if text is None:
            raise ExtensionError(
                f"lab-lab: no weights for {rel}: the page's notebook has no output of "
                f"grubook.lab.Carried({rel!r}) (show it as the last expression of the cell that "
                f"exports), and {src} does not exist."
            )
        out = str(Path(self.env.docname).parent / rel)
        files = self.env.__dict__.setdefault("grubook_lab_files", {})
        files.setdefault(self.env.docname, []).append((text, out))
        node = lab_node()
        node["html"] = (
            f'<div class="grubook-lab" data-lab="{html.escape(lab)}" '
            f'data-weights="{html.escape(rel)}">'
            "<p>This lab runs the chapter's trained model in your browser; it needs JavaScript."
            "</p></div>"
        )
        return [node]


def carried(document, rel: str) -> str | None:
    """The text of lab file ``rel`` from a ``grubook.lab.Carried`` output of the notebook that
    myst-nb is rendering into ``document``, or None."""
    # myst-nb keeps its element renderer on the document while it parses a notebook; that holds
    # the markdown renderer, whose nb_client holds the notebook (executed, or from the cache)
    renderer = getattr(document.attributes.get("nb_renderer"), "renderer", None)
    try:
        notebook = renderer.nb_client.notebook
    except (AttributeError, KeyError):
        return None
    for cell in getattr(notebook, "cells", []):
        for output in cell.get("outputs", []):
            data = output.get("metadata", {}).get(MIME)
            if isinstance(data, dict) and data.get("path") == rel:
                return data.get("text")
    return None


def _visit(self, node):
    self.body.append(node["html"])
    raise nodes.SkipNode


def _purge(app, env, docname):
    getattr(env, "grubook_lab_files", {}).pop(docname, None)


def _merge(app, env, docnames, other):
    mine = env.__dict__.setdefault("grubook_lab_files", {})
    for doc, files in getattr(other, "grubook_lab_files", {}).items():
        if doc in docnames:
            mine[doc] = files


def _page(app, pagename, templatename, context, doctree):
    if doctree is not None and any(doctree.findall(lab_node)):
        app.add_js_file(SCRIPT, defer="defer")
        app.add_css_file(CSS)


def _copy(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for files in getattr(app.env, "grubook_lab_files", {}).values():
        for text, out in files:
            dest = Path(app.outdir) / out
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")


def setup(app):
    app.add_node(lab_node, html=(_visit, None))
    app.add_directive("lab", LabDirective)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("html-page-context", _page)
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.1"}
