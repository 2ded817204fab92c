"""Per-page work that runs in worker processes: decode, locate, identify, read, encode evidence.

Pure with respect to the store: a worker only *reads* the database (its own connection, WAL lets
readers run beside the writer) to learn which forms exist and their geometry. Everything it
decides comes back as a `PageOutcome`; the parent process alone writes files and records.
"""

from __future__ import annotations

import json
import sqlite3
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

import scanner
from formkit.form_geometry import form_geometry
from formkit.geometry import MARKERS, QR_QUIET, QR_RECT
from formkit.print_reference import page_print
from formkit.qrpayload import PayloadError, parse_payload, verify
from formkit.workspace import Workspace
from scanner.imageops import halved, is_bilevel

FURNITURE = {"markers": [dict(m) for m in MARKERS], "qr": {"rect_mm": list(QR_RECT), "quiet_mm": QR_QUIET},
             "page_size_mm": [210.0, 297.0]}
PAGE_PX_PER_MM = 4.0  # stored page image: ~100 dpi, enough to see every mark in review
PAGE_JPEG_QUALITY = 85
SHOW_THROUGH_REASON = ("show_through: a form page seen through the paper (its QR code reads mirrored) - the back "
                       "of a sheet? Look for writing on it")
NOTE_REASON = ("writing_no_code: handwriting on a page without a form code - a note on the back of a sheet? "
               "Read it with its form")


@dataclass
class PageOutcome:
    """What one page turned out to be. `state` is provisional: stack logic may make it a duplicate."""

    file_sha: str
    page_index: int
    state: str  # recognised | needs_review | blank | unidentified | rejected
    reason: str | None = None
    form_id: str | None = None
    page_no: int | None = None
    orientation: int | None = None
    decoder: str | None = None
    fingerprint: str | None = None
    location: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # field id → decision (+ boxes)
    crops: dict[str, bytes] = field(default_factory=dict)  # field id → PNG
    image_jpeg: bytes | None = None
    image_rectified: bool = False
    qr_text: str | None = None
    writer: dict[str, Any] = field(default_factory=dict)  # {"seen": bool, "faint": strength or 0} (scanner)
    one_bit: bool = False  # scanned in black and white (thresholded or dithered): faint ink may have vanished


class Identity:
    """Resolves QR text to a form and its geometry, reading the store without writing."""

    def __init__(self, db_path: Path, workspace_id: str, secret: bytes) -> None:
        self.db = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.workspace_id = workspace_id
        self.secret = secret
        self.cache_dir = Workspace(Path(db_path).parent).cache_dir
        self._geom: dict[tuple[str, int], dict[str, Any]] = {}
        self._sources: dict[tuple[str, int], sqlite3.Row | None] = {}

    def resolve(self, qr_text: str) -> tuple[str, int, dict[str, Any], dict[str, Any]]:
        """(form_id, page_no, form geometry, form row) or PayloadError with a reason."""
        p = parse_payload(qr_text)
        verify(p, self.workspace_id, self.secret)
        row = self.db.execute("SELECT * FROM forms WHERE form_id=?", (p.form_id,)).fetchone()
        if row is None:
            raise PayloadError("form_not_issued", f"form {p.form_id} was never issued by this workspace")
        if row["layout"] != p.layout or row["version"] != p.version:
            raise PayloadError("malformed", f"form {p.form_id}: the QR code names another layout than the record")
        geom = self.geometry(row["layout"], row["version"])
        if p.pages != geom["pages"]:
            raise PayloadError("malformed", f"form {p.form_id}: the QR code names {p.pages} pages, the layout has "
                               f"{geom['pages']}")
        subgoals = json.loads(row["print_json"])["subgoals"]
        return p.form_id, p.page, form_geometry(geom, subgoals), dict(row)

    def print_ref(self, layout: str, version: int, subgoals: list, page_no: int) -> np.ndarray | None:
        """The page's print as designed (`print_reference.page_print`; None: layout unknown or laid out anew)."""
        key = (layout, version)
        if key not in self._sources:
            self._sources[key] = self.db.execute(
                "SELECT source_yaml, geometry_hash FROM layout_versions WHERE layout=? AND version=?", key).fetchone()
        r = self._sources[key]
        if r is None:
            return None
        return page_print(r["source_yaml"], r["geometry_hash"], tuple(tuple(s) for s in subgoals), page_no,
                          self.cache_dir)

    def geometry(self, layout: str, version: int) -> dict[str, Any]:
        key = (layout, version)
        if key not in self._geom:
            r = self.db.execute("SELECT geometry_json FROM layout_versions WHERE layout=? AND version=?",
                                key).fetchone()
            if r is None:
                raise PayloadError("form_not_issued", f"layout {layout} v{version} is unknown in this workspace")
            self._geom[key] = json.loads(r["geometry_json"])
        return self._geom[key]


def encode_jpeg(img: np.ndarray, quality: int = PAGE_JPEG_QUALITY) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


# crops are stored with 32 grey levels per channel (steps of 8, paper white stays 255): the eye does
# not see the difference on handwriting, and scanner noise in the low bits, which no compressor can
# squeeze, goes: ~2.4x faster to encode and ~2.4x smaller than lossless (measured on 300-dpi crops)
CROP_LEVEL_STEP = 8
_CROP_LUT = np.minimum((np.arange(256) + CROP_LEVEL_STEP // 2) // CROP_LEVEL_STEP * CROP_LEVEL_STEP,
                       255).astype(np.uint8)


def encode_png(img: np.ndarray) -> bytes:
    # level 1 with run-length matching and the Sub filter: with the low bits gone, runs along a row
    # are what is left to find; ~2x faster than Huffman-only with Paeth and smaller
    ok, buf = cv2.imencode(".png", cv2.LUT(img, _CROP_LUT),
                           [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE,
                            cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_SUB])
    if not ok:
        raise ValueError("PNG encoding failed")
    return buf.tobytes()


def preview(img: np.ndarray, dpi: float | None) -> np.ndarray:
    """A raw page scaled to about the stored resolution (unregistered pages keep their own orientation)."""
    target = PAGE_PX_PER_MM * 25.4
    long_side = max(img.shape[:2])
    scale = min(1.0, (target / dpi) if dpi else 1400 / long_side)
    n = 0
    while scale <= 0.5:  # exact 2x area steps first (OpenCV's fast path; locating the page made them already)
        n, scale = n + 1, scale * 2.0
    img = halved(img, n)
    if scale < 1.0:  # the rest (> 0.5) bilinear: 8x cheaper than an area resize, no visible aliasing
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    return img


def reader_error(e: BaseException) -> str:
    """A page-state reason for an unexpected exception, with where it was raised (for the bug report)."""
    tb = traceback.extract_tb(e.__traceback__)
    where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
    return f"reader_error: the reader failed on this page ({type(e).__name__}{where}: {e})"


FRAME_MM = 0.6  # a text area's printed frame, as a band this wide along each edge
ONE_LINE_MM = 12.0  # a text area no taller than this holds one line of writing: on the back it counts whole


def back_print(geom: dict[str, Any], page_no: int,
               printed: dict[str, Any] | None = None) -> list[list[list[float]]]:
    """The print of the page on the other side of the sheet if the form is printed on both sides, mirrored
    as it shows through thin paper: printed text and rules, the answer boxes, the frames of the text
    areas and the values printed into them (`printed`: the form's printed values, by source). A one-line
    area (a name, a department, a signature: <= ONE_LINE_MM tall) counts whole: the writing in it shows
    through like print (a phone photo of a thin duplex sheet read the ghost of the front's handwritten
    department as a comment on the back). A larger area's writing may lie anywhere in it: only its frame.

    Pages 1 and 2 (3 and 4, ...) share a sheet. Turned over the long edge (the usual duplex) the back shows
    through mirrored left to right; over the short edge, top to bottom: one list of rects for each. A form
    printed on one side only has nothing there to show through, and nothing is lost by looking.
    """
    other = page_no + 1 if page_no % 2 else page_no - 1
    if not 1 <= other <= int(geom.get("pages", 1)):
        return []
    w_page, h_page = (float(v) for v in geom.get("page_size_mm", (210.0, 297.0)))
    rects = [p["rect_mm"] for p in geom.get("printed_text", []) if p["page"] == other]
    rects += [o["rect_mm"] for f in geom["fields"] if f["page"] == other for o in f.get("options", [])]
    for f in geom["fields"]:
        if f["page"] != other or f.get("kind") != "text" or not f.get("rect_mm"):
            continue
        x, y, w, h = (float(v) for v in f["rect_mm"])
        if (printed or {}).get(f.get("source") or "") or h <= ONE_LINE_MM:
            rects.append([x, y, w, h])  # a value printed into it, or one line of writing: ink all over
        else:
            b = FRAME_MM
            rects += [[x, y, w, b], [x, y + h - b, w, b], [x, y, b, h], [x + w - b, y, b, h]]
    boxes = [[float(v) for v in r] for r in rects]
    return [[[w_page - x - w, y, w, h] for x, y, w, h in boxes], [[x, h_page - y - h, w, h] for x, y, w, h in boxes]]


def _all_to_a_person(out: PageOutcome, page_fields: list[dict], reason: str) -> PageOutcome:
    """Every field of the page unread, waiting for a person for `reason`."""
    for f in page_fields:
        out.fields[f["id"]] = {"value": None, "status": "review", "reason": reason, "confidence": 0.0}
    return out


def process_page(identity: Identity, file_sha: str, page: scanner.SourcePage,
                 forced: tuple[str, int] | None = None) -> PageOutcome:
    """Everything that can be known about one page, with the evidence to show a person.

    `forced` = (form_id, page_no) when a person has assigned an unidentified page to a form.
    """
    out = PageOutcome(file_sha, page.index, "rejected")
    if not page.ok or page.image is None:
        err = page.error
        out.reason = f"{getattr(err, 'reason', 'unreadable')}: {err}" if err else "unreadable page"
        return out
    img, halftone = scanner.prepare(page.image)
    out.one_bit = bool(halftone or is_bilevel(img))
    try:
        loc = scanner.locate(img, FURNITURE, try_hard=forced is not None)
    except scanner.ScannerError as e:
        out.reason = f"{e.reason}: {e}" if hasattr(e, "reason") else str(e)
        out.image_jpeg = encode_jpeg(preview(img, page.dpi))
        return out
    out.location = loc.to_dict()
    out.orientation = loc.registration.orientation if loc.registered else None
    out.decoder = loc.qr.decoder
    out.qr_text = loc.qr_text
    if loc.registration.pages_in_image > 1:  # read as one page, the other form's page would be lost
        out.image_jpeg = encode_jpeg(preview(img, page.dpi))
        out.reason = (f"several_pages: this image shows {loc.registration.pages_in_image} form pages. Scan one sheet "
                      "per page (one page per image); a form printed two pages to a sheet is printed again full size")
        return out
    if loc.registered:
        out.image_jpeg = encode_jpeg(scanner.rectify(img, loc, PAGE_PX_PER_MM))
        out.image_rectified = True
    else:
        out.image_jpeg = encode_jpeg(preview(img, page.dpi))
    if forced is None and loc.blank:
        out.state, out.reason = "blank", "blank page"
        return out
    try:
        if forced:
            form_id, page_no = forced
            row = identity.db.execute("SELECT * FROM forms WHERE form_id=?", (form_id,)).fetchone()
            if row is None:
                raise PayloadError("form_not_issued", f"form {form_id} was never issued by this workspace")
            geom = form_geometry(identity.geometry(row["layout"], row["version"]),
                                 json.loads(row["print_json"])["subgoals"])
        elif loc.qr_text:
            form_id, page_no, geom, row = identity.resolve(loc.qr_text)
        else:
            out.state = "unidentified"
            out.reason = ("no_qr: corner marks found but the QR code could not be read" if loc.registered
                          else SHOW_THROUGH_REASON if loc.show_through
                          else NOTE_REASON if loc.note_mm2 >= scanner.NOTE_MM2
                          else "not_a_form: no formkit QR code or corner marks on this page")
            return out
    except PayloadError as e:
        out.state, out.reason = "unidentified", f"{e.reason}: {e}"
        return out
    out.form_id, out.page_no = form_id, page_no
    if not 1 <= page_no <= geom["pages"]:
        out.state, out.reason = "unidentified", f"malformed: page {page_no} does not exist on this form"
        return out
    as_printed = json.loads(row["print_json"])  # what the form was printed with: values, subgoals
    printed = as_printed["values"]
    # a frame the generator printed a value into holds print, not handwriting: the scanner keeps its crop
    page_fields = [{**f, "preprinted": True} if f["kind"] == "text" and printed.get(f.get("source") or "") else f
                   for f in geom["fields"] if f["page"] == page_no]
    if not loc.registered:
        out.state = "needs_review"
        out.reason = "not_registered: the form is known but its corner marks were not found, so no box was read"
        return _all_to_a_person(out, page_fields, "not_registered")
    printed_text = [p["rect_mm"] for p in geom.get("printed_text", []) if p["page"] == page_no]
    try:
        reading = scanner.read(img, loc, page_fields, printed_text, halftone=halftone,
                               back_print_mm=back_print(geom, page_no, printed),
                               print_ref=identity.print_ref(row["layout"], row["version"], as_printed["subgoals"],
                                                            page_no))
    except Exception as e:  # a reader bug: this page goes to a person whole, the stack goes on
        out.state, out.reason = "needs_review", f"{reader_error(e)}; no box on this page was read"
        return _all_to_a_person(out, page_fields, "reader_error")
    out.fingerprint = reading.fingerprint
    out.writer = {"seen": reading.writer_seen, "faint": reading.faint_writer, "clipped": reading.clipped}
    for fid, fd in reading.fields.items():
        out.fields[fid] = fd.to_dict()
    for fid, ta in reading.texts.items():
        out.fields[fid] = ta.to_dict()
        out.crops[fid] = encode_png(ta.crop)
    review = [k for k, v in out.fields.items() if v["status"] == "review"]
    out.state = "needs_review" if review else "recognised"
    if review:
        out.reason = "fields to check: " + ", ".join(review)
    return out


# --------------------------------------------------------------------------- process pool plumbing
_identity: Identity | None = None


def init_worker(db_path: str, workspace_id: str, secret: bytes) -> None:
    global _identity
    cv2.setNumThreads(1)
    _identity = Identity(Path(db_path), workspace_id, secret)


def run_task(task: tuple[str, str, int, int]) -> list[PageOutcome]:
    """Process pages [start, stop) of one archived file (a worker opens the file itself: no image IPC)."""
    path, file_sha, start, stop = task
    assert _identity is not None
    out: list[PageOutcome] = []
    try:
        for page in scanner.iter_pages(path, start=start, stop=stop):
            try:
                out.append(process_page(_identity, file_sha, page))
            except Exception as e:  # a bug before the form was known: the page is rejected, the file goes on
                out.append(PageOutcome(file_sha, page.index, "rejected",
                                       f"{reader_error(e)}; the page image is kept in the archive"))
    except scanner.InputError as e:  # the file broke part-way: the remaining pages are rejected, not lost
        for i in range(start + len(out), stop):
            out.append(PageOutcome(file_sha, i, "rejected", f"{getattr(e, 'reason', 'unreadable')}: {e}"))
    return out
