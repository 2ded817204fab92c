"""The pages without a browser (plain HTML forms, no JavaScript) through the real Flask test client."""

from __future__ import annotations

import io
import json
import zipfile

from formkit.review import pending


def _row(ws, form_id: str, field_id: str):  # type: ignore[no-untyped-def]
    return ws.store.db.execute("SELECT * FROM field_values WHERE form_id=? AND field_id=?",
                               (form_id, field_id)).fetchone()


def _first_single(ws):  # type: ignore[no-untyped-def]
    return next(f for f in pending(ws)["fields"] if f["kind"] == "single")


def test_queue_shows_pages_first_then_fields_least_confident_first(client, office) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/review")
    assert 'data-review="unidentified"' in r.text and "Which form is this?" in r.text
    assert client.post("/review/skip", data={"item": "page:4", "csrf_token": client.csrf}).status_code == 302
    assert 'data-review="conflict"' in client.get("/review").text
    client.post("/review/skip", data={"item": "page:5", "csrf_token": client.csrf})
    r = client.get("/review")
    first = pending(office.ws)["fields"][0]
    assert f'/review/field/{first["form_id"]}/{first["field_id"]}' in r.text
    assert "<kbd>Enter</kbd>" in r.text


def test_deciding_without_javascript(client, office) -> None:  # type: ignore[no-untyped-def]
    ws = office.ws
    item = _first_single(ws)
    url = f"/review/field/{item['form_id']}/{item['field_id']}"
    page = client.get(url)
    assert page.status_code == 200 and 'type="radio"' in page.text
    # Confirm with nothing picked is refused for a single-choice field
    r = client.post(url, data={"action": "decide", "csrf_token": client.csrf}, follow_redirects=True)
    assert "Pick a value first" in r.text and _row(ws, item["form_id"], item["field_id"])["status"] == "review"
    value = item["options"][-1]
    client.post(url, data={"action": "decide", "value": value, "csrf_token": client.csrf})
    row = _row(ws, item["form_id"], item["field_id"])
    assert (row["status"], json.loads(row["value_json"]), row["decided_by"]) == ("verified", value, "Test Clerk")
    # a second decision on the same (stale) item changes nothing
    other = item["options"][0]
    r = client.post(url, data={"action": "decide", "value": other, "csrf_token": client.csrf}, follow_redirects=True)
    assert "already decided by Test Clerk" in r.text
    assert json.loads(_row(ws, item["form_id"], item["field_id"])["value_json"]) == value
    # audited: who, when, old, new, reason
    a = ws.store.db.execute("SELECT * FROM audit WHERE form_id=? AND field_id=?",
                            (item["form_id"], item["field_id"])).fetchall()
    assert len(a) == 1 and a[0]["actor"] == "Test Clerk" and a[0]["at"] and json.loads(a[0]["new_json"]) == value
    assert a[0]["reason"] == item["reason"]


def test_no_answer_and_unknown_values(client, office) -> None:  # type: ignore[no-untyped-def]
    ws = office.ws
    item = _first_single(ws)
    url = f"/review/field/{item['form_id']}/{item['field_id']}"
    r = client.post(url, data={"action": "decide", "value": "../../etc", "csrf_token": client.csrf})
    assert r.status_code == 400 and _row(ws, item["form_id"], item["field_id"])["status"] == "review"
    client.post(url, data={"action": "none", "csrf_token": client.csrf})
    row = _row(ws, item["form_id"], item["field_id"])
    assert row["status"] == "verified" and json.loads(row["value_json"]) is None


def test_human_decisions_survive_a_rescan(client, office) -> None:  # type: ignore[no-untyped-def]
    """The conflict page is a second scan of form 1; keeping it must not overwrite what a person decided."""
    ws = office.ws
    fid = office.scanned[0]
    client.post(f"/forms/{fid}/fields/overall", data={"value": "not_observed", "reason": "asked the assessor",
                                                      "csrf_token": client.csrf})
    r = client.post("/pages/5/resolve", data={"keep": "new", "csrf_token": client.csrf}, follow_redirects=True)
    assert "kept the later scan" in r.text
    row = _row(ws, fid, "overall")
    assert json.loads(row["value_json"]) == "not_observed" and row["status"] == "verified"
    assert ws.store.db.execute("SELECT state FROM pages WHERE page_id=1").fetchone()[0] == "duplicate"


def test_assign_page_errors_are_shown_not_raised(client, office) -> None:  # type: ignore[no-untyped-def]
    for form_id, msg in (("nonsense", "Type the form id"), ("ZZZZ-ZZZZ", "no form ZZZZ-ZZZZ"),
                         (office.scanned[1], "already read")):
        r = client.post("/pages/4/assign", data={"form_id": form_id, "page_no": "1", "csrf_token": client.csrf},
                        follow_redirects=True)
        assert r.status_code == 200 and msg in r.text, form_id
    assert office.ws.store.db.execute("SELECT state FROM pages WHERE page_id=4").fetchone()[0] == "unidentified"


def test_an_unidentified_page_can_be_set_aside_with_its_form(client, office) -> None:  # type: ignore[no-untyped-def]
    """Nothing on it to read (a note on a back, a stranger): off the queue, image kept, listed with its form."""
    db = office.ws.store.db
    assert "Set aside" in client.get("/pages/4").text
    r = client.post("/pages/4/set-aside", data={"reason": " ", "csrf_token": client.csrf}, follow_redirects=True)
    assert "say what the page is" in r.text and db.execute("SELECT state FROM pages WHERE page_id=4").fetchone()[0] \
        == "unidentified"
    fid = office.scanned[1]
    r = client.post("/pages/4/set-aside", data={"reason": "note on the back", "form_id": fid, "csrf_token": client.csrf},
                    follow_redirects=True)
    assert f"set aside with {fid}" in r.text
    row = db.execute("SELECT state, reason, form_id, page_no, image_path FROM pages WHERE page_id=4").fetchone()
    assert row["state"] == "rejected" and row["reason"].startswith("set_aside: note on the back (by ")
    assert row["form_id"] == fid and row["page_no"] is None and row["image_path"]
    assert "Set aside by a person" in client.get("/pages/4").text
    assert "Kept with the form (not read) · scan 4" in client.get(f"/forms/{fid}").text
    assert db.execute("SELECT action FROM audit WHERE page_id=4").fetchone()[0] == "set_aside_page"


def test_record_edit_needs_a_reason_and_shows_the_history(client, office) -> None:  # type: ignore[no-untyped-def]
    ws = office.ws
    fid = office.scanned[2]
    r = client.post(f"/forms/{fid}/fields/setting", data={"value": "ward", "reason": " ", "csrf_token": client.csrf},
                    follow_redirects=True)
    assert "Say why" in r.text and ws.store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 0
    client.post(f"/forms/{fid}/fields/setting", data={"value": "ward", "reason": "Rettet etter samtale med veileder",
                                                     "csrf_token": client.csrf})
    client.post(f"/forms/{fid}/fields/focus", data={"value": ["history", "management"], "reason": "second look",
                                                   "csrf_token": client.csrf})
    page = client.get(f"/forms/{fid}").text
    assert "Rettet etter samtale med veileder" in page and "Test Clerk" in page
    assert json.loads(_row(ws, fid, "focus")["value_json"]) == ["history", "management"]
    hist = page[page.index('id="history"'):]
    assert hist.count("<tr>") == 3  # header + two corrections


def test_forms_list_filters_and_search(client, office) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/forms?status=outstanding")
    assert office.outstanding in r.text and office.scanned[0] not in r.text
    r = client.get("/forms?q=s%C3%B8rensen")  # "sørensen"
    assert office.outstanding in r.text and office.scanned[0] not in r.text
    r = client.get("/forms?q=ola+sorensen")
    assert office.outstanding in r.text
    r = client.get("/forms?status=needs_review")
    assert all(f in r.text for f in office.scanned)


def test_images_and_crops_by_id(client, office) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/pages/1/image")
    assert r.status_code == 200 and r.mimetype == "image/jpeg" and r.data[:2] == b"\xff\xd8"
    fid = office.scanned[1]
    for field in ("overall", "went_well", "focus"):
        r = client.get(f"/crops/{fid}/{field}")
        assert r.status_code == 200 and r.data[:4] == b"\x89PNG", field
    assert client.get("/pages/2/crop/setting").status_code == 200
    assert client.get("/pages/999/image").status_code == 404
    assert client.get(f"/crops/{fid}/no_such_field").status_code == 404
    assert client.get(f"/crops/{office.outstanding}/overall").status_code == 404


def test_reports_and_exports_download(client, office) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/outputs")
    assert "Áile Ŋuvttis Čđŧ" in r.text
    r = client.get("/outputs/export?format=csv")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert any(n.endswith("codebook.csv") for n in names) and len(names) == 2
    r = client.get("/outputs/export?format=xlsx")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    r = client.get("/outputs/export?format=fhir&trainee=S001")
    assert r.status_code == 200 and json.loads(r.data)["resourceType"] == "Bundle"
    r = client.get("/outputs/export?format=json&trainee=S003")  # nothing scanned for S003
    assert r.status_code == 302
    for url in ("/outputs/report/trainee?trainee=S001", "/outputs/report/cohort",
                f"/forms/{office.scanned[0]}/summary.pdf"):
        r = client.get(url)
        assert r.status_code == 200 and r.data[:5] == b"%PDF-", url
        assert "attachment" in r.headers["Content-Disposition"]
    assert client.get("/outputs/report/trainee?trainee=NOPE").status_code == 404
    assert client.get("/outputs/export?format=exe").status_code == 400


def test_text_and_multi_fields_in_the_queue(client, office) -> None:  # type: ignore[no-untyped-def]
    ws = office.ws
    fid = office.scanned[1]
    ws.store.db.execute("UPDATE field_values SET status='review', reason='faint_ink', confidence=0 "
                        "WHERE form_id=? AND field_id IN ('went_well', 'focus')", (fid,))
    r = client.get(f"/review/field/{fid}/went_well")
    assert "Is there writing?" in r.text and 'value="present" data-key="1"' in r.text
    assert f"/crops/{fid}/went_well" in r.text
    client.post(f"/review/field/{fid}/went_well", data={"action": "decide", "value": "present",
                                                        "csrf_token": client.csrf})
    assert json.loads(_row(ws, fid, "went_well")["value_json"]) == "present"
    r = client.get(f"/review/field/{fid}/focus")
    assert 'type="checkbox"' in r.text
    # confirming a multi-choice field with nothing ticked means "none of them"
    client.post(f"/review/field/{fid}/focus", data={"action": "decide", "csrf_token": client.csrf})
    assert json.loads(_row(ws, fid, "focus")["value_json"]) == []


def test_a_page_that_could_not_be_aligned_shows_the_whole_page(client, office) -> None:  # type: ignore[no-untyped-def]
    ws = office.ws
    item = pending(ws)["fields"][0]
    ws.store.db.execute("UPDATE pages SET reading_json='{\"rectified\": false}' WHERE page_id=?", (item["page_id"],))
    r = client.get(f"/review/field/{item['form_id']}/{item['field_id']}")
    assert "could not be aligned" in r.text and '<details class="whole-page" id="whole-page" open>' in r.text
    assert client.get(f"/crops/{item['form_id']}/{item['field_id']}").status_code in (200, 404)


def test_a_page_refused_when_scanned_waits_in_the_queue_until_a_person_takes_it_off(client, office, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A page refused at scan time (here a PDF cut off in transfer) wants scanning again. It was only counted on
    the command line and never shown in the web queue: the clerk working from the queue did not learn of it."""
    from formkit.ingest import scan
    from formkit.web.queue import items

    bad = tmp_path / "cut-off.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pa")
    scan(office.ws, [bad], jobs=1)
    (pg,) = pending(office.ws)["refused"]
    assert pg["source_file"] == "cut-off.pdf" and pg["state"] == "rejected"
    assert [it.key for it in items(office.ws, [])][-1] == f"page:{pg['page_id']}"  # after every decision
    db = office.ws.store.db
    waiting = (db.execute("SELECT COUNT(*) FROM field_values WHERE status='review'").fetchone()[0]
               + len(pending(office.ws)["pages"]) + 1)
    page = client.get(f"/pages/{pg['page_id']}").text
    assert "This page needs scanning again" in page and 'id="assign-form"' not in page
    assert f'Review <span class="count">{waiting}</span>' in page  # the navigation's count
    r = client.post(f"/pages/{pg['page_id']}/set-aside",
                    data={"reason": "scanned again", "next": "queue", "csrf_token": client.csrf})
    assert r.status_code == 302 and r.headers["Location"].endswith("/review")
    assert pending(office.ws)["refused"] == []
    row = db.execute("SELECT state, reason FROM pages WHERE page_id=?", (pg["page_id"],)).fetchone()
    assert row["state"] == "rejected" and row["reason"] == "set_aside: scanned again (by Test Clerk)"
    audit = db.execute("SELECT action, reason FROM audit WHERE page_id=?", (pg["page_id"],)).fetchone()
    assert audit["action"] == "set_aside_page" and audit["reason"] == pg["reason"]  # the scan's reason is kept
    assert "This page needs scanning again" not in client.get(f"/pages/{pg['page_id']}").text
