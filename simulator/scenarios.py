"""Declarative scenario timelines: keyframed clerk poses, prop moves, queue calls, client presence
and the ground-truth behaviour intervals (rule ids). One or more per rule family of
shared/RULES.md, positive and negative.

Times are scene seconds. `time_scale` says how many real seconds one scene second stands for
(absences and calls are time-compressed); labels.json records it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.pose import Arm, Pose, Reach, arm_bent, arm_down, d
from simulator.scene import HOME

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
    time_scale: float = 1.0
    standing: bool = False  # the clerk stands for part of the clip (camera framing hint)

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


def two_hands(held: bool = True) -> tuple[Reach, Reach]:
    r = Reach("chest", (0.07, 0.2, 0.02), palm=(0, 0, 1), curl=0.2, pole=(0.6, 0.0, -1.0))
    return r, Reach("chest", (0.07, 0.2, 0.02), palm=(0, 0, 1), curl=0.2, pole=(0.6, 0.0, -1.0))


# --- the scenarios ----------------------------------------------------------------------------

def _static(name, description, pose, labels_rule=None, kind="violation", duration=4.0, **kw) -> Scenario:
    keys = [(0.0, typing()), (0.8, pose), (duration - 0.8, pose), (duration, typing())]
    labels = [Label(labels_rule, 0.8, duration - 0.8, kind)] if labels_rule else []
    return Scenario(name, description, duration, keys, labels=labels, **kw)


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
                                   {"position": pos, "elbow_deg": 120.0, "palm": "up", "fingers": "together"})],
                     standing=True))
    for name, arm, why in (("guide_wrong_elbow", guide_arm("horizontal", elbow=170), "elbow 170 (straight arm)"),
                           ("guide_palm_down", guide_arm("horizontal", palm_up=False), "palm down")):
        add(Scenario(name, f"guiding gesture with {why}", 5.0,
                     [(0.0, standing()), (1.0, standing()), (2.0, standing(15, arm_r=arm, arm_l=ABDOMEN)),
                      (3.5, standing(15, arm_r=arm, arm_l=ABDOMEN)), (4.5, standing()), (5.0, standing())],
                     labels=[Label("guide.gesture", 2.0, 3.5, "violation", {"why": why})], standing=True))
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
    point = arm_bent("R", d(25, 5), 160, ref=(0.2, 0, -1), palm=(-1, 0, 0), point=1.0)
    add(_static("point_one_finger", "pointing with the index finger alone", Pose(arm_r=point, arm_l=hands_desk()[1]),
                "point.one_finger", client=[(0.0, 4.0)]))
    r2, l2 = two_hands()
    add(_static("handover_two_hands", "documents handed over with both hands", Pose(pitch=8, arm_r=r2, arm_l=l2),
                "handover.two_hands", kind="compliant", client=[(0.0, 4.0)],
                props={"papers": [(0.0, (0.0, -0.4, 0.0)), (0.8, "R"), (3.2, (0.0, -0.62, 0.0))]}))
    add(_static("handover_one_hand", "documents handed over with one hand",
                Pose(pitch=4, arm_r=r2, arm_l=hands_desk()[1]), "handover.two_hands", client=[(0.0, 4.0)],
                props={"papers": [(0.0, (0.0, -0.4, 0.0)), (0.8, "R"), (3.2, (0.0, -0.62, 0.0))]}))
    add(Scenario("stand_for_visitor", "a visitor arrives, no client: clerk stands and bows 15", 5.0,
                 [(0.0, typing()), (1.0, typing()), (2.0, standing()), (2.6, standing(15)), (3.4, standing(15)),
                  (4.0, standing()), (5.0, standing())],
                 labels=[Label("stand.for_visitor", 1.0, 4.0, "performed", {"bow_deg": 15.0})], standing=True))
    # Phone, eating, drinking -------------------------------------------------------------------
    look_phone = Pose(pitch=10, head_pitch=38, arm_r=Reach("desk", (0.05, -0.08, 0.12), palm=(0, -0.5, 1), curl=0.5),
                      arm_l=hands_desk()[1])
    add(_static("phone_in_hand", "looking down at a phone held in the hand", look_phone, "phone.use",
                props={"phone": [(0.0, "R")]}))
    at_ear = Pose(head_roll=8, arm_r=Reach("ear_R", palm=(-1, 0, 0), curl=0.5), arm_l=hands_desk()[1])
    for name, ts, long in (("phone_call_long", 60.0, True), ("phone_call_short", 20.0, False)):
        add(_static(name, f"phone at the ear with a client present, {'over' if long else 'under'} 3 min "
                    f"(time compressed x{ts:g})", at_ear, "phone.call", time_scale=ts, duration=5.0,
                    client=[(0.0, 5.0)], props={"phone": [(0.0, "R")]},
                    kind="violation"))
    add(Scenario("phone_on_desk", "phone lying on the counter while the clerk types", 4.0,
                 [(0.0, typing(0)), (4.0, typing(1))], props={"phone": [(0.0, (0.2, -0.36, 10.0))]},
                 labels=[Label("phone.on_desk", 0.0, 4.0)]))
    eat = Pose(head_pitch=5, arm_r=Reach("mouth", palm=(-0.3, -1, 0), curl=0.6), arm_l=hands_desk()[1])
    add(Scenario("eating", "eating a snack: hand with food to the mouth, snack box on the desk", 6.0,
                 [(0.0, typing()), (1.0, typing()), (1.8, eat), (2.6, eat), (3.4, upright()), (4.2, eat), (5.0, eat),
                  (6.0, upright())],
                 props={"snack_box": [(0.0, (-0.15, -0.38, 0.0))], "food": [(0.0, None), (1.0, "R"), (5.6, None)]},
                 labels=[Label("eat.food", 1.0, 5.6),
                         Label("desk.personal_items", 0.0, 6.0, detail={"item": "snack_box"})]))
    drink = Pose(head_pitch=-12, arm_r=Reach("mouth", palm=(-1, 0, 0), curl=0.5), arm_l=hands_desk()[1])
    for name, present in (("drinking_client", True), ("drinking_alone", False)):
        add(Scenario(name, "drinking from a cup " + ("while a client is present" if present else "with no client"),
                     5.0, [(0.0, upright()), (1.0, upright()), (1.8, drink), (3.2, drink), (4.0, upright()),
                           (5.0, upright())],
                     props={"cup": [(0.0, (-0.22, -0.42, 0.0)), (1.0, "R"), (4.0, (-0.22, -0.42, 0.0))]},
                     client=[(0.0, 5.0)] if present else [],
                     labels=[Label("drink.in_front", 1.0, 4.0, "violation" if present else "compliant")]))
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
                                   {"absent_min": absent_real, "sign": sign})]
                     + ([Label("post.pause_sign", 1.5, 6.5, "violation")] if not sign else [])))
    colleague = [(0.0, standing(x=2.2, facing=90, visible=0.0)), (1.8, standing(x=2.2, facing=90, visible=0.0)),
                 (2.0, standing(x=0.9, facing=90)), (2.6, standing()), (3.2, upright()), (8.0, upright())]
    add(Scenario("colleague_covering", "clerk leaves, a colleague takes over the post (counts as staffed)", 8.0,
                 [(0.0, upright()), (0.6, standing()), (1.3, walk), (1.5, away), (8.0, away)],
                 colleague=colleague, time_scale=120.0,
                 labels=[Label("post.empty", 1.5, 3.2, "compliant", {"covered_by": "colleague"})]))
    add(Scenario("personal_item_placed", "a handbag and an umbrella put on the desk", 5.0,
                 [(0.0, typing(0)), (5.0, typing(1))],
                 props={"handbag": [(0.0, None), (1.5, (0.35, -0.45, 10.0))],
                        "umbrella": [(0.0, None), (2.5, (0.0, -0.7, 0.0))]},
                 labels=[Label("desk.personal_items", 1.5, 5.0, detail={"item": "handbag"}),
                         Label("desk.personal_items", 2.5, 5.0, detail={"item": "umbrella"})]))
    add(Scenario("allowed_item_displaced", "the evaluator pad moved out of its slot", 5.0,
                 [(0.0, typing(0)), (5.0, typing(1))],
                 props={"evaluator_pad": [(0.0, HOME["evaluator_pad"]), (1.5, (-0.1, -0.5, 30.0))]},
                 labels=[Label("desk.displaced", 1.5, 5.0, detail={"item": "evaluator_pad"})]))
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
    return s


SCENARIOS = build()
