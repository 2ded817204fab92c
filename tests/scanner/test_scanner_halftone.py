"""1-bit scans made in a scanner's halftone mode: dots, not strokes, until `scanner.prepare` descreens them."""

import numpy as np
import pytest

import scanner
from scanner.imageops import descreen, is_halftone

PENCIL = (120, 120, 120)


def _filled(synth, blank_form):
    p = blank_form.copy()
    p.mark("tick", synth.option_rect("setting", "ward"), colour=PENCIL, width_mm=0.4)
    p.mark("cross", synth.option_rect("rating", "5"), colour=(25, 25, 25), width_mm=0.5)
    p.mark("tick", synth.option_rect("optional", "b"), colour=PENCIL, width_mm=0.4, seed=3)
    p.write([15, 160, 180, 40], words=3, colour=PENCIL)
    return p  # focus and the signature are left empty


@pytest.mark.parametrize("screen", ["bayer", "random"])
def test_a_dithered_page_is_told_from_a_thresholded_one(synth, blank_form, screen):
    assert is_halftone(synth.dither(blank_form.grey(), screen))
    assert not is_halftone(synth.bilevel(blank_form.img))
    assert not is_halftone(blank_form.grey())  # grey pages are left alone
    blank = np.full((3508, 2480), 255, np.uint8)
    assert not is_halftone(blank)
    rng = np.random.default_rng(1)
    blank[rng.integers(0, 3508, 200), rng.integers(0, 2480, 200)] = 0  # a blank back's surviving specks
    assert not is_halftone(blank)


def test_descreening_gives_back_the_grey(synth):
    grey = np.full((3508, 2480), 255, np.uint8)
    grey[1000:1400, 500:900] = 140  # a mid-grey patch
    g = descreen(synth.dither(grey, "bayer", paper_noise=0.0))
    assert abs(float(g[1100:1300, 600:800].mean()) - 140 * 0.95 * 255 / 250) < 10  # a 16-level screen
    assert float(g[2000:2400, 500:900].mean()) > 230  # the paper, at its own level
    same, halftone = scanner.prepare(grey)
    assert same is grey and not halftone  # not 1-bit: untouched


@pytest.mark.parametrize("screen", ["bayer", "random"])
def test_a_dithered_page_reads_like_a_grey_one(synth, blank_form, screen):
    img, halftone = scanner.prepare(synth.dither(_filled(synth, blank_form).img, screen, seed=4))
    assert halftone
    loc = scanner.locate(img, synth.FURNITURE)
    assert loc.registered and loc.qr_text == synth.QR_TEXT
    r = scanner.read(img, loc, synth.geometry()["fields"], halftone=True)
    truth = {"setting": "ward", "rating": "5", "focus": [], "optional": "b", "went_well": "present", "signature": None}
    for fid, want in truth.items():
        d = r.texts[fid] if fid in r.texts else r.fields[fid]
        if d.status == "accepted":  # never a wrong value without review; the clear marks are read
            assert d.value == want, (fid, d.value)
    # the empty areas and boxes full of noise dots are not taken for writing or marks
    assert r.texts["signature"].value is None
    assert r.fields["focus"].value in ([], None)
    if screen == "bayer":  # an ordered screen descreens cleanly: the clear marks are accepted
        assert {k: r.fields[k].status for k in ("setting", "rating", "optional")} == dict.fromkeys(
            ("setting", "rating", "optional"), "accepted")


def test_an_empty_area_on_a_faint_writers_halftone_page_is_doubted(synth, blank_form):
    """Averaged over a screen cell a thin faint stroke keeps ~half its darkness: a look only twice as
    sensitive as the writer's pen (measured in the boxes) could have missed their signature."""
    p = blank_form.copy()
    for field, value, kind, seed in (("setting", "ward", "tick", 0), ("rating", "5", "cross", 0),
                                     ("optional", "b", "tick", 3)):
        p.mark(kind, synth.option_rect(field, value), colour=(185, 185, 185), width_mm=0.3, seed=seed)
    img, halftone = scanner.prepare(synth.dither(p.img, "bayer", seed=1, white=244))
    assert halftone
    loc = scanner.locate(img, synth.FURNITURE)
    r = scanner.read(img, loc, synth.geometry()["fields"], halftone=True)
    assert r.faint_writer and r.faint_writer < 0.18
    sig = r.texts["signature"]
    assert (sig.state, sig.status, sig.reason) == ("absent", "review", "faint_writer")
    # read as an ordinary grey page, the same look would count as twice as sensitive (that reading doubts
    # the area anyway: the screen's residue leaves a faint trace in every box, four rows of broken marks)
    plain = scanner.read(img, loc, synth.geometry()["fields"]).texts["signature"]
    assert sig.faint_t == 2 * plain.faint_t


BLUE = (200, 80, 30)  # BGR blue ballpoint


@pytest.mark.parametrize("colour", [BLUE, (185, 185, 185)])
def test_a_dash_through_a_box_on_a_halftone_page_is_a_pen_not_a_fold(synth, blank_form, colour):
    """A blue ballpoint dash struck through a box and on past its label (an other-hands stress run: "Pasient
    [-]-Ny"). Averaged over the screen's cells the thin stroke keeps about half its darkness, its core came
    out a fold's (< CREASE_MAX_DARK), the line was erased like one and the box read empty, accepted. On a
    descreened page a line from HALFTONE_PEN_DARK is a pen's: a person looks. A line in a fold's grey is not."""
    page = blank_form.copy()
    x, y, w, h = synth.option_rect("optional", "b")
    page.line((x - 6, y + h / 2), (x + w + 7, y + h / 2 + 0.3), 0.3, colour)
    img, halftone = scanner.prepare(synth.dither(page.img, "random", seed=2))
    assert halftone
    loc = scanner.locate(img, synth.FURNITURE)
    fd = scanner.read(img, loc, synth.geometry()["fields"], halftone=True).fields["optional"]
    b = next(b for b in fd.boxes if b.value == "b")
    if colour == BLUE:
        assert (b.state, b.why, fd.status) == ("uncertain", "pen_line_through", "review"), b.to_dict()
    else:
        assert b.why != "pen_line_through" and b.measures["pen_line_ink"] == 0.0, b.to_dict()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_dash_in_a_signature_area_of_a_halftone_page_is_not_read_as_nothing(synth, blank_form, seed):
    """A short ballpoint dash where the signature goes (an other-hands stress run). Descreened, a straight
    stroke 10 mm long is taken out with the lines (streaks, rules) and the area could read empty, accepted.
    The pen-line look (a straight stroke the line removal took that stops short of the zone's edges, as
    dark as ink) now runs on descreened pages too: the writing is seen, or a person looks."""
    page = blank_form.copy()
    for field, value in (("setting", "ward"), ("rating", "5")):  # a writer seen in the boxes, not a faint one
        page.mark("tick", synth.option_rect(field, value), colour=(160, 160, 160), width_mm=0.35)
    page.line((20, 229), (30, 229.2), 0.3, BLUE)
    img, halftone = scanner.prepare(synth.dither(page.img, "random", seed=seed))
    loc = scanner.locate(img, synth.FURNITURE)
    sig = scanner.read(img, loc, synth.geometry()["fields"], halftone=True).texts["signature"]
    assert sig.state == "present" or sig.status == "review", (sig.state, sig.status, sig.reason)
