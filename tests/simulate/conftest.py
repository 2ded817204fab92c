"""A small hand-drawn test form (geometry + page images), independent of the real generator.

It follows the geometry contract (docs/contracts.md): rects in mm from the top-left, 4 ArUco
DICT_4X4_50 markers ids 0-3, a QR code at [163, 10, 22, 22].
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import zxingcpp

from formkit.simulate.render import rect_mm_to_px

DPI = 150
PAGE_MM = (210.0, 297.0)
MARKERS = [
    {"id": 0, "corner": "TL", "rect_mm": [10, 10, 10, 10]},
    {"id": 1, "corner": "TR", "rect_mm": [190, 10, 10, 10]},
    {"id": 2, "corner": "BR", "rect_mm": [190, 277, 10, 10]},
    {"id": 3, "corner": "BL", "rect_mm": [10, 277, 10, 10]},
]
QR_RECT = [163, 10, 22, 22]


def _row(y: float, values: list[str], x0: float = 60.0, box: float = 6.0, pitch: float = 16.0) -> list[dict]:
    return [{"value": v, "label": v, "rect_mm": [x0 + i * pitch, y, box, box]} for i, v in enumerate(values)]


def make_geometry() -> dict:
    """A two-page form: single, multi, a 1-9 rating grid and text areas."""
    nine = [str(i) for i in range(1, 10)] + ["not_observed"]
    fields = [
        {
            "id": "setting",
            "kind": "single",
            "page": 1,
            "required": True,
            "options": _row(50, ["outpatient", "ward", "emergency", "other"]),
        },
        {
            "id": "patient_type",
            "kind": "single",
            "page": 1,
            "required": False,
            "options": _row(62, ["new", "known"]),
        },
        {
            "id": "focus",
            "kind": "multi",
            "page": 1,
            "required": False,
            "options": _row(74, ["history", "examination", "diagnosis", "management"]),
        },
        {"id": "problem", "kind": "text", "page": 1, "rect_mm": [20, 88, 170, 10]},
    ]
    for k, item in enumerate(["history_taking", "physical_exam", "overall"]):
        fields.append(
            {
                "id": item,
                "kind": "single",
                "page": 1,
                "required": True,
                "options": _row(110 + 12 * k, nine, x0=40.0, box=6.0, pitch=14.0),
            }
        )
    fields.append({"id": "went_well", "kind": "text", "page": 2, "rect_mm": [20, 40, 170, 40]})
    fields.append({"id": "improve", "kind": "text", "page": 2, "rect_mm": [20, 95, 170, 40]})
    return {
        "layout": "test-form",
        "version": 1,
        "page_size_mm": list(PAGE_MM),
        "pages": 2,
        "fields": fields,
        "markers": MARKERS,
        "qr": {"rect_mm": QR_RECT},
    }


def _ipx(rect_mm: list[float], dpi: float) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = rect_mm_to_px(rect_mm, dpi)
    return round(x0), round(y0), round(x1), round(y1)


def draw_page(geometry: dict, page: int, form_id: str = "ABCD-EFGH", dpi: float = DPI) -> np.ndarray:
    """White greyscale page with box outlines, markers and a QR -- what the generator would print."""
    w = round(PAGE_MM[0] / 25.4 * dpi)
    h = round(PAGE_MM[1] / 25.4 * dpi)
    img = np.full((h, w), 255, np.uint8)
    line = max(1, round(0.3 / 25.4 * dpi))
    aruco = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    for m in geometry["markers"]:
        x0, y0, x1, y1 = _ipx(m["rect_mm"], dpi)
        img[y0:y1, x0:x1] = cv2.aruco.generateImageMarker(aruco, m["id"], x1 - x0)
    pages = geometry["pages"]
    text = f"FK1/TEST-FORM/1/{form_id}/{page}/{pages}/W3F9/K2M8Q1ZR7A"
    qr = np.asarray(
        zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, options="ecLevel=M").to_image(scale=4)
    )
    x0, y0, x1, y1 = _ipx(geometry["qr"]["rect_mm"], dpi)
    img[y0:y1, x0:x1] = cv2.resize(qr, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
    cv2.putText(img, form_id, (x0 - 10, y1 + 25), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)
    for f in geometry["fields"]:
        if f["page"] != page:
            continue
        rects = [o["rect_mm"] for o in f["options"]] if f["kind"] != "text" else [f["rect_mm"]]
        for r in rects:
            x0, y0, x1, y1 = _ipx(r, dpi)
            cv2.rectangle(img, (x0, y0), (x1 - 1, y1 - 1), 0, line)
        if f["kind"] != "text":
            for o in f["options"]:
                x0, y0, x1, y1 = _ipx(o["rect_mm"], dpi)
                cv2.putText(
                    img, o["label"][:6], (x1 + 3, y1 - 2), cv2.FONT_HERSHEY_SIMPLEX, 0.35, 60, 1, cv2.LINE_AA
                )
        x0, y0, _, _ = _ipx(rects[0], dpi)
        cv2.putText(
            img,
            f["id"],
            (round(20 / 25.4 * dpi), y0 - 4 if f["kind"] == "text" else y0 + 12),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.4,
            30,
            1,
            cv2.LINE_AA,
        )
    return img


@pytest.fixture(scope="session")
def geometry() -> dict:
    return make_geometry()


@pytest.fixture(scope="session")
def pages(geometry: dict) -> list[np.ndarray]:
    return [draw_page(geometry, p) for p in (1, 2)]
