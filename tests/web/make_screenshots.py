"""Regenerate docs/screenshots/*.png: every page of `formkit serve` on a synthetic office.

    /work/venv/bin/python -m tests.web.make_screenshots [OUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from .browser import chromium, live_server
from .office import make_office

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shoot(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        office = make_office(Path(tmp) / "office")
        with live_server(office.ws.root) as live, chromium(1280, 860) as page:
            def snap(name: str, full: bool = False) -> None:
                page.wait_for_load_state("networkidle")
                p = out / f"{name}.png"
                page.screenshot(path=str(p), full_page=full)
                _shrink(p)
                shots.append(p)

            page.goto(live.base + "/review")
            snap("01-login-required")
            page.goto(live.login_url)
            page.fill("input[name=name]", "Kari Kontor")
            snap("02-who-is-deciding")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            page.wait_for_selector("[data-review=unidentified]")
            snap("03-review-unidentified-page")
            page.fill("input[name=form_id]", office.torn)
            with page.expect_navigation():
                page.keyboard.press("Enter")
            page.wait_for_selector("[data-review=conflict]")
            page.set_viewport_size({"width": 1280, "height": 1300})
            snap("04-review-conflict")
            page.set_viewport_size({"width": 1280, "height": 860})
            with page.expect_navigation():
                page.keyboard.press("2")
            page.wait_for_selector("[data-review=field]")
            key = page.get_attribute("input[data-key]", "data-key")
            page.keyboard.press(key or "1")
            snap("05-review-field")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            page.wait_for_selector(".flash.ok")
            page.click("summary:has-text('Show the whole page')")
            page.set_viewport_size({"width": 1280, "height": 1500})
            snap("06-review-field-whole-page")
            page.set_viewport_size({"width": 1280, "height": 860})
            page.goto(live.base + "/forms")
            snap("07-forms")
            page.fill("#search", "aile")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            snap("08-forms-search")
            form_id = office.scanned[1]
            page.goto(f"{live.base}/forms/{form_id}")
            row = page.locator("#f-overall")
            row.locator("summary").click()
            row.locator("input[name=value]").first.check()
            row.locator("input[name=reason]").fill("Assessor confirmed by phone")
            with page.expect_navigation():
                row.locator("button[type=submit]").click()
            page.wait_for_selector(".flash.ok")
            page.set_viewport_size({"width": 1280, "height": 1500})
            page.evaluate("window.scrollTo(0, 0)")
            snap("09-record")
            page.set_viewport_size({"width": 1280, "height": 860})
            page.locator("#f-professionalism summary").click()
            page.locator("#f-professionalism").scroll_into_view_if_needed()
            snap("10-record-edit")
            page.goto(f"{live.base}/forms/{form_id}#history")
            snap("10b-record-history")
            page.goto(live.base + "/outputs")
            snap("11-reports-exports")
            page.goto(f"{live.base}/pages/{_refused_page(office, Path(tmp))}")
            snap("12-review-refused-page")
    return shots


def _refused_page(office, tmp: Path) -> int:  # type: ignore[no-untyped-def]
    """Two sheets on one A3 scan, scanned into the office: the page refused (`several_pages`) that waits in the
    queue until a person has scanned it again."""
    import numpy as np
    from PIL import Image

    from formkit.ingest import scan
    from formkit.review import refused
    from formkit.simulate.render import rasterise_pdf

    a, b = rasterise_pdf(office.ws.root.parent / "forms.pdf", 100, pages=[0, 1])
    Image.fromarray(np.hstack([a, np.full((a.shape[0], 30, *a.shape[2:]), 255, np.uint8), b])).save(
        tmp / "a3-scan.png", dpi=(100, 100))
    scan(office.ws, [tmp / "a3-scan.png"], jobs=1)
    return int(refused(office.ws)[-1]["page_id"])


def _shrink(path: Path) -> None:
    """Screenshots are flat UI colours: a 256-colour palette keeps them sharp at a third of the size."""
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


if __name__ == "__main__":
    for p in shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(p)
