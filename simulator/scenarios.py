"""Declarative scenario timelines: keyframed clerk poses, prop moves, queue calls, client presence
and the ground-truth behaviour intervals (rule ids). One or more per rule family of
shared/RULES.md, positive and negative.

Times are scene seconds. `time_scale` says how many real seconds one scene second stands for
(absences and calls are time-compressed); labels.json records it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from simulator.pose import Arm, Pose, Reach, arm_bent, arm_down, d
from simulator.scene import CLIENT_SEAT, HOME

Placement = tuple[float, float, float] | str | None  # (x, y, yaw) on the desk, "R"/"L" held, None absent


@dataclass(frozen=True)
class Label:
    rule: str
    start: float
    end: float
    kind: str = "violation"  # violation | performed | compliant
    detail: dict = field(default_factory=dict)


@dataclass
class Scenario:
    name: str
    description: str
    duration: float
    keys: list[tuple[float, Pose]]
    props: dict[str, list[tuple[float, Placement]]] = field(default_factory=dict)
    labels: list[Label] = field(default_factory=list)
    queue_calls: list[tuple[float, str]] = field(default_factory=list)
    client: list[tuple[float, float]] = field(default_factory=list)  # client-present intervals
    colleague: list[tuple[float, Pose]] = field(default_factory=list)  # a second body's keyframes
    visitor: list[tuple[float, Pose]] = field(default_factory=list)  # a non-client visitor's keyframes
    time_scale: float = 1.0
    standing: bool = False  # the clerk stands for part of the clip (camera framing hint)
    # Local wall-clock time at scene t = 0 (ISO 8601 with offset), for rules that need the time of day;
    # wall time at scene t = wall_start + t * time_scale. None = no wall clock (counts as working hours).
    wall_start: str | None = None

    @property
    def rules(self) -> list[str]:
        return sorted({lab.rule for lab in self.labels})


# --- a small pose vocabulary ------------------------------------------------------------------

def hands_desk(dx: float = 0.12, dy: float = 0.0, curl: float = 0.3) -> tuple[Reach, Reach]:
    return (Reach("desk", (dx, dy, 0.0), palm=(0, 0, -1), curl=curl),
            Reach("desk", (dx, dy, 0.0), palm=(0, 0, -1), curl=curl))


def typing(t: float = 0.0) -> Pose:
    r, left = hands_desk(0.13, 0.02 * (t % 2), 0.35)
    return Pose(head_pitch=18, arm_r=r, arm_l=left)


def writing() -> Pose:
    return Pose(pitch=8, head_pitch=30, arm_r=Reach("desk", (0.05, 0.02, 0.0), palm=(0, 0, -1), curl=0.7),
                arm_l=Reach("desk", (0.2, 0.0, 0.0), palm=(0, 0, -1), curl=0.2))


def reading() -> Pose:
    r, left = hands_desk(0.16, -0.02, 0.2)
    return Pose(pitch=6, head_pitch=32, head_yaw=-8, arm_r=r, arm_l=left)


def upright() -> Pose:
    r, left = hands_desk(0.14, 0.0, 0.2)
    return Pose(arm_r=r, arm_l=left)


def standing(pitch: float = 0.0, **kw) -> Pose:
    return Pose(stand=1.0, pitch=pitch, **kw)


ABDOMEN = Reach("chest", (0.05, -0.05, -0.2), palm=(0, -1, 0), curl=0.1, spread=0.0)


def guide_arm(position: str, elbow: float = 120.0, palm_up: bool = True) -> Arm:
    fore = {"horizontal": d(40, 0), "bent": d(85, 0), "high": d(35, 35), "low": d(35, -35)}[position]
    return arm_bent("R", fore, elbow, ref=(0.2, -0.2, -1.0), palm=(0, 0, 1) if palm_up else (0, 0, -1),
                    curl=0.0, spread=0.0)


def raise_hand_arm(fingers_together: bool = True) -> Arm:
    return arm_bent("R", d(5, 82), 100, ref=(1.0, 0.0, -0.4), palm=(0, 1, 0), curl=0.0,
                    spread=0.0 if fingers_together else 14.0)


def two_hands() -> tuple[Reach, Reach]:
    """Both hands holding a document out across the desk to the client (who sits to the clerk's right,
    CLIENT_SEAT): forearms reaching forward and toward that side over the desk's front half, lifted a hand's
    breadth above it, the hands a sheet's width apart (a left-hand offset is mirrored: -x is toward the
    body's right). The arms are short next to the desk, so with the lean (`handover_reach`) the wrists end
    ~0.45 m ahead of the shoulders at ~shoulder height, where typing rests them ~0.37 m ahead and 0.22 m lower."""
    r = Reach("desk", (0.28, 0.32, 0.17), palm=(0, 0, 1), curl=0.35, pole=(0.6, 0.0, -1.0))
    return r, Reach("desk", (-0.06, 0.32, 0.17), palm=(0, 0, 1), curl=0.35, pole=(0.4, 0.0, -1.0))


def pick_up_papers() -> Pose:
    """Both hands on the document lying in front of the keyboard, about to lift it."""
    return Pose(pitch=6, head_pitch=20, arm_r=Reach("desk", (0.08, 0.05, 0.02), palm=(0, 0, -1), curl=0.4),
                arm_l=Reach("desk", (0.08, 0.05, 0.02), palm=(0, 0, -1), curl=0.4))


def handover_keys(both: bool) -> list[tuple[float, Pose]]:
    """Pick the papers up (0.6-1.0 s), reach out across the desk (1.0-1.8), hold them out while the client takes
    them (1.8-3.0), withdraw (3.0-3.6) and go back to the keyboard. One-handed: the left hand stays on the desk."""
    r, left = two_hands()
    out = Pose(pitch=18 if both else 14, head_pitch=5, arm_r=r, arm_l=left if both else hands_desk()[1])
    return [(0.0, typing(0)), (0.6, typing(1)), (1.0, pick_up_papers()), (1.8, out), (3.0, out), (3.6, upright()),
            (4.2, typing(0)), (5.0, typing(1))]


def client_seated() -> Pose:
    """A client on the chair in the client zone, facing the clerk, forearms on the counter."""
    return Pose(x=CLIENT_SEAT[0], y=CLIENT_SEAT[1] + 0.04, facing=180.0, pitch=6, head_pitch=8,
                arm_r=Reach("desk", (0.14, 0.0, 0.0), palm=(0, 0, -1), curl=0.3),
                arm_l=Reach("desk", (0.14, 0.0, 0.0), palm=(0, 0, -1), curl=0.3))


def pointing_at_client() -> Pose:
    """The seated clerk pointing the right index at the client (point_one_finger; also calibrate preview's check
    that such a hand stays in the frame)."""
    point = arm_bent("R", d(25, 5), 160, ref=(0.2, 0, -1), palm=(-1, 0, 0), point=1.0)
    return Pose(arm_r=point, arm_l=hands_desk()[1])


# Where a colleague stands to chat beside the clerk's post (x, y, facing): post.chatting's scenarios and the
# installer preview's check that such a visitor is in view.
BESIDE_POST = (0.78, -0.05, -90.0)


def visitor_standing(x: float = CLIENT_SEAT[0], y: float = -1.02, facing: float = 180.0, visible: float = 1.0) -> Pose:
    return Pose(x=x, y=y, facing=facing, stand=1.0, visible=visible)


AFTER_HOURS = "2026-03-04T17:40:00+08:00"  # a Wednesday, 40 min after the default closing time (17:00)
HAIR = Reach("temple_R", (0.0, 0.0, 0.0), palm=(-1, 0, 0), curl=0.4, pole=(1.0, 0.2, -0.3))
ON_HIPS = (Reach("hip_R", palm=(-1, 0, 0), curl=0.3, pole=(1.0, -0.5, 0.0), hand=(0.2, 0.3, -1.0)),
           Reach("hip_L", palm=(-1, 0, 0), curl=0.3, pole=(1.0, -0.5, 0.0), hand=(0.2, 0.3, -1.0)))


def fingers_together(curl: float) -> tuple[Reach, Reach]:
    """Both hands together in front of the body above the desk, palms facing each other."""
    return (Reach("desk", (0.035, -0.06, 0.1), palm=(-1, 0, 0.2), curl=curl, spread=8.0),
            Reach("desk", (0.035, -0.06, 0.1), palm=(-1, 0, 0.2), curl=1.0 - curl, spread=8.0))


# --- the scenarios ----------------------------------------------------------------------------

def _static(name, description, pose, labels_rule=None, kind="violation", duration=4.0, **kw) -> Scenario:
    keys = [(0.0, typing()), (0.8, pose), (duration - 0.8, pose), (duration, typing())]
    labels = [Label(labels_rule, 0.8, duration - 0.8, kind)] if labels_rule else []
    return Scenario(name, description, duration, keys, labels=labels, **kw)


# The 15-degree bow that goes with the guiding gesture (standing(15) from 2.0 to 3.5 s, moving 1.0-2.0 and
# 3.5-4.5 s) is a real greeting-class bow: labelled as a performed bow.angle, like the bow_* clips (whose
# interval also spans the motion), so a bow event in a guide clip counts as right, not as a false alarm.
GUIDE_BOW = Label("bow.angle", 1.0, 4.5, "performed", {"peak_deg": 15.0, "hold_s": 1.5, "class": "greeting",
                                                        "within": "guide"})


def build() -> dict[str, Scenario]:
    s: dict[str, Scenario] = {}

    def add(sc: Scenario) -> None:
        s[sc.name] = sc

    add(Scenario("do_nothing", "clerk working normally: typing, writing, reading papers (no event expected)", 6.0,
                 [(0.0, typing(0)), (1.5, typing(1)), (2.5, writing()), (4.0, reading()), (6.0, typing(0))],
                 props={"papers": [(0.0, (0.02, -0.42, 5.0))]}))
    # Etiquette ------------------------------------------------------------------------------
    for ang in (15, 30, 45, 8, 22):
        near_miss = ang in (8, 22)
        add(Scenario(f"bow_{ang}", f"standing bow of {ang} degrees" + (" (near miss)" if near_miss else ""), 5.0,
                     [(0.0, standing()), (1.2, standing()), (2.0, standing(ang)), (3.0, standing(ang)),
                      (3.8, standing()), (5.0, standing())],
                     labels=[Label("bow.angle", 1.2, 3.8, "performed",
                                   {"peak_deg": float(ang), "hold_s": 1.0,
                                    "class": {15: "greeting", 30: "thanks", 45: "apology"}.get(ang, "none")})],
                     standing=True))
    for pos in ("horizontal", "bent", "high", "low"):
        add(Scenario(f"guide_{pos}", f"guiding gesture, {pos} position, elbow 120, palm up, 15 degree bow", 5.0,
                     [(0.0, standing()), (1.0, standing()),
                      (2.0, standing(15, arm_r=guide_arm(pos), arm_l=ABDOMEN)),
                      (3.5, standing(15, arm_r=guide_arm(pos), arm_l=ABDOMEN)), (4.5, standing()), (5.0, standing())],
                     labels=[Label("guide.gesture", 2.0, 3.5, "compliant",
                                   {"position": pos, "elbow_deg": 120.0, "palm": "up", "fingers": "together"}),
                             Label("point.one_finger", 2.0, 3.5, "compliant", {"why": "open hand"}), GUIDE_BOW],
                     standing=True))
    for name, arm, why in (("guide_wrong_elbow", guide_arm("horizontal", elbow=170), "elbow 170 (straight arm)"),
                           ("guide_palm_down", guide_arm("horizontal", palm_up=False), "palm down")):
        add(Scenario(name, f"guiding gesture with {why}", 5.0,
                     [(0.0, standing()), (1.0, standing()), (2.0, standing(15, arm_r=arm, arm_l=ABDOMEN)),
                      (3.5, standing(15, arm_r=arm, arm_l=ABDOMEN)), (4.5, standing()), (5.0, standing())],
                     labels=[Label("guide.gesture", 2.0, 3.5, "violation", {"why": why}), GUIDE_BOW], standing=True))
    for together in (True, False):
        nm = "greet_raise_hand" if together else "greet_raise_hand_spread"
        up = Pose(arm_r=raise_hand_arm(together), arm_l=hands_desk()[1])
        add(Scenario(nm, "queue call, then the right hand raised" + ("" if together else " with fingers spread"),
                     5.0, [(0.0, upright()), (1.4, upright()), (2.0, up), (3.2, up), (3.8, upright()),
                           (5.0, upright())],
                     queue_calls=[(1.0, "A012")], client=[(2.5, 5.0)],
                     labels=[Label("greet.raise_hand", 1.0, 3.2, "performed" if together else "violation",
                                   {"latency_s": 1.0, "fingers": "together" if together else "spread"})]))
    add(Scenario("greet_missed", "queue call without any greeting (violation)", 5.0,
                 [(0.0, typing(0)), (5.0, typing(1))], queue_calls=[(1.0, "A013")], client=[(2.5, 5.0)],
                 labels=[Label("greet.raise_hand", 1.0, 5.0, "violation", {"why": "no greeting"})]))
    add(_static("point_one_finger", "pointing with the index finger alone", pointing_at_client(),
                "point.one_finger", client=[(0.0, 4.0)]))
    papers_handed = {"papers": [(0.0, (0.0, -0.42, 0.0)), (1.0, "R"), (3.0, None)]}  # the client took them at 3.0
    add(Scenario("handover_two_hands", "documents picked up and handed across the desk with both hands", 5.0,
                 handover_keys(both=True), props=dict(papers_handed), client=[(0.0, 5.0)],
                 labels=[Label("handover.two_hands", 1.0, 3.6, "compliant")]))
    add(Scenario("handover_one_hand", "documents picked up and handed across the desk with one hand", 5.0,
                 handover_keys(both=False), props=dict(papers_handed), client=[(0.0, 5.0)],
                 labels=[Label("handover.two_hands", 1.0, 3.6)]))
    # The visitor walks up to the counter where a client would sit (see stand_for_visitor_missed) at 0.6 s; the
    # clerk stands up at 1.2-2.0 s and bows 15 degrees (2.6-3.4 s).
    add(Scenario("stand_for_visitor", "a visitor arrives, no client: clerk stands and bows 15", 5.0,
                 [(0.0, typing()), (1.2, typing()), (2.0, standing()), (2.6, standing(15)), (3.4, standing(15)),
                  (4.0, standing()), (5.0, standing())],
                 visitor=[(0.0, visitor_standing(visible=0.0)), (0.5, visitor_standing(visible=0.0)),
                          (0.6, visitor_standing()), (5.0, visitor_standing())],
                 labels=[Label("stand.for_visitor", 0.6, 4.0, "performed", {"bow_deg": 15.0}),
                         Label("bow.angle", 2.0, 4.0, "performed",
                               {"peak_deg": 15.0, "hold_s": 0.8, "class": "greeting", "within": "stand_for_visitor"})],
                 standing=True))
    # Phone, eating, drinking -------------------------------------------------------------------
    # held up in front of the chest, the screen toward the face; the camera sees its back above the hand
    look_phone = Pose(pitch=10, head_pitch=38, arm_r=Reach("chest", (-0.02, 0.12, 0.02), palm=(0.0, -1.0, 0.9),
                                                           hand=(-0.15, 0.4, 1.0), curl=0.5, pole=(1.0, 0.2, -1.0)),
                      arm_l=hands_desk()[1])
    sc = _static("phone_in_hand", "looking down at a phone held in the hand", look_phone, "phone.use",
                 props={"phone": [(0.0, "R")]})
    sc.labels += [Label("phone.on_desk", 0.8, 3.2, "compliant"), Label("phone.call", 0.8, 3.2, "compliant")]
    add(sc)
    # the elbow out and forward-down (a pole behind the torso made MediaPipe put the wrist on the desk)
    at_ear = Pose(head_roll=8, arm_r=Reach("ear_R", (0.03, 0.03, -0.1), palm=(-1, 0, 0), hand=(-0.15, 0.1, 1.0),
                                        curl=0.5, pole=(1.0, 0.6, -0.6)),
                  arm_l=hands_desk()[1])
    for name, ts, long in (("phone_call_long", 60.0, True), ("phone_call_short", 20.0, False)):
        add(_static(name, f"phone at the ear with a client present, {'over' if long else 'under'} 3 min "
                    f"(time compressed x{ts:g})", at_ear, "phone.call", time_scale=ts, duration=5.0,
                    client=[(0.0, 5.0)], props={"phone": [(0.0, "R")]},
                    kind="violation"))
        s[name].labels.append(Label("phone.neck_clamp", 0.8, 4.2, "compliant", {"why": "held in the hand"}))
    add(Scenario("phone_on_desk", "phone lying on the counter while the clerk types (x5: 30 s)", 6.0,
                 [(0.0, typing(0)), (6.0, typing(1))], props={"phone": [(0.0, (0.3, -0.46, 15.0))]}, time_scale=5.0,
                 labels=[Label("phone.on_desk", 0.0, 6.0), Label("phone.use", 0.0, 6.0, "compliant")]))
    eat = Pose(head_pitch=5, arm_r=Reach("mouth", (0.05, 0.06, -0.15), palm=(-1.0, -0.2, 0.0), hand=(-0.3, 0.15, 1.0),
                                         curl=0.7, pole=(1.0, 0.6, -0.6)), arm_l=hands_desk()[1])
    bites = [(0.0, typing()), (1.0, typing())]
    for k in range(7):  # seven bites over 23 s: the snack box stays on the desk 1.5x the rule's 15 s minimum
        t0 = 1.0 + 3.2 * k
        bites += [(t0 + 0.8, eat), (t0 + 1.6, eat), (t0 + 2.4, upright())]
    bites.append((24.0, upright()))
    add(Scenario("eating", "eating a banana: seven bites in 23 s, a box of donuts on the desk", 24.0, bites,
                 props={"snack_box": [(0.0, (-0.36, -0.45, 10.0))], "food": [(0.0, None), (1.0, "R"), (23.4, None)]},
                 labels=[Label("eat.food", 1.0, 23.4),
                         Label("desk.personal_items", 0.0, 24.0, detail={"item": "snack_box"})]))
    drink = Pose(head_pitch=-12, arm_r=Reach("mouth", (0.03, 0.03, -0.04), palm=(-1, 0, 0), curl=0.5,
                                          pole=(1.0, 0.6, -0.6)), arm_l=hands_desk()[1])
    for name, present in (("drinking_client", True), ("drinking_alone", False)):
        add(Scenario(name, "drinking from a cup " + ("while a client is present" if present else "with no client"),
                     5.0, [(0.0, upright()), (1.0, upright()), (1.8, drink), (3.2, drink), (4.0, upright()),
                           (5.0, upright())],
                     props={"cup": [(0.0, (-0.22, -0.42, 0.0)), (1.0, "R"), (4.0, (-0.22, -0.42, 0.0))]},
                     client=[(0.0, 5.0)] if present else [],
                     labels=[Label("drink.in_front", 1.0, 4.0, "violation" if present else "compliant")]
                     + ([] if present else [Label("eat.food", 1.0, 4.0, "compliant")])))
    # Posture ----------------------------------------------------------------------------------
    r, left = hands_desk(0.2, 0.0, 0.3)
    add(_static("head_on_desk", "lying on the counter, head down", Pose(pitch=62, head_pitch=30, arm_r=r, arm_l=left),
                "posture.head_on_desk", duration=5.0))
    chin = Pose(pitch=10, arm_r=Reach("chin", palm=(0, -1, 0.3), curl=0.5, pole=(0.1, 0.2, -1)), arm_l=hands_desk()[1])
    add(_static("chin_on_hand", "chin propped on the right hand", chin, "posture.chin_on_hand"))
    cross = Pose(arm_r=Reach("chest", (-0.13, 0.08, -0.06), palm=(0, -1, 0), curl=0.4, pole=(1, 0.3, -0.6)),
                 arm_l=Reach("chest", (-0.13, 0.04, -0.1), palm=(0, -1, 0), curl=0.4, pole=(1, 0.3, -0.6)))
    add(_static("arms_crossed", "arms folded across the chest", cross, "posture.arms_crossed"))
    add(_static("leaning_back", "leaning back against the chair", Pose(pitch=-16, head_pitch=-5, arm_r=arm_down("R"),
                                                                        arm_l=arm_down("L")), "posture.slouch"))
    r, left = hands_desk(0.1, 0.0, 0.3)
    add(_static("slouching", "slumped forward, rounded back", Pose(pitch=18, slouch=1.0, head_pitch=12, arm_r=r,
                                                                    arm_l=left), "posture.slouch"))
    # Presence -----------------------------------------------------------------------------------
    away = standing(x=-2.2, facing=-90, arm_r=arm_down("R"), arm_l=arm_down("L"), visible=0.0)
    walk = standing(x=-0.9, facing=-90)
    for name, sign, ts, viol in (("leave_sign_short", True, 120.0, False), ("leave_sign_long", True, 300.0, True),
                                 ("leave_nosign_short", False, 120.0, True), ("leave_nosign_long", False, 300.0, True)):
        absent_real = 5.0 * ts / 60
        add(Scenario(name, f"clerk leaves for {absent_real:.0f} min ({'with' if sign else 'without'} the pause sign; "
                     f"time compressed x{ts:g})", 8.0,
                     [(0.0, upright()), (0.6, standing()), (1.3, walk), (1.5, away), (6.5, away), (6.7, walk),
                      (7.3, standing()), (8.0, upright())],
                     props={"sign": [(0.0, None), (0.5, HOME["sign"]), (7.4, None)] if sign else [(0.0, None)]},
                     time_scale=ts,
                     labels=[Label("post.empty", 1.5, 6.5, "violation" if viol else "compliant",
                                   {"absent_min": absent_real, "sign": sign}),
                             Label("post.pause_sign", 1.5, 6.5, "compliant" if sign else "violation"),
                             Label("post.leave_secure", 1.5, 6.5, "compliant", {"items": []}),
                             Label("item.unattended", 1.5, 6.5, "compliant")]))
    colleague = [(0.0, standing(x=2.2, facing=90, visible=0.0)), (1.8, standing(x=2.2, facing=90, visible=0.0)),
                 (2.0, standing(x=0.9, facing=90)), (2.6, standing()), (3.2, upright()), (8.0, upright())]
    add(Scenario("colleague_covering", "clerk leaves, a colleague takes over the post (counts as staffed)", 8.0,
                 [(0.0, upright()), (0.6, standing()), (1.3, walk), (1.5, away), (8.0, away)],
                 colleague=colleague, time_scale=30.0,
                 labels=[Label("post.empty", 1.5, 3.2, "compliant", {"covered_by": "colleague"})]))
    add(Scenario("personal_item_placed", "a handbag and an umbrella put on the desk (x10: 80 s)", 8.0,
                 [(0.0, typing(0)), (8.0, typing(1))], time_scale=10.0,
                 props={"handbag": [(0.0, None), (1.5, (0.34, -0.42, 25.0))],
                        "umbrella": [(0.0, None), (2.5, (-0.6, -0.55, 0.0))]},
                 labels=[Label("desk.personal_items", 1.5, 8.0, detail={"item": "handbag"}),
                         Label("desk.personal_items", 2.5, 8.0, detail={"item": "umbrella"}),
                         Label("desk.displaced", 0.0, 8.0, "compliant")]))
    add(Scenario("allowed_item_displaced", "the evaluator pad moved out of its slot, left on the desk (x10: 80 s)",
                 8.0, [(0.0, typing(0)), (8.0, typing(1))], time_scale=10.0,
                 props={"evaluator_pad": [(0.0, HOME["evaluator_pad"]), (1.5, (0.0, -0.5, 25.0))]},
                 labels=[Label("desk.displaced", 1.5, 8.0, detail={"item": "evaluator_pad"}),
                         Label("desk.personal_items", 0.0, 8.0, "compliant"),
                         Label("desk.allowed_items", 0.0, 8.0, "compliant")]))
    add(Scenario("item_unattended", "clerk leaves with the sign; a handbag stays on the desk unattended", 8.0,
                 [(0.0, upright()), (0.6, standing()), (1.3, walk), (1.5, away), (8.0, away)],
                 props={"handbag": [(0.0, (0.3, -0.45, 0.0))], "sign": [(0.0, None), (0.5, HOME["sign"])]},
                 time_scale=60.0,
                 labels=[Label("item.unattended", 1.5, 8.0, detail={"item": "handbag"}),
                         Label("post.empty", 1.5, 8.0, "compliant", {"sign": True})]))
    add(Scenario("papers_left", "clerk leaves; papers and the seal stay on the desk", 8.0,
                 [(0.0, writing()), (0.6, standing()), (1.3, walk), (1.5, away), (8.0, away)],
                 props={"papers": [(0.0, (0.02, -0.42, 0.0))], "seal": [(0.0, (0.2, -0.4, 0.0))],
                        "sign": [(0.0, None), (0.5, HOME["sign"])]},
                 time_scale=60.0, labels=[Label("post.leave_secure", 1.5, 8.0, detail={"items": ["papers", "seal"]}),
                                          Label("post.empty", 1.5, 8.0, "compliant", {"sign": True})]))
    _gap_scenarios(add)
    _call_clients(s)
    return s


def _call_clients(scenarios: dict[str, Scenario]) -> None:
    """Every client arrives on a queue call (a client at the window was called there): scenarios whose
    client interval has no call at its start get one, and since their clerk does not raise a hand, a
    greet.raise_hand violation (no greeting) from the call for the greeting window (4 s, or to the end)."""
    n = 0
    for sc in scenarios.values():
        for start, _end in sc.client:
            if any(start - 2.0 <= tq <= start + 0.01 for tq, _ in sc.queue_calls):  # called just before
                continue
            n += 1
            sc.queue_calls.append((start, f"C{n:03d}"))
            sc.labels.append(Label("greet.raise_hand", start, min(start + 4.0, sc.duration), "violation",
                                   {"why": "no greeting", "client_arrival": True}))


def _gap_scenarios(add) -> None:
    """Posture gaps (fidget, hands on hips, dozing nods, gaze), visitors, neck clamp, desk after hours,
    the client chair."""
    # posture.fidget: playing with the hair (hand to the temple 4 times) vs tucking it once
    # (long enough that the touches go on for more than the rule's 6 s once the third one is seen)
    keys = [(0.0, typing(0))]
    for k in range(6):
        t0 = 0.6 + 1.9 * k
        keys += [(t0, typing(k)), (t0 + 0.5, Pose(head_roll=-6, arm_r=HAIR, arm_l=hands_desk()[1])),
                 (t0 + 1.1, Pose(head_roll=-6, arm_r=replace(HAIR, offset=(0.0, -0.03, -0.04)), arm_l=hands_desk()[1]))]
    keys.append((13.0, typing(1)))
    add(Scenario("fidget_hair", "playing with the hair: right hand to the side of the head, 6 times in 11 s", 13.0,
                 keys, labels=[Label("posture.fidget", 1.1, 11.4, detail={"kind": "hair", "touches": 6})]))
    add(Scenario("hair_tuck_once", "one quick touch of the hair, then typing (not fidgeting)", 6.0,
                 [(0.0, typing(0)), (1.5, typing(1)), (2.0, Pose(arm_r=HAIR, arm_l=hands_desk()[1])),
                  (2.6, typing(0)), (6.0, typing(1))],
                 labels=[Label("posture.fidget", 0.0, 6.0, "compliant", {"touches": 1})]))
    # posture.fidget: fingers playing with each other, hands together in front, wrists still
    r, left = fingers_together(0.1)
    keys = [(0.0, upright()), (1.0, Pose(head_pitch=20, arm_r=r, arm_l=left))]
    for k in range(1, 18):
        r, left = fingers_together(0.1 if k % 2 == 0 else 0.85)
        keys.append((1.0 + 0.5 * k, Pose(head_pitch=20, arm_r=r, arm_l=left)))
    keys += [(10.0, upright())]
    add(Scenario("fidget_fingers", "playing with the fingers: hands together, fingers moving, for 8 s", 10.0, keys,
                 labels=[Label("posture.fidget", 1.0, 9.5, detail={"kind": "fingers"})]))
    # posture.hands_on_hips (standing) vs the standing etiquette posture (hands clasped in front)
    add(Scenario("hands_on_hips", "standing with both hands on the hips (叉腰), elbows out, for 8 s", 10.0,
                 [(0.0, standing()), (0.6, standing()), (1.2, standing(arm_r=ON_HIPS[0], arm_l=ON_HIPS[1])),
                  (9.2, standing(arm_r=ON_HIPS[0], arm_l=ON_HIPS[1])), (10.0, standing())],
                 labels=[Label("posture.hands_on_hips", 1.2, 9.2)], standing=True))
    front = Reach("chest", (0.0, 0.02, -0.24), palm=(-1, 0, 0), curl=0.3, pole=(0.5, -0.3, -1.0))
    add(Scenario("stand_hands_front", "standing with the hands clasped in front of the abdomen (the service posture)",
                 10.0, [(0.0, standing()), (1.2, standing(arm_r=front, arm_l=front)),
                        (9.2, standing(arm_r=front, arm_l=front)), (10.0, standing())],
                 labels=[Label("posture.hands_on_hips", 1.2, 9.2, "compliant"),
                         Label("posture.arms_crossed", 1.2, 9.2, "compliant")], standing=True))
    # posture.dozing: nodding off (the head sinks slowly, then jerks up) vs reading with the head down
    keys = [(0.0, upright())]
    for k in range(4):
        t0 = 1.0 + 2.6 * k
        keys += [(t0, Pose(pitch=4, head_pitch=5, arm_r=Reach("lap", curl=0.3), arm_l=Reach("lap", curl=0.3))),
                 (t0 + 2.1, Pose(pitch=8, head_pitch=42, arm_r=Reach("lap", curl=0.3), arm_l=Reach("lap", curl=0.3)))]
    keys += [(11.6, Pose(pitch=4, head_pitch=5, arm_r=Reach("lap", curl=0.3), arm_l=Reach("lap", curl=0.3))),
             (12.6, upright())]
    add(Scenario("dozing_nod", "nodding off: the head sinks for 2 s and jerks back up, 4 times", 12.6, keys,
                 labels=[Label("posture.dozing", 1.0, 11.6, detail={"nods": 4})]))
    add(Scenario("reading_head_down", "reading papers with the head down, steady, for 8 s (work, not dozing)", 10.0,
                 [(0.0, upright()), (1.0, reading()), (9.0, reading()), (10.0, upright())],
                 props={"papers": [(0.0, (0.02, -0.42, 5.0))]},
                 labels=[Label("posture.dozing", 1.0, 9.0, "compliant"),
                         Label("posture.head_on_desk", 1.0, 9.0, "compliant"),
                         Label("phone.use", 1.0, 9.0, "compliant")]))
    add(Scenario("touch_face_brief", "hand to the chin for a second, then back to the keyboard", 5.0,
                 [(0.0, typing(0)), (1.5, typing(1)), (2.0, Pose(arm_r=Reach("chin", palm=(0, -1, 0.3), curl=0.5,
                                                                                 pole=(0.1, 0.2, -1)),
                                                                  arm_l=hands_desk()[1])),
                  (2.8, typing(0)), (5.0, typing(1))],
                 labels=[Label("posture.chin_on_hand", 0.0, 5.0, "compliant")]))
    lean = Pose(roll=-20.0, pitch=6, head_roll=8, arm_r=Reach("desk", (0.16, 0.02, 0.0), palm=(0, 0, -1), curl=0.3),
                arm_l=Reach("desk", (0.1, -0.1, 0.0), palm=(0, 0, -1), curl=0.4, pole=(0.4, -0.2, -1.0)))
    sc = _static("lean_on_one_arm", "slumped sideways onto the left forearm on the desk (shoulder line rolled)", lean,
                 "posture.slouch", duration=8.0)
    sc.labels[0] = Label("posture.slouch", 0.8, 7.2, detail={"kind": "side_lean"})
    add(sc)
    add(Scenario("sitting_upright", "sitting upright, hands on the desk (no slouch)", 5.0,
                 [(0.0, upright()), (5.0, upright())], labels=[Label("posture.slouch", 0.0, 5.0, "compliant")]))
    # gaze.away: head turned away from the client for 6 s vs looking at the client
    away = Pose(head_yaw=60, yaw=10, arm_r=hands_desk()[0], arm_l=hands_desk()[1])
    add(Scenario("gaze_away", "client present, the clerk looks away to the side for 8 s", 11.0,
                 [(0.0, upright()), (1.0, upright()), (1.6, away), (9.6, away), (10.2, upright()), (11.0, upright())],
                 client=[(0.0, 11.0)], labels=[Label("gaze.away", 1.6, 9.6, detail={"head_yaw_deg": 60.0})]))
    add(Scenario("gaze_client", "client present, the clerk looks at the client and at the papers", 9.0,
                 [(0.0, upright()), (3.0, Pose(head_yaw=-12, arm_r=hands_desk()[0], arm_l=hands_desk()[1])),
                  (6.0, reading()), (9.0, upright())],
                 client=[(0.0, 9.0)], props={"papers": [(0.0, (0.02, -0.42, 5.0))]},
                 labels=[Label("gaze.away", 0.0, 9.0, "compliant")]))
    # phone.neck_clamp: handset between ear and shoulder, both hands typing
    clamp = Pose(head_roll=24, head_pitch=10, arm_r=hands_desk()[0], arm_l=hands_desk()[1])
    add(_static("neck_clamp", "phone clamped between the right ear and shoulder while typing", clamp,
                "phone.neck_clamp", duration=8.0, props={"phone": [(0.0, None), (0.8, "neck_R"), (7.2, None)]}))
    # post.chatting: a colleague lingers beside the post (x15: 8 s = 2 min) vs a brief visit
    beside = visitor_standing(*BESIDE_POST)
    gone = visitor_standing(2.2, -0.05, -90.0, visible=0.0)
    add(Scenario("chatting_visitor", "a colleague stands beside the post chatting for 2 min (time compressed x15)",
                 8.0, [(0.0, upright()), (1.2, Pose(head_yaw=45, arm_r=hands_desk()[0], arm_l=hands_desk()[1])),
                       (8.0, Pose(head_yaw=45, arm_r=hands_desk()[0], arm_l=hands_desk()[1]))],
                 visitor=[(0.0, gone), (0.8, gone), (1.0, beside), (8.0, beside)], time_scale=15.0,
                 labels=[Label("post.chatting", 1.0, 8.0, detail={"visitors": 1, "real_s": 105})]))
    add(Scenario("colleague_brief_visit", "a colleague drops a note at the post for 20 s (x5) and leaves", 8.0,
                 [(0.0, typing(0)), (8.0, typing(1))],
                 visitor=[(0.0, gone), (1.8, gone), (2.0, beside), (6.0, beside), (6.2, gone)], time_scale=5.0,
                 labels=[Label("post.chatting", 2.0, 6.0, "compliant", {"real_s": 20})]))
    # stand.for_visitor missed: a visitor (no client) in front of the counter, the clerk stays seated typing
    # (8 s: the rule allows the clerk a few seconds to stand before it calls the visit unanswered)
    add(Scenario("stand_for_visitor_missed", "a visitor stands at the counter (no client); the clerk stays seated",
                 8.0, [(0.0, typing(0)), (4.0, typing(1)), (8.0, typing(0))],
                 visitor=[(0.0, visitor_standing(visible=0.0)), (0.9, visitor_standing(visible=0.0)),
                          (1.0, visitor_standing()), (8.0, visitor_standing())],
                 labels=[Label("stand.for_visitor", 1.0, 8.0, "violation", {"why": "stayed seated"})]))
    # desk.end_of_day (wall clock after hours; the clerk has left): items left out vs a cleared desk
    absent = [(0.0, standing(x=-2.2, facing=-90, visible=0.0)), (32.0, standing(x=-2.2, facing=-90, visible=0.0))]
    add(Scenario("end_of_day_left", "after hours (17:40): papers, the seal and a cup left out on the desk", 32.0,
                 absent, wall_start=AFTER_HOURS,
                 props={"papers": [(0.0, (0.02, -0.42, 5.0))], "seal": [(0.0, (0.2, -0.4, 0.0))],
                        "cup": [(0.0, (-0.22, -0.42, 0.0))]},
                 labels=[Label("desk.end_of_day", 0.0, 32.0, detail={"items": ["papers", "seal", "cup"]})]))
    add(Scenario("end_of_day_cleared", "after hours (17:40): the desk is clear, only the allowed items in place",
                 32.0, absent, wall_start=AFTER_HOURS,
                 labels=[Label("desk.end_of_day", 0.0, 32.0, "compliant"),
                         Label("desk.clutter", 0.0, 32.0, "compliant")]))
    add(Scenario("desk_clutter", "a cluttered desk: papers, seal, cup, bottle and a snack box spread around (x40)",
                 8.0, [(0.0, typing(0)), (8.0, typing(1))], time_scale=40.0,
                 props={"papers": [(0.0, (0.02, -0.42, 5.0))], "seal": [(0.0, (0.2, -0.4, 0.0))],
                        "cup": [(0.0, (-0.17, -0.5, 0.0))], "bottle": [(0.0, (0.3, -0.55, 0.0))],
                        "snack_box": [(0.0, (-0.36, -0.45, 10.0))]},
                 labels=[Label("desk.clutter", 0.0, 8.0, detail={"items": 5}),
                         Label("desk.personal_items", 0.0, 8.0, detail={"item": "snack_box"})]))
    add(Scenario("allowed_item_missing", "the evaluator pad taken away from its slot (x10: 80 s)", 8.0,
                 [(0.0, typing(0)), (8.0, typing(1))], time_scale=10.0,
                 props={"evaluator_pad": [(0.0, HOME["evaluator_pad"]), (1.5, None)]},
                 labels=[Label("desk.allowed_items", 1.5, 8.0, detail={"item": "evaluator_pad"})]))
    # chair.reset: the client leaves the chair pushed out and turned vs the chair put back 20 s later (x10: the client
    # leaves at 30 s, the clip lasts 100 s); rendered from a hall camera that sees the chair (suite.HALL_RULES)
    seat = HOME["client_chair"]
    out = (seat[0] - 0.25, seat[1] - 0.3, 35.0)
    for name, back in (("chair_left_out", False), ("chair_put_back", True)):
        add(Scenario(name, "the client leaves; the client chair is " + ("put back 20 s later" if back else
                                                                          "left pushed out") + " (x10: 100 s)",
                     10.0, [(0.0, upright()), (10.0, upright())], client=[(0.0, 3.0)], time_scale=10.0,
                     props={"client_chair": [(0.0, seat), (3.0, out)] + ([(5.0, seat)] if back else [])},
                     labels=[Label("chair.reset", 3.0, 10.0, "compliant" if back else "violation",
                                   {"put_back_at": 5.0} if back else {})]))


SCENARIOS = build()


# Where an item stands "in front of" a slot's item, per side of the camera: (x, y, yaw) on the desk. The pen holder
# (HOME (-0.36, -0.3)) seen from the front (yaw -30..15 deg), from 25-40 deg and from 54-58 deg; the direction to
# the camera is (d sin yaw, -d cos yaw) - the item, so the item in front lies that way from the slot.
BEFORE = {
    ("pen_holder", "handbag"): {"front": (-0.36, -0.44, 0.0), "right30": (-0.255, -0.385, 52.0),
                                "right55": (-0.235, -0.345, 72.0)},
    ("pen_holder", "cup"): {"front": (-0.36, -0.39, 0.0), "right30": (-0.29, -0.357, 0.0),
                            "right55": (-0.275, -0.33, 0.0)},
    # between the evaluator pad and the acrylic stand, on the client side: in front of the pad's lower right
    # seen from 54-58 deg
    ("evaluator_pad", "cup"): {"right55": (0.31, -0.77, 0.0)},
}


def build_diagnostic() -> dict[str, Scenario]:
    """Scratch scenarios for diagnosis, rendered with `sim render` only: they are in no split (`sim suite` renders
    SCENARIOS), so the suites stay as rendered. `before_<slot>_<item>_<side>`: a foreign item put down in front of
    an allowed item that stays in its slot (the slot must not read as emptied; the item is a foreign object)."""
    out: dict[str, Scenario] = {}
    for (slot, item), sides in BEFORE.items():
        for side, place in sides.items():
            name = f"before_{slot}_{item}_{side}"
            out[name] = Scenario(
                name, f"a {item} put down in front of the {slot} (camera {side}; x10: 80 s)", 8.0,
                [(0.0, typing(0)), (8.0, typing(1))], time_scale=10.0,
                props={item: [(0.0, None), (1.5, place)]},
                labels=[Label("desk.personal_items", 1.5, 8.0, detail={"item": item}),
                        Label("desk.allowed_items", 0.0, 8.0, "compliant"),
                        Label("desk.displaced", 0.0, 8.0, "compliant")])
    return out


DIAGNOSTIC = build_diagnostic()
