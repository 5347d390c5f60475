"""Chapter 2 views: how far back a gradient reaches in a vanilla RNN and in a GRU.

The quantity measured is ``||dh_T/dh_t||``, the spectral norm (largest singular value) of the
Jacobian of the last hidden state with respect to an earlier one, as a function of the distance
``T - t``. It is computed by autograd through the real :class:`grubook.RNN` / :class:`grubook.GRU`
layer, run one step at a time so that every ``h_t`` is a node of the graph. Models run in float64:
the norms fall below 1e-38, where float32 would round them to zero.

Data functions: :func:`rnn_gradient_norms` (slider: spectral radius of U),
:func:`gru_gradient_norms` (slider: the shift of the update-gate bias), :func:`clipping_step` (one
SGD step with and without ``clip_grad_norm_``).

Figure function: :func:`gradient_reach_figure` (radius, update_bias): the measured norms of the
RNN (and its linear rate) and of the GRU over distance, a whole Plotly figure. Its drivers:
:func:`static_rnn_figure` (a slider over the radius, the RNN alone) and :func:`static_gru_figure`
(a slider over the bias shift, the default-init RNN as reference), built with
:func:`grubook.sliders.static`, and :func:`explorer` (:func:`grubook.sliders.explorer`, continuous
sliders for both) for a kernel.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

from .. import _checks, sliders
from ..gru import GRU
from ..plotting import COLORS, OKABE_ITO
from ..rnn import RNN
from .rnn_basics import scale_spectral_radius

DTYPE = torch.float64
STEPS = 100  # T
HIDDEN = 32
INPUT = 1
BATCH = 8  # input sequences the norms are averaged over (geometric mean)
RADII = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0)
UPDATE_BIASES = (-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
NORM_RANGE = (1e-70, 1e10)  # the y-axis range of every gradient-reach figure


def spectral_radius(matrix: torch.Tensor) -> float:
    """Largest absolute eigenvalue of a square matrix."""
    return torch.linalg.eigvals(matrix.detach()).abs().max().item()


def rnn_with_radius(
    radius: float | None, hidden_size: int = HIDDEN, input_size: int = INPUT, seed: int = 0
):
    """A float64 :class:`grubook.RNN` at torch's default initialisation (seeded), with its recurrent
    matrix U = ``weight_hh_l0`` rescaled to spectral radius ``radius`` (None: leave it as
    initialised)."""
    torch.manual_seed(_checks.seed(seed))
    rnn = RNN(input_size, hidden_size, dtype=DTYPE)
    if radius is not None:
        with torch.no_grad():
            rnn.weight_hh_l0.copy_(scale_spectral_radius(rnn.weight_hh_l0, radius))
    return rnn


def gru_with_update_bias(
    shift: float, hidden_size: int = HIDDEN, input_size: int = INPUT, seed: int = 0
):
    """A float64 :class:`grubook.GRU` at default initialisation (seeded) with ``shift`` added to the
    update-gate bias b_iz: the second of the three blocks [r, z, n] of ``bias_ih_l0``.

    A positive shift pushes z_t = sigmoid(...) toward 1, which in PyTorch's convention KEEPS
    h_{t-1}.
    """
    torch.manual_seed(_checks.seed(seed))
    gru = GRU(input_size, hidden_size, dtype=DTYPE)
    H = hidden_size
    with torch.no_grad():
        gru.bias_ih_l0[H : 2 * H] += float(shift)
    return gru


def input_sequences(steps: int = STEPS, batch: int = BATCH, input_size: int = INPUT, seed: int = 0):
    """Standard-normal inputs x: (steps, batch, input_size), float64, from a seeded generator."""
    steps, batch = _checks.positive_int("steps", steps), _checks.positive_int("batch", batch)
    input_size = _checks.size("input_size", input_size)
    # seed + 1 wraps at 2**64 as torch reads seeds (-1 is 2**64 - 1): the same stream as before
    g = torch.Generator().manual_seed((_checks.seed(seed) + 1) % _checks.SEED_STOP)
    return torch.randn(steps, batch, input_size, generator=g, dtype=DTYPE)


def hidden_states(model, x: torch.Tensor) -> list[torch.Tensor]:
    """Run ``model`` (a grubook RNN or GRU layer) one step at a time on x: (time, batch, input).

    Returns [h_0, h_1, ..., h_T], each (1, batch, hidden), all connected in one autograd graph
    (h_0 = zeros). Running the layer one step per call gives the same states as one call on the
    whole sequence; it only keeps each h_t at hand so autograd can differentiate with respect to it.
    """
    h = x.new_zeros(1, x.shape[1], model.hidden_size, requires_grad=True)
    states = [h]
    for t in range(x.shape[0]):
        _, h = model(x[t : t + 1], h)
        states.append(h)
    return states


def jacobians(model, x: torch.Tensor) -> torch.Tensor:
    """dh_T/dh_t for every t, by autograd through ``model``.

    x: (T, batch, input). Returns J: (T + 1, batch, hidden, hidden) with J[t, b] = dh_T/dh_t for
    sequence b, so J[T] is the identity.

    Row i of a Jacobian is the gradient of unit i of h_T. Sequences in a batch are independent, so
    every sequence is run ``hidden`` times side by side (copy i seeds unit i of its own h_T) and one
    backward pass gives every row of every Jacobian at once.
    """
    B, H = x.shape[1], model.hidden_size
    states = hidden_states(model, x.repeat_interleave(H, dim=1))  # batch entry b * H + i
    h_T = states[-1][0]  # (B * H, H)
    seed = torch.eye(H, dtype=h_T.dtype).repeat(B, 1)  # copy i of every sequence seeds unit i
    grads = torch.autograd.grad(h_T, states, grad_outputs=seed)
    return torch.stack([g[0].reshape(B, H, H) for g in grads])  # (T + 1, batch, row i, column j)


def gradient_norms(model, x: torch.Tensor) -> np.ndarray:
    """Geometric mean over the batch of ||dh_T/dh_t||_2, indexed by distance d = T - t = 0..T."""
    norms = torch.linalg.matrix_norm(jacobians(model, x), ord=2)  # (T + 1, batch)
    log_mean = norms.clamp_min(1e-300).log10().mean(dim=1)
    return (10.0**log_mean).flip(0).detach().numpy()


def rnn_gradient_norms(
    radius: float | None,
    steps: int = STEPS,
    hidden_size: int = HIDDEN,
    batch: int = BATCH,
    seed: int = 0,
) -> dict:
    """||dh_T/dh_t|| over distance for a tanh RNN whose U has spectral radius ``radius``.

    Returns {"distance": (T+1,), "norm": (T+1,) geometric mean over ``batch`` random input
    sequences, "radius": the spectral radius actually used, "bound": radius**distance}.
    """
    rnn = rnn_with_radius(radius, hidden_size, seed=seed)
    used = spectral_radius(rnn.weight_hh_l0)
    norm = gradient_norms(rnn, input_sequences(steps, batch, seed=seed))
    distance = np.arange(steps + 1)
    return {
        "distance": distance,
        "norm": norm,
        "radius": used,
        "bound": used ** distance.astype(float),
    }


def gru_gradient_norms(
    update_bias: float,
    steps: int = STEPS,
    hidden_size: int = HIDDEN,
    batch: int = BATCH,
    seed: int = 0,
) -> dict:
    """||dh_T/dh_t|| over distance for a GRU at default init with the update-gate bias shifted by
    ``update_bias``.

    Returns {"distance", "norm" (as in :func:`rnn_gradient_norms`), "mean_update": the mean of z_t
    over all steps, units and sequences}.
    """
    gru = gru_with_update_bias(update_bias, hidden_size, seed=seed)
    x = input_sequences(steps, batch, seed=seed)
    norm = gradient_norms(gru, x)
    with torch.no_grad():
        _, _, gates = gru(x, return_gates=True)
    return {
        "distance": np.arange(steps + 1),
        "norm": norm,
        "mean_update": gates.update.mean().item(),
    }


# ----- exploding gradients and clipping ---------------------------------------------------------
def clipping_step(
    radius: float = 4.0,
    max_norm: float = 1.0,
    lr: float = 0.1,
    steps: int = STEPS,
    hidden_size: int = HIDDEN,
    batch: int = 64,
    seed: int = 0,
) -> dict:
    """One plain SGD step on a memory task, without and with ``torch.nn.utils.clip_grad_norm_``.

    The model is a tanh RNN whose U has spectral radius ``radius`` plus a linear read-out of h_T;
    the task is to output the first input x_1 after ``steps`` steps (mean squared error, ``batch``
    sequences). Returns a dict of dicts keyed "unclipped" and "clipped", each with the gradient
    norm that was applied, the length of the step, the loss after the step, the fraction of
    saturated units (|h_T| > 0.99) after it and the norm of the gradient that reaches the recurrent
    weights U after it; plus "loss_before", "grad_norm" (before clipping) and "cosine" (between
    the clipped and the unclipped gradient: clipping only shortens it).
    """
    rnn = rnn_with_radius(radius, hidden_size, seed=seed)
    head = torch.nn.Linear(hidden_size, 1, dtype=DTYPE)
    params = list(rnn.parameters()) + list(head.parameters())
    x = input_sequences(steps, batch, seed=seed)
    target = x[0]

    def loss_fn():
        return torch.nn.functional.mse_loss(head(rnn(x)[1][0]), target)

    start = [p.detach().clone() for p in params]
    loss0 = loss_fn()
    grads = torch.autograd.grad(loss0, params)
    out = {"loss_before": loss0.item()}
    applied = {}
    for name, clip in (("unclipped", math.inf), ("clipped", max_norm)):
        for p, g in zip(params, grads):
            p.grad = g.clone()
        out["grad_norm"] = torch.nn.utils.clip_grad_norm_(
            params, clip
        ).item()  # norm before clipping
        applied[name] = torch.cat([p.grad.flatten() for p in params])
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        loss = loss_fn()
        (grad_U,) = torch.autograd.grad(loss, rnn.weight_hh_l0)
        with torch.no_grad():
            saturated = (rnn(x)[1][0].abs() > 0.99).double().mean().item()
            for p, s in zip(params, start):
                p.copy_(s)
        out[name] = {
            "grad_norm": applied[name].norm().item(),
            "step": lr * applied[name].norm().item(),
            "loss_after": loss.item(),
            "saturated_after": saturated,
            "grad_U_after": grad_U.norm().item(),
        }
    a, b = applied["unclipped"], applied["clipped"]
    out["cosine"] = (a @ b / (a.norm() * b.norm())).item()
    return out


# ----- the gradient-reach view: one figure function, two drivers -------------------------------
@functools.lru_cache(maxsize=64)
def _rnn_curve(radius, steps, hidden_size, batch, seed) -> dict:
    # the figures call these with the same values again and again (a static figure's fixed
    # reference, a live slider moved back and forth): compute each curve once
    return rnn_gradient_norms(radius, steps, hidden_size, batch, seed)


@functools.lru_cache(maxsize=64)
def _gru_curve(update_bias, steps, hidden_size, batch, seed) -> dict:
    return gru_gradient_norms(update_bias, steps, hidden_size, batch, seed)


def gradient_reach_figure(
    radius: float | None = 1.0,
    update_bias: float = 0.0,
    *,
    show_gru: bool = True,
    steps: int = STEPS,
    hidden_size: int = HIDDEN,
    batch: int = BATCH,
    seed: int = 0,
):
    """||dh_T/dh_t|| over the distance T - t on a log axis: the tanh RNN whose U has spectral
    radius ``radius`` (None: default initialisation), measured (:func:`rnn_gradient_norms`) and
    its linear rate ρ**(T - t); with ``show_gru``, the GRU with the update-gate bias shifted by
    ``update_bias`` (:func:`gru_gradient_norms`) as well.

    Returns a ``plotly.graph_objects.Figure`` with two traces (RNN measured, ρ^(T−t)), three with
    ``show_gru`` (then the GRU), on one fixed y range (:data:`NORM_RANGE`) for every setting.
    """
    import plotly.graph_objects as go

    rnn = _rnn_curve(None if radius is None else float(radius), steps, hidden_size, batch, seed)
    rho = "default init" if radius is None else f"ρ = {rnn['radius']:.2g}"
    traces = [
        go.Scatter(
            x=rnn["distance"],
            y=rnn["norm"],
            name=f"tanh RNN, {rho}, measured",
            line={"color": COLORS["rnn"], "width": 3},
        ),
        go.Scatter(
            x=rnn["distance"],
            y=rnn["bound"],
            name=f"ρ^(T−t) = {rnn['radius']:.2g}^(T−t), the linear rate",
            line={"color": OKABE_ITO["orange"], "dash": "dot"},
        ),
    ]
    title = f"Gradient reach in a vanilla RNN ({rho}, T = {steps})"
    if show_gru:
        gru = _gru_curve(float(update_bias), steps, hidden_size, batch, seed)
        traces.append(
            go.Scatter(
                x=gru["distance"],
                y=gru["norm"],
                name=f"GRU, update-gate bias {update_bias:+g}, measured",
                line={"color": COLORS["gru"], "width": 3},
            )
        )
        title = (
            f"Gradient reach: tanh RNN ({rho}) and GRU (update-gate bias {update_bias:+g}), "
            f"T = {steps}"
        )
    lo, hi = NORM_RANGE
    layout = {
        "xaxis": {
            "title": {"text": "distance T − t (steps back from the last step)"},
            "range": [0, steps],
        },
        "yaxis": {
            "title": {"text": "‖∂h_T / ∂h_t‖ (log scale)"},
            "type": "log",
            "range": [math.log10(lo), math.log10(hi)],
            "exponentformat": "power",
        },
        "title": {"text": title, "y": 0.97, "yanchor": "top", "x": 0.02, "font": {"size": 16}},
        "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        "margin": {"t": 110, "b": 40, "l": 70, "r": 20},
        "height": 580,
    }
    return go.Figure(traces, layout)


def static_rnn_figure(radii=RADII, **kwargs):
    """:func:`gradient_reach_figure` for the RNN alone, with a slider over the spectral radius;
    step i is ``gradient_reach_figure(radii[i], show_gru=False, **kwargs)``."""
    radii = list(radii)
    return sliders.static(
        lambda radius: gradient_reach_figure(radius, show_gru=False, **kwargs),
        radii,
        label="spectral radius ρ of U",
        fmt="{:g}",
        initial=radii.index(1.0) if 1.0 in radii else 0,
    )


def static_gru_figure(biases=UPDATE_BIASES, **kwargs):
    """:func:`gradient_reach_figure` with a slider over the GRU's update-gate bias shift, the
    tanh RNN at default initialisation as a fixed reference; step i is
    ``gradient_reach_figure(None, biases[i], **kwargs)``."""
    biases = list(biases)
    return sliders.static(
        lambda shift: gradient_reach_figure(None, shift, **kwargs),
        biases,
        label="update-gate bias shift",
        fmt="{:+g}",
        initial=biases.index(0.0) if 0.0 in biases else 0,
    )


def explorer(radius: float = 1.0, update_bias: float = 0.0):
    """ipywidgets: continuous sliders for the RNN's spectral radius and the GRU's update-gate bias
    shift, redrawing :func:`gradient_reach_figure` with both models."""
    import ipywidgets as widgets

    return sliders.explorer(
        gradient_reach_figure,
        radius=widgets.FloatSlider(
            value=radius, min=0.25, max=4.0, step=0.25, description="ρ of U"
        ),
        update_bias=widgets.FloatSlider(
            value=update_bias,
            min=-2.0,
            max=6.0,
            step=0.5,
            description="z bias",
        ),
    )
