"""Camera model and a numpy z-buffer triangle rasteriser (2x supersampling, back-face culling, flat
Lambert shading).

Why a z-buffer in numpy rather than painter's order with one cv2.fillConvexPoly per triangle: the
body alone has ~14 k front-facing triangles, and a Python-level call per triangle cost ~250 ms per
640x480 frame. Here every triangle's bounding box is expanded into candidate pixels at once,
barycentric and inverse-depth planes are evaluated per fragment, and `np.maximum.at` keeps the
nearest fragment per pixel. The static scene (desk, walls, chair, props that do not move) is
rasterised once per clip into a colour + depth buffer (`Renderer`); each frame only rasterises the
moving meshes against that depth, which also makes occlusion by the desk exact per pixel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

from simulator.body import unit

SS = 2  # supersampling factor (pixel edges are averaged by INTER_AREA on the way down)
LIGHT = unit(np.array([0.35, -0.6, 0.75]))  # toward the light, world frame
MAX_FRAGMENTS = 1 << 21  # candidate pixels per rasterising batch (bounds memory for big triangles)


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

    def sees(self, pts: np.ndarray, margin: float = 0.0) -> np.ndarray:
        """(N,) whether each world point lies in front of the camera and inside the image, `margin` px in."""
        c = self.to_camera(np.asarray(pts, float).reshape(-1, 3))
        px = self.project(pts)
        return (c[:, 2] > 0.05) & (px[:, 0] >= margin) & (px[:, 0] < self.width - margin) & \
            (px[:, 1] >= margin) & (px[:, 1] < self.height - margin)

    @classmethod
    def from_dict(cls, d: dict) -> Camera:
        """The camera a clip's labels.json `camera` describes (as_dict's output)."""
        return cls(width=int(d["width"]), height=int(d["height"]), hfov_deg=float(d["hfov_deg"]),
                   height_m=float(d["height_m"]), distance_m=float(d["distance_m"]), yaw_deg=float(d["yaw_deg"]),
                   pitch_deg=float(d["pitch_deg"]))

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
    unlit: bool = False  # emits its own colour (a lit phone screen): no Lambert shading, no light gain


def _triangles(camera: Camera, meshes: list[Mesh], light_gain: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Visible, shaded triangles: (T, 3, 2) supersampled pixel coords (integer = pixel centre),
    (T, 3) camera depths, (T, 3) colours."""
    rot, cen = camera.rotation(), camera.center()
    pxs, zs, cols = [], [], []
    for m in meshes:
        if len(m.faces) == 0:
            continue
        v = np.asarray(m.vertices, float)
        cam = (v - cen) @ rot.T
        tri = cam[m.faces]
        keep = (tri[:, :, 2] > 0.05).all(1)
        v0 = v[m.faces[:, 0]]
        n = np.cross(v[m.faces[:, 1]] - v0, v[m.faces[:, 2]] - v0)
        n /= np.linalg.norm(n, axis=1, keepdims=True) + 1e-12
        facing = np.einsum("ij,ij->i", n, cen - v0) > 0
        if not m.two_sided:
            keep &= facing
        if not keep.any():
            continue
        n = np.where(facing[keep, None], n[keep], -n[keep])
        tri = tri[keep]
        shade = np.full(len(n), 1.0 / light_gain) if m.unlit else 0.55 + 0.5 * np.clip(n @ LIGHT, 0, 1)
        px = camera.fx * tri[:, :, :2] / tri[:, :, 2:3] + np.array([camera.width / 2, camera.height / 2])
        pxs.append((px + 0.5) * SS - 0.5)
        zs.append(tri[:, :, 2])
        cols.append(np.clip(m.colors[keep] * shade[:, None] * light_gain, 0, 255))
    if not pxs:
        return np.zeros((0, 3, 2)), np.zeros((0, 3)), np.zeros((0, 3))
    return np.concatenate(pxs), np.concatenate(zs), np.concatenate(cols)


def _planes(px: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Per triangle, the affine planes (a*x + b*y + c) of two barycentric weights and of the inverse
    depth: (T, 9). Degenerate triangles get NaN planes (no fragment passes the inside test)."""
    a, b, c = px[:, 0], px[:, 1], px[:, 2]
    area = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(np.abs(area) > 1e-9, 1.0 / area, np.nan)
    # weight of vertex a: cross(c - b, p - b) / area; of vertex b: cross(a - c, p - c) / area
    A0, B0 = -(c[:, 1] - b[:, 1]) * inv, (c[:, 0] - b[:, 0]) * inv
    C0 = -(A0 * b[:, 0] + B0 * b[:, 1])
    A1, B1 = -(a[:, 1] - c[:, 1]) * inv, (a[:, 0] - c[:, 0]) * inv
    C1 = -(A1 * c[:, 0] + B1 * c[:, 1])
    iz = 1.0 / z
    D0, D1 = iz[:, 0] - iz[:, 2], iz[:, 1] - iz[:, 2]  # inverse depth = w0/z0 + w1/z1 + (1 - w0 - w1)/z2
    return np.stack([A0, B0, C0, A1, B1, C1, D0 * A0 + D1 * A1, D0 * B0 + D1 * B1, D0 * C0 + D1 * C1 + iz[:, 2]], 1)


def _fragments(pl: np.ndarray, x: np.ndarray, y: np.ndarray, valid: np.ndarray | None):
    """Inside test and inverse depth for candidate pixels (arrays broadcast against the planes)."""
    w0 = pl[0] * x + pl[1] * y + pl[2]
    w1 = pl[3] * x + pl[4] * y + pl[5]
    eps = -1e-5  # shared edges drawn by both triangles: no cracks; the z-test picks one
    inside = (w0 >= eps) & (w1 >= eps) & (w0 + w1 <= 1 - eps)
    if valid is not None:
        inside &= valid
    return inside, pl[6] * x + pl[7] * y + pl[8]


def _resolve(zbuf, idbuf, pix, depth, tri) -> None:
    """Keep the nearest fragment per pixel (depth = inverse depth, larger is nearer)."""
    zf, idf = zbuf.reshape(-1), idbuf.reshape(-1)
    near = depth > zf[pix]
    pix, depth, tri = pix[near], depth[near], tri[near]
    np.maximum.at(zf, pix, depth)
    win = depth >= zf[pix]
    idf[pix[win]] = tri[win]


def rasterise(px: np.ndarray, z: np.ndarray, zbuf: np.ndarray, idbuf: np.ndarray, id_offset: int = 0) -> None:
    """Z-buffer the triangles into `zbuf` (float32 inverse depth, larger = nearer) and `idbuf`
    (triangle index + id_offset), in place. px: (T, 3, 2) pixel coords, integer = pixel centre.

    Small triangles are grouped by their bounding-box size (powers of two) so each group is one
    broadcast over (triangles, candidate pixels); big ones are expanded pixel by pixel in batches."""
    h, w = zbuf.shape
    lo = np.ceil(px.min(1)).astype(np.int64)
    hi = np.floor(px.max(1)).astype(np.int64)
    np.clip(lo, 0, [w, h], out=lo)
    np.clip(hi, -1, [w - 1, h - 1], out=hi)
    n = hi - lo + 1
    ok = (n > 0).all(1)
    planes = _planes(px, z).astype(np.float32)
    ids = np.arange(len(px)) + id_offset
    k = np.where(ok[:, None], np.ceil(np.log2(np.maximum(n, 1))).astype(np.int64), -1)
    small = ok & (k <= 5).all(1)  # bounding box up to 32 x 32
    key = k[:, 0] * 8 + k[:, 1]
    for g in np.unique(key[small]):
        sel = np.flatnonzero(small & (key == g))
        kx, ky = 1 << int(g // 8), 1 << int(g % 8)
        gx = np.tile(np.arange(kx, dtype=np.int64), ky)
        gy = np.repeat(np.arange(ky, dtype=np.int64), kx)
        x = lo[sel, 0:1] + gx
        y = lo[sel, 1:2] + gy
        valid = (gx < n[sel, 0:1]) & (gy < n[sel, 1:2])
        pl = planes[sel].T[:, :, None]
        inside, depth = _fragments(pl, x.astype(np.float32), y.astype(np.float32), valid)
        tri = np.broadcast_to(ids[sel, None], inside.shape)
        _resolve(zbuf, idbuf, (y * w + x)[inside], depth[inside], tri[inside])
    big = np.flatnonzero(ok & ~small)
    if len(big) == 0:
        return
    count = n[big, 0] * n[big, 1]
    ends = np.cumsum(count)
    start = 0
    while start < len(big):
        base = ends[start - 1] if start else 0
        stop = max(int(np.searchsorted(ends, base + MAX_FRAGMENTS, "right")), start + 1)
        cnt = count[start:stop]
        t = np.repeat(big[start:stop], cnt)
        first = np.repeat(ends[start:stop] - cnt, cnt)
        off = np.arange(first.size) - (first - first[0])
        x = lo[t, 0] + off % n[t, 0]
        y = lo[t, 1] + off // n[t, 0]
        inside, depth = _fragments(planes[t].T, x.astype(np.float32), y.astype(np.float32), None)
        _resolve(zbuf, idbuf, (y * w + x)[inside], depth[inside], ids[t][inside])
        start = stop


def rasterise_painter(px: np.ndarray, z: np.ndarray, zbuf: np.ndarray, idbuf: np.ndarray) -> None:
    """Painter's order with one cv2.fillConvexPoly per triangle into an id image, then the depth
    of each pixel from its triangle's plane. For the static scene (a few thousand triangles, some
    covering the whole frame), where this is far cheaper than expanding every pixel."""
    h, w = zbuf.shape
    shift = 4
    order = np.argsort(-z.mean(1), kind="stable")
    pts = np.round(px * (1 << shift)).astype(np.int32)
    fill = cv2.fillConvexPoly
    for i in order.tolist():
        fill(idbuf, pts[i], i, cv2.LINE_8, shift)
    # Inverse depth per pixel from its triangle's plane; the extra all-zero plane is "nothing drawn".
    pl = np.concatenate([_planes(px, z)[:, 6:], np.zeros((1, 3))]).astype(np.float32)
    tri = np.where(idbuf >= 0, idbuf, len(px))
    xs, ys = np.arange(w, dtype=np.float32)[None, :], np.arange(h, dtype=np.float32)[:, None]
    zbuf[:] = np.nan_to_num(pl[tri, 0] * xs + pl[tri, 1] * ys + pl[tri, 2])


class Renderer:
    """Renders frames of one camera: the static meshes once, the moving ones per frame."""

    def __init__(self, camera: Camera, static: list[Mesh], background: tuple[int, int, int] = (200, 205, 210),
                 light_gain: float = 1.0):
        self.camera, self.light_gain = camera, light_gain
        h, w = camera.height * SS, camera.width * SS
        zbuf = np.zeros((h, w), np.float32)
        idbuf = np.full((h, w), -1, np.int32)
        px, z, col = _triangles(camera, static, light_gain)
        rasterise_painter(px, z, zbuf, idbuf)
        palette = np.concatenate([col, [background]]).astype(np.uint8)
        self.static_img = palette[idbuf]  # index -1 = the background colour (last row)
        self.static_z = zbuf

    def frame(self, meshes: list[Mesh]) -> np.ndarray:
        """BGR uint8 image of the camera's size with `meshes` drawn over the static scene."""
        img = self.static_img
        px, z, col = _triangles(self.camera, meshes, self.light_gain)
        if len(px):
            zbuf = self.static_z.copy()
            idbuf = np.full(zbuf.shape, -1, np.int32)
            rasterise(px, z, zbuf, idbuf)
            drawn = idbuf >= 0
            img = img.copy()
            img[drawn] = col.astype(np.uint8)[idbuf[drawn]]
        if SS == 1:
            return img.copy()
        return cv2.resize(img, (self.camera.width, self.camera.height), interpolation=cv2.INTER_AREA)


def render(camera: Camera, meshes: list[Mesh], background: tuple[int, int, int] = (200, 205, 210),
           light_gain: float = 1.0) -> np.ndarray:
    """Rasterise the meshes; returns a BGR uint8 image of the camera's size."""
    return Renderer(camera, meshes, background, light_gain).frame([])
