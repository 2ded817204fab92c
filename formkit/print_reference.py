"""The print of a form page as designed, rasterised for the reader (`scanner.read(..., print_ref=...)`).

The reader leaves printed text out when it looks for pen ink beside the boxes, so a mark drawn over an
option's label was invisible to it. With the page rendered exactly as it was printed (the same layout
version, the same subgoal labels, no personal values: those lie in text frames, never on labels), it can
tell the label's strokes from a pen's. One render per layout version and page (and subgoal set, on the
page that prints them), cached in the process and, for the pages as laid out without subgoals, in the
workspace (`cache_dir`): rendering them cost each scan worker ~0.25 s before its first form page, which a
short scan from the office's command line felt.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import reportlab
import yaml

from formkit import __version__
from formkit.geometry import Geometry, PagePlan, build_geometry, geometry_hash
from formkit.layouts import parse_layout
from formkit.render import FormToPrint, render_pdf
from scanner import PRINT_REF_RES

_PLACEHOLDER_ID = "0000-0000"


SUPERSAMPLE = 2  # rendered at this many times PRINT_REF_RES and averaged down: rendered at PRINT_REF_RES, the
# letters' stems are snapped to whole pixels (font hinting), up to half a pixel off where the scan shows them,
# and the reader's model of the print (`scanner.print_model`) took every stem's edge for pen (+12 ms a render)
SUBGOAL_OPS = ("slot", "slots_empty")  # the only drawing that depends on the form (its subgoal labels)
CACHE_FORMAT = 1  # raise when what a reference holds changes without formkit's version changing


@lru_cache(maxsize=4)
def _laid_out(source_yaml: str) -> tuple[Geometry, str]:
    """The stored layout laid out by this formkit, and that geometry's hash (parsing and laying out cost
    ~15-35 ms: once per layout version, not once per subgoal set)."""
    geom = build_geometry(parse_layout(yaml.safe_load(source_yaml), "stored layout"))
    return geom, geometry_hash(geom.core())


def page_print(source_yaml: str, stored_hash: str, subgoals: tuple[tuple[str, str], ...],
               page_no: int, cache_dir: Path | None = None) -> np.ndarray | None:
    """Page `page_no` of the layout stored as `source_yaml`, grey (255 paper), PRINT_REF_RES px per mm.

    None when this formkit lays the stored layout out differently from when it was issued (its geometry
    hash differs): the reader then works without the reference, as before, rather than against print
    that is not on the paper. A page that prints no subgoal labels is rendered once whatever the form's
    subgoals: a Swedish stack's trainees each have their own, and a render per form cost ~30 ms a page.
    `cache_dir`: where the pages without subgoals are kept between processes (`cache_path`).
    """
    geom, got_hash = _laid_out(source_yaml)
    if got_hash != stored_hash or not 1 <= page_no <= geom.page_count:
        return None
    plan = geom.pages[page_no - 1]
    shown = subgoals if any(o.kind in SUBGOAL_OPS for o in plan.static + plan.dynamic) else ()
    return _render(source_yaml, shown, page_no, cache_dir)


def warm_cache(source_yaml: str, stored_hash: str, cache_dir: Path) -> None:
    """Render the layout's pages without subgoals into `cache_dir` now (when forms are issued), so that no
    scan worker renders them; a page already there is left as it is."""
    geom, got_hash = _laid_out(source_yaml)
    if got_hash == stored_hash:
        for page_no in range(1, geom.page_count + 1):
            _render(source_yaml, (), page_no, cache_dir)


def cache_path(cache_dir: Path, source_yaml: str, page_no: int) -> Path:
    """Where a page's reference is kept: named by everything that shapes the render (the layout as stored,
    the page, this formkit and its PDF rasteriser), so an upgrade renders afresh instead of reading print
    that another version drew."""
    key = "\0".join((str(CACHE_FORMAT), __version__, reportlab.Version, str(pdfium.PDFIUM_INFO), str(PRINT_REF_RES),
                     str(page_no), source_yaml))
    return cache_dir / f"print-{hashlib.sha256(key.encode()).hexdigest()[:32]}.npy"


def _load(path: Path) -> np.ndarray | None:
    """A cached reference, or None when there is none or it is not a whole grey page (a damaged file is
    rendered again, never trusted)."""
    try:
        a = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    return a if a.dtype == np.uint8 and a.ndim == 2 and min(a.shape) > 0 else None


def _save(path: Path, a: np.ndarray) -> None:
    """Write atomically (two workers may render the same page at once); a cache that cannot be written is
    only slower."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".print-", suffix=".npy", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                np.save(f, a, allow_pickle=False)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


@lru_cache(maxsize=8)
def _render(source_yaml: str, subgoals: tuple[tuple[str, str], ...], page_no: int,
            cache_dir: Path | None = None) -> np.ndarray:
    """The page rasterised; with subgoals, only the band that prints them is rasterised for this form and
    laid into the page rendered without them (cached): each form of a Swedish stack paid a whole page."""
    path = cache_path(cache_dir, source_yaml, page_no) if cache_dir is not None and not subgoals else None
    if path is not None and (kept := _load(path)) is not None:
        return kept
    geom, _ = _laid_out(source_yaml)
    buf = io.BytesIO()
    render_pdf([(geom, FormToPrint(_PLACEHOLDER_ID, ["-"] * geom.page_count, {}, list(subgoals)))], buf)
    pdf = pdfium.PdfDocument(buf.getvalue())
    try:
        if not subgoals:
            page = raster(pdf[page_no - 1])
            if path is not None:
                _save(path, page)
            return page
        page = _render(source_yaml, (), page_no, cache_dir).copy()
        r0, r1 = _subgoal_rows(geom.pages[page_no - 1], page.shape[0])
        page[r0:r1] = raster(pdf[page_no - 1], rows=(r0, r1))
        return page
    finally:
        pdf.close()


SUBGOAL_BAND_MM = 3.0  # the band rasterised per form reaches this far above and below the subgoal slots


def _subgoal_rows(plan: PagePlan, height: int) -> tuple[int, int]:
    """Rows (of the reference) of the band holding everything the form's subgoals change on the page."""
    ys: list[float] = []
    for o in plan.static + plan.dynamic:
        if o.kind == "slot":
            x, y, w, h = o.args["rect"]
            ys += [y, y + h, o.args["label_y"]]
        elif o.kind == "slots_empty":
            ys.append(o.args["y"])
    r0 = max(0, int(np.floor((min(ys) - SUBGOAL_BAND_MM) * PRINT_REF_RES)))
    return r0, min(height, int(np.ceil((max(ys) + SUBGOAL_BAND_MM) * PRINT_REF_RES)))


def raster(page: pdfium.PdfPage, rows: tuple[int, int] | None = None) -> np.ndarray:
    """A PDF page as the reader's print reference: grey, PRINT_REF_RES px per mm, rendered at SUPERSAMPLE
    times that and averaged down (padded with paper to whole output pixels: the size of a plain render).
    `rows`: only these rows of it (the page cropped to them before rasterising)."""
    scale = SUPERSAMPLE * PRINT_REF_RES * 25.4 / 72.0  # render px per PDF point
    crop = (0.0, 0.0, 0.0, 0.0)
    if rows is not None:
        top = rows[0] * SUPERSAMPLE / scale
        bottom = max(0.0, page.get_height() - rows[1] * SUPERSAMPLE / scale)
        crop = (0.0, bottom, 0.0, top)
    img = page.render(scale=scale, grayscale=True, crop=crop).to_numpy()
    img = np.ascontiguousarray(img[:, :, 0] if img.ndim == 3 else img)
    h, w = img.shape
    img = cv2.copyMakeBorder(img, 0, -h % SUPERSAMPLE, 0, -w % SUPERSAMPLE, cv2.BORDER_CONSTANT, value=255)
    out = cv2.resize(img, (img.shape[1] // SUPERSAMPLE, img.shape[0] // SUPERSAMPLE), interpolation=cv2.INTER_AREA)
    return out if rows is None else out[:rows[1] - rows[0]]
