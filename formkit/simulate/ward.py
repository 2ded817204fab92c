"""One call from blank forms to a scanned stack with known truth: `simulate_stack`.

    forms = [FormToFill("7K2Q-9XDM", geometry["fields"], pdf="form.pdf")]
    stack = simulate_stack(forms, "office300", np.random.default_rng(1), Path("out"))
    stack.files, stack.truth            # the stack file(s) and the truth dict (also written as JSON)

For forms made by `formkit generate`, `forms_from_pdf(pdf, [per-form geometry, ...])` builds the
FormToFill list from the PDF and `formkit forms show ID --json` output.

Truth JSON (`<name>.truth.json`, format "formkit-simulated-stack/1"):

    {"format": ..., "profile": "office300", "container": "jpeg_pdf", "render_dpi": 300,
     "files": ["stack.pdf"],
     "forms": {FORM_ID: {"values": {field_id: value},       # what the assessor meant
                         "expected": {field_id: value},     # what a perfect reader can see
                         "cancelled": {field_id: [option]}, # withdrawn marks: filled or erased
                         "preprinted": [field_id],          # text frames the generator filled in
                         "hand": {"pen": ..., "favourite": ...},
                         "marks": [{"field_id", "value", "role", "kind", "pen", "page_no", "visible"}]}},
     "pages": [{"index", "file", "file_page", "state", "form_id", "page_no", "dpi", "rotation",
                "meta"}]}

`marks` lists everything drawn, including `role: "stray"` marks (a dot, a dash or initials away
from every field) that answer nothing. `values` use the export-contract shapes (single: option or
null; multi: list; text: "present" or null). `expected` differs from `values` only where a mark
did not survive the scan (faint pencil in a bilevel scan): such marks have `visible: false`, and a
reader is not at fault for missing them. Page `state` is what the reader should report:
`recognised`, `blank` (duplex back), `duplicate` (a second scan of a sheet already in the stack;
the first occurrence in stack order is `recognised`) or `unidentified` (a foreign page). `meta`
holds the profile's parameters, including `matrix`: 3x3, clean page pixels at `render_dpi` ->
scan pixels.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .effects import PROFILES, Scan, apply_profile, map_points, print_texture, to_grey
from .fill import (
    Answers,
    DrawnMark,
    Styles,
    fill_page,
    page_fields,
    preprinted_text_fields,
    random_answers,
    random_hand,
)
from .render import rasterise_pdf
from .stacks import blank_back, draw_holes, foreign_page, punch_holes, write_note, write_stack

PROFILE_DPI: dict[str, int] = {
    "colour300": 300,
    "office300": 300,
    "office200": 200,
    "bilevel": 300,
    "bilevel200": 200,
    "bilevel150": 150,
    "dither": 300,
    "dpi150": 150,
    "rough": 300,
    "phone": 200,
    "glare": 200,
    "shadow": 200,
    "stain": 300,
}
"""Resolution at which clean pages are rendered and filled for each profile."""

BILEVEL_PROFILES: frozenset[str] = frozenset({"bilevel", "bilevel200", "bilevel150", "dither"})
"""Profiles that scan to 1 bit: marks may vanish, and the truth says which did (`visible`)."""

COLOUR_PROFILES: frozenset[str] = frozenset({"phone", "glare", "shadow", "colour300"})
"""Profiles whose output keeps colour; the others are filled and scanned in grey."""


@dataclass
class FormToFill:
    """One issued form: its id, its geometry fields, and its clean pages.

    Give either `pages` (uint8 images rendered at `dpi`, page 1 first) or `pdf` (path or bytes;
    `page_indices` are 0-based pages of that PDF, default all). `answers` fixes the truth;
    otherwise it is drawn at random.
    """

    form_id: str
    fields: Sequence[Mapping[str, Any]]
    pages: Sequence[np.ndarray] | None = None
    dpi: float = 150
    pdf: str | Path | bytes | None = None
    page_indices: Sequence[int] | None = None
    answers: Answers | None = None

    def page_images(self, dpi: float) -> tuple[list[np.ndarray], float]:
        """Clean page images and their dpi (pre-rendered pages win over the PDF)."""
        if self.pages is not None:
            return [np.asarray(p) for p in self.pages], float(self.dpi)
        if self.pdf is None:
            raise ValueError(f"form {self.form_id}: give pages or pdf")
        return rasterise_pdf(self.pdf, dpi, pages=self.page_indices), float(dpi)


def forms_from_pdf(
    pdf: str | Path | bytes, geometries: Sequence[Mapping[str, Any]], *, duplex: bool = False
) -> list[FormToFill]:
    """Split a generated PDF (`formkit generate`) into FormToFill, one per form geometry, in order.

    `geometries` are per-form geometries as printed by `formkit forms show ID --json` (they carry
    `form_id` and `pages`), in the order the forms appear in the PDF. With `duplex`, a form with
    an odd page count is followed by a blank back page in the PDF, which is skipped.
    """
    out, k = [], 0
    for g in geometries:
        n = int(g["pages"])
        out.append(FormToFill(str(g["form_id"]), g["fields"], pdf=pdf, page_indices=list(range(k, k + n))))
        k += n + (1 if duplex and n % 2 else 0)
    return out


@dataclass
class SimulatedStack:
    """What `simulate_stack` made: files written, the truth dict and where it was saved."""

    files: list[Path]
    truth: dict[str, Any]
    truth_path: Path
    scans: list[Scan] = field(default_factory=list, repr=False)
    """The degraded pages in stack order, only with `simulate_stack(..., keep_scans=True)`."""


@dataclass(eq=False)  # identity, not array comparison
class _Page:
    clean: np.ndarray
    state: str
    form_id: str | None = None
    page_no: int | None = None


def _visible(
    mark: DrawnMark, filled: np.ndarray | None, clean: np.ndarray | None, scan: Scan, dpi: float,
    clean_scan: Scan | None = None,
) -> bool:
    """Does this mark survive the scan? Bilevel scans lose marks (faint ink below threshold); a grey scan only
    a mark it leaves no trace of (`_visible_grey`).

    At least ~1 mm^2 of new black pixels around the box (a tick of 0.3 mm x 5 mm is 1.5 mm^2), counted
    on the scan itself against `clean_scan`, the same scan (same random draws) of the page unfilled:
    the scanner's blur and resampling thin a pencil stroke before its threshold, the more so at 150-200
    dpi, where a signature can vanish whole though its pixels at the render resolution pass the cut.
    Dithered scans: see `_visible_dithered`.
    """
    if clean is None:
        return True
    if not scan.bilevel:
        return clean_scan is None or _visible_grey(mark, scan, clean_scan, dpi)
    if filled is None:
        return True
    ppm = dpi / 25.4
    if "dither" in scan.meta:
        return _visible_dithered(mark, filled, clean, scan, ppm)
    if clean_scan is None:
        raise ValueError("a thresholded 1-bit scan's marks are judged against the same scan of the unfilled page")
    ya, yb, xa, xb = _scanned_area(mark, scan, ppm)
    new_black = (scan.image[ya:yb, xa:xb] == 0) & (clean_scan.image[ya:yb, xa:xb] != 0)
    ppm_out = scan.dpi / 25.4
    return int(np.count_nonzero(new_black)) >= ppm_out * ppm_out * 1.0


def _scanned_area(mark: DrawnMark, scan: Scan, ppm: float) -> tuple[int, int, int, int]:
    """Rows and columns (ya, yb, xa, xb) of the scan holding the mark's rect, grown by 2 mm."""
    g = 2.0 * ppm
    x0, y0, x1, y1 = mark.rect_px
    corners = np.array([[x0 - g, y0 - g], [x1 + g, y0 - g], [x0 - g, y1 + g], [x1 + g, y1 + g]])
    q = map_points(scan.meta["matrix"], corners)
    h, w = scan.image.shape[:2]
    xa, ya = (max(0, int(v)) for v in q.min(axis=0))
    return ya, min(h, int(q[:, 1].max()) + 1), xa, min(w, int(q[:, 0].max()) + 1)


GREY_TRACE_LEVELS = 8.0  # a grey scan keeps a trace of a mark where it is this many grey levels darker (3x3 mean)
GREY_TRACE_MM2 = 0.1  # ... over at least this much of the page than the same scan of the page unfilled ...
GREY_PRINT = 0.75  # ... away from the print: pixels of the unfilled scan darker than this share of its paper, and
# two pixels around them (a mark that only makes letters bolder is print to any reader)


def _visible_grey(mark: DrawnMark, scan: Scan, clean_scan: Scan, dpi: float) -> bool:
    """Whether a grey scan kept a trace of the mark a person can tell from the print: against `clean_scan` (the
    same scan, same random draws, of the page unfilled) the scanner's noise cancels, and what is left is the mark
    as scanned. Where it lies on the printed letters it only makes them bolder, and no reader tells it from them
    (another hand's shapes drawn small within a short label's letters on a 150-dpi scan counted as answers).
    Only a mark without such a trace is hidden; a faint one stays."""
    ya, yb, xa, xb = _scanned_area(mark, scan, dpi / 25.4)
    a = to_grey(scan.image[ya:yb, xa:xb]).astype(np.float32)
    b = to_grey(clean_scan.image[ya:yb, xa:xb]).astype(np.float32)
    if a.size == 0 or a.shape != b.shape:
        return True
    printed = cv2.dilate((b < GREY_PRINT * float(np.percentile(b, 90))).astype(np.uint8), np.ones((5, 5), np.uint8))
    darker = (cv2.blur(b - a, (3, 3)) >= GREY_TRACE_LEVELS) & (printed == 0)
    ppm_out = scan.dpi / 25.4
    return int(np.count_nonzero(darker)) >= GREY_TRACE_MM2 * ppm_out * ppm_out


def _visible_dithered(mark: DrawnMark, filled: np.ndarray, clean: np.ndarray, scan: Scan, ppm: float) -> bool:
    """A dithering scanner turns darkness d into a share d of black dots: a mark is visible when its
    added darkness (above the lifted white) sums to >= 0.25 mm2 of dots, e.g. a dotted pencil tick."""
    g = 2.0 * ppm
    x0, y0, x1, y1 = mark.rect_px
    xa, ya = max(0, int(x0 - g)), max(0, int(y0 - g))
    xb, yb = int(x1 + g) + 1, int(y1 + g) + 1
    white = float(scan.meta["white"])
    a = np.clip(to_grey(filled)[ya:yb, xa:xb].astype(np.float32) / white, 0, 1)
    b = np.clip(to_grey(clean)[ya:yb, xa:xb].astype(np.float32) / white, 0, 1)
    return float(np.clip(b - a, 0, 1).sum()) >= 0.25 * ppm * ppm


def _expected(answers: Answers, marks: list[DrawnMark]) -> dict[str, Any]:
    """Intended values minus the marks a perfect reader cannot see."""
    hidden = {(m.field_id, m.value) for m in marks if not m.visible and m.role in ("answer", "text")}
    out: dict[str, Any] = {}
    for fid, v in answers.values.items():
        if isinstance(v, list):
            out[fid] = [x for x in v if (fid, x) not in hidden]
        elif v == "present" and (fid, None) in hidden or isinstance(v, str) and (fid, v) in hidden:
            out[fid] = None
        else:
            out[fid] = v
    return out


def simulate_stack(
    forms: Sequence[FormToFill],
    profile: str,
    rng: np.random.Generator,
    out_dir: str | Path,
    *,
    container: str = "jpeg_pdf",
    name: str = "stack",
    render_dpi: float | None = None,
    styles: Styles | None = None,
    answer_options: Mapping[str, Any] | None = None,
    blank_backs: bool = False,
    back_notes: float = 0.0,
    punched: float = 0.0,
    foreign_pages: int = 0,
    duplicates: int = 0,
    shuffle: bool = False,
    rotation: int | None = None,
    keep_scans: bool = False,
) -> SimulatedStack:
    """Fill `forms`, scan them with `profile`, shape the stack, write it and its truth JSON.

    `render_dpi` defaults to PROFILE_DPI[profile]. `answer_options` go to `random_answers`
    (e.g. `{"cancel_share": 0.3}`). `blank_backs` adds a duplex back after every sheet, and
    `back_notes` is the share of those backs the assessor wrote a note on (truth: `unidentified`, a
    page with no form code for a person to read; not in pencil on 1-bit scans, where a note of light strokes
    may vanish whole and the truth could not say so); `punched`
    is the share of sheets with filing holes (2 or 4, as dark discs: a feeder's black backing shows
    through them), on the front's left edge and the back's right edge;
    `foreign_pages` unrelated pages are inserted at random places; `duplicates` random form pages
    are scanned a second time; `shuffle` permutes the stack. `rotation` forces 0/90/180/270 on
    every page (None: the profile's habit). `keep_scans` keeps the degraded page images in the
    result (off by default: at 300 dpi they cost ~9 MB a page). Deterministic for a given rng state.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose from {sorted(PROFILES)}")
    out_dir = Path(out_dir)
    dpi_req = float(render_dpi or PROFILE_DPI[profile])
    truth_forms: dict[str, Any] = {}
    pages: list[_Page] = []
    filled_by_key: dict[tuple[str, int], tuple[np.ndarray | None, np.ndarray | None, list[DrawnMark]]] = {}
    holes_by_key: dict[tuple[str, int], Any] = {}
    colour = profile in COLOUR_PROFILES
    bilevel_scan = profile in BILEVEL_PROFILES
    dpi = dpi_req
    for form in forms:
        clean_pages, dpi = form.page_images(dpi_req)
        pre = [
            fid
            for k, c in enumerate(clean_pages, 1)
            for fid in preprinted_text_fields(c, dpi, page_fields(form.fields, k))
        ]
        answers = form.answers or random_answers(
            form.fields, rng, preprinted=pre, **dict(answer_options or {})
        )
        hand = random_hand(rng, styles)
        for k, clean in enumerate(clean_pages, 1):
            # grey scanners never see colour: fill in grey then (a third of the memory and time)
            if colour:
                base = clean if clean.ndim == 3 else np.repeat(clean[:, :, None], 3, axis=2)
            else:
                base = to_grey(clean)
            base = print_texture(base, dpi, rng)  # the printer's toner and halftone, under the ink
            log: list[DrawnMark] = []
            filled = fill_page(base, dpi, page_fields(form.fields, k), answers, rng, hand, log=log)
            # the pre-scan images: the unfilled page, scanned again with the same draws, tells what a scan kept of
            # each mark; the filled one only where a 1-bit scan's visibility is judged on it (dithered)
            filled_by_key[(form.form_id, k)] = (filled, base, log) if bilevel_scan else (None, base, log)
            holes = punch_holes(rng) if punched and rng.random() < punched else None
            if holes:
                filled = draw_holes(filled, dpi, holes, back=False)
                holes_by_key[(form.form_id, k)] = holes
            pages.append(_Page(filled, "recognised", form.form_id, k))
            if blank_backs:
                back = blank_back(base.shape, rng, filled)
                pencil_gone = bilevel_scan and "pencil" in hand.pen.name
                note = bool(back_notes) and rng.random() < back_notes and not pencil_gone
                if note:
                    back = write_note(back, dpi, rng, hand.pen)
                pages.append(_Page(draw_holes(back, dpi, holes, back=True) if holes else back,
                                   "unidentified" if note else "blank"))
        truth_forms[form.form_id] = {
            "answers": answers,
            "hand": {"pen": hand.pen.name, "favourite": hand.favourite},
        }

    form_pages = [p for p in pages if p.state == "recognised"]
    for _ in range(duplicates):
        src = form_pages[int(rng.integers(len(form_pages)))]
        pages.insert(
            int(rng.integers(pages.index(src) + 1, len(pages) + 1)),
            _Page(src.clean, "recognised", src.form_id, src.page_no),
        )
    shape = pages[0].clean.shape if pages else (round(297 / 25.4 * dpi), round(210 / 25.4 * dpi), 3)
    for _ in range(foreign_pages):
        pages.insert(
            int(rng.integers(0, len(pages) + 1)), _Page(foreign_page(shape, dpi, rng), "unidentified")
        )
    if shuffle:
        pages = [pages[i] for i in rng.permutation(len(pages))]

    seen: set[tuple[str, int]] = set()
    scans: list[Scan] = []
    marks_out: dict[str, list[dict[str, Any]]] = {f: [] for f in truth_forms}
    for p in pages:
        key = (p.form_id, p.page_no) if p.form_id is not None and p.page_no is not None else None
        replay = None
        if key is not None and key not in seen and profile != "dither":
            replay = np.random.Generator(type(rng.bit_generator)())  # the same draws, for the unfilled page
            replay.bit_generator.state = rng.bit_generator.state
        scan = apply_profile(profile, p.clean, dpi, rng, rotation)
        scans.append(scan)
        if key is not None:
            if key in seen:
                p.state = "duplicate"
                continue
            seen.add(key)
            filled, clean, log = filled_by_key[key]
            clean_scan = None
            if replay is not None and clean is not None:
                unfilled = draw_holes(clean, dpi, holes_by_key[key], back=False) if key in holes_by_key else clean
                clean_scan = apply_profile(profile, unfilled, dpi, replay, rotation)
            for m in log:
                m.visible = _visible(m, filled, clean, scan, dpi, clean_scan)
                marks_out[p.form_id].append(
                    {
                        "field_id": m.field_id,
                        "value": m.value,
                        "role": m.role,
                        "kind": m.kind,
                        "pen": m.pen,
                        "page_no": p.page_no,
                        "visible": m.visible,
                    }
                )

    located = write_stack(scans, out_dir, container, name)
    files: list[Path] = []
    for f, _ in located:
        if f not in files:
            files.append(f)
    truth: dict[str, Any] = {
        "format": "formkit-simulated-stack/1",
        "profile": profile,
        "container": container,
        "render_dpi": dpi,
        "files": [str(f.relative_to(out_dir)) for f in files],
        "forms": {},
        "pages": [],
    }
    for fid, info in truth_forms.items():
        answers = info["answers"]
        log_all = [m for (f, _), (_, _, lg) in filled_by_key.items() if f == fid for m in lg]
        truth["forms"][fid] = {
            "values": answers.values,
            "expected": _expected(answers, log_all),
            "cancelled": answers.cancelled,
            "preprinted": answers.preprinted,
            "hand": info["hand"],
            "marks": marks_out[fid],
        }
    for i, (p, scan, (f, fp)) in enumerate(zip(pages, scans, located, strict=True)):
        truth["pages"].append(
            {
                "index": i,
                "file": str(f.relative_to(out_dir)),
                "file_page": fp,
                "state": p.state,
                "form_id": p.form_id,
                "page_no": p.page_no,
                "dpi": scan.dpi,
                "rotation": scan.meta.get("rotation", 0),
                "meta": scan.meta,
            }
        )
    truth_path = out_dir / f"{name}.truth.json"
    truth_path.write_text(json.dumps(truth, indent=1, ensure_ascii=False))
    return SimulatedStack(files, truth, truth_path, scans if keep_scans else [])
