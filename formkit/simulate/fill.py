"""Draw realistic answers for a form and paint them onto its page images.

Two steps, kept apart so tests can check one against the other:

* `random_answers` decides the *truth*: what the assessor meant (single: one option or, on an
  optional field, none; multi: 0-3 options; text: written or empty) and which boxes they first
  marked and then cancelled by filling them solid (the correction convention printed on the form).
* `fill_page` draws that truth in one assessor's "hand" (`Hand`: one pen and a favourite mark
  shape per form, as real people do, with occasional variation).

The truth records the intended value: a cancelled (filled) box is never part of it; the box
ticked after it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from .effects import to_grey
from .marks import (
    BESIDE_TICK,
    DEFAULT_PEN_WEIGHTS,
    LABEL_MARK,
    PENS,
    Pen,
    Rect,
    choose_pen,
    draw_handwriting,
    draw_line,
    draw_mark,
)
from .render import rect_mm_to_px

Value = str | list[str] | None

DEFAULT_MARK_WEIGHTS: dict[str, float] = {
    "tick": 0.42,
    "cross": 0.36,
    "slash": 0.10,
    "circle": 0.05,
    "dot": 0.03,
    "fill": 0.04,
}
"""How people mark a box. `fill` as an *answer* is a solid box -- by convention that means
cancelled, so it is kept out of answers by default (see `Styles.allow_fill_as_answer`)."""


@dataclass
class Styles:
    """Knobs for the variety of marks. Defaults aim at a realistic office mix, not an easy one."""

    pen_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PEN_WEIGHTS))
    mark_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MARK_WEIGHTS))
    favourite_weights: dict[str, float] = field(
        default_factory=lambda: {"tick": 0.48, "cross": 0.40, "slash": 0.09, "circle": 0.02, "dot": 0.01}
    )
    """How often each shape is an assessor's habit (dots and circles are rare habits, but exist)."""
    favourite_share: float = 0.8
    """Share of a form's marks made with the assessor's favourite shape; the rest follow
    `mark_weights`."""
    allow_fill_as_answer: bool = False
    max_overshoot_mm: float = 2.0
    pencil_erase_share: float = 0.7
    """Share of pencil corrections made with an eraser (a ghost remains) instead of a solid fill."""
    stray_marks: float = 0.25
    """Chance per page of 1-2 stray marks (a pen rest dot, a dash, initials in the margin) placed
    at least 3 mm from every field, marker and QR code: noise a reader must ignore."""
    beside_marks: float = 0.0
    """Chance an answer is marked beside its box instead of in it: the option's printed label
    circled or underlined, or a tick next to the box. Its boxes then look empty; only the ink beside
    them shows an answer was given (a person must read it). 0 in the office mix, whose rate is
    not known; stress tests raise it (`bench/read.py --beside`)."""


@dataclass
class Hand:
    """One assessor filling one form: a pen, a favourite mark and the style mix."""

    pen: Pen
    favourite: str
    styles: Styles

    def mark_kind(self, rng: np.random.Generator) -> str:
        """The shape of the next mark: mostly the favourite, sometimes another."""
        if rng.random() < self.styles.favourite_share:
            return self.favourite
        return _pick(rng, self._answer_weights())

    def _answer_weights(self) -> dict[str, float]:
        w = dict(self.styles.mark_weights)
        if not self.styles.allow_fill_as_answer:
            w.pop("fill", None)
        return w


def _pick(rng: np.random.Generator, weights: Mapping[str, float]) -> str:
    names = list(weights)
    p = np.array([weights[n] for n in names], dtype=float)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


def random_hand(rng: np.random.Generator, styles: Styles | None = None) -> Hand:
    """Pick a pen and a favourite mark shape for one form."""
    st = styles or Styles()
    pen = choose_pen(rng, st.pen_weights)
    h = Hand(pen, "tick", st)
    allowed = h._answer_weights()
    fav = {k: v for k, v in st.favourite_weights.items() if k in allowed} or allowed
    h.favourite = _pick(rng, fav)
    return h


@dataclass
class Answers:
    """Truth for one form.

    `values`: field id -> intended value in the export-contract shape (single: option value or
    None; multi: list of option values; text: "present" or None).
    `cancelled`: field id -> option values that were marked and then withdrawn: filled solid (the
    printed convention) or, by pencil users, rubbed out (a ghost remains; see `DrawnMark.role`).
    """

    values: dict[str, Value] = field(default_factory=dict)
    cancelled: dict[str, list[str]] = field(default_factory=dict)
    preprinted: list[str] = field(default_factory=list)
    """Text fields that already hold printed text (from the plan): nobody writes there, value None."""


def _options(f: Mapping[str, Any]) -> list[str]:
    return [o["value"] for o in f.get("options", [])]


def random_answers(
    fields: Iterable[Mapping[str, Any]],
    rng: np.random.Generator,
    *,
    blank_optional: float = 0.15,
    blank_required: float = 0.02,
    text_present: float = 0.6,
    cancel_share: float = 0.03,
    multi_counts: Sequence[float] = (0.12, 0.40, 0.30, 0.18),
    preprinted: Iterable[str] = (),
) -> Answers:
    """Draw realistic truth values for every field of a form.

    `blank_optional`/`blank_required`: chance a single field is left empty (people skip optional
    questions, and sometimes forget required ones). `multi_counts[k]`: chance of k options on a
    multi field. `cancel_share`: chance that a box field has one cancelled-and-corrected mark.
    """
    out = Answers(preprinted=sorted(set(preprinted)))
    for f in fields:
        fid, kind = f["id"], f["kind"]
        if kind == "text" and fid in out.preprinted:
            out.values[fid] = None
            continue
        if kind == "text":
            out.values[fid] = "present" if rng.random() < text_present else None
            continue
        opts = _options(f)
        if not opts:
            out.values[fid] = [] if kind == "multi" else None
            continue
        if kind == "single":
            blank = blank_required if f.get("required") else blank_optional
            val: Value = None if rng.random() < blank else opts[int(rng.integers(len(opts)))]
            chosen = [] if val is None else [val]
        else:
            p = np.array(multi_counts, dtype=float)
            k = min(int(rng.choice(len(p), p=p / p.sum())), len(opts))
            chosen = [opts[i] for i in sorted(rng.choice(len(opts), size=k, replace=False))]
            val = chosen
        out.values[fid] = val
        free = [o for o in opts if o not in chosen]
        if chosen and free and rng.random() < cancel_share:
            out.cancelled[fid] = [free[int(rng.integers(len(free)))]]
    return out


@dataclass
class DrawnMark:
    """One thing drawn on a page, for the truth file and for visibility checks."""

    field_id: str
    value: str | None  # option value; None for a text area
    role: str  # "answer", "cancelled" (filled solid), "erased" (rubbed out), "text" or "stray"
    kind: str
    pen: str
    rect_px: tuple[float, float, float, float]
    visible: bool = True


def fill_page(
    image: np.ndarray,
    dpi: float,
    page_fields: Iterable[Mapping[str, Any]],
    answers: Answers,
    rng: np.random.Generator,
    styles: Styles | Hand | None = None,
    *,
    log: list[DrawnMark] | None = None,
) -> np.ndarray:
    """Return a copy of the page `image` (rendered at `dpi`) with `answers` drawn on it.

    `page_fields` are the geometry fields printed on this page. Pass a `Hand` to keep one pen
    and style across the pages of a form; `Styles` or None draws a new hand. Every mark drawn is
    appended to `log` if given.
    """
    hand = styles if isinstance(styles, Hand) else random_hand(rng, styles)
    img = image.copy()
    ov = hand.styles.max_overshoot_mm

    def note(m: DrawnMark) -> None:
        if log is not None:
            log.append(m)

    page_fields = list(page_fields)
    for f in page_fields:
        fid = f["id"]
        value = answers.values.get(fid)
        if f["kind"] == "text":
            if value is not None:
                r = rect_mm_to_px(f["rect_mm"], dpi)
                info = draw_handwriting(img, r, dpi, rng, hand.pen, signature=f.get("role") == "signature")
                note(DrawnMark(fid, None, "text", info.kind, info.pen, r))
            continue
        rects = {o["value"]: rect_mm_to_px(o["rect_mm"], dpi) for o in f.get("options", [])}
        # cancelled first: the assessor marked a box, changed their mind and filled it solid --
        # or, holding a pencil, rubbed it out, which leaves a smudged ghost and no fill
        for v in answers.cancelled.get(fid, []):
            if v not in rects:
                continue
            before = img.copy() if hand.pen.name in ("pencil", "faint_pencil") else None
            draw_mark(img, rects[v], dpi, hand.mark_kind(rng), rng, hand.pen, max_overshoot_mm=ov)
            if before is not None and rng.random() < hand.styles.pencil_erase_share:
                _erase(img, before, rects[v], dpi, rng, ov)
                note(DrawnMark(fid, v, "erased", "erased", hand.pen.name, rects[v]))
                continue
            # now and then the correction is made with another (never a faint) pen
            others = {k: w for k, w in hand.styles.pen_weights.items() if not PENS[k].faint}
            pen = hand.pen if rng.random() < 0.85 or not others else PENS[_pick(rng, others)]
            info = draw_mark(img, rects[v], dpi, "fill", rng, pen, max_overshoot_mm=ov)
            note(DrawnMark(fid, v, "cancelled", "fill", info.pen, rects[v]))
        chosen = [] if value is None else ([value] if isinstance(value, str) else list(value))
        for v in chosen:
            if v not in rects:
                raise KeyError(f"field {fid!r} has no option {v!r} on this page")
            if hand.styles.beside_marks and rng.random() < hand.styles.beside_marks:
                drawn = _mark_beside(img, image, rects[v], list(rects.values()), dpi, rng, hand)
                if drawn is not None:
                    note(DrawnMark(fid, v, "answer", drawn[0], hand.pen.name, drawn[1]))
                    continue
            info = draw_mark(img, rects[v], dpi, hand.mark_kind(rng), rng, hand.pen, max_overshoot_mm=ov)
            note(DrawnMark(fid, v, "answer", info.kind, info.pen, rects[v]))
    if rng.random() < hand.styles.stray_marks:
        for _ in range(int(rng.integers(1, 3))):
            m = _stray_mark(img, dpi, page_fields, rng, hand)
            if m is not None:
                note(m)
    return img


BESIDE_CLEAR_MM = 1.0  # a mark beside a box keeps at least this clear of every box


def _label_px(clean: np.ndarray, box: Rect, boxes: Sequence[Rect], dpi: float) -> Rect | None:
    """Where the option's printed label lies: the print just right of its box (None: no label).

    Found on the clean page the way a person sees it: dark print starting within 4 mm right of
    the box on its line, running on through gaps narrower than 2 mm (spaces between words), up to
    the next box.
    """
    ppm = dpi / 25.4
    x0, y0, x1, y1 = box
    stop = min([b[0] for b in boxes if b[0] > x1 and b[1] < y1 and b[3] > y0] + [clean.shape[1] - 8 * ppm])
    a, b = int(x1 + 0.6 * ppm), int(stop - 0.6 * ppm)
    if b <= a:
        return None
    strip = to_grey(clean[int(y0):int(y1) + 1, a:b]) < 128
    cols = np.flatnonzero(strip.any(axis=0))
    if not cols.size or cols[0] > 4 * ppm:
        return None
    gaps = np.flatnonzero(np.diff(cols) > 2 * ppm)
    end = cols[gaps[0]] if gaps.size else cols[-1]
    rows = np.flatnonzero(strip[:, cols[0]:end + 1].any(axis=1))
    if end + 1 - cols[0] < 1.2 * ppm or rows[-1] + 1 - rows[0] < 1.0 * ppm:
        return None  # a rule or a sliver of print, not a word
    return (a + float(cols[0]), y0 + float(rows[0]), a + float(end) + 1, y0 + float(rows[-1]) + 1)


def _mark_beside(
    img: np.ndarray, clean: np.ndarray, box: Rect, boxes: Sequence[Rect], dpi: float,
    rng: np.random.Generator, hand: Hand,
) -> tuple[str, Rect] | None:
    """Answer beside the box (see `Styles.beside_marks`): returns (kind, rect drawn in) or None."""
    ppm = dpi / 25.4
    label = _label_px(clean, box, boxes, dpi)
    kind = _pick(rng, {"label_circle": 0.5, "label_underline": 0.15, "tick_beside": 0.35} if label
                 else {"tick_beside": 1.0})
    if kind == "label_circle":
        draw_mark(img, label, dpi, LABEL_MARK, rng, hand.pen, max_overshoot_mm=2.0)
        return kind, label
    if kind == "label_underline":  # about the word's length, a little below it, nearly level
        y = label[3] + rng.uniform(0.5, 1.0) * ppm
        x0, x1 = label[0] - rng.uniform(-0.5, 1.0) * ppm, label[2] + rng.uniform(-0.5, 1.0) * ppm
        tilt = np.tan(np.deg2rad(rng.uniform(-4.0, 4.0))) * (x1 - x0) / 2
        draw_line(img, (x0, y + tilt), (x1, y - tilt), dpi, rng, hand.pen)
        return kind, (x0, y - abs(tilt), x1, y + abs(tilt) + 0.4 * ppm)
    # a tick in free space (no box, no print within 1 mm) left or right of the box
    x0, y0, x1, y1 = box
    side = 3.5 * ppm
    clear = BESIDE_CLEAR_MM * ppm
    for x in ((x0 - clear - side, x1 + clear) if rng.random() < 0.5 else (x1 + clear, x0 - clear - side)):
        r = (x, y0 - 0.5 * ppm, x + side, y0 - 0.5 * ppm + side)
        ya, yb, xa, xb = int(r[1] - clear), int(r[3] + clear), int(r[0] - clear), int(r[2] + clear)
        if xa > 8 * ppm and xb < img.shape[1] - 8 * ppm and not (to_grey(clean[max(0, ya):yb, xa:xb]) < 128).any():
            draw_mark(img, r, dpi, BESIDE_TICK, rng, hand.pen, max_overshoot_mm=0.3)
            return kind, r
    return None


def _erase(
    img: np.ndarray,
    before: np.ndarray,
    rect: tuple[float, float, float, float],
    dpi: float,
    rng: np.random.Generator,
    overshoot_mm: float,
) -> None:
    """Rub out a pencil mark: keep 10-30 % of its darkening, smeared a little, in place."""
    g = (overshoot_mm + 0.5) * dpi / 25.4
    x0, y0 = max(0, int(rect[0] - g)), max(0, int(rect[1] - g))
    x1, y1 = min(img.shape[1], int(rect[2] + g) + 1), min(img.shape[0], int(rect[3] + g) + 1)
    a = before[y0:y1, x0:x1].astype(np.float32)
    b = img[y0:y1, x0:x1].astype(np.float32)
    ghost = cv2.GaussianBlur(a - b, (0, 0), rng.uniform(0.8, 2.0) * dpi / 300) * rng.uniform(0.1, 0.3)
    img[y0:y1, x0:x1] = np.clip(a - ghost, 0, 255).astype(np.uint8)


FIXED_RECTS_MM: tuple[tuple[float, float, float, float], ...] = (
    (10, 10, 10, 10),
    (190, 10, 10, 10),
    (190, 277, 10, 10),
    (10, 277, 10, 10),  # ArUco markers
    (160, 7, 28, 28),  # QR code with its quiet zone
)
"""Printed on every page of every layout (geometry contract): stray marks keep clear of them."""


def _stray_mark(
    img: np.ndarray, dpi: float, fields: Sequence[Mapping[str, Any]], rng: np.random.Generator, hand: Hand
) -> DrawnMark | None:
    """One mark that answers nothing, at least 3 mm from every field box and fixed print."""
    ppm = dpi / 25.4
    h_mm, w_mm = img.shape[0] / ppm, img.shape[1] / ppm
    rects = [tuple(o["rect_mm"]) for f in fields for o in f.get("options", [])]
    rects += [tuple(f["rect_mm"]) for f in fields if "rect_mm" in f]
    rects += list(FIXED_RECTS_MM)
    kind = _pick(rng, {"dot": 0.3, "slash": 0.4, "initials": 0.3})
    sh = float(rng.uniform(3.0, 6.0))
    sw = sh * 2.5 if kind == "initials" else sh
    for _ in range(60):
        x, y = rng.uniform(8, w_mm - 8 - sw), rng.uniform(8, h_mm - 8 - sh)
        clear = all(
            x + sw + 3 <= rx or rx + rw + 3 <= x or y + sh + 3 <= ry or ry + rh + 3 <= y
            for rx, ry, rw, rh in rects
        )
        if clear:
            break
    else:
        return None
    r = rect_mm_to_px([x, y, sw, sh], dpi)
    if kind == "initials":
        info = draw_handwriting(img, r, dpi, rng, hand.pen, label_band_mm=0.0, max_lines=1)
    else:
        info = draw_mark(img, r, dpi, kind, rng, hand.pen, max_overshoot_mm=0.0)
    return DrawnMark("", None, "stray", kind, info.pen, r)


def page_fields(fields: Iterable[Mapping[str, Any]], page: int) -> list[Mapping[str, Any]]:
    """The fields printed on page `page` (1-based, as in the geometry contract)."""
    return [f for f in fields if int(f.get("page", 1)) == page]


def preprinted_text_fields(
    image: np.ndarray, dpi: float, fields: Iterable[Mapping[str, Any]], label_band_mm: float = 3.5
) -> list[str]:
    """Text fields on this page whose writing area already holds print (e.g. the planned assessor).

    The generator pre-prints plan values into some text frames (fields with a `source`); an
    assessor does not write over them, and their truth is "nothing handwritten".
    """
    g = image if image.ndim == 2 else image.mean(axis=2)
    out = []
    for f in fields:
        if f["kind"] != "text" or not f.get("source"):
            continue
        x, y, w, h = f["rect_mm"]
        band = label_band_mm if h - label_band_mm >= 3.5 else 0.0
        x0, y0, x1, y1 = (round(v) for v in rect_mm_to_px([x + 1, y + band, w - 2, h - band - 1], dpi))
        area = g[y0:y1, x0:x1]
        if area.size and float((area < 128).mean()) > 0.002:
            out.append(f["id"])
    return out
