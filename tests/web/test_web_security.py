"""Security of `formkit serve`, with the real Flask app and test client on a scanned synthetic office."""

from __future__ import annotations

import base64
import re

import pytest

from formkit.web import create_app

from .conftest import TOKEN, csrf_of

SAMPLE_ARGS = {"form_id": "AAAA-AAAA", "field_id": "overall", "page_id": 1}


def _routes(app):  # type: ignore[no-untyped-def]
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:\w+:)?{name}>", str(SAMPLE_ARGS[name]), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_refuses_without_a_session(app) -> None:
    c = app.test_client()
    checked = 0
    for endpoint, method, url in _routes(app):
        if endpoint in ("auth.login", "auth.login_password"):
            continue
        r = c.open(url, method=method)
        checked += 1
        if r.status_code == 302:
            assert r.headers["Location"].endswith("/login"), (method, url, r.headers["Location"])
        else:
            assert r.status_code in (401, 403), (method, url, r.status_code)
    assert checked >= 15


def test_login_token_works_once_and_wrong_tokens_never(app) -> None:
    c = app.test_client()
    assert c.get("/login?token=wrong").status_code == 403
    assert c.get("/login?token=").status_code == 403
    r = c.get(f"/login?token={TOKEN}")
    assert r.status_code == 302 and r.headers["Location"].endswith("/name")
    other = app.test_client()
    assert other.get(f"/login?token={TOKEN}").status_code == 403  # spent
    assert other.get("/forms").status_code == 302


def test_session_cookie_flags_and_logout_ends_the_session(app) -> None:
    c = app.test_client()
    r = c.get(f"/login?token={TOKEN}")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = c.get("/name")
    c.post("/name", data={"name": "A", "csrf_token": csrf_of(page.text)})
    assert c.get("/forms").status_code == 200
    stolen = c.get_cookie("formkit_session").value
    csrf = csrf_of(c.get("/forms").text)
    assert c.post("/logout", data={"csrf_token": csrf}).status_code == 200
    thief = app.test_client()
    thief.set_cookie("formkit_session", stolen)
    assert thief.get("/forms").status_code == 302  # the server-side session is gone


def test_posts_without_or_with_a_wrong_csrf_token_are_refused(client, office) -> None:  # type: ignore[no-untyped-def]
    fid = office.scanned[0]
    posts = [
        (f"/review/field/{fid}/overall", {"action": "decide", "value": "5"}),
        ("/review/skip", {"item": f"field:{fid}:overall"}),
        (f"/forms/{fid}/fields/overall", {"value": "5", "reason": "x"}),
        ("/pages/4/assign", {"form_id": office.torn, "page_no": "1"}),
        ("/pages/5/resolve", {"keep": "new"}),
        ("/name", {"name": "Mallory"}),
        ("/logout", {}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, url
        assert client.post(url, data={**data, "csrf_token": "forged"}).status_code == 403, url
    # nothing changed
    hist = office.ws.store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    assert hist == 0
    # the right token in a header (fetch) or form field is accepted
    r = client.post("/review/skip", data={"item": f"field:{fid}:overall"}, headers={"X-CSRF-Token": client.csrf})
    assert r.status_code == 302


def test_cross_origin_posts_are_refused_even_with_a_token(client, office) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/review/skip", data={"item": "page:4", "csrf_token": client.csrf},
                    headers={"Origin": "http://evil.example"})
    assert r.status_code == 403


@pytest.mark.parametrize("url", [
    "/pages/..%2f..%2fsecret.key/image",
    "/crops/../secret.key",
    "/crops/AAAA-AAAA/..%2f..%2fsecret.key",
    "/crops/..%2F..%2F/secret.key",
    "/forms/..%2fsecret.key",
    "/forms/../../secret.key",
    "/pages/1/crop/..%2f..%2fsecret.key",
    "/static/../secret.key",
    "/static/..%2f..%2fsecret.key",
    "/outputs/report/trainee?trainee=../../secret.key",
    "/outputs/export?format=json&trainee=..%2f..%2fsecret.key",
    "/forms?q=../../secret.key",
    "/review/field/AAAA-AAAA/..%5c..%5csecret.key",
])
def test_dot_dot_in_any_path_parameter_is_refused(client, office, url: str) -> None:  # type: ignore[no-untyped-def]
    secret = office.ws.secret
    r = client.get(url)
    assert r.status_code == 400, (url, r.status_code)
    assert secret not in r.data and secret.hex().encode() not in r.data


def test_images_are_served_only_from_inside_the_workspace(client, office) -> None:  # type: ignore[no-untyped-def]
    """Even a tampered database row cannot make the server read a file outside pages/ and crops/."""
    db = office.ws.store.db
    assert client.get("/pages/1/image").status_code == 200
    db.execute("UPDATE pages SET image_path='../secret.key' WHERE page_id=1")
    assert client.get("/pages/1/image").status_code == 404
    db.execute("UPDATE pages SET image_path='secret.key' WHERE page_id=1")
    assert client.get("/pages/1/image").status_code == 404
    db.execute("UPDATE pages SET image_path='/etc/passwd' WHERE page_id=1")
    assert client.get("/pages/1/image").status_code == 404
    row = db.execute("SELECT form_id, field_id FROM field_values WHERE crop_path IS NOT NULL LIMIT 1").fetchone()
    db.execute("UPDATE field_values SET crop_path='pages/../secret.key' WHERE form_id=? AND field_id=?", tuple(row))
    assert client.get(f"/crops/{row[0]}/{row[1]}").status_code == 404


def test_security_headers_on_pages_images_and_errors(client) -> None:  # type: ignore[no-untyped-def]
    for url in ("/forms", "/pages/1/image", "/pages/999999", "/login"):
        r = client.get(url)
        h = r.headers
        assert "default-src 'self'" in h["Content-Security-Policy"], url
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
        assert h["X-Frame-Options"] == "DENY"
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "no-referrer"
        assert h["Cache-Control"] == "no-store"


def test_requests_for_another_host_name_are_refused(client) -> None:  # type: ignore[no-untyped-def]
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not reach the app."""
    assert client.get("/forms", headers={"Host": "evil.example:8765"}).status_code == 400
    assert client.get("/forms", headers={"Host": "localhost:8765"}).status_code == 200


def test_large_bodies_are_refused(client) -> None:  # type: ignore[no-untyped-def]
    big = b"x" * (client.application.config["MAX_CONTENT_LENGTH"] + 1)
    r = client.post("/review/skip", data=big, headers={"X-CSRF-Token": client.csrf,
                                                        "Content-Type": "application/octet-stream"})
    assert r.status_code == 413


def test_the_workspace_secret_never_appears(client, office) -> None:  # type: ignore[no-untyped-def]
    secret = office.ws.secret
    forms = [secret, secret.hex().encode(), base64.b64encode(secret), base64.urlsafe_b64encode(secret)]
    fid = office.scanned[0]
    for url in ("/review", "/forms", f"/forms/{fid}", "/pages/1", "/pages/4", "/pages/5", "/outputs",
                "/outputs/export?format=json", "/outputs/export?format=fhir"):
        body = client.get(url).data
        assert not any(s in body for s in forms), url
    assert client.application.config["SECRET_KEY"] != secret


def test_password_login(office) -> None:  # type: ignore[no-untyped-def]
    app = create_app(office.ws, token=None, password="correct horse", testing=True)
    c = app.test_client()
    page = c.get("/login")
    assert 'type="password"' in page.text
    csrf = csrf_of(page.text)
    assert c.post("/login", data={"name": "Eva", "password": "wrong", "csrf_token": csrf}).status_code == 403
    assert c.post("/login", data={"name": "Eva", "password": "correct horse"}).status_code == 403  # no CSRF
    r = c.post("/login", data={"name": "Eva", "password": "correct horse", "csrf_token": csrf})
    assert r.status_code == 302 and r.headers["Location"].endswith("/review")
    assert "Eva" in c.get("/forms").text


def test_without_password_the_form_is_not_offered(app) -> None:  # type: ignore[no-untyped-def]
    c = app.test_client()
    page = c.get("/login")
    assert 'type="password"' not in page.text
    assert c.post("/login", data={"password": ""}).status_code == 403
