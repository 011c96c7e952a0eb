"""The numpy z-buffer rasteriser: depth order, static/moving composition, coverage."""

from __future__ import annotations

import numpy as np

from simulator.render import Camera, Mesh, Renderer, render
from simulator.scene import box

CAM = Camera(width=160, height=120, height_m=1.0, distance_m=2.0, yaw_deg=0.0, pitch_deg=0.0)
RED, BLUE = (0.0, 0.0, 255.0), (255.0, 0.0, 0.0)


def _quad(y: float, color, half: float = 0.3, z: float = 1.0) -> Mesh:
    """A square facing the camera (-Y) at depth y, centred on the optical axis."""
    v = np.array([[-half, y, z - half], [half, y, z - half], [half, y, z + half], [-half, y, z + half]])
    return Mesh(v, np.array([[0, 1, 2], [0, 2, 3]]), np.array([color, color], float))


def _centre(img: np.ndarray) -> np.ndarray:
    return img[60, 80].astype(int)


def test_nearer_surface_wins_whatever_the_order():
    near, far = _quad(-0.5, RED), _quad(0.5, BLUE, half=0.6)
    for meshes in ([near, far], [far, near]):
        px = _centre(render(CAM, meshes))
        assert px[2] > 150 and px[0] < 60  # red (BGR)


def test_moving_mesh_is_hidden_behind_a_static_one_and_shows_in_front_of_it():
    static = [_quad(0.0, BLUE, half=0.6)]
    r = Renderer(CAM, static)
    assert _centre(r.frame([_quad(0.4, RED)]))[0] > 150  # behind the static quad: blue
    assert _centre(r.frame([_quad(-0.4, RED)]))[2] > 150  # in front: red
    assert _centre(r.frame([]))[0] > 150


def test_coverage_matches_the_projected_area_and_back_faces_are_culled():
    q = _quad(0.0, RED, half=0.25)
    img = render(CAM, [q], background=(0, 0, 0))
    covered = (img[:, :, 2] > 100).sum()
    side = 2 * 0.25 / 2.0 * CAM.fx  # projected side in pixels
    assert abs(covered - side * side) < 0.06 * side * side
    flipped = Mesh(q.vertices, q.faces[:, ::-1].copy(), q.colors)
    assert (render(CAM, [flipped], background=(0, 0, 0))[:, :, 2] > 100).sum() == 0


def test_big_triangles_and_boxes_render_without_holes():
    wall = box([0, 1.0, 1.0], [8.0, 0.05, 6.0], BLUE)  # fills the whole frame with a few huge triangles
    static = render(CAM, [wall], background=(0, 0, 0))  # painter's path (static scene)
    moving = Renderer(CAM, [], background=(0, 0, 0)).frame([wall])  # fragment path, batched big triangles
    assert (static[:, :, 0] > 100).all() and (moving[:, :, 0] > 100).all()
