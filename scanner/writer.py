"""The writer's pen across a page: faint pencil judged against the writer, not against a fixed grey.

A page's clear marks show how dark its writer's pen is. A faint trace as dark as that pen, alone in
its row, is a mark (`promote_lone_traces`); a faint writer's page cannot vouch for what it reads as
empty (`doubt_absence_for_faint_writer`), nor can a 1-bit page that lost most of its ink
(`doubt_mostly_blank_page`) or whose pen the threshold is breaking up (`doubt_breaking_pen`); the
form's other pages inherit the doubt (`doubt_for_writer`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from scanner.beside import QUIET_SPECK_MM2
from scanner.decide import EMPTY_MAX, FAINT_FILL_SMOOTH, MAYBE_RING_WHY, BoxDecision, FieldDecision, decide_field
from scanner.handwriting import TextArea
from scanner.imageops import ink_grey, paper_level
from scanner.reading import PageReading

LONE_TRACE_MIN = 0.10  # share of a box interior a faint trace must cover to be a stroke (= decide.MARK_MIN) ...
LONE_TRACE_SMOOTH = (0.06, 0.10)  # ... or: this share per pixel, and the stroke's worth in the averaged look
# (a 0.25 mm pencil tick at 150-200 dpi: only parts of it clear the per-pixel threshold; averaging joins it up)
LONE_TRACE_MAX_INK = 0.5  # a faint mark over this much of the interior at the ink threshold (or FAINT_FILL_SMOOTH
# of it averaged) is a faint fill, not a lone stroke (11,834 lone traces promoted in kept stacks: <= 0.31, <= 0.62)
LONE_TRACE_WRITER = 0.6  # ... and its ink strength, as a share of the writer's clear marks on the page
LONE_RING_ON_TONE = 0.5  # a faint ring with this share of its strokes on a printed tone is not promoted: an inkjet's
# droplets and a laser's dot screen stand out from their tint as faint pencil does and join into rings round empty
# boxes (other-printer stress runs: a row left empty on a faint writer's page accepted with such a ring as its answer)
PALE_MARK_SHARE = 0.4  # a mark fainter than this share of the writer's clear marks is erased residue, maybe
PALE_MARK_WRITER_MIN = 3  # ... judged on pages with at least this many clear marks (their median is the pen)
FAINT_WRITER = 0.18  # median ink strength of a page's marks below which empty text areas are doubted
FAINT_WRITER_TEXT = 0.25  # ... and of its handwriting (measured on the text areas; faint pencil ~0.17-0.20,
# ballpoint ~0.65-0.85): a page without boxes (the back of a form) shows its writer here
WRITER_SEEN = 2.0  # a look whose threshold is below half the writer's ink strength would have seen that ink
VANISHED_WRITER = 1e-3  # `faint_writer` of a page whose pen the scan dropped: fainter than any look sees
QUIET_PEAK_SHARE = 1 / 3  # an empty box vouches for itself on a faint writer's page when nothing in it, in its
# ring or beside its row reaches this share of the darkness of the faintest mark the writer made on the page
# (`quiet_box`)


def doubt_absence_for_faint_writer(out: PageReading, one_bit: bool = False,
                                   ring_look: Callable[[str, int], float] | None = None,
                                   beside_look: Callable[[str, float], float] | None = None) -> None:
    """Text areas and optional rows read as empty go to review when a faint pen could have vanished there.

    The writer's pen is seen in the boxes: the median ink strength of the inked boxes on the page
    (>= 2 of them; a trace too faint to measure counts as 0), or in the handwriting of the areas
    that hold some (a page without boxes). The result is kept on the reading (`writer_seen`,
    `faint_writer`) for the form's other pages (`doubt_for_writer`).
    A 1-bit page (`one_bit`: thresholded, or dithered and descreened) never counts as having seen its
    writer: every pixel that survives the threshold is black, so it cannot tell a dark pen from a
    pencil at the threshold, and it does not vouch for its empty areas against another page of the
    form where that pen broke up (1-bit scans at 150-200 dpi lost pencil signatures on the back page
    of forms whose front page had shown it).
    Below FAINT_WRITER (FAINT_WRITER_TEXT for handwriting) the writer uses a faint pen. An empty text
    area on such a page is still trusted where the scan was clean enough to show that pen: the area's
    most sensitive look (its noise-only threshold) sits well below the writer's strength (WRITER_SEEN)
    and found nothing. On a noisy scan it does not, and the crop goes to a person instead. An empty
    optional row is doubted: a faint loop around a box is outside the interior's close look; and so
    is a multiple-choice row with any box left empty (a faint-pencil stress run found one faint mark of
    two read and the other lost, silently). Unless every empty box of the row shows nothing, inside or
    around it, that a pen as faint as the writer's faintest mark would have left (`quiet_box`; the
    look around it, `ring_look(field_id, box_index)`, is given by the caller, who has the image), and
    nothing that faint lies beside its boxes either (`beside_look(field_id, threshold)`: mm2 of such
    ink; a circled or underlined label in faint pencil is below the ink threshold of the beside check).
    """
    inked, written = _pen_seen(out)
    out.writer_seen = bool(inked or written) and not one_bit
    faint_marks = len(inked) >= 2 and float(np.median(inked)) < FAINT_WRITER
    faint_hand = len(written) >= 1 and float(np.median(written)) < FAINT_WRITER_TEXT
    if not (faint_marks or faint_hand):
        return
    writer = min(float(np.median(inked)) if faint_marks else 1.0, float(np.median(written)) if faint_hand else 1.0)
    out.faint_writer = max(writer, VANISHED_WRITER)
    faintest = min(inked) if faint_marks and min(inked) > 0 and not one_bit else 0.0
    for ta in out.texts.values():
        if ta.state == "absent" and ta.status == "accepted" and could_hide(ta.faint_mm2, ta.faint_t, writer):
            ta.status, ta.reason, ta.confidence = "review", "faint_writer", min(ta.confidence, 0.5)
    for fid, fd in out.fields.items():  # an optional row left empty: doubted (a faint loop drawn
        # around a box lies outside the interior's close look, and the ring is judged at the ink threshold);
        # so is a multiple-choice row with a box left empty: a second faint mark may have vanished there
        if fd.status != "accepted":
            continue
        empty_row = not fd.value and not any(b.state == "marked" for b in fd.boxes)
        if not (empty_row or (fd.kind == "multi" and any(b.state == "empty" for b in fd.boxes))):
            continue
        if ring_look is not None and beside_look is not None and all(
                b.state == "marked" or quiet_box(b, faintest, lambda i=i, f=fid: ring_look(f, i))
                for i, b in enumerate(fd.boxes)) and beside_look(fid, QUIET_PEAK_SHARE * faintest) < QUIET_SPECK_MM2:
            continue
        fd.status, fd.reason, fd.confidence = "review", "faint_writer", min(fd.confidence, 0.5)


def quiet_box(b: BoxDecision, faintest: float, ring: Callable[[], float]) -> bool:
    """True when an empty box shows no trace of a pen as faint as the faintest mark on its page.

    On a faint writer's grey page an empty box is trusted only where nothing at all is there: no ink
    and no faint trace in the interior, whose darkest point (3x3 averaged) stays below QUIET_PEAK_SHARE
    of the faintest mark the writer made on the page (`faintest`: 0 when a mark was too faint to
    measure, or on a 1-bit page, where every surviving pixel is black), no stroke around it at the ink
    threshold, and the darkest stroke in its ring against the paper right around it (`ring`, looked at
    last: it costs a look at the image; kept in the box's measures as `ring_peak`) below that share too.
    """
    m = b.measures
    if faintest <= 0 or b.state != "empty" or "in_shade" in m:
        return False
    limit = QUIET_PEAK_SHARE * faintest
    if not (0 <= float(m.get("peak", -1.0)) <= limit and int(m.get("ring_sectors", -1)) == 0
            and float(m.get("coverage", 1.0)) == 0 and float(m.get("faint", 1.0)) == 0
            and float(m.get("faint_smooth", 1.0)) == 0):
        return False
    m["ring_peak"] = round(ring(), 4)
    return m["ring_peak"] <= limit


WASHED_FRAME_SHARE = 0.5  # an area whose frame keeps less than this share of the page's frames' contrast
# sits under glare (phone photos without glare, scans: >= 0.61 in 1,283 empty areas; under glare from 0.3)
WASHED_FRAMES_MIN = 3  # ... judged on pages with at least this many framed areas (the median is the page's print)


def doubt_washed_out_writing(out: PageReading) -> None:
    """Text areas read as empty whose print is washed out, where the writer's pen would be too, go to review.

    Glare on a phone photo lifts print and writing alike: a pencil signature under it faded below the
    area's looks and the area was accepted as empty (a glare stress run). The frame tells: its contrast
    (`TextArea.frame`) against the median of the page's frames gives the share of contrast left there. An
    area keeping < WASHED_FRAME_SHARE of it is doubted (`washed_out`) unless the writer's pen (the median
    strength of the page's marks and writing), faded by that share, would still have shown in its most
    sensitive look (`could_hide`); a page showing no pen at all cannot vouch for it.
    """
    frames = [ta.frame for ta in out.texts.values() if ta.frame >= 0]
    if len(frames) < WASHED_FRAMES_MIN or float(np.median(frames)) <= 0:
        return
    ref = float(np.median(frames))
    pens = [_ink_strength(b) for fd in out.fields.values() for b in fd.boxes
            if b.state == "marked" and _ink_strength(b) > 0]
    pens += [ta.strength for ta in out.texts.values() if ta.state == "present" and ta.strength > 0]
    pen = float(np.median(pens)) if pens else 0.0
    for ta in out.texts.values():
        if ta.state != "absent" or ta.status != "accepted" or ta.frame < 0:
            continue
        share = ta.frame / ref
        if share < WASHED_FRAME_SHARE and (pen <= 0 or could_hide(ta.faint_mm2, ta.faint_t, pen * share)):
            ta.status, ta.reason, ta.confidence = "review", "washed_out", min(ta.confidence, 0.5)


def could_hide(faint_mm2: float, faint_t: float, writer: float) -> bool:
    """True when a text area read as empty could hold writing in a pen of ink strength `writer`.

    The area's most sensitive look (noise-only threshold `faint_t`) either found some ink after all,
    or sat above half the writer's strength (WRITER_SEEN) and would not have seen that pen. Any ink
    it kept counts, however little (the cleaning drops specks and grain first): a faint pencil's initials
    in a one-line signature area are thin straight strokes, which the cleaning mostly takes for lines,
    and 0.9 mm2 of them was left, under the absent bar - accepted as no signature (an all-pencil stress
    run). In kept stress and ward stacks, no empty area on a faint writer's page kept any such ink.
    """
    return faint_mm2 > 0 or writer < WRITER_SEEN * faint_t


def doubt_for_writer(texts: dict[str, dict], faint_writer: float, clipped: bool = False) -> list[str]:
    """Text areas of a page that showed no writer of its own, doubtful given the form's faint writer.

    `texts`: {field_id: TextArea.to_dict()} of that page; `faint_writer`: the faint pen's strength
    seen on another page of the same form (`PageReading.faint_writer`). A back page holding only
    text areas, all read as empty, cannot tell a faint pencil from no writing; the front page can
    (a stress test lost a faint pencil signature that way). Returns the areas to send to review.
    `clipped`: that page came through a 1-bit threshold, a dither or a driver's whitening
    (`PageReading.clipped`). Its areas' most sensitive look measured the scan's noise after the scanner
    had already erased what was lighter than its level, so it vouches for nothing: every empty area is
    doubted (a whitened back page lost a faint-pencil word, digits and a tick whole, and its empty areas,
    whose noise-only look sat at 0.05 under the front's 0.10 pen, were trusted: a stress run).
    """
    return [fid for fid, t in texts.items()
            if t.get("state") == "absent" and t.get("status") == "accepted"
            and (clipped or could_hide(float(t.get("faint_mm2", 0.0)), float(t.get("faint_t", 1.0)), faint_writer))]


def _ink_strength(b: BoxDecision) -> float:
    """How dark the pen of a box's mark is: its ink, else its faint trace, else the loop drawn around it
    (0: none measured)."""
    m = b.measures
    return (float(m.get("strength", 0.0)) or float(m.get("trace_strength", 0.0))
            or float(m.get("ring_strength", 0.0)))


def _is_faint_trace(b: BoxDecision) -> bool:
    """A faint trace, doubtful or accepted as a lone trace: the writer's ink even where too faint to measure.

    A faint-pencil page whose strokes all fell below the per-pixel threshold showed no writer at
    all and had its empty rows trusted (a stress test lost two slashes silently that way; a second
    time after two faint marks were accepted as lone traces and no longer counted as faint ink).
    """
    return b.why in ("faint_trace", "lone_trace")


def crop_paper(crop: np.ndarray) -> tuple[float, float]:
    """(paper level, noise relative to it) of a text area's crop, taken as `measure` takes a box's ring's:
    the 85th percentile of the grey levels, and the spread (MAD) of those within 15 % of it."""
    g = ink_grey(crop) if crop.ndim == 3 else crop
    return paper_level(np.bincount(g.ravel(), minlength=256))


WHITE_PAPER = 254.0  # the paper around the boxes at least this light ...
WHITE_NOISE = 0.002  # ... and no noisier than this (medians over the page's boxes): the scanner whitened it


def paper_whitened(fields: dict[str, FieldDecision], texts: Mapping[str, TextArea] | None = None) -> bool:
    """True when the scanner took the paper to pure white (a driver's background removal).

    Paper comes through a grey scan at 235-252 with noise; clipped to 255 with none, it says that
    everything lighter than some level went white with it - as a 1-bit threshold drops a faint pen, so
    may this. A stress run of such scans lost faint-pencil answers whole: the optional rows read empty,
    accepted, with eight required rows on the same page left for a person. Such a page is judged as a
    1-bit one by the writer's rules (`doubt_mostly_blank_page`, and no empty box vouches for itself).
    The paper is measured around the boxes; a page without boxes (a form's back page of comments and
    signatures) is measured in its text areas' crops (`texts`) the same way: taken for a grey page, the
    faint-pencil comments on one, cut by the whitening (to a person as faint writing), did not make its
    signature, whitened away whole, doubtful - read absent, accepted (a stress run).
    """
    levels = [(b.measures["background"], b.measures["noise"]) for fd in fields.values() for b in fd.boxes
              if "background" in b.measures and "noise" in b.measures]
    if not levels:
        levels = [crop_paper(ta.crop) for ta in (texts or {}).values() if ta.crop is not None and ta.crop.size]
    if not levels:
        return False
    bg, noise = np.median(np.asarray(levels, dtype=np.float64), axis=0)
    return bool(bg >= WHITE_PAPER and noise <= WHITE_NOISE)


MOSTLY_BLANK_MIN = 3  # this many required rows read without any mark on one page ...
MOSTLY_BLANK_SHARE = 0.5  # ... and at least this share of the page's required rows: the ink may be lost
MOSTLY_BLANK_GREY_SHARE = 0.75  # ... on a grey page, this share (it shows a faint pen, unless it showed none at all)


def _blank(fd: FieldDecision) -> bool:
    """A row read with no mark at all: every box empty."""
    return all(b.state == "empty" for b in fd.boxes)


def doubt_mostly_blank_page(out: PageReading, required: dict[str, bool], one_bit: bool = True) -> None:
    """Everything read on a 1-bit page whose required rows are mostly blank goes to a person (on a grey page,
    what it read as empty).

    Called for bilevel scans (and whitened ones, `paper_whitened`), where the scanner drops a faint pen
    before we see it: a
    page where most required rows read blank was more likely written with such a pen than left
    half empty. What did come through is then not to be trusted either: a stress test read a
    cancelled box as the answer, the faint fill over it and the new tick having both vanished
    (while the first tick, pressed harder, stayed). Text areas read as empty go too; writing that
    was seen stands. On a grey scan the faint pen itself is seen (`doubt_absence_for_faint_writer`).
    The page then reports a writer too faint to measure (`faint_writer` = VANISHED_WRITER), so the
    empty text areas of the form's other pages are doubted as well (`doubt_for_writer`).

    A grey page (`one_bit` False) shows a faint pen, and the writer's faintness is measured on the marks it
    shows (`doubt_absence_for_faint_writer`; a page that shows its pen had its rows skipped) - unless it shows
    none: a glare photo of a faint-pencil writer read every required row blank, no writer was measured, and the
    optional rows and the text areas of both pages were accepted empty, the pencil plain to see in them (a
    stress run, 5 fields). A grey page without its writer's pen and with MOSTLY_BLANK_GREY_SHARE of its
    required rows read blank sends its empty rows and text areas to a person and reports the writer vanished;
    what did come through stands.
    """
    if not one_bit and out.writer_seen and not _shown_barely(out):  # it shows its writer's pen: rows were skipped
        return
    req = [fd for fid, fd in out.fields.items() if required.get(fid)]
    blank = [fd for fd in req if fd.reason == "no_mark" and _blank(fd)]
    if len(blank) < max(MOSTLY_BLANK_MIN, (MOSTLY_BLANK_SHARE if one_bit else MOSTLY_BLANK_GREY_SHARE) * len(req)):
        return
    for fd in out.fields.values():
        if fd.status == "accepted" and (one_bit or (not fd.value and _blank(fd))):
            fd.status, fd.reason, fd.confidence = "review", "mostly_blank_page", min(fd.confidence, 0.5)
    for ta in out.texts.values():
        if ta.status == "accepted" and ta.state == "absent":
            ta.status, ta.reason, ta.confidence = "review", "mostly_blank_page", min(ta.confidence, 0.5)
    out.faint_writer = out.faint_writer or VANISHED_WRITER


def _shown_barely(out: PageReading) -> bool:
    """Whether all a grey page shows of its writer's pen is fainter than FAINT_WRITER (a trace or two): the pen
    came through barely, and the required rows read blank may be that pen lost, not rows skipped.

    A rough scan of a faint-pencil page showed one faint trace (strength 0.11) of its fifteen marks: seven required
    rows read blank went to a person, but the page counted as showing its writer (one mark is too few to measure
    a faint one), and two optional rows with faint ticks plain to see were accepted empty (a hunt run).
    """
    inked, written = _pen_seen(out)
    seen = inked + written
    return bool(seen) and max(seen) < FAINT_WRITER


def page_pen(out: PageReading) -> float | None:
    """How dark the writer's pen is on a page: the median ink strength of its inked boxes (0-1; a trace too faint
    to measure counts as 0), or None with fewer than 2 of them - as `doubt_absence_for_faint_writer` sees it."""
    inked, _ = _pen_seen(out)
    return float(np.median(inked)) if len(inked) >= 2 else None


def _pen_seen(out: PageReading) -> tuple[list[float], list[float]]:
    """The writer's pen as a page shows it: the ink strength of its inked boxes (a faint trace too faint to
    measure counts as 0) and of its text areas holding writing."""
    inked = [_ink_strength(b) for fd in out.fields.values() for b in fd.boxes
             if b.state in ("marked", "uncertain") and (_ink_strength(b) > 0 or _is_faint_trace(b))]
    written = [ta.strength for ta in out.texts.values() if ta.state == "present" and ta.strength > 0]
    return inked, written


BROKEN_ROWS_MIN = 2  # rows of a 1-bit page left in doubt by broken strokes: the pen sits at the threshold
BROKEN_WHY = ("little_ink", "faint_ink", "faint_trace")  # a stroke the threshold cut into pieces
BROKEN_TEXT_MIN = 4  # on a grey page: rows in such doubt that empty rows and text areas are doubted (a 1-bit
# page's text areas: from BROKEN_ROWS_MIN rows, or one area of ...
BROKEN_TEXT_WHY = ("faint_writing", "uncertain_writing", "specks")  # ... writing cut to specks or to a few strokes)
BROKEN_LOOP_WHY = ("partial_ring",)  # on a 1-bit page also a loop that came through as a few arcs
BROKEN_AREAS_GREY = 2  # on a grey page, this many areas of writing in doubt (BROKEN_TEXT_WHY) doubt its empty areas


def doubt_breaking_pen(out: PageReading, one_bit: bool = True) -> None:
    """On a 1-bit page whose marks come through broken, a multiple-choice row may have lost some of them.

    A pen whose darkness sits at the scanner's threshold leaves some marks whole, some in pieces
    (a box with a little ink, a faint trace: sent to review) and some not at all. On a grey scan
    the pen's faintness is measured (`doubt_absence_for_faint_writer`); on a 1-bit scan every pixel
    that survives is black, so the broken marks are the sign instead. With >= BROKEN_ROWS_MIN rows
    doubted that way, a multiple-choice row read with some boxes marked and others empty is not
    vouched for: a stress run accepted one of two pencil answers, the other had vanished. Nor is an
    optional row read empty, as on a grey page of a faint writer: a pencil loop around a box came
    through as two arcs and a few specks, and the row read as no answer (an every-pen stress run).
    Writing in that pen may have gone the same way: text areas read as empty go to a person too (an
    office run accepted a pencil signature cut down to three pairs of dots as absent), and the page
    reports a vanished writer, so the form's other pages doubt theirs (`doubt_for_writer`). The page
    is in front of a person anyway. An area of writing cut to specks or a few strokes (BROKEN_TEXT_WHY)
    shows the pen breaking up as well as broken rows do: 1-bit scans at 150-200 dpi read pencil
    signatures as absent, cut to nothing, beside one such area (or two broken rows) on the page. On a
    1-bit page a loop that came through as a few arcs (`partial_ring`) is a broken row too, and an area
    of writing cut up counts as one towards the rows' doubt: a pencil loop round an optional row's box
    vanished beside one such loop and a signature cut to a few strokes (a 1-bit office mix). Beside such a sign,
    a required row read with no mark at all counts as well: the pen gone whole rather than in pieces (a 1-bit
    200-dpi stress run: pencil slashes in two boxes of a multiple-choice row, one left as a fragment and read as
    the only answer, the other gone, beside one broken row and two required rows read blank).
    A grey page (`one_bit` False) shows its faint pen itself (`doubt_absence_for_faint_writer`), unless
    something dark passes for the writer's ink - a shadow read as two filled boxes on a phone photo of
    a faint-pencil writer, whose circled label and written department then read as nothing (an
    every-pen stress run). There it takes BROKEN_TEXT_MIN rows of broken marks for all of the above
    (its areas of faint writing are the faint pen measured, not cut by a threshold). But BROKEN_AREAS_GREY such
    areas doubt its empty areas: on a glare photo the light washed a faint-pencil writer's comments down to
    faint writing, and the trainee's signature in the same pencil, washed out further, read absent (accepted;
    the writer's faintness, measured on the other page's marks, said its look would have seen it).
    """
    why = BROKEN_WHY + BROKEN_LOOP_WHY if one_bit else BROKEN_WHY
    broken = [fd for fd in out.fields.values() if fd.status == "review" and fd.reason == "uncertain_mark"
              and any(b.state == "uncertain" and b.why in why for b in fd.boxes)]
    cut_areas = sum(ta.status == "review" and ta.reason in BROKEN_TEXT_WHY for ta in out.texts.values())
    cut = one_bit and cut_areas > 0
    signs = len(broken) + cut
    if one_bit and signs:  # beside a broken stroke, a required row read blank is the same pen gone whole
        signs += sum(fd.reason == "no_mark" and _blank(fd) for fd in out.fields.values())
    if signs >= (BROKEN_ROWS_MIN if one_bit else BROKEN_TEXT_MIN):
        for fd in out.fields.values():
            states = {b.state for b in fd.boxes}
            empty_row = not fd.value and "marked" not in states
            if fd.status == "accepted" and (empty_row or (fd.kind == "multi" and {"marked", "empty"} <= states)):
                fd.status, fd.reason, fd.confidence = "review", "faint_writer", min(fd.confidence, 0.5)
    elif not cut and (one_bit or cut_areas < BROKEN_AREAS_GREY):
        return
    for ta in out.texts.values():
        if ta.status == "accepted" and ta.state == "absent":
            ta.status, ta.reason, ta.confidence = "review", "faint_writer", min(ta.confidence, 0.5)
    out.faint_writer = out.faint_writer or VANISHED_WRITER


def doubt_pale_marks(fields: dict[str, FieldDecision], required: dict[str, bool]) -> None:
    """A mark much fainter than the writer's other marks on the page goes to a person (`why: pale_mark`).

    An erased pencil mark keeps 10-30 % of its darkness; on a dark scan its residue can pass the absolute
    bar of a mark (FAINT_STRENGTH) and was accepted as an answer beside the one meant (an other-hands stress
    run, a darker-gamma scanner: strength 0.14 against the page's 0.62). Judged against the writer - the
    median strength of the page's clear marks, with >= PALE_MARK_WRITER_MIN of them - a mark below
    PALE_MARK_SHARE of it is in doubt. The ward's marks all reach >= 0.55 of their page's median (5 kept
    stacks, 2,635 marks).
    """
    clear = [b for fd in fields.values() for b in fd.boxes
             if b.state == "marked" and b.why in ("ink_in_box", "heavy_strokes")]
    if len(clear) < PALE_MARK_WRITER_MIN:
        return
    writer = float(np.median([float(b.measures.get("strength", 0.0)) for b in clear]))
    pale_ids = {id(b) for b in clear if float(b.measures.get("strength", 0.0)) < PALE_MARK_SHARE * writer}
    for fid, fd in fields.items():
        pale = [b for b in fd.boxes if id(b) in pale_ids]
        if not pale:
            continue
        for b in pale:
            b.state, b.confidence, b.why = "uncertain", 0.3, "pale_mark"
        nd = decide_field(fid, fd.kind, required.get(fid, False), fd.boxes)
        fd.value, fd.status, fd.reason, fd.confidence = nd.value, nd.status, nd.reason, nd.confidence


def promote_lone_traces(fields: dict[str, FieldDecision], required: dict[str, bool], whitened: bool = False) -> None:
    """A faint mark that is the only ink in its single-choice row, as dark as the writer's other marks.

    Faint pencil falls below the ink threshold and went to review as `little_ink` / `faint_ink` /
    `faint_trace` / `faint_ring`. Judged against its field and page instead of an absolute grey level,
    it is a mark when all of these hold:
    * it carries a stroke's worth of trace (>= LONE_TRACE_MIN of the interior above noise: a speck,
      dust or a pen rest stays below; or, for a trace with next to no ink at the ink threshold,
      >= 6 % per pixel where the averaged look joins the pieces into >= 10 %: a thin pencil stroke
      at 150-200 dpi), or a loop all around the box (`faint_ring`) drawn on paper, not on a tinted row
      (LONE_RING_ON_TONE: a printer's tint makes such rings of its own) - and never on a `whitened` page
      (`paper_whitened`): the driver took the tint down to white with the paper, its texture stays in specks,
      and a ring of them round an empty box no longer lies on a tone (hunt s1596: a dark toner's tint on a
      whitened scan, a ring 0.05 dark as the faint-pencil writer's traces, accepted as the answer);
    * every other box of the row is clean (state empty): one candidate, no competing ink; in a
      multiple-choice row every other box is clean or clearly marked, and every faint one qualifies;
    * it is not much fainter than the writer: where the page holds >= 2 clear pen marks (ticks and
      crosses, loops), their median ink strength sets the writer's scale and the trace must reach
      LONE_TRACE_WRITER of it. An erased pencil mark keeps 10-30 % of its darkness and fails this; a
      faint-pencil writer's page has few clear marks, all of them about as faint. Without clear marks
      the page's faint traces set the scale, and there must be >= 2 of them: a single trace on a page
      (a smudge, a crease) is never promoted.
    Confidence stays low (0.6) so the record shows the mark was weak.
    """
    strengths = [float(b.measures.get("ring_strength" if b.why == "circled" else "strength", 0.0))
                 for fd in fields.values() for b in fd.boxes
                 if b.state == "marked" and b.why in ("ink_in_box", "circled")]
    writer = float(np.median(strengths)) if len(strengths) >= 2 else 0.0
    if not writer:
        # no clear marks to take the writer's scale from: a faint-pencil writer leaves several faint
        # traces, and those set the scale; one trace alone on the page (a smudge, a crease) stands for nothing
        faint = [v for fd in fields.values() for b in fd.boxes if b.state == "uncertain"
                 for v in [_trace_strength(b)] if v is not None]
        if len(faint) < 2:
            return
        writer = float(np.median(faint))
    for fid, fd in fields.items():
        if fd.status != "review" or fd.reason != "uncertain_mark":
            continue
        unsure = [b for b in fd.boxes if b.state == "uncertain"]
        others = {b.state for b in fd.boxes if b.state != "uncertain"}
        if not ((fd.kind == "single" and len(unsure) == 1 and others <= {"empty"})
                or (fd.kind == "multi" and unsure and others <= {"empty", "marked"})):
            continue
        ink = [_trace_strength(b, whitened) for b in unsure]
        if any(v is None or v < LONE_TRACE_WRITER * writer for v in ink):
            continue
        for b in unsure:
            b.state, b.confidence, b.why = "marked", 0.6, "lone_trace"
        nd = decide_field(fid, fd.kind, required.get(fid, False), fd.boxes)
        fd.value, fd.status, fd.reason, fd.confidence = nd.value, nd.status, nd.reason, min(nd.confidence, 0.6)


def _on_tint(b: BoxDecision) -> bool:
    """The strokes of the ring counted round the box lie on a printed tone (a tinted row), not on paper."""
    return float(b.measures.get("ring_tone", -1.0)) >= LONE_RING_ON_TONE


def quiet_tint_rings(fields: dict[str, FieldDecision], required: dict[str, bool]) -> None:
    """A faint ring on a tinted row beside the row's one clear mark is the tint's texture, not a second answer.

    A printer's tint (an inkjet's droplets, a dark toner's dot screen) joins into faint and partial rings round
    empty boxes; beside a clear tick in the same row each sent the row to a person (dark-toner office scans:
    ~30 of 87 reviewed fields). In a single-choice row with exactly one clear pen mark, rings whose strokes lie
    on the tint (LONE_RING_ON_TONE) and are fainter than PALE_MARK_SHARE of that mark's ink (an erased loop
    keeps 10-30 % of its darkness too) are read as empty, and the row's answer stands with a capped confidence.
    Any other doubt in the row - a trace in a box, a ring on paper, a ring as dark as a pen - keeps it with a person.
    """
    for fid, fd in fields.items():
        if fd.kind != "single" or fd.status != "review" or fd.reason != "uncertain_mark":
            continue
        clear = [b for b in fd.boxes if b.state == "marked" and b.why in ("ink_in_box", "heavy_strokes")]
        rings = [b for b in fd.boxes if b.state == "uncertain"]
        if len(clear) != 1 or not rings:
            continue
        bar = PALE_MARK_SHARE * float(clear[0].measures.get("strength", 0.0))
        if not all(b.why in ("faint_ring", *MAYBE_RING_WHY) and _on_tint(b)
                   and 0.0 < float(b.measures.get("ring_strength", 0.0)) < bar for b in rings):
            continue
        for b in rings:
            b.state, b.confidence, b.why = "empty", 0.6, "tint_ring"
        nd = decide_field(fid, fd.kind, required.get(fid, False), fd.boxes)
        fd.value, fd.status, fd.reason, fd.confidence = nd.value, nd.status, nd.reason, min(nd.confidence, 0.7)


def _trace_strength(b: BoxDecision, whitened: bool = False) -> float | None:
    """Ink strength of a faint mark that may stand as a lone trace, or None if it is not one (`whitened`: the
    page's paper was whitened, and with it any tint - `promote_lone_traces`)."""
    m = b.measures
    if b.why == "faint_ring":
        if whitened or _on_tint(b):
            return None  # on a tinted row: a printer's tint has a texture of its own that makes such faint rings
        return float(m.get("ring_strength", 0.0))
    if b.why not in BROKEN_WHY:
        return None
    f, fs = float(m.get("faint", 0.0)), float(m.get("faint_smooth", 0.0))
    thin_faint = float(m.get("coverage", 0.0)) < EMPTY_MAX  # next to nothing at the ink threshold: faint
    if f < LONE_TRACE_MIN and not (thin_faint and f >= LONE_TRACE_SMOOTH[0] and fs >= LONE_TRACE_SMOOTH[1]):
        return None  # (a small dark dot is not joined up by averaging: it may be a pen rest, a person decides)
    if float(m.get("coverage", 0.0)) >= LONE_TRACE_MAX_INK or fs >= FAINT_FILL_SMOOTH:
        return None  # a faint tone over the box, not a stroke: a cancelling fill in a faint pen (a highlighter)
    if int(m.get("ring_sectors", -1)) >= 4:
        return None  # something around the box too: not a lone trace
    if m.get("trace_runs_out"):
        return None  # a crease or a ruled line running through the box, not a pen stroke
    return _ink_strength(b)
