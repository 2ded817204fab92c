"""End to end in real headless Chromium (Debian chromium driven by Playwright, no browser download).

One story, as the office clerk lives it: log in with the printed link, work the review queue with
the keyboard (assign the page whose QR code was torn off, settle a conflict, decide fields, skip
one), then correct a value on a record and find the correction in the history and in the export.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from formkit.review import pending

from .browser import chromium, chromium_available, live_server

pytestmark = pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed")


def _field_values(ws, form_id: str, field_id: str):  # type: ignore[no-untyped-def]
    return ws.store.db.execute("SELECT * FROM field_values WHERE form_id=? AND field_id=?",
                               (form_id, field_id)).fetchone()


def test_clerk_works_the_queue_with_the_keyboard_and_corrects_a_record(office) -> None:  # type: ignore[no-untyped-def]
    ws = office.ws
    before = pending(ws)
    assert [p["state"] for p in before["pages"]] == ["unidentified", "conflict"]
    assert len(before["fields"]) >= 5
    with live_server(ws.root) as live, chromium() as page:
        # without a session: sent to the login page
        page.goto(live.base + "/review")
        assert page.url.endswith("/login")
        # the printed link logs in once; the name is asked for and kept
        page.goto(live.login_url)
        page.fill("input[name=name]", "Kari Kontor")
        with page.expect_navigation():
            page.keyboard.press("Enter")

        # 1. the unidentified page: type the form id printed on it, Enter
        page.wait_for_selector("[data-review=unidentified]")
        assert page.locator(".pageimg img").evaluate("img => img.complete && img.naturalWidth > 500")
        page.keyboard.type(office.torn.lower())  # autofocus; lower case is fine
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert f"is now {office.torn} page 1" in page.locator(".flash.ok").inner_text()

        # 2. the conflict: both scans side by side, key 2 keeps the later scan
        page.wait_for_selector("[data-review=conflict]")
        assert page.locator(".diffline img").count() >= 4
        with page.expect_navigation():
            page.keyboard.press("2")
        assert "kept the later scan" in page.locator(".flash.ok").inner_text()

        # 3. fields, least confident first: pick with a key, Enter confirms
        decided: dict[tuple[str, str], object] = {}
        for _ in range(3):
            page.wait_for_selector("[data-review=field]")
            form_id, field_id = _current_field(page)
            page_label = page.locator(".item-head h1").inner_text()
            assert page.locator("figure.crop img").evaluate("img => img.complete && img.naturalWidth > 100")
            first = page.locator("#decide-form input[data-key]").first
            key, value, kind = first.get_attribute("data-key"), first.get_attribute("value"), first.get_attribute("type")
            page.keyboard.press(key)
            if kind == "checkbox" and not first.is_checked():
                page.keyboard.press(key)  # it was already ticked as a candidate: tick it again
            with page.expect_navigation():
                page.keyboard.press("Enter")
            label = page_label
            assert page.locator(".flash.ok").inner_text().startswith(f"{form_id} · {label}:")
            decided[(form_id, field_id)] = [value] if kind == "checkbox" else value

        # 4. skip one (s), then mark the next "no answer" (0)
        skipped = _current_field(page)
        with page.expect_navigation():
            page.keyboard.press("s")
        assert _current_field(page) != skipped
        assert page.locator(".progress").inner_text().startswith(str(len(pending(ws)["fields"])))
        none_item = _current_field(page)
        with page.expect_navigation():
            page.keyboard.press("0")
        decided[none_item] = "none"

        # 5. the whole page is there on demand (p)
        page.wait_for_selector("[data-review=field]")
        page.keyboard.press("p")
        assert page.locator("#whole-page").evaluate("d => d.open")

        # every decision is stored as verified by the clerk, with an audit row
        for (form_id, field_id), value in decided.items():
            row = _field_values(ws, form_id, field_id)
            assert row["status"] == "verified" and row["decided_by"] == "Kari Kontor"
            stored = json.loads(row["value_json"])
            if value == "none":
                assert stored in (None, [])
            elif isinstance(value, list):
                assert value[0] in stored
            else:
                assert stored == value
        assert _field_values(ws, *skipped)["status"] == "review"  # skipping changes nothing
        torn = ws.store.db.execute("SELECT state, form_id, assigned_by FROM pages WHERE page_id=4").fetchone()
        assert tuple(torn) in {("recognised", office.torn, "Kari Kontor"), ("needs_review", office.torn, "Kari Kontor")}

        # 6. the forms list, searched by trainee (accents optional)
        page.goto(live.base + "/forms")
        page.keyboard.press("/")
        page.keyboard.type("aile")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        rows = page.locator("table.list tbody tr")
        assert rows.count() == 2 and "Áile Ŋuvttis Čđŧ" in rows.first.inner_text()

        # 7. the record: correct a value, with a reason
        form_id = office.scanned[1]
        page.goto(f"{live.base}/forms/{form_id}")
        old = json.loads(_field_values(ws, form_id, "overall")["value_json"] or "null")
        new = "2" if old != "2" else "3"
        row = page.locator("#f-overall")
        row.locator("summary").click()
        row.locator(f"input[name=value][value='{new}']").check()
        row.locator("input[name=reason]").fill("Assessor confirmed by phone")
        with page.expect_navigation():
            row.locator("button[type=submit]").click()
        assert page.locator(".flash.ok").inner_text().endswith(f"set to {new}.")
        history = page.locator("#history tbody tr").last.inner_text()
        for text in ("Kari Kontor", "corrected" if old is not None else "decided", "overall", new,
                     "Assessor confirmed by phone"):
            assert text in history, (text, history)
        assert "✓ Kari Kontor" in page.locator("#f-overall").inner_text()

        # 8. the export (downloaded through the page's session) carries the corrected, verified value
        with page.expect_download() as dl:
            page.goto(f"{live.base}/outputs")
            page.check("input[name=format][value=json]")
            page.locator("form[action$='/outputs/export'] button[type=submit]").click()
        records = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
        rec = next(r for r in records if r["form_id"] == form_id)
        assert rec["values"]["overall"] == new
        assert rec["verified"]["overall"]["by"] == "Kari Kontor"
        assert "overall" not in rec["review"]


def _current_field(page) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    action = page.get_attribute("#decide-form", "action")
    _, _, form_id, field_id = action.rsplit("/", 3)
    return form_id, field_id


def test_a_refused_page_is_taken_off_the_list_with_one_key(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A page refused when scanned: its page opens with "scanned again" ready, and Enter takes it off the list."""
    from formkit.ingest import scan

    bad = tmp_path / "cut-off.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pa")
    scan(office.ws, [bad], jobs=1)
    (pg,) = pending(office.ws)["refused"]
    with live_server(office.ws.root) as live, chromium() as page:
        page.goto(live.login_url)
        page.fill("input[name=name]", "Kari Kontor")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.goto(f"{live.base}/pages/{pg['page_id']}")
        assert page.locator("h2", has_text="This page needs scanning again").count() == 1
        assert page.evaluate("document.activeElement.name") == "reason"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator(".flash.ok").inner_text().startswith(f"Page {pg['page_id']} set aside")
    assert pending(office.ws)["refused"] == []
