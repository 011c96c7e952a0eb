"""Object detectors from the model registry: TFLite SSD (ai_edge_litert) and ONNX YOLO (onnxruntime).

Boxes are always returned in full-frame pixels, also when the detector runs on a crop (roi). Frames are BGR
(OpenCV's order) unless the caller passes rgb=True (the counter pipeline converts each frame once)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

import cv2
import numpy as np

from models.manifest import ModelSpec
from models.registry import model_file, read_labels, require
from vision.results import Box, Detection
from vision.roi import crop_rgb

NMS_IOU = 0.45
# A box this close to a side edge (share of the width) is cut by it.
EDGE_MARGIN = 0.02
# A person in the detectors' label sets (COCO "person", OIDv4 "Person"): the one test of "is this a person" that
# the counter pipeline (people stage, object crops) and `counterwatch detect` share.
PERSON_LABELS = frozenset({"person", "Person"})
# A handset in the detectors' label sets (COCO "cell phone", OIDv4 "Mobile phone").
PHONE_LABELS = frozenset({"cell phone", "Mobile phone"})


def is_person(det: Detection) -> bool:
    return det.label in PERSON_LABELS


class Detector(ABC):
    def __init__(self, spec: ModelSpec) -> None:
        self.model_id = spec.id
        self.spec = spec
        self.labels: list[str] = read_labels(spec)

    @abstractmethod
    def _raw(self, image_rgb: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(boxes Nx4 x1,y1,x2,y2 in the image's pixels, scores N, class ids N), already NMS'd."""

    def detect(
        self, frame: np.ndarray, roi: Box | None = None, min_score: float = 0.3, *, rgb: bool = False
    ) -> list[Detection]:
        """Finds in frame (BGR, or RGB with rgb=True), inside roi when given."""
        image, (ox, oy) = crop_rgb(frame, roi, rgb)
        boxes, scores, ids = self._raw(image, min_score)
        out = []
        for (x1, y1, x2, y2), score, cid in zip(boxes, scores, ids, strict=True):
            cid = int(cid)
            label = self.labels[cid] if 0 <= cid < len(self.labels) and self.labels[cid] else str(cid)
            box = (float(x1 + ox), float(y1 + oy), float(x2 + ox), float(y2 + oy))
            out.append(Detection(box=box, label=label, score=float(score), source=self.model_id, class_id=cid))
        out.sort(key=lambda d: -d.score)
        return out

    def detect_regions(
        self, frame: np.ndarray, rois: Iterable[Box], min_score: float = 0.3, *, rgb: bool = False
    ) -> list[Detection]:
        """Run on several crops (e.g. around each hand and the desk) and merge overlapping finds."""
        found = [d for roi in rois for d in self.detect(frame, roi, min_score, rgb=rgb)]
        return nms_detections(found)


def touches_side(box: Box, width: int, margin: float = EDGE_MARGIN) -> int:
    """-1 / +1 when the box reaches the frame's left / right edge (within margin of the width), else 0."""
    if box[0] <= margin * width:
        return -1
    if box[2] >= (1.0 - margin) * width:
        return 1
    return 0


def detect_people(
    detector: Detector, frame: np.ndarray, min_score: float = 0.3, edge_hint: float = 0.0, *, rgb: bool = False
) -> list[Detection]:
    """Person boxes on the whole frame, plus the people cut by the frame's side edge.

    The SSD stretches the 4:3 frame into its square input, squeezing a person 0.75x sideways; one standing half
    out of the frame at the side then scores ~0.2. A person box touching a side edge that scores at least
    `edge_hint` (below min_score) is looked at again on the square (height x height) side of the frame it touches,
    where nothing is squeezed; that run's boxes touching the same edge join the whole-frame ones (NMS). No hint
    (the usual frame), no extra run; edge_hint 0 turns the second look off."""
    h, w = frame.shape[:2]
    low = min(min_score, edge_hint) if edge_hint > 0 else min_score
    found = [d for d in detector.detect(frame, roi=None, min_score=low, rgb=rgb) if is_person(d)]
    people = [d for d in found if d.score >= min_score]
    if edge_hint <= 0 or h >= w:
        return people
    sides = {touches_side(d.box, w) for d in found if d.score < min_score} - {0}
    for side in sorted(sides):
        square: Box = (0.0, 0.0, float(h), float(h)) if side < 0 else (float(w - h), 0.0, float(w), float(h))
        people += [d for d in detector.detect(frame, roi=square, min_score=min_score, rgb=rgb)
                   if is_person(d) and touches_side(d.box, w) == side]
    return nms_detections(people) if sides else people


def nms_detections(dets: list[Detection], iou: float = NMS_IOU) -> list[Detection]:
    """Per class of each model, drop a box overlapping a better-scoring one by more than `iou` (one object found
    again in an overlapping crop); the kept ones best first. Classes are keyed by (model, class id): two models'
    label maps give the same id to different things (COCO 47 is a cup, not the Open Images class 47)."""
    if len(dets) < 2:
        return dets
    boxes = [[d.box[0], d.box[1], d.box[2] - d.box[0], d.box[3] - d.box[1]] for d in dets]
    groups: dict[tuple[str, int, str], int] = {}
    ids = [groups.setdefault((d.source, d.class_id, d.label if d.class_id < 0 else ""), len(groups)) for d in dets]
    keep = cv2.dnn.NMSBoxesBatched(boxes, [d.score for d in dets], ids, 0.0, iou)
    return sorted((dets[int(i)] for i in np.asarray(keep).reshape(-1)), key=lambda d: -d.score)


def _nms(boxes: np.ndarray, scores: np.ndarray, ids: np.ndarray, min_score: float):
    if len(boxes) == 0:
        return boxes, scores, ids
    xywh = np.column_stack([boxes[:, 0], boxes[:, 1], boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]])
    keep = np.asarray(cv2.dnn.NMSBoxesBatched(xywh.tolist(), scores.tolist(), ids.tolist(), min_score, NMS_IOU))
    keep = keep.reshape(-1).astype(int)
    return boxes[keep], scores[keep], ids[keep]


class TFLiteSSD(Detector):
    """SSD MobileNet V2: either with the TFLite_Detection_PostProcess op (Coral COCO) or raw outputs
    decoded against anchors (Objectron OIDv4). Both take the whole image stretched to 300x300."""

    def __init__(self, spec: ModelSpec, threads: int = 2) -> None:
        super().__init__(spec)
        from ai_edge_litert.interpreter import Interpreter

        self.interpreter = Interpreter(model_path=str(model_file(spec)), num_threads=threads)
        self.interpreter.allocate_tensors()
        self.input = self.interpreter.get_input_details()[0]
        self.outputs = self.interpreter.get_output_details()
        self.size = (int(self.input["shape"][2]), int(self.input["shape"][1]))  # w, h
        if spec.decoder == "ssd_anchors_oidv4":
            from vision.ssd import OIDV4_ANCHORS, ssd_anchors

            self.anchors = ssd_anchors(OIDV4_ANCHORS)

    def _tensor(self, image_rgb: np.ndarray) -> np.ndarray:
        rgb = cv2.resize(image_rgb, self.size, interpolation=cv2.INTER_AREA)
        if self.input["dtype"] == np.uint8:
            return rgb[None]
        return (rgb.astype(np.float32) / 127.5 - 1.0)[None]  # MediaPipe's zero-centred [-1, 1]

    def _raw(self, image_rgb: np.ndarray, min_score: float):
        h, w = image_rgb.shape[:2]
        self.interpreter.set_tensor(self.input["index"], self._tensor(image_rgb))
        self.interpreter.invoke()
        outs = [self.interpreter.get_tensor(o["index"]) for o in self.outputs]
        if self.spec.decoder == "ssd_anchors_oidv4":
            from vision.ssd import OIDV4_DECODE, class_scores, decode_boxes

            raw_boxes, raw_scores = (outs[0], outs[1]) if outs[0].shape[-1] == 4 else (outs[1], outs[0])
            ids, scores = class_scores(raw_scores[0], OIDV4_DECODE)
            keep = scores >= min_score
            boxes = decode_boxes(raw_boxes[0][keep], self.anchors[keep], OIDV4_DECODE)
            boxes = np.clip(boxes, 0.0, 1.0) * np.array([w, h, w, h], dtype=np.float32)
            return _nms(boxes, scores[keep], ids[keep], min_score)
        # TFLite_Detection_PostProcess: boxes (ymin, xmin, ymax, xmax) normalised, classes, scores, count
        boxes, classes, scores, count = outs[0][0], outs[1][0], outs[2][0], int(outs[3][0])
        boxes, classes, scores = boxes[:count], classes[:count].astype(int), scores[:count]
        keep = scores >= min_score
        yx = np.clip(boxes[keep], 0.0, 1.0)
        xyxy = np.column_stack([yx[:, 1] * w, yx[:, 0] * h, yx[:, 3] * w, yx[:, 2] * h])
        return xyxy, scores[keep], classes[keep]


class OnnxYolo(Detector):
    """An ultralytics YOLO detection export: input [1,3,H,W] RGB 0..1 letterboxed, output [1,4+nc,N]
    with rows (cx, cy, w, h, class scores...) in input pixels."""

    def __init__(self, spec: ModelSpec, threads: int = 2) -> None:
        super().__init__(spec)
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(model_file(spec)), opts, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.size = spec.input_size  # w, h

    def _letterbox(self, image_rgb: np.ndarray) -> tuple[np.ndarray, float, tuple[float, float]]:
        h, w = image_rgb.shape[:2]
        tw, th = self.size
        r = min(tw / w, th / h)
        nw, nh = round(w * r), round(h * r)
        px, py = (tw - nw) / 2, (th - nh) / 2
        canvas = np.full((th, tw, 3), 114, np.uint8)
        x0, y0 = int(round(px - 0.1)), int(round(py - 0.1))
        canvas[y0 : y0 + nh, x0 : x0 + nw] = cv2.resize(image_rgb, (nw, nh), interpolation=cv2.INTER_LINEAR)
        blob = canvas.transpose(2, 0, 1)[None].astype(np.float32) / 255.0  # grey 114 padding: same in RGB
        return blob, r, (x0, y0)

    def _raw(self, image_rgb: np.ndarray, min_score: float):
        h, w = image_rgb.shape[:2]
        blob, r, (x0, y0) = self._letterbox(image_rgb)
        pred = self.session.run(None, {self.input_name: blob})[0][0]  # (4+nc, N)
        cls = pred[4:]
        ids = cls.argmax(axis=0)
        scores = cls[ids, np.arange(cls.shape[1])]
        keep = scores >= min_score
        cx, cy, bw, bh = pred[:4, keep]
        boxes = np.column_stack([cx - bw / 2 - x0, cy - bh / 2 - y0, cx + bw / 2 - x0, cy + bh / 2 - y0]) / r
        boxes = np.clip(boxes, 0, [w, h, w, h]).astype(np.float32)
        return _nms(boxes, scores[keep], ids[keep], min_score)


def load_detector(model_id: str, threads: int = 2) -> Detector:
    """The detector for a registered model; ModelMissingError (naming the install command) if absent."""
    spec = require(model_id)
    if spec.format == "tflite":
        return TFLiteSSD(spec, threads)
    if spec.format == "onnx":
        return OnnxYolo(spec, threads)
    raise ValueError(f"model '{model_id}' ({spec.format}) is not a detector format")
