"""z_t and r_t stay tellable apart for readers with the common colour-vision deficiencies.

Each colour (and each heat-map scale of :data:`grubook.plotting.GATE_SCALES`) is passed through the
simulation of Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for Simulation
of Color Vision Deficiency", IEEE TVCG 15(6):1291-1298, at severity 1 (protanopia, deuteranopia,
tritanopia: the matrices of the paper's supplementary table, applied to linear RGB), and the
difference is measured as CIEDE2000 (Sharma, Wu & Dalal 2005, "The CIEDE2000 color-difference
formula: implementation notes"), in CIELAB under D65.

Thresholds: a CIEDE2000 difference of about 2 is just noticeable side by side; 20 is two clearly
different colours at a glance, which a legend entry and a line must be. Heat maps are compared at
the same value: at 0.5 and 1.0 the two scales must differ by at least 10 and 20; and each scale
must stay monotonic in lightness (L*), so a value can still be read off it without hue.
"""

from __future__ import annotations

import numpy as np
import pytest

from grubook.plotting import COLORS, GATE_SCALES

# Machado et al. (2009), severity 1.0, linear RGB -> linear RGB
MACHADO_2009 = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
VISIONS = ["normal", *MACHADO_2009]
MIN_LINE = 20.0  # two colours in one figure (legend, lines)
MIN_SCALE = {0.5: 10.0, 1.0: 20.0}  # two heat-map scales at the same value

# sRGB (IEC 61966-2-1) linear RGB -> XYZ, D65
_RGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
     [0.0193339, 0.1191920, 0.9503041]]
)  # fmt: skip
_WHITE = _RGB_TO_XYZ @ np.ones(3)


def srgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)])


def to_linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def simulate(c: np.ndarray, vision: str) -> np.ndarray:
    """sRGB in [0, 1] -> linear RGB as seen with ``vision``."""
    lin = to_linear(c)
    if vision == "normal":
        return lin
    return np.clip(np.array(MACHADO_2009[vision]) @ lin, 0.0, 1.0)


def lab(linear_rgb: np.ndarray) -> np.ndarray:
    t = (_RGB_TO_XYZ @ linear_rgb) / _WHITE
    e = 216 / 24389
    f = np.where(t > e, np.cbrt(t), (24389 / 27 * t + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """CIEDE2000 colour difference (kL = kC = kH = 1), after Sharma, Wu & Dalal (2005)."""
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dLp, dCp = L2 - L1, c2p - c1p
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    dHp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    Lp, Cp = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        Hp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        Hp = (h1p + h2p) / 2
    else:
        Hp = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    T = (
        1
        - 0.17 * np.cos(np.radians(Hp - 30))
        + 0.24 * np.cos(np.radians(2 * Hp))
        + 0.32 * np.cos(np.radians(3 * Hp + 6))
        - 0.20 * np.cos(np.radians(4 * Hp - 63))
    )
    d_theta = 30 * np.exp(-(((Hp - 275) / 25) ** 2))
    Rc = 2 * np.sqrt(Cp**7 / (Cp**7 + 25**7))
    Sl = 1 + 0.015 * (Lp - 50) ** 2 / np.sqrt(20 + (Lp - 50) ** 2)
    Sc = 1 + 0.045 * Cp
    Sh = 1 + 0.015 * Cp * T
    Rt = -np.sin(np.radians(2 * d_theta)) * Rc
    return float(
        np.sqrt((dLp / Sl) ** 2 + (dCp / Sc) ** 2 + (dHp / Sh) ** 2 + Rt * (dCp / Sc) * (dHp / Sh))
    )


def seen(hex_colour: str, vision: str) -> np.ndarray:
    return lab(simulate(srgb(hex_colour), vision))


def scale_at(scale, value: float) -> np.ndarray:
    """A Plotly colour scale's sRGB colour at ``value`` (Plotly interpolates in sRGB)."""
    stops = [s for s, _ in scale]
    colours = np.array([srgb(c) for _, c in scale])
    return np.array([np.interp(value, stops, colours[:, k]) for k in range(3)])


def test_ciede2000_matches_sharma_et_al_test_data():
    """Pairs 1, 7 and 17 of Sharma, Wu & Dalal's (2005) table of test data."""
    assert ciede2000(np.array([50, 2.6772, -79.7751]), np.array([50, 0, -82.7485])) == (
        pytest.approx(2.0425, abs=1e-4)
    )
    assert ciede2000(np.array([50, 0, 0]), np.array([50, -1, 2])) == pytest.approx(2.3669, abs=1e-4)
    assert ciede2000(np.array([50, 2.5, 0]), np.array([73, 25, -18])) == pytest.approx(
        27.1492, abs=1e-4
    )


def test_the_simulation_keeps_white_and_black():
    for vision in MACHADO_2009:
        assert simulate(srgb("#FFFFFF"), vision) == pytest.approx(np.ones(3), abs=0.01)
        assert simulate(srgb("#000000"), vision) == pytest.approx(np.zeros(3))


@pytest.mark.parametrize(
    "vision, a, b",
    [
        ("protanopia", "#E0001A", "#5E5316"),  # red and olive
        ("deuteranopia", "#E0001A", "#8E7E04"),  # red and ochre
        ("tritanopia", "#FF5500", "#EE0077"),  # orange and pink
    ],
)
def test_the_check_bites_on_a_pair_that_vision_confuses(vision, a, b):
    """Two colours that differ clearly for normal vision and hardly at all with the deficiency:
    the threshold would catch such a pair."""
    assert ciede2000(seen(a, "normal"), seen(b, "normal")) > MIN_LINE
    assert ciede2000(seen(a, vision), seen(b, vision)) < 2.5


@pytest.mark.parametrize("vision", VISIONS)
def test_update_and_reset_gate_colours_stay_apart(vision):
    d = ciede2000(seen(COLORS["update"], vision), seen(COLORS["reset"], vision))
    assert d >= MIN_LINE, (
        f"z_t {COLORS['update']} and r_t {COLORS['reset']} differ by only CIEDE2000 {d:.1f} "
        f"under {vision} (want {MIN_LINE})"
    )


@pytest.mark.parametrize("vision", VISIONS)
def test_update_and_reset_heat_map_scales_stay_apart(vision):
    z, r = GATE_SCALES["update"], GATE_SCALES["reset"]
    for value, least in MIN_SCALE.items():
        a = lab(simulate(scale_at(z, value), vision))
        b = lab(simulate(scale_at(r, value), vision))
        d = ciede2000(a, b)
        assert d >= least, (
            f"the z_t and r_t heat-map scales differ by only CIEDE2000 {d:.1f} at {value} "
            f"under {vision} (want {least})"
        )


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("gate", sorted(GATE_SCALES))
def test_gate_heat_map_scales_keep_their_order_in_lightness(gate, vision):
    """Without hue, a heat map is read by lightness: it must fall steadily from 0 to 1."""
    values = np.linspace(0, 1, 11)
    lightness = [lab(simulate(scale_at(GATE_SCALES[gate], v), vision))[0] for v in values]
    steps = np.diff(lightness)
    assert np.all(steps < 0), f"{gate} under {vision}: L* {np.round(lightness, 1).tolist()}"
    span = lightness[0] - lightness[-1]
    assert span >= 20, f"{gate} under {vision} spans only {span:.1f} L* from 0 to 1"
