"""Font registration for PDFs. DejaVu Sans covers æøå/åäö and the ≤ and – signs used on the forms.

`DEFAULT_FONT_DIR` is read at call time, so formkit can point it at the fonts it ships:
`outputs.fonts.DEFAULT_FONT_DIR = Path(formkit.__file__).parent / "fonts"`.
"""
from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from outputs.errors import FontNotFoundError

DEFAULT_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = "FkDejaVuSans"
BOLD = "FkDejaVuSans-Bold"
_registered: dict[str, Path] = {}


def register_fonts(font_dir: Path | str | None = None) -> tuple[str, str]:
    """Embed DejaVu Sans regular and bold from `font_dir` (default `DEFAULT_FONT_DIR`); return font names."""
    d = Path(font_dir) if font_dir is not None else DEFAULT_FONT_DIR
    for name, file in ((REGULAR, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf")):
        path = d / file
        if _registered.get(name) == path:
            continue
        if not path.is_file():
            raise FontNotFoundError(path)
        pdfmetrics.registerFont(TTFont(name, str(path)))
        _registered[name] = path
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    return REGULAR, BOLD
