"""Fail the build on a page that embeds ipywidgets: on the static site they would be dead.

The built site loads no widget manager (no require.js, no ``@jupyter-widgets/html-manager``), so
an executed ipywidgets cell would leave controls that draw nothing, or nothing at all. A live
explorer (``grubook.sliders.explorer``) is for a running kernel (Colab, Binder, Live Code): its cell
carries the tag ``skip-execution``, so the build shows its code and no output; the static figure
next to it (``grubook.sliders.static``) is what a reader of the site drags.

Any page whose executed notebook still holds widget state
(``application/vnd.jupyter.widget-state+json``) or a widget-view output gets a Sphinx warning that
names the page and says what to do; the book builds with ``-W``, so the build fails. Such a page
is read again on every build, so the failure comes back until the page is fixed.
"""

from __future__ import annotations

from sphinx.util import logging

logger = logging.getLogger(__name__)

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
FIX = (
    "the static site has no widget manager, so these widgets would be dead. Tag each live "
    "explorer cell `skip-execution` (`:tags: [skip-execution]` in the page's code-cell; it stays "
    "live in Colab, Binder and Live Code) and show a `grubook.sliders.static` figure for the site."
)


def embedded_widgets(env, docname, doctree) -> list[str]:
    """What of ipywidgets a page embeds: its widget state and widget-view outputs, in words."""
    from docutils import nodes

    found = []
    js_files = (getattr(env, "nb_metadata", None) or {}).get(docname, {}).get("js_files", {})
    if any(
        key == "ipywidgets_state" or (kwargs or {}).get("type") == WIDGET_STATE
        for key, (_uri, kwargs) in js_files.items()
    ):
        found.append(f"embedded widget state ({WIDGET_STATE})")
    views = sum(WIDGET_VIEW in node.astext() for node in doctree.findall(nodes.raw))
    if views:
        found.append(f"{views} widget-view output(s) ({WIDGET_VIEW})")
    return found


def _record(app, doctree) -> None:
    env = app.env
    if not hasattr(env, "grubook_widgets"):
        env.grubook_widgets = set()
    found = embedded_widgets(env, env.docname, doctree)
    if not found:
        env.grubook_widgets.discard(env.docname)
        return
    env.grubook_widgets.add(env.docname)
    logger.warning(
        f"page {env.docname} embeds ipywidgets: {'; '.join(found)}; {FIX}",
        location=env.docname,
        type="grubook",
        subtype="widgets",
    )


def _still_outdated(app, env, added, changed, removed) -> list[str]:  # read again: see above
    return sorted(getattr(env, "grubook_widgets", set()) - set(removed))


def _purge(app, env, docname) -> None:
    getattr(env, "grubook_widgets", set()).discard(docname)


def _merge(app, env, docnames, other) -> None:
    if not hasattr(env, "grubook_widgets"):
        env.grubook_widgets = set()
    env.grubook_widgets |= getattr(other, "grubook_widgets", set()) & set(docnames)


def setup(app):
    app.connect("doctree-read", _record)
    app.connect("env-get-outdated", _still_outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.1"}
