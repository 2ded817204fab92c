"""End to end: locate + read on whole synthetic pages, fingerprints and comparisons."""

import json

import cv2
import numpy as np
import pytest

import scanner

MARKS = {("setting", "ward"): "cross", ("setting", "emergency"): "fill", ("rating", "7"): "tick",
         ("focus", "history"): "slash", ("focus", "diagnosis"): "tick", ("optional", "c"): "circle"}
EXPECTED = {"setting": "ward", "rating": "7", "focus": ["history", "diagnosis"], "optional": "c",
            "went_well": "present", "signature": None}


def filled_page(synth, blank_form, marks=MARKS, write=True):
    p = blank_form.copy()
    for (f, v), kind in marks.items():
        p.mark(kind, synth.option_rect(f, v), colour=(150, 50, 20) if kind == "tick" else (30, 30, 30))
    if write:
        p.write([15, 160, 180, 40], words=2)
    return p


def scan(synth, img, variant):
    if variant == "300":
        return img
    if variant == "rot180-skew-94":
        return synth.rot90(synth.transform(img, 2.0, 0.94, (25, 40)), 2)
    if variant == "150-grey-jpeg":
        return synth.jpeg(synth.resample_dpi(img, 300, 150), 40)
    if variant == "phone":
        return synth.phone_photo(img, seed=7)
    if variant == "600-noise":
        return synth.noise(synth.resample_dpi(img, 300, 600), 6)
    raise ValueError(variant)


@pytest.mark.parametrize("variant", ["300", "rot180-skew-94", "150-grey-jpeg", "phone", "600-noise"])
def test_read_whole_page(synth, blank_form, variant):
    img = scan(synth, filled_page(synth, blank_form).img, variant)
    loc = scanner.locate(img, synth.FURNITURE)
    assert loc.qr_text == synth.QR_TEXT and loc.registered and not loc.blank
    assert loc.registration.orientation == (180 if variant.startswith("rot180") else 0)
    reading = scanner.read(img, loc, synth.GEOMETRY["fields"])
    assert reading.values == EXPECTED
    assert reading.review == {}
    assert reading.fields["setting"].boxes[2].state == "filled"  # the cancelled box is kept for audit
    json.dumps(reading.to_dict())  # audit record is JSON-able
    json.dumps(loc.to_dict())


def test_review_reasons(synth, blank_form):
    marks = {("setting", "ward"): "cross", ("setting", "other"): "tick", ("rating", "2"): "dot",
             ("focus", "exam"): "fill"}
    img = filled_page(synth, blank_form, marks, write=False).img
    loc = scanner.locate(img, synth.FURNITURE)
    r = scanner.read(img, loc, synth.GEOMETRY["fields"])
    assert r.review == {"setting": "multiple_marks", "rating": "uncertain_mark", "focus": "all_cancelled"}
    assert r.values["optional"] is None and r.fields["optional"].status == "accepted"
    assert r.values["focus"] == []


def test_read_requires_registration(synth):
    import numpy as np

    img = np.full((3508, 2480), 250, np.uint8)
    loc = scanner.locate(img, synth.FURNITURE)
    with pytest.raises(scanner.NotRegisteredError) as ei:
        scanner.read(img, loc, synth.GEOMETRY["fields"])
    assert ei.value.reason == "not_registered"


def test_fingerprint_same_paper_rescanned(synth, blank_form):
    img = filled_page(synth, blank_form).img
    readings = []
    for variant in ("300", "150-grey-jpeg", "rot180-skew-94"):
        s = scan(synth, img, variant)
        readings.append(scanner.read(s, scanner.locate(s, synth.FURNITURE), synth.GEOMETRY["fields"]))
    assert len({r.fingerprint for r in readings}) == 1
    assert scanner.compare_readings(readings[0], readings[1]).verdict == "same"
    assert scanner.compare_readings(readings[0], readings[2]).differences == []


def test_fingerprint_different_mark_conflicts(synth, blank_form):
    a = filled_page(synth, blank_form).img
    b = filled_page(synth, blank_form, {**MARKS, ("rating", "8"): "cross"}).img
    ra = scanner.read(a, scanner.locate(a, synth.FURNITURE), synth.GEOMETRY["fields"])
    rb = scanner.read(b, scanner.locate(b, synth.FURNITURE), synth.GEOMETRY["fields"])
    assert ra.fingerprint != rb.fingerprint
    cmp = scanner.compare_readings(ra, rb)
    assert cmp.verdict == "different"
    assert cmp.differences == [{"box": "rating:8", "a": "empty", "b": "marked"}]


def test_compare_inconclusive_on_uncertain(synth, blank_form):
    a = filled_page(synth, blank_form).img
    b = filled_page(synth, blank_form, {**MARKS, ("rating", "8"): "dot"}).img
    ra = scanner.read(a, scanner.locate(a, synth.FURNITURE), synth.GEOMETRY["fields"])
    rb = scanner.read(b, scanner.locate(b, synth.FURNITURE), synth.GEOMETRY["fields"])
    assert scanner.compare_readings(ra, rb).verdict == "inconclusive"


def test_rectify_upright(synth, blank_form):
    img = synth.rot90(blank_form.img, 1)
    loc = scanner.locate(img, synth.FURNITURE)
    up = scanner.rectify(img, loc, 2.0)
    assert up.shape[:2] == (594, 420)
    assert up[20:40, 20:40].mean() < 128  # the TL marker is top-left again


def test_rectify_samples_a_halving_in_place_and_without_aliasing(synth, blank_form):
    """The stored page image comes from a halving of a 300-dpi scan: where the full scan puts it, and fine
    print averaged (bilinear sampling of the full scan at 4 px/mm skipped pixels: 1-px stripes beat)."""
    from scanner.geometry import warp_rect

    img = blank_form.grey()
    img[1000:1600, 300:1200:2] = 0  # 1-px stripes, 2 px apart, where the form has room
    loc = scanner.locate(img, synth.FURNITURE)
    up = scanner.rectify(img, loc, 4.0).astype(np.float32)
    direct = warp_rect(img, loc.registration.H, [0.0, 0.0, 210.0, 297.0], 4.0).astype(np.float32)
    (dx, dy), _ = cv2.phaseCorrelate(255 - direct, 255 - up)
    assert abs(dx) < 0.1 and abs(dy) < 0.1
    y0, x0 = (int(round(v * 25.4 / 300 * 4.0)) + 4 for v in (1000, 300))
    stripes = up[y0:y0 + 40, x0:x0 + 60]
    assert 100 < stripes.mean() < 160 and stripes.std() < 25  # an even grey, not a beat of black and white


def test_blank_page_skips_thorough_search(monkeypatch):
    """A page without any dark ink is blank after the fast pass: no retries, no whole-page QR search."""
    import scanner as sc
    from scanner import identify, registration

    calls = []
    monkeypatch.setattr(identify, "read_qr_page", lambda img: calls.append("qr") or identify.QrResult())
    monkeypatch.setattr(registration, "_variants", lambda work: calls.append("variants") or iter(()))
    img = np.full((1400, 990), 235, np.uint8)
    furniture = {"markers": [{"id": i, "rect_mm": r} for i, r in
                             enumerate([[10, 10, 10, 10], [190, 10, 10, 10], [190, 277, 10, 10], [10, 277, 10, 10]])],
                 "qr": {"rect_mm": [163, 10, 22, 22]}, "page_size_mm": [210, 297]}
    loc = sc.locate(img, furniture)
    assert loc.blank and not loc.registered and loc.registration.method == "gave_up"
    assert loc.ink_fraction == 0.0 and calls == []


@pytest.mark.parametrize("stretch", [1.0, 1.02])
def test_two_marker_page_is_trusted_only_when_its_print_confirms_the_mapping(synth, blank_form, stretch):
    """Bottom markers torn off: two markers give a similarity, a 'poor' fit that alone cannot be trusted.

    When every printed box is then found where that mapping puts it, the mapping is right where the
    boxes are and the values stand (`print_verified`). A sheet stretched 2 % along its length (a
    mapping from the top markers alone is millimetres off lower down) is not confirmed: review."""
    import cv2

    p = blank_form.copy()
    p.mark("tick", synth.option_rect("setting", "ward"))
    p.mark("cross", synth.option_rect("rating", "7"))
    img = p.img
    h, w = img.shape[:2]
    if stretch != 1.0:
        img = cv2.resize(img, (w, int(h * stretch)), interpolation=cv2.INTER_AREA)[:h]
    img[int(270 * p.s):, :] = 255  # the bottom strip with markers 2 and 3 is gone
    loc = scanner.locate(img, synth.FURNITURE)
    assert loc.registration.markers_found == [0, 1] and loc.registration.quality == "poor"
    r = scanner.read(img, loc, synth.GEOMETRY["fields"])
    if stretch == 1.0:
        assert r.print_verified
        assert (r.fields["setting"].value, r.fields["setting"].status) == ("ward", "accepted")
        assert (r.fields["rating"].value, r.fields["rating"].status) == ("7", "accepted")
    else:
        assert not r.print_verified
        assert r.fields["setting"].status == r.fields["rating"].status == "review"


@pytest.mark.parametrize("grey_level", [205, 215, 222])
@pytest.mark.parametrize("effect,status", [("grey", "accepted"), ("whitened", "review")])
def test_a_whitened_page_of_text_areas_only_doubts_its_empty_ones(synth, grey_level, effect, status):
    """A form's back page holds only comments and signatures: no box to measure the paper around. A driver's
    background removal (paper 255, no noise) cut the faint pencil of one comment (to a person as faint or
    uncertain writing) and may have taken a signature whole: the empty signature is not vouched for (a
    stress run read one absent and accepted it, on a page judged grey for want of boxes). The same page
    scanned in grey keeps its paper's grain: the empty signature stands."""
    fields = [f for f in synth.geometry()["fields"] if f["kind"] == "text"]
    p = synth.Page(300)
    x, y, _, _ = next(f["rect_mm"] for f in fields if f["id"] == "went_well")
    p.line((x + 10, y + 20), (x + 11, y + 24), 0.25, (grey_level,) * 3)  # a short faint-pencil hook
    p.line((x + 11, y + 24), (x + 12.5, y + 23.5), 0.25, (grey_level,) * 3)
    g = p.grey().astype(np.float32) * 0.96
    img = (synth.noise(g.astype(np.uint8), 2) if effect == "grey"
           else np.clip(g * 255 / 225, 0, 255).astype(np.uint8))  # levels: paper and light grey -> 255
    r = scanner.read(img, scanner.locate(img, synth.FURNITURE), fields)
    assert (r.texts["went_well"].state, r.texts["went_well"].status) == ("uncertain", "review")
    sig = r.texts["signature"]
    assert (sig.state, sig.status) == ("absent", status)
    if status == "review":
        assert sig.reason == "faint_writer"


def test_the_paper_of_a_text_areas_crop():
    """`crop_paper` measures a crop's paper as a box's ring is measured: grain on a grey scan, none when whitened."""
    from scanner.writer import WHITE_NOISE, WHITE_PAPER, crop_paper

    rng = np.random.default_rng(2)
    crop = np.clip(rng.normal(244, 2.0, (96, 700)), 0, 255).astype(np.uint8)
    crop[20:25, 30:400] = 40  # a printed label
    bg, noise = crop_paper(crop)
    assert 243 <= bg <= 247 and noise > 2 * WHITE_NOISE
    white = np.full((96, 700), 255, np.uint8)
    white[20:25, 30:400] = 40
    assert crop_paper(white) == (255.0, 0.0) and crop_paper(white)[0] >= WHITE_PAPER
    assert crop_paper(np.dstack([white] * 3)) == (255.0, 0.0)  # a colour crop (a phone photo's) is made grey


@pytest.mark.parametrize("effect,status", [("bilevel", "review"), ("grey", "accepted"), ("whitened", "review")])
def test_a_bilevel_page_with_most_required_rows_blank_trusts_nothing(synth, blank_form, effect, status):
    """Through a 1-bit scanner a faint pen vanishes; when most required rows come out blank, the one
    mark left (here perhaps a first tick whose cancelling fill and replacement were both lost) is not
    accepted unseen. The same page scanned in grey shows a dark pen: the writer simply skipped rows.
    A grey scan whose paper the driver took to pure white (background removal: 255, no noise) may have
    dropped a faint pen with it, as a threshold does (`paper_whitened`): judged as a 1-bit page."""
    fields = synth.geometry()["fields"]
    for f in fields:
        if f["id"] in ("focus", "optional"):
            f["required"] = True
    p = blank_form.copy()
    p.mark("tick", synth.option_rect("setting", "ward"))
    grey = p.grey().astype(np.float32)
    img = (synth.bilevel(p.grey()) if effect == "bilevel"
           else synth.noise((grey * 0.96).astype(np.uint8), 2) if effect == "grey"  # paper ~245, grain
           else np.clip(grey * 0.96 * 255 / 225, 0, 255).astype(np.uint8))  # levels: paper and light grey -> 255
    from scanner.imageops import is_bilevel

    assert is_bilevel(img) == (effect == "bilevel")
    r = scanner.read(img, scanner.locate(img, synth.FURNITURE), fields)
    assert r.fields["setting"].value == "ward" and r.fields["setting"].status == status
    assert r.texts["signature"].status == status
    if status == "review":
        assert r.fields["setting"].reason == "mostly_blank_page"
    assert [r.fields[f].reason for f in ("rating", "focus", "optional")] == ["no_mark"] * 3
