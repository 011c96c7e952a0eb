"""The desk stage's parameters."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DeskChangeParams:
    work_width: int = 640  # analysis resolution (pixels across)
    grid: tuple[int, int] = (10, 6)  # cells for the illumination gain/chroma model
    intensity_change: float = 0.28  # relative brightness change after gain correction
    chroma_change: float = 0.045  # change of normalised colour
    ncc_window: int = 7
    ncc_change: float = 0.35  # local ZNCC below this (both textured) = structure changed
    texture_var: float = 30.0  # grey variance that counts as texture
    min_area_frac: float = 0.003  # of the desk area (a seal is ~0.008; render/shadow specks are smaller)
    min_area_px: int = 60  # at work resolution
    short_tau_s: float = 0.5  # short-term background time constant
    motion_change: float = 0.12  # relative difference to the short-term model = moving
    static_frac: float = 0.6  # share of a blob's pixels that must be still
    reference_tau_s: float = 180.0  # slow reference update where nothing changed
    # `near_changes` (stand.for_visitor): a border-cut changed region this large (share of the frame) is reported;
    # its bottom cover is read over the frame's last near_band_frac of rows
    near_min_area: float = 0.05
    near_band_frac: float = 0.02
    # ... and its pre-check: the full look is skipped where under near_check_min of each of the frame's bottom, left
    # and right bands (near_check_band of its height / width) changed, on the frame shrunk near_check_scale times
    # (None: always the full look)
    near_check_min: float | None = 0.01
    # ... and a thinner region cut by the frame's side only (not its bottom), at least near_strip_min_area of the frame,
    # near_strip_min_height of its height tall and at most near_strip_max_width of its width wide: someone standing
    # at the counter beyond the frame's side edge, head to feet in view (session 27; None: not reported)
    near_strip_min_area: float | None = 0.015
    near_strip_min_height: float = 0.4
    near_strip_max_width: float = 0.2
    near_check_band: float = 0.04
    near_check_scale: float = 4.0
    limb_width_frac: float = 0.35  # arm mask thickness, share of shoulder width
    # a hand model's hand whose wrist lies over this x the body scale from the pose's hand points is someone else's
    # (a client's, a visitor's): its forearm, forearm_len x the palm's length behind the wrist, is masked too
    other_hand: float = 1.5
    forearm_len: float = 2.5
    torso_to_shoulder: float = 0.6  # ... the shoulder width at least this x the shoulders-hips height (`body_scale`)
    slot_changed_frac: float = 0.25  # share of a slot's pixels that must change before it is checked
    slot_present_ncc: float = 0.8
    slot_found_ncc: float = 0.8
    slot_shift_frac: float = 0.2  # a shift beyond this share of the slot size = moved
    slot_occluded_frac: float = 0.35  # skip a slot this much covered by the clerk
    min_still_s: float = 2.0  # a blob must stay in place this long before it is an object
    nested_frac: float = 0.9  # ... in place: the same box (IoU > 0.6) or this share of one box inside the other
    reclassify_s: float = 10.0
    # ... but a blob holding still (its box within keep_iou of the one it was looked at on, seen on every desk run
    # since, at most keep_changed of its box's pixels off the clerk's masks changed by motion_change or uncovered)
    # keeps its answer this long: the SSDs are the stage's largest cost, and they would see the same crop
    keep_named_s: float = 60.0
    keep_iou: float = 0.85
    keep_changed: float = 0.05
    person_drop_score: float = 0.5  # a blob whose only detection is a person this sure is the person
    sure_class_score: float = 0.5  # a desk class this sure wins over the papers/seal heuristic
    shadow_hue: float = 10.0  # an all-dark blob is the desk in shadow when its dark pixels lie within this hue
    shadow_share: float = 0.6  # ... (OpenCV 0-180) of the desk's, saturated, on this share of them
    crop_context: float = 0.6  # the classifier's crop: the blob padded by this x its size
    arm_tile: float = 0.6  # `_under_arms`: the tiles' side, x the blob's short side
    hands_band_px: int = 4  # `_between_hands`: the clerk's masks this close beside a blob cut it
    tile_score: float = 0.7  # ... a class found on a tile this sure is an item (small crops make the SSDs bold)
    joined_share: float = 0.4  # a sure class boxing less than this share of its blob: items joined, looked at in tiles
    food_gap: float = 0.25  # `_tiles`: food this close (x the tile side) is one snack box (its pieces lie apart)
    tight_context: float = 0.1  # ... and of the tight second look at a blob the heuristic calls papers or a phone
    revealed_match: float = 0.12  # frame this close (relative) to its inpainted surroundings = background shows
    revealed_ratio: float = 2.0  # ... and the reference that much further from them: an item was there
    inpaint_scale: float = 0.5  # ... the surroundings filled in at this share of the work size (1 = full; cost)
    slot_vacated_frac: float = 0.4  # background showing in or beside a slot, x its outline's area = vacated
    # ... or background over slot_bared_hole x it, the rest of the change there in the colours around it on
    # slot_bared_share of its pixels, and the item's own colours left on at most slot_bared_item of their pixels
    slot_bared_hole: float = 0.1
    slot_bared_share: float = 0.9
    slot_bared_item: float = 0.1
    # ... and such a slot is paired only with a blob showing the item's own hues (`_item_hues`) on this share of it
    bared_hue_share: float = 0.1
    slot_hole_margin: int = 3  # pixels: a hole this close to the slot is where its item stood
    moved_area_ratio: tuple[float, float] = (0.1, 4.0)  # a new blob this size (x slot or hole area) = the moved item
    # ... and of the item's colours: at most this share of the blob's new pixels may fall outside the colours the
    # item showed where it stood (brightness-free chromaticity, so a view of only part of it still matches)
    moved_colour: float = 0.4
    moved_window_s: float = 6.0  # ... if it appeared no earlier than this before the slot emptied
    under_clerk_share: float = 0.25  # ... or under the clerk's hands: its hues shown there on this share
    rise_frac: float = 0.45  # standing objects: search this share of the frame height above the desk
    footprint_px: int = 24  # ... a blob above the desk needs this many changed pixels on the desk itself
    # ... or, where the desk zone runs off the frame's left or right edge, this many of its pixels in that edge's column
    # above the zone (an item standing on the desk beyond the frame, only its top in view; 0: never)
    off_frame_px: int = 8
    sign_board_scale: float = 3.0  # the pause sign's board: its marker's quad grown this much about its centre
    sign_memory_s: float = 10.0  # ... while its marker was read this recently (the markers stage runs on few frames)
    # a sign zone the frame's edge cuts: the frame may cut the marker, so it is never read and the board never cut
    # out; a blob holding this share of the zone with at most sign_size x its pixels is the sign, with the clerk away
    sign_hold: float = 0.7
    sign_size: float = 3.0
    sign_part_frac: float = 0.33  # what the board cuts off an area counts from this share of the board's area on
    # ... an area holding this share of such a zone that is not taken for the sign whole (the sign joined to papers
    # beside it) has the zone, grown by sign_rim_px, cut out; its parts of sign_part_frac x the zone's area are kept
    sign_cut_hold: float = 0.5
    sign_rim_px: int = 3
    sign_colour_share: float = 0.25  # ... less the parts with this share of their pixels in the sign's own hues
    # a blob with this share of its new pixels inside the clerk's torso outline (the shoulders-hips polygon grown by
    # half a shoulder width) and this share in the colours of the clerk's clothes (read on at least clerk_min_px
    # torso pixels above the desk) is the clerk's body (`_without_clerk`)
    clerk_inside: float = 0.9
    clerk_grow: float = 0.5  # `_without_clerk`: the torso outline's dilation disc, shoulder widths across
    clerk_colour_share: float = 0.5
    clerk_min_px: int = 300
    # ... or, whatever its colours, a blob with at most body_on_desk of its new pixels on the desk zone and 90 % of them
    # within body_reach x the body scale (`masks.body_scale`) of the shoulders-hips polygon: the clerk's waist, lap or
    # chest seen from aside, which the polygon of joint centres leaves out (`_without_clerk`)
    body_on_desk: float = 0.33
    body_reach: float = 1.0
    clothes_grow: float = 0.5  # `_clothes`: the torso outline's dilation disc, shoulder widths across
    # the client chair (`chair.py`): out of its zone when this share of the zone's pixels off the clerk changed; a zone
    # (or what the clerk leaves of it in view) under chair_min_px work pixels is not judged
    chair_out_share: float = 0.3
    chair_min_px: int = 200
    default_dt: float = 0.5  # seconds between frames when process() is not given t
