"""Prop geometry in the object's own frame (metres; +Z up for things standing on a surface, the phone's
screen on +Z), shaped so that the packaged COCO / OIDv4 detectors can recognise them (checked by
simulator.propcheck): a phone with a lit screen and a dark bezel, a mug with a handle, a bottle with a
neck and cap, a banana, donuts, a handbag with a strap, an umbrella with a crook handle, white sheets, a
red seal."""

from __future__ import annotations

import numpy as np

from simulator.body import rot_axis, unit
from simulator.render import Mesh


def bgr(hex_rgb: str) -> np.ndarray:
    v = int(hex_rgb.lstrip("#"), 16)
    return np.array([v & 255, (v >> 8) & 255, v >> 16], float)


def transformed(meshes: list[Mesh], rot: np.ndarray, offset) -> list[Mesh]:
    return [Mesh(m.vertices @ rot.T + np.asarray(offset, float), m.faces, m.colors, m.two_sided, m.unlit)
            for m in meshes]


def tube(path, radii, color, n: int = 10, caps: bool = True, closed: bool = False) -> Mesh:
    """A swept circle along a polyline (parallel-transported frame), radius per path point."""
    path = np.asarray(path, float)
    radii = np.broadcast_to(np.asarray(radii, float), (len(path),))
    tang = np.gradient(path, axis=0) if not closed else np.roll(path, -1, 0) - np.roll(path, 1, 0)
    tang = np.array([unit(t) for t in tang])
    ref = np.array([0, 0, 1.0]) if abs(tang[0][2]) < 0.9 else np.array([1.0, 0, 0])
    u = unit(ref - (ref @ tang[0]) * tang[0])
    rings = []
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    for p, t, r in zip(path, tang, radii, strict=True):
        u = unit(u - (u @ t) * t)
        v = np.cross(t, u)
        rings.append(p + r * (np.cos(ang)[:, None] * u + np.sin(ang)[:, None] * v))
    verts = np.concatenate(rings)
    k = len(path)
    faces = []
    for i in range(k if closed else k - 1):
        i2 = (i + 1) % k
        for j in range(n):
            j2 = (j + 1) % n
            a, b, c, e = i * n + j, i * n + j2, i2 * n + j2, i2 * n + j
            faces += [(a, b, c), (a, c, e)]
    if caps and not closed:
        verts = np.concatenate([verts, path[:1], path[-1:]])
        c0, c1 = len(verts) - 2, len(verts) - 1
        for j in range(n):
            j2 = (j + 1) % n
            faces += [(c0, j2, j), (c1, (k - 1) * n + j, (k - 1) * n + j2)]
    f = np.array(faces)
    return Mesh(verts, f, np.tile(np.asarray(color, float), (len(f), 1)), two_sided=True)


def slab(center, size, color, cells=(1, 1), unlit: bool = False, colors=None) -> Mesh:
    """A flat rectangle in the XY plane at height center[2], facing +Z, split into cells (colours per cell)."""
    cx, cy, cz = center
    sx, sy = size
    nx, ny = cells
    verts, faces, cols = [], [], []
    for i in range(nx):
        for j in range(ny):
            x0, y0 = cx - sx / 2 + sx * i / nx, cy - sy / 2 + sy * j / ny
            b = len(verts)
            verts += [[x0, y0, cz], [x0 + sx / nx, y0, cz], [x0 + sx / nx, y0 + sy / ny, cz], [x0, y0 + sy / ny, cz]]
            faces += [(b, b + 1, b + 2), (b, b + 2, b + 3)]
            c = color if colors is None else colors[(i * ny + j) % len(colors)]
            cols += [c, c]
    return Mesh(np.array(verts, float), np.array(faces), np.array(cols, float), unlit=unlit)


def _box(center, size, color, cells=(1, 1, 1)) -> Mesh:
    from simulator.scene import box

    return box(center, size, color, cells=cells)


# --- the props -------------------------------------------------------------------------------------

def phone() -> list[Mesh]:
    """7.2 x 15 x 0.8 cm: graphite back with a camera bump (-Z), black bezel, lit screen with app tiles (+Z)."""
    screen_bg, tiles = bgr("#cfe6ff"), [bgr(c) for c in ("#3d8bfd", "#34c759", "#ff9f0a", "#ff375f", "#5e5ce6")]
    cells = [screen_bg] * 28
    for k in (5, 6, 9, 10, 13, 14, 17, 18, 21, 22):
        cells[k] = tiles[k % len(tiles)]
    return [_box([0, 0, 0], [0.072, 0.15, 0.008], bgr("#16181d")),
            slab([0, 0.0, 0.0042], [0.064, 0.134], None, cells=(4, 7), unlit=True, colors=cells),
            _box([-0.02, 0.055, -0.0048], [0.022, 0.022, 0.002], bgr("#3a3d44"))]


def mug(color: str = "#c0392b") -> list[Mesh]:
    """A coloured mug (r 4 cm, 9.5 cm high) with coffee inside and a handle on +X."""
    from simulator.scene import cylinder

    body = cylinder([0, 0, 0], 0.04, 0.095, bgr(color), n=16, top_color=bgr("#3b2314"))
    a = np.linspace(-np.pi / 2, np.pi / 2, 9)
    handle = tube(np.stack([0.04 + 0.028 * np.cos(a), np.zeros_like(a), 0.048 + 0.03 * np.sin(a)], 1), 0.007,
                  bgr(color), n=6)
    return [body, handle]


def bottle() -> list[Mesh]:
    """A 21 cm water bottle: clear-blue body, white label band, shoulder, neck and a blue cap."""
    prof = [(0.0, 0.032), (0.05, 0.033), (0.13, 0.033), (0.165, 0.024), (0.185, 0.015), (0.2, 0.014)]
    body = tube([[0, 0, z] for z, _ in prof], [r for _, r in prof], bgr("#9cc8e8"), n=14)
    label = tube([[0, 0, 0.055], [0, 0, 0.11]], 0.0335, bgr("#f4f4f4"), n=14)
    cap = tube([[0, 0, 0.198], [0, 0, 0.222]], 0.016, bgr("#1f5fbf"), n=10)
    return [body, label, cap]


def banana() -> list[Mesh]:
    """An 18 cm banana along +Y (stem at -Y), curving up (+Z), yellow with a brown stem and tip."""
    a = np.linspace(-0.85, 0.85, 15)
    path = np.stack([np.zeros_like(a), 0.12 * np.sin(a), -0.12 * np.cos(a) + 0.12 * np.cos(0.85)], 1)
    r = 0.018 * np.sin(np.linspace(0.25, np.pi - 0.2, 15)) ** 0.6
    fruit = tube(path, r, bgr("#f2d43a"), n=8)
    stem = tube([path[0], path[0] + [0, -0.02, 0.004]], 0.0045, bgr("#6b5a2a"), n=6)
    return [fruit, stem]


def donut(glaze: str = "#e87aa4") -> list[Mesh]:
    """A 9 cm ring donut lying flat, glazed on top."""
    a = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ring = tube(np.stack([0.031 * np.cos(a), 0.031 * np.sin(a), np.full_like(a, 0.016)], 1), 0.016,
                bgr("#c88a45"), n=10, closed=True)
    up = ring.vertices[ring.faces].mean(1)[:, 2] > 0.02
    ring.colors[up] = bgr(glaze)
    return [ring]


def donut_box() -> list[Mesh]:
    """The snack: an open low box with three glazed donuts."""
    tray = _box([0, 0, 0.01], [0.26, 0.14, 0.02], bgr("#f6efe2"), cells=(2, 1, 1))
    out = [tray]
    for k, (x, g) in enumerate(((-0.085, "#e87aa4"), (0.0, "#5a3420"), (0.085, "#f5f0e6"))):
        out += transformed(donut(g), rot_axis([0, 0, 1], 30 * k), [x, 0, 0.02])
    return out


def handbag(color: str = "#8a4b2a") -> list[Mesh]:
    """A 30 x 12 x 22 cm handbag with a flap, a gold clasp and a strap arching over the top."""
    body = _box([0, 0, 0.11], [0.3, 0.12, 0.22], bgr(color), cells=(3, 1, 3))
    flap = _box([0, -0.062, 0.17], [0.3, 0.006, 0.1], bgr("#5e3119"))
    clasp = _box([0, -0.066, 0.13], [0.03, 0.004, 0.02], bgr("#d4af37"))
    a = np.linspace(0, np.pi, 13)
    strap = tube(np.stack([0.1 * np.cos(a), np.zeros_like(a), 0.22 + 0.14 * np.sin(a)], 1), 0.008,
                 bgr("#4a2614"), n=6)
    return [body, flap, clasp, strap]


def umbrella(color: str = "#1f3f8f") -> list[Mesh]:
    """An open compact umbrella seen from the side: an 8-panel canopy (r 0.32 m) on a shaft with a
    crook handle; standing on its tip (+Z up). Alternating panel colours, as umbrellas have."""
    n = 16
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    top = np.array([0, 0, 0.62])
    rim = np.stack([0.32 * np.cos(a), 0.32 * np.sin(a), 0.46 + 0.03 * (np.arange(n) % 2)], 1)
    verts = np.concatenate([top[None], rim])
    faces = np.array([(0, 1 + i, 1 + (i + 1) % n) for i in range(n)])
    cols = np.array([bgr(color) if (i // 2) % 2 == 0 else bgr("#e8e8e8") for i in range(n)], float)
    canopy = Mesh(verts, faces, cols, two_sided=True)
    shaft = tube([[0, 0, 0.0], [0, 0, 0.64]], 0.006, bgr("#303030"), n=6)
    b = np.linspace(0, np.pi, 9)
    crook = tube(np.stack([0.035 - 0.035 * np.cos(b), np.zeros_like(b), 0.0 - 0.035 * np.sin(b)], 1) + [0, 0, 0.0],
                 0.01, bgr("#3a2a1a"), n=6)
    return [canopy, shaft, crook]


def papers() -> list[Mesh]:
    """Three A4 sheets, slightly fanned, with grey text lines on the top one."""
    out = []
    for k in range(3):
        rot = rot_axis([0, 0, 1], (k - 1) * 4.0)
        out += transformed([slab([0, 0, 0.001 + 0.0015 * k], [0.21, 0.297], bgr("#fbfbf8"))], rot, [0.0, 0, 0])
    lines = [bgr("#fbfbf8"), bgr("#8a8a8a")] * 6 + [bgr("#fbfbf8")]
    out.append(slab([0, 0.0, 0.0052], [0.16, 0.2], None, cells=(1, 13), colors=lines))
    return out


def seal() -> list[Mesh]:
    """A red official seal: a 4.4 cm base, a neck and a round knob."""
    from simulator.scene import sphere

    return [tube([[0, 0, 0], [0, 0, 0.025]], 0.022, bgr("#b01818"), n=14),
            tube([[0, 0, 0.025], [0, 0, 0.06]], [0.014, 0.011], bgr("#c02020"), n=10),
            sphere([0, 0, 0.07], 0.016, bgr("#c82424"), n=6)]
