"""Colour helpers of the desk stage: brightness-free chromaticity, the colour bins a thing shows, template match."""

from __future__ import annotations

import math

import cv2
import numpy as np


def to_grey(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def surface_hue(reference: np.ndarray, zone: np.ndarray) -> float | None:
    """The desk's hue (OpenCV 0-180, median) in the reference, or None for a desk of no hue of its own (fewer than half
    its pixels saturated: grey, white, black)."""
    work = cv2.resize(reference, (zone.shape[1], zone.shape[0]), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(work, cv2.COLOR_BGR2HSV)[zone]
    coloured = hsv[(hsv[:, 1] > 60) & (hsv[:, 2] > 40)]
    if len(coloured) < 0.5 * max(1, len(hsv)):
        return None
    return float(np.median(coloured[:, 0]))


def chromaticity(img: np.ndarray) -> np.ndarray:
    """Blue and green shares of the pixel sum (brightness-free colour), H x W x 2."""
    total = cv2.transform(img, np.ones((1, 3), np.float32)) + 1.0
    b, g, _ = cv2.split(img)
    return cv2.merge([b / total, g / total])


COLOUR_BINS = 12  # chromaticity bins per axis (a bin is 1/12 of the blue/green share)
GREY_LEVELS = 4  # brightness levels (0 = dark); the caller compares relit pixels, so levels are comparable
COLOUR_MIN_SHARE = 0.05  # a colour a thing shows on less than this share of its pixels is not its colour
_HUES = COLOUR_BINS * COLOUR_BINS + 1  # chroma bins, and one for the unsaturated pixels


def colour_bins(pixels: np.ndarray) -> np.ndarray:
    """Each BGR pixel's (N x 3) colour bin: its brightness level x its hue. The hue is its blue and green shares
    of the sum on a COLOUR_BINS grid (brightness-free, so a shadow or another face of the item keeps it), or
    "grey" for an unsaturated or dark pixel, whose shares are noise; the level tells white from grey from black."""
    px = pixels.reshape(-1, 3).astype(np.float32)
    total = px.sum(axis=1) + 1e-3
    mean = total / 3
    b = np.minimum((px[:, 0] / total * COLOUR_BINS).astype(np.int32), COLOUR_BINS - 1)
    g = np.minimum((px[:, 1] / total * COLOUR_BINS).astype(np.int32), COLOUR_BINS - 1)
    grey = (px.max(axis=1) - px.min(axis=1) < 0.15 * mean + 8) | (mean < 40)
    level = np.minimum((mean / (256 / GREY_LEVELS)).astype(np.int32), GREY_LEVELS - 1)
    return level * _HUES + np.where(grey, _HUES - 1, b * COLOUR_BINS + g)


def colour_bin_count() -> int:
    """How many `colour_bins` there are."""
    return GREY_LEVELS * _HUES


def colour_model(pixels: np.ndarray, background: np.ndarray | None = None) -> np.ndarray | None:
    """The colours a thing shows (a boolean per `colour_bins` bin): the bins holding at least
    COLOUR_MIN_SHARE of its pixels, widened by one bin of hue and one level each way (render noise, a tint of
    the light, a face turned from the lamp), less the colours of `background` (the desk now showing where an
    item stood: its rim and shadow are no colour of its own). Its own dark pixels count only for a mostly dark
    thing (a shadow or a dark rim says nothing). None when nothing is left (an item of the desk's colours)."""
    size = GREY_LEVELS * _HUES

    def shares(px: np.ndarray) -> np.ndarray:
        hist = np.bincount(colour_bins(px), minlength=size).astype(np.float32)
        return (hist / max(1.0, float(hist.sum()))).reshape(GREY_LEVELS, _HUES)

    own = shares(pixels)
    on = (own >= COLOUR_MIN_SHARE).astype(np.uint8)
    if own[0].sum() < 0.5:
        on[0] = 0  # its dark pixels are a shadow or a rim (a dimmer light still reaches level 0 from level 1)
    hues = on[:, :-1].reshape(GREY_LEVELS, COLOUR_BINS, COLOUR_BINS)
    hues = np.stack([cv2.dilate(h, np.ones((3, 3), np.uint8)) for h in hues]).reshape(GREY_LEVELS, -1)
    model = np.concatenate([hues, on[:, -1:]], axis=1).astype(bool)
    model = model | np.roll(model, 1, axis=0) & (np.arange(GREY_LEVELS) > 0)[:, None] \
        | np.roll(model, -1, axis=0) & (np.arange(GREY_LEVELS) < GREY_LEVELS - 1)[:, None]
    if background is not None and len(background):
        model &= ~(shares(background) >= COLOUR_MIN_SHARE)
    return model.reshape(-1) if model.any() else None


def saturated(model: np.ndarray) -> np.ndarray:
    """A `colour_model` without its unsaturated bins (white, grey, black at every level): a thing's own hues."""
    hues = model.reshape(GREY_LEVELS, _HUES).copy()
    hues[:, -1] = False
    return hues.reshape(-1)


def colour_overlap(a: np.ndarray, model_a: np.ndarray, b: np.ndarray, a_partial: bool) -> float:
    """How far two views of possibly the same item share colours (0-1): the share of `b`'s pixels that show
    `a`'s colours (`model_a`): a view cut by the hand holds a subset of the item's colours. When `a` itself is
    partial (the frame edge cut the item in its slot), `b` (the item seen whole now) may also show colours the
    cut view did not: then half of `b` in `a`'s colours is enough, with `a`'s colours found in `b`."""
    bins_b = colour_bins(b)
    forward = float(model_a[bins_b].mean()) if len(bins_b) else 0.0
    if not a_partial:
        return forward  # `a`'s own pixels are binned only for the backward check
    model_b = colour_model(b)
    bins_a = colour_bins(a)
    mine = bins_a[model_a[bins_a]]
    backward = float(model_b[mine].mean()) if model_b is not None and len(mine) else 0.0
    return max(forward, min(1.0, 2 * forward, backward))


def zncc(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    den = math.sqrt(float((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 1e-6 else 0.0
