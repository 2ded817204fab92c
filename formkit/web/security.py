"""Sessions, CSRF, host checks and response headers: the web app's whole security surface in one place.

Why each piece exists:
- The login token from the printed URL is one-time, so a URL left in a terminal scroll-back or a
  shell history is useless after the first login.
- Sessions live in a server-side table keyed by a random id (the cookie only carries the id, signed),
  so logging out really ends a session and a restart ends them all.
- Every POST carries a per-session CSRF token; pages are never framed; the Host header must be one
  we serve (defeats DNS rebinding against a server on 127.0.0.1).
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, Response, abort, current_app, g, request, session

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
CSP = ("default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SESSION_IDLE_SECONDS = 12 * 3600
FORM_ID_RE = re.compile(r"^[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$")
FIELD_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
PUBLIC_ENDPOINTS = {"auth.login", "auth.login_password", "static"}


@dataclass
class WebSession:
    """Server-side state of one logged-in browser."""

    user: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    skipped: list[str] = field(default_factory=list)  # review items skipped, in order
    last_seen: float = field(default_factory=time.monotonic)


class Sessions:
    """Login token (one-time), optional password, and the table of live sessions."""

    def __init__(self, token: str | None, password: str | None) -> None:
        self._token = token
        self.password = password or None
        self._lock = threading.Lock()
        self._live: dict[str, WebSession] = {}

    def consume_token(self, offered: str) -> bool:
        """True once for the right token; afterwards the token is gone."""
        with self._lock:
            if not self._token or not offered or not hmac.compare_digest(self._token.encode(), offered.encode()):
                return False
            self._token = None
            return True

    def check_password(self, offered: str) -> bool:
        if not self.password:
            return False
        return hmac.compare_digest(self.password.encode(), offered.encode())

    def start(self) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._live[sid] = WebSession()
        return sid

    def get(self, sid: str | None) -> WebSession | None:
        if not sid:
            return None
        with self._lock:
            s = self._live.get(sid)
            if s is None:
                return None
            now = time.monotonic()
            if now - s.last_seen > SESSION_IDLE_SECONDS:
                del self._live[sid]
                return None
            s.last_seen = now
            return s

    def end(self, sid: str | None) -> None:
        with self._lock:
            self._live.pop(sid or "", None)


def sessions() -> Sessions:
    return current_app.extensions["formkit_sessions"]


def current() -> WebSession | None:
    """The logged-in session of this request (set by `require_login`), or None."""
    return g.get("web_session")


def csrf_token() -> str:
    """The token templates put in every POST form (a pre-login token for the password form)."""
    s = current()
    if s is not None:
        return s.csrf
    if "pre_csrf" not in session:
        session["pre_csrf"] = secrets.token_urlsafe(32)
    return session["pre_csrf"]


def check_host() -> None:
    """Refuse requests for a Host name we do not serve (DNS rebinding on a localhost server)."""
    allowed: set[str] = current_app.config["FORMKIT_ALLOWED_HOSTS"]
    if not allowed:
        return
    if host_name(request.host or "") not in allowed:
        abort(400, description="This server only answers requests addressed to it by its own name.")


def refuse_traversal() -> None:
    """No path parameter may climb directories; images are looked up by id, this is a second fence."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    values = [request.path, raw, *(str(v) for v in (request.view_args or {}).values()),
              *request.args.values()]
    for v in values:
        low = v.lower()
        if ".." in v or "%2e%2e" in low or "\\" in v or "\x00" in v:
            abort(400, description="Path parameters may not contain '..'.")


def host_name(host: str) -> str:
    """'127.0.0.1:8765' → '127.0.0.1', '[::1]:8765' → '[::1]'."""
    host = host.lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.split(":", 1)[0]


def require_login() -> Response | None:
    """Every endpoint except the login link needs a live session and, after that, a name."""
    from flask import redirect, url_for

    s = sessions().get(session.get("sid"))
    g.web_session = s
    endpoint = request.endpoint or ""
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    if s is None:
        if request.method == "GET" and not _wants_json():
            return redirect(url_for("auth.login"))
        abort(401)
    if s.user is None and endpoint not in ("auth.name", "auth.logout"):
        if request.method == "GET":
            return redirect(url_for("auth.name"))
        abort(403)
    return None


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.headers.get("X-Requested-With") == "fetch"


def check_csrf() -> None:
    """Every state-changing request carries the session's token (form field or X-CSRF-Token header)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin.rstrip("/") != request.host_url.rstrip("/"):
        abort(403, description="Cross-site request refused.")
    offered = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = csrf_token()
    if not offered or not hmac.compare_digest(expected.encode(), offered.encode()):
        abort(403, description="The page was stale or the request did not come from this application. "
                               "Reload the page and try again.")


def security_headers(resp: Response) -> Response:
    h = resp.headers
    h.setdefault("Content-Security-Policy", CSP)
    h["X-Frame-Options"] = "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "no-referrer"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Cross-Origin-Resource-Policy"] = "same-origin"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if not request.path.startswith("/static/"):
        h["Cache-Control"] = "no-store"  # pages and scans hold personal data
    return resp


def install(app: Flask, token: str | None, password: str | None, allowed_hosts: set[str] | None) -> None:
    app.extensions["formkit_sessions"] = Sessions(token, password)
    app.config["FORMKIT_ALLOWED_HOSTS"] = {h.lower() for h in (allowed_hosts or set())}
    app.before_request(check_host)
    app.before_request(refuse_traversal)
    app.before_request(require_login)
    app.before_request(check_csrf)
    app.after_request(security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token


def valid_form_id(form_id: str) -> str:
    if not FORM_ID_RE.match(form_id):
        abort(404)
    return form_id.upper() if "-" in form_id else f"{form_id[:4]}-{form_id[4:]}".upper()


def valid_field_id(field_id: str) -> str:
    if not FIELD_ID_RE.match(field_id):
        abort(404)
    return field_id
