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


def _letter() -> np.ndarray:
    """A stranger in the stack: a printed letter, no markers, no QR code."""
    import cv2
    img = _back_page()
    img[250:400, 300:700] = 60  # a letterhead logo
    for i in range(20):
        cv2.putText(img, "Referral to the outpatient clinic", (300, 600 + 110 * i), cv2.FONT_HERSHEY_SIMPLEX,
                    2.0, 20, 4)
    return img


def _count_detections(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    from scanner import registration
    calls = [0]
    real = registration._detect

    def counting(det, grey, wanted):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return real(det, grey, wanted)
    monkeypatch.setattr(registration, "_detect", counting)
    return calls


def test_a_stranger_without_qr_is_not_searched_for_markers_at_length(synth, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls = _count_detections(monkeypatch)
    loc = scanner.locate(_letter(), synth.FURNITURE)
    assert not loc.registered and loc.qr_text is None and loc.blank is False
    assert loc.registration.method == "not_a_form"
    assert calls[0] == 5  # the four corners and the whole quarter-size page, nothing slower
    calls[0] = 0
    loc = scanner.locate(_letter(), synth.FURNITURE, try_hard=True)  # a person said it is a form
    assert not loc.registered and loc.registration.method != "not_a_form"
    assert calls[0] > 5


def test_a_page_only_the_slow_passes_register_is_searched_when_it_has_a_qr(blank_form, synth, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from scanner import registration
    # the fast passes miss every marker (as on a blurred or noisy scan); the slow ones find them
    monkeypatch.setattr(registration, "_detect_corners", lambda small, wanted: {})
    real = registration._detect
    monkeypatch.setattr(registration, "_detect",
                        lambda det, g, w: {} if det is registration._FAST else real(det, g, w))
    loc = scanner.locate(blank_form.grey(), synth.FURNITURE)
    assert loc.registered and loc.qr_text == synth.QR_TEXT and loc.registration.method != "fast"
    # the same page with its QR code covered: nothing says it is ours, so it is not searched further ...
    img = blank_form.grey().copy()
    s = img.shape[1] / 210.0
    x, y, w, h = synth.FURNITURE["qr"]["rect_mm"]
    img[int((y - 2) * s):int((y + h + 2) * s), int((x - 2) * s):int((x + w + 2) * s)] = 90
    loc = scanner.locate(img, synth.FURNITURE)
    assert not loc.registered and loc.registration.method == "not_a_form" and loc.qr_text is None
    # ... unless a person assigned it to a form
    loc = scanner.locate(img, synth.FURNITURE, try_hard=True)
    assert loc.registered and loc.qr_text is None


def _punched(img: np.ndarray, holes: int, shade: int = 30, diameter_mm: float = 6.0,
             edge_mm: float = 12.0) -> np.ndarray:
    """A back page's filing holes (2 or 4, ISO 838), by its right edge."""
    import scanner_synth

    ys = (108.5, 188.5) if holes == 2 else (28.5, 108.5, 188.5, 268.5)
    return scanner_synth.punch(img, ys, 210.0 - edge_mm, shade, diameter_mm)


@pytest.mark.parametrize("holes,shade,dpi", [(2, 30, 300), (4, 30, 300), (4, 110, 300), (4, 30, 200)])
def test_the_blank_back_of_a_punched_sheet_is_blank(synth, holes, shade, dpi):
    import cv2
    img = _punched(_back_page(), holes, shade)
    if dpi != 300:  # at 200 dpi a hole is ~11 px across in the blank count's 75-dpi image: a squarer disc
        img = cv2.resize(img, None, fx=dpi / 300, fy=dpi / 300, interpolation=cv2.INTER_AREA)
    loc = scanner.locate(img, synth.FURNITURE)
    assert loc.blank is True and loc.qr_text is None


def test_holes_do_not_hide_content_or_pass_for_it(synth):
    import cv2
    img = _punched(_back_page(), 4)
    for i in range(3):  # three lines of a comment continued on the back
        cv2.putText(img, "Pasienten hadde vondt i magen", (300, 800 + 120 * i), cv2.FONT_HERSHEY_SIMPLEX,
                    2.0, 20, 4)
    loc = scanner.locate(img, synth.FURNITURE)
    assert loc.blank is False
    plain = _back_page()
    for i in range(3):
        cv2.putText(plain, "Pasienten hadde vondt i magen", (300, 800 + 120 * i), cv2.FONT_HERSHEY_SIMPLEX,
                    2.0, 20, 4)
    assert loc.ink_fraction == pytest.approx(scanner.locate(plain, synth.FURNITURE).ink_fraction, rel=0.01)
    big = _punched(_back_page(), 2, diameter_mm=12.0, edge_mm=18.0)  # 12 mm blots by the edge are no filing holes
    assert scanner.locate(big, synth.FURNITURE).blank is False


def test_a_light_streak_through_the_qr_code_is_closed_over(synth) -> None:  # type: ignore[no-untyped-def]
    """A dead scanner cell draws a light line down the page; through a finder pattern of a blurred QR
    code it defeated both decoders on the region and the whole page (a rough scan left a registered
    page unidentified). The registered region is read again with thin light lines closed over."""
    import cv2

    page = synth.Page(200)
    x, _, w, _ = synth.GEOMETRY["qr"]["rect_mm"]
    img = page.grey()
    cx = int((x + 0.12 * w) * 200 / 25.4)
    img[:, cx:cx + 3] = 245  # ~0.4 mm wide, the whole height of the page
    img = synth.jpeg(synth.noise(cv2.GaussianBlur(img, (0, 0), 1.2), 4, seed=2), 50)
    loc = scanner.locate(img, synth.FURNITURE)
    assert loc.registered
    assert (loc.qr.text, loc.qr.where) == (synth.QR_TEXT, "roi-repaired")
