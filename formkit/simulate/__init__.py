"""The synthetic ward: turn generated form PDFs into filled-and-scanned stacks with known truth.

Used by the test suite, the `formkit demo` walkthrough and the read benchmark. Depends only on
numpy, OpenCV, Pillow, pypdfium2, img2pdf and pypdf -- never on `scanner/` or the store -- so it
cannot share the reader's blind spots by construction.

Modules: `render` (PDF -> pixels), `marks` (pen marks), `fill` (truth + drawing), `effects`
(scanner/camera profiles), `stacks` (containers, blank backs, foreign pages), `jbig2` (JBIG2 PDFs
via MMR), `ward` (`simulate_stack`, the one-call entry point).
"""

from .effects import PROFILES, Scan, apply_profile, print_texture
from .fill import Answers, Hand, Styles, fill_page, random_answers, random_hand
from .marks import MARK_KINDS, PENS, Pen, draw_handwriting, draw_mark
from .render import rasterise_pdf, rect_mm_to_px
from .stacks import CONTAINERS, blank_back, foreign_page, write_stack
from .ward import FormToFill, SimulatedStack, forms_from_pdf, simulate_stack

__all__ = [
    "CONTAINERS",
    "MARK_KINDS",
    "PENS",
    "PROFILES",
    "Answers",
    "FormToFill",
    "Hand",
    "Pen",
    "Scan",
    "SimulatedStack",
    "Styles",
    "apply_profile",
    "blank_back",
    "draw_handwriting",
    "draw_mark",
    "fill_page",
    "foreign_page",
    "print_texture",
    "forms_from_pdf",
    "random_answers",
    "random_hand",
    "rasterise_pdf",
    "rect_mm_to_px",
    "simulate_stack",
    "write_stack",
]
