"""Cell diagrams drawn from code, in one visual vocabulary for the whole book.

- A **rectangle** is a learned layer: a weighted sum of its inputs plus a bias, then the function
  written inside (sigma or tanh). Its colour is the quantity it computes: z_t is always
  ``COLORS["update"]``, r_t ``COLORS["reset"]``, the candidate ``COLORS["candidate"]``, the LSTM's
  gates their own colours.
- A **circle** is an element-wise operation with no weights: the product ⊙, the sum +, 1 - (.),
  tanh.
- The **state line** runs straight across the top of a cell, from the old state on the left to the
  new one on the right. In the GRU and the LSTM it passes only through element-wise operations; in
  the vanilla RNN it is cut by a layer (the picture of chapter 2's vanishing gradient).
- The old hidden state h_{t-1} (black) and the input x_t (grey) run along two buses under the
  layers; a dot marks where a line takes a copy of a bus.

:func:`draw_rnn_cell`, :func:`draw_gru_cell` and :func:`draw_lstm_cell` each draw on ``ax`` (a new
figure when None) and return the figure. ``equations`` writes the cell's equations, coloured like
the diagram: ``"below"`` (the default, and ``True``: suits a book's text column), ``"right"``
(a wide figure, for slides) or ``False`` (the diagram and its legend only).
"""

from __future__ import annotations

from .plotting import COLORS

LW = 2.0
H_COLOR = COLORS["hidden"]
X_COLOR = "#7A7A7A"  # the book's input grey, one shade darker so thin lines print
FONT = 13
BUS_H, BUS_X = 1.05, 0.45  # heights of the h_{t-1} and x_t buses
ROW = 2.45  # centre height of the layer rectangles
TOP = 5.0  # the state line
BOX_W, BOX_H = 1.05, 0.8
NODE_R = 0.27


def _tint(color: str, amount: float = 0.82) -> str:
    """``color`` mixed with white: the fill of a layer box."""
    color = color.lstrip("#")
    rgb = [int(color[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02X}" for c in rgb)


class _Canvas:
    """Drawing primitives in data coordinates (equal aspect)."""

    def __init__(self, ax):
        self.ax = ax

    def line(self, points, color=H_COLOR, arrow=True, lw=LW, z=1):
        """A polyline through ``points``; an arrowhead at its end when ``arrow``."""
        from matplotlib.patches import FancyArrowPatch
        from matplotlib.path import Path

        if arrow:
            verts = list(points)
            codes = [Path.MOVETO] + [Path.LINETO] * (len(verts) - 1)
            self.ax.add_patch(
                FancyArrowPatch(
                    path=Path(verts, codes),
                    arrowstyle="-|>",
                    mutation_scale=13,
                    color=color,
                    lw=lw,
                    zorder=z,
                    shrinkA=0,
                    shrinkB=0,
                    joinstyle="miter",
                    capstyle="butt",
                )
            )
        else:
            xs, ys = zip(*points)
            self.ax.plot(
                xs, ys, color=color, lw=lw, zorder=z, solid_capstyle="butt", solid_joinstyle="miter"
            )

    def dot(self, x, y, color=H_COLOR):
        self.ax.plot([x], [y], "o", ms=6, color=color, zorder=4)

    def box(self, x, y, text, color, label=None, label_side="left"):
        """A layer rectangle centred at (x, y), ``text`` (sigma, tanh) inside, ``label`` beside."""
        from matplotlib.patches import FancyBboxPatch

        self.ax.add_patch(
            FancyBboxPatch(
                (x - BOX_W / 2, y - BOX_H / 2),
                BOX_W,
                BOX_H,
                boxstyle="round,pad=0.0,rounding_size=0.12",
                fc=_tint(color),
                ec=color,
                lw=LW,
                zorder=3,
            )
        )
        self.ax.text(x, y, text, ha="center", va="center", fontsize=FONT + 1, zorder=5)
        if label:  # the quantity's name, beside the box at mid-height
            dx = -(BOX_W / 2 + 0.1) if label_side == "left" else BOX_W / 2 + 0.1
            self.ax.text(
                x + dx,
                y,
                label,
                ha="right" if label_side == "left" else "left",
                va="center",
                fontsize=FONT + 2,
                color=color,
                zorder=5,
            )

    def node(self, x, y, text, color=H_COLOR, r=NODE_R, fontsize=FONT + 2):
        """An element-wise operation: a circle with ``text`` inside."""
        from matplotlib.patches import Circle, Ellipse

        if text == "tanh":  # a wider ellipse
            self.ax.add_patch(
                Ellipse((x, y), 3.7 * r, 2 * r, fc="white", ec=color, lw=LW, zorder=3)
            )
            fontsize = FONT - 1
        else:
            self.ax.add_patch(Circle((x, y), r, fc="white", ec=color, lw=LW, zorder=3))
        self.ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=5)

    def text(self, x, y, s, color=H_COLOR, size=FONT + 1, **kw):
        kw.setdefault("ha", "center")
        kw.setdefault("va", "center")
        self.ax.text(x, y, s, color=color, fontsize=size, zorder=6, **kw)

    def frame(self, x0, x1, y0=0.05, y1=TOP - 0.55):
        """The cell's outline: a light rounded rectangle behind everything."""
        from matplotlib.patches import FancyBboxPatch

        self.ax.add_patch(
            FancyBboxPatch(
                (x0, y0),
                x1 - x0,
                y1 - y0,
                boxstyle="round,pad=0.2,rounding_size=0.3",
                fc="#F6F6F6",
                ec="#BBBBBB",
                lw=1.2,
                zorder=0,
            )
        )


def _axes(ax):
    """(figure, axes, whether we created the figure)."""
    import matplotlib.pyplot as plt

    created = ax is None
    if created:
        fig, ax = plt.subplots()
    else:
        fig = ax.figure
    ax.set_axis_off()
    ax.set_aspect("equal")
    return fig, ax, created


def _mode(equations) -> str | None:
    if equations is True:
        return "below"
    if not equations:
        return None
    if equations not in ("below", "right"):
        raise ValueError(f'equations must be "below", "right", True or False, got {equations!r}.')
    return equations


def _finish(fig, ax, c, created, equations, eq_lines, legend_lines, x0, x1, y0, y1, right_width):
    """Place the equations and the legend, set the limits, size a figure we created.

    The diagram occupies x0..x1, y0..y1 (data units); right_width: how far the equations reach to
    the right of x1 in "right" mode."""
    mode = _mode(equations)
    step = 0.8
    if mode == "right":
        xe = x1 + 0.5
        _equations(c, xe, y1 - 1.3, eq_lines, step)
        _legend(c, xe, y1 - 1.5 - step * len(eq_lines), legend_lines)
        x1 = x1 + right_width
    else:
        legend_ha, legend_x = "left", x0 + 0.2
        y = y0 - 0.35
        if mode == "below":
            _equations(c, legend_x, y, eq_lines, step)
            y -= step * len(eq_lines) + 0.1
        _legend(c, legend_x, y, legend_lines, ha=legend_ha)
        y0 = y - 0.5 * len(legend_lines) - 0.05
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if created:
        width = 13.0 if mode == "right" else 7.0
        fig.set_size_inches(width, width * (y1 - y0) / (x1 - x0))
    return fig


def _inputs(c: _Canvas, x_end: float, h_end: float, taps_hx=(), taps_x=(), h_enter=True):
    """The two buses: h_{t-1} drops from the state line on the left to BUS_H; x_t rises from the
    bottom to BUS_X. ``taps_hx``: x positions of layers fed by both buses; ``taps_x``: by x_t
    only."""
    if h_enter:
        c.line([(-0.2, TOP), (0.55, TOP), (0.55, BUS_H), (h_end, BUS_H)], arrow=False)
    c.line([(1.2, -0.75), (1.2, BUS_X), (x_end, BUS_X)], color=X_COLOR, arrow=False)
    c.text(1.2, -0.98, "$x_t$", color=H_COLOR, va="top")
    for x in taps_hx:
        c.line([(x, BUS_X), (x, ROW - BOX_H / 2)], color=X_COLOR, z=1)
        c.line([(x, BUS_H), (x, ROW - BOX_H / 2)], z=2)
        c.dot(x, BUS_X, X_COLOR)
        c.dot(x, BUS_H)
    for x in taps_x:
        c.line([(x, BUS_X), (x, ROW - BOX_H / 2)], color=X_COLOR)
        c.dot(x, BUS_X, X_COLOR)


LEGEND = (
    r"$\sigma$: sigmoid, values in (0, 1);   tanh: values in (−1, 1);   "
    r"$\odot$: element-wise product",
    "rectangles: learned layers (weights, then σ or tanh);   circles: element-wise operations",
)


def _legend(c: _Canvas, x: float, y: float, lines=LEGEND, ha="left"):
    for i, s in enumerate(lines):
        c.text(x, y - 0.5 * i, s, size=FONT - 2, color="#444444", ha=ha)


def _equations(c: _Canvas, x: float, y: float, lines, step: float = 0.8):
    """Equations from (x, y) downward, each in the colour of the quantity it defines."""
    for text, color in lines:
        c.text(x, y, text, color=color, size=FONT + 1, ha="left")
        y -= step


def draw_rnn_cell(ax=None, equations="below"):
    """The vanilla (tanh) RNN cell: one layer, and the state line cut by it. Returns the figure."""
    fig, ax, created = _axes(ax)
    c = _Canvas(ax)
    c.frame(0.1, 4.0)
    x = 2.6
    c.text(-0.35, TOP, "$h_{t-1}$", ha="right")
    _inputs(c, x_end=x, h_end=x, taps_hx=[])
    c.line([(x, BUS_X), (x, ROW - BOX_H / 2)], color=X_COLOR)
    c.line([(x, BUS_H), (x, ROW - BOX_H / 2)])
    c.dot(x, BUS_X, X_COLOR)
    c.box(x, ROW, "tanh", COLORS["hidden"])
    c.line([(x, ROW + BOX_H / 2), (x, TOP), (4.9, TOP)])
    c.text(5.05, TOP, "$h_t$", ha="left")
    return _finish(
        fig,
        ax,
        c,
        created,
        equations,
        [(r"$h_t = \tanh(W x_t + U h_{t-1} + b)$", COLORS["hidden"])],
        (
            "every step rewrites the whole state through one layer:",
            "no straight path from $h_{t-1}$ to $h_t$",
        ),
        x0=-1.1,
        x1=5.8,
        y0=-1.45,
        y1=TOP + 0.6,
        right_width=5.0,
    )


def draw_gru_cell(ax=None, equations="below"):
    """The GRU cell in PyTorch's convention (the reset gate scales U_n h_{t-1} + b_hn, after the
    matmul; a high z_t keeps the old state). Returns the figure."""
    fig, ax, created = _axes(ax)
    c = _Canvas(ax)
    cz, cr, cu, cn = COLORS["update"], COLORS["reset"], COLORS["candidate"], H_COLOR
    xz, xr, xu, xn = 2.2, 3.9, 5.55, 7.1  # z layer, r layer, U_n h + b_hn, candidate
    c.frame(0.1, 8.45)

    # buses and taps: z and r see x_t and h_{t-1}; U_n sees h_{t-1} only; the candidate x_t directly
    c.text(-0.35, TOP, "$h_{t-1}$", ha="right")
    _inputs(c, x_end=xn, h_end=xu, taps_hx=[xz, xr])
    c.line([(xu, BUS_H), (xu, ROW - 0.3)])  # U_n h_{t-1}: the bus ends in this small box
    c.line([(xn, BUS_X), (xn, ROW - BOX_H / 2)], color=X_COLOR)

    # the layers
    c.box(xz, ROW, r"$\sigma$", cz, label="$z_t$")
    c.box(xr, ROW, r"$\sigma$", cr, label="$r_t$")
    c.box(xn, ROW, "tanh", cu, label=r"$\tilde h_t$", label_side="right")
    # U_n h_{t-1} + b_hn: a small linear layer; r_t scales its output (PyTorch's placement)
    from matplotlib.patches import FancyBboxPatch

    y_u, y_r = ROW - 0.75, ROW + 0.2  # the U_n box, the reset product
    ax.add_patch(
        FancyBboxPatch(
            (xu - 0.4, y_u - 0.25),
            0.8,
            0.5,
            boxstyle="round,pad=0,rounding_size=0.08",
            fc="white",
            ec=cn,
            lw=LW,
            zorder=3,
        )
    )
    c.text(xu, y_u, "$U_n$", size=FONT)
    c.line([(xu, BUS_H), (xu, y_u - 0.25)])
    c.node(xu, y_r, r"$\odot$", color=cr)
    c.line([(xu, y_u + 0.25), (xu, y_r - NODE_R)])
    c.line(
        [(xr, ROW + BOX_H / 2), (xr, ROW + 0.95), (xu, ROW + 0.95), (xu, y_r + NODE_R)], color=cr
    )
    c.line([(xu + NODE_R, y_r), (xn - BOX_W / 2, y_r)], color=cr)

    # z_t: keeps the old state (z ⊙ h_{t-1}) and, through 1 - z, lets the candidate in
    y_mix = 3.95
    c.node(xz, TOP, r"$\odot$", color=cz)
    c.line([(xz, ROW + BOX_H / 2), (xz, TOP - NODE_R)], color=cz)
    c.dot(xz, y_mix, cz)
    x_one = 4.75
    c.node(x_one, y_mix, "1−", color=cz, fontsize=FONT)
    c.line([(xz, y_mix), (x_one - NODE_R, y_mix)], color=cz)
    c.node(xn, y_mix, r"$\odot$", color=cu)
    c.line([(x_one + NODE_R, y_mix), (xn - NODE_R, y_mix)], color=cz)
    c.line([(xn, ROW + BOX_H / 2), (xn, y_mix - NODE_R)], color=cu)
    c.node(xn, TOP, "+", color=cn)
    c.line([(xn, y_mix + NODE_R), (xn, TOP - NODE_R)], color=cu)

    # the state line: only element-wise operations between h_{t-1} and h_t
    c.line([(0.55, TOP), (xz - NODE_R, TOP)], arrow=False)
    c.line([(xz + NODE_R, TOP), (xn - NODE_R, TOP)])
    c.line([(xn + NODE_R, TOP), (9.25, TOP)])
    c.text(9.4, TOP, "$h_t$", ha="left")
    c.text(xz, TOP + 0.5, r"$z_t \odot h_{t-1}$", size=FONT - 1, color=cz)
    c.text(
        xn + NODE_R + 0.12, y_mix, r"$(1-z_t) \odot \tilde h_t$", size=FONT - 1, color=cu, ha="left"
    )

    return _finish(
        fig,
        ax,
        c,
        created,
        equations,
        [
            (r"$r_t = \sigma(W_r x_t + b_{ir} + U_r h_{t-1} + b_{hr})$", cr),
            (r"$z_t = \sigma(W_z x_t + b_{iz} + U_z h_{t-1} + b_{hz})$", cz),
            (r"$\tilde h_t = \tanh(W_n x_t + b_{in} + r_t \odot (U_n h_{t-1} + b_{hn}))$", cu),
            (r"$h_t = (1 - z_t) \odot \tilde h_t + z_t \odot h_{t-1}$", cn),
        ],
        LEGEND,
        x0=-1.1,
        x1=10.2,
        y0=-1.45,
        y1=TOP + 0.75,
        right_width=9.4,
    )


def draw_lstm_cell(ax=None, equations="below"):
    """The LSTM cell in PyTorch's convention (gates i, f, g, o; the cell state c_t runs along the
    top). Returns the figure."""
    fig, ax, created = _axes(ax)
    c = _Canvas(ax)
    ci, cf, cg, co, cc = (
        COLORS["input_gate"],
        COLORS["forget_gate"],
        COLORS["candidate"],
        COLORS["output_gate"],
        H_COLOR,
    )
    xf, xi, xg, xo, xt = 2.3, 4.05, 5.8, 7.55, 8.85
    c.frame(0.1, 9.6)

    # c_{t-1} along the top; h_{t-1} enters on the left at the height of its bus
    c.text(-0.35, TOP, "$c_{t-1}$", ha="right")
    c.text(-0.35, BUS_H, "$h_{t-1}$", ha="right")
    c.line([(-0.2, BUS_H), (xo, BUS_H)], arrow=False)
    c.line([(1.2, -0.75), (1.2, BUS_X), (xo, BUS_X)], color=X_COLOR, arrow=False)
    c.text(1.2, -0.98, "$x_t$", va="top")
    for x in (xf, xi, xg, xo):
        c.line([(x, BUS_X), (x, ROW - BOX_H / 2)], color=X_COLOR, z=1)
        c.line([(x, BUS_H), (x, ROW - BOX_H / 2)], z=2)
        c.dot(x, BUS_X, X_COLOR)
        if x != xo:
            c.dot(x, BUS_H)

    c.box(xf, ROW, r"$\sigma$", cf, label="$f_t$")
    c.box(xi, ROW, r"$\sigma$", ci, label="$i_t$")
    c.box(xg, ROW, "tanh", cg, label="$g_t$")
    c.box(xo, ROW, r"$\sigma$", co, label="$o_t$")

    # forget: f ⊙ c_{t-1}; write: i ⊙ g added to the cell state
    y_mix = 3.95
    c.node(xf, TOP, r"$\odot$", color=cf)
    c.line([(xf, ROW + BOX_H / 2), (xf, TOP - NODE_R)], color=cf)
    c.node(xg, y_mix, r"$\odot$", color=ci)
    c.line([(xi, ROW + BOX_H / 2), (xi, y_mix), (xg - NODE_R, y_mix)], color=ci)
    c.line([(xg, ROW + BOX_H / 2), (xg, y_mix - NODE_R)], color=cg)
    c.node(xg, TOP, "+", color=cc)
    c.line([(xg, y_mix + NODE_R), (xg, TOP - NODE_R)], color=ci)

    # the cell-state line, and the read-out h_t = o ⊙ tanh(c_t)
    c.line([(-0.2, TOP), (xf - NODE_R, TOP)])
    c.line([(xf + NODE_R, TOP), (xg - NODE_R, TOP)])
    c.line([(xg + NODE_R, TOP), (10.5, TOP)])
    c.text(10.65, TOP, "$c_t$", ha="left")
    c.dot(xt, TOP)
    c.node(xt, y_mix, "tanh", color=cc)
    c.line([(xt, TOP), (xt, y_mix + NODE_R)])
    c.node(xt, ROW, r"$\odot$", color=co)
    c.line([(xt, y_mix - NODE_R), (xt, ROW + NODE_R)])
    c.line([(xo + BOX_W / 2, ROW), (xt - NODE_R, ROW)], color=co)
    c.line([(xt, ROW - NODE_R), (xt, 1.7), (10.5, 1.7)])
    c.text(10.65, 1.7, "$h_t$", ha="left")

    return _finish(
        fig,
        ax,
        c,
        created,
        equations,
        [
            (r"$i_t = \sigma(W_i x_t + b_{ii} + U_i h_{t-1} + b_{hi})$", ci),
            (r"$f_t = \sigma(W_f x_t + b_{if} + U_f h_{t-1} + b_{hf})$", cf),
            (r"$g_t = \tanh(W_g x_t + b_{ig} + U_g h_{t-1} + b_{hg})$", cg),
            (r"$o_t = \sigma(W_o x_t + b_{io} + U_o h_{t-1} + b_{ho})$", co),
            (r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$", cc),
            (r"$h_t = o_t \odot \tanh(c_t)$", cc),
        ],
        LEGEND,
        x0=-1.3,
        x1=11.3,
        y0=-1.45,
        y1=TOP + 0.75,
        right_width=9.5,
    )
