"""Render one scenario to clip.mp4 + labels.json + counter.yaml (format: docs/simulator.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
import yaml

from simulator.body import SUPPORTING_BODIES, Body
from simulator.pose import (
    Pose,
    Poser,
    blend,
    elbow_angle,
    finger_extension,
    finger_spread,
    forearm_elevation,
    palm_label,
    palm_normal,
    torso_pitch,
)
from simulator.render import Camera, Mesh, Renderer
from simulator.scenarios import SCENARIOS, Placement, Scenario, client_seated
from simulator.scene import (
    CLIENT_SEAT,
    DESK_ITEMS,
    DESK_X,
    DESK_Y0,
    DESK_Y1,
    DESK_Z,
    HOME,
    PROPS,
    SIGN_ARUCO_ID,
    SLOT_SIZE,
    bgr,
    chair_meshes,
    client_chair_meshes,
    counter_meshes,
    held_meshes,
    monitor_meshes,
    prop_meshes,
)

LABELS_VERSION = 1
KEY_JOINTS = ["neck01", "head", "spine01", "upperarm01.R", "upperarm01.L", "lowerarm01.R", "lowerarm01.L",
              "wrist.R", "wrist.L", "finger2-3.R", "finger2-3.L", "finger3-3.R", "finger3-3.L"]
SHIRTS = ["#f2f2f2", "#3a5a8c", "#8c3a3a", "#dfe8f0", "#2f4f3a"]
SKINS = ["#e8b896", "#d9a88a", "#c08a6a", "#f0c8a8"]


@dataclass(frozen=True)
class RenderOptions:
    body: str = "m_young_avg"
    camera: Camera = Camera()
    seed: int = 0
    fps: float = 10.0
    seconds_scale: float = 1.0  # stretch (>1) or shorten (<1) the scenario's timeline
    noise: float = 2.0  # gaussian pixel noise sigma
    jpeg_quality: int = 85
    codec: str = "mp4v"  # mp4v (OpenCV) | h264 (ffmpeg libx264 through a pipe)
    crf: int = 23  # libx264 quality (lower = better) for codec h264
    split: str | None = None  # suite split (tune / heldout) recorded in labels.json
    # a camera configured for these rules only (the suite's hall camera: chair.reset); counter.yaml disables the rest
    only_rules: tuple[str, ...] | None = None


def _smooth(t: float) -> float:
    return t * t * (3 - 2 * t)


class Timeline:
    """Pose and prop state at any time, for one body."""

    def __init__(self, keys: list[tuple[float, Pose]], poser: Poser):
        self.times = [t for t, _ in keys]
        self.poses = [poser.resolve(p) for _, p in keys]

    def at(self, t: float) -> Pose:
        i = int(np.searchsorted(self.times, t, side="right")) - 1
        if i < 0:
            return self.poses[0]
        if i >= len(self.times) - 1:
            return self.poses[-1]
        a, b = self.times[i], self.times[i + 1]
        return blend(self.poses[i], self.poses[i + 1], _smooth((t - a) / (b - a)))


def placement_at(track: list[tuple[float, Placement]], t: float) -> Placement:
    cur = None
    for tk, pl in track:
        if tk <= t + 1e-9:
            cur = pl
    return cur


def _r(x, nd: int = 4):
    return np.round(np.asarray(x, float), nd).tolist()


def body_mesh(body: Body, verts: np.ndarray, shirt: str, skin: str) -> Mesh:
    pal = np.array([bgr(c) for c in (skin, shirt, "#2a2f3a", "#1a1512", "#151515", "#a8585a", "#101010")])
    return Mesh(verts, body.faces, pal[body.regions[body.faces[:, 0]]])


NEAR_M = 0.05  # near plane (camera depth, m) where 3-D zone outlines are cut before projecting


def image_region(camera: Camera, pts3d, hull: bool = False) -> list[list[float]] | None:
    """The image-pixel polygon of a world polygon (or, with hull=True, of the convex hull of a set of
    points, e.g. a box's corners): edges cut at the near plane, then the polygon clipped to the image
    rectangle (Sutherland-Hodgman via cv2.intersectConvexConvex). None when nothing of it is in view.

    Clipping each projected point to the image separately (as before) collapsed a zone that lies partly
    beside or behind the camera onto the image border (a sliver), so the client was never inside it."""
    rot, cen = camera.rotation(), camera.center()
    cam = (np.asarray(pts3d, float) - cen) @ rot.T
    if hull:  # every segment between the points: the hull of the cut segments covers the cut solid
        segs = [(cam[i], cam[j]) for i in range(len(cam)) for j in range(i + 1, len(cam))]
    else:
        segs = [(cam[i], cam[(i + 1) % len(cam)]) for i in range(len(cam))]
    kept = []
    for a, b in segs:
        for p in (a, b):
            if p[2] >= NEAR_M:
                kept.append(p)
        if (a[2] - NEAR_M) * (b[2] - NEAR_M) < 0:
            kept.append(a + (NEAR_M - a[2]) / (b[2] - a[2]) * (b - a))
    if len(kept) < 3:
        return None
    kept = np.array(kept)
    px = camera.fx * kept[:, :2] / kept[:, 2:3] + np.array([camera.width / 2, camera.height / 2])
    poly = cv2.convexHull(px.astype(np.float32))
    frame = np.array([[0, 0], [camera.width - 1, 0], [camera.width - 1, camera.height - 1],
                      [0, camera.height - 1]], np.float32)
    area, inter = cv2.intersectConvexConvex(poly, frame)
    if area < 1.0 or inter is None or len(inter) < 3:
        return None
    return [[round(float(x), 1), round(float(y), 1)] for x, y in inter.reshape(-1, 2)]


def _box_corners(x0, x1, y0, y1, z0, z1) -> list[tuple[float, float, float]]:
    return [(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]


NO_REGION = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]  # a degenerate polygon: the outline lies wholly out of view


def suggested_counter(camera: Camera, counter_id: str = "sim") -> dict:
    """A CounterConfig (calibration/config.py) for this camera: zones and slots in image pixels, each the
    visible part of its world outline (see image_region)."""
    def poly(pts):
        return image_region(camera, pts) or NO_REGION

    def rect(x, y, half, z=DESK_Z, h=0.0):
        return [(x - half, y - half, z), (x + half, y - half, z),
                (x + half, y + half, z + h), (x - half, y + half, z + h)]

    slots = [{"name": n, "polygon": poly(rect(*HOME[n][:2], SLOT_SIZE[n] / 2)), "label": n}
             for n in DESK_ITEMS]
    slots.append({"name": "monitor", "polygon": poly([(0.38, -0.3, 0.76), (0.82, -0.44, 0.76), (0.82, -0.44, 1.14),
                                                      (0.38, -0.3, 1.14)]), "label": "monitor"})
    sx, sy, _ = HOME["sign"]
    return {
        "counter_id": counter_id,
        "camera": {"width": camera.width, "height": camera.height, "height_m": camera.height_m,
                   "pitch_deg": camera.pitch_deg, "yaw_deg": camera.yaw_deg, "distance_m": camera.distance_m,
                   "hfov_deg": camera.hfov_deg},
        "zones": {
            "post": poly([(-0.45, -0.2, 0.5), (0.45, -0.2, 0.5), (0.45, 0.0, 1.9), (-0.45, 0.0, 1.9)]),
            "desk": poly([(-DESK_X, DESK_Y0, DESK_Z), (DESK_X, DESK_Y0, DESK_Z), (DESK_X, DESK_Y1, DESK_Z),
                          (-DESK_X, DESK_Y1, DESK_Z)]),
            # the seated client's whole body (chair to head), as the camera sees it
            "client": image_region(camera, _box_corners(CLIENT_SEAT[0] - 0.32, CLIENT_SEAT[0] + 0.32,
                                                        CLIENT_SEAT[1] - 0.3, DESK_Y0 + 0.05, 0.4, 1.45), hull=True),
            # where the pause sign stands as the camera sees it, as an installer draws it around the sign: the image
            # hull of its volume (board, marker and foot: x +-0.11, y -0.01 to +0.07, z to 0.2 m) with 1-2 cm around.
            # The slanted plane drawn before, from the desk 8 cm in front of the board up to its top, covered the board
            # only from the front: from 55-58 deg the board and foot stood beside it (0.02-0.12 of the sign's changed
            # pixels inside it) and, the marker unread there, were a desk object
            "sign": image_region(camera, _box_corners(sx - 0.13, sx + 0.13, sy - 0.02, sy + 0.08, DESK_Z,
                                                      DESK_Z + 0.21), hull=True) or NO_REGION,
            "client_chair": client_chair_zone(camera),
        },
        "slots": slots,
        "sign_aruco_id": SIGN_ARUCO_ID,
    }


def client_chair_zone(camera: Camera) -> list[list[float]] | None:
    """Where the client chair stands when put back, as an installer draws it around the chair on the reference (the
    image hull of its seat, back and pole); None unless the whole chair is in the image: a counter camera looks over
    it (it stands under or beside the camera), and a chair cut by the frame's edge cannot be told in its place."""
    pts = np.concatenate([m.vertices for m in client_chair_meshes()])
    if not camera.sees(pts).all():
        return None
    return image_region(camera, pts, hull=True)


def _bbox(camera: Camera, meshes: list[Mesh]) -> list[float] | None:
    pts = np.concatenate([m.vertices for m in meshes])
    if (camera.to_camera(pts)[:, 2] <= 0.05).any():
        return None
    px = camera.project(pts)
    x0, y0 = np.clip(px.min(0), 0, [camera.width, camera.height])
    x1, y1 = np.clip(px.max(0), 0, [camera.width, camera.height])
    if x1 - x0 < 1 or y1 - y0 < 1:
        return None
    return _r([x0, y0, x1, y1], 1)


def person_labels(body: Body, posed, pose: Pose, camera: Camera, facing_world: np.ndarray) -> dict:
    kp, j = posed.keypoints, posed.joints
    idx = {n: i for i, n in enumerate(body.kp_names)}
    # Finger tips: last phalanx head + the previous phalanx vector (bones have no tails here).
    j = dict(j)
    for s in "RL":
        for f in (2, 3):
            j[f"finger{f}-tip.{s}"] = j[f"finger{f}-3.{s}"] + 0.8 * (j[f"finger{f}-3.{s}"] - j[f"finger{f}-2.{s}"])
    names = KEY_JOINTS + ["finger2-tip.R", "finger2-tip.L"]
    pts3 = np.concatenate([kp, np.stack([j[n] for n in names])])
    pts2 = camera.project(pts3)
    out = {
        "keypoints_3d": _r(kp), "keypoints_2d": _r(pts2[: len(kp)], 2),
        "joints_3d": {n: _r(j[n]) for n in names},
        "joints_2d": {n: _r(p, 2) for n, p in zip(names, pts2[len(kp):], strict=True)},
        "bow_angle": round(torso_pitch(kp, idx, facing_world), 3),
        "standing": bool(pose.stand > 0.5),
        "head_pitch": round(pose.head_pitch, 3), "head_yaw": round(pose.head_yaw, 3),
    }
    for s, side in (("R", "right"), ("L", "left")):
        n = palm_normal(j, s)
        out[f"{side}_elbow_angle"] = round(elbow_angle(j, s), 3)
        out[f"{side}_forearm_elevation"] = round(forearm_elevation(j, s), 3)
        out[f"{side}_palm_normal"] = _r(n)
        out[f"{side}_palm"] = palm_label(n)
        out[f"{side}_finger_spread"] = round(finger_spread(j, s), 3)
        out[f"{side}_index_bend"] = round(finger_extension(j, s, 2), 3)
        out[f"{side}_middle_bend"] = round(finger_extension(j, s, 3), 3)
        out[f"{side}_wrist_above_shoulder"] = bool(j[f"wrist.{s}"][2] > j[f"upperarm01.{s}"][2])
    return out


CODECS = ("mp4v", "h264")


class VideoSink:
    """clip.mp4 writer: OpenCV's mp4v, or H.264 through an ffmpeg (libx264) pipe, like a real camera's
    stream. ffmpeg must be on PATH for h264 (scripts/setup installs it)."""

    def __init__(self, path: Path, fps: float, width: int, height: int, codec: str = "mp4v", crf: int = 23):
        self.path, self.codec = path, codec
        if codec == "mp4v":
            self.cv = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
            return
        if width % 2 or height % 2:
            raise ValueError(f"codec h264 (yuv420p) needs an even frame size, got {width}x{height}")
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg is None:
            raise FileNotFoundError("codec h264 needs ffmpeg on PATH (apt-get install ffmpeg), or use --codec mp4v")
        cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
               "-s", f"{width}x{height}", "-r", f"{fps:g}", "-i", "-", "-c:v", "libx264", "-preset", "veryfast",
               "-crf", str(crf), "-pix_fmt", "yuv420p", "-threads", "1", "-movflags", "+faststart", str(path)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)

    def write(self, img: np.ndarray) -> None:
        if self.codec == "mp4v":
            self.cv.write(img)
        else:
            self.proc.stdin.write(np.ascontiguousarray(img).tobytes())

    def release(self) -> None:
        if self.codec == "mp4v":
            self.cv.release()
            return
        self.proc.stdin.close()
        err = self.proc.stderr.read().decode(errors="replace")
        if self.proc.wait() != 0:
            raise RuntimeError(f"ffmpeg failed writing {self.path}: {err.strip()}")


class NoiseBank:
    """Gaussian sensor noise: one draw per clip, a random crop of it per frame (drawing 0.9 M
    normals per 640x480 frame cost ~40 ms)."""

    MARGIN = 64

    def __init__(self, rng: np.random.Generator, sigma: float, height: int, width: int):
        self.rng, self.h, self.w = rng, height, width
        self.bank = None
        if sigma > 0:
            m = self.MARGIN
            self.bank = np.round(rng.normal(0, sigma, (height + m, width + m, 3))).astype(np.int16)

    def apply(self, img: np.ndarray) -> np.ndarray:
        if self.bank is None:
            return img
        dy, dx = (int(v) for v in self.rng.integers(0, self.MARGIN + 1, 2))
        crop = self.bank[dy:dy + self.h, dx:dx + self.w]
        return np.clip(img.astype(np.int16) + crop, 0, 255).astype(np.uint8)


def _wall_start(iso: str | None) -> dict | None:
    """{"unix": seconds, "local": the ISO text} of the scene's wall clock at t = 0, or None."""
    if iso is None:
        return None
    from datetime import datetime

    return {"unix": datetime.fromisoformat(iso).timestamp(), "local": iso}


def _in(intervals: list[tuple[float, float]], t: float) -> bool:
    return any(a <= t < b for a, b in intervals)


def render_clip(scenario: Scenario | str, out: Path, opts: RenderOptions = RenderOptions(),
                progress=None) -> dict:
    """Render a scenario; writes clip.mp4, labels.json and counter.yaml in `out`. Returns the labels."""
    sc = SCENARIOS[scenario] if isinstance(scenario, str) else scenario
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(opts.seed)
    body = Body.load(opts.body)
    poser = Poser(body)
    timeline = Timeline(sc.keys, poser)
    others = [b for b in SUPPORTING_BODIES if b != opts.body]
    colleague = None
    if sc.colleague:
        cb = Body.load(others[int(rng.integers(len(others)))])
        colleague = (cb, Poser(cb), Timeline(sc.colleague, Poser(cb)))
    # Client and visitor bodies: picked from the name (no draw from rng, so the clerk's colours and the
    # noise stay what they were for scenarios without them).
    extra = [b for b in others if colleague is None or b != colleague[0].id]
    pick = zlib.crc32(sc.name.encode())
    client = visitor = None
    if sc.client:
        kb = Body.load(extra[pick % len(extra)])
        kposer = Poser(kb)
        kpose = kposer.resolve(client_seated())
        kposed = kb.posed(kposer.build(kpose))
        kfacing = kposer.root(kpose)[:3, :3] @ np.array([0, 1.0, 0])
        client = ([body_mesh(kb, kposed.vertices, "#5e4b3b", SKINS[pick % len(SKINS)])],
                  dict(person_labels(kb, kposed, kpose, opts.camera, kfacing), role="client"))
    if sc.visitor:
        vb = Body.load(extra[(pick + 1) % len(extra)])
        visitor = (vb, Poser(vb), Timeline(sc.visitor, Poser(vb)))
    shirt, skin = SHIRTS[int(rng.integers(len(SHIRTS)))], SKINS[int(rng.integers(len(SKINS)))]
    light = float(rng.uniform(0.85, 1.1))
    cam = opts.camera
    scale = opts.seconds_scale
    n_frames = int(round(sc.duration * scale * opts.fps))
    static = counter_meshes() + chair_meshes() + monitor_meshes()
    if "client_chair" not in sc.props:
        # the client chair stands in its place whether a client sits on it or not (before session 20 it was drawn
        # only with a client: every suite clip rendered then sees at most a sliver of it, see docs/simulator.md)
        static += client_chair_meshes()
    for name in DESK_ITEMS:
        if name not in sc.props:
            static += prop_meshes(name, *HOME[name])
    renderer = Renderer(cam, static, light_gain=light)
    noise = NoiseBank(rng, opts.noise, cam.height, cam.width)
    writer = None
    tmp_path = out / "clip.tmp.mp4"
    if opts.codec not in CODECS:
        raise ValueError(f"codec {opts.codec!r}: use one of {', '.join(CODECS)}")
    frames = []
    for fi in range(n_frames):
        t_clip = fi / opts.fps
        t = t_clip / scale
        meshes: list[Mesh] = []
        pose = timeline.at(t)
        world = poser.build(pose)
        posed = body.posed(world)
        client_present = _in(sc.client, t)
        if client_present and client:
            meshes += client[0]
        person = None
        if pose.visible > 0.5:
            meshes.append(body_mesh(body, posed.vertices, shirt, skin))
            facing = poser.root(pose)[:3, :3] @ np.array([0, 1.0, 0])
            person = person_labels(body, posed, pose, cam, facing)
        persons = [person] if person else []
        for role, other, colour in (("colleague", colleague, "#3a5a8c"), ("visitor", visitor, "#6a6a6a")):
            if other is None:
                continue
            cb, cposer, ctl = other
            cpose = ctl.at(t)
            if cpose.visible > 0.5:
                cposed = cb.posed(cposer.build(cpose))
                meshes.append(body_mesh(cb, cposed.vertices, colour, SKINS[0]))
                persons.append(dict(person_labels(cb, cposed, cpose, cam, cposer.root(cpose)[:3, :3] @ [0, 1.0, 0]),
                                    role=role))
        if client_present and client:
            persons.append(client[1])
        if person:
            person["role"] = "clerk"
        props = {}
        for name, track in sorted(sc.props.items()):
            pl = placement_at(track, t)
            if pl is None:
                props[name] = {"where": "absent", "bbox": None}
                continue
            if isinstance(pl, str) and pl.startswith("neck_"):
                if pose.visible <= 0.5:
                    props[name] = {"where": "absent", "bbox": None}
                    continue
                # clamped between the ear and the shoulder: centred in the gap, long axis along it
                k = {n: i for i, n in enumerate(body.kp_names)}
                side = "right" if pl.endswith("R") else "left"
                ear, sh = posed.keypoints[k[f"{side}_ear"]], posed.keypoints[k[f"{side}_shoulder"]]
                out_dir = poser.root(pose)[:3, :3] @ np.array([1.0 if side == "right" else -1.0, 0, 0])
                pm = held_meshes(name, 0.55 * ear + 0.45 * sh - 0.03 * out_dir, ear - sh, out_dir)
                where = pl
            elif isinstance(pl, str):
                if pose.visible <= 0.5:
                    props[name] = {"where": "absent", "bbox": None}
                    continue
                s = pl
                j = posed.joints
                palm_c = (j[f"wrist.{s}"] + j[f"finger2-1.{s}"] + j[f"finger5-1.{s}"]) / 3
                pm = held_meshes(name, palm_c, j[f"finger3-1.{s}"] - j[f"wrist.{s}"], palm_normal(j, s))
                where = f"hand_{s}"
            else:
                pm = prop_meshes(name, *pl)
                slot = PROPS[name].slot
                home = HOME.get(name)
                at_home = home is not None and np.hypot(pl[0] - home[0], pl[1] - home[1]) < 0.03
                where = f"slot:{slot}" if (slot and at_home) else ("sign_zone" if name == "sign" else
                                                                   "floor" if name == "client_chair" else "desk")
            meshes += pm
            props[name] = {"where": where, "category": PROPS[name].category, "bbox": _bbox(cam, pm)}
        img = noise.apply(renderer.frame(meshes))
        ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, opts.jpeg_quality])
        img = cv2.imdecode(enc, cv2.IMREAD_COLOR)
        if writer is None:
            writer = VideoSink(tmp_path, opts.fps, cam.width, cam.height, opts.codec, opts.crf)
        writer.write(img)
        frames.append({"index": fi, "t": round(t_clip, 4), "scene_t": round(t, 4), "client_present": client_present,
                       "persons": persons, "props": props})
        if progress:
            progress()
    if writer is not None:
        writer.release()
        tmp_path.replace(out / "clip.mp4")
    labels = {
        "version": LABELS_VERSION,
        "scenario": sc.name, "description": sc.description, "rules": sc.rules,
        "body": opts.body, "seed": opts.seed, "fps": opts.fps, "n_frames": n_frames,
        "seconds_scale": scale, "time_scale": sc.time_scale,
        "render": {"shirt": shirt, "skin": skin, "light_gain": round(light, 4), "noise": opts.noise,
                   "jpeg_quality": opts.jpeg_quality, "codec": opts.codec},
        "camera": cam.as_dict(),
        "wall_start": _wall_start(sc.wall_start),
        "keypoint_names": body.kp_names,
        "intervals": [{"rule": lab.rule, "start": round(lab.start * scale, 4), "end": round(lab.end * scale, 4),
                       "kind": lab.kind, "detail": lab.detail} for lab in sc.labels],
        "queue_calls": [{"counter_id": "sim", "ticket": tk, "time": round(tq * scale, 4)} for tq, tk in sc.queue_calls],
        "client_present": [[round(a * scale, 4), round(b * scale, 4)] for a, b in sc.client],
        "frames": frames,
    }
    if opts.split is not None:
        labels["split"] = opts.split
    (out / "labels.json").write_text(json.dumps(labels, sort_keys=True, separators=(",", ":")))
    # The clean-desk reference frame (what `calibrate capture` gives on a real counter) for the desk stage:
    # the static scene with every allowed item in its slot, this clip's camera and light.
    # With it, where the sign's marker is read when the sign stands at its place (CounterConfig.sign_marker).
    from calibration.sim_reference import REFERENCE_NAME, render_reference, sign_marker_record

    cv2.imwrite(str(out / REFERENCE_NAME), render_reference(labels))
    counter = suggested_counter(cam)
    counter = dict(counter, sign_marker=sign_marker_record(labels, counter), reference_image=REFERENCE_NAME)
    if opts.only_rules is not None:
        from pipelines.catalogue import catalogue

        counter["disabled_rules"] = [r for r in catalogue() if r not in opts.only_rules]
    (out / "counter.yaml").write_text(yaml.safe_dump(counter, sort_keys=False, allow_unicode=True))
    return labels


def camera_for(sc: Scenario | None = None, **kw) -> Camera:
    """A camera; pitch defaults to aiming at the clerk's chest (higher when the scenario stands)."""
    cam = replace(Camera(), **{k: v for k, v in kw.items() if v is not None and k != "pitch_deg"})
    if kw.get("pitch_deg") is not None:
        return replace(cam, pitch_deg=kw["pitch_deg"])
    aim_z = 1.2 if (sc and sc.standing) else 1.0
    pitch = float(np.degrees(np.arctan2(cam.height_m - aim_z, cam.distance_m)))
    return replace(cam, pitch_deg=round(min(max(pitch, -10.0), 80.0), 3))
