"""SSD anchor generation and box decoding for detectors that ship raw outputs (no post-processing op).

Follows MediaPipe's SsdAnchorsCalculator and TfLiteTensorsToDetectionsCalculator semantics; the
parameters for the Objectron OIDv4 detector are those of MediaPipe's object_detection_oid_v4 graph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class AnchorConfig:
    input_size: int = 300
    min_scale: float = 0.2
    max_scale: float = 0.95
    strides: tuple[int, ...] = (16, 32, 64, 128, 256, 512)
    aspect_ratios: tuple[float, ...] = (1.0, 2.0, 0.5, 3.0, 0.3333)
    reduce_boxes_in_lowest_layer: bool = True
    interpolated_scale_aspect_ratio: float = 1.0
    offset: float = 0.5


@dataclass(frozen=True, slots=True)
class DecodeConfig:
    x_scale: float = 10.0
    y_scale: float = 10.0
    h_scale: float = 5.0
    w_scale: float = 5.0
    ignore_class: int = 0  # background
    sigmoid_score: bool = True


OIDV4_ANCHORS = AnchorConfig()
OIDV4_DECODE = DecodeConfig()


def _scale(cfg: AnchorConfig, layer: int) -> float:
    n = len(cfg.strides)
    if n == 1:
        return (cfg.min_scale + cfg.max_scale) / 2
    return cfg.min_scale + (cfg.max_scale - cfg.min_scale) * layer / (n - 1)


def ssd_anchors(cfg: AnchorConfig) -> np.ndarray:
    """Anchors as rows (y_center, x_center, h, w), normalised to [0, 1], in the model's output order
    (layer, then row, then column, then anchor)."""
    rows: list[tuple[float, float, float, float]] = []
    n = len(cfg.strides)
    for layer, stride in enumerate(cfg.strides):
        shapes: list[tuple[float, float]] = []  # (scale, aspect ratio)
        if layer == 0 and cfg.reduce_boxes_in_lowest_layer:
            shapes = [(0.1, 1.0), (_scale(cfg, layer), 2.0), (_scale(cfg, layer), 0.5)]
        else:
            shapes = [(_scale(cfg, layer), ar) for ar in cfg.aspect_ratios]
            if cfg.interpolated_scale_aspect_ratio > 0:
                nxt = 1.0 if layer == n - 1 else _scale(cfg, layer + 1)
                shapes.append((math.sqrt(_scale(cfg, layer) * nxt), cfg.interpolated_scale_aspect_ratio))
        fm = math.ceil(cfg.input_size / stride)
        for y in range(fm):
            for x in range(fm):
                for scale, ar in shapes:
                    root = math.sqrt(ar)
                    rows.append(((y + cfg.offset) / fm, (x + cfg.offset) / fm, scale / root, scale * root))
    return np.asarray(rows, dtype=np.float32)


def decode_boxes(raw: np.ndarray, anchors: np.ndarray, cfg: DecodeConfig) -> np.ndarray:
    """raw (N, 4) as (dy, dx, dh, dw) -> boxes (N, 4) as normalised (x1, y1, x2, y2)."""
    ay, ax, ah, aw = anchors.T
    yc = raw[:, 0] / cfg.y_scale * ah + ay
    xc = raw[:, 1] / cfg.x_scale * aw + ax
    h = np.exp(raw[:, 2] / cfg.h_scale) * ah
    w = np.exp(raw[:, 3] / cfg.w_scale) * aw
    return np.stack([xc - w / 2, yc - h / 2, xc + w / 2, yc + h / 2], axis=1)


def class_scores(raw: np.ndarray, cfg: DecodeConfig) -> tuple[np.ndarray, np.ndarray]:
    """raw (N, C) logits -> best non-background class id and its score per anchor."""
    scores = 1.0 / (1.0 + np.exp(-raw)) if cfg.sigmoid_score else raw
    scores = scores.copy()
    scores[:, cfg.ignore_class] = -1.0
    ids = scores.argmax(axis=1)
    return ids, scores[np.arange(len(ids)), ids]
