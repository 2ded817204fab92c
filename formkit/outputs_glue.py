"""Point the `outputs` library at the fonts formkit ships, so reports need no system fonts."""

from __future__ import annotations

import outputs.fonts
from formkit.fonts import FONT_DIR


def use_bundled_fonts() -> None:
    outputs.fonts.DEFAULT_FONT_DIR = FONT_DIR
