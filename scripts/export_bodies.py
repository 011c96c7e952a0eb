"""One-off exporter: anny (MakeHuman) body shapes -> simulator/assets/body_<id>.npz.

Needs the `[sim-export]` extra (torch==2.13.0 + anny 0.6.x); the simulator runtime itself needs
only numpy. Run from the repository root:

    .venv/bin/python scripts/export_bodies.py [--out simulator/assets] [--only ID ...]

Each file holds, in the simulator's body frame (metres, +Z up, +Y the way the body faces, +X the
body's right, feet at z = 0, pelvis over x = y = 0):
vertices, faces, sparse skin weights, bone rest poses + parents + names, the COCO keypoint
regressor (sparse), per-vertex region ids, and reference poses (anny's world bone poses and
keypoints for a few random poses) so tests can check the numpy skinning without torch.
The script re-poses every body in numpy and prints the max error against anny.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

# id -> anny phenotype, all in [0, 1]: gender 0 male / 1 female; age 2/3 young adult, 1 old.
BODIES: dict[str, dict[str, float]] = {
    "f_young_slim": dict(gender=1.0, age=0.7, muscle=0.5, weight=0.3, height=0.37, proportions=0.3),
    "m_young_avg": dict(gender=0.0, age=0.7, muscle=0.6, weight=0.5, height=0.37, proportions=0.3),
    "f_old_heavy": dict(gender=1.0, age=0.95, muscle=0.4, weight=0.85, height=0.31, proportions=0.3),
    "m_old_slim": dict(gender=0.0, age=0.95, muscle=0.4, weight=0.3, height=0.33, proportions=0.3),
    "m_heavy_tall": dict(gender=0.0, age=0.8, muscle=0.5, weight=0.85, height=0.47, proportions=0.3),
    "f_avg_tall": dict(gender=0.9, age=0.75, muscle=0.5, weight=0.5, height=0.46, proportions=0.3),
    "m_short": dict(gender=0.1, age=0.75, muscle=0.5, weight=0.55, height=0.24, proportions=0.3),
    "f_mid": dict(gender=1.0, age=0.85, muscle=0.5, weight=0.6, height=0.35, proportions=0.3),
    # session 23: the heldout2 split's bodies (other proportions than every body above)
    "m_young_tall_slim": dict(gender=0.0, age=0.65, muscle=0.5, weight=0.25, height=0.5, proportions=0.5),
    "f_young_short_heavy": dict(gender=1.0, age=0.65, muscle=0.45, weight=0.8, height=0.25, proportions=0.5),
    "m_mid_broad": dict(gender=0.05, age=0.85, muscle=0.75, weight=0.65, height=0.4, proportions=0.5),
    # session 29: the heldout3 split's bodies (phenotypes unlike every body above; chosen before any was rendered)
    "f_old_slim_short": dict(gender=1.0, age=0.95, muscle=0.4, weight=0.25, height=0.27, proportions=0.4),
    "m_young_heavy": dict(gender=0.0, age=0.65, muscle=0.55, weight=0.8, height=0.38, proportions=0.4),
    "f_mid_tall_broad": dict(gender=0.9, age=0.8, muscle=0.7, weight=0.55, height=0.5, proportions=0.45),
    # session 24: a diagnostic body for scratch renders only (in no split, not a supporting body): a clerk
    # taller than every body above, with a long torso, to test the absolute standing-shoulder cut.
    "m_xtall": dict(gender=0.0, age=0.7, muscle=0.5, weight=0.45, height=0.58, proportions=0.6),
}
REGIONS = ["skin", "shirt", "trousers", "hair", "eyes", "lips", "shoes"]
TOP_K = 9  # skin weights kept per vertex (renormalised); the error is printed below
N_REF = 4  # reference poses stored per body

# anny frame: +X body's left, -Y forward, +Z up. Body frame: rotate 180 degrees about Z.
FLIP = np.diag([-1.0, -1.0, 1.0, 1.0])


def region_ids(names: list[str], weights: np.ndarray, rest_v: np.ndarray, kp: dict[str, np.ndarray]) -> np.ndarray:
    """Per-vertex region from the dominant bone, plus geometric rules for hair, eyes and lips."""
    dominant = np.array([names[i] for i in weights.argmax(1)])
    reg = np.zeros(len(rest_v), np.uint8)  # skin
    shirt = ("spine", "clavicle", "shoulder", "upperarm", "lowerarm01")
    trousers = ("root", "pelvis", "upperleg", "lowerleg")
    for i, n in enumerate(dominant):
        if n.startswith(shirt):
            reg[i] = REGIONS.index("shirt")
        elif n.startswith(trousers):
            reg[i] = REGIONS.index("trousers")
        elif n.startswith(("foot", "toe")):
            reg[i] = REGIONS.index("shoes")
    # The lowest spine vertices sit under the belt line: trousers.
    hip_z = 0.5 * (kp["left_hip"][2] + kp["right_hip"][2])
    belt = (reg == REGIONS.index("shirt")) & (rest_v[:, 2] < hip_z + 0.06)
    reg[belt] = REGIONS.index("trousers")
    # Hair: head-bone vertices above the ears and not on the face (behind the eyes' plane).
    head = np.isin(dominant, ["head", "neck03"])
    ear_z = 0.5 * (kp["left_ear"][2] + kp["right_ear"][2])
    eye_y = 0.5 * (kp["left_eye"][1] + kp["right_eye"][1])
    hair = head & (((rest_v[:, 2] > ear_z - 0.01) & (rest_v[:, 1] < eye_y - 0.035))
                   | (rest_v[:, 2] > ear_z + 0.075))
    reg[hair] = REGIONS.index("hair")
    reg[np.isin(dominant, ["eye.L", "eye.R"])] = REGIONS.index("eyes")
    nose = kp["nose"]
    lips_c = nose + np.array([0.0, -0.004, -0.038])
    d = rest_v - lips_c
    lips = (np.abs(d[:, 0]) < 0.024) & (np.abs(d[:, 2]) < 0.009) & (rest_v[:, 1] > nose[1] - 0.03)
    reg[lips] = REGIONS.index("lips")
    return reg


def lbs(rest_v: np.ndarray, idx: np.ndarray, w: np.ndarray, transforms: np.ndarray) -> np.ndarray:
    t = transforms[idx]  # (V, k, 4, 4)
    blend = (w[..., None, None] * t).sum(1)
    return np.einsum("vij,vj->vi", blend[:, :3, :3], rest_v) + blend[:, :3, 3]


def export_body(model, regressor, body_id: str, phen: dict[str, float], out: Path, rng) -> float:
    import roma
    import torch

    with torch.no_grad():
        neutral = model(phenotype_kwargs=phen)
        rest_v = neutral["rest_vertices"][0].double().numpy()
        rest_b = neutral["rest_bone_poses"][0].double().numpy()
        names = list(model.bone_labels)
        # Reference poses: random local rotations on the bones the simulator moves.
        moved = [n for n in names if n.startswith(("spine", "neck", "head", "upperarm01", "lowerarm01",
                                                   "wrist", "finger", "upperleg01", "lowerleg01"))]
        ref_poses, ref_kp, ref_verts = [], [], []
        for _ in range(N_REF):
            params = {n: roma.Rigid(roma.rotvec_to_rotmat(torch.tensor(rng.normal(0, 0.35, (1, 3)))).float(),
                                    torch.zeros(1, 3)).to_homogeneous() for n in moved}
            posed = model(pose_parameters=params, phenotype_kwargs=phen)
            ref_poses.append(posed["bone_poses"][0].double().numpy())
            ref_kp.append(regressor(posed)[0].double().numpy())
            ref_verts.append(posed["vertices"][0].double().numpy())
    w_full = model.vertex_bone_weights.double().numpy()
    i_full = model.vertex_bone_indices.long().numpy()
    dense = np.zeros((len(rest_v), len(names)))
    np.add.at(dense, (np.arange(len(rest_v))[:, None], i_full), w_full)
    order = np.argsort(-dense, axis=1)[:, :TOP_K]
    w = np.take_along_axis(dense, order, 1)
    w /= w.sum(1, keepdims=True)

    # Move everything into the body frame: flip, feet on the floor, pelvis over the origin.
    shift = np.eye(4)
    flipped_v = rest_v @ FLIP[:3, :3].T
    shift[:3, 3] = [-(FLIP @ rest_b[0])[0, 3], -(FLIP @ rest_b[0])[1, 3], -flipped_v[:, 2].min()]
    g = shift @ FLIP
    rest_v_b = rest_v @ g[:3, :3].T + g[:3, 3]
    rest_b_b = g @ rest_b
    ref_poses_b = np.stack([g @ p for p in ref_poses])
    ref_kp_b = np.stack([k @ g[:3, :3].T + g[:3, 3] for k in ref_kp])

    # Regressor, sparse.
    reg_w = regressor.regression_weights.double().numpy()
    kp_names = list(regressor.labels)
    kp_idx, kp_w, kp_off = [], [], [0]
    for row in reg_w:
        nz = np.nonzero(np.abs(row) > 0)[0]
        kp_idx.append(nz)
        kp_w.append(row[nz])
        kp_off.append(kp_off[-1] + len(nz))
    kp_idx_a, kp_w_a = np.concatenate(kp_idx), np.concatenate(kp_w)

    # Check: numpy LBS with the truncated weights against anny, on every reference pose.
    max_v_err = max_kp_err = 0.0
    for pose_a, verts_a, pose_b, kp_ref in zip(ref_poses, ref_verts, ref_poses_b, ref_kp_b, strict=True):
        tr = pose_a @ np.linalg.inv(rest_b)
        v_np = lbs(rest_v, order, w, tr)
        max_v_err = max(max_v_err, float(np.abs(v_np - verts_a).max()))
        tr_b = pose_b @ np.linalg.inv(rest_b_b)
        v_b = lbs(rest_v_b, order, w, tr_b)
        kp_np = np.stack([(kp_w[k][:, None] * v_b[kp_idx[k]]).sum(0) for k in range(len(kp_names))])
        max_kp_err = max(max_kp_err, float(np.abs(kp_np - kp_ref).max()))

    rest_kp = {n: (kp_w[k][:, None] * rest_v_b[kp_idx[k]]).sum(0) for k, n in enumerate(kp_names)}
    regions = region_ids(names, dense, rest_v_b, rest_kp)
    faces = model.get_triangular_faces().long().numpy()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"body_{body_id}.npz"
    np.savez_compressed(
        path,
        vertices=rest_v_b.astype(np.float32),
        faces=faces.astype(np.uint16 if len(rest_v) < 65536 else np.int32),
        skin_index=order.astype(np.uint8),
        skin_weight=w.astype(np.float32),
        bone_names=np.array(names),
        bone_parents=np.array(model.bone_parents, np.int16),
        bone_rest=rest_b_b.astype(np.float32),
        kp_names=np.array(kp_names),
        kp_index=kp_idx_a.astype(np.uint16),
        kp_weight=kp_w_a.astype(np.float32),
        kp_offsets=np.array(kp_off, np.int32),
        regions=regions,
        region_names=np.array(REGIONS),
        ref_bone_poses=ref_poses_b.astype(np.float32),
        ref_keypoints=ref_kp_b.astype(np.float32),
        meta=np.array(json.dumps({"id": body_id, "phenotype": phen, "source": "anny 0.6 (CC0 MakeHuman assets)",
                                  "top_k": TOP_K, "lbs_max_vertex_error_m": max_v_err,
                                  "lbs_max_keypoint_error_m": max_kp_err})),
    )
    height = rest_v_b[:, 2].max()
    print(f"{path}: {path.stat().st_size / 1e6:.2f} MB, height {height:.3f} m, "
          f"numpy LBS vs anny: max vertex error {max_v_err:.2e} m, max keypoint error {max_kp_err:.2e} m")
    return max_v_err


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("simulator/assets"))
    ap.add_argument("--only", nargs="*", default=None, help="body ids to export (default: all)")
    args = ap.parse_args()
    import anny
    import torch

    torch.set_grad_enabled(False)
    model = anny.Anny()
    regressor = anny.KeypointsRegressor.coco(model)
    rng = np.random.default_rng(7)
    for body_id, phen in BODIES.items():
        if args.only and body_id not in args.only:
            continue
        export_body(model, regressor, body_id, phen, args.out, rng)


if __name__ == "__main__":
    main()
