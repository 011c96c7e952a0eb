"""Camera model and a depth-sorted OpenCV triangle rasteriser (2x supersampling, back-face culling,
flat Lambert shading). Painter's order is good enough here because large flat surfaces are
subdivided into small cells (see simulator/scene.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

from simulator.body import unit

SS = 2  # supersampling factor
SHIFT = 2  # fixed-point bits for sub-pixel polygon corners
LIGHT = unit(np.array([0.35, -0.6, 0.75]))  # toward the light, world frame


@dataclass(frozen=True)
class Camera:
    """A camera looking at the clerk's post (the world origin) across the desk.

    yaw > 0 moves the camera toward +X (the clerk's left); pitch is the downward tilt."""

    width: int = 640
    height: int = 480
    hfov_deg: float = 70.0
    height_m: float = 1.35
    distance_m: float = 1.5
    yaw_deg: float = 0.0
    pitch_deg: float = 10.0

    @property
    def fx(self) -> float:
        return (self.width / 2) / np.tan(np.radians(self.hfov_deg) / 2)

    def intrinsics(self) -> np.ndarray:
        return np.array([[self.fx, 0, self.width / 2], [0, self.fx, self.height / 2], [0, 0, 1.0]])

    def center(self) -> np.ndarray:
        y = np.radians(self.yaw_deg)
        return np.array([np.sin(y) * self.distance_m, -np.cos(y) * self.distance_m, self.height_m])

    def rotation(self) -> np.ndarray:
        """World -> camera rotation (rows: image right, image down, viewing direction)."""
        y, p = np.radians(self.yaw_deg), np.radians(self.pitch_deg)
        fwd = np.array([-np.sin(y) * np.cos(p), np.cos(y) * np.cos(p), -np.sin(p)])
        right = unit(np.cross(fwd, [0, 0, 1.0]))
        down = np.cross(fwd, right)
        return np.stack([right, down, fwd])

    def to_camera(self, pts: np.ndarray) -> np.ndarray:
        return (pts - self.center()) @ self.rotation().T

    def project(self, pts: np.ndarray) -> np.ndarray:
        """(N, 3) world -> (N, 2) pixels (no clipping)."""
        c = self.to_camera(np.asarray(pts, float).reshape(-1, 3))
        z = np.maximum(c[:, 2], 1e-6)
        return np.stack([self.fx * c[:, 0] / z + self.width / 2, self.fx * c[:, 1] / z + self.height / 2], axis=1)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["intrinsics"] = self.intrinsics().round(4).tolist()
        out["position_m"] = self.center().round(5).tolist()
        return out


@dataclass
class Mesh:
    vertices: np.ndarray  # (N, 3) world
    faces: np.ndarray  # (M, 3) counter-clockwise seen from outside
    colors: np.ndarray  # (M, 3) BGR 0..255 base colour per face
    two_sided: bool = False


def render(camera: Camera, meshes: list[Mesh], background: tuple[int, int, int] = (200, 205, 210),
           light_gain: float = 1.0) -> np.ndarray:
    """Rasterise the meshes; returns a BGR uint8 image of the camera's size."""
    w, h = camera.width * SS, camera.height * SS
    img = np.empty((h, w, 3), np.uint8)
    img[:] = background
    polys, depths, cols = [], [], []
    rot, cen = camera.rotation(), camera.center()
    for m in meshes:
        if len(m.faces) == 0:
            continue
        cam = (m.vertices - cen) @ rot.T
        tri = cam[m.faces]  # (M, 3, 3)
        z = tri[:, :, 2]
        keep = (z > 0.05).all(1)
        n = np.cross(m.vertices[m.faces[:, 1]] - m.vertices[m.faces[:, 0]],
                     m.vertices[m.faces[:, 2]] - m.vertices[m.faces[:, 0]])
        n /= np.linalg.norm(n, axis=1, keepdims=True) + 1e-12
        view = cen - m.vertices[m.faces[:, 0]]
        facing = (n * view).sum(1) > 0
        if not m.two_sided:
            keep &= facing
        n = np.where(facing[:, None], n, -n)
        tri, n, base = tri[keep], n[keep], m.colors[keep]
        if len(tri) == 0:
            continue
        px = camera.fx * tri[:, :, :2] / tri[:, :, 2:3] + np.array([camera.width / 2, camera.height / 2])
        px = np.round(px * SS * (1 << SHIFT)).astype(np.int32)
        inside = ((px[:, :, 0].max(1) >= 0) & (px[:, :, 0].min(1) < w << SHIFT)
                  & (px[:, :, 1].max(1) >= 0) & (px[:, :, 1].min(1) < h << SHIFT))
        shade = 0.55 + 0.5 * np.clip(n[inside] @ LIGHT, 0, 1)
        polys.append(px[inside])
        depths.append(tri[inside, :, 2].mean(1))
        cols.append(np.clip(base[inside] * shade[:, None] * light_gain, 0, 255))
    if polys:
        all_p = np.concatenate(polys)
        order = np.argsort(-np.concatenate(depths), kind="stable")
        all_c = np.concatenate(cols)[order].astype(np.int32).tolist()
        all_p = all_p[order]
        fill = cv2.fillConvexPoly
        for p, c in zip(all_p, all_c, strict=True):
            fill(img, p, c, cv2.LINE_8, SHIFT)
    return cv2.resize(img, (camera.width, camera.height), interpolation=cv2.INTER_AREA)
