"""The QR payload: which form, which page, and proof that this workspace issued it.

Short, upper-case alphanumeric (QR alphanumeric mode keeps the symbol small), no names or other
personal data. The tag is a truncated HMAC keyed by the workspace secret, so a page from another
installation or a forged code is recognised as such instead of being read into the wrong record.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "FK1"
TAG_LEN = 10
FORM_ID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def b32(data: bytes, n: int) -> str:
    v = int.from_bytes(data, "big")
    out = []
    for _ in range(n):
        out.append(CROCKFORD[v & 31])
        v >>= 5
    return "".join(out)


def new_form_id() -> str:
    s = b32(secrets.token_bytes(5), 8)
    return f"{s[:4]}-{s[4:]}"


def new_workspace_id() -> str:
    return b32(secrets.token_bytes(3), 4)


def normalise_form_id(text: str) -> str:
    """Accept what a person types: lower case, no dash, O for 0, I/L for 1."""
    t = text.strip().upper().replace("-", "").replace(" ", "")
    t = t.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    return f"{t[:4]}-{t[4:]}" if len(t) == 8 else text.strip().upper()


def tag(secret: bytes, body: str) -> str:
    return b32(hmac.new(secret, body.encode(), hashlib.sha256).digest()[:8], TAG_LEN)


def make_payload(layout: str, version: int, form_id: str, page: int, pages: int,
                 workspace_id: str, secret: bytes) -> str:
    body = f"{PREFIX}/{layout.upper()}/{version}/{form_id}/{page}/{pages}/{workspace_id}"
    return f"{body}/{tag(secret, body)}"


@dataclass(frozen=True)
class Payload:
    layout: str
    version: int
    form_id: str
    page: int
    pages: int
    workspace_id: str
    tag: str
    body: str


class PayloadError(ValueError):
    """`reason`: not_formkit | malformed | other_workspace | bad_tag."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def parse_payload(text: str) -> Payload:
    parts = text.strip().split("/")
    if not parts or parts[0] != PREFIX:
        raise PayloadError("not_formkit", "the QR code is not a formkit code")
    if len(parts) != 8:
        raise PayloadError("malformed", "the formkit QR code is damaged or incomplete")
    _, layout, version, form_id, page, pages, ws, tg = parts
    if not (version.isdigit() and page.isdigit() and pages.isdigit() and FORM_ID_RE.match(form_id)):
        raise PayloadError("malformed", "the formkit QR code is damaged or incomplete")
    p = Payload(layout.lower(), int(version), form_id, int(page), int(pages), ws, tg,
                "/".join(parts[:7]))
    if not 1 <= p.page <= p.pages:
        raise PayloadError("malformed", "the formkit QR code names an impossible page number")
    return p


def verify(p: Payload, workspace_id: str, secret: bytes) -> None:
    if p.workspace_id != workspace_id:
        raise PayloadError("other_workspace",
                           f"this page was printed by another formkit workspace ({p.workspace_id})")
    if not hmac.compare_digest(tag(secret, p.body), p.tag):
        raise PayloadError("bad_tag", "the QR code's security tag does not match: forged or damaged")
