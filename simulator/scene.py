"""The counter scene: desk, chair, monitor, the pause-service sign with its ArUco marker, desk props
and a client silhouette, as small triangle meshes in the world frame.

World frame: metres, +Z up, the clerk's post at the origin, the clerk faces -Y (toward the client
side and the camera); the desk top is at DESK_Z between y = DESK_Y0 (client edge) and DESK_Y1.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from simulator import propmesh as pm
from simulator.body import rot_axis
from simulator.propmesh import transformed
from simulator.render import Mesh

DESK_Z = 0.75
DESK_Y0, DESK_Y1 = -0.8, -0.2
DESK_X = 0.78
SIGN_ARUCO_ID = 7
ARUCO_DICT = cv2.aruco.DICT_4X4_50


def bgr(hex_rgb: str) -> np.ndarray:
    v = int(hex_rgb.lstrip("#"), 16)
    return np.array([v & 255, (v >> 8) & 255, v >> 16], float)


def box(center, size, color, yaw: float = 0.0, cells: tuple[int, int, int] = (1, 1, 1), pitch: float = 0.0) -> Mesh:
    """An axis-aligned box (rotated by yaw about Z, then pitch about X), faces subdivided in cells."""
    sx, sy, sz = np.asarray(size, float) / 2
    verts, faces = [], []

    def quad(origin, u, v, nu, nv):
        base = len(verts)
        for i in range(nu + 1):
            for j in range(nv + 1):
                verts.append(origin + u * i / nu + v * j / nv)
        for i in range(nu):
            for j in range(nv):
                a = base + i * (nv + 1) + j
                b, c, e = a + nv + 1, a + nv + 2, a + 1
                faces.extend([(a, b, c), (a, c, e)])

    X, Y, Z = np.eye(3)
    cx, cy, cz = cells
    quad(np.array([-sx, -sy, sz]), 2 * sx * X, 2 * sy * Y, cx, cy)  # top
    quad(np.array([-sx, -sy, -sz]), 2 * sy * Y, 2 * sx * X, cy, cx)  # bottom
    quad(np.array([-sx, -sy, -sz]), 2 * sx * X, 2 * sz * Z, cx, cz)  # front (-Y)
    quad(np.array([-sx, sy, -sz]), 2 * sz * Z, 2 * sx * X, cz, cx)  # back
    quad(np.array([-sx, -sy, -sz]), 2 * sz * Z, 2 * sy * Y, cz, cy)  # left (-X)
    quad(np.array([sx, -sy, -sz]), 2 * sy * Y, 2 * sz * Z, cy, cz)  # right
    r = rot_axis([0, 0, 1], yaw) @ rot_axis([1, 0, 0], pitch)
    v = np.array(verts) @ r.T + np.asarray(center, float)
    return Mesh(v, np.array(faces), np.tile(np.asarray(color, float), (len(faces), 1)))


def cylinder(center_bottom, radius, height, color, n: int = 12, top_color=None, axis=(0, 0, 1.0)) -> Mesh:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ring = np.stack([radius * np.cos(t), radius * np.sin(t), np.zeros(n)], 1)
    verts = np.concatenate([ring, ring + [0, 0, height], [[0, 0, 0], [0, 0, height]]])
    faces = []
    for i in range(n):
        j = (i + 1) % n
        faces += [(i, j, n + j), (i, n + j, n + i), (2 * n, j, i), (2 * n + 1, n + i, n + j)]
    cols = np.tile(np.asarray(color, float), (len(faces), 1))
    if top_color is not None:
        cols[3::4] = top_color
    r = _align_z(np.asarray(axis, float))
    return Mesh(verts @ r.T + np.asarray(center_bottom, float), np.array(faces), cols)


def _align_z(axis: np.ndarray) -> np.ndarray:
    from simulator.body import rot_between
    return rot_between(np.array([0, 0, 1.0]), axis)


def sphere(center, radius, color, n: int = 8) -> Mesh:
    verts, faces = [], []
    for i in range(n + 1):
        th = np.pi * i / n
        for j in range(2 * n):
            ph = np.pi * j / n
            verts.append([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)])
    for i in range(n):
        for j in range(2 * n):
            a, b = i * 2 * n + j, i * 2 * n + (j + 1) % (2 * n)
            c, e = a + 2 * n, b + 2 * n
            faces += [(a, c, e), (a, e, b)]
    v = np.array(verts) * radius + np.asarray(center, float)
    f = np.array(faces)
    return Mesh(v, f, np.tile(np.asarray(color, float), (len(f), 1)))


def aruco_quad(center, size: float, marker_id: int = SIGN_ARUCO_ID, yaw: float = 0.0, tilt: float = 0.0) -> Mesh:
    """The marker as black/white cells on a vertical plane facing -Y (rotated by yaw), tilted back."""
    img = cv2.aruco.generateImageMarker(cv2.aruco.getPredefinedDictionary(ARUCO_DICT), marker_id, 6)
    quiet = np.pad(img, 1, constant_values=255)  # a white quiet zone around the marker
    n = quiet.shape[0]
    cell = size * n / 6 / n
    verts, faces, cols = [], [], []
    r = rot_axis([0, 0, 1], yaw) @ rot_axis([1, 0, 0], -tilt)
    half = cell * n / 2
    for i in range(n):
        for j in range(n):
            x0, z0 = -half + j * cell, half - (i + 1) * cell
            base = len(verts)
            verts += [[x0, 0, z0], [x0 + cell, 0, z0], [x0 + cell, 0, z0 + cell], [x0, 0, z0 + cell]]
            faces += [(base, base + 1, base + 2), (base, base + 2, base + 3)]
            c = 20.0 if quiet[i, j] < 128 else 245.0
            cols += [[c, c, c]] * 2
    v = np.array(verts) @ r.T + np.asarray(center, float)
    return Mesh(v, np.array(faces), np.array(cols))


# --- the static counter --------------------------------------------------------------------------

def counter_meshes() -> list[Mesh]:
    desk_color, panel_color = bgr("#b08a5a"), bgr("#8a6a45")
    top_y = 0.5 * (DESK_Y0 + DESK_Y1)
    return [
        box([0, top_y, DESK_Z - 0.02], [2 * DESK_X, DESK_Y1 - DESK_Y0, 0.04], desk_color, cells=(24, 10, 1)),
        box([0, DESK_Y0 + 0.02, (DESK_Z - 0.04) / 2], [2 * DESK_X, 0.04, DESK_Z - 0.04], panel_color, cells=(12, 1, 6)),
        # back wall and floor give the person a background
        box([0, 1.2, 1.5], [6.0, 0.05, 3.0], bgr("#d9d4c7"), cells=(12, 1, 6)),
        box([0, 0, -0.01], [6.0, 4.0, 0.02], bgr("#9a9a9a"), cells=(12, 8, 1)),
    ]


def chair_meshes(y: float = 0.05) -> list[Mesh]:
    c = bgr("#2d3540")
    return [
        box([0, y, 0.45], [0.46, 0.46, 0.06], c, cells=(3, 3, 1)),
        box([0, y + 0.26, 0.78], [0.44, 0.05, 0.55], c, cells=(3, 1, 4)),
        cylinder([0, y, 0.05], 0.03, 0.38, bgr("#555555"), n=8),
    ]


def monitor_meshes() -> list[Mesh]:
    yaw = -30.0
    return [
        box([0.6, -0.36, 1.0], [0.42, 0.03, 0.27], bgr("#202020"), yaw=yaw, cells=(3, 1, 2)),
        box([0.6, -0.34, 0.8], [0.05, 0.03, 0.12], bgr("#303030"), yaw=yaw),
        box([0.6, -0.34, 0.755], [0.18, 0.14, 0.01], bgr("#303030"), yaw=yaw),
    ]


CLIENT_SEAT = (-0.68, -1.12)  # where the client sits (x, y), facing the clerk (+Y)


def client_chair_meshes(x: float = CLIENT_SEAT[0], y: float = CLIENT_SEAT[1], yaw: float = 0.0) -> list[Mesh]:
    """The client's chair: faces the clerk (+Y), so its back is toward the camera side."""
    c, r = bgr("#5a4636"), rot_axis([0, 0, 1], yaw)
    parts = [box([0, 0, 0.45], [0.44, 0.44, 0.05], c, cells=(3, 3, 1)),
             box([0, -0.24, 0.72], [0.42, 0.04, 0.42], c, cells=(3, 1, 3)),
             cylinder([0, 0, 0.0], 0.025, 0.43, bgr("#505050"), n=8)]
    for m in parts:
        m.vertices = m.vertices @ r.T + np.array([x, y, 0.0])
    return parts


# --- props ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PropKind:
    name: str
    category: str  # allowed | personal | phone | document | food | sign
    slot: str | None = None  # CounterConfig slot name for allowed items


PROPS: dict[str, PropKind] = {k.name: k for k in [
    PropKind("evaluator_pad", "allowed", "evaluator_pad"),
    PropKind("pen_holder", "allowed", "pen_holder"),
    PropKind("acrylic_stand", "allowed", "acrylic_stand"),
    PropKind("potted_plant", "allowed", "potted_plant"),
    PropKind("monitor", "allowed", "monitor"),
    PropKind("sign", "sign"),
    PropKind("phone", "phone"),
    PropKind("cup", "personal"),
    PropKind("bottle", "personal"),
    PropKind("snack_box", "food"),
    PropKind("food", "food"),
    PropKind("umbrella", "personal"),
    PropKind("handbag", "personal"),
    PropKind("papers", "document"),
    PropKind("seal", "document"),
    PropKind("client_chair", "chair", "client_chair"),
]}

# Where each allowed item belongs (world x, y on the desk) = its slot.
HOME: dict[str, tuple[float, float, float]] = {
    "evaluator_pad": (0.2, -0.72, 0.0),
    "pen_holder": (-0.36, -0.3, 0.0),
    "acrylic_stand": (0.42, -0.74, 0.0),
    "potted_plant": (-0.66, -0.32, 0.0),
    "sign": (-0.42, -0.62, 0.0),
    "client_chair": (CLIENT_SEAT[0], CLIENT_SEAT[1], 0.0),  # on the floor, not a desk slot
}
DESK_ITEMS = ("evaluator_pad", "pen_holder", "acrylic_stand", "potted_plant")  # allowed items standing in their slots
SLOT_SIZE = {"evaluator_pad": 0.2, "pen_holder": 0.12, "acrylic_stand": 0.16, "potted_plant": 0.2, "monitor": 0.5}


SIGN_MARKER_SIZE, SIGN_MARKER_TILT = 0.11, 8.0  # the marker proper (m; its quiet zone lies around it), tilt back


def _sign_marker_center(x: float, y: float, z: float) -> list[float]:
    return [x, y - 0.004, z + 0.105]


def sign_marker_mesh(x: float, y: float, yaw: float = 0.0, z: float = DESK_Z) -> Mesh:
    """The pause sign's marker (with its quiet zone) on the board of a sign standing at (x, y, z)."""
    return aruco_quad(_sign_marker_center(x, y, z), SIGN_MARKER_SIZE, yaw=yaw, tilt=SIGN_MARKER_TILT)


def sign_marker_corners(x: float, y: float, yaw: float = 0.0, z: float = DESK_Z) -> np.ndarray:
    """World corners (4, 3) of the marker proper, its black border (what a reader must see whole)."""
    h = SIGN_MARKER_SIZE / 2
    r = rot_axis([0, 0, 1], yaw) @ rot_axis([1, 0, 0], -SIGN_MARKER_TILT)
    local = np.array([[-h, 0, -h], [h, 0, -h], [h, 0, h], [-h, 0, h]])
    return local @ r.T + np.asarray(_sign_marker_center(x, y, z))


def sign_place_in_view(cam) -> bool:
    """Whether the marker of the sign standing at its place lies wholly inside the camera's image: where it does
    not, no camera rule can tell a shown sign from none (the clerk's body may still hide it; that is not judged)."""
    return bool(cam.sees(sign_marker_corners(*HOME["sign"])).all())


def slot_item_in_view(cam, name: str) -> float:
    """The share of the allowed item `name` (DESK_ITEMS), standing in its slot, that lies inside the camera's image:
    the area of its silhouette's outline (the convex hull of its projected vertices) inside the image rectangle over
    the whole. 0 when any of it lies behind the camera. From close and low the desk's front half falls below the frame
    (the evaluator pad and the acrylic stand wholly at (1.25 m, 1.1 m, 0 deg)): a slot rule cannot judge that slot."""
    pts = np.concatenate([m.vertices for m in prop_meshes(name, *HOME[name])])
    if (cam.to_camera(pts)[:, 2] <= 0.05).any():
        return 0.0
    hull = cv2.convexHull(cam.project(pts).astype(np.float32)).reshape(-1, 2)
    whole = float(cv2.contourArea(hull))
    image = np.array([[0, 0], [cam.width, 0], [cam.width, cam.height], [0, cam.height]], np.float32)
    inside, _ = cv2.intersectConvexConvex(hull, image)
    return float(inside) / whole if whole > 0 else 0.0


def prop_meshes(name: str, x: float, y: float, yaw: float = 0.0, z: float = DESK_Z) -> list[Mesh]:
    """A prop standing on a surface at (x, y, z)."""
    if name == "evaluator_pad":
        return [box([x, y, z + 0.05], [0.17, 0.04, 0.1], bgr("#e8e8e8"), yaw=yaw, pitch=-20),
                box([x, y - 0.025, z + 0.055], [0.12, 0.005, 0.06], bgr("#3050a0"), yaw=yaw, pitch=-20)]
    if name == "pen_holder":
        return [cylinder([x, y, z], 0.04, 0.1, bgr("#404040")),
                cylinder([x + 0.01, y, z + 0.05], 0.005, 0.1, bgr("#2040c0"), n=5, axis=(0.2, 0, 1)),
                cylinder([x - 0.01, y, z + 0.05], 0.005, 0.1, bgr("#c02020"), n=5, axis=(-0.2, 0.1, 1))]
    if name == "acrylic_stand":
        return [box([x, y, z + 0.09], [0.13, 0.012, 0.18], bgr("#d8e4ea"), yaw=yaw, pitch=-10),
                box([x, y - 0.008, z + 0.1], [0.1, 0.004, 0.12], bgr("#c04030"), yaw=yaw, pitch=-10)]
    if name == "potted_plant":
        return [cylinder([x, y, z], 0.07, 0.12, bgr("#9a5a3a")),
                sphere([x, y, z + 0.22], 0.11, bgr("#3a8a3a"), n=6)]
    if name == "sign":
        # A standing pause-service sign: red board with the marker, on a small foot.
        return [box([x, y + 0.012, z + 0.1], [0.22, 0.015, 0.19], bgr("#c8201c"), yaw=yaw, pitch=-8, cells=(6, 1, 6)),
                box([x, y + 0.03, z + 0.01], [0.2, 0.08, 0.02], bgr("#404040"), yaw=yaw),
                sign_marker_mesh(x, y, yaw, z)]
    if name == "monitor":
        return monitor_meshes()
    if name in DESK_BUILDERS:
        return transformed(DESK_BUILDERS[name](), rot_axis([0, 0, 1], yaw), [x, y, z])
    if name == "client_chair":
        return client_chair_meshes(x, y, yaw)  # stands on the floor whatever z says
    raise KeyError(f"unknown prop {name!r}; known: {', '.join(PROPS)}")


DESK_BUILDERS = {"phone": lambda: transformed(pm.phone(), np.eye(3), [0, 0, 0.0045]), "cup": pm.mug,
                 "bottle": pm.bottle, "snack_box": pm.donut_box,
                 "food": pm.banana, "umbrella": pm.umbrella, "handbag": pm.handbag, "papers": pm.papers,
                 "seal": pm.seal}


def held_meshes(name: str, center: np.ndarray, hand_dir: np.ndarray, palm: np.ndarray) -> list[Mesh]:
    """A prop held in a hand (`center` = the palm centre): the phone and the banana along the hand and
    sticking out past the fingers (so the camera sees them, not just the hand), cups and bottles upright
    against the palm, papers flat on it."""
    from simulator.body import unit

    h = unit(hand_dir)
    n = unit(palm - (palm @ h) * h)
    side = np.cross(h, n)
    frame = np.stack([side, h, n], 1)  # object x -> across the palm, y -> along the hand, z -> out of the palm
    if name == "phone":  # screen (+Z) toward where the palm faces; the top half past the fingers
        return transformed(pm.phone(), frame, center + 0.065 * h + 0.012 * n)
    if name == "food":
        return transformed(pm.banana(), frame, center + 0.085 * h + 0.02 * n)
    if name in ("cup", "bottle"):
        up = side if side[2] >= 0 else -side  # the object's axis across the palm, pointing up
        fwd = unit(np.cross(up, n))
        rot = np.stack([fwd, n, up], 1)
        meshes = pm.mug() if name == "cup" else pm.bottle()
        return transformed(meshes, rot, center + (0.05 if name == "cup" else 0.045) * n - 0.05 * up)
    if name == "papers":
        m = box([0, 0, 0], [0.21, 0.297, 0.004], bgr("#fafafa"), cells=(2, 2, 1))
        m.two_sided = True
        return transformed([m], frame, center + 0.03 * n)
    return transformed([box([0, 0, 0], [0.05, 0.05, 0.05], bgr("#888888"))], frame, center + 0.03 * n)
