"""Containers as scanners deliver them, and the extra pages real stacks contain."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pypdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from formkit.simulate.effects import apply_profile
from formkit.simulate.stacks import blank_back, foreign_page, write_stack

from .conftest import DPI

A4_PT = (595.3, 841.9)


@pytest.fixture(scope="module")
def scans(pages: list[np.ndarray]) -> dict[str, list]:
    rng = np.random.default_rng(0)
    return {
        "grey": [apply_profile("dpi150", p, DPI, rng, rotation=0) for p in pages],
        "bw": [apply_profile("bilevel", p, DPI, rng, rotation=0) for p in pages],
    }


def _filters(path: Path) -> list[str]:
    out = []
    for page in pypdf.PdfReader(path).pages:
        xobjs = page["/Resources"]["/XObject"]
        assert len(xobjs) == 1  # one image per page, as scanners write
        f = next(iter(xobjs.values())).get_object()["/Filter"]
        out.append(f[0] if isinstance(f, list | pypdf.generic.ArrayObject) else f)
    return out


def _page_sizes(path: Path) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in pypdf.PdfReader(path).pages]


def test_jpeg_pdf(scans: dict, tmp_path: Path) -> None:
    located = write_stack(scans["grey"], tmp_path, "jpeg_pdf")
    path = located[0][0]
    assert [fp for _, fp in located] == [0, 1]
    assert _filters(path) == ["/DCTDecode", "/DCTDecode"]
    for w, h in _page_sizes(path):
        assert abs(w - A4_PT[0]) < 3 and abs(h - A4_PT[1]) < 3


@pytest.mark.parametrize("kind", ["bw", "grey"])
def test_g4_pdf_has_one_ccitt_image_per_page(kind: str, scans: dict, tmp_path: Path) -> None:
    path = write_stack(scans[kind], tmp_path, "g4_pdf")[0][0]
    assert _filters(path) == ["/CCITTFaxDecode", "/CCITTFaxDecode"]
    for w, h in _page_sizes(path):
        assert abs(w - A4_PT[0]) < 3 and abs(h - A4_PT[1]) < 3


def test_jbig2_pdf_decodes_to_the_same_pixels(scans: dict, tmp_path: Path) -> None:
    path = write_stack(scans["bw"], tmp_path, "jbig2_pdf")[0][0]
    assert _filters(path) == ["/JBIG2Decode", "/JBIG2Decode"]
    for w, h in _page_sizes(path):
        assert abs(w - A4_PT[0]) < 3 and abs(h - A4_PT[1]) < 3
    doc = pdfium.PdfDocument(path)
    for i, s in enumerate(scans["bw"]):
        obj = next(iter(doc[i].get_objects()))
        native = np.squeeze(obj.get_bitmap(render=False).to_numpy())
        assert np.array_equal(native[:, : s.image.shape[1]], s.image)
    doc.close()


def test_tiff_and_folders(scans: dict, tmp_path: Path) -> None:
    tif = write_stack(scans["grey"], tmp_path, "tiff")[0][0]
    n, imgs = cv2.imreadmulti(str(tif))
    assert n and len(imgs) == 2
    bw = write_stack(scans["bw"], tmp_path, "tiff", name="bw")[0][0]
    assert Image.open(bw).info.get("compression") == "group4"
    for container, suffix in (("png_dir", ".png"), ("jpeg_dir", ".jpg")):
        files = [f for f, _ in write_stack(scans["grey"], tmp_path, container, name=container)]
        assert len(files) == 2 and all(f.suffix == suffix for f in files)
        assert round(Image.open(files[0]).info["dpi"][0]) == 150


def test_blank_back_is_near_white_with_faint_bleed(pages: list[np.ndarray]) -> None:
    back = blank_back(pages[0].shape, np.random.default_rng(0), front=pages[0])
    assert back.shape == pages[0].shape
    assert back.mean() > 245 and back.min() > 200
    plain = blank_back(pages[0].shape, np.random.default_rng(0))
    assert back.mean() < plain.mean()  # some bleed-through


def test_foreign_page_has_text_but_no_markers_or_qr(pages: list[np.ndarray]) -> None:
    import zxingcpp

    page = foreign_page(pages[0].shape, DPI, np.random.default_rng(0))
    assert (page < 128).mean() > 0.005
    det = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50))
    _, ids, _ = det.detectMarkers(page)
    assert ids is None
    assert not zxingcpp.read_barcodes(page)


def test_filing_holes_go_through_the_sheet() -> None:
    """Left edge of the front, right edge of the back, 12 mm in, dark (a feeder's black backing)."""
    from formkit.simulate.stacks import draw_holes, punch_holes

    holes = punch_holes(np.random.default_rng(4))
    page = np.full((1169, 827), 250, np.uint8)  # A4 at 100 dpi
    ppm = 100 / 25.4
    front, back = draw_holes(page, 100, holes, back=False), draw_holes(page, 100, holes, back=True)
    assert page.min() == 250  # the input is left alone
    y = round((holes["ys_mm"][0] + holes["dy_mm"]) * ppm)
    x = round(holes["edge_mm"] * ppm)
    assert front[y, x] == holes["shade"] and front[y, 827 - x] == 250
    assert back[y, 827 - x] == holes["shade"] and back[y, x] == 250
    assert len(holes["ys_mm"]) in (2, 4) and 11.0 <= holes["edge_mm"] <= 13.5
