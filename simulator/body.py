"""A posable body from an exported asset (scripts/export_bodies.py), in plain numpy.

Frame: metres, +Z up, +Y the way the body faces, +X the body's right, feet at z = 0.
Posing is forward kinematics over the 104-bone MakeHuman skeleton with *world-space edits*:
each edit rotates a bone (and so its subtree) about the bone's head, either by a given rotation
or by the smallest rotation that aims a segment (bone head -> a descendant's head) at a
direction. Aiming makes the labelled angles exact by construction.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

ASSETS = Path(__file__).parent / "assets"


# The bodies that play colleagues, clients and visitors: the eight exported before session 23. A list of its own,
# so that adding a body (heldout2's) changes who plays them in no earlier split's render.
SUPPORTING_BODIES = ("f_avg_tall", "f_mid", "f_old_heavy", "f_young_slim", "m_heavy_tall", "m_old_slim", "m_short",
                     "m_young_avg")


def body_ids() -> list[str]:
    return sorted(p.stem.removeprefix("body_") for p in ASSETS.glob("body_*.npz"))


def unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, float)
    n = math.sqrt(float(v @ v)) if v.ndim == 1 else np.linalg.norm(v)
    return v / n if n > 1e-12 else v


def cross3(a, b) -> np.ndarray:
    """Cross product of two 3-vectors (np.cross costs ~30 us per call on small vectors)."""
    a0, a1, a2 = float(a[0]), float(a[1]), float(a[2])
    b0, b1, b2 = float(b[0]), float(b[1]), float(b[2])
    return np.array([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0])


def rot_axis(axis: np.ndarray, deg: float) -> np.ndarray:
    """Rotation matrix about a unit axis (right-hand rule), degrees (Rodrigues)."""
    x, y, z = (float(c) for c in unit(axis))
    if x == y == z == 0.0:
        return np.eye(3)
    t = math.radians(deg)
    s, c = math.sin(t), math.cos(t)
    C = 1.0 - c
    return np.array([[c + x * x * C, x * y * C - z * s, x * z * C + y * s],
                     [y * x * C + z * s, c + y * y * C, y * z * C - x * s],
                     [z * x * C - y * s, z * y * C + x * s, c + z * z * C]])


def rot_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Smallest rotation taking direction a onto direction b."""
    a, b = unit(a), unit(b)
    c = min(max(float(a @ b), -1.0), 1.0)
    axis = cross3(a, b)
    if math.sqrt(float(axis @ axis)) < 1e-9:
        if c > 0:
            return np.eye(3)
        axis = cross3(a, [1.0, 0, 0]) if abs(a[0]) < 0.9 else cross3(a, [0, 1.0, 0])
    return rot_axis(axis, math.degrees(math.acos(c)))


def angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.clip(unit(a) @ unit(b), -1.0, 1.0))))


@dataclass
class Posed:
    """One posed body: world bone poses, vertices (optional) and keypoints."""

    bones: np.ndarray  # (B, 4, 4) world poses
    joints: dict[str, np.ndarray]  # bone name -> head position (3,)
    keypoints: np.ndarray  # (K, 3) COCO keypoints from the regressor
    vertices: np.ndarray | None = None


class Body:
    """An exported body shape. Load with `Body.load(id)` (cached)."""

    def __init__(self, path: Path):
        z = np.load(path)
        self.id = path.stem.removeprefix("body_")
        self.meta = json.loads(str(z["meta"]))
        self.rest_vertices = z["vertices"].astype(np.float64)
        self.faces = z["faces"].astype(np.int32)
        self.skin_index = z["skin_index"].astype(np.int64)
        self.skin_weight = z["skin_weight"].astype(np.float64)
        self.bone_names = [str(s) for s in z["bone_names"]]
        self.bone_index = {n: i for i, n in enumerate(self.bone_names)}
        self.parents = z["bone_parents"].astype(np.int64)
        self.rest = z["bone_rest"].astype(np.float64)
        self.rest_inv = np.linalg.inv(self.rest)
        self.local = np.stack([self.rest[i] if p < 0 else np.linalg.inv(self.rest[p]) @ self.rest[i]
                               for i, p in enumerate(self.parents)])
        self.kp_names = [str(s) for s in z["kp_names"]]
        off = z["kp_offsets"]
        kp_index, kp_weight = z["kp_index"].astype(np.int64), z["kp_weight"].astype(np.float64)
        # Only the vertices the regressor reads need skinning to get keypoints.
        self.kp_vertices = np.unique(kp_index)
        pos = {v: i for i, v in enumerate(self.kp_vertices)}
        self.kp_matrix = np.zeros((len(self.kp_names), len(self.kp_vertices)))
        for k in range(len(self.kp_names)):
            for v, w in zip(kp_index[off[k]:off[k + 1]], kp_weight[off[k]:off[k + 1]], strict=True):
                self.kp_matrix[k, pos[int(v)]] += w
        # Linear blend skinning as one sparse matmul over all bones: posed = lbs @ flat(world @ rest_inv),
        # with lbs[v, 4 b + j] = sum of v's weights on bone b times its homogeneous rest coordinate j.
        import scipy.sparse  # a dependency of scikit-image, already required

        nv, nk = self.skin_index.shape
        rest_h = np.concatenate([self.rest_vertices, np.ones((nv, 1))], 1)
        cols = (self.skin_index[:, :, None] * 4 + np.arange(4)).reshape(nv, -1)
        vals = (self.skin_weight[:, :, None] * rest_h[:, None, :]).reshape(nv, -1)
        self.lbs = scipy.sparse.csr_matrix((vals.ravel(), cols.ravel(), np.arange(nv + 1) * nk * 4),
                                           shape=(nv, 4 * len(self.parents)))
        self.lbs.sum_duplicates()
        self.kp_lbs = np.asarray(self.kp_matrix @ self.lbs[self.kp_vertices].toarray())  # (K, 4 B) keypoints
        self.regions = z["regions"].astype(np.int64)
        self.region_names = [str(s) for s in z["region_names"]]
        self.ref_bone_poses = z["ref_bone_poses"].astype(np.float64)
        self.ref_keypoints = z["ref_keypoints"].astype(np.float64)
        self.height = float(self.rest_vertices[:, 2].max())

    @staticmethod
    @cache
    def load(body_id: str) -> Body:
        path = ASSETS / f"body_{body_id}.npz"
        if not path.exists():
            raise FileNotFoundError(f"no body asset {path}; known bodies: {', '.join(body_ids())}")
        return Body(path)

    def head(self, name: str) -> np.ndarray:
        return self.rest[self.bone_index[name], :3, 3]

    # --- kinematics -------------------------------------------------------------------------
    def forward(self, root: np.ndarray, edits: dict[str, object]) -> np.ndarray:
        """World bone poses. `root` is the 4x4 placing the body frame in the world.

        `edits[bone]` is a callable (bone_index, world_rotation, world_poses) -> new rotation,
        applied after the parent is posed, so aims see the final parent chain."""
        world = np.empty_like(self.rest)
        for i, p in enumerate(self.parents):
            world[i] = (root if p < 0 else world[p]) @ self.local[i]
            fn = edits.get(self.bone_names[i])
            if fn is not None:
                world[i, :3, :3] = fn(i, world[i, :3, :3], world)
        return world

    def _flat(self, world: np.ndarray) -> np.ndarray:
        """(4 B, 3): the skinning transforms world @ rest_inv, rows of `lbs`' column layout."""
        return (world @ self.rest_inv)[:, :3, :].transpose(0, 2, 1).reshape(-1, 3)

    def skin(self, world: np.ndarray, vertex_ids: np.ndarray | None = None) -> np.ndarray:
        """Linear blend skinning of all (or some) vertices."""
        m = self.lbs if vertex_ids is None else self.lbs[vertex_ids]
        return np.asarray(m @ self._flat(world))

    def keypoints(self, world: np.ndarray) -> np.ndarray:
        return self.kp_lbs @ self._flat(world)

    def posed(self, world: np.ndarray, with_vertices: bool = True) -> Posed:
        joints = {n: world[i, :3, 3].copy() for i, n in enumerate(self.bone_names)}
        verts = self.skin(world) if with_vertices else None
        kp = self.keypoints(world)
        return Posed(bones=world, joints=joints, keypoints=kp, vertices=verts)
