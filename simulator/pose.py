"""Poses by joint angles, exact by construction, and the measurements the labels report.

A `Pose` is a small set of interpretable numbers (body placement, torso pitch = bow angle, head
angles) plus two `Arm`s given as directions in the *body frame* (+X the body's right, +Y forward,
+Z up, not tilted by the bow). `Reach` is an arm given by a wrist target near the head or the desk
(two-bone IK); `resolve` turns it into an `Arm`, so that keyframes interpolate on directions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from simulator.body import Body, angle_deg, cross3, rot_axis, rot_between, unit

SEAT_HIP_Z = 0.55  # hip joint height when seated (seat 0.47 m)
PALM_SIGN = {"R": 1.0, "L": -1.0}  # cross(index - wrist, pinky - wrist) * sign = palm normal
FINGERS = (2, 3, 4, 5)
SPREAD_SLOT = {2: 1.5, 3: 0.5, 4: -0.5, 5: -1.5}


def d(az: float, el: float) -> np.ndarray:
    """Unit direction in the body frame: azimuth from forward toward the body's right, elevation up."""
    a, e = np.radians(az), np.radians(el)
    return np.array([np.sin(a) * np.cos(e), np.cos(a) * np.cos(e), np.sin(e)])


@dataclass(frozen=True)
class Arm:
    upper: tuple[float, float, float]  # shoulder -> elbow, body frame
    fore: tuple[float, float, float]  # elbow -> wrist
    palm: tuple[float, float, float]  # palm normal target (projected off the hand direction)
    hand: tuple[float, float, float] | None = None  # wrist -> knuckles; None = along the forearm
    curl: float = 0.15  # 0 open .. 1 fist
    spread: float = 3.0  # degrees between adjacent fingers
    point: float = 0.0  # 1 = index extended, the others curled


@dataclass(frozen=True)
class Reach:
    """Wrist at `anchor` + `offset` (anchor: 'mouth', 'ear_R/L', 'chin', 'chest', 'desk', 'lap', 'hip_R/L',
    'temple_R/L')."""

    anchor: str
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)  # body frame, metres
    pole: tuple[float, float, float] = (0.3, -0.2, -1.0)  # where the elbow points (side mirrored)
    palm: tuple[float, float, float] = (0.0, 0.0, -1.0)
    hand: tuple[float, float, float] | None = None
    curl: float = 0.3
    spread: float = 3.0
    point: float = 0.0


def bend(fore: np.ndarray, elbow: float, ref: np.ndarray) -> tuple[float, ...]:
    """Upper-arm direction for a forearm direction and an elbow angle (180 = straight); the elbow
    sits on the `ref` side of the forearm line."""
    f = unit(np.asarray(fore, float))
    r = np.asarray(ref, float)
    r = unit(r - (r @ f) * f)
    t = np.radians(180.0 - elbow)
    return tuple(np.cos(t) * f + np.sin(t) * r)


def arm_bent(side: str, fore: np.ndarray, elbow: float, ref=(0.0, 0.0, -1.0), palm=(0, 0, 1), **kw) -> Arm:
    m = np.array([1.0 if side == "R" else -1.0, 1, 1])
    fore = unit(np.asarray(fore, float) * m)
    return Arm(upper=bend(fore, elbow, np.asarray(ref) * m), fore=tuple(fore),
               palm=tuple(unit(np.asarray(palm, float) * m)), **kw)


def arm_down(side: str, elbow: float = 170.0) -> Arm:
    """Arm hanging at the side, palm toward the thigh."""
    return arm_bent(side, d(8, -84), elbow, ref=(0.3, -1.0, 0), palm=(-1, 0, 0))


@dataclass(frozen=True)
class Pose:
    x: float = 0.0
    y: float = 0.0
    facing: float = 0.0  # degrees; 0 faces the camera side (-Y in the world)
    stand: float = 0.0  # 0 seated, 1 standing
    pitch: float = 0.0  # torso pitch from vertical (bow / lean forward +, lean back -), exact
    yaw: float = 0.0  # torso twist
    roll: float = 0.0  # lateral lean
    slouch: float = 0.0  # spine curvature 0..1
    head_pitch: float = 0.0  # + looks down
    head_yaw: float = 0.0  # + toward the body's right
    head_roll: float = 0.0
    arm_r: Arm | Reach = field(default_factory=lambda: arm_down("R"))
    arm_l: Arm | Reach = field(default_factory=lambda: arm_down("L"))
    visible: float = 1.0
    # The torso rotation that makes the measured bow angle equal `pitch` (solved once per keyframe by
    # Poser.resolve and interpolated between keyframes; None = solve when building).
    torso: float | None = None


# --- construction ----------------------------------------------------------------------------

class Poser:
    """Builds world bone poses of one body for a Pose."""

    def __init__(self, body: Body):
        self.body = body
        h = body.head
        self.hip_z = 0.5 * (h("upperleg01.L")[2] + h("upperleg01.R")[2])
        self.rest_rot = {n: body.rest[i, :3, :3] for i, n in enumerate(body.bone_names)}
        self.arm_len = {s: (np.linalg.norm(h(f"lowerarm01.{s}") - h(f"upperarm01.{s}")),
                            np.linalg.norm(h(f"wrist.{s}") - h(f"lowerarm01.{s}"))) for s in "RL"}
        self.palm_rest = {s: unit(cross3(h(f"finger2-1.{s}") - h(f"wrist.{s}"),
                                           h(f"finger5-1.{s}") - h(f"wrist.{s}")) * PALM_SIGN[s]) for s in "RL"}
        self.kp = {n: i for i, n in enumerate(body.kp_names)}

    def root(self, p: Pose) -> np.ndarray:
        m = np.eye(4)
        m[:3, :3] = rot_axis([0, 0, 1], 180.0 + p.facing)
        m[:3, 3] = [p.x, p.y, (1 - p.stand) * (SEAT_HIP_Z - self.hip_z)]
        return m

    def _aim(self, bone: str, end: str, target_world: np.ndarray):
        a_rest = self.body.head(end) - self.body.head(bone)
        r_rest = self.rest_rot[bone]

        def fn(i, rot, world):
            return rot_between(rot @ r_rest.T @ a_rest, target_world) @ rot
        return fn

    def _frame(self, bone: str, a_rest: np.ndarray, b_rest: np.ndarray, a_t: np.ndarray, b_t: np.ndarray):
        """Rotation putting the rest vectors (a, b) on the targets (a exactly, b projected)."""
        def frame(a, b):
            a = unit(a)
            b = unit(b - (b @ a) * a)
            return np.stack([a, b, cross3(a, b)], axis=1)
        r_rest = self.rest_rot[bone]
        rot = frame(a_t, b_t) @ frame(a_rest, b_rest).T @ r_rest
        return lambda i, _rot, _world: rot

    def edits(self, p: Pose, pitch_solved: float, body_rot: np.ndarray) -> dict:
        e: dict = {}
        B = body_rot
        right, up = B @ np.array([1.0, 0, 0]), np.array([0, 0, 1.0])
        # Legs: thighs forward when seated, down when standing.
        thigh = unit((1 - p.stand) * d(0, -8) + p.stand * d(0, -90))
        shin = unit((1 - p.stand) * d(0, -80) + p.stand * d(0, -90))
        for s in "LR":
            e[f"upperleg01.{s}"] = self._aim(f"upperleg01.{s}", f"lowerleg01.{s}", B @ thigh)
            e[f"lowerleg01.{s}"] = self._aim(f"lowerleg01.{s}", f"foot.{s}", B @ shin)
        torso = B @ rot_axis([0, 0, 1], -p.yaw) @ rot_axis([0, 1, 0], p.roll) @ rot_axis([1, 0, 0], -pitch_solved) @ B.T
        e["spine05"] = lambda i, rot, w: torso @ rot
        # A rotation about the body's right axis by +a turns forward toward UP (right-hand rule), so
        # flexing forward (rounded back, head down) is a negative angle.
        for name, k in (("spine03", 0.35), ("spine02", 0.35), ("spine01", 0.3)):
            r = rot_axis(right, -25.0 * p.slouch * k)
            e[name] = lambda i, rot, w, r=r: r @ rot
        neck = rot_axis(right, -0.5 * p.head_pitch) @ rot_axis(up, -0.5 * p.head_yaw)
        head = neck @ rot_axis(B @ np.array([0, 1.0, 0]), 0.5 * p.head_roll)
        e["neck01"] = lambda i, rot, w: neck @ rot
        e["head"] = lambda i, rot, w: head @ rot
        for s, arm in (("R", p.arm_r), ("L", p.arm_l)):
            if not isinstance(arm, Arm):
                raise TypeError("resolve() the pose before building it (Reach arms need the posed torso)")
            self._arm_edits(e, s, arm, B)
        return e

    def _arm_edits(self, e: dict, s: str, arm: Arm, B: np.ndarray) -> None:
        h = self.body.head
        up_w, fore_w, palm_w = B @ np.array(arm.upper), B @ np.array(arm.fore), B @ np.array(arm.palm)
        hand_w = B @ np.array(arm.hand) if arm.hand is not None else fore_w
        e[f"upperarm01.{s}"] = self._aim(f"upperarm01.{s}", f"lowerarm01.{s}", up_w)
        e[f"lowerarm01.{s}"] = self._frame(f"lowerarm01.{s}", h(f"wrist.{s}") - h(f"lowerarm01.{s}"),
                                           self.palm_rest[s], fore_w, palm_w)
        e[f"wrist.{s}"] = self._frame(f"wrist.{s}", h(f"finger3-1.{s}") - h(f"wrist.{s}"),
                                      self.palm_rest[s], hand_w, palm_w)
        lateral = unit(cross3(palm_w, hand_w)) * (1.0 if s == "R" else -1.0)
        lat_rest = unit(h(f"finger2-1.{s}") - h(f"finger5-1.{s}"))
        if lat_rest @ lateral < 0:
            lateral = -lateral
        for f in FINGERS:
            curl = 0.0 if (arm.point > 0.5 and f == 2) else max(arm.curl, arm.point)
            sp = np.radians(arm.spread * SPREAD_SLOT[f])
            base = unit(np.cos(sp) * hand_w + np.sin(sp) * lateral)
            e[f"finger{f}-1.{s}"] = self._curled(f"finger{f}-1.{s}", f"finger{f}-2.{s}", base, palm_w, 70 * curl)
            for j, ang in ((2, 95), (3, 65)):
                e[f"finger{f}-{j}.{s}"] = self._curl_rel(palm_w, hand_w, ang * curl)
        thumb = max(arm.curl, arm.point) * 40.0
        for j in (2, 3):
            e[f"finger1-{j}.{s}"] = self._curl_rel(palm_w, hand_w, thumb)

    def _curled(self, bone, end, base, palm_w, deg):
        aim = rot_axis(cross3(base, palm_w), deg) @ base
        return self._aim(bone, end, aim)

    @staticmethod
    def _curl_rel(palm_w, hand_w, deg):
        axis = cross3(hand_w, palm_w)
        r = rot_axis(axis, deg)
        return lambda i, rot, w: r @ rot

    def build(self, p: Pose) -> np.ndarray:
        """World bone poses with the torso pitch solved so the labelled bow angle is exact (or with
        the pre-solved `p.torso`, one forward pass)."""
        root = self.root(p)
        B = root[:3, :3]
        if p.torso is not None:
            return self.body.forward(root, self.edits(p, p.torso, B))
        return self.body.forward(root, self.edits(p, self.solve_torso(p), B))

    def solve_torso(self, p: Pose) -> float:
        """The torso rotation whose measured bow angle (COCO keypoints) equals p.pitch (secant, 1e-4 deg)."""
        root = self.root(p)
        B = root[:3, :3]
        target = p.pitch
        x0 = target
        f0 = self.measure_pitch(self.body.forward(root, self.edits(p, x0, B)), B) - target
        x1 = x0 - f0
        world = self.body.forward(root, self.edits(p, x1, B))
        for _ in range(6):  # secant on the measured angle
            f1 = self.measure_pitch(world, B) - target
            if abs(f1) < 1e-4 or abs(f1 - f0) < 1e-12:
                break
            x0, x1, f0 = x1, x1 - f1 * (x1 - x0) / (f1 - f0), f1
            world = self.body.forward(root, self.edits(p, x1, B))
        return x1

    def measure_pitch(self, world: np.ndarray, B: np.ndarray) -> float:
        kp = self.body.keypoints(world)
        return torso_pitch(kp, self.kp, B @ np.array([0, 1.0, 0]))

    # --- Reach -> Arm -------------------------------------------------------------------------
    def anchors(self, world: np.ndarray, kp: np.ndarray, B: np.ndarray) -> dict[str, np.ndarray]:
        k = self.kp
        fwd = B @ np.array([0, 1.0, 0])
        nose = kp[k["nose"]]
        return {
            "mouth": nose + np.array([0, 0, -0.045]) + 0.05 * fwd,
            "chin": nose + np.array([0, 0, -0.085]) + 0.02 * fwd,
            "ear_R": kp[k["right_ear"]] + B @ np.array([0.03, 0.0, -0.02]),
            "ear_L": kp[k["left_ear"]] + B @ np.array([-0.03, 0.0, -0.02]),
            "chest": 0.5 * (kp[k["left_shoulder"]] + kp[k["right_shoulder"]]) + np.array([0, 0, -0.12]) + 0.22 * fwd,
            "desk": np.array([world[0, 0, 3], world[0, 1, 3], 0.79]) + 0.38 * fwd,
            "lap": 0.5 * (kp[k["left_hip"]] + kp[k["right_hip"]]) + 0.2 * fwd + np.array([0, 0, 0.08]),
            # at the side of the waist, just above the hip joint (hands on hips)
            "hip_R": kp[k["right_hip"]] + B @ np.array([0.07, 0.0, 0.1]),
            "hip_L": kp[k["left_hip"]] + B @ np.array([-0.07, 0.0, 0.1]),
            # the side of the head above the eyes (hair)
            "temple_R": kp[k["right_ear"]] + B @ np.array([0.02, 0.03, 0.08]),
            "temple_L": kp[k["left_ear"]] + B @ np.array([-0.02, 0.03, 0.08]),
        }

    def resolve(self, p: Pose) -> Pose:
        """Replace Reach arms by the Arm that puts the wrist on the target (two-bone IK), and solve
        the torso rotation for the exact bow angle (`torso`)."""
        if isinstance(p.arm_r, Arm) and isinstance(p.arm_l, Arm):
            return p if p.torso is not None else replace(p, torso=self.solve_torso(p))
        plain = replace(p, torso=None, arm_r=p.arm_r if isinstance(p.arm_r, Arm) else arm_down("R"),
                        arm_l=p.arm_l if isinstance(p.arm_l, Arm) else arm_down("L"))
        world = self.build(plain)
        B = self.root(p)[:3, :3]
        kp = self.body.keypoints(world)
        anchors = self.anchors(world, kp, B)
        arms = {}
        for s, arm in (("R", p.arm_r), ("L", p.arm_l)):
            if isinstance(arm, Arm):
                arms[s] = arm
                continue
            m = np.array([1.0 if s == "R" else -1.0, 1, 1])
            target = anchors[arm.anchor] + B @ (np.array(arm.offset) * m)
            shoulder = world[self.body.bone_index[f"upperarm01.{s}"], :3, 3]
            a, b = self.arm_len[s]
            to = target - shoulder
            dist = min(np.linalg.norm(to), a + b - 1e-4)
            t = unit(to)
            cos_a = np.clip((a * a + dist * dist - b * b) / (2 * a * dist), -1, 1)
            pole = B @ (np.array(arm.pole) * m)
            pole = unit(pole - (pole @ t) * t)
            elbow = shoulder + a * (cos_a * t + np.sqrt(1 - cos_a ** 2) * pole)
            wrist = shoulder + dist * t
            to_body = B.T
            arms[s] = Arm(upper=tuple(to_body @ unit(elbow - shoulder)), fore=tuple(to_body @ unit(wrist - elbow)),
                          palm=tuple(np.array(arm.palm) * m), hand=None if arm.hand is None else
                          tuple(np.array(arm.hand) * m), curl=arm.curl, spread=arm.spread, point=arm.point)
        out = replace(p, arm_r=arms["R"], arm_l=arms["L"], torso=None)
        return replace(out, torso=self.solve_torso(out))


# --- interpolation ---------------------------------------------------------------------------

def _mix(a, b, t: float):
    if a is None or b is None:
        return a if t < 0.5 else b
    if isinstance(a, tuple) and len(a) == 3:
        return tuple(unit((1 - t) * np.array(a) + t * np.array(b)))
    return (1 - t) * a + t * b


def blend(a: Pose, b: Pose, t: float) -> Pose:
    """Pose between two resolved poses (t in [0, 1]); directions by normalised lerp."""
    if t <= 0:
        return a
    if t >= 1:
        return b
    vals = {}
    for name in Pose.__dataclass_fields__:
        va, vb = getattr(a, name), getattr(b, name)
        if isinstance(va, Arm):
            vals[name] = Arm(**{f: _mix(getattr(va, f), getattr(vb, f), t) for f in Arm.__dataclass_fields__})
        else:
            vals[name] = _mix(va, vb, t)
    return Pose(**vals)


# --- measurements (what the labels report) -----------------------------------------------------

def torso_pitch(kp: np.ndarray, idx: dict[str, int], forward: np.ndarray) -> float:
    """Signed angle of mid-hip -> mid-shoulder from vertical, + leaning forward (the bow angle)."""
    sh = 0.5 * (kp[idx["left_shoulder"]] + kp[idx["right_shoulder"]])
    hp = 0.5 * (kp[idx["left_hip"]] + kp[idx["right_hip"]])
    v = sh - hp
    fwd = unit(np.array([forward[0], forward[1], 0.0]))
    return float(np.degrees(np.arctan2(v @ fwd, v[2])))


def elbow_angle(j: dict[str, np.ndarray], s: str) -> float:
    """Interior angle at the elbow joint (180 = straight arm)."""
    e = j[f"lowerarm01.{s}"]
    return angle_deg(j[f"upperarm01.{s}"] - e, j[f"wrist.{s}"] - e)


def palm_normal(j: dict[str, np.ndarray], s: str) -> np.ndarray:
    w = j[f"wrist.{s}"]
    return unit(cross3(j[f"finger2-1.{s}"] - w, j[f"finger5-1.{s}"] - w) * PALM_SIGN[s])


def palm_label(n: np.ndarray) -> str:
    return "up" if n[2] > 0.5 else "down" if n[2] < -0.5 else "side"


def finger_spread(j: dict[str, np.ndarray], s: str) -> float:
    """Mean angle between adjacent finger base segments (index..little), degrees."""
    dirs = [j[f"finger{f}-2.{s}"] - j[f"finger{f}-1.{s}"] for f in FINGERS]
    return float(np.mean([angle_deg(a, b) for a, b in zip(dirs, dirs[1:], strict=False)]))


def finger_extension(j: dict[str, np.ndarray], s: str, f: int) -> float:
    """Angle between the first and last phalanx of a finger: 0 = straight."""
    return angle_deg(j[f"finger{f}-2.{s}"] - j[f"finger{f}-1.{s}"], j[f"finger{f}-3.{s}"] - j[f"finger{f}-2.{s}"])


def forearm_elevation(j: dict[str, np.ndarray], s: str) -> float:
    v = j[f"wrist.{s}"] - j[f"lowerarm01.{s}"]
    return float(np.degrees(np.arcsin(np.clip(unit(v)[2], -1, 1))))
