"""The Flask app factory: configuration, per-request workspace, blueprints, error pages."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException

from formkit.errors import FormkitError, NotFound
from formkit.review import refused
from formkit.web import security
from formkit.workspace import Workspace

MAX_UPLOAD_BYTES = 64 * 1024 * 1024  # one scanned stack; forms themselves post a few hundred bytes


def create_app(ws: Workspace | Path | str, token: str | None = None, password: str | None = None,
               allowed_hosts: set[str] | None = None, testing: bool = False) -> Flask:
    """Build the app for one workspace.

    `token` is the one-time login token printed in the URL; `password` (FORMKIT_WEB_PASSWORD) allows
    later logins; `allowed_hosts` are the Host names the server answers (None: loopback names only;
    an empty set: any). The cookie key is random per process and never derived from the workspace secret.
    """
    root = (ws.root if isinstance(ws, Workspace) else Path(ws)).resolve()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),
        SESSION_COOKIE_NAME="formkit_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=False,  # plain http on localhost; a TLS proxy should set Secure itself
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        MAX_FORM_MEMORY_SIZE=256 * 1024,
        MAX_FORM_PARTS=2000,
        TEMPLATES_AUTO_RELOAD=False,
        FORMKIT_ROOT=root,
        TESTING=testing,
    )
    app.before_request(_open_workspace)  # first, so error pages can show counts
    security.install(app, token, password,
                     security.LOOPBACK_HOSTS if allowed_hosts is None else allowed_hosts)

    from formkit.web import views_auth, views_forms, views_outputs, views_pages, views_review
    for bp in (views_auth.bp, views_review.bp, views_forms.bp, views_pages.bp, views_outputs.bp):
        app.register_blueprint(bp)

    app.teardown_request(_close_workspace)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(FormkitError, _formkit_error)
    app.jinja_env.globals.update(nav_counts=_nav_counts)
    app.jinja_env.filters.update(show_value=_show_value, short_time=_short_time, plain_reason=_plain_reason)
    app.add_url_rule("/", "index", lambda: _redirect("review.queue"))
    return app


def _redirect(endpoint: str) -> Any:
    from flask import redirect, url_for

    return redirect(url_for(endpoint))


def _open_workspace() -> None:
    """A fresh Workspace (and SQLite connection) per request: the server is threaded."""
    from flask import current_app

    g.ws = Workspace(current_app.config["FORMKIT_ROOT"])


def _close_workspace(_exc: BaseException | None) -> None:
    ws = g.pop("ws", None)
    if ws is not None and "store" in ws.__dict__:
        ws.store.close()


def ws() -> Workspace:
    return g.ws


def _http_error(e: HTTPException) -> Any:
    if request.accept_mimetypes.best == "application/json":
        return {"error": e.name, "message": e.description}, e.code
    return render_template("error.html", code=e.code, title=e.name, message=e.description), e.code


def _formkit_error(e: FormkitError) -> Any:
    code = 404 if isinstance(e, NotFound) else 400
    return render_template("error.html", code=code, title="Not found" if code == 404 else "Cannot do that",
                           message=e.message), code


def _nav_counts() -> dict[str, int]:
    """Numbers for the navigation bar (what waits for a person)."""
    if "ws" not in g or security.current() is None or security.current().user is None:
        return {}
    db = g.ws.store.db
    fields = db.execute("SELECT COUNT(*) FROM field_values WHERE status='review'").fetchone()[0]
    pages = db.execute("SELECT COUNT(*) FROM pages WHERE state IN ('unidentified','conflict')").fetchone()[0]
    return {"review": fields + pages + len(refused(g.ws))}


def _show_value(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, list):
        return ", ".join(map(str, v)) if v else "none"
    return str(v)


def _short_time(iso: str | None) -> str:
    if not iso:
        return ""
    return iso.replace("T", " ").replace("Z", "")[:16]


def _plain_reason(reason: str | None) -> str:
    """'no_qr: corner marks found but …' → 'Corner marks found but …' (the code is for scripts, not clerks)."""
    if not reason:
        return ""
    code, sep, text = reason.partition(": ")
    if sep and code.replace("_", "").isalnum() and code.islower():
        reason = text
    return reason[:1].upper() + reason[1:]
