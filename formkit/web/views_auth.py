"""Login (one-time token link or password), who is deciding, logout."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from formkit.web import security

bp = Blueprint("auth", __name__)
NAME_MAX = 80


def _begin_session() -> None:
    old = session.get("sid")
    security.sessions().end(old)
    session.clear()
    session["sid"] = security.sessions().start()


@bp.get("/login")
def login() -> Any:
    """With ?token=…: exchange the one-time token for a session. Without: the password form."""
    token = request.args.get("token")
    if token is not None:
        if not security.sessions().consume_token(token):
            return render_template("login.html", used=True, password=bool(security.sessions().password)), 403
        _begin_session()
        return redirect(url_for("auth.name"))
    return render_template("login.html", used=False, password=bool(security.sessions().password))


@bp.post("/login")
def login_password() -> Any:
    store = security.sessions()
    if not store.password:
        abort(403, description="Password login is not enabled (set FORMKIT_WEB_PASSWORD when starting the server).")
    name = _clean_name(request.form.get("name", ""))
    if not store.check_password(request.form.get("password", "")):
        time.sleep(0.5)  # slows guessing; the server is local and single-office
        return render_template("login.html", used=False, password=True, error="Wrong password.", name=name), 403
    _begin_session()
    s = store.get(session["sid"])
    if s is not None and name:
        s.user = name
        return redirect(url_for("review.queue"))
    return redirect(url_for("auth.name"))


@bp.route("/name", methods=["GET", "POST"])
def name() -> Any:
    """Who is deciding: kept with every decision in the audit trail."""
    s = security.current()
    assert s is not None
    if request.method == "POST":
        n = _clean_name(request.form.get("name", ""))
        if not n:
            return render_template("name.html", error="Please type your name.", name=""), 400
        s.user = n
        return redirect(url_for("review.queue"))
    return render_template("name.html", name=s.user or "")


@bp.post("/logout")
def logout() -> Any:
    security.sessions().end(session.get("sid"))
    session.clear()
    return render_template("login.html", used=False, logged_out=True, password=bool(security.sessions().password))


def _clean_name(raw: str) -> str:
    return " ".join(raw.split())[:NAME_MAX]
