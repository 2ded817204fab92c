import numpy as np
import pytest

import scanner
from scanner.identify import ink_fraction, read_qr_page


def test_qr_from_registered_roi(blank_form, synth):
    loc = scanner.locate(blank_form.img, synth.FURNITURE)
    assert loc.qr_text == synth.QR_TEXT
    assert (loc.qr.decoder, loc.qr.where) == ("zxing-cpp", "roi")
    assert loc.blank is False


@pytest.mark.parametrize("quarter", [1, 2, 3])
def test_qr_rotated_pages(blank_form, synth, quarter):
    loc = scanner.locate(synth.rot90(blank_form.grey(), quarter), synth.FURNITURE)
    assert loc.qr_text == synth.QR_TEXT and loc.qr.where == "roi"


def test_qr_without_markers_falls_back_to_page(synth):
    page = synth.Page(200)
    img = page.grey()
    s = 200 / 25.4
    for m in synth.GEOMETRY["markers"]:  # no markers at all
        x, y, w, h = m["rect_mm"]
        img[int(y * s) - 2:int((y + h) * s) + 3, int(x * s) - 2:int((x + w) * s) + 3] = 255
    loc = scanner.locate(img, synth.FURNITURE)
    assert not loc.registered and loc.qr_text == synth.QR_TEXT and loc.qr.where == "page"
    assert loc.blank is False


def test_qr_on_phone_photo(blank_form, synth):
    loc = scanner.locate(synth.phone_photo(blank_form.img, seed=5), synth.FURNITURE)
    assert loc.qr_text == synth.QR_TEXT and loc.registration.quality == "good"


def test_no_qr_returns_none(synth):
    img = np.full((1000, 700), 255, np.uint8)
    r = read_qr_page(img)
    assert r.text is None and r.decoder is None


def _back_page(seed=0, bleed=False):
    rng = np.random.default_rng(seed)
    g = np.full((3508, 2480), 242, np.float32)
    g += np.linspace(-8, 8, 2480)[None, :]  # uneven lamp
    if bleed:  # mirrored, faint show-through of a printed front: text lines and a form frame
        for y in range(400, 3200, 90):
            g[y:y + 25, 300:2100] -= 28
        g[200:330, 2150:2280] -= 45  # show-through of a marker
    g[:, :40] = 30  # dark scanner border on the left edge
    g += rng.normal(0, 4, g.shape)
    for _ in range(30):  # dust specks
        y, x = rng.integers(100, 3400), rng.integers(100, 2400)
        g[y:y + 2, x:x + 2] = 60
    return np.clip(g, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("bleed", [False, True])
def test_blank_back_is_blank(synth, bleed):
    loc = scanner.locate(_back_page(bleed=bleed), synth.FURNITURE)
    assert loc.blank is True and not loc.registered and loc.qr_text is None
    assert 0.0 <= loc.ink_fraction < 0.0004


def test_page_with_content_but_no_markers_is_not_blank(synth):
    img = _back_page()
    import cv2
    for i in range(6):  # a few lines of dark handwriting-size text
        cv2.putText(img, "Pasienten hadde vondt i magen", (300, 800 + 120 * i), cv2.FONT_HERSHEY_SIMPLEX,
                    2.0, 20, 4)
    loc = scanner.locate(img, synth.FURNITURE)
    assert loc.blank is False and loc.ink_fraction > 0.002


def test_ink_fraction_of_printed_form_is_large(blank_form):
    assert ink_fraction(blank_form.grey()) > 0.01
